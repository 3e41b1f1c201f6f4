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
import os
from pathlib import Path

__all__ = [
    "ToolUserError", "input_files", "inputs", "settings", "action", "output_dir", "input_dir",
    "notice", "markdown", "table", "json_output", "html", "vega_lite", "form_action", "field",
]


class ToolUserError(Exception):
    """Raise with a message for the user; the run fails with exactly that message, no traceback."""


def _work_dir() -> Path:
    if os.environ.get("SKRIPTOTEKET_WORK_DIR"):
        return Path(os.environ["SKRIPTOTEKET_WORK_DIR"])
    script = os.environ.get("SKRIPTOTEKET_SCRIPT_PATH")
    return Path(script).parent if script else Path("/work")


def _env_json(name: str, default):
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    return json.loads(raw)


def input_dir() -> Path:
    return Path(os.environ.get("SKRIPTOTEKET_INPUT_DIR") or _work_dir() / "input")


def output_dir() -> Path:
    """Where to write files for the user to download (every regular file becomes an artifact)."""
    return Path(os.environ.get("SKRIPTOTEKET_OUTPUT_DIR") or _work_dir() / "output")


def input_files() -> list[dict]:
    """The uploaded files: [{"name": "elever.xlsx", "path": "/work/input/elever.xlsx", "bytes": 1234}]."""
    manifest = _env_json("SKRIPTOTEKET_INPUT_MANIFEST", None)
    if manifest is not None:
        return [dict(f) for f in manifest.get("files", [])]
    root = input_dir()  # no manifest (e.g. running a tool by hand): list the directory
    if not root.is_dir():
        return []
    return [
        {"name": p.relative_to(root).as_posix(), "path": str(p), "bytes": p.stat().st_size}
        for p in sorted(root.rglob("*"))
        if p.is_file() and not p.is_symlink()
    ]


def inputs() -> dict:
    """The form inputs the user filled in (keys as in the tool's input schema)."""
    return _env_json("SKRIPTOTEKET_INPUTS", {}) or {}


def settings() -> dict:
    """The user's saved settings for this tool (empty when none)."""
    path = Path(os.environ.get("SKRIPTOTEKET_MEMORY_PATH") or _work_dir() / "memory.json")
    try:
        memory = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    value = memory.get("settings") if isinstance(memory, dict) else None
    return value if isinstance(value, dict) else {}


def action() -> dict | None:
    """For a follow-up run: {"action_id", "input", "state"} of the submitted action, else None."""
    value = _env_json("SKRIPTOTEKET_ACTION", None)
    if value is None:
        path = _work_dir() / "action.json"
        if path.is_file():
            value = json.loads(path.read_text(encoding="utf-8"))
    return value or None


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
