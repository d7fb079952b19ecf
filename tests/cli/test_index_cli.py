"""``dxscore index ...`` end to end, as a user runs it."""

import json

import pandas as pd
import pytest
from typer.testing import CliRunner

from dxscore.cli import app
from dxscore.cli.index import example_path

runner = CliRunner()
EXAMPLE = str(example_path())


def run(*args: str):
    return runner.invoke(app, list(args))


def test_list_shows_the_builtins():
    result = run("index", "list")
    assert result.exit_code == 0
    for mid in ("vn-dti-2020", "vn-dti-2022", "vn-766"):
        assert mid in result.output


def test_check_accepts_a_valid_file_and_reports_problems(tmp_path):
    assert run("index", "check", "examples/asem/methodology.yaml").exit_code == 0
    bad = tmp_path / "bad.yaml"
    bad.write_text("id: x\nversion: 1\ntitle: X\ntree: {children: [{code: a, weight: -2}]}\n")
    result = run("index", "check", str(bad))
    assert result.exit_code == 1
    assert "tree > index > a > weight" in result.output


def test_compute_prints_the_ranking():
    result = run("index", "compute", "vn-dti-2022", EXAMPLE)
    assert result.exit_code == 0
    assert "0.8002" in result.output and "Đà Nẵng" in result.output


@pytest.mark.parametrize("ext", ["csv", "xlsx", "parquet", "json"])
def test_compute_writes_the_tidy_table(tmp_path, ext):
    out = tmp_path / f"scores.{ext}"
    result = run("index", "compute", "vn-dti-2022", EXAMPLE, "--period", "2022", "--out", str(out))
    assert result.exit_code == 0, result.output
    frame = {
        "csv": lambda p: pd.read_csv(p, dtype={"unit": str}),
        "xlsx": lambda p: pd.read_excel(p, dtype={"unit": str}),
        "parquet": pd.read_parquet,
        "json": lambda p: pd.DataFrame(json.loads(p.read_text())),
    }[ext](out)
    assert {"unit", "period", "node", "score", "rank"} <= set(frame.columns)
    assert len(frame) == 5 * 13  # 5 provinces x (index + 9 main indices + 3 pillars)
    top = frame[(frame.node == "index") & (frame["rank"] == 1)]
    assert str(top.iloc[0]["unit"]) == "48"


def test_bad_data_exits_non_zero_and_leaves_the_existing_output_alone(tmp_path):
    data = tmp_path / "bad.csv"
    data.write_text(
        "unit,period,awareness,institutions,infrastructure,human_resources,cybersecurity,"
        "dg_activity,de_activity,ds_activity\n"
        "48,2022,1.2,0.9,0.8,0.8,0.7,0.8,0.7,0.5\n"
    )
    out = tmp_path / "scores.csv"
    out.write_text("previous results\n")
    result = run("index", "compute", "vn-dti-2022", str(data), "--out", str(out))
    assert result.exit_code == 1
    assert "row 2, column 'awareness'" in result.output
    assert "outside the valid range" in result.output
    assert out.read_text() == "previous results\n"
    assert not any(p.name.startswith(".scores") for p in tmp_path.iterdir())


def test_unknown_period_is_a_clear_error():
    result = run("index", "compute", "vn-dti-2022", EXAMPLE, "--period", "2019")
    assert result.exit_code == 1 and "unknown period '2019'" in result.output


def test_explain_shows_contributions():
    result = run("index", "explain", "vn-dti-2022", EXAMPLE, "--unit", "48", "--period", "2022")
    assert result.exit_code == 0, result.output
    assert "0.8002" in result.output and "dg_activity" in result.output


def test_explain_writes_a_table_whose_contributions_add_up(tmp_path):
    out = tmp_path / "explain.csv"
    result = run(
        "index",
        "explain",
        "vn-dti-2022",
        EXAMPLE,
        "--unit",
        "92",
        "--period",
        "2022",
        "--out",
        str(out),
    )
    assert result.exit_code == 0
    table = pd.read_csv(out)
    index_score = table.loc[table.node == "index", "score"].iloc[0]
    assert table.loc[table.parent == "index", "contribution"].sum() == pytest.approx(index_score)


def test_explain_unknown_unit_is_an_error():
    result = run("index", "explain", "vn-dti-2022", EXAMPLE, "--unit", "99", "--period", "2022")
    assert result.exit_code == 1 and "unknown unit '99'" in result.output


def test_demo_ranking_prints_the_published_top_five():
    result = run("demo", "ranking")
    assert result.exit_code == 0
    assert result.output.index("Đà Nẵng") < result.output.index("Quảng Ninh")


def test_compute_combines_files_and_ignores_unknown_indicators_on_request(tmp_path):
    pillars = tmp_path / "pillars.csv"
    pillars.write_text(
        "unit,period,digital_government,digital_economy\nA,2020,0.5,0.3\nB,2020,0.2,0.4\n"
    )
    society = tmp_path / "society.csv"
    society.write_text(
        "unit,period,indicator,value\nA,2020,digital_society,0.1\nB,2020,digital_society,0.9\n"
        "A,2020,received,1200\n"
    )
    result = run("index", "compute", "vn-dti-2020", str(pillars), str(society))
    assert result.exit_code == 1 and "unknown indicator 'received'" in result.output
    out = tmp_path / "scores.csv"
    result = run(
        "index",
        "compute",
        "vn-dti-2020",
        str(pillars),
        str(society),
        "--ignore-unknown",
        "--out",
        str(out),
    )
    assert result.exit_code == 0, result.output
    assert "ignored 1 indicator(s) not in vn-dti-2020 v2020.2: received" in result.output
    frame = pd.read_csv(out)
    index = frame[frame.node == "index"].set_index("unit")["score"]
    assert index["A"] == pytest.approx(0.4 * 0.5 + 0.3 * 0.3 + 0.3 * 0.1)
