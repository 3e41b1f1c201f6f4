"""Betygsöversikt: summarises a CSV of results per column and offers an Excel file."""
import pandas as pd

from skriptoteket import ToolUserError, input_files, markdown, notice, settings, table


def run_tool(input_dir, output_dir):
    files = input_files()
    if not files:
        raise ToolUserError("Ladda upp en CSV-fil med elevernas resultat.")
    path = files[0]["path"]
    separator = settings().get("separator") or ","
    try:
        frame = pd.read_csv(path, sep=separator)
    except Exception as exc:  # a teacher's file can be anything
        raise ToolUserError(f"Filen kunde inte läsas som CSV: {exc}")
    numeric = frame.select_dtypes("number")
    if numeric.empty:
        raise ToolUserError("Filen har inga kolumner med siffror att sammanfatta.")

    rows = [
        {
            "kolumn": column,
            "antal": int(numeric[column].count()),
            "medel": round(float(numeric[column].mean()), 2),
            "min": float(numeric[column].min()),
            "max": float(numeric[column].max()),
        }
        for column in numeric.columns
    ]
    summary = pd.DataFrame(rows)
    summary.to_excel(f"{output_dir}/betygsoversikt.xlsx", index=False)

    return {
        "outputs": [
            markdown(f"## Betygsöversikt\n{len(frame)} elever, {len(numeric.columns)} kolumner med resultat."),
            table(
                columns=[
                    {"key": "kolumn", "label": "Kolumn"},
                    {"key": "antal", "label": "Antal"},
                    {"key": "medel", "label": "Medel"},
                    {"key": "min", "label": "Min"},
                    {"key": "max", "label": "Max"},
                ],
                rows=rows,
                title="Sammanfattning",
            ),
            notice("info", "Sammanfattningen finns också som Excel-fil att ladda ner."),
        ]
    }
