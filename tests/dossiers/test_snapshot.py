"""A snapshot of the store (what ``dxscore backup`` archives): one manifest version and
exactly its files, untouched by the imports that follow."""

from __future__ import annotations

import duckdb

from dxscore.dossiers import Store
from dxscore.dossiers import store as store_module

from .conftest import import_rows, write_csv

FIRST = [
    dict(unit="A", received_at="2024-07-01 08:00", due_at="2024-07-05", finished_at="2024-07-03"),
    dict(unit="A", received_at="2024-07-02 08:00", status="in_progress"),
]


def records(root) -> list[tuple]:
    parts = [str(p) for p in Store(root).parts()]
    return duckdb.sql(
        "SELECT unit, dossier_id, status FROM read_parquet($p) ORDER BY ALL", params={"p": parts}
    ).fetchall()


def test_a_snapshot_keeps_its_records_while_later_imports_replace_the_parts(store, tmp_path):
    import_rows(store, FIRST, rejects_path=tmp_path / "r1.csv")
    pinned = store / ".snapshot-test"
    manifest = Store(store).snapshot(pinned)
    assert manifest["parts"] == Store(store).manifest["parts"]
    # D2 finishes (its part is rewritten and the old one removed) and D3 arrives
    finished = {**FIRST[1], "status": "finished", "finished_at": "2024-07-04"}
    path = write_csv(tmp_path / "later.csv", [FIRST[0], finished, {**FIRST[0], "dossier_id": "D3"}])
    Store(store).import_files([path], rejects_path=tmp_path / "r2.csv")
    old_parts = {p["file"] for p in manifest["parts"]}
    assert not all((store / f).exists() for f in old_parts)  # the import dropped a part
    assert records(pinned) == [("A", "D1", "finished"), ("A", "D2", "in_progress")]
    assert Store(pinned).rows() == 2
    assert len(records(store)) == 3
    assert sorted(p.name for p in pinned.iterdir() if p.is_file()) == ["manifest.json"]


def test_a_snapshot_taken_while_an_import_removes_a_part_takes_the_newer_manifest(
    store, tmp_path, monkeypatch
):
    import_rows(store, FIRST, rejects_path=tmp_path / "r1.csv")
    finished = {**FIRST[1], "status": "finished", "finished_at": "2024-07-04"}
    later = write_csv(tmp_path / "later.csv", [FIRST[0], finished])
    real = store_module._link_or_copy
    calls = []

    def racing(source, target):
        if not calls:  # between reading the manifest and linking its first file
            Store(store).import_files([later], rejects_path=tmp_path / "r2.csv")
        calls.append(source)
        real(source, target)

    monkeypatch.setattr(store_module, "_link_or_copy", racing)
    pinned = store / ".snapshot-race"
    manifest = Store(store).snapshot(pinned)
    assert manifest == Store(store).manifest  # the newer one, whole
    assert records(pinned) == [("A", "D1", "finished"), ("A", "D2", "finished")]


def test_a_snapshot_copies_where_hard_links_are_refused(store, tmp_path, monkeypatch):
    import_rows(store, FIRST, rejects_path=tmp_path / "r1.csv")

    def no_links(source, target):
        raise PermissionError(1, "Operation not permitted")

    monkeypatch.setattr(store_module.os, "link", no_links)
    pinned = tmp_path / "elsewhere"
    Store(store).snapshot(pinned)
    assert records(pinned) == records(store)
    part = Store(pinned).parts()[0]
    assert part.stat().st_nlink == 1


def test_the_rejects_files_of_the_pinned_imports_come_along(store, tmp_path):
    bad = [*FIRST, dict(unit="A", received_at="not a date")]
    import_rows(store, bad)  # rejects file in STORE/rejects/
    pinned = tmp_path / "pinned"
    Store(store).snapshot(pinned)
    copied = list((pinned / "rejects").glob("*.csv"))
    assert len(copied) == 1
    assert "not a date" in copied[0].read_text(encoding="utf-8")
