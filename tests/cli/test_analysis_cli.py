"""``dxscore index sensitivity | levers | whatif`` as a user runs them."""

import pandas as pd
from typer.testing import CliRunner

from dxscore.cli import app
from dxscore.cli.index import example_path

runner = CliRunner()
EXAMPLE = str(example_path())
ASEM = ["examples/asem/methodology.yaml", "examples/asem/data.csv"]


def run(*args: str):
    return runner.invoke(app, list(args))


def test_sensitivity_writes_the_table_the_sobol_table_and_the_chart(tmp_path):
    out, plot = tmp_path / "sens.csv", tmp_path / "ranks.svg"
    result = run(
        "index",
        "sensitivity",
        *ASEM,
        "--period",
        "2018",
        "--runs",
        "200",
        "--seed",
        "3",
        "--alternatives",
        "examples/asem/alternatives.yaml",
        "--sobol",
        "--sobol-runs",
        "32",
        "--out",
        str(out),
        "--plot",
        str(plot),
    )
    assert result.exit_code == 0, result.output
    table = pd.read_csv(out)
    assert {"unit", "nominal_rank", "median_rank", "rank_p05", "rank_p95"} <= set(table.columns)
    assert len(table) == 51 and table.nominal_rank.tolist()[:3] == [1, 2, 3]
    sobol = pd.read_csv(tmp_path / "sens-sobol.csv")
    assert {"normalisation", "aggregation", "drop"} <= set(sobol.input)
    assert plot.read_text().lstrip().startswith("<?xml")


def test_sensitivity_with_weight_noise_prints_intervals():
    result = run(
        "index",
        "sensitivity",
        "vn-dti-2022",
        EXAMPLE,
        "--period",
        "2022",
        "--runs",
        "300",
        "--weights-noise",
        "0.2",
    )
    assert result.exit_code == 0, result.output
    assert "Đà Nẵng" in result.output and "weights:index" in result.output


def test_sensitivity_rejects_a_bad_alternatives_file(tmp_path):
    bad = tmp_path / "alt.yaml"
    bad.write_text("aggregation: [cubic]\n")
    result = run(
        "index",
        "sensitivity",
        "vn-dti-2022",
        EXAMPLE,
        "--period",
        "2022",
        "--alternatives",
        str(bad),
    )
    assert result.exit_code == 1 and "uncertainty > aggregation" in result.output


def test_levers_writes_one_row_per_indicator(tmp_path):
    out = tmp_path / "levers.csv"
    result = run(
        "index",
        "levers",
        "vn-dti-2022",
        EXAMPLE,
        "--unit",
        "92",
        "--period",
        "2022",
        "--target-rank",
        "2",
        "--out",
        str(out),
    )
    assert result.exit_code == 0, result.output
    table = pd.read_csv(out)
    assert {"indicator", "current", "required", "new_rank"} <= set(table.columns)
    assert len(table) == 9
    assert "path to rank 2" in result.output and "dg_activity" in result.output


def test_whatif_prints_before_and_after():
    result = run(
        "index",
        "whatif",
        "vn-dti-2022",
        EXAMPLE,
        "--unit",
        "92",
        "--period",
        "2022",
        "--set",
        "ds_activity=0.5",
    )
    assert result.exit_code == 0, result.output
    assert "0.6924 → 0.7232" in result.output and "5 → 2" in result.output


def test_whatif_with_a_malformed_set_is_an_error():
    result = run(
        "index",
        "whatif",
        "vn-dti-2022",
        EXAMPLE,
        "--unit",
        "92",
        "--period",
        "2022",
        "--set",
        "ds_activity",
    )
    assert result.exit_code == 1 and "expected CODE=NUMBER" in result.output
