"""``dxscore units ...`` and ``dxscore index compute/explain --lineage --as-of``."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from dxscore import lineage as ln
from dxscore.cli import app
from dxscore.demo import dti

runner = CliRunner()


def run(*args: str):
    return runner.invoke(app, list(args))


@pytest.fixture(scope="module")
def data_2024(tmp_path_factory) -> Path:
    main = dti.build().main_2021_2024
    path = tmp_path_factory.mktemp("dti") / "dti-2024.csv"
    main[main["period"] == "2024"].to_csv(path, index=False)
    return path


def test_compute_on_the_34_provinces(data_2024):
    result = run(
        "index", "compute", "vn-dti-2022", str(data_2024),
        "--lineage", "vn-2025", "--as-of", "2025-07-01",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert (
        "Values carried onto the map of" in result.output and "carry rules: mean" in result.output
    )
    assert "Lào Cai" in result.output and "10, 15" in result.output
    assert "Yên Bái" not in result.output
    assert "│   34 │" in result.output and "│   35 │" not in result.output


def test_before_the_change_the_63_are_unchanged(data_2024, tmp_path):
    old = run(
        "index", "compute", "vn-dti-2022", str(data_2024),
        "--lineage", "vn-2025", "--as-of", "2025-06-30",
    )  # fmt: skip
    assert old.exit_code == 0
    assert "no value was carried" in old.output and "│   63 │" in old.output
    assert "Yên Bái" in old.output and "Long An" in old.output
    plain, mapped = tmp_path / "plain.csv", tmp_path / "mapped.csv"
    assert (
        run("index", "compute", "vn-dti-2022", str(data_2024), "--out", str(plain)).exit_code == 0
    )
    result = run(
        "index", "compute", "vn-dti-2022", str(data_2024),
        "--lineage", "vn-2025", "--as-of", "2025-06-30", "--out", str(mapped),
    )  # fmt: skip
    assert result.exit_code == 0
    pd.testing.assert_frame_equal(
        pd.read_csv(plain, dtype={"unit": str}),
        pd.read_csv(mapped, dtype={"unit": str}).drop(columns="carried_from"),
    )


def test_out_writes_the_scores_and_the_carried_values(data_2024, tmp_path):
    out = tmp_path / "scores.csv"
    result = run(
        "index", "compute", "vn-dti-2022", str(data_2024),
        "--lineage", "vn-2025", "--as-of", "2025-07-01", "--out", str(out),
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    scores = pd.read_csv(out, dtype={"unit": str, "carried_from": str}, keep_default_na=False)
    assert scores["unit"].nunique() == 34
    index = scores[scores["node"] == "index"].set_index("unit")
    assert index.loc["80", "carried_from"] == "72,80" and index.loc["01", "carried_from"] == ""
    trail = pd.read_csv(tmp_path / "scores-carried.csv", dtype=str)
    assert set(trail.columns) == set(ln.TRAIL_COLUMNS)
    assert set(trail[trail["unit"] == "80"]["from_unit"]) == {"72", "80"}


def test_explain_shows_the_predecessors(data_2024):
    result = run(
        "index", "explain", "vn-dti-2022", str(data_2024), "--unit", "80", "--period", "2024",
        "--lineage", "vn-2025", "--as-of", "2025-07-01",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "← 72 Tây Ninh" in result.output and "← 80 Long An" in result.output
    assert "carried from 72,80" in result.output and "predecessor (mean)" in result.output


def test_a_value_for_a_unit_that_did_not_exist_names_the_file_and_row(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text(
        "unit,period,awareness,institutions,infrastructure,human_resources,cybersecurity,"
        "dg_activity,de_activity,ds_activity\n"
        "10,2025,0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5\n",
        encoding="utf-8",
    )
    result = run(
        "index", "compute", "vn-dti-2022", str(path),
        "--lineage", "vn-2025", "--as-of", "2026-01-01",
    )  # fmt: skip
    assert result.exit_code == 1
    assert str(path) in result.output and "row 2, column 'unit'" in result.output
    assert "'10' denotes no unit on 2025-12-31" in result.output


def test_bad_options(data_2024, tmp_path):
    result = run("index", "compute", "vn-dti-2022", str(data_2024), "--as-of", "2025-07-01")
    assert result.exit_code == 1 and "needs --lineage" in result.output
    result = run(
        "index", "compute", "vn-dti-2022", str(data_2024), "--lineage", "vn-2025",
        "--as-of", "1 July",
    )  # fmt: skip
    assert result.exit_code == 1 and "is not a date" in result.output
    bad = tmp_path / "l.csv"
    bad.write_text("date,from,to,share\n2025-07-01,A,B,\n2025-07-01,A,C,\n", encoding="utf-8")
    result = run(
        "index", "compute", "vn-dti-2022", str(data_2024), "--lineage", str(bad),
        "--as-of", "2025-07-01",
    )  # fmt: skip
    assert (
        result.exit_code == 1 and "without shares" in result.output and "rows 2, 3" in result.output
    )


def test_units_lineage_writes_vn_2025(tmp_path):
    out = tmp_path / "vn-2025.csv"
    result = run("units", "lineage", "vn-2025", "--out", str(out))
    assert result.exit_code == 0, result.output
    frame = pd.read_csv(out, dtype=str, keep_default_na=False)
    assert list(frame.columns) == list(ln.COLUMNS)
    merges = frame[(frame["kind"] == "merge") & (frame["level"] == "province")]
    assert sorted(merges[merges["to"] == "15"]["from"]) == ["10", "15"]
    again = ln.read(out)  # the written file is a valid lineage, the same one
    assert len(again.units) == len(ln.load("vn-2025").units)
    summary = run("units", "lineage", "vn-2025")
    assert "abolish (district)" in summary.output


def test_units_check_and_map(tmp_path):
    good = tmp_path / "good.csv"
    good.write_text("date,from,to,to_name\n2025-07-01,A,C,Cee\n2025-07-01,B,C,Cee\n", "utf-8")
    result = run("units", "check", str(good))
    assert result.exit_code == 0 and "OK" in result.output
    bad = tmp_path / "bad.csv"
    bad.write_text("date,from,to,share\n2025-07-01,A,B,0.5\n2025-07-01,A,C,0.2\n", "utf-8")
    result = run("units", "check", str(bad))
    assert result.exit_code == 1 and "add up to 0.7, not 1" in result.output
    out = tmp_path / "map.csv"
    result = run("units", "map", "vn-2025", "--on", "2025-07-01", "--level", "province",
                 "--out", str(out))  # fmt: skip
    assert result.exit_code == 0, result.output
    units = pd.read_csv(out, dtype=str, keep_default_na=False).set_index("unit")
    assert len(units) == 34 and units.loc["80", "predecessors"] == "72,80"
    assert units.loc["80", "valid_from"] == "2025-07-01" and units.loc["01", "valid_from"] == ""
