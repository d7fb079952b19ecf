"""Dossier files within bounds (issue 13, findings 2 and 9): hostile workbooks refused
before python-calamine sees them, one giant cell never held whole, NUL characters and
over-long cells flagged with row, column and reason, and a rejects file of bounded size
that still gives every count."""

from __future__ import annotations

import csv
import json

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from dxscore import safefiles as sf
from dxscore.cli import app
from dxscore.dossiers import FileError, Store
from dxscore.dossiers.schema import COLUMN_NAMES
from tests import bombs

from .conftest import write_csv

runner = CliRunner()
DOSSIER_HEADER = ("dossier_id", "unit", "procedure", "service_level", "channel", "received_at")
GOOD = dict(unit="A", received_at="2024-07-01 08:00", due_at="2024-07-05", finished_at="2024-07-03")


def cli(*args: str):
    return runner.invoke(app, ["dossiers", *args], catch_exceptions=False)


@pytest.fixture
def no_calamine(monkeypatch):
    import python_calamine

    def never(*_a, **_k):
        raise AssertionError("python-calamine was called on a refused workbook")

    monkeypatch.setattr(python_calamine.CalamineWorkbook, "from_path", never)


def _rows_of(path):
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


# --- workbooks ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("build", "expected"),
    [
        (lambda: bombs.to_bytes(bombs.far_cell(DOSSIER_HEADER)), "more than 500 columns"),
        (lambda: bombs.to_bytes(bombs.huge_cell(40_000, DOSSIER_HEADER)), "longer than 32,767"),
        (lambda: bombs.to_bytes(**bombs.strings_bomb(2_000_000)), "packed more than 100 times"),
        (
            lambda: bombs.declare_size(
                bombs.plain_workbook([list(DOSSIER_HEADER)]), "xl/worksheets/sheet1.xml", 0xFFFFFFF0
            ),
            "unpacks to more than 1,024 MB",
        ),
    ],
    ids=["far cell", "huge cell", "shared strings", "declared size"],
)
def test_cli_import_refuses_hostile_workbooks_unparsed_and_stores_nothing(
    tmp_path, no_calamine, build, expected
):
    path = tmp_path / "dossiers.xlsx"
    path.write_bytes(build())
    store = tmp_path / "store"
    result = cli("import", str(path), "--store", str(store))
    assert result.exit_code == 1
    assert expected in " ".join(result.output.split())
    assert Store(store).rows() == 0 and not Store(store).manifest["imports"]


def test_the_workbook_limits_are_set_by_the_environment(tmp_path, monkeypatch, no_calamine):
    path = tmp_path / "d.xlsx"
    path.write_bytes(bombs.to_bytes(bombs.empty_rows(300, DOSSIER_HEADER)))
    monkeypatch.setenv("DXSCORE_DOSSIER_MAX_ROWS", "100")
    with pytest.raises(FileError, match="more than 100 rows"):
        Store(tmp_path / "store", create=True).import_files([path])


def test_an_honest_workbook_still_imports(tmp_path):
    header = [*COLUMN_NAMES[:6], "status"]
    rows = [header, ["1", "A", "P1", "full", "online", "2024-07-01 08:00", "in_progress"]]
    path = tmp_path / "d.xlsx"
    path.write_bytes(bombs.plain_workbook(rows, sheet="dossiers"))
    result = Store(tmp_path / "store", create=True).import_files([path])
    assert result.committed and result.files[0].valid == 1


# --- one giant cell, NUL characters ------------------------------------------------------


def test_a_nul_character_flags_its_row_like_the_api_refuses_it(tmp_path):
    path = write_csv(tmp_path / "d.csv", [GOOD, {**GOOD, "procedure": "P\x001"}, GOOD])
    store = tmp_path / "store"
    result = Store(store, create=True).import_files([path], rejects_path=tmp_path / "r.csv")
    assert result.rejected == 1 and result.new == 2
    (reject,) = _rows_of(tmp_path / "r.csv")
    assert (reject["row"], reject["column"], reject["value"]) == ("3", "procedure", "P\\x001")
    assert reject["reason"].startswith("contains a NUL character")
    strict = Store(tmp_path / "strict", create=True).import_files([path], strict=True)
    assert not strict.committed and Store(tmp_path / "strict").rows() == 0


def test_a_cell_longer_than_the_limit_is_rejected_and_shown_shortened(tmp_path):
    path = write_csv(tmp_path / "d.csv", [GOOD, {**GOOD, "procedure": "P" * 40_000}])
    result = Store(tmp_path / "store", create=True).import_files(
        [path], rejects_path=tmp_path / "r.csv"
    )
    assert result.rejected == 1 and result.new == 1
    (reject,) = _rows_of(tmp_path / "r.csv")
    assert reject["reason"] == "longer than 32,767 characters"
    assert len(reject["value"]) == 201 and reject["value"].endswith("…")


def test_a_giant_json_line_is_skipped_without_being_held(tmp_path, monkeypatch):
    monkeypatch.setenv("DXSCORE_DOSSIER_MAX_LINE_KB", "64")
    record = {"dossier_id": "1", "procedure": "P1", "service_level": "full", "channel": "online"}
    record |= {"unit": "A", "received_at": "2024-07-01 08:00", "status": "in_progress"}
    giant = {**record, "dossier_id": "2", "procedure": "P" * (1 << 20)}
    path = tmp_path / "d.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in (record, giant, record | {"dossier_id": "3"})))
    result = Store(tmp_path / "store", create=True).import_files(
        [path], rejects_path=tmp_path / "r.csv"
    )
    assert result.new == 2 and result.rejected == 1
    (reject,) = _rows_of(tmp_path / "r.csv")
    assert reject["row"] == "2" and reject["reason"] == "line 2 is longer than 64 KB"


def test_a_parquet_column_of_one_giant_value_is_refused_from_its_metadata(tmp_path):
    table = pa.table({c: ["x" * 200_000 if c == "procedure" else "1"] for c in COLUMN_NAMES})
    path = tmp_path / "d.parquet"
    pq.write_table(table, path)
    with pytest.raises(FileError, match="longer than 32,767 characters"):
        Store(tmp_path / "store", create=True).import_files([path])


def test_a_file_that_is_not_what_its_name_says_is_refused(tmp_path):
    path = tmp_path / "d.csv"
    path.write_bytes(bombs.plain_workbook([["a"]]))
    with pytest.raises(FileError, match="not a text file"):
        Store(tmp_path / "store", create=True).import_files([path])


# --- the rejects file --------------------------------------------------------------------


def test_the_rejects_file_keeps_the_first_n_of_each_problem_and_every_count(tmp_path, monkeypatch):
    monkeypatch.setenv("DXSCORE_REJECTS_PER_REASON", "10")
    bad = [{**GOOD, "channel": "fax"} for _ in range(500)] + [
        {**GOOD, "received_at": "soon"} for _ in range(3)
    ]
    path = write_csv(tmp_path / "d.csv", [GOOD, *bad])
    rejects = tmp_path / "r.csv"
    result = Store(tmp_path / "store", create=True).import_files([path], rejects_path=rejects)
    assert result.rejected == 503 and result.new == 1
    counts = {(c, n) for _f, c, _r, n in result.rejects_counts}
    assert counts == {("channel", 500), ("received_at", 3)}
    rows = _rows_of(rejects)
    listed = [r for r in rows if r["row"]]
    assert sum(r["column"] == "channel" for r in listed) == 10
    assert sum(r["column"] == "received_at" for r in listed) == 3
    (summary,) = [r for r in rows if not r["row"]]
    assert summary["column"] == "channel"
    assert summary["reason"].endswith("500 rows in all, the first 10 listed above")
    # the command line says so too, with the full counts
    result = cli("import", str(path), "--store", str(tmp_path / "cli"), "--rejects", str(rejects))
    text = " ".join(result.output.split())
    assert "503 row(s) with problems; the first 10 of each problem listed in" in text
    assert "500 d.csv channel: unknown value" in text


def test_a_big_bad_file_writes_a_small_rejects_file(tmp_path):
    # 20,000 rows, every one wrong in two columns: at most 1,000 lines per problem
    bad = [{**GOOD, "channel": "fax", "service_level": "none"} for _ in range(20_000)]
    path = write_csv(tmp_path / "d.csv", bad)
    rejects = tmp_path / "r.csv"
    result = Store(tmp_path / "store", create=True).import_files([path], rejects_path=rejects)
    assert result.rejected == 20_000
    assert len(_rows_of(rejects)) == 2 * sf.DOSSIERS.rejects_per_reason + 2
    assert rejects.stat().st_size < path.stat().st_size / 4
