"""`python -m skriptoteket_runner --check`: the image's health check (prints JSON, exit 0 = ok)."""
from __future__ import annotations

import importlib
import json
import platform
from importlib import metadata

import skriptoteket_runner

# (distribution, module to import): importing proves the image can really run tools.
LIBRARIES = [
    ("pandas", "pandas"),
    ("numpy", "numpy"),
    ("openpyxl", "openpyxl"),
    ("python-docx", "docx"),
    ("fpdf2", "fpdf"),
]


def check(libraries=LIBRARIES) -> int:
    report = {
        "ok": True,
        "python": platform.python_version(),
        "runner": skriptoteket_runner.__version__,
        "libraries": {},
    }
    errors = {}
    for dist, module in [*libraries, ("skriptoteket-runner", "skriptoteket")]:
        try:
            importlib.import_module(module)
            report["libraries"][dist] = _version(dist)
        except Exception as exc:  # noqa: BLE001 - report every failure, not just the first
            report["libraries"][dist] = None
            errors[dist] = f"{type(exc).__name__}: {exc}"
    if errors:
        report["ok"] = False
        report["errors"] = errors
    print(json.dumps(report, indent=2))
    return 0 if report["ok"] else 1


def _version(dist: str) -> str | None:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:  # e.g. run from a source checkout
        return skriptoteket_runner.__version__ if dist == "skriptoteket-runner" else None
