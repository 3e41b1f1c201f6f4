"""Markdown till Word: converts Markdown (an uploaded .md file or text typed in the form) into a
.docx file with pandoc (through pypandoc), and reports what the document holds (python-docx).
"""
import re
from pathlib import Path

import docx
import pypandoc

from skriptoteket import ToolUserError, input_files, inputs, markdown, table

MAX_CHARS = 500_000


def _source():
    """(markdown text, base name for the .docx)."""
    files = input_files()
    if files:
        path = Path(files[0]["path"])
        try:
            text = path.read_text(encoding="utf-8-sig")
        except UnicodeDecodeError:
            raise ToolUserError(f"Filen {files[0]['name']} är inte UTF-8-kodad text. Spara den som UTF-8 och försök igen.")
        return text, Path(files[0]["name"]).stem
    text = inputs().get("markdown") or ""
    if not isinstance(text, str):
        raise ToolUserError("Markdown-texten ska vara text.")
    return text, "dokument"


def _safe_stem(stem):
    stem = re.sub(r"[^\w\- ]+", "", stem, flags=re.UNICODE).strip()
    return stem[:80] or "dokument"


def _count(n, one, many):
    return f"{n} {one if n == 1 else many}"


def run_tool(input_dir, output_dir):
    text, stem = _source()
    if not text.strip():
        raise ToolUserError("Ladda upp en Markdown-fil (.md) eller skriv Markdown i textfältet.")
    if len(text) > MAX_CHARS:
        raise ToolUserError(f"Texten är för lång (högst {MAX_CHARS:,} tecken).".replace(",", " "))

    name = f"{_safe_stem(stem)}.docx"
    target = Path(output_dir) / name
    try:
        # No sandbox=True: Debian's pandoc reads its docx template from /usr/share/pandoc, which
        # pandoc's sandbox forbids. The run container is the sandbox (no network, read-only).
        pypandoc.convert_text(text, "docx", format="markdown", outputfile=str(target))
    except (RuntimeError, OSError) as exc:
        raise ToolUserError(f"Pandoc kunde inte konvertera texten: {str(exc)[:300]}")

    document = docx.Document(str(target))
    headings = [p.text for p in document.paragraphs if p.style.name.startswith("Heading") and p.text.strip()]
    paragraphs = sum(1 for p in document.paragraphs
                     if p.text.strip() and not p.style.name.startswith("Heading"))
    counts = ", ".join([
        _count(paragraphs, "stycke", "stycken"),
        _count(len(headings), "rubrik", "rubriker"),
    ]) + " och " + _count(len(document.tables), "tabell", "tabeller")
    outputs = [markdown(f"## {name} är klar\n{counts}. Ladda ner filen nedan.")]
    if headings:
        outputs.append(table([{"key": "rubrik", "label": "Rubriker i dokumentet"}], [[h] for h in headings[:100]]))
    return {"outputs": outputs}
