"""The bounded result stream (issue 11, finding 1), the planted temp-file link (finding 6) and
-P for the wrapper and the child (finding 7)."""
import io
import json
import os
import re
import subprocess
import sys
import tarfile
import time

import pytest

from conftest import RUNNER_DIR, WRAPPER_ARGV, decode, make_tar, wrapper_env
from skriptoteket_runner import artifacts, frames, wrapper
from skriptoteket_runner.artifacts import DEFAULT_LIMITS, Limits, limits_from_env

GIB = 1024 ** 3


def notices(run) -> list[str]:
    return [o["message"] for o in run.result["outputs"] if o.get("kind") == "notice"]


def stream_bytes(run) -> int:
    return sum(len(p) for k, p in run.frames if k == b"R")


# --- sparse and oversized files ---------------------------------------------------------------

@pytest.mark.parametrize("size", [4 * GIB, 10 ** 12])
def test_sparse_file_is_skipped_at_once_with_a_notice(run_tool, size):
    start = time.monotonic()
    run = run_tool(f"""
        import os
        def run_tool(i, o):
            open(os.path.join(o, "rapport.txt"), "w").write("kvar")
            with open(os.path.join(o, "big.bin"), "wb") as f:
                f.truncate({size})
            return "klart"
    """, timeout=30, max_output=1024 * 1024)
    elapsed = time.monotonic() - start
    assert elapsed < 5, elapsed
    assert run.result["status"] == "succeeded"
    assert run.result["artifacts"] == [{"path": "output/rapport.txt", "bytes": 4}]
    assert list(run.result_tar) == ["result.json", "output/rapport.txt"]
    assert notices(run) == ["Filen big.bin sparades inte: den är större än 50 MB."]
    assert run.result["skipped_files"] == {"count": 1, "reasons": ["file_size"]}
    assert stream_bytes(run) < 64 * 1024
    assert run.end == {"child_exit": 0}


@pytest.mark.parametrize("size", [4 * GIB, 10 ** 12])
def test_sparse_file_is_skipped_even_under_generous_caps(run_tool, size):
    # Only the sparseness check stands between this file and a stream of `size` zeros.
    huge = json.dumps({"max_files": 100, "max_file_bytes": 2 ** 62, "max_total_bytes": 2 ** 62})
    start = time.monotonic()
    run = run_tool(f"""
        import os
        def run_tool(i, o):
            with open(os.path.join(o, "big.bin"), "wb") as f:
                f.truncate({size})
    """, timeout=30, max_output=1024 * 1024, SKRIPTOTEKET_ARTIFACT_LIMITS=huge)
    assert time.monotonic() - start < 5
    assert run.result["artifacts"] == []
    assert list(run.result_tar) == ["result.json"]
    assert notices(run) == ["Filen big.bin sparades inte: den är en gles fil (nästan bara tomrum)."]


def test_partly_sparse_file_under_the_cap_is_skipped(run_tool):
    run = run_tool("""
        import os
        def run_tool(i, o):
            with open(os.path.join(o, "hål.bin"), "wb") as f:
                f.write(b"head")
                f.seek(10 * 1024 * 1024)
                f.write(b"tail")
            with open(os.path.join(o, "tät.bin"), "wb") as f:
                f.write(os.urandom(1024 * 1024))
    """)
    assert [a["path"] for a in run.result["artifacts"]] == ["output/tät.bin"]
    assert len(run.result_tar["output/tät.bin"]) == 1024 * 1024
    assert notices(run) == ["Filen hål.bin sparades inte: den är en gles fil (nästan bara tomrum)."]


def test_small_files_and_empty_files_are_not_sparse(run_tool):
    run = run_tool("""
        import os
        def run_tool(i, o):
            open(os.path.join(o, "tom.txt"), "w").close()
            open(os.path.join(o, "liten.txt"), "w").write("x")
            with open(os.path.join(o, "liten-hål.bin"), "wb") as f:
                f.truncate(1000)  # sparse, but within the slack: harmless and kept
    """)
    assert run.result["artifacts"] == [
        {"path": "output/liten-hål.bin", "bytes": 1000},
        {"path": "output/liten.txt", "bytes": 1},
        {"path": "output/tom.txt", "bytes": 0},
    ]
    assert run.result_tar["output/liten-hål.bin"] == bytes(1000)
    assert notices(run) == []
    assert "skipped_files" not in run.result


def test_per_file_cap(run_tool):
    run = run_tool("""
        import os
        def run_tool(i, o):
            open(os.path.join(o, "a.txt"), "wb").write(b"a" * 1000)
            open(os.path.join(o, "b.txt"), "wb").write(b"b" * 1001)
            return {"outputs": [{"kind": "markdown", "markdown": "hej"}]}
    """, SKRIPTOTEKET_ARTIFACT_LIMITS='{"max_file_bytes": 1000}')
    assert run.result["artifacts"] == [{"path": "output/a.txt", "bytes": 1000}]
    assert list(run.result_tar) == ["result.json", "output/a.txt"]
    # The tool's own outputs come first, the notice last.
    assert run.result["outputs"] == [
        {"kind": "markdown", "markdown": "hej"},
        {"kind": "notice", "level": "warning",
         "message": "Filen b.txt sparades inte: den är större än 1000 byte."},
    ]


def test_count_cap_keeps_the_first_files_in_path_order(run_tool):
    run = run_tool("""
        import os
        def run_tool(i, o):
            for name in "edcba":
                open(os.path.join(o, name + ".txt"), "w").write(name)
    """, SKRIPTOTEKET_ARTIFACT_LIMITS='{"max_files": 3}')
    assert [a["path"] for a in run.result["artifacts"]] == [
        "output/a.txt", "output/b.txt", "output/c.txt"]
    assert list(run.result_tar) == ["result.json", "output/a.txt", "output/b.txt", "output/c.txt"]
    assert notices(run) == [
        "2 filer sparades inte. Över gränsen på 3 filer per körning: d.txt, e.txt."]


def test_total_cap_skips_what_would_pass_it_and_keeps_what_still_fits(run_tool):
    run = run_tool("""
        import os
        def run_tool(i, o):
            for name, size in (("a", 100), ("b", 100), ("c", 100), ("d", 40)):
                open(os.path.join(o, name + ".bin"), "wb").write(b"x" * size)
    """, SKRIPTOTEKET_ARTIFACT_LIMITS='{"max_total_bytes": 250}')
    assert [a["path"] for a in run.result["artifacts"]] == [
        "output/a.bin", "output/b.bin", "output/d.bin"]
    assert notices(run) == [
        "Filen c.bin sparades inte: högst 250 byte sparas sammanlagt per körning."]
    assert sum(len(v) for k, v in run.result_tar.items() if k != "result.json") == 240


def test_one_notice_lists_every_reason_and_stays_short(run_tool):
    run = run_tool("""
        import os
        def run_tool(i, o):
            os.makedirs(os.path.join(o, "många"))
            for n in range(500):
                open(os.path.join(o, "många", f"fil-{n:03}-" + "x" * 80 + ".txt"), "w").write("x")
            open(os.path.join(o, "a-stor.bin"), "wb").write(b"x" * 300_000)
            with open(os.path.join(o, "a-gles.bin"), "wb") as f:
                f.truncate(100_000)
            open(os.path.join(o, "z-\\u202etxt.exe\\n"), "w").write("x")
    """, SKRIPTOTEKET_ARTIFACT_LIMITS=json.dumps(
        {"max_files": 2, "max_file_bytes": 200 * 1024, "max_total_bytes": 10 ** 6}))
    assert run.result["status"] == "succeeded", run.result
    assert [a["path"] for a in run.result["artifacts"]] == [
        "output/många/fil-000-" + "x" * 80 + ".txt", "output/många/fil-001-" + "x" * 80 + ".txt"]
    [message] = notices(run)
    assert len(message) <= artifacts.NOTICE_LIMIT
    # For the host's `output_cut`: how many, and the reasons in notice order.
    assert run.result["skipped_files"] == {"count": 501, "reasons": ["file_size", "sparse", "file_count"]}
    assert message.startswith(
        "501 filer sparades inte. Större än 200 kB: a-stor.bin. "
        "Glesa filer (nästan bara tomrum): a-gles.bin. Över gränsen på 2 filer per körning: "
        "många/fil-002-xxx"), message[:300]
    assert re.search(r" och \d+ till\.$", message), message[-80:]
    # Long names are shortened, keeping their end.
    assert "…xxxxxxxxxxxxxxxx.txt, " in message


def test_names_in_the_notice_are_safe_and_short():
    assert artifacts.shown_name("a-\u202etxt.exe\n") == "a-?txt.exe?"
    assert artifacts.shown_name("zero\u200bwidth\x7f\udcff") == "zero?width??"
    long = "d/" + "n" * 100 + ".pdf"
    assert len(artifacts.shown_name(long)) == artifacts.NAME_LIMIT
    assert artifacts.shown_name(long).endswith("nnn.pdf") and "…" in artifacts.shown_name(long)
    assert artifacts.shown_name("Läsårsplan 7B.docx") == "Läsårsplan 7B.docx"


def test_a_hole_just_past_the_slack_is_sparse(run_tool):
    # SPARSE_SLACK (64 KiB) forgives small holes; 200 KiB of nothing is not forgiven.
    run = run_tool("""
        import os
        def run_tool(i, o):
            with open(os.path.join(o, "gles.bin"), "wb") as f:
                f.truncate(200 * 1024)
    """)
    assert notices(run) == ["Filen gles.bin sparades inte: den är en gles fil (nästan bara tomrum)."]


def test_non_utf8_name_is_in_the_same_notice(run_tool):
    run = run_tool("""
        import os
        def run_tool(i, o):
            open(os.path.join(os.fsencode(o), b"bad\\xff.txt"), "w").write("x")
            open(os.path.join(o, "ok.txt"), "w").write("x")
    """)
    assert [a["path"] for a in run.result["artifacts"]] == ["output/ok.txt"]
    assert notices(run) == ["Filen bad?.txt sparades inte: namnet är inte giltig UTF-8."]


# --- the limits variable ----------------------------------------------------------------------

@pytest.mark.parametrize("value", [
    None, "", "not json", "[1, 2]", "null", "42", '"x"', "[" * 100_000, '{"max_files": "7"}',
    '{"max_files": -1, "max_file_bytes": true, "max_total_bytes": 1.5}',
    '{"max_files": null, "unknown": 3}',
])
def test_limits_default_when_absent_or_malformed(value):
    env = {} if value is None else {"SKRIPTOTEKET_ARTIFACT_LIMITS": value}
    assert limits_from_env(env) == Limits(100, 52428800, 209715200)
    assert DEFAULT_LIMITS == {"max_files": 100, "max_file_bytes": 52428800,
                              "max_total_bytes": 209715200}


def test_limits_are_read_per_key():
    env = {"SKRIPTOTEKET_ARTIFACT_LIMITS":
           '{"max_files": 7, "max_file_bytes": 0, "max_total_bytes": 123456789012}'}
    assert limits_from_env(env) == Limits(7, 0, 123456789012)
    env = {"SKRIPTOTEKET_ARTIFACT_LIMITS": '{"max_file_bytes": 1000}'}
    assert limits_from_env(env) == Limits(100, 1000, 209715200)


# --- never more than was judged ----------------------------------------------------------------

def test_bounded_reader_streams_exactly_the_judged_size(tmp_path):
    path = tmp_path / "f"
    path.write_bytes(b"0123456789")
    fd = os.open(path, os.O_RDONLY)
    try:
        reader = artifacts.BoundedReader(fd, 4)
        with open(path, "ab") as f:
            f.write(b"grown" * 1000)
        assert reader.read(1024) == b"0123" and reader.read(1024) == b""
        os.lseek(fd, 0, os.SEEK_SET)
        os.truncate(path, 2)
        reader = artifacts.BoundedReader(fd, 6)
        assert reader.read() == b"01" and reader.read() == b"\0\0\0\0" and reader.read() == b""
    finally:
        os.close(fd)


def test_a_file_growing_while_streamed_does_not_extend_the_stream(tmp_path, monkeypatch):
    work = tmp_path / "work"
    (work / "output").mkdir(parents=True)
    (work / "output" / "växer.bin").write_bytes(b"x" * 1000)
    real_select = artifacts.select

    def select_then_grow(root, limits):
        kept, skipped = real_select(root, limits)
        with open(os.path.join(root, "växer.bin"), "ab") as f:  # as a straggler would
            f.write(b"y" * 5_000_000)
        return kept, skipped

    monkeypatch.setattr(artifacts, "select", select_then_grow)
    out_path = tmp_path / "frames"
    with open(out_path, "wb") as f:
        out = frames.FrameWriter(f.fileno())
        paths = wrapper.Paths({"SKRIPTOTEKET_WORK_DIR": str(work)})
        wrapper.send_result(paths, {"contract_version": 2, "outputs": []}, out)
    _, members = decode(out_path.read_bytes())
    assert members["output/växer.bin"] == b"x" * 1000
    assert json.loads(members["result.json"])["artifacts"] == [
        {"path": "output/växer.bin", "bytes": 1000}]
    assert out_path.stat().st_size < 20_000  # one 10 KiB tar record plus frame headers


def test_links_fifos_and_swapped_files_are_not_opened(tmp_path):
    out = tmp_path / "output"
    out.mkdir()
    (out / "fil.txt").write_text("x")
    os.symlink("/etc/passwd", out / "länk")
    os.mkfifo(out / "fifo")
    kept, skipped = artifacts.select(str(out), artifacts.limits_from_env({}))
    try:
        assert [(a.name, a.size) for a in kept] == [("output/fil.txt", 1)]
        assert skipped == []
    finally:
        for a in kept:
            os.close(a.fd)


# --- finding 6: a link planted where the wrapper writes result.json ----------------------------

def test_link_planted_at_the_old_temp_name_cannot_reach_the_frame_stream(run_tool):
    # Before: the wrapper wrote f"/work/result.json.tmp-{its pid}" with open(); a link there to
    # /proc/self/fd/3 (the wrapper's frame fd) put raw JSON into the frame stream.
    run = run_tool("""
        import os
        def run_tool(i, o):
            work = os.path.dirname(i)
            for fd in range(3, 10):
                try:
                    os.symlink(f"/proc/self/fd/{fd}", os.path.join(
                        work, f"result.json.tmp-{os.getppid()}" + ("" if fd == 3 else f"-{fd}")))
                except OSError:
                    pass
            return "ok"
    """)
    assert run.result["status"] == "succeeded"  # the frames decoded: nothing was injected
    assert run.end == {"child_exit": 0}
    assert json.loads((run.work_dir / "result.json").read_text()) == run.result


def test_temp_file_is_never_a_planted_link(tmp_path, monkeypatch):
    target = tmp_path / "target"
    target.write_text("untouched")
    result = tmp_path / "result.json"
    names = iter(["planted", "planted", "fresh"])
    monkeypatch.setattr(wrapper.secrets, "token_hex", lambda n: next(names))
    os.symlink(target, tmp_path / ".result.json.planted.tmp")

    wrapper._write_result_file(str(result), b'{"ok": 1}')

    assert target.read_text() == "untouched"
    assert (tmp_path / ".result.json.planted.tmp").is_symlink()
    assert result.read_bytes() == b'{"ok": 1}' and not result.is_symlink()
    assert oct(result.stat().st_mode & 0o777) == "0o600"
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        ".result.json.planted.tmp", "result.json", "target"]


def test_every_guessable_name_planted_still_leaves_the_target_alone(tmp_path, monkeypatch,
                                                                     capfd):
    target = tmp_path / "target"
    target.write_text("untouched")
    monkeypatch.setattr(wrapper.secrets, "token_hex", lambda n: "planted")
    os.symlink(target, tmp_path / ".result.json.planted.tmp")

    wrapper._write_result_file(str(tmp_path / "result.json"), b"{}")

    assert target.read_text() == "untouched"
    assert not (tmp_path / "result.json").exists()
    assert "could not write" in capfd.readouterr().err


def test_temp_names_are_unpredictable():
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW
    assert len({wrapper.secrets.token_hex(16) for _ in range(100)}) == 100
    # and O_EXCL refuses a link even to a missing target
    import tempfile
    with tempfile.TemporaryDirectory() as d:
        os.symlink(os.path.join(d, "missing"), os.path.join(d, "l"))
        with pytest.raises(FileExistsError):
            os.open(os.path.join(d, "l"), flags, 0o600)
        assert not os.path.exists(os.path.join(d, "missing"))


# --- finding 7: -P for PID 1 and the child -----------------------------------------------------

def test_child_and_entrypoint_use_safe_path():
    assert wrapper.CHILD_ARGV[1:] == ["-B", "-P", "-m", "skriptoteket_runner.child"]
    dockerfile = (RUNNER_DIR.parent / "Dockerfile.runner").read_text()
    entrypoint = re.search(r"^ENTRYPOINT (.*)$", dockerfile, re.M).group(1)
    assert json.loads(entrypoint) == ["/opt/venv/bin/python", "-B", "-P", "-m",
                                      "skriptoteket_runner"]


def test_modules_in_the_work_dir_shadow_neither_the_wrapper_nor_the_child(tmp_path):
    # In the container the cwd of PID 1 and of the child is /work. Without -P a package there
    # named like ours (or like a stdlib module) would be imported instead of the real one.
    work = tmp_path / "work"
    fake = work / "skriptoteket_runner"
    fake.mkdir(parents=True)
    (fake / "__init__.py").write_text("raise SystemExit('shadowed: ' + __name__)\n")
    (fake / "__main__.py").write_text("raise SystemExit('shadowed main')\n")
    (fake / "child.py").write_text("raise SystemExit('shadowed child')\n")
    (work / "json.py").write_text("raise SystemExit('shadowed json')\n")
    script = (
        "import os, sys\n"
        "import skriptoteket\n"
        "def run_tool(i, o):\n"
        "    with open(os.path.join(os.path.dirname(i), 'egen.py'), 'w') as f:\n"
        "        f.write('VALUE = 42\\n')\n"
        "    import egen\n"  # the tool's own module next to script.py still imports
        "    return {'outputs': [], 'state': {\n"
        "        'safe_path': sys.flags.safe_path,\n"
        "        'script': sys.modules['script'].__file__,\n"
        "        'helpers': skriptoteket.__file__,\n"
        "        'egen': egen.VALUE,\n"
        "        'parent_cmdline': open(f'/proc/{os.getppid()}/cmdline').read().split('\\0'),\n"
        "    }}\n"
    )
    proc = subprocess.run(WRAPPER_ARGV, input=make_tar({"script.py": script}),
                          capture_output=True, timeout=60, cwd=work, env=wrapper_env(work))
    _, members = decode(proc.stdout)
    result = json.loads(members["result.json"])
    assert result["status"] == "succeeded", (result, proc.stderr)
    state = result["state"]
    assert state["safe_path"] is True
    assert state["script"] == str(work / "script.py")
    assert state["helpers"].startswith(str(RUNNER_DIR))
    assert state["egen"] == 42
    assert "-P" in state["parent_cmdline"]
    assert b"shadowed" not in proc.stderr
