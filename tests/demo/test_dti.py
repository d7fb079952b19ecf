"""The demo DTI data keeps every published fact it claims to keep."""

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from dxscore import index as ix
from dxscore.cli import app
from dxscore.demo.dti import AVERAGES, PUBLISHED_2022, build, ranking_2022


@pytest.fixture(scope="module")
def results():
    data = build()
    m20, m22 = ix.load("vn-dti-2020"), ix.load("vn-dti-2022")
    r20 = ix.compute(m20, ix.dataset_from_frame(data.pillars_2020.astype(object), m20))
    r22 = ix.compute(m22, ix.dataset_from_frame(data.main_2021_2024.astype(object), m22))
    return data, r20, r22


def rank(result, unit: str, period: str) -> int:
    return int(
        result.ranks["index"][result.data.period_index(period), result.data.unit_index(unit)]
    )


def test_all_63_provinces_every_year(results):
    data, r20, r22 = results
    assert len(data.provinces) == 63
    assert r20.data.present.sum() == 63
    assert r22.data.periods == ["2021", "2022", "2023", "2024"]
    assert r22.data.present.all() and r22.data.present.shape == (4, 63)


def test_2022_rank_order_is_the_published_one_with_the_tie_at_15th(results):
    _, _, r22 = results
    published = ranking_2022().set_index("code")["rank_2022"]
    p = r22.data.period_index("2022")
    got = pd.Series(r22.ranks["index"][p], index=r22.data.units).astype(int)
    pd.testing.assert_series_equal(got.reindex(published.index), published, check_names=False)
    assert got["38"] == got["15"] == 15 and 16 not in set(got)


def test_the_five_published_2022_rows_are_exact(results):
    data, _, r22 = results
    rows = data.main_2021_2024[data.main_2021_2024.period == "2022"].set_index("unit")
    for code, values in PUBLISHED_2022.items():
        assert rows.loc[code, list(rows.columns[2:])].tolist() == values
    assert set(data.published.unit) == set(PUBLISHED_2022)
    p = r22.data.period_index("2022")
    assert round(r22.scores["index"][p, r22.data.unit_index("48")], 4) == 0.8002


def test_yearly_averages_are_the_published_ones(results):
    _, r20, r22 = results
    assert round(np.mean(np.round(r20.scores["index"][0], 4)), 4) == AVERAGES["2020"]
    for period in ("2021", "2022", "2023", "2024"):
        scores = np.round(r22.scores["index"][r22.data.period_index(period)], 4)
        assert round(scores.mean(), 4) == AVERAGES[period], period


def test_2024_pillar_averages(results):
    _, _, r22 = results
    p = r22.data.period_index("2024")
    got = {n: round(r22.scores[n][p].mean(), 4) for n in r22.methodology.side_nodes}
    assert got == {
        "digital_government": 0.7582,
        "digital_economy": 0.7723,
        "digital_society": 0.7692,
    }


@pytest.mark.parametrize(
    ("unit", "expected"),
    [
        ("80", {"2020": 27, "2021": 21, "2022": 11}),  # Long An
        ("20", {"2020": 16, "2021": 5, "2022": 6, "2023": 4}),  # Lang Son
        ("27", {"2020": 3, "2021": 4, "2022": 7}),  # Bac Ninh
        ("01", {"2022": 24, "2023": 6, "2024": 1}),  # Ha Noi
        ("48", {"2020": 1, "2021": 1, "2022": 1, "2023": 1}),  # Da Nang
    ],
)
def test_province_trajectories(results, unit, expected):
    _, r20, r22 = results
    for period, want in expected.items():
        got = rank(r20, unit, period) if period == "2020" else rank(r22, unit, period)
        assert got == want, (unit, period)


def test_stated_totals_of_da_nang_2023_and_ha_noi_2024(results):
    _, _, r22 = results
    da_nang = r22.scores["index"][r22.data.period_index("2023"), r22.data.unit_index("48")]
    ha_noi = r22.scores["index"][r22.data.period_index("2024"), r22.data.unit_index("01")]
    assert round(da_nang, 4) == 0.8340 and round(ha_noi, 4) == 0.8241


def test_values_are_shares_with_four_decimals_and_the_build_is_repeatable(results):
    data, _, _ = results
    values = data.main_2021_2024.iloc[:, 3:].to_numpy(float)
    assert ((values >= 0) & (values <= 1)).all()
    np.testing.assert_array_equal(np.round(values, 4), values)
    pd.testing.assert_frame_equal(build().main_2021_2024, data.main_2021_2024)


def test_demo_ranking_prints_the_ranking_and_says_what_is_synthetic(tmp_path):
    runner = CliRunner()
    result = runner.invoke(app, ["demo", "ranking"])
    assert result.exit_code == 0, result.output
    assert "synthetic" in result.output and "Lạng Sơn" in result.output
    result = runner.invoke(app, ["demo", "data", "--out", str(tmp_path)])
    assert result.exit_code == 0
    frame = pd.read_csv(tmp_path / "dti-2021-2024.csv", dtype={"unit": str})
    assert len(frame) == 4 * 63
