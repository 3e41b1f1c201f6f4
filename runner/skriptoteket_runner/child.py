"""The child process: imports the tool's script.py, calls its entrypoint, reports the result.

Runs as `python -B -P -m skriptoteket_runner.child` with cwd = the work dir and stdout/stderr
connected to pipes read by the wrapper. -P: neither the cwd nor /work is on sys.path while the
runner's own modules load; script.py is loaded by its path, and only then is the work dir put on
sys.path, for the tool's own imports (as on the original platform). The result goes back over a private pipe (fd number in
SKRIPTOTEKET_RESULT_FD, removed from the environment before the tool is imported), so a full disk
cannot lose it and a file the tool writes cannot replace it.
"""
from __future__ import annotations

import importlib.util
import json
import os
import sys
import traceback

from skriptoteket_runner import only_run_variables
from skriptoteket_runner import result as results

CRASH_MESSAGE_LIMIT = 500
USER_MESSAGE_LIMIT = 8 * 1024
CONTROL_LIMIT = 2 * 1024 * 1024


def main() -> None:
    result_fd = int(os.environ.pop("SKRIPTOTEKET_RESULT_FD"))
    os.set_inheritable(result_fd, False)  # subprocesses of the tool must not get it
    progress_fd = _progress_pipe(os.environ.pop("SKRIPTOTEKET_PROGRESS_FD", None))
    control = os.environ.pop("SKRIPTOTEKET_CONTROL_FD", None)
    if control is not None:
        _warm_up()
        variables = _await_go(int(control))
        if variables is None:
            os._exit(0)  # aborted: the input was unusable, no tool runs
        os.environ.update(variables)
    # Line buffering: prints reach the wrapper (and the user) while the tool is still running.
    for stream in (sys.stdout, sys.stderr):
        stream.reconfigure(line_buffering=True)

    result = run_tool()

    _end_progress(progress_fd)
    _flush_stdio()
    try:
        data = results.dumps(result)
    except (TypeError, ValueError) as exc:  # to_jsonable should make this unreachable
        error = results.failed(f"The tool's result is not valid JSON: {exc}", results.INVALID_RESULT)
        data = results.dumps(error)
    with os.fdopen(result_fd, "wb") as out:
        out.write(data)
    # os._exit: threads or atexit hooks the tool left behind cannot delay or change the outcome.
    os._exit(0)


def _progress_pipe(value: str | None) -> int | None:
    """Hands the private progress pipe (not inherited, non-blocking: a full pipe drops a message
    instead of stalling the tool) to skriptoteket.progress."""
    if value is None:
        return None
    import skriptoteket

    fd = int(value)
    os.set_inheritable(fd, False)
    os.set_blocking(fd, False)
    skriptoteket._progress_fd = fd
    return fd


def _end_progress(fd: int | None) -> None:
    """Sends the last progress call the rate limit held back, then closes the pipe."""
    if fd is None:
        return
    import skriptoteket

    try:
        skriptoteket._flush_progress()
    except Exception:  # noqa: BLE001 - the tool may have broken the module; the result matters more
        pass
    skriptoteket._progress_fd = None
    try:
        os.close(fd)
    except OSError:
        pass


def _warm_up() -> None:
    """Import what nearly every tool imports while the input is still on its way."""
    import skriptoteket  # noqa: F401


def _await_go(fd: int) -> dict | None:
    """Blocks until the wrapper writes the run's variables and closes the pipe; None when it
    closes it without any (abort)."""
    chunks, size = [], 0
    with os.fdopen(fd, "rb", buffering=0) as control:
        while size <= CONTROL_LIMIT:
            data = control.read(65536)
            if not data:
                break
            chunks.append(data)
            size += len(data)
    if not chunks:
        return None
    try:
        data = json.loads(b"".join(chunks))
    except ValueError:
        return None
    if not isinstance(data, dict):
        return None
    return only_run_variables(data.get("env", {}))


def run_tool() -> dict:
    env = os.environ
    work_dir = env["SKRIPTOTEKET_WORK_DIR"]
    script_path = env["SKRIPTOTEKET_SCRIPT_PATH"]
    entrypoint = env.get("SKRIPTOTEKET_ENTRYPOINT") or "run_tool"
    # For the tool's imports only (a module it wrote next to script.py); the script itself is
    # loaded by path below, and -P kept the work dir off sys.path until now.
    if work_dir not in sys.path:
        sys.path.insert(0, work_dir)

    try:
        module = _import_script(script_path)
    except SyntaxError as exc:
        print("".join(traceback.format_exception_only(type(exc), exc)), end="", file=sys.stderr)
        return results.failed(_syntax_error_summary(exc))
    except BaseException as exc:  # noqa: BLE001 - anything the module body raises
        return _crashed(exc, script_path)

    fn = getattr(module, entrypoint, None)
    if not callable(fn):
        return results.failed(f"The script does not define a function named '{entrypoint}'.")

    try:
        value = fn(env["SKRIPTOTEKET_INPUT_DIR"], env["SKRIPTOTEKET_OUTPUT_DIR"])
    except BaseException as exc:  # noqa: BLE001
        return _crashed(exc, script_path)

    try:
        return results.from_return_value(value)
    except results.NotSerialisable as exc:
        return results.failed(f"The tool's result could not be saved: {exc}", results.INVALID_RESULT)


def _import_script(script_path: str):
    spec = importlib.util.spec_from_file_location("script", script_path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot load {script_path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules["script"] = module
    spec.loader.exec_module(module)
    return module


def _syntax_error_summary(exc: SyntaxError) -> str:
    where = f"line {exc.lineno}" if exc.lineno else "an unknown line"
    if exc.offset:
        where += f", column {exc.offset}"
    return f"Syntax error in the script at {where}: {exc.msg}"


def _crashed(exc: BaseException, script_path: str) -> dict:
    if _is_user_error(exc):
        # A blank message gets the same default as skriptoteket.ToolUserError (tool_errors).
        message = _safe_str(exc).strip() or "Ett fel inträffade."
        return results.failed(_clip(message, USER_MESSAGE_LIMIT), results.TOOL_ERROR)
    if isinstance(exc, SystemExit):
        return results.failed(
            f"The tool called sys.exit({exc.code!r}) instead of returning a result."
        )
    _print_traceback(exc, script_path)
    name = type(exc).__name__
    detail = _safe_str(exc).strip()
    summary = f"The tool crashed: {name}: {detail}" if detail else f"The tool crashed: {name}"
    return results.failed(_clip(summary, CRASH_MESSAGE_LIMIT))


def _is_user_error(exc: BaseException) -> bool:
    # By name, so a tool that defines its own ToolUserError (as older tools did) also works.
    return any(cls.__name__ == "ToolUserError" for cls in type(exc).__mro__)


def _print_traceback(exc: BaseException, script_path: str) -> None:
    # Start the traceback at the tool's own code; the wrapper's frames only confuse authors.
    tb = exc.__traceback__
    first_tool_frame = tb
    while first_tool_frame is not None:
        if first_tool_frame.tb_frame.f_code.co_filename == script_path:
            break
        first_tool_frame = first_tool_frame.tb_next
    exc.__traceback__ = first_tool_frame or tb
    try:
        traceback.print_exception(exc, file=sys.stderr)
    except Exception:  # noqa: BLE001 - a broken __str__ or closed stderr must not lose the result
        pass


def _safe_str(exc: BaseException) -> str:
    try:
        return str(exc)
    except Exception:  # noqa: BLE001 - a tool's exception with a broken __str__
        return ""


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _flush_stdio() -> None:
    for stream in (sys.stdout, sys.stderr, sys.__stdout__, sys.__stderr__):
        try:
            stream.flush()
        except Exception:  # noqa: BLE001 - the tool may have closed or replaced them
            pass


if __name__ == "__main__":
    main()
