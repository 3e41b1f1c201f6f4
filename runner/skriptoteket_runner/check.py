"""`python -m skriptoteket_runner --check`: the image's health check (prints JSON, exit 0 = ok)."""
from __future__ import annotations

import importlib
import json
import platform
import subprocess
from importlib import metadata

import skriptoteket_runner

# (distribution, module to import): importing proves the image can really run tools.
LIBRARIES = [
    ("pandas", "pandas"),
    ("numpy", "numpy"),
    ("openpyxl", "openpyxl"),
    ("python-docx", "docx"),
    ("pypdf", "pypdf"),
    ("pypandoc", "pypandoc"),
    ("weasyprint", "weasyprint"),  # also loads pango through cffi: proves the system libraries
    ("jinja2", "jinja2"),
    ("pydantic", "pydantic"),
    ("python-dateutil", "dateutil"),
    ("fpdf2", "fpdf"),
]
# Our helpers and the original platform's module names for them (always importable).
HELPERS = ["skriptoteket", "skriptoteket_toolkit", "tool_errors", "pdf_helper"]


def check(libraries=LIBRARIES, helpers=HELPERS) -> int:
    report = {
        "ok": True,
        "python": platform.python_version(),
        "runner": skriptoteket_runner.__version__,
        "pandoc": None,
        "libraries": {},
    }
    errors = {}
    for dist, module in libraries:
        try:
            importlib.import_module(module)
            report["libraries"][dist] = _version(dist)
        except Exception as exc:  # noqa: BLE001 - report every failure, not just the first
            report["libraries"][dist] = None
            errors[dist] = f"{type(exc).__name__}: {exc}"
    try:
        for module in helpers:
            importlib.import_module(module)
        report["libraries"]["skriptoteket-runner"] = _version("skriptoteket-runner")
    except Exception as exc:  # noqa: BLE001
        report["libraries"]["skriptoteket-runner"] = None
        errors["skriptoteket-runner"] = f"{type(exc).__name__}: {exc}"
    try:
        report["pandoc"] = pandoc_version()
    except Exception as exc:  # noqa: BLE001
        errors["pandoc"] = f"{type(exc).__name__}: {exc}"
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


def pandoc_version() -> str:
    """The version `pandoc --version` prints on its first line ("pandoc 3.1.11.1")."""
    proc = subprocess.run(
        ["pandoc", "--version"], capture_output=True, text=True, timeout=30, check=True,
    )
    first = proc.stdout.splitlines()[0] if proc.stdout else ""
    name, _, version = first.partition(" ")
    if name != "pandoc" or not version.strip():
        raise RuntimeError(f"unexpected output of pandoc --version: {first!r}")
    return version.strip()
