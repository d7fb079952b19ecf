"""Importing dossier files: validation, mapping profiles, idempotency, and bad files that
must give clear errors and lose nothing already stored."""

from __future__ import annotations

import csv
import json
import os
import unicodedata
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from dxscore.dossiers import FileError, ProfileError, Store, StoreError, load_profile
from dxscore.dossiers.schema import COLUMN_NAMES

from .conftest import import_rows, measure, write_csv

GOOD = [
    dict(unit="A", received_at="2024-07-01 08:00", due_at="2024-07-05", finished_at="2024-07-03"),
    dict(unit="A", received_at="2024-07-02 08:00", status="in_progress"),
]


def snapshot(store: Path) -> dict[str, bytes]:
    """Every file of the store (minus the rejects log) and its bytes."""
    return {
        str(p.relative_to(store)): p.read_bytes()
        for p in sorted(store.rglob("*"))
        if p.is_file() and "rejects" not in p.parts and p.name != ".lock"
    }


def rejects(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as f:
        return list(csv.DictReader(f))


def test_invalid_rows_go_to_the_rejects_file_with_row_column_and_reason(store):
    result = import_rows(
        store,
        [
            *GOOD,
            dict(unit="A", received_at="31/07/2024"),  # row 4
            dict(unit="A", received_at="2024-07-01", channel="fax"),  # row 5
            dict(unit="", received_at="2024-07-01", has_fee="maybe"),  # row 6
            dict(
                unit="A", received_at="2024-07-01", status="in_progress", finished_at="2024-07-02"
            ),  # row 7
            dict(unit="A", received_at="2024-07-01", status="finished"),  # row 8
            # row 9: finished before received is a warning (docs/dossiers.md): stored
            dict(unit="A", received_at="2024-07-05", finished_at="2024-07-01"),
            dict(
                unit="A",
                received_at="2024-07-01",
                status="finished",
                finished_at="2024-07-02",
                supplement_days=-1,
                rating=7,
            ),  # row 10
        ],
    )
    assert result.committed and (result.new, result.rejected) == (3, 6)
    assert result.warnings == {"finished_before_received": 1}
    found = {(int(r["row"]), r["column"]): r for r in rejects(result.rejects_file)}
    assert "ISO 8601" in found[(4, "received_at")]["reason"]
    assert found[(4, "received_at")]["value"] == "31/07/2024"
    assert "expected online, in_person, post" in found[(5, "channel")]["reason"]
    assert found[(6, "unit")]["reason"] == "required, but empty"
    assert "yes/no" in found[(6, "has_fee")]["reason"]
    assert "must be empty when status is in_progress" in found[(7, "finished_at")]["reason"]
    assert "required when status is finished" in found[(8, "finished_at")]["reason"]
    assert not any(row == 9 for row, _column in found)
    assert found[(10, "supplement_days")]["reason"] == "must be 0 or more"
    assert "1 to 5" in found[(10, "rating")]["reason"]
    assert Store(store).rows() == 3


def test_booleans_accept_true_false_one_zero_yes_no_in_any_case(store):
    words = ["true", "FALSE", "1", "0", "Yes", "no", "", "TRUE"]
    rows = [
        dict(unit="A", received_at="2024-07-01", status="in_progress", has_fee=w) for w in words
    ]
    result = import_rows(store, rows)
    assert result.rejected == 0
    stored = pq.read_table(Store(store).parts()).to_pandas().sort_values("dossier_id")
    assert stored["has_fee"].tolist() == [True, False, True, False, True, False, False, True]


def test_strict_import_stores_nothing_when_a_row_is_bad(store):
    import_rows(store, GOOD, name="first.csv")
    before = snapshot(store)
    result = import_rows(
        store, [*GOOD, dict(unit="A", received_at="yesterday")], name="second.csv", strict=True
    )
    assert not result.committed and result.rejected == 1
    assert snapshot(store) == before


def test_reimporting_the_same_file_changes_nothing(store, tmp_path):
    path = write_csv(tmp_path / "d.csv", GOOD)
    Store(store, create=True).import_files([path])
    before = snapshot(store)
    result = Store(store).import_files([path])
    assert result.files[0].skipped_as == str(path)
    assert snapshot(store) == before


def test_reimporting_the_same_records_from_another_file_leaves_them_unchanged(store, tmp_path):
    Store(store, create=True).import_files([write_csv(tmp_path / "a.csv", GOOD)])
    parts = Store(store).manifest["parts"]
    frame = pd.read_csv(tmp_path / "a.csv", dtype=str, keep_default_na=False)
    frame.iloc[::-1].to_csv(tmp_path / "b.csv", index=False)  # same rows, other order
    result = Store(store).import_files([tmp_path / "b.csv"])
    assert (result.new, result.updated, result.unchanged) == (0, 0, 2)
    assert Store(store).manifest["parts"] == parts


def test_missing_required_columns_are_named(store, tmp_path):
    path = write_csv(tmp_path / "d.csv", GOOD, columns=("dossier_id", "unit", "received_at"))
    with pytest.raises(
        FileError,
        match=r"missing required column\(s\): procedure, "
        r"service_level, channel, status",
    ):
        Store(store, create=True).import_files([path])


def test_a_bad_file_among_several_stores_nothing_and_keeps_what_was_stored(store, tmp_path):
    import_rows(store, GOOD, name="first.csv")
    before, measured = snapshot(store), measure(store)
    good = write_csv(
        tmp_path / "more.csv", [dict(unit="B", received_at="2024-07-09", status="in_progress")]
    )
    truncated = tmp_path / "cut.parquet"
    pq.write_table(pa.table({"dossier_id": ["x"] * 1000}), tmp_path / "whole.parquet")
    truncated.write_bytes((tmp_path / "whole.parquet").read_bytes()[:300])
    with pytest.raises(FileError, match="cut.parquet: not a readable Parquet file"):
        Store(store).import_files([good, truncated])
    assert snapshot(store) == before
    pd.testing.assert_frame_equal(measure(store), measured)


def test_a_cut_off_csv_line_is_rejected_with_its_row_number(store, tmp_path):
    path = write_csv(tmp_path / "d.csv", GOOD * 3)
    text = path.read_text(encoding="utf-8")
    path.write_text(text[: text.rindex(",2024-07-02")], encoding="utf-8")  # cut the last line
    result = Store(store, create=True).import_files([path])
    assert (result.new, result.rejected) == (5, 1)
    (problem,) = rejects(result.rejects_file)
    assert problem["row"] == "7"
    assert "cut-off or malformed" in problem["reason"]


def test_wrong_encoding_is_a_clear_error_and_encoding_option_reads_it(store, tmp_path):
    # Windows-1258 writes Vietnamese tone marks as combining characters.
    decomposed = "S\u01a1\u0309 T\u01b0 pha\u0301p"
    write_csv(
        tmp_path / "utf8.csv",
        [dict(unit=decomposed, received_at="2024-07-01", status="in_progress")],
    )
    path = tmp_path / "cp1258.csv"
    path.write_bytes((tmp_path / "utf8.csv").read_text(encoding="utf-8").encode("cp1258"))
    with pytest.raises(FileError, match="not UTF-8 text.*--encoding"):
        Store(store, create=True).import_files([path])
    assert Store(store).rows() == 0
    Store(store).import_files([path], encoding="cp1258")
    assert measure(store).index[0][0] == unicodedata.normalize("NFC", decomposed) == "Sở Tư pháp"


def test_utf16_with_byte_order_mark_is_read(store, tmp_path):
    source = write_csv(tmp_path / "u8.csv", GOOD)
    path = tmp_path / "u16.csv"
    path.write_bytes(source.read_text(encoding="utf-8").encode("utf-16"))
    assert Store(store, create=True).import_files([path]).new == 2


def test_semicolon_separated_csv_is_read(store, tmp_path):
    source = write_csv(tmp_path / "comma.csv", GOOD)
    frame = pd.read_csv(source, dtype=str, keep_default_na=False)
    frame.to_csv(tmp_path / "semi.csv", sep=";", index=False)
    assert Store(store, create=True).import_files([tmp_path / "semi.csv"]).new == 2


def test_json_lines_and_excel_files_are_imported(store, tmp_path):
    frame = pd.read_csv(write_csv(tmp_path / "d.csv", GOOD), dtype=str, keep_default_na=False)
    with (tmp_path / "d.jsonl").open("w", encoding="utf-8") as f:
        for rec in frame.to_dict("records"):
            rec = {k: v for k, v in rec.items() if v != ""}
            rec["has_fee"] = True  # a JSON boolean
            f.write(json.dumps(rec) + "\n")
        f.write("{not json\n")
    result = Store(store, create=True).import_files([tmp_path / "d.jsonl"])
    assert (result.new, result.rejected) == (2, 1)
    assert "not valid JSON" in rejects(result.rejects_file)[0]["reason"]

    excel_store = tmp_path / "excel-store"
    xlsx = frame.assign(dossier_id=["101", "102"])
    xlsx["received_at"] = pd.to_datetime(xlsx["received_at"])  # real date cells
    xlsx.to_excel(tmp_path / "d.xlsx", index=False)
    result = Store(excel_store, create=True).import_files([tmp_path / "d.xlsx"])
    assert (result.new, result.rejected) == (2, 0)
    assert measure(excel_store).loc[("A", "2024-07")].received == 2


def test_parquet_with_typed_columns_is_imported(store, tmp_path):
    table = pa.table(
        {
            "dossier_id": [1, 2],
            "unit": ["A", "A"],
            "procedure": ["P", "P"],
            "service_level": ["full", "offline"],
            "channel": ["online", "in_person"],
            "received_at": pa.array([1719795600, 1719882000], pa.timestamp("s", tz="UTC")),
            "finished_at": pa.array([1719882000, None], pa.timestamp("s", tz="UTC")),
            "status": ["finished", "in_progress"],
            "has_fee": [True, False],
            "rating": pa.array([4, None], pa.int64()),
        }
    )
    pq.write_table(table, tmp_path / "typed.parquet")
    result = Store(store, create=True).import_files([tmp_path / "typed.parquet"])
    assert (result.new, result.rejected) == (2, 0)
    july = measure(store).loc[("A", "2024-07")]
    assert (july.received, july.finished, july.satisfaction) == (2, 1, 4.0)
    assert july.avg_processing_days == 1.0


def test_vn_portal_profile_maps_field_names_codes_and_dates(store, tmp_path):
    path = tmp_path / "portal.csv"
    path.write_text(
        "MaHoSo,MaDonVi,MaTTHC,MucDo,KenhThucHien,NgayTiepNhan,NgayHenTra,NgayKetThucXuLy,"
        "TrangThaiHoSo,DuocThanhToanTrucTuyen,CoPhiLePhi\n"
        "H1,SOTP,1.001,4,2,20240701083000,20240705170000,20240703100000,10,1,1\n"
        "H2,SOTP,1.001,3,1,20240702083000,20240705170000,,4,0,0\n"
        "H3,SOTP,1.001,3,3,2024-07-03 08:00,,,7,0,0\n",
        encoding="utf-8",
    )
    result = Store(store, create=True).import_files([path], load_profile("vn-portal"))
    assert (result.new, result.rejected) == (3, 0)
    july = measure(store).loc[("SOTP", "2024-07")]
    assert (july.received, july.received_online, july.finished) == (2, 1, 1)  # H3 withdrawn
    assert (july.full_online_share, july.paid_online_share) == (0.5, 1.0)


def test_user_mapping_file_renames_columns_and_translates_codes(store, tmp_path):
    mapping = tmp_path / "mine.yaml"
    mapping.write_text(
        "id: mine\ncolumns:\n  dossier_id: ID\n  unit: Office\n  channel: How\n"
        "values:\n  channel: {web: online, desk: in_person}\n"
        "  status: {done: finished, open: in_progress}\n"
        "timestamp_formats: ['%d/%m/%Y %H:%M', '%d/%m/%Y']\n",
        encoding="utf-8",
    )
    path = tmp_path / "other.csv"
    path.write_text(
        "ID,Office,procedure,service_level,How,received_at,finished_at,status\n"
        "1,A,P,full,Web,31/07/2024 23:30,01/08/2024,done\n"
        "2,A,P,full,desk,01/08/2024 08:00,,open\n",
        encoding="utf-8",
    )
    result = Store(store, create=True).import_files([path], load_profile(mapping))
    assert (result.new, result.rejected) == (2, 0)
    m = measure(store)
    assert (m.loc[("A", "2024-07")].received_online, m.loc[("A", "2024-08")].received) == (1, 1)


def test_mapping_file_with_an_unknown_code_target_is_refused(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("id: bad\nvalues:\n  channel: {web: internet}\n", encoding="utf-8")
    with pytest.raises(ProfileError, match="'web' maps to 'internet'"):
        load_profile(bad)


def test_interrupted_commit_keeps_the_previous_state_and_is_tidied(store, tmp_path, monkeypatch):
    import_rows(store, GOOD, name="first.csv")
    before = snapshot(store)
    real_replace = os.replace

    def failing_replace(src, dst):
        if str(dst).endswith("manifest.json"):
            raise OSError("disk full")
        return real_replace(src, dst)

    monkeypatch.setattr(os, "replace", failing_replace)
    more = write_csv(
        tmp_path / "more.csv", [dict(unit="B", received_at="2024-07-09", status="in_progress")]
    )
    with pytest.raises(OSError, match="disk full"):
        Store(store).import_files([more])
    monkeypatch.setattr(os, "replace", real_replace)
    assert Store(store).rows() == 2
    assert measure(store).loc[("A", "2024-07")].received == 2
    # The next import removes what the failed one left behind, then works.
    assert Store(store).import_files([more]).new == 1
    leftovers = set(snapshot(store)) - set(before)
    assert all(name in ("manifest.json",) or name.startswith("dossiers/") for name in leftovers)
    assert len(list((store / "dossiers").glob("*.parquet"))) == len(Store(store).parts())


def test_catalogue_import_replaces_the_previous_catalogue(store, tmp_path):
    import_rows(store, GOOD)
    (tmp_path / "cat1.csv").write_text(
        "procedure,unit,name,service_level,has_fee,online_payment_integrated\n"
        "P1,A,One,full,yes,yes\nP2,A,Two,offline,no,no\n",
        encoding="utf-8",
    )
    (tmp_path / "cat2.csv").write_text(
        "procedure,unit,service_level\nP1,A,partial\nP1,A,full\nP3,A,turbo\n", encoding="utf-8"
    )
    s = Store(store)
    assert s.import_catalogue([tmp_path / "cat1.csv"]).new == 2
    result = s.import_catalogue([tmp_path / "cat2.csv"])
    assert (result.new, result.duplicates, result.rejected) == (1, 1, 1)
    cat = pq.read_table(Store(store).catalogue_file()).to_pandas()
    assert cat[["procedure", "service_level"]].values.tolist() == [["P1", "full"]]
    assert len(list(store.glob("catalogue-*.parquet"))) == 1


def test_store_columns_are_the_documented_schema(store):
    import_rows(store, GOOD)
    schema = pq.read_schema(Store(store).parts()[0])
    assert tuple(schema.names[: len(COLUMN_NAMES)]) == COLUMN_NAMES
    assert schema.field("received_at").type == pa.timestamp("us")


def test_a_store_whose_creation_was_cut_short_is_created_again(tmp_path):
    root = tmp_path / "new"
    root.mkdir()
    # killed between writing the first manifest and moving it into place
    (root / ".manifest.0123abcd.tmp").write_text('{"format": "dxsc', encoding="utf-8")
    (root / ".lock").touch()
    assert Store(root, create=True).rows() == 0
    assert sorted(p.name for p in root.iterdir()) == [".lock", "manifest.json"]
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "notes.txt").write_text("mine")
    with pytest.raises(StoreError, match="not empty and is not a dossier store"):
        Store(tmp_path / "other", create=True)


def test_catalogue_names_in_other_languages_are_kept(store, tmp_path):
    import_rows(store, GOOD)
    (tmp_path / "cat.csv").write_text(
        "procedure,unit,name,name_en,service_level\n"
        "P1,A,Đăng ký khai sinh,Birth registration,full\nP2,A,Chứng thực,,offline\n",
        encoding="utf-8",
    )
    s = Store(store)
    assert s.import_catalogue([tmp_path / "cat.csv"]).new == 2
    cat = pq.read_table(s.catalogue_file()).to_pandas().set_index("procedure")
    assert cat.loc["P1", "name_en"] == "Birth registration" and cat.loc["P1", "name_vi"] is None
    assert cat.loc["P2", "name"] == "Chứng thực" and cat.loc["P2", "name_en"] is None
