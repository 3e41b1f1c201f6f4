"""progress(): the helper's checks and rate limit, the wrapper's P frames."""
import json
import os
import time

import pytest

import skriptoteket
import skriptoteket_toolkit
from skriptoteket_runner import frames, wrapper


def progress_frames(run) -> list[dict]:
    return [json.loads(p) for k, p in run.frames if k == frames.PROGRESS]


def test_a_million_calls_cost_little_and_yield_few_frames_with_the_last_value(run_tool):
    run = run_tool("""
        import time
        from skriptoteket import progress
        def run_tool(input_dir, output_dir):
            start = time.monotonic()
            for i in range(1_000_000):
                progress(i + 1, 1_000_000, "Räknar")
            print(f"took {time.monotonic() - start:.3f}")
            return "<p>klart</p>"
    """)
    assert run.result["status"] == "succeeded", run.result
    took = float(run.stdout_text.split()[1])
    assert took < 5, took
    sent = progress_frames(run)
    assert sent and sent[-1] == {"done": 1_000_000, "total": 1_000_000, "stage": "Räknar"}
    assert len(sent) <= took * 10 + 3, (len(sent), took)
    kinds = [k for k, _ in run.frames]
    assert max(i for i, k in enumerate(kinds) if k == frames.PROGRESS) < kinds.index(frames.RESULT)


def test_progress_through_the_toolkit_and_a_tool_that_never_reports(run_tool):
    run = run_tool("""
        import time
        from skriptoteket_toolkit import progress
        def run_tool(input_dir, output_dir):
            progress(1, stage="Steg ett")
            time.sleep(0.2)
            progress(2.5, None, "x" * 500)
            return None
    """)
    assert progress_frames(run) == [
        {"done": 1, "total": None, "stage": "Steg ett"},
        {"done": 2.5, "total": None, "stage": "x" * 200},
    ]
    quiet = run_tool("def run_tool(i, o):\n    return None\n")
    assert progress_frames(quiet) == []


def test_the_progress_pipe_is_not_on_stdout_nor_in_the_tools_environment(run_tool):
    run = run_tool("""
        import os
        def run_tool(input_dir, output_dir):
            return {"outputs": [], "state": {"env": sorted(k for k in os.environ if "FD" in k)}}
    """)
    assert run.result["state"] == {"env": []}


@pytest.mark.parametrize("args, error", [
    (("3",), TypeError), ((True,), TypeError), ((-1,), ValueError), ((float("nan"),), ValueError),
    ((1, -2), ValueError), ((1, float("inf")), ValueError), ((1, 2, 3), TypeError),
])
def test_the_helper_rejects_bad_values(args, error):
    with pytest.raises(error):
        skriptoteket.progress(*args)


def test_outside_skriptoteket_the_helper_does_nothing():
    assert skriptoteket._progress_fd is None
    skriptoteket.progress(1, 2, "hej")
    assert skriptoteket_toolkit.progress is skriptoteket.progress


def test_the_wrapper_drops_invalid_lines_and_rate_limits(tmp_path):
    read, write = os.pipe()
    out_path = tmp_path / "frames"
    lines = [
        b'{"done": 1, "total": 10, "stage": "a"}',
        b"not json", b'{"done": -1}', b'{"done": true}', b'{"done": 1, "total": "x"}',
        b'{"done": 1, "stage": 5}', b'{"done": 1e999}', b"[1]", b'{"done": 1, "x": "y"' + b"y" * 5000 + b"}",
    ]
    lines += [json.dumps({"done": i, "total": 100}).encode() for i in range(2, 101)]
    os.write(write, b"\n".join(lines) + b"\n" + b'{"done": 7')  # an unfinished last line is no message
    os.close(write)
    with open(out_path, "wb") as f:
        start = time.monotonic()
        wrapper._progress_fd(read, frames.FrameWriter(f.fileno()))
        assert time.monotonic() - start < 1
    os.close(read)
    with open(out_path, "rb") as f:
        sent = [json.loads(p) for _, p in frames.read_frames(f)]
    # Everything arrived in one read: only the latest valid message goes out.
    assert sent == [{"done": 100, "total": 100, "stage": None}]


def test_progress_payload_validates():
    assert wrapper.progress_payload(b'{"done": 0, "total": 0, "stage": ""}') == b'{"done": 0, "total": 0, "stage": ""}'
    assert wrapper.progress_payload(b'{"done": NaN}') is None
    assert wrapper.progress_payload(b'{"done": 1, "total": Infinity}') is None
    assert json.loads(wrapper.progress_payload(b'{"done": 1, "stage": "\\u00e5"}'))["stage"] == "å"
