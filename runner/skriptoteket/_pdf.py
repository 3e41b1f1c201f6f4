"""HTML → PDF with WeasyPrint for skriptoteket.save_as_pdf (and pdf_helper.save_as_pdf).

WeasyPrint is imported only when a PDF is made: it loads pango and fonts, which a tool that
never makes a PDF should not pay for.
"""
from __future__ import annotations

import sys
from pathlib import Path, PurePosixPath

from skriptoteket import ToolUserError, _work_dir

_INVALID = "Ogiltigt filnamn för PDF"


def save_as_pdf(html: str, output_dir: str, filename: str) -> str:
    if not isinstance(html, str):
        raise ToolUserError("PDF kunde inte skapas: HTML-innehållet måste vara en textsträng.")
    relative = _relative_pdf_path(filename)
    target = _inside(output_dir, relative)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ToolUserError("PDF kunde inte skapas: mappen för filen gick inte att skapa.") from exc
    try:
        _render_pdf(html, str(target), base_url=f"{_work_dir().as_posix().rstrip('/')}/")
    except ToolUserError:
        raise
    except Exception as exc:  # noqa: BLE001 - every failure becomes a message for the user
        # The details are for the tool's author (stderr is shown in the test area, not to users).
        print(f"pdf_helper: rendering {relative} failed: {type(exc).__name__}: {exc}",
              file=sys.stderr)
        raise ToolUserError(
            "PDF-renderingen misslyckades. Kontrollera att HTML och CSS är giltiga."
        ) from exc
    return str(target)


def _relative_pdf_path(filename: object) -> PurePosixPath:
    if not isinstance(filename, str):
        raise ToolUserError(f"{_INVALID}: filnamnet måste vara en textsträng.")
    name = filename.strip()
    if not name:
        raise ToolUserError(f"{_INVALID}: filnamnet är tomt.")
    if "\x00" in name:
        raise ToolUserError(f"{_INVALID}: filnamnet innehåller otillåtna tecken.")
    path = PurePosixPath(name.replace("\\", "/"))
    if path.is_absolute():
        raise ToolUserError(f"{_INVALID}: ange en relativ sökväg under output-mappen.")
    if any(part in (".", "..") for part in name.replace("\\", "/").split("/")):
        raise ToolUserError(f"{_INVALID}: sökvägen får inte innehålla '.' eller '..'.")
    if path.suffix.lower() != ".pdf":
        raise ToolUserError(f"{_INVALID}: filnamnet måste sluta med .pdf.")
    return path


def _inside(output_dir: object, relative: PurePosixPath) -> Path:
    if not isinstance(output_dir, (str, Path)) or not str(output_dir).strip():
        raise ToolUserError("PDF kunde inte skapas: output-mappen saknas.")
    root = Path(output_dir)
    try:
        root.mkdir(parents=True, exist_ok=True)
        root_resolved = root.resolve()
        target = root.joinpath(*relative.parts)
        resolved = target.resolve()
    except (OSError, RuntimeError) as exc:
        raise ToolUserError("PDF kunde inte skapas: output-mappen gick inte att använda.") from exc
    if root_resolved not in resolved.parents:
        raise ToolUserError(f"{_INVALID}: PDF-filen måste sparas i output-mappen.")
    return target


def _render_pdf(html: str, target: str, base_url: str) -> None:
    """The one call into WeasyPrint (unit tests replace it)."""
    from weasyprint import HTML

    HTML(string=html, base_url=base_url).write_pdf(target)
