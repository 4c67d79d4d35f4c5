"""CSV that a spreadsheet opens as data, never as formulas."""

from collections.abc import Iterable

# A cell starting with one of these is a formula to Excel, LibreOffice and WPS
# ("=HYPERLINK(…)", "+1+cmd|…", "@SUM(…)"); tab and carriage return too (OWASP).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value):
    """A text cell that a spreadsheet would run is prefixed with ' and shown as text.

    Numbers are left alone: a negative number is data, not a formula.
    """
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def safe_rows(rows: Iterable[Iterable]):
    """Rows for csv.writer with every cell passed through :func:`safe_cell`."""
    for row in rows:
        yield [safe_cell(cell) for cell in row]
