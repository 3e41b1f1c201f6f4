"""The original platform's HTML → PDF helper, under its old name.

    from pdf_helper import save_as_pdf
    path = save_as_pdf(html, output_dir, "intyg/klass-7b.pdf")   # becomes a downloadable file

The same function as skriptoteket.save_as_pdf: WeasyPrint renders the HTML (relative URLs
resolve against /work/), the file is written below output_dir, and every failure (a filename
that is absolute, has "." or ".." parts or a NUL, does not end with .pdf or leads outside
output_dir; a rendering error) raises ToolUserError with a Swedish message. Returns the path.
"""
from skriptoteket import save_as_pdf

__all__ = ["save_as_pdf"]
