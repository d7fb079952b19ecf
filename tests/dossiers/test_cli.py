"""The ``dxscore dossiers`` commands as a user runs them."""

from __future__ import annotations

import pandas as pd
from typer.testing import CliRunner

from dxscore.cli import app
from dxscore.dossiers import CATALOGUE_MEASURES, MEASURES, Store

from .conftest import write_csv

runner = CliRunner()


def run(*args: str):
    return runner.invoke(app, ["dossiers", *args], catch_exceptions=False)


def test_synth_import_and_measures_feed_the_index_engine(tmp_path):
    made, store = tmp_path / "synth", tmp_path / "store"
    result = run(
        "synth",
        "--rows",
        "2000",
        "--units",
        "8",
        "--from",
        "2024-01-01",
        "--to",
        "2024-06-30",
        "--seed",
        "3",
        "--out",
        str(made),
    )
    assert result.exit_code == 0, result.output
    result = run("import", str(made / "dossiers-001.parquet"), "--store", str(store))
    assert result.exit_code == 0, result.output
    assert "2,000 dossiers stored" in result.output
    result = run("catalogue", str(made / "catalogue.csv"), "--store", str(store))
    assert result.exit_code == 0, result.output
    out = tmp_path / "measures.csv"
    result = run(
        "measures",
        "--store",
        str(store),
        "--by",
        "unit,quarter",
        "--units",
        str(made / "units.csv"),
        "--long",
        "--out",
        str(out),
    )
    assert result.exit_code == 0, result.output
    long = pd.read_csv(out)
    assert list(long.columns) == ["unit", "period", "indicator", "value"]
    assert set(long["period"]) == {"2024Q1", "2024Q2"}
    assert {
        "timeliness_rate",
        "online_share",
        "online_procedure_share",
        "online_service_use_share",
        "online_service_points",
    } <= set(long["indicator"])
    assert set(long["indicator"]) <= set(MEASURES) | set(CATALOGUE_MEASURES)
    wide = tmp_path / "measures.xlsx"
    assert run("measures", "--store", str(store), "--by", "year", "--out", str(wide)).exit_code == 0
    table = pd.read_excel(wide)
    assert list(table.columns) == ["unit", "period", *MEASURES, *CATALOGUE_MEASURES]
    stored = pd.read_parquet(Store(store).parts())
    assert table["received"].sum() == (stored["status"] != "withdrawn").sum()
    per_procedure = tmp_path / "procedures.csv"
    result = run(
        "measures",
        "--store",
        str(store),
        "--by",
        "unit,procedure,year",
        "--out",
        str(per_procedure),
    )
    assert result.exit_code == 0, result.output
    table = pd.read_csv(per_procedure, dtype={"period": str, "procedure": str})
    assert list(table.columns) == ["unit", "procedure", "period", *MEASURES]
    assert table["received"].sum() == (stored["status"] != "withdrawn").sum()
    received = stored[stored["status"] != "withdrawn"].groupby("procedure").size()
    assert table.groupby("procedure")["received"].sum().to_dict() == received.to_dict()


def test_import_reports_rejects_and_strict_exits_with_an_error(tmp_path):
    store = tmp_path / "store"
    path = write_csv(
        tmp_path / "d.csv",
        [
            dict(unit="A", received_at="2024-07-01", status="in_progress"),
            dict(unit="A", received_at="07/01/2024"),
        ],
    )
    result = run("import", str(path), "--store", str(store), "--strict")
    assert result.exit_code == 1
    assert "row 3 received_at '07/01/2024'" in result.output
    assert "nothing was stored" in result.output
    result = run("import", str(path), "--store", str(store))
    assert result.exit_code == 0
    assert "1 row(s) with problems" in result.output and "1 dossiers stored" in result.output


def test_bad_input_gives_one_clear_error_line(tmp_path):
    store = tmp_path / "store"
    result = run("import", str(tmp_path / "missing.csv"), "--store", str(store))
    assert result.exit_code == 1 and "missing.csv: no such file" in result.output
    result = run("measures", "--store", str(tmp_path / "nowhere"))
    assert result.exit_code == 1 and "no dossier store here" in result.output
    result = run("import", str(tmp_path / "x.csv"), "--store", str(store), "--profile", "nope")
    assert result.exit_code == 1 and "no mapping profile 'nope'" in result.output
    result = run("measures", "--store", str(store), "--by", "unit,week")
    assert result.exit_code != 0 and "unit,month" in result.output


def test_measures_on_the_map_of_a_day_with_a_lineage(tmp_path):
    lineage = tmp_path / "lineage.csv"
    lineage.write_text(
        "date,kind,from,to,share,from_name,to_name,level,parent\n"
        ",unit,,P,,,Province,province,\n"
        ",unit,,D,,,District,district,P\n"
        ",unit,,C1,,,Commune 1,commune,D\n"
        "2025-07-01,rename,C1,C9,,,Commune 9,commune,P\n"
        "2025-07-01,abolish,D,,,,,district,\n",
        encoding="utf-8",
    )
    rows = [
        dict(unit="C1", received_at="2025-06-10", finished_at="2025-06-11"),
        dict(unit="C9", received_at="2025-07-10", finished_at="2025-07-11"),
    ]
    store = tmp_path / "store"
    assert (
        run("import", str(write_csv(tmp_path / "d.csv", rows)), "--store", str(store)).exit_code
        == 0
    )
    out = tmp_path / "m.csv"
    args = ["measures", "--store", str(store), "--by", "unit,quarter", "--lineage", str(lineage)]
    result = run(*args, "--as-of", "2025-07-01", "--out", str(out))
    assert result.exit_code == 0, result.output
    assert "measures on the map of 2025-07-01 (lineage)" in result.output
    table = pd.read_csv(out, dtype={"period": str})
    assert table[["unit", "period", "received"]].values.tolist() == [
        ["C9", "2025Q2", 1],
        ["C9", "2025Q3", 1],
        ["P", "2025Q2", 1],
        ["P", "2025Q3", 1],
    ]
    result = run(*args, "--out", str(out))  # each period on its own map
    assert result.exit_code == 0, result.output
    table = pd.read_csv(out, dtype={"period": str})
    assert table[["unit", "period"]].values.tolist() == [
        ["C1", "2025Q2"],
        ["C9", "2025Q3"],
        ["D", "2025Q2"],
        ["P", "2025Q2"],
        ["P", "2025Q3"],
    ]
    for bad, message in (
        (["--as-of", "2025-07-01"], "--as-of needs --lineage"),
        ([*args[5:], "--as-of", "1 July"], "'1 July' is not a date"),
        (["--lineage", "vn-2099"], "no such file and no built-in lineage"),
        (["--as-of", "2025-06-30", *args[5:]], "unit 'C9' (received 2025-07-10) began after"),
    ):
        result = run("measures", "--store", str(store), *bad)
        assert result.exit_code == 1 and message in result.output, result.output
