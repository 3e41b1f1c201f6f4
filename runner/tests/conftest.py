"""Run the wrapper as a subprocess against a temp work dir, exactly as the container would
(minus Docker): a tar on stdin, frames on stdout."""
from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import tarfile
import textwrap
import threading
from dataclasses import dataclass, field
from pathlib import Path

import pytest

RUNNER_DIR = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(RUNNER_DIR))

from skriptoteket_runner.frames import read_frames  # noqa: E402

# As Dockerfile.runner's ENTRYPOINT starts it (-P: no cwd on sys.path).
WRAPPER_ARGV = [sys.executable, "-B", "-P", "-m", "skriptoteket_runner"]


def make_tar(files: dict[str, bytes | str]) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for name, data in files.items():
            if isinstance(data, str):
                data = data.encode()
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return buf.getvalue()


@dataclass
class Run:
    frames: list[tuple[bytes, bytes]]
    returncode: int
    stderr: bytes
    work_dir: Path
    result_tar: dict[str, bytes] = field(default_factory=dict)

    def stream(self, kind: bytes) -> bytes:
        return b"".join(p for k, p in self.frames if k == kind)

    @property
    def stdout_text(self) -> str:
        return self.stream(b"O").decode()

    @property
    def stderr_text(self) -> str:
        return self.stream(b"E").decode()

    @property
    def result(self) -> dict:
        return json.loads(self.result_tar["result.json"])

    @property
    def end(self) -> dict:
        kind, payload = self.frames[-1]
        assert kind == b"X"
        return json.loads(payload)


def wrapper_env(work_dir: Path, **extra: str) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SKRIPTOTEKET_")}
    env["PYTHONPATH"] = str(RUNNER_DIR)
    env["SKRIPTOTEKET_WORK_DIR"] = str(work_dir)
    env["TMPDIR"] = str(work_dir.parent)
    env.update(extra)
    return env


def decode(stdout: bytes) -> tuple[list, dict]:
    frames = list(read_frames(io.BytesIO(stdout)))
    tar_bytes = b"".join(p for k, p in frames if k == b"R")
    members = {}
    if tar_bytes:
        with tarfile.open(fileobj=io.BytesIO(tar_bytes), mode="r:") as tar:
            for m in tar.getmembers():
                members[m.name] = tar.extractfile(m).read() if m.isreg() else None
    return frames, members


@pytest.fixture
def run_tool(tmp_path):
    """run_tool(script_source, files={...}, env={...}, stdin=None, max_output=None) -> Run

    max_output: fail (and kill the wrapper) as soon as its stdout passes this many bytes, so a
    test of a bounded stream cannot take the machine's memory when the bound breaks."""

    def run(script: str | None, files: dict | None = None, stdin: bytes | None = None,
            timeout: float = 60, max_output: int | None = None, **env: str) -> Run:
        work = tmp_path / "work"
        payload = dict(files or {})
        if script is not None:
            payload["script.py"] = textwrap.dedent(script)
        data = make_tar(payload) if stdin is None else stdin
        if max_output is None:
            proc = subprocess.run(
                WRAPPER_ARGV,
                input=data, capture_output=True, timeout=timeout, env=wrapper_env(work, **env),
            )
            stdout, stderr, returncode = proc.stdout, proc.stderr, proc.returncode
        else:
            stdout, stderr, returncode = _run_capped(data, wrapper_env(work, **env), timeout,
                                                     max_output, tmp_path)
        frames, members = decode(stdout)
        return Run(frames, returncode, stderr, work, members)

    return run


def _run_capped(data: bytes, env: dict, timeout: float, max_output: int, tmp_path: Path):
    with open(tmp_path / "wrapper-stderr", "w+b") as err:
        proc = subprocess.Popen(WRAPPER_ARGV, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                stderr=err, env=env)
        timed_out = threading.Event()

        def expire():
            timed_out.set()
            proc.kill()

        timer = threading.Timer(timeout, expire)
        timer.start()
        try:
            proc.stdin.write(data)
            proc.stdin.close()
            out = bytearray()
            while chunk := proc.stdout.read(64 * 1024):
                out += chunk
                if len(out) > max_output:
                    proc.kill()
                    pytest.fail(f"the wrapper streamed more than {max_output} bytes")
            returncode = proc.wait()
        finally:
            timer.cancel()
            proc.kill()
            proc.wait()
        if timed_out.is_set():
            pytest.fail(f"the wrapper did not finish within {timeout} s")
        err.seek(0)
        return bytes(out), err.read(), returncode
