"""Klassintyg: one certificate per pupil (HTML → PDF through pdf_helper/WeasyPrint).

Inputs: names (one per line), course, date (ÅÅÅÅ-MM-DD, today when empty). Output: one PDF with a
page per pupil to download, and a preview of the first certificate.
"""
import datetime

from jinja2 import Environment

from pdf_helper import save_as_pdf
from skriptoteket import html, inputs, markdown
from tool_errors import ToolUserError

MAX_NAMES = 200
MONTHS = ["januari", "februari", "mars", "april", "maj", "juni", "juli", "augusti", "september",
          "oktober", "november", "december"]

# autoescape: names and course come from the user and must never become markup.
TEMPLATE = Environment(autoescape=True).from_string("""<!doctype html>
<html lang="sv"><head><meta charset="utf-8"><style>
  @page { size: A4 landscape; margin: 14mm; }
  body { font-family: "Liberation Serif", "DejaVu Serif", serif; color: #1f2a44; margin: 0; }
  .intyg { box-sizing: border-box; height: 180mm; border: 3mm double #1f2a44; padding: 16mm 20mm;
           text-align: center; page-break-after: always; }
  .intyg:last-child { page-break-after: auto; }
  .rubrik { font-size: 38pt; letter-spacing: 4pt; text-transform: uppercase; margin: 6mm 0 10mm; }
  .text { font-size: 15pt; margin: 0; }
  .namn { font-size: 32pt; font-style: italic; margin: 8mm 0; border-bottom: 0.4mm solid #1f2a44;
          display: inline-block; padding: 0 12mm 2mm; }
  .kurs { font-size: 22pt; font-weight: bold; margin: 6mm 0 0; }
  .datum { font-size: 13pt; margin-top: 22mm; }
  .underskrift { margin: 18mm auto 0; width: 80mm; border-top: 0.3mm solid #1f2a44; padding-top: 2mm;
                 font-size: 11pt; }
</style></head><body>
{% for name in names %}
<section class="intyg">
  <p class="rubrik">Intyg</p>
  <p class="text">Härmed intygas att</p>
  <p class="namn">{{ name }}</p>
  <p class="text">har genomfört kursen</p>
  <p class="kurs">{{ course }}</p>
  <p class="datum">{{ date }}</p>
  <p class="underskrift">Underskrift</p>
</section>
{% endfor %}
</body></html>""")


def _names():
    raw = inputs().get("names") or ""
    if not isinstance(raw, str):
        raise ToolUserError("Namnen ska vara text, ett namn per rad.")
    names = [line.strip() for line in raw.splitlines() if line.strip()]
    if not names:
        raise ToolUserError("Skriv minst ett namn, ett per rad.")
    if len(names) > MAX_NAMES:
        raise ToolUserError(f"Högst {MAX_NAMES} namn åt gången (du skrev {len(names)}).")
    too_long = [n for n in names if len(n) > 100]
    if too_long:
        raise ToolUserError(f"Namnet som börjar med \"{too_long[0][:30]}\" är för långt (högst 100 tecken).")
    return names


def _date_text():
    raw = str(inputs().get("date") or "").strip()
    if not raw:
        day = datetime.date.today()
    else:
        try:
            day = datetime.date.fromisoformat(raw)
        except ValueError:
            raise ToolUserError(f"Datumet \"{raw}\" kunde inte läsas. Skriv det som ÅÅÅÅ-MM-DD, t.ex. 2026-06-12.")
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def run_tool(input_dir, output_dir):
    names = _names()
    course = str(inputs().get("course") or "").strip()
    if not course:
        raise ToolUserError("Skriv kursens namn.")
    date = _date_text()

    page = TEMPLATE.render(names=names, course=course, date=date)
    save_as_pdf(page, output_dir, "klassintyg.pdf")

    preview = TEMPLATE.render(names=names[:1], course=course, date=date)
    ready = "1 intyg klart" if len(names) == 1 else f"{len(names)} intyg klara"
    return {
        "outputs": [
            markdown(f"## {ready}\nKurs: **{course}**, {date}. Ladda ner **klassintyg.pdf**: "
                     "ett intyg per sida, redo att skriva ut (A4 liggande)."),
            html(preview),
        ],
    }
