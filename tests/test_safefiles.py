"""dxscore.safefiles: hostile workbooks and YAML are refused before any parser reads
them, with a message naming the limit; honest files pass. The bombs are built here
(tests/bombs.py), small on disk."""

from __future__ import annotations

import io
import tracemalloc
import zipfile

import pytest

from dxscore import safefiles as sf
from tests import bombs

LOW = sf.UPLOADS.replace(max_rows=1000, max_columns=20, max_cell_chars=500)


def refused(data, limits=sf.UPLOADS, **kw) -> sf.UnsafeFile:
    with pytest.raises(sf.UnsafeFile) as caught:
        sf.check_xlsx(data, limits, **kw)
    return caught.value


# --- honest files pass -----------------------------------------------------------------


def test_workbooks_written_by_openpyxl_and_pandas_pass(tmp_path):
    data = bombs.plain_workbook([["unit", "period", "value"], ["48", "2024", 0.5]])
    assert sf.check_xlsx(data, sf.UPLOADS) == {"values": sf.SheetSize(rows=2, columns=3)}
    pd = pytest.importorskip("pandas")
    path = tmp_path / "p.xlsx"
    pd.DataFrame({"a": range(300), "b": ["text"] * 300}).to_excel(path, index=False)
    assert sf.check_xlsx(path, sf.DOSSIERS)["Sheet1"] == sf.SheetSize(rows=301, columns=2)
    sf.check_zip(path, sf.UPLOADS)


def test_only_the_sheets_that_will_be_read_are_held_to_the_sheet_limits():
    data = bombs.to_bytes(bombs.empty_rows(5000), sheet="notes")
    assert refused(data, LOW).code == "rows"
    assert sf.check_xlsx(data, LOW, sheets=lambda names: []) == {}


# --- the bombs of the finding ----------------------------------------------------------


@pytest.mark.slow
def test_a_hundred_million_empty_rows_in_875_kb_are_refused_unopened():
    data = bombs.to_bytes(bombs.empty_rows(100_000_000))
    assert len(data) < 1_000_000
    exc = refused(data)
    assert exc.code == "unpacked" and str(exc) == "the file unpacks to more than 100 MB"


def test_empty_rows_count_as_rows_as_they_are_read():
    exc = refused(bombs.to_bytes(bombs.empty_rows(1500)), LOW)
    assert exc.code == "rows"
    assert str(exc) == "sheet 'values' has more than 1,000 rows (empty rows count too)"
    # a gap between row numbers is as many rows to a reader, in a file of 1 KB
    assert refused(bombs.to_bytes(bombs.gap_rows(1_000_000))).code == "rows"


def test_a_shared_strings_bomb_is_refused_by_its_ratio_and_long_strings_by_length():
    exc = refused(bombs.to_bytes(**bombs.strings_bomb(2_000_000)))
    assert exc.code == "ratio" and "xl/sharedStrings.xml" in str(exc)
    exc = refused(bombs.to_bytes(**bombs.strings_bomb(3, length=600)), LOW)
    assert exc.code == "cell_chars"
    assert str(exc) == "shared string 1 holds a cell longer than 500 characters"


def test_one_huge_cell_is_refused_by_its_length():
    exc = refused(bombs.to_bytes(bombs.huge_cell(40_000)))  # Excel's maximum is 32,767
    assert exc.code == "cell_chars"
    assert str(exc) == "sheet 'values', cell A2 holds a cell longer than 32,767 characters"


def test_a_declared_huge_part_is_refused_with_the_real_defaults_before_any_parse(monkeypatch):
    honest = bombs.plain_workbook([["unit", "value"], ["48", 1]])
    data = bombs.declare_size(honest, "xl/worksheets/sheet1.xml", 0xFFFFFFF0)
    monkeypatch.setattr(sf, "_parse", _never)
    monkeypatch.setattr(sf, "_stream", _never)
    for check in (sf.check_zip, sf.check_xlsx):
        with pytest.raises(sf.UnsafeFile) as caught:
            check(data, sf.UPLOADS)
        assert caught.value.code == "unpacked"


def _never(*_args, **_kw):
    raise AssertionError("a refused file was read")


def test_a_part_that_unpacks_to_more_than_it_declares_is_refused():
    honest = bombs.plain_workbook([["unit", "value"], ["48", 1]])
    with zipfile.ZipFile(io.BytesIO(honest)) as zf:
        size = zf.getinfo("xl/worksheets/sheet1.xml").file_size
    exc = refused(bombs.declare_size(honest, "xl/worksheets/sheet1.xml", size // 2))
    assert exc.code == "damaged" and "larger than it declares" in str(exc)


def test_a_cell_far_out_is_refused_before_a_reader_sizes_a_sheet_by_it():
    # python-calamine aborts the whole process on this 1.5 KB file (it allocates 512 GB)
    data = bombs.to_bytes(bombs.far_cell())
    assert len(data) < 2000
    assert refused(data, sf.DOSSIERS).code == "columns"
    area = sf.DOSSIERS.replace(max_columns=16_384)
    exc = refused(data, area)
    assert exc.code == "cells" and "30,000,000 cells" in str(exc)


def test_too_many_parts_are_refused_from_the_end_record_alone(monkeypatch):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        for i in range(1001):
            zf.writestr(f"p{i}.xml", "")
    monkeypatch.setattr(zipfile, "ZipFile", _never)
    with pytest.raises(sf.UnsafeFile) as caught:
        sf.check_zip(out.getvalue(), sf.UPLOADS)
    assert caught.value.code == "entries"


def test_dtds_and_huge_tags_are_refused():
    laughs = (
        b'<?xml version="1.0"?><!DOCTYPE worksheet [<!ENTITY a "lol"><!ENTITY b "&a;&a;">]>'
        + bombs.SHEET_HEAD.split(b"?>", 1)[1]
    )
    exc = refused(bombs.to_bytes([b'<row r="1"/>'], head=laughs))
    assert exc.code == "dtd" and "xl/worksheets/sheet1.xml" in str(exc)
    tag = [b'<row r="1" spans="' + b"1" * (2 << 20) + b'"/>']
    exc = refused(bombs.to_bytes(tag), sf.UPLOADS.replace(max_ratio=10_000))
    assert exc.code == "tag"


def test_not_a_workbook_is_named():
    assert refused(b"unit,value\n48,1\n").code == "type"
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        zf.writestr("word/document.xml", "<w/>")
    exc = refused(out.getvalue())
    assert exc.code == "type" and str(exc) == (
        "the content of this file is not an Excel workbook (.xlsx)"
    )


def test_the_time_budget_stops_reading():
    spent = sf.Budget(0.001)
    spent.deadline -= 1  # already spent, whatever the clock says
    data = bombs.plain_workbook([["unit"], ["1"]])
    with pytest.raises(sf.UnsafeFile) as caught:
        sf.check_xlsx(data, sf.UPLOADS, budget=spent)
    assert str(caught.value) == "reading the file took longer than 0.001 seconds"


def test_scanning_a_large_cell_holds_only_a_chunk_at_a_time():
    # 20 MB in one cell, allowed here: the scan streams it, a parser would hold it
    limits = sf.UPLOADS.replace(max_cell_chars=30_000_000, max_ratio=100_000)
    data = bombs.to_bytes(bombs.huge_cell(20_000_000))
    tracemalloc.start()
    try:
        sizes = sf.check_xlsx(data, limits)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert sizes["values"].rows == 2
    assert peak < 4 << 20


# --- content sniffing ------------------------------------------------------------------


def test_content_must_fit_the_extension():
    sf.sniff("r.pdf", b"%PDF-1.7 ...")
    sf.sniff("p.png", b"\x89PNG\r\n\x1a\n...")
    sf.sniff("d.parquet", b"PAR1...")
    sf.sniff("d.csv", b"unit,value\n")
    sf.sniff("u16.csv", b"\xff\xfeu\x00n\x00")
    for name, head in [
        ("r.pdf", b"<html><script>"),
        ("v.xlsx", b"unit,value"),
        ("d.parquet", b"unit,value"),
        ("d.csv", b"PK\x03\x04...."),
        ("n.txt", b"MZ\x90\x00"),
        ("i.jpg", b"GIF89a"),
    ]:
        with pytest.raises(sf.UnsafeFile) as caught:
            sf.sniff(name, head)
        assert caught.value.code == "type"


# --- YAML ------------------------------------------------------------------------------


def test_a_yaml_alias_bomb_is_refused_from_its_events():
    lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for i in range(1, 10):
        lines.append(f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]")
    with pytest.raises(sf.UnsafeFile) as caught:
        sf.check_yaml("\n".join(lines))
    assert caught.value.code == "yaml_nodes"
    assert "100,000 values" in str(caught.value)
    sf.check_yaml("weights: &w [1, 2]\nagain: *w\n")  # a few aliases are fine


def test_deep_yaml_nesting_is_refused_and_syntax_errors_are_left_to_the_loader():
    with pytest.raises(sf.UnsafeFile) as caught:
        sf.check_yaml("[" * 200 + "]" * 200)
    assert caught.value.code == "yaml_depth"
    sf.check_yaml("a: [unclosed")  # the methodology loader reports it with its place


def test_builtin_methodologies_pass():
    from dxscore import index as ix

    for ref in ix.builtin_ids():
        sf.check_yaml(ix.load(ref).text)


# --- settings --------------------------------------------------------------------------


def test_limits_come_from_the_environment():
    env = {
        "DXSCORE_MAX_UPLOAD_MB": "5",
        "DXSCORE_UPLOAD_MAX_ROWS": "2000",
        "DXSCORE_UPLOAD_MAX_SECONDS": "0",
    }
    limits = sf.upload_limits(env)
    assert limits.max_bytes == 5 << 20 and limits.max_rows == 2000
    assert limits.max_seconds == 0 and limits.budget().deadline is None
    dossiers = sf.dossier_limits({"DXSCORE_DOSSIER_MAX_LINE_KB": "64"})
    assert dossiers.max_line_bytes == 64 << 10 and dossiers.max_cells == 30_000_000
    assert sf.upload_limits({}) == sf.UPLOADS
    with pytest.raises(sf.SettingError, match="DXSCORE_UPLOAD_MAX_ROWS"):
        sf.upload_limits({"DXSCORE_UPLOAD_MAX_ROWS": "many"})
    with pytest.raises(sf.SettingError, match="above 0"):
        sf.upload_limits({"DXSCORE_UPLOAD_MAX_ROWS": "0"})


def test_every_setting_is_documented_with_its_default():
    from pathlib import Path

    text = (Path(__file__).parents[1] / "docs" / "security.md").read_text(encoding="utf-8")
    section = text.split("## Upload limits", 1)[1]
    for names in (sf.UPLOAD_ENV, sf.DOSSIER_ENV):
        for var, _unit in names.values():
            assert f"`{var}`" in section, var


def test_a_bad_setting_stops_the_command_line_with_its_name(tmp_path, monkeypatch):
    from typer.testing import CliRunner

    from dxscore.cli import app

    path = tmp_path / "d.csv"
    path.write_text("dossier_id\n1\n", encoding="utf-8")
    monkeypatch.setenv("DXSCORE_DOSSIER_MAX_COLUMNS", "lots")
    result = CliRunner().invoke(
        app, ["dossiers", "import", str(path), "--store", str(tmp_path / "s")]
    )
    assert result.exit_code == 1
    assert "DXSCORE_DOSSIER_MAX_COLUMNS='lots': expected a number" in result.output
