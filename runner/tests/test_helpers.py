"""In-process tests of the author helpers, JSON conversion, frames and archive handling."""
import io
import json
import tarfile

import pytest

import skriptoteket as s
from conftest import make_tar
from skriptoteket_runner import archive, frames, result


@pytest.fixture
def work(tmp_path, monkeypatch):
    for key in ("SKRIPTOTEKET_INPUT_MANIFEST", "SKRIPTOTEKET_INPUTS", "SKRIPTOTEKET_ACTION",
                "SKRIPTOTEKET_MEMORY_PATH", "SKRIPTOTEKET_INPUT_DIR", "SKRIPTOTEKET_OUTPUT_DIR",
                "SKRIPTOTEKET_SCRIPT_PATH"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("SKRIPTOTEKET_WORK_DIR", str(tmp_path))
    return tmp_path


def test_helpers_read_the_environment(work, monkeypatch):
    manifest = {"files": [{"name": "a.xlsx", "path": "/work/input/a.xlsx", "bytes": 3}]}
    monkeypatch.setenv("SKRIPTOTEKET_INPUT_MANIFEST", json.dumps(manifest))
    monkeypatch.setenv("SKRIPTOTEKET_INPUTS", '{"n": 5}')
    (work / "memory.json").write_text('{"settings": {"school": "X"}}')
    assert s.input_files() == manifest["files"]
    assert s.inputs() == {"n": 5}
    assert s.settings() == {"school": "X"}
    assert s.action() is None
    assert s.output_dir() == work / "output"


def test_helpers_defaults_without_host_env(work):
    (work / "input" / "sub").mkdir(parents=True)
    (work / "input" / "sub" / "b.txt").write_text("bb")
    assert s.input_files() == [
        {"name": "sub/b.txt", "path": str(work / "input" / "sub" / "b.txt"), "bytes": 2}
    ]
    assert s.inputs() == {}
    assert s.settings() == {}
    (work / "memory.json").write_text("not json")
    assert s.settings() == {}
    (work / "action.json").write_text('{"action_id": "a", "input": {}, "state": null}')
    assert s.action() == {"action_id": "a", "input": {}, "state": None}


def test_builders():
    assert s.notice("info", "hej") == {"kind": "notice", "level": "info", "message": "hej"}
    assert s.markdown("# x") == {"kind": "markdown", "markdown": "# x"}
    assert s.html("<b>") == {"kind": "html_sandboxed", "html": "<b>"}
    assert s.vega_lite({"mark": "bar"}) == {"kind": "vega_lite", "spec": {"mark": "bar"}}
    assert s.json_output([1], title="t") == {"kind": "json", "value": [1], "title": "t"}
    assert s.table([{"key": "a", "label": "A"}, "b"], [[1, 2], {"a": 3, "b": 4}], title="T") == {
        "kind": "table", "title": "T",
        "columns": [{"key": "a", "label": "A"}, {"key": "b", "label": "b"}],
        "rows": [{"a": 1, "b": 2}, {"a": 3, "b": 4}],
    }
    action = s.form_action("go", "Kör", [s.field("n", "integer", "Antal")], prefill={"n": 1})
    assert action == {
        "action_id": "go", "label": "Kör", "kind": "form",
        "fields": [{"name": "n", "kind": "integer", "label": "Antal"}], "prefill": {"n": 1},
    }
    assert "prefill" not in s.form_action("go", "Kör", [])


def test_to_jsonable():
    import datetime

    value = {"f": float("inf"), "t": (1, 2), 3: True, None: datetime.datetime(2024, 1, 2, 3, 4)}
    assert result.to_jsonable(value, "v") == {
        "f": None, "t": [1, 2], "3": True, "null": "2024-01-02T03:04:00",
    }
    loop = []
    loop.append(loop)
    with pytest.raises(result.NotSerialisable, match="too deeply"):
        result.to_jsonable(loop, "v")
    with pytest.raises(result.NotSerialisable, match=r"v\.x is a set"):
        result.to_jsonable({"x": {1}}, "v")


def test_to_jsonable_numpy_and_pandas():
    np = pytest.importorskip("numpy")
    assert result.to_jsonable({"i": np.int64(3), "a": np.array([1.5, np.nan])}, "v") == {
        "i": 3, "a": [1.5, None],
    }


def test_frames_roundtrip(tmp_path):
    path = tmp_path / "frames.bin"
    with open(path, "wb") as f:
        writer = frames.FrameWriter(f.fileno())
        writer.send(frames.STDOUT, b"x" * (frames.MAX_PAYLOAD + 10))
        writer.send(frames.END, b"{}")
    with open(path, "rb") as f:
        got = list(frames.read_frames(f))
    assert [(k, len(p)) for k, p in got] == [(b"O", frames.MAX_PAYLOAD), (b"O", 10), (b"X", 2)]


@pytest.mark.parametrize("name", ["/abs", "../x", "a/../../x", "", ".", "a\\b"])
def test_unsafe_member_names(name):
    with pytest.raises(archive.ArchiveError):
        archive.safe_member_path(name)


def test_safe_member_names():
    assert archive.safe_member_path("./input//a.csv") == "input/a.csv"


def test_extract_rejects_file_over_directory(tmp_path):
    data = make_tar({"input": "file", "input/a.txt": "a"})
    with pytest.raises(archive.ArchiveError, match="collides"):
        archive.extract_input(io.BytesIO(data), str(tmp_path))


def test_hardlinks_rejected(tmp_path):
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tar:
        info = tarfile.TarInfo("input/hard")
        info.type, info.linkname = tarfile.LNKTYPE, "script.py"
        tar.addfile(info)
    with pytest.raises(archive.ArchiveError, match="not a regular file"):
        archive.extract_input(io.BytesIO(buf.getvalue()), str(tmp_path))
