import json
import os
import subprocess
import sys
import time

from conftest import RUNNER_DIR, WRAPPER_ARGV, make_tar, wrapper_env
from skriptoteket_runner.frames import MAX_PAYLOAD, read_frames


def test_string_return_becomes_sandboxed_html_and_streams_output(run_tool):
    run = run_tool("""
        import sys
        print("hej")
        print("varning", file=sys.stderr)
        def run_tool(input_dir, output_dir):
            return "<p>klart</p>"
    """)
    assert run.returncode == 0
    assert run.stdout_text == "hej\n"
    assert run.stderr_text == "varning\n"
    assert run.result == {
        "contract_version": 2, "status": "succeeded", "error_summary": None,
        "outputs": [{"kind": "html_sandboxed", "html": "<p>klart</p>"}],
        "next_actions": [], "state": None, "artifacts": [],
    }
    assert run.end == {"child_exit": 0}
    # Frame order: tool output, then the result tar, then exactly one X at the very end.
    kinds = [k for k, _ in run.frames]
    assert kinds[-1] == b"X" and kinds.count(b"X") == 1
    assert kinds.index(b"R") > max(i for i, k in enumerate(kinds) if k in (b"O", b"E"))
    assert list(run.result_tar)[0] == "result.json"
    assert json.loads((run.work_dir / "result.json").read_text()) == run.result


def test_dict_return_with_helpers_and_inputs(run_tool):
    run = run_tool(
        """
        import skriptoteket as s
        def run_tool(input_dir, output_dir):
            files = s.input_files()
            return {
                "outputs": [s.markdown("**hi**"), s.table(["name", "bytes"],
                            [[f["name"], f["bytes"]] for f in files])],
                "next_actions": [s.form_action("again", "Igen", [s.field("n", "integer")],
                                               prefill={"n": 2})],
                "state": {"inputs": s.inputs(), "settings": s.settings(), "action": s.action()},
            }
        """,
        files={"input/a.csv": "x,y\n", "input/sub/b.txt": "b", "memory.json": '{"settings": {"k": 1}}'},
        SKRIPTOTEKET_INPUTS='{"grade": "A"}',
        SKRIPTOTEKET_ACTION='{"action_id": "again", "input": {"n": 3}, "state": {}}',
    )
    result = run.result
    assert result["status"] == "succeeded", result
    assert result["outputs"][1]["rows"] == [{"name": "a.csv", "bytes": 4}, {"name": "sub/b.txt", "bytes": 1}]
    assert result["next_actions"][0]["prefill"] == {"n": 2}
    assert result["state"] == {
        "inputs": {"grade": "A"}, "settings": {"k": 1},
        "action": {"action_id": "again", "input": {"n": 3}, "state": {}},
    }


def test_none_return_and_custom_entrypoint(run_tool):
    run = run_tool("def main(i, o):\n    return None\n", SKRIPTOTEKET_ENTRYPOINT="main")
    assert run.result["status"] == "succeeded"
    assert run.result["outputs"] == []


def test_missing_entrypoint(run_tool):
    run = run_tool("x = 1\n")
    assert run.result["status"] == "failed"
    assert "run_tool" in run.result["error_summary"]
    assert run.result["error_code"] == "tool_crashed"


def test_tool_user_error_has_message_and_no_traceback(run_tool):
    run = run_tool("""
        from skriptoteket import ToolUserError
        def run_tool(i, o):
            raise ToolUserError("Filen saknar kolumnen 'Namn'.")
    """)
    assert run.result["status"] == "failed"
    assert run.result["error_summary"] == "Filen saknar kolumnen 'Namn'."
    assert run.result["error_code"] == "tool_error"
    assert "Traceback" not in run.stderr_text
    assert run.end == {"child_exit": 0}


def test_crash_is_summarised_with_traceback_on_stderr(run_tool):
    run = run_tool("""
        def helper():
            raise ValueError("boom")
        def run_tool(i, o):
            helper()
    """)
    assert run.result["status"] == "failed"
    assert run.result["error_summary"] == "The tool crashed: ValueError: boom"
    assert run.result["error_code"] == "tool_crashed"
    assert "Traceback" in run.stderr_text
    assert "in helper" in run.stderr_text and "script.py" in run.stderr_text
    assert "skriptoteket_runner" not in run.stderr_text  # wrapper frames are trimmed


def test_syntax_error_reports_line_and_column(run_tool):
    run = run_tool("def run_tool(i, o):\n    return (1 +\n\nx = = 2\n")
    summary = run.result["error_summary"]
    assert run.result["status"] == "failed"
    assert summary.startswith("Syntax error in the script at line ")
    assert "column" in summary
    assert run.result["error_code"] == "tool_crashed"


def test_sys_exit_is_a_failure(run_tool):
    run = run_tool("import sys\ndef run_tool(i, o):\n    sys.exit(0)\n")
    assert run.result["status"] == "failed"
    assert "sys.exit" in run.result["error_summary"]
    assert run.result["error_code"] == "tool_crashed"


def test_os_exit_without_result(run_tool):
    run = run_tool("import os\ndef run_tool(i, o):\n    os._exit(3)\n")
    assert run.result["status"] == "failed"
    assert run.result["error_summary"] == "The tool process ended without a result (exit code 3)."
    assert run.result["error_code"] == "tool_crashed"
    assert run.end == {"child_exit": 3}


def test_sigkill_reads_as_out_of_memory(run_tool):
    run = run_tool("import os, signal\ndef run_tool(i, o):\n    os.kill(os.getpid(), signal.SIGKILL)\n")
    assert "killed (probably out of memory)" in run.result["error_summary"]
    assert run.result["error_code"] == "out_of_memory"
    assert run.end == {"child_exit": -9}


def test_forged_result_file_is_overwritten(run_tool):
    run = run_tool("""
        import json, os
        def run_tool(i, o):
            forged = {"contract_version": 2, "status": "succeeded", "outputs": [], "artifacts": []}
            with open(os.path.join(os.path.dirname(i), "result.json"), "w") as f:
                json.dump(forged, f)
            raise RuntimeError("real failure")
    """)
    assert run.result["status"] == "failed"
    assert json.loads((run.work_dir / "result.json").read_text())["status"] == "failed"


def test_result_json_replaced_by_directory_or_symlink(run_tool):
    run = run_tool("""
        import os
        def run_tool(i, o):
            work = os.path.dirname(i)
            os.symlink("/etc/passwd", os.path.join(work, "result.json"))
            return "ok"
    """)
    assert run.result["status"] == "succeeded"
    assert not (run.work_dir / "result.json").is_symlink()


def test_json_conversion_and_unserialisable_values(run_tool):
    run = run_tool("""
        import datetime
        def run_tool(i, o):
            return {"outputs": [{"kind": "json", "value": {"nan": float("nan"), 1: datetime.date(2024, 5, 1)}}]}
    """)
    assert run.result["outputs"][0]["value"] == {"nan": None, "1": "2024-05-01"}

    run = run_tool("def run_tool(i, o):\n    return {'outputs': [{'kind': 'json', 'value': object()}]}\n")
    assert run.result["status"] == "failed"
    assert "result.outputs[0].value is a object" in run.result["error_summary"]
    assert run.result["error_code"] == "invalid_result"

    run = run_tool("def run_tool(i, o):\n    return 42\n")
    assert run.result["status"] == "failed"
    assert "returned int" in run.result["error_summary"]
    assert run.result["error_code"] == "invalid_result"


def test_artifacts_are_regular_files_only(run_tool):
    run = run_tool("""
        import os
        def run_tool(i, o):
            os.makedirs(os.path.join(o, "sub/deeper"))
            open(os.path.join(o, "report.txt"), "w").write("rapport")
            open(os.path.join(o, "sub/deeper/data.csv"), "w").write("a,b\\n")
            os.symlink("/etc/passwd", os.path.join(o, "passwd"))
            os.symlink("/etc", os.path.join(o, "etc"))
            os.mkfifo(os.path.join(o, "fifo"))
            os.makedirs(os.path.join(o, "empty"))
    """)
    assert run.result["artifacts"] == [
        {"path": "output/report.txt", "bytes": 7},
        {"path": "output/sub/deeper/data.csv", "bytes": 4},
    ]
    assert list(run.result_tar) == ["result.json", "output/report.txt", "output/sub/deeper/data.csv"]
    assert run.result_tar["output/report.txt"] == b"rapport"


def test_stream_is_capped_and_marked(run_tool):
    run = run_tool("""
        import sys
        def run_tool(i, o):
            sys.stdout.write("x" * 300_000)
            sys.stderr.write("y" * 1000)
            return "done"
    """)
    marker = "\n[… output truncated after 204800 bytes]\n"
    assert run.stdout_text == "x" * 204800 + marker
    assert run.stderr_text == "y" * 1000
    assert all(len(p) <= MAX_PAYLOAD for _, p in run.frames)
    assert run.result["status"] == "succeeded"


def test_large_artifact_is_split_into_frames(run_tool):
    run = run_tool("""
        import os
        def run_tool(i, o):
            open(os.path.join(o, "big.bin"), "wb").write(os.urandom(300_000))
    """)
    assert len(run.result_tar["output/big.bin"]) == 300_000
    assert all(len(p) <= MAX_PAYLOAD for _, p in run.frames)


def test_bad_archives_are_rejected_without_running_the_tool(run_tool, tmp_path):
    import io
    import tarfile

    def tar_with(member: tarfile.TarInfo) -> bytes:
        buf = io.BytesIO()
        with tarfile.open(fileobj=buf, mode="w") as tar:
            tar.addfile(member, io.BytesIO(b"x" * member.size) if member.isreg() else None)
        return buf.getvalue()

    link = tarfile.TarInfo("input/link")
    link.type, link.linkname = tarfile.SYMTYPE, "/etc/passwd"
    escape = tarfile.TarInfo("../escape.txt")
    escape.size = 1
    absolute = tarfile.TarInfo("/tmp/abs.txt")
    absolute.size = 1
    device = tarfile.TarInfo("input/dev")
    device.type = tarfile.CHRTYPE
    for member in (link, escape, absolute, device):
        run = run_tool(None, stdin=tar_with(member))
        assert run.result["status"] == "failed", member.name
        assert run.result["error_summary"].startswith("Invalid input archive"), run.result
        assert run.result["error_code"] == "internal_error"
        assert run.end == {"child_exit": None}
    assert not (tmp_path / "escape.txt").exists()

    run = run_tool(None, stdin=b"")
    assert run.result["error_summary"].startswith("Invalid input archive")


def test_no_script(run_tool):
    run = run_tool(None, files={"input/a.txt": "a"})
    assert run.result["error_summary"] == "The run has no script.py."
    assert run.result["error_code"] == "internal_error"


def test_stdin_left_open_after_tar(tmp_path):
    # A tar without record padding (as Rust's tar crate writes it) and stdin not closed: the
    # wrapper must not wait for EOF.
    data = make_tar({"script.py": "def run_tool(i, o):\n    return 'ok'\n"})
    data = data[: 512 * 4]  # PAX: header + data block + two zero blocks, no padding
    proc = subprocess.Popen(
        WRAPPER_ARGV, stdin=subprocess.PIPE,
        stdout=subprocess.PIPE, env=wrapper_env(tmp_path / "work"),
    )
    proc.stdin.write(data)
    proc.stdin.flush()
    try:
        kinds = [k for k, _ in read_frames(proc.stdout)]
        assert kinds[-1] == b"X"
        assert proc.wait(timeout=30) == 0
    finally:
        proc.stdin.close()
        proc.kill()


def test_output_is_streamed_live(tmp_path):
    data = make_tar({"script.py": (
        "import time\nprint('first', flush=False)\n"
        "def run_tool(i, o):\n    time.sleep(2)\n    return 'ok'\n"
    )})
    proc = subprocess.Popen(
        WRAPPER_ARGV, stdin=subprocess.PIPE,
        stdout=subprocess.PIPE, env=wrapper_env(tmp_path / "work"),
    )
    proc.stdin.write(data)
    proc.stdin.close()
    start = time.monotonic()
    frames = read_frames(proc.stdout)
    seen = b""
    while seen != b"first\n":  # frame boundaries carry no meaning; collect the bytes
        kind, payload = next(frames)
        assert kind == b"O"
        seen += payload
    assert time.monotonic() - start < 1.8  # arrived while the tool was still sleeping
    assert proc.poll() is None
    list(frames)
    assert proc.wait(timeout=30) == 0


def test_background_processes_do_not_hold_the_run(run_tool):
    # A grandchild that keeps stdout open and outlives the tool must not delay the result.
    start = time.monotonic()
    run = run_tool("""
        import subprocess, sys
        def run_tool(i, o):
            subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
            return "ok"
    """)
    assert run.result["status"] == "succeeded"
    assert time.monotonic() - start < 20


def test_check_prints_versions():
    proc = subprocess.run(
        [sys.executable, "-m", "skriptoteket_runner", "--check"],
        capture_output=True, env={**os.environ, "PYTHONPATH": str(RUNNER_DIR)}, timeout=120,
    )
    report = json.loads(proc.stdout)
    assert report["python"].startswith("3.")
    assert "pandoc" in report  # a version, or null with errors["pandoc"] on a host without it
    assert report["pandoc"] or "pandoc" in report["errors"]
    for lib in ("pandas", "numpy", "openpyxl", "python-docx", "pypdf", "pypandoc", "weasyprint",
                "jinja2", "pydantic", "python-dateutil", "fpdf2"):
        assert lib in report["libraries"], lib
    # the helpers and the original platform's names for them always import
    assert report["libraries"]["skriptoteket-runner"]
    assert proc.returncode == (0 if report["ok"] else 1)


def test_the_runs_variables_arrive_in_run_json_and_it_is_gone_before_the_tool_runs(run_tool):
    """A pre-started container gets its run's variables on stdin (run.json), not at creation."""
    script = (
        "import os, json\n"
        "def go(input_dir, output_dir):\n"
        "    return {'outputs': [{'kind': 'json', 'value': {\n"
        "        'inputs': os.environ['SKRIPTOTEKET_INPUTS'],\n"
        "        'action': os.environ.get('SKRIPTOTEKET_ACTION'),\n"
        "        'home': os.environ.get('SKRIPTOTEKET_OUTPUT_DIR', '') != '',\n"
        "        'sneaky': os.environ.get('PATH_EXTRA'),\n"
        "        'run_json_left': os.path.exists(os.path.join(os.path.dirname(input_dir), 'run.json'))}}]}\n"
    )
    run_json = json.dumps({"env": {
        "SKRIPTOTEKET_ENTRYPOINT": "go",
        "SKRIPTOTEKET_INPUTS": '{"klass": "7B"}',
        "SKRIPTOTEKET_ACTION": '{"action_id": "a", "input": {}, "state": {"n": 1}}',
        "PATH_EXTRA": "not allowed",
        "SKRIPTOTEKET_OUTPUT_DIR": "/etc",
    }})
    run = run_tool(script, files={"run.json": run_json})
    value = run.result["outputs"][0]["value"]
    assert value["inputs"] == '{"klass": "7B"}'
    assert json.loads(value["action"])["state"] == {"n": 1}
    assert value["sneaky"] is None, "only the run's own variables are taken"
    assert value["run_json_left"] is False


def test_a_malformed_run_json_is_ignored(run_tool):
    run = run_tool("def run_tool(i, o):\n    return 'ok'\n", files={"run.json": "{not json"})
    assert run.result["status"] == "succeeded"


def test_a_full_work_dir_while_unpacking_is_input_too_large(tmp_path, monkeypatch):
    """ENOSPC while the inputs are written (the /work tmpfs is full) is the input's size, not
    a broken archive; the tool never runs."""
    import errno
    import io

    from skriptoteket_runner import archive, frames
    from skriptoteket_runner import wrapper as w

    def full(stream, work_dir):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(archive, "extract_input", full)
    result, child_exit = w.run(w.Paths({"SKRIPTOTEKET_WORK_DIR": str(tmp_path)}), frames.FrameWriter(os.open(os.devnull, os.O_WRONLY)), io.BytesIO(b""))
    assert (result["error_code"], child_exit) == ("input_too_large", None)
    assert result["error_summary"].startswith("Invalid input archive")
