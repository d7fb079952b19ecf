"""``dxscore.tables``: the one rule for every spreadsheet the project writes (text is
never a formula) and the atomic ``write_table``."""

from __future__ import annotations

import csv
import io

import numpy as np
import pandas as pd
import pytest
from openpyxl import Workbook, load_workbook

from dxscore import tables
from dxscore.tables import append, csv_writer, put, read_text, safe_text, write_table

DANGEROUS = ['=HYPERLINK("http://x","y")', "@SUM(1)", "+1+1", "-2+3", "\tcmd", "\rx", "\nx"]


@pytest.mark.parametrize("text", [*DANGEROUS, "+84 912 345 678", "-1.5", "-", "\0x"])
def test_a_string_that_starts_a_formula_gets_a_quote_and_reads_back(text):
    assert safe_text(text) == "'" + text
    assert read_text(safe_text(text)) == text


@pytest.mark.parametrize(
    "value", ["Bắc Ninh", "", " =1", "1+1", "'quoted", "'", None, -1.5, -3, 0, np.float64(-2.5)]
)
def test_everything_else_is_left_alone_both_ways(value):
    assert safe_text(value) is value
    assert read_text(value) is value


@pytest.mark.parametrize("text", ["'=x", "''@y", "'", "''", "'abc", "a'=b"])
def test_quotes_round_trip_too(text):
    assert read_text(safe_text(text)) == text
    assert safe_text("'=x") == "''=x"


def test_a_persons_own_quote_before_a_formula_character_is_read_as_neutralised():
    # the price of the round trip, stated: "'=x" in a CSV the project reads is "=x"
    assert read_text("'=x") == "=x" and read_text("'abc") == "'abc"


def test_the_csv_writer_quotes_text_and_leaves_numbers_bare():
    out = io.StringIO()
    csv_writer(out, lineterminator="\n").writerows(
        [["name", "score"], ["=1+1", -1.5], ["a;=2+2", 3], [None, np.int64(-4)]]
    )
    assert out.getvalue() == (
        '"name","score"\n"\'=1+1",-1.5\n"a;=2+2",3\n"",-4\n'
    )  # a ; inside a name cannot start a cell where ; separates lists


def _frame():
    return pd.DataFrame(
        {
            "unit": DANGEROUS[:5] + ["ok"],
            "score": [0.5, -1.5, np.nan, 2.0, 3.0, 4.0],
            "rank": pd.array([1, -2, None, 4, 5, 6], dtype="Int64"),
            "kind": pd.Categorical(["=k", "a", "a", "a", "a", "a"]),
            "when": pd.to_datetime(["2024-01-01"] * 6),
        }
    )


def test_write_table_csv_neutralises_text_and_keeps_numbers(tmp_path):
    frame = _frame()
    before = frame.copy()
    path = write_table(frame, tmp_path / "out.csv")
    pd.testing.assert_frame_equal(frame, before)  # the caller's frame is not changed
    rows = list(csv.reader(path.open(encoding="utf-8"), quoting=csv.QUOTE_NONNUMERIC))
    assert rows[0] == ["unit", "score", "rank", "kind", "when"]
    assert [r[0] for r in rows[1:]] == ["'" + t for t in DANGEROUS[:5]] + ["ok"]
    assert rows[2][1:3] == [-1.5, -2.0] and rows[1][3] == "'=k"
    again = tables.read_frame(pd.read_csv(path, dtype=str, keep_default_na=False))
    assert list(again["unit"]) == DANGEROUS[:5] + ["ok"]


def test_write_table_xlsx_writes_text_cells_and_numbers(tmp_path):
    path = write_table(_frame(), tmp_path / "out.xlsx")
    ws = load_workbook(path).active
    cells = [c for row in ws.iter_rows() for c in row]
    assert [c.data_type for c in cells if c.data_type == "f"] == []
    column = [ws.cell(r, 1) for r in range(2, 8)]
    assert [c.value for c in column] == DANGEROUS[:5] + ["ok"]
    assert {c.data_type for c in column} == {"s"}
    assert (ws["B3"].value, ws["B3"].data_type, ws["C3"].value) == (-1.5, "n", -2)
    assert (ws["D2"].value, ws["D2"].data_type) == ("=k", "s")


def test_put_and_append_write_text_cells_and_text_only_catches_the_rest():
    wb = Workbook()
    ws = wb.active
    append(ws, ["=1+1", -2, "x\x01y"])
    put(ws, 2, 1, "=2+2")
    ws.append(["=3+3"])  # forgotten: openpyxl makes it a formula
    assert ws["A3"].data_type == "f"
    back = load_workbook(io.BytesIO(tables.workbook_bytes(wb))).active
    assert [(c.value, c.data_type) for c in back["A"]] == [
        ("=1+1", "s"),
        ("=2+2", "s"),
        ("=3+3", "s"),
    ]
    assert (back["B1"].value, back["B1"].data_type) == (-2, "n")
    assert back["C1"].value == "x\ufffdy"  # XLSX cannot hold the control character


def test_reading_a_data_file_the_project_wrote_gives_back_the_names(tmp_path):
    from dxscore.index.data import read_table

    frame = pd.DataFrame({"unit": ["-2+3", "@x"], "period": ["2024", "2024"], "a": [1, -1]})
    frame_read, _ = read_table(write_table(frame, tmp_path / "data.csv"))
    assert list(frame_read["unit"]) == ["-2+3", "@x"] and list(frame_read["a"]) == ["1", "-1"]


# Files that write CSV themselves: generators of synthetic data (names made by code, not
# typed by people) and of the built-in vn-2025 lineage (names from the official lists of
# the pinned package, compared byte for byte with the shipped file), whose files the
# project reads back as they are.
GENERATORS = {"dossiers/synth.py", "demo/workspace.py", "lineage/vn2025.py"}
RAW_WRITERS = ("csv.writer(", "csv.DictWriter(", ".to_csv(", ".to_excel(", "CSVWriter(")


def test_every_spreadsheet_writer_goes_through_the_rule():
    """A new export written with ``csv.writer`` or a bare openpyxl workbook fails here:
    use ``dxscore.tables`` (``docs/security.md``)."""
    from pathlib import Path

    root = Path(tables.__file__).parent
    raw, unguarded = [], []
    for path in sorted(root.rglob("*.py")):
        name = path.relative_to(root).as_posix()
        if name == "tables.py" or "/migrations/" in name:
            continue
        text = path.read_text(encoding="utf-8")
        if name not in GENERATORS:
            raw += [f"{name}: {w}" for w in RAW_WRITERS if w in text]
        if "Workbook(" in text and "workbook_bytes(" not in text:
            unguarded.append(name)
    assert raw == [] and unguarded == []
