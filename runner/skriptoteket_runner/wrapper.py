"""The wrapper: PID 1 of a run container. See runner/README.md for the protocol.

stdin (tar from the host) -> /work -> child process runs the tool -> frames on stdout:
O/E (live tool output), P (progress), R (result tar: result.json + output/ files), X (end).
"""
from __future__ import annotations

import errno
import io
import json
import math
import os
import secrets
import select
import shutil
import signal
import subprocess
import sys
import tarfile
import threading
import time
import traceback

from skriptoteket_runner import archive, artifacts, frames, only_run_variables
from skriptoteket_runner import result as results

STREAM_LIMIT = 200 * 1024  # bytes forwarded per stream (stdout, stderr)
TRUNCATION_MARKER = f"\n[… output truncated after {STREAM_LIMIT} bytes]\n".encode()
RESULT_LIMIT = 16 * 1024 * 1024  # far above the host's budgets; protects the wrapper's memory
COALESCE_MS = 10  # output waits this long for its continuation (e.g. print's newline)...
COALESCE_MAX_MS = 50  # ...but is never held back longer than this
PROGRESS_INTERVAL = 0.1  # seconds between P frames at most (~10/s); the last one always goes
PROGRESS_LINE_LIMIT = 4096  # a longer progress line is not a progress message
STAGE_LIMIT = 200  # characters of a progress stage
JOIN_TIMEOUT = 5.0  # seconds to wait for pipes to drain once every tool process is dead
CHILD_ARGV = [sys.executable, "-B", "-P", "-m", "skriptoteket_runner.child"]
RUN_JSON = "run.json"
RUN_JSON_LIMIT = 1024 * 1024


class Paths:
    """Where things live. Explicit SKRIPTOTEKET_* paths win; the rest default under the work dir
    (SKRIPTOTEKET_WORK_DIR, else the script's parent, else /work) so tests can move it all."""

    def __init__(self, env) -> None:
        script = env.get("SKRIPTOTEKET_SCRIPT_PATH") or ""
        self.work = env.get("SKRIPTOTEKET_WORK_DIR") or (
            os.path.dirname(script) if script else "/work"
        )
        self.script = script or os.path.join(self.work, "script.py")
        self.input = env.get("SKRIPTOTEKET_INPUT_DIR") or os.path.join(self.work, "input")
        self.output = env.get("SKRIPTOTEKET_OUTPUT_DIR") or os.path.join(self.work, "output")
        self.memory = env.get("SKRIPTOTEKET_MEMORY_PATH") or os.path.join(self.work, "memory.json")
        self.result = os.path.join(self.work, "result.json")


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    prepare_home()
    if args == ["--check"]:
        from skriptoteket_runner.check import check

        return check()
    if args:
        print("usage: python -m skriptoteket_runner [--check]", file=sys.stderr)
        return 2

    # Frames get a private copy of fd 1; fd 1 itself then points at stderr, so a stray print
    # (ours or a library's) can never corrupt the frame stream. The copy is not inheritable.
    frame_fd = os.dup(1)
    os.dup2(2, 1)
    _harden_self()
    out = frames.FrameWriter(frame_fd)

    paths = Paths(os.environ)
    child_exit = None
    try:
        result, child_exit = run(paths, out, sys.stdin.buffer.raw)
    except Exception as exc:  # noqa: BLE001 - the host must always get a result
        traceback.print_exc()
        result = results.failed(f"Internal error in the runner: {type(exc).__name__}: {exc}",
                                results.INTERNAL_ERROR)
    send_result(paths, result, out)
    out.send(frames.END, json.dumps({"child_exit": child_exit}).encode())
    return 1 if out.broken else 0


def prepare_home(env=os.environ) -> None:
    """Create HOME and XDG_CACHE_HOME (the image puts them on the /tmp tmpfs, empty at start) so
    libraries that cache or keep settings there (fontconfig, matplotlib, pandoc) work on the
    read-only root. Best effort: a tool that cannot cache still runs."""
    for name in ("HOME", "XDG_CACHE_HOME"):
        path = env.get(name, "")
        if path.startswith("/") and not os.path.isdir(path):
            try:
                os.makedirs(path, mode=0o700, exist_ok=True)
            except OSError as exc:
                print(f"skriptoteket-runner: could not create {name} {path}: {exc}", file=sys.stderr)


def _harden_self() -> None:
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        # Not dumpable: a tool (same uid) cannot ptrace us or open /proc/1/fd/* to forge frames.
        libc.prctl(4, 0, 0, 0, 0)  # PR_SET_DUMPABLE
        if os.getpid() != 1:
            # Outside a container (tests) adopt orphaned grandchildren like PID 1 would.
            libc.prctl(36, 1, 0, 0, 0)  # PR_SET_CHILD_SUBREAPER
    except Exception:  # noqa: BLE001 - hardening is best effort
        pass
    if os.getpid() == 1:
        # The kernel only delivers signals to PID 1 that have a handler; Python installs one for
        # SIGINT, which would let the tool interrupt us. Default = ignored for PID 1.
        signal.signal(signal.SIGINT, signal.SIG_DFL)


def run(paths: Paths, out: frames.FrameWriter, stdin) -> tuple[dict, int | None]:
    os.makedirs(paths.work, exist_ok=True)
    # The tool's interpreter starts (and imports the runner's modules) while the input is still
    # on its way: in a pre-started container that is before the run exists. It waits on a
    # control pipe and learns its run's variables only once the input is unpacked.
    child = _start_child(paths, out)
    try:
        archive.extract_input(stdin, paths.work)
    except (archive.ArchiveError, OSError) as exc:
        child.abort()
        full = isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EDQUOT)
        code = results.INPUT_TOO_LARGE if full else results.INTERNAL_ERROR
        return results.failed(f"Invalid input archive: {exc}", code), None
    os.makedirs(paths.input, exist_ok=True)
    os.makedirs(paths.output, exist_ok=True)
    if not os.path.isfile(paths.script):
        child.abort()
        return results.failed("The run has no script.py.", results.INTERNAL_ERROR), None
    child.go(run_variables(paths, read_run_env(paths.work)))

    returncode = child.wait()
    return _child_result(child.collected.get("data"), returncode), returncode


class _Child:
    """The tool's process, started before its input: pipes and reader threads first (a tool
    that exhausts the pids limit at once must not stop the wrapper from draining its output),
    then the interpreter, which waits on the control pipe for `go` (or its end, `abort`)."""

    def __init__(self, proc, control_write: int, threads: list, collected: dict) -> None:
        self.proc, self.control, self.threads, self.collected = proc, control_write, threads, collected

    def go(self, variables: dict) -> None:
        try:
            os.write(self.control, json.dumps({"env": variables}).encode())
        except OSError:
            pass  # the child died early; wait() reports how
        finally:
            os.close(self.control)

    def abort(self) -> None:
        os.close(self.control)  # no variables: the child exits without running anything
        self.wait()

    def wait(self) -> int:
        returncode = _wait_reaping(self.proc.pid)
        self.proc.returncode = returncode  # we reaped it ourselves; keep Popen consistent
        _kill_stragglers(self.proc.pid)
        deadline = time.monotonic() + JOIN_TIMEOUT
        for thread in self.threads:
            thread.join(max(0.0, deadline - time.monotonic()))
        return returncode


def _start_child(paths: Paths, out: frames.FrameWriter) -> _Child:
    out_read, out_write = os.pipe()
    err_read, err_write = os.pipe()
    result_read, result_write = os.pipe()
    control_read, control_write = os.pipe()
    progress_read, progress_write = os.pipe()
    os.set_inheritable(control_write, False)
    collected = {}
    threads = [
        _thread(_pump, out_read, frames.STDOUT, out),
        _thread(_pump, err_read, frames.STDERR, out),
        _thread(_collect, result_read, collected),
        _thread(_progress, progress_read, out),
    ]
    env = child_env(paths, result_write)
    env["SKRIPTOTEKET_CONTROL_FD"] = str(control_read)
    env["SKRIPTOTEKET_PROGRESS_FD"] = str(progress_write)
    try:
        proc = subprocess.Popen(
            # -P (safe path): neither /work nor the cwd goes on the child's sys.path before the
            # tool runs; the tool's script is loaded by its path (child.py), not found on it.
            CHILD_ARGV,
            cwd=paths.work,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=out_write,
            stderr=err_write,
            close_fds=True,
            pass_fds=(result_write, control_read, progress_write),
            start_new_session=True,  # own process group, so stragglers can be killed together
        )
    finally:
        for fd in (out_write, err_write, result_write, control_read, progress_write):  # the readers see EOF
            os.close(fd)                                   # once the tool's processes close theirs
    return _Child(proc, control_write, threads, collected)


def run_variables(paths: Paths, run_env: dict) -> dict:
    """What the child adds to its environment once the input is unpacked: the run's own
    variables, the entrypoint default, and the manifest (listed here when the host sent none)."""
    variables = dict(run_env)
    variables.setdefault("SKRIPTOTEKET_ENTRYPOINT", os.environ.get("SKRIPTOTEKET_ENTRYPOINT") or "run_tool")
    if not variables.get("SKRIPTOTEKET_INPUT_MANIFEST") and not os.environ.get("SKRIPTOTEKET_INPUT_MANIFEST"):
        files = [
            {"name": rel, "path": path, "bytes": os.lstat(path).st_size}
            for rel, path in archive.regular_files(paths.input)
        ]
        variables["SKRIPTOTEKET_INPUT_MANIFEST"] = json.dumps({"files": files})
    return variables


def read_run_env(work_dir: str) -> dict:
    """The run's own variables from work_dir/run.json (`{"env": {name: text}}`), which is then
    removed: only the run's own variables (`only_run_variables`). Missing or malformed: none."""
    path = os.path.join(work_dir, RUN_JSON)
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0))
    except OSError:
        return {}
    try:
        with os.fdopen(fd, "rb") as f:
            data = json.loads(f.read(RUN_JSON_LIMIT + 1)[:RUN_JSON_LIMIT])
    except (OSError, ValueError):
        data = None
    finally:
        try:
            os.unlink(path)
        except OSError:
            pass
    return only_run_variables(data.get("env") if isinstance(data, dict) else None)


def child_env(paths: Paths, result_fd: int) -> dict:
    env = dict(os.environ)
    env.update(
        SKRIPTOTEKET_WORK_DIR=paths.work,
        SKRIPTOTEKET_SCRIPT_PATH=paths.script,
        SKRIPTOTEKET_INPUT_DIR=paths.input,
        SKRIPTOTEKET_OUTPUT_DIR=paths.output,
        SKRIPTOTEKET_MEMORY_PATH=paths.memory,
        # Where the original platform's runner wrote the result; informational here (the wrapper
        # writes it itself and ignores what a tool puts there).
        SKRIPTOTEKET_RESULT_PATH=paths.result,
        SKRIPTOTEKET_RESULT_FD=str(result_fd),
        PYTHONDONTWRITEBYTECODE="1",
        PYTHONIOENCODING="utf-8",
    )
    return env


def _thread(target, *args) -> threading.Thread:
    thread = threading.Thread(target=target, args=args, daemon=True)
    thread.start()
    return thread


def _pump(fd: int, kind: bytes, out: frames.FrameWriter) -> None:
    """Forward a tool stream as frames, at most STREAM_LIMIT bytes; keep draining after that."""
    with os.fdopen(fd, "rb", buffering=0):  # closes fd when done
        _pump_fd(fd, kind, out)


def _pump_fd(fd: int, kind: bytes, out: frames.FrameWriter) -> None:
    forwarded = 0
    cut = False
    while True:
        data = _read_coalesced(fd)
        if not data:
            return
        if cut:
            continue
        room = STREAM_LIMIT - forwarded
        if len(data) <= room:
            out.send(kind, data)
            forwarded += len(data)
            continue
        if room:
            out.send(kind, data[:room])
        out.send(kind, TRUNCATION_MARKER)
        cut = True


def _read_coalesced(fd: int) -> bytes:
    """Block for data, then gather what follows closely (gaps < COALESCE_MS, at most
    COALESCE_MAX_MS in all) into the same frame.

    print() issues separate writes for the text and the newline, and some code writes byte by
    byte; without this every fragment would become its own frame (and event on the host).
    """
    try:
        data = os.read(fd, frames.MAX_PAYLOAD)
    except OSError:
        return b""
    poller = select.poll()
    poller.register(fd, select.POLLIN)
    deadline = time.monotonic() + COALESCE_MAX_MS / 1000
    while (
        data
        and len(data) < frames.MAX_PAYLOAD
        and time.monotonic() < deadline
        and poller.poll(COALESCE_MS)
    ):
        try:
            more = os.read(fd, frames.MAX_PAYLOAD - len(data))
        except OSError:
            more = b""
        if not more:
            break  # EOF; the next os.read returns b"" too and ends the pump
        data += more
    return data


def _progress(fd: int, out: frames.FrameWriter) -> None:
    with os.fdopen(fd, "rb", buffering=0):  # closes fd when done
        _progress_fd(fd, out)


def _progress_fd(fd: int, out: frames.FrameWriter, interval: float = PROGRESS_INTERVAL) -> None:
    """Turn the tool's progress lines (JSON, one per line) into P frames: at most one per
    `interval`, always the latest valid message, and the last one before EOF is never lost."""
    poller = select.poll()
    poller.register(fd, select.POLLIN)
    buffer, pending, sent_at, skipping = b"", None, -math.inf, False
    while True:
        if pending is not None:
            wait = sent_at + interval - time.monotonic()
            if wait <= 0:
                out.send(frames.PROGRESS, pending)
                pending, sent_at = None, time.monotonic()
                continue
            if not poller.poll(max(1, int(wait * 1000))):
                continue
        try:
            data = os.read(fd, 65536)
        except OSError:
            data = b""
        if not data:
            break
        *lines, buffer = (buffer + data).split(b"\n")
        for line in lines:
            if skipping:  # the end of a line that was too long
                skipping = False
                continue
            pending = progress_payload(line) or pending
        if len(buffer) > PROGRESS_LINE_LIMIT:
            buffer, skipping = b"", True
    if pending is not None:
        out.send(frames.PROGRESS, pending)


def progress_payload(line: bytes) -> bytes | None:
    """The P frame payload for one progress line, None when it is not a valid message: done a
    non-negative number, total one or null, stage a string (cut to STAGE_LIMIT) or null."""
    if len(line) > PROGRESS_LINE_LIMIT:
        return None
    try:
        value = json.loads(line)
    except ValueError:
        return None
    if not isinstance(value, dict):
        return None
    done, total, stage = value.get("done"), value.get("total"), value.get("stage")
    if not _progress_number(done) or (total is not None and not _progress_number(total)):
        return None
    if stage is not None and not isinstance(stage, str):
        return None
    if isinstance(stage, str):
        stage = stage[:STAGE_LIMIT]
    return json.dumps({"done": done, "total": total, "stage": stage}, ensure_ascii=False).encode(
        "utf-8", "replace"
    )


def _progress_number(value) -> bool:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return False
    return 0 <= value <= 1e300  # NaN and ±inf fail too; a huge int would not fit the host's f64


def _collect(fd: int, collected: dict) -> None:
    chunks, size = [], 0
    with os.fdopen(fd, "rb", buffering=0) as f:
        while True:
            data = f.read(1024 * 1024)
            if not data:
                break
            size += len(data)
            if size <= RESULT_LIMIT:
                chunks.append(data)
    collected["data"] = b"".join(chunks) if size <= RESULT_LIMIT else b""


def _wait_reaping(pid: int) -> int:
    """Wait for the child; as PID 1 (or subreaper) reap every orphan that dies meanwhile."""
    while True:
        try:
            reaped, status = os.waitpid(-1, 0)
        except InterruptedError:
            continue
        except ChildProcessError:  # cannot happen while the child lives; be safe anyway
            return -signal.SIGKILL
        if reaped == pid:
            return os.waitstatus_to_exitcode(status)


def _kill_stragglers(pgid: int) -> None:
    """The run is over once the child exits: kill whatever the tool left running, reap it."""
    for target, sig in ((-pgid, signal.SIGKILL), (-1, signal.SIGKILL)):
        if target == -1 and os.getpid() != 1:
            continue  # kill(-1) outside a PID namespace would hit every process of the user
        try:
            os.kill(target, sig)
        except (ProcessLookupError, PermissionError):
            pass
    deadline = time.monotonic() + JOIN_TIMEOUT
    while time.monotonic() < deadline:
        try:
            reaped, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if reaped == 0:
            time.sleep(0.01)


def _child_result(data: bytes | None, returncode: int) -> dict:
    try:
        value = json.loads(data) if data else None
    except ValueError:
        value = None
    if isinstance(value, dict) and value.get("contract_version") == results.CONTRACT_VERSION:
        return value
    if returncode == -signal.SIGKILL:
        return results.failed("The tool process was killed (probably out of memory).",
                              results.OUT_OF_MEMORY)
    if returncode < 0:
        name = signal.Signals(-returncode).name if -returncode in _SIGNALS else -returncode
        return results.failed(f"The tool process ended without a result (killed by signal {name}).")
    return results.failed(f"The tool process ended without a result (exit code {returncode}).")


_SIGNALS = {s.value for s in signal.Signals}


def send_result(paths: Paths, result: dict, out: frames.FrameWriter) -> None:
    """Pick the artifacts, write result.json, stream the result tar as R frames.

    Only what artifacts.select kept is streamed (no sparse file, none over the caps), each from
    the descriptor it was judged on and exactly as many bytes as it was judged to have, so the
    stream is bounded by SKRIPTOTEKET_ARTIFACT_LIMITS whatever the tool left behind.
    """
    limits = artifacts.limits_from_env()
    kept, skipped = artifacts.select(paths.output, limits)
    try:
        note = artifacts.notice(skipped, limits)
        if note is not None and isinstance(result.get("outputs"), list):
            result["outputs"].append(note)
        if skipped:
            result["skipped_files"] = artifacts.skipped_summary(skipped)
        result["artifacts"] = [{"path": a.name, "bytes": a.size} for a in kept]
        data = results.dumps(result)
        _write_result_file(paths.result, data)

        stream = frames.ResultTarStream(out)
        with tarfile.open(fileobj=stream, mode="w|", format=tarfile.PAX_FORMAT,
                          copybufsize=frames.MAX_PAYLOAD) as tar:
            info = tarfile.TarInfo("result.json")
            info.size, info.mode, info.mtime = len(data), 0o644, int(time.time())
            tar.addfile(info, io.BytesIO(data))
            for artifact in kept:
                info = tarfile.TarInfo(artifact.name)
                info.size, info.mode = artifact.size, 0o644
                info.mtime = int(os.fstat(artifact.fd).st_mtime)
                tar.addfile(info, artifacts.BoundedReader(artifact.fd, artifact.size))
        stream.flush()
    finally:
        for artifact in kept:
            os.close(artifact.fd)


def _write_result_file(path: str, data: bytes) -> None:
    """Best effort: the tar carries the authoritative copy, and the tool may have filled the disk
    or put a directory or link where result.json goes. The temporary file has a random name and
    is created with O_EXCL|O_NOFOLLOW, so a link the tool planted is never followed (it could
    point at /proc/self/fd/N, i.e. our frame stream); os.replace swaps a link at result.json
    itself, never its target."""
    tmp = None
    try:
        if os.path.isdir(path) and not os.path.islink(path):
            shutil.rmtree(path)
        directory, base = os.path.split(path)
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC
        for attempt in range(3):
            candidate = os.path.join(directory, f".{base}.{secrets.token_hex(16)}.tmp")
            try:
                fd = os.open(candidate, flags, 0o600)
            except FileExistsError:  # 128 random bits: only a test gets here
                if attempt == 2:
                    raise
                continue
            tmp = candidate
            break
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, path)
        tmp = None
    except OSError as exc:
        print(f"skriptoteket-runner: could not write {path}: {exc}", file=sys.stderr)
    finally:
        if tmp is not None:
            try:
                os.unlink(tmp)
            except OSError:
                pass
