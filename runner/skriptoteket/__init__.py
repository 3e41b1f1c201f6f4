"""Helpers for Skriptoteket tool authors.

    from skriptoteket import input_files, inputs, settings, ToolUserError, table, markdown

    def run_tool(input_dir, output_dir):
        files = input_files()
        if not files:
            raise ToolUserError("Ladda upp minst en fil.")
        return {"outputs": [markdown(f"**{len(files)}** filer"), table(["namn"], [[f["name"]] for f in files])]}

Everything returned is a plain dict in the shape of result.json contract v2; the platform checks
and trims it (unknown output kinds are dropped with a notice).
"""
from __future__ import annotations

import json
import math
import os
import time
from pathlib import Path

__all__ = [
    "ToolUserError", "input_files", "inputs", "settings", "action", "output_dir", "input_dir",
    "notice", "markdown", "table", "json_output", "html", "vega_lite", "form_action", "field",
    "progress",
    # the original platform's names (also importable as skriptoteket_toolkit, tool_errors,
    # pdf_helper): every reader returns a safe default on missing or malformed JSON
    "read_inputs", "read_input_manifest", "list_input_files", "read_action", "get_action_parts",
    "read_memory", "read_settings", "save_as_pdf",
]

DEFAULT_ERROR_MESSAGE = "Ett fel inträffade."


class ToolUserError(Exception):
    """Raise with a message for the user; the run fails with exactly that message, no traceback.

    The message is stripped; a blank one becomes "Ett fel inträffade." (as on the original
    platform, whose `tool_errors.ToolUserError` is this same class). `safe_message` holds it.
    """

    def __init__(self, message: object = "", *args: object) -> None:
        text = message if isinstance(message, str) else str(message)
        self.safe_message = text.strip() or DEFAULT_ERROR_MESSAGE
        super().__init__(self.safe_message, *args)

    def __str__(self) -> str:
        return self.safe_message


def _work_dir() -> Path:
    if os.environ.get("SKRIPTOTEKET_WORK_DIR"):
        return Path(os.environ["SKRIPTOTEKET_WORK_DIR"])
    script = os.environ.get("SKRIPTOTEKET_SCRIPT_PATH")
    return Path(script).parent if script else Path("/work")


_MISSING = object()


def _env_json(name: str):
    """The JSON value of an environment variable; _MISSING when unset or blank, None when it is
    not valid JSON (callers turn both into their own safe default)."""
    raw = os.environ.get(name, "")
    if not raw.strip():
        return _MISSING
    try:
        return json.loads(raw)
    except ValueError:
        return None


def _file_json(path: Path):
    """The JSON value of a file; None when it is missing, unreadable or not valid JSON."""
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def input_dir() -> Path:
    return Path(os.environ.get("SKRIPTOTEKET_INPUT_DIR") or _work_dir() / "input")


def output_dir() -> Path:
    """Where to write files for the user to download (every regular file becomes an artifact)."""
    return Path(os.environ.get("SKRIPTOTEKET_OUTPUT_DIR") or _work_dir() / "output")


# --- reading the run's inputs -----------------------------------------------------------------

def read_inputs() -> dict:
    """The form inputs (SKRIPTOTEKET_INPUTS, a JSON object); {} when missing or malformed."""
    value = _env_json("SKRIPTOTEKET_INPUTS")
    return value if isinstance(value, dict) else {}


def read_input_manifest() -> dict:
    """SKRIPTOTEKET_INPUT_MANIFEST ({"files": [{"name", "path", "bytes"}]}) as it is;
    {"files": []} when missing or not a JSON object."""
    value = _env_json("SKRIPTOTEKET_INPUT_MANIFEST")
    return value if isinstance(value, dict) else {"files": []}


def _manifest_files(manifest: dict) -> list[dict]:
    files = manifest.get("files")
    if not isinstance(files, list):
        return []
    out = []
    for item in files:
        if not isinstance(item, dict):
            continue
        name, path, size = item.get("name"), item.get("path"), item.get("bytes")
        if isinstance(name, str) and isinstance(path, str) and type(size) is int:
            out.append({"name": name, "path": path, "bytes": size})
    return out


def list_input_files() -> list[dict]:
    """The uploaded files from the manifest, [{"name", "path", "bytes"}]; entries without a
    string name and path and an integer size are skipped; [] when missing or malformed."""
    return _manifest_files(read_input_manifest())


def input_files() -> list[dict]:
    """The uploaded files: [{"name": "elever.xlsx", "path": "/work/input/elever.xlsx", "bytes": 1234}].

    Like list_input_files(), but without a manifest at all (a tool run by hand) it lists the
    input directory instead."""
    if _env_json("SKRIPTOTEKET_INPUT_MANIFEST") is not _MISSING:
        return list_input_files()
    root = input_dir()
    if not root.is_dir():
        return []
    return [
        {"name": p.relative_to(root).as_posix(), "path": str(p), "bytes": p.stat().st_size}
        for p in sorted(root.rglob("*"))
        if p.is_file() and not p.is_symlink()
    ]


def inputs() -> dict:
    """The form inputs the user filled in (keys as in the tool's input schema); {} when none."""
    return read_inputs()


def _memory_path() -> Path:
    return Path(os.environ.get("SKRIPTOTEKET_MEMORY_PATH", "").strip() or _work_dir() / "memory.json")


def read_memory() -> dict:
    """The whole memory.json (SKRIPTOTEKET_MEMORY_PATH), {"settings": {...}}; {} when missing or
    malformed."""
    value = _file_json(_memory_path())
    return value if isinstance(value, dict) else {}


def read_settings() -> dict:
    """The user's saved settings for this tool (memory.json's "settings"); {} when none."""
    value = read_memory().get("settings")
    return value if isinstance(value, dict) else {}


def settings() -> dict:
    """The user's saved settings for this tool (empty when none)."""
    return read_settings()


def _action_payload() -> dict | None:
    """The submitted action as sent (SKRIPTOTEKET_ACTION, else action.json); None when there is
    none or it is not a JSON object."""
    value = _env_json("SKRIPTOTEKET_ACTION")
    if value is _MISSING:
        value = _file_json(_work_dir() / "action.json")
    return value if isinstance(value, dict) and value else None


def action() -> dict | None:
    """For a follow-up run: {"action_id", "input", "state"} of the submitted action, else None."""
    return _action_payload()


def read_action() -> dict | None:
    """The submitted action, normalised: {"action_id": str (stripped), "input": dict,
    "state": dict} (a missing or non-object input or state becomes {}); None when this is not a
    follow-up run or the action is malformed (no non-blank string action_id)."""
    payload = _action_payload()
    if payload is None:
        return None
    action_id = payload.get("action_id")
    if not isinstance(action_id, str) or not action_id.strip():
        return None
    value_input, state = payload.get("input"), payload.get("state")
    return {
        "action_id": action_id.strip(),
        "input": value_input if isinstance(value_input, dict) else {},
        "state": state if isinstance(state, dict) else {},
    }


def get_action_parts() -> tuple[str | None, dict, dict]:
    """(action_id, input, state) of a follow-up run; (None, {}, {}) otherwise or when malformed."""
    payload = read_action()
    if payload is None:
        return None, {}, {}
    return payload["action_id"], payload["input"], payload["state"]


def save_as_pdf(html: str, output_dir: str, filename: str) -> str:
    """Render HTML to a PDF file under output_dir with WeasyPrint and return its path.

    Relative URLs in the HTML (images, stylesheets) resolve against the work dir (/work/).
    filename is relative to output_dir (subfolders allowed), ends with .pdf and has no "." or
    ".." parts. Every failure raises ToolUserError with a Swedish message."""
    from skriptoteket._pdf import save_as_pdf as _save

    return _save(html, output_dir, filename)


# --- progress while the tool runs -------------------------------------------------------------

PROGRESS_INTERVAL = 0.1  # seconds: at most ~10 progress messages a second leave the tool
STAGE_LIMIT = 200  # characters of the stage text
_progress_fd: int | None = None  # a private pipe to the wrapper (set by skriptoteket_runner.child)
_progress_sent = -math.inf  # time.monotonic() of the last message written
_progress_pending: tuple | None = None  # the last call not yet sent


def _check_number(name: str, value) -> float | int:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(f"progress(): {name} must be a number, not {type(value).__name__}")
    if (isinstance(value, float) and not math.isfinite(value)) or value < 0:
        raise ValueError(f"progress(): {name} must be a non-negative number, not {value!r}")
    return value


def progress(done, total=None, stage: str | None = None) -> None:
    """Tell the user how far the tool has come: progress(3, 30, "Läser elevlistor").

    done and total are non-negative numbers (total None: unknown); stage is a short text shown
    next to the bar (cut to 200 characters). Cheap enough to call in every loop iteration:
    calls closer together than 0.1 s are not sent (the last one still is, at the latest when the
    tool returns). Outside Skriptoteket (a tool run by hand) it does nothing."""
    global _progress_sent, _progress_pending
    _check_number("done", done)
    if total is not None:
        _check_number("total", total)
    if stage is not None:
        if not isinstance(stage, str):
            raise TypeError(f"progress(): stage must be a string, not {type(stage).__name__}")
        stage = stage[:STAGE_LIMIT]
    if _progress_fd is None:
        return
    _progress_pending = (done, total, stage)  # encoded only when sent: dropped calls stay cheap
    now = time.monotonic()
    if now - _progress_sent >= PROGRESS_INTERVAL:
        _progress_sent = now
        _flush_progress()


def _flush_progress() -> None:
    """Writes the pending message (a whole line, one write below PIPE_BUF, so never torn); a full
    pipe drops it rather than stalling the tool."""
    global _progress_pending
    pending, _progress_pending = _progress_pending, None
    if pending is None or _progress_fd is None:
        return
    done, total, stage = pending
    line = json.dumps({"done": done, "total": total, "stage": stage}, ensure_ascii=False) + "\n"
    try:
        os.write(_progress_fd, line.encode("utf-8", "replace"))  # json.dumps escapes newlines
    except OSError:
        pass


# --- output builders (plain dicts, contract v2) -------------------------------------------

def notice(level: str, message: str) -> dict:
    """level: "info", "warning" or "error"."""
    return {"kind": "notice", "level": level, "message": message}


def markdown(text: str) -> dict:
    return {"kind": "markdown", "markdown": text}


def table(columns, rows, title: str | None = None) -> dict:
    """columns: ["namn", ...] or [{"key": "namn", "label": "Namn"}, ...];
    rows: dicts keyed by column key, or sequences in column order."""
    cols = [c if isinstance(c, dict) else {"key": str(c), "label": str(c)} for c in columns]
    keys = [c["key"] for c in cols]
    out_rows = [
        dict(row) if isinstance(row, dict) else dict(zip(keys, row))
        for row in rows
    ]
    out = {"kind": "table", "columns": cols, "rows": out_rows}
    if title is not None:
        out["title"] = title
    return out


def json_output(value, title: str | None = None) -> dict:
    out = {"kind": "json", "value": value}
    if title is not None:
        out["title"] = title
    return out


def html(html: str) -> dict:
    """Shown in a sandboxed iframe without scripts."""
    return {"kind": "html_sandboxed", "html": html}


def vega_lite(spec: dict) -> dict:
    """A Vega-Lite chart; data must be inline (no URLs)."""
    return {"kind": "vega_lite", "spec": spec}


def field(name: str, kind: str, label: str | None = None, **extra) -> dict:
    """A form field for form_action: kind is string, text, integer, number, boolean, enum or
    multi_enum; extra keys (e.g. options=[...]) are passed through."""
    return {"name": name, "kind": kind, "label": label if label is not None else name, **extra}


def form_action(action_id: str, label: str, fields: list, prefill: dict | None = None) -> dict:
    """A next action: the user fills in `fields`; the tool runs again with action() set."""
    out = {"action_id": action_id, "label": label, "kind": "form", "fields": list(fields)}
    if prefill is not None:
        out["prefill"] = prefill
    return out
