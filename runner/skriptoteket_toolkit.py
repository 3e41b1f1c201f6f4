"""The original platform's helper module for reading a run's inputs, under its old name.

Tools written for the original Skriptoteket import it unchanged:

    from skriptoteket_toolkit import get_action_parts, list_input_files, read_inputs, read_settings

Every function is the one in `skriptoteket` (one implementation) and returns a safe default
when the variable or file is missing or not valid JSON:

    read_inputs()          {}               SKRIPTOTEKET_INPUTS (a JSON object)
    read_input_manifest()  {"files": []}    SKRIPTOTEKET_INPUT_MANIFEST
    list_input_files()     []               the manifest's valid {"name", "path", "bytes"} entries
    read_action()          None             SKRIPTOTEKET_ACTION, normalised
    get_action_parts()     (None, {}, {})   (action_id, input, state)
    read_memory()          {}               memory.json (SKRIPTOTEKET_MEMORY_PATH)
    read_settings()        {}               memory.json's "settings"

and `progress(done, total=None, stage=None)` (Skriptoteket's progress bar; not in the original).
"""
from __future__ import annotations

from typing import TypedDict, Union

from skriptoteket import (
    get_action_parts,
    list_input_files,
    progress,
    read_action,
    read_input_manifest,
    read_inputs,
    read_memory,
    read_settings,
)

# Type names the original exported (for annotations in tools).
JsonPrimitive = Union[str, int, float, bool, None]
JsonValue = Union[JsonPrimitive, dict, list]


class ManifestFile(TypedDict):
    name: str
    path: str
    bytes: int


class ActionPayload(TypedDict):
    action_id: str
    input: dict
    state: dict


__all__ = [
    "ActionPayload",
    "JsonValue",
    "ManifestFile",
    "get_action_parts",
    "list_input_files",
    "progress",
    "read_action",
    "read_input_manifest",
    "read_inputs",
    "read_memory",
    "read_settings",
]
