"""``dxscore index audit``: tables on the terminal, every table to a workbook, CSV files
or JSON, and clear errors."""

import json
from pathlib import Path

from openpyxl import load_workbook
from typer.testing import CliRunner

from dxscore.cli import app

ASEM = Path(__file__).parents[2] / "examples" / "asem"
ARGS = ["index", "audit", str(ASEM / "methodology.yaml"), str(ASEM / "data.csv")]


def test_the_audit_prints_every_section():
    result = CliRunner().invoke(app, ARGS)
    assert result.exit_code == 0, result.output
    for title in ("Data availability per unit", "Cronbach", "Principal components"):
        assert title in result.output
    assert "Remove one indicator" in result.output and "Brunei" in result.output


def test_json_has_every_table_and_the_threshold_flags(tmp_path):
    result = CliRunner().invoke(app, [*ARGS, "--json", "--threshold", "0.85"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.output)
    assert payload["threshold"] == 0.85 and payload["period"] == "2018"
    flagged = [u["unit"] for u in payload["units"] if u["below_threshold"]]
    assert flagged == ["BRN", "LAO", "MMR"]  # 39, 41 and 41 of 49 values
    assert len(payload["remove_one"]) == 49


def test_out_writes_one_sheet_per_section_or_one_csv_each(tmp_path):
    book = tmp_path / "audit.xlsx"
    assert CliRunner().invoke(app, [*ARGS, "--out", str(book)]).exit_code == 0
    wb = load_workbook(book)
    assert wb.sheetnames == ["units", "indicators", "correlations", "cronbach", "pca", "remove_one"]
    assert wb["cronbach"]["A1"].value == "aggregate" and wb["units"].max_row == 52
    result = CliRunner().invoke(app, [*ARGS, "--out", str(tmp_path / "a.csv")])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "a-correlations.csv").read_text().startswith('"kind","aggregate"')
    assert len(list(tmp_path.glob("a-*.csv"))) == 6


def test_an_unknown_period_is_a_clear_error_and_writes_nothing(tmp_path):
    out = tmp_path / "audit.xlsx"
    result = CliRunner().invoke(app, [*ARGS, "--period", "2030", "--out", str(out)])
    assert result.exit_code == 1 and "2030" in result.output
    assert not out.exists()
