"""CSV downloads that open correctly in Excel and cannot run a formula there."""

import csv
from collections.abc import Iterable

from django.http import HttpResponse

# A cell starting with one of these is a formula to Excel and LibreOffice (CSV injection): an
# employer named "=HYPERLINK(...)" must arrive as text.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value) -> str | int | float:
    if isinstance(value, int | float):
        return value
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def csv_response(*, filename: str, header: list, rows: Iterable[list]) -> HttpResponse:
    """UTF-8 with a byte-order mark: Excel on Chinese Windows reads the Chinese headers right."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.write("\ufeff")
    writer = csv.writer(response)
    writer.writerow([safe_cell(cell) for cell in header])
    for row in rows:
        writer.writerow([safe_cell(cell) for cell in row])
    return response
