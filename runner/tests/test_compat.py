"""The original platform's module names (skriptoteket_toolkit, tool_errors, pdf_helper): the
same functions as `skriptoteket`, each with good, missing and malformed input.

pdf_helper's rendering is WeasyPrint's (not installed on the host): here only the renderer call
is replaced; scripts/test-runner-image.sh renders real PDFs in the image."""
import json
import os
import sys

import pytest

import pdf_helper
import skriptoteket
import skriptoteket._pdf as pdf_impl
import skriptoteket_toolkit as tk
import tool_errors
from skriptoteket_runner import wrapper

ENV = ("SKRIPTOTEKET_INPUT_MANIFEST", "SKRIPTOTEKET_INPUTS", "SKRIPTOTEKET_ACTION",
       "SKRIPTOTEKET_MEMORY_PATH", "SKRIPTOTEKET_INPUT_DIR", "SKRIPTOTEKET_OUTPUT_DIR",
       "SKRIPTOTEKET_SCRIPT_PATH", "SKRIPTOTEKET_WORK_DIR")
MALFORMED = ["{not json", "[1, 2", "nul", "{'single': 'quotes'}"]
NOT_OBJECTS = ["[1, 2]", "42", '"text"', "null", "true"]


@pytest.fixture
def work(tmp_path, monkeypatch):
    for key in ENV:
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("SKRIPTOTEKET_WORK_DIR", str(tmp_path))
    return tmp_path


# --- one implementation -------------------------------------------------------------------------

def test_the_compat_names_are_the_skriptoteket_functions():
    for name in tk.__all__:
        if name[0].islower():
            assert getattr(tk, name) is getattr(skriptoteket, name), name
    assert tool_errors.ToolUserError is skriptoteket.ToolUserError
    assert pdf_helper.save_as_pdf is skriptoteket.save_as_pdf
    assert set(tk.__all__) >= {"read_inputs", "read_input_manifest", "list_input_files",
                               "read_action", "get_action_parts", "read_memory", "read_settings"}


# --- read_inputs ----------------------------------------------------------------------------------

def test_read_inputs_good(work, monkeypatch):
    big = 2**256 + 1  # big integers stay integers
    monkeypatch.setenv("SKRIPTOTEKET_INPUTS", json.dumps({"klass": "7B", "n": 3, "seed": big}))
    assert tk.read_inputs() == {"klass": "7B", "n": 3, "seed": big}
    assert type(tk.read_inputs()["seed"]) is int
    assert skriptoteket.inputs() == tk.read_inputs()


@pytest.mark.parametrize("raw", [None, "", "   "])
def test_read_inputs_missing(work, monkeypatch, raw):
    if raw is not None:
        monkeypatch.setenv("SKRIPTOTEKET_INPUTS", raw)
    assert tk.read_inputs() == {}


@pytest.mark.parametrize("raw", MALFORMED + NOT_OBJECTS)
def test_read_inputs_malformed(work, monkeypatch, raw):
    monkeypatch.setenv("SKRIPTOTEKET_INPUTS", raw)
    assert tk.read_inputs() == {}
    assert skriptoteket.inputs() == {}


# --- read_input_manifest / list_input_files --------------------------------------------------

GOOD_FILE = {"name": "elever.csv", "path": "/work/input/elever.csv", "bytes": 12}


def test_manifest_good(work, monkeypatch):
    manifest = {"files": [GOOD_FILE, {"name": "b.txt", "path": "/work/input/b.txt", "bytes": 0}]}
    monkeypatch.setenv("SKRIPTOTEKET_INPUT_MANIFEST", json.dumps(manifest))
    assert tk.read_input_manifest() == manifest
    assert tk.list_input_files() == manifest["files"]
    assert skriptoteket.input_files() == manifest["files"]


@pytest.mark.parametrize("raw", [None, "", " "])
def test_manifest_missing(work, monkeypatch, raw):
    if raw is not None:
        monkeypatch.setenv("SKRIPTOTEKET_INPUT_MANIFEST", raw)
    assert tk.read_input_manifest() == {"files": []}
    assert tk.list_input_files() == []


def test_manifest_missing_lists_the_input_dir_only_in_skriptoteket_input_files(work):
    (work / "input").mkdir()
    (work / "input" / "a.txt").write_text("abc")
    assert tk.list_input_files() == []  # the original's documented default
    assert skriptoteket.input_files() == [
        {"name": "a.txt", "path": str(work / "input" / "a.txt"), "bytes": 3}
    ]


@pytest.mark.parametrize("raw", MALFORMED + NOT_OBJECTS)
def test_manifest_malformed(work, monkeypatch, raw):
    monkeypatch.setenv("SKRIPTOTEKET_INPUT_MANIFEST", raw)
    (work / "input").mkdir()
    (work / "input" / "a.txt").write_text("abc")  # a malformed manifest is not replaced by this
    assert tk.read_input_manifest() == {"files": []}
    assert tk.list_input_files() == []
    assert skriptoteket.input_files() == []


@pytest.mark.parametrize("files", [None, {"a": 1}, "x", 3])
def test_manifest_files_not_a_list(work, monkeypatch, files):
    monkeypatch.setenv("SKRIPTOTEKET_INPUT_MANIFEST", json.dumps({"files": files}))
    assert tk.read_input_manifest() == {"files": files}  # returned as it is
    assert tk.list_input_files() == []


def test_list_input_files_skips_invalid_entries(work, monkeypatch):
    entries = [
        GOOD_FILE,
        "elever.csv",
        None,
        {"name": "a", "path": "/work/input/a", "bytes": True},     # bool is not a size
        {"name": "b", "path": "/work/input/b", "bytes": "12"},
        {"name": "c", "path": "/work/input/c", "bytes": 1.5},
        {"name": "d", "bytes": 1},
        {"name": 5, "path": "/work/input/e", "bytes": 1},
        {**GOOD_FILE, "extra": "dropped"},
    ]
    monkeypatch.setenv("SKRIPTOTEKET_INPUT_MANIFEST", json.dumps({"files": entries}))
    assert tk.list_input_files() == [GOOD_FILE, GOOD_FILE]


# --- read_action / get_action_parts -----------------------------------------------------------

def test_action_good(work, monkeypatch):
    state = {"names": ["Ada"], "seed": 2**200}
    monkeypatch.setenv("SKRIPTOTEKET_ACTION", json.dumps(
        {"action_id": " make_groups ", "input": {"size": 3}, "state": state}))
    assert tk.read_action() == {"action_id": "make_groups", "input": {"size": 3}, "state": state}
    assert tk.get_action_parts() == ("make_groups", {"size": 3}, state)
    assert type(tk.get_action_parts()[2]["seed"]) is int


@pytest.mark.parametrize("raw", [None, "", "  "])
def test_action_missing(work, monkeypatch, raw):
    if raw is not None:
        monkeypatch.setenv("SKRIPTOTEKET_ACTION", raw)
    assert tk.read_action() is None
    assert tk.get_action_parts() == (None, {}, {})
    assert skriptoteket.action() is None


def test_action_from_action_json_when_the_variable_is_unset(work):
    (work / "action.json").write_text('{"action_id": "igen", "input": {"n": 1}, "state": null}')
    assert tk.get_action_parts() == ("igen", {"n": 1}, {})
    assert skriptoteket.action() == {"action_id": "igen", "input": {"n": 1}, "state": None}
    (work / "action.json").write_text("{broken")
    assert tk.get_action_parts() == (None, {}, {})
    assert skriptoteket.action() is None


@pytest.mark.parametrize("raw", MALFORMED + NOT_OBJECTS + [
    "{}",
    '{"input": {"n": 1}}',
    '{"action_id": "", "input": {}}',
    '{"action_id": "   ", "input": {}}',
    '{"action_id": 7, "input": {}}',
    '{"action_id": null}',
])
def test_action_malformed(work, monkeypatch, raw):
    monkeypatch.setenv("SKRIPTOTEKET_ACTION", raw)
    assert tk.read_action() is None
    assert tk.get_action_parts() == (None, {}, {})


@pytest.mark.parametrize("value", [None, [1], "x", 3])
def test_action_input_and_state_that_are_not_objects_become_empty(work, monkeypatch, value):
    monkeypatch.setenv("SKRIPTOTEKET_ACTION", json.dumps(
        {"action_id": "go", "input": value, "state": value}))
    assert tk.get_action_parts() == ("go", {}, {})
    monkeypatch.setenv("SKRIPTOTEKET_ACTION", '{"action_id": "go"}')
    assert tk.read_action() == {"action_id": "go", "input": {}, "state": {}}


# --- read_memory / read_settings --------------------------------------------------------------

def test_memory_good(work, monkeypatch):
    path = work / "elsewhere.json"
    path.write_text(json.dumps({"settings": {"skola": "Ekskolan", "n": 2**70}, "other": 1}))
    monkeypatch.setenv("SKRIPTOTEKET_MEMORY_PATH", str(path))
    assert tk.read_memory() == {"settings": {"skola": "Ekskolan", "n": 2**70}, "other": 1}
    assert tk.read_settings() == {"skola": "Ekskolan", "n": 2**70}
    assert skriptoteket.settings() == tk.read_settings()


def test_memory_defaults_to_the_work_dir(work):
    (work / "memory.json").write_text('{"settings": {"a": 1}}')
    assert tk.read_memory() == {"settings": {"a": 1}}
    assert tk.read_settings() == {"a": 1}


def test_memory_missing(work, monkeypatch):
    assert tk.read_memory() == {}
    assert tk.read_settings() == {}
    monkeypatch.setenv("SKRIPTOTEKET_MEMORY_PATH", str(work / "nope.json"))
    assert tk.read_memory() == {}
    monkeypatch.setenv("SKRIPTOTEKET_MEMORY_PATH", str(work))  # a directory: unreadable
    assert tk.read_memory() == {}
    assert tk.read_settings() == {}


@pytest.mark.parametrize("raw", MALFORMED + NOT_OBJECTS + [""])
def test_memory_malformed(work, raw):
    (work / "memory.json").write_text(raw)
    assert tk.read_memory() == {}
    assert tk.read_settings() == {}


def test_memory_not_utf8(work):
    (work / "memory.json").write_bytes(b'{"settings": {"a": "\xff"}}')
    assert tk.read_memory() == {}


@pytest.mark.parametrize("settings", [None, [1], "x", 5])
def test_settings_that_are_not_an_object(work, settings):
    (work / "memory.json").write_text(json.dumps({"settings": settings}))
    assert tk.read_memory() == {"settings": settings}
    assert tk.read_settings() == {}


# --- tool_errors.ToolUserError -------------------------------------------------------------------

def test_tool_user_error_message():
    exc = tool_errors.ToolUserError("  Filtypen stöds inte.\n")
    assert str(exc) == exc.safe_message == "Filtypen stöds inte."
    assert isinstance(exc, Exception)


@pytest.mark.parametrize("message", ["", "   ", "\n\t"])
def test_tool_user_error_blank_message(message):
    exc = tool_errors.ToolUserError(message)
    assert str(exc) == exc.safe_message == "Ett fel inträffade."
    assert str(tool_errors.ToolUserError()) == "Ett fel inträffade."


def test_tool_user_error_non_string_message():
    assert str(tool_errors.ToolUserError(42)) == "42"
    assert str(tool_errors.ToolUserError(None)) == "None"


def test_tool_user_error_through_the_wrapper(run_tool):
    run = run_tool("""
        from tool_errors import ToolUserError
        def run_tool(i, o):
            raise ToolUserError("Filtypen stöds inte.")
    """)
    assert run.result["status"] == "failed"
    assert run.result["error_summary"] == "Filtypen stöds inte."
    assert "Traceback" not in run.stderr_text


def test_blank_tool_user_error_through_the_wrapper(run_tool):
    run = run_tool("""
        class ToolUserError(Exception):   # a tool's own class, as older tools defined it
            pass
        def run_tool(i, o):
            raise ToolUserError("  ")
    """)
    assert run.result["error_summary"] == "Ett fel inträffade."


# --- pdf_helper.save_as_pdf ------------------------------------------------------------------------

@pytest.fixture
def renderer(work, monkeypatch):
    """Replaces only the WeasyPrint call; records what it was asked to render."""
    calls = []

    def fake(html, target, base_url):
        calls.append({"html": html, "target": target, "base_url": base_url})
        with open(target, "wb") as f:
            f.write(b"%PDF-1.7 fake")

    monkeypatch.setattr(pdf_impl, "_render_pdf", fake)
    return calls


def test_save_as_pdf_good(work, renderer):
    out = work / "output"
    path = pdf_helper.save_as_pdf("<h1>Intyg</h1>", str(out), "intyg.pdf")
    assert path == str(out / "intyg.pdf")
    assert (out / "intyg.pdf").read_bytes().startswith(b"%PDF")
    assert renderer == [{"html": "<h1>Intyg</h1>", "target": path, "base_url": f"{work}/"}]


def test_save_as_pdf_subfolders_and_names(work, renderer):
    out = work / "output"
    assert pdf_helper.save_as_pdf("<p/>", str(out), " klass 7B/intyg Åsa.PDF ") == str(
        out / "klass 7B" / "intyg Åsa.PDF")
    assert pdf_helper.save_as_pdf("<p/>", out, "a\\b.pdf") == str(out / "a" / "b.pdf")
    assert (out / "a" / "b.pdf").is_file()


def test_save_as_pdf_base_url_is_slash_work_in_the_container(monkeypatch, tmp_path, renderer):
    monkeypatch.delenv("SKRIPTOTEKET_WORK_DIR")
    monkeypatch.setenv("SKRIPTOTEKET_SCRIPT_PATH", "/work/script.py")
    pdf_helper.save_as_pdf("<p/>", str(tmp_path / "out"), "x.pdf")
    assert renderer[-1]["base_url"] == "/work/"


@pytest.mark.parametrize("filename, words", [
    ("/tmp/x.pdf", "relativ"),
    ("../x.pdf", "'..'"),
    ("a/../../x.pdf", "'..'"),
    ("./x.pdf", "'.'"),
    ("a/./x.pdf", "'.'"),
    ("..\\x.pdf", "'..'"),
    ("x.txt", ".pdf"),
    ("x.pdf.txt", ".pdf"),
    ("x", ".pdf"),
    (".pdf", ".pdf"),
    ("mapp/", ".pdf"),
    ("x\x00.pdf", "otillåtna tecken"),
    ("", "tomt"),
    ("   ", "tomt"),
    (None, "textsträng"),
    (b"x.pdf", "textsträng"),
])
def test_save_as_pdf_refuses_bad_filenames(work, renderer, filename, words):
    with pytest.raises(tool_errors.ToolUserError) as caught:
        pdf_helper.save_as_pdf("<p/>", str(work / "output"), filename)
    assert str(caught.value).startswith("Ogiltigt filnamn för PDF: ")
    assert words in str(caught.value)
    assert renderer == []


def test_save_as_pdf_stays_inside_output_dir_through_links(work, renderer):
    out = work / "output"
    out.mkdir()
    (work / "elsewhere").mkdir()
    (out / "link").symlink_to(work / "elsewhere")
    (out / "file.pdf").symlink_to(work / "elsewhere" / "file.pdf")
    for name in ("link/x.pdf", "file.pdf"):
        with pytest.raises(tool_errors.ToolUserError, match="måste sparas i output-mappen"):
            pdf_helper.save_as_pdf("<p/>", str(out), name)
    assert renderer == [] and not any((work / "elsewhere").iterdir())


@pytest.mark.parametrize("output_dir", [None, "", 5])
def test_save_as_pdf_needs_an_output_dir(work, renderer, output_dir):
    with pytest.raises(tool_errors.ToolUserError, match="output-mappen saknas"):
        pdf_helper.save_as_pdf("<p/>", output_dir, "x.pdf")


def test_save_as_pdf_output_dir_unusable(work, renderer):
    (work / "output").write_text("a file, not a folder")
    with pytest.raises(tool_errors.ToolUserError, match="output-mappen gick inte att använda"):
        pdf_helper.save_as_pdf("<p/>", str(work / "output"), "x.pdf")
    (work / "out2").mkdir()
    (work / "out2" / "sub").write_text("a file where a folder should be")
    with pytest.raises(tool_errors.ToolUserError, match="mappen för filen gick inte att skapa"):
        pdf_helper.save_as_pdf("<p/>", str(work / "out2"), "sub/x.pdf")


@pytest.mark.parametrize("html", [None, b"<p/>", 42])
def test_save_as_pdf_needs_html_text(work, renderer, html):
    with pytest.raises(tool_errors.ToolUserError, match="HTML-innehållet måste vara en textsträng"):
        pdf_helper.save_as_pdf(html, str(work / "output"), "x.pdf")
    assert renderer == []


def test_save_as_pdf_rendering_errors_become_tool_user_errors(work, monkeypatch, capsys):
    def broken(html, target, base_url):
        raise ValueError("bad CSS at line 3")

    monkeypatch.setattr(pdf_impl, "_render_pdf", broken)
    with pytest.raises(tool_errors.ToolUserError) as caught:
        pdf_helper.save_as_pdf("<p/>", str(work / "output"), "x.pdf")
    assert str(caught.value) == "PDF-renderingen misslyckades. Kontrollera att HTML och CSS är giltiga."
    assert isinstance(caught.value.__cause__, ValueError)
    assert "bad CSS at line 3" in capsys.readouterr().err  # the detail is for the author


def test_save_as_pdf_tool_user_error_from_the_renderer_passes_through(work, monkeypatch):
    def refusing(html, target, base_url):
        raise tool_errors.ToolUserError("Bilden saknas.")

    monkeypatch.setattr(pdf_impl, "_render_pdf", refusing)
    with pytest.raises(tool_errors.ToolUserError, match="^Bilden saknas.$"):
        pdf_helper.save_as_pdf("<p/>", str(work / "output"), "x.pdf")


def test_save_as_pdf_without_weasyprint_is_a_tool_user_error(work, monkeypatch):
    monkeypatch.setitem(sys.modules, "weasyprint", None)  # import fails like on a bare host
    with pytest.raises(tool_errors.ToolUserError, match="PDF-renderingen misslyckades"):
        pdf_helper.save_as_pdf("<p/>", str(work / "output"), "x.pdf")


def test_pdf_helper_through_the_wrapper(run_tool):
    run = run_tool("""
        from pdf_helper import save_as_pdf
        def run_tool(i, o):
            save_as_pdf("<p>x</p>", o, "../x.pdf")
    """)
    assert run.result["status"] == "failed"
    assert run.result["error_summary"].startswith("Ogiltigt filnamn för PDF")


# --- the wrapper: HOME, XDG_CACHE_HOME, SKRIPTOTEKET_RESULT_PATH ------------------------------

def test_prepare_home_creates_home_and_cache(tmp_path):
    env = {"HOME": str(tmp_path / "home"), "XDG_CACHE_HOME": str(tmp_path / "home" / ".cache")}
    wrapper.prepare_home(env)
    assert (tmp_path / "home" / ".cache").is_dir()
    wrapper.prepare_home(env)  # idempotent
    wrapper.prepare_home({"HOME": "relative/path", "XDG_CACHE_HOME": ""})  # ignored
    assert not os.path.exists("relative")


def test_prepare_home_is_best_effort(tmp_path, capsys):
    (tmp_path / "file").write_text("x")
    wrapper.prepare_home({"HOME": str(tmp_path / "file" / "home")})
    assert "could not create HOME" in capsys.readouterr().err


def test_tool_sees_home_cache_and_result_path(run_tool, tmp_path):
    home, cache = tmp_path / "h" / "home", tmp_path / "h" / "home" / ".cache"
    run = run_tool("""
        import os
        from pathlib import Path
        import skriptoteket_toolkit, tool_errors, pdf_helper
        def run_tool(i, o):
            Path(os.environ["XDG_CACHE_HOME"], "probe").write_text("ok")
            return {"state": {k: os.environ.get(k) for k in
                              ("HOME", "XDG_CACHE_HOME", "SKRIPTOTEKET_RESULT_PATH")}}
    """, HOME=str(home), XDG_CACHE_HOME=str(cache))
    assert run.result["status"] == "succeeded", run.result
    assert run.result["state"] == {
        "HOME": str(home), "XDG_CACHE_HOME": str(cache),
        "SKRIPTOTEKET_RESULT_PATH": str(run.work_dir / "result.json"),
    }
    assert (cache / "probe").read_text() == "ok"


def test_big_integers_in_state_round_trip_through_the_wrapper(run_tool):
    seed = 2**256 + 7
    action = json.dumps({"action_id": "again", "input": {"n": 2**70}, "state": {"seed": seed}})
    run = run_tool("""
        from skriptoteket_toolkit import get_action_parts
        def run_tool(i, o):
            action_id, given, state = get_action_parts()
            return {"state": {"seed": state["seed"] + 1, "n": given["n"],
                              "types": [type(state["seed"]).__name__, type(given["n"]).__name__]}}
    """, SKRIPTOTEKET_ACTION=action)
    assert run.result["status"] == "succeeded", run.result
    assert run.result["state"] == {"seed": seed + 1, "n": 2**70, "types": ["int", "int"]}
    assert f'"seed": {seed + 1}' in run.result_tar["result.json"].decode()  # digits, not 1e+77
