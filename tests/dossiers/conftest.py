"""Helpers for dossier tests: write hand-made records, import them, measure them."""

from __future__ import annotations

import csv
import os
from pathlib import Path

import pandas as pd
import pytest

from dxscore.dossiers import Store, compute_measures
from dxscore.dossiers.schema import COLUMN_NAMES

BASE = {
    "procedure": "P1",
    "service_level": "full",
    "channel": "online",
    "status": "finished",
}


def write_csv(path: Path, rows: list[dict], columns: tuple[str, ...] = COLUMN_NAMES) -> Path:
    """A dossier CSV with the standard header; missing fields are empty (or BASE values)."""
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(columns)
        for i, row in enumerate(rows, start=1):
            full = {"dossier_id": f"D{i}", **BASE, **row}
            w.writerow(["" if full.get(c) is None else full.get(c, "") for c in columns])
    return path


def import_rows(store: Path, rows: list[dict], name: str = "dossiers.csv", **kwargs):
    path = write_csv(store.parent / name, rows)
    return Store(store, create=True).import_files([path], **kwargs)


def measure(store: Path, kind: str = "month", **kwargs) -> pd.DataFrame:
    """Measures indexed by (unit, period) for easy lookup: ``m.loc[("A", "2024-07")]``."""
    return compute_measures(store, kind, **kwargs).frame.set_index(["unit", "period"])


@pytest.fixture
def store(tmp_path: Path) -> Path:
    return tmp_path / "store"


@pytest.fixture(scope="session")
def spark_backend():
    """One local Spark session for the whole test run (starting one takes seconds)."""
    if not os.environ.get("CI"):
        pytest.importorskip("pyspark")  # CI installs the spark extra: there it must run
    import ibis

    from dxscore.dossiers.engines import spark_session

    session = spark_session("local[1]", app="dxscore-tests")
    session.conf.set("spark.sql.shuffle.partitions", "1")
    yield ibis.pyspark.connect(session)
    session.stop()
