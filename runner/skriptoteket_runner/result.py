"""result.json (contract v2): building it and making a tool's return value JSON-safe."""
from __future__ import annotations

import datetime
import json
import math

CONTRACT_VERSION = 2
MAX_DEPTH = 64  # far beyond the host's budgets; stops cycles and absurd nesting

# Why a run failed, for the host's `error_code` (docs/runner-protocol.md). The host words each
# code for teachers; error_summary stays the English detail for authors and integrators.
TOOL_ERROR = "tool_error"  # a ToolUserError: its message is for the user
TOOL_CRASHED = "tool_crashed"  # an exception, a syntax error, no entrypoint, sys.exit, a signal
INVALID_RESULT = "invalid_result"  # the tool returned something that is not a result
OUT_OF_MEMORY = "out_of_memory"  # the tool process was SIGKILLed (the OOM killer)
INPUT_TOO_LARGE = "input_too_large"  # the input files did not fit the work dir
INTERNAL_ERROR = "internal_error"  # the wrapper itself failed


def failed(error_summary: str, error_code: str = TOOL_CRASHED) -> dict:
    return {
        "contract_version": CONTRACT_VERSION,
        "status": "failed",
        "error_summary": error_summary,
        "error_code": error_code,
        "outputs": [],
        "next_actions": [],
        "state": None,
        "artifacts": [],
    }


def succeeded(outputs: list, next_actions: list, state) -> dict:
    return {
        "contract_version": CONTRACT_VERSION,
        "status": "succeeded",
        "error_summary": None,
        "outputs": outputs,
        "next_actions": next_actions,
        "state": state,
        "artifacts": [],
    }


def from_return_value(value) -> dict:
    """Turn what the entrypoint returned into a result (raises NotSerialisable)."""
    if value is None:
        return succeeded([], [], None)
    if isinstance(value, str):
        return succeeded([{"kind": "html_sandboxed", "html": value}], [], None)
    if isinstance(value, dict):
        value = to_jsonable(value, "result")
        outputs = value.get("outputs")
        next_actions = value.get("next_actions")
        # Shapes are the host's business (it normalises); only absent means empty here.
        return succeeded(
            [] if outputs is None else outputs,
            [] if next_actions is None else next_actions,
            value.get("state"),
        )
    raise NotSerialisable(
        f"The tool returned {type(value).__name__}; expected a string (HTML), "
        "a dict with outputs/next_actions/state, or None"
    )


class NotSerialisable(Exception):
    pass


def to_jsonable(value, path: str, depth: int = 0):
    """A copy of value using only JSON types.

    Tools built on pandas/numpy routinely return numpy scalars, NaN and timestamps; those are
    converted (NaN/inf become null, numpy scalars their Python value, dates ISO 8601 strings).
    Anything else is refused with the path of the offending value.
    """
    if depth > MAX_DEPTH:
        raise NotSerialisable(f"{path} is nested too deeply (or refers to itself)")
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        out = {}
        for key, item in value.items():
            if isinstance(key, bool) or key is None:
                key = json.dumps(key)  # what json.dumps would do
            elif isinstance(key, (int, float)):
                key = str(key)
            elif not isinstance(key, str):
                raise NotSerialisable(f"{path} has a key of type {type(key).__name__}")
            out[key] = to_jsonable(item, f"{path}.{key}", depth + 1)
        return out
    if isinstance(value, (list, tuple)):
        return [to_jsonable(item, f"{path}[{i}]", depth + 1) for i, item in enumerate(value)]
    if type(value).__name__ in ("NAType", "NaTType"):  # pandas' missing-value markers
        return None
    if isinstance(value, (datetime.datetime, datetime.date, datetime.time)):
        return value.isoformat()
    # numpy scalars (and pandas NA-like scalars) expose item(); arrays expose tolist().
    for method in ("item", "tolist"):
        convert = getattr(value, method, None)
        if callable(convert) and type(value).__module__.split(".")[0] in ("numpy", "pandas"):
            try:
                converted = convert()
            except Exception:  # e.g. item() on an array of several values
                continue
            return to_jsonable(converted, path, depth + 1)
    if type(value).__module__.startswith("pandas") and hasattr(value, "isoformat"):
        return value.isoformat()  # pandas.Timestamp
    raise NotSerialisable(f"{path} is a {type(value).__name__}, which is not JSON-serialisable")


def dumps(result: dict) -> bytes:
    return json.dumps(result, ensure_ascii=False, allow_nan=False).encode("utf-8")
