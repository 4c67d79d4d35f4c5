import pytest

from nanxi.spreadsheets import safe_cell, safe_rows


@pytest.mark.parametrize(
    ("cell", "written"),
    [
        ("=1+1", "'=1+1"),
        ("+1", "'+1"),
        ("-1", "'-1"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("升平街65号", "升平街65号"),
        ("a=b", "a=b"),
        ("", ""),
        (-5, -5),
        (None, None),
    ],
)
def test_cells_a_spreadsheet_would_run_are_written_as_text(cell, written):
    assert safe_cell(cell) == written


def test_safe_rows_passes_every_cell():
    assert list(safe_rows([["=x", 1], ["ok", "@y"]])) == [["'=x", 1], ["ok", "'@y"]]
