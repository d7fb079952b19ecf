"""End to end: the engine reproduces the published ASEM index (COINr) at every stage."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from dxscore import index as ix

ASEM = Path(__file__).parents[1] / "fixtures" / "asem"
METHODOLOGY = Path(__file__).parents[2] / "examples" / "asem" / "methodology.yaml"
LEVELS = [
    "Index",
    "Conn",
    "Sust",
    "Physical",
    "ConEcFin",
    "Political",
    "Instit",
    "P2P",
    "Environ",
    "Social",
    "SusEcFin",
]


@pytest.fixture(scope="module")
def result() -> ix.Result:
    m = ix.load(METHODOLOGY)
    raw = pd.read_csv(ASEM / "iData.csv", dtype=object)
    raw = raw.rename(columns={"uCode": "unit", "uName": "name", "Time": "period"})
    raw = raw.drop(columns=["GDP_group", "GDPpc_group", "Pop_group"])
    return ix.compute(m, ix.dataset_from_frame(raw, m, source="iData.csv"))


def _expected(name: str, units: list[str]) -> pd.DataFrame:
    return pd.read_csv(ASEM / name).set_index("UnitCode").reindex(units)


@pytest.mark.parametrize(
    ("stage", "file"),
    [
        ("denominated", "expected_denominated.csv"),
        ("imputed", "expected_imputed.csv"),
        ("treated", "expected_treated.csv"),
        ("normalised", "expected_normalised.csv"),
    ],
)
def test_asem_intermediate_stage_matches_coinr(result, stage, file):
    units = result.data.units
    expected = _expected(file, units)
    got = getattr(result.stages, stage)
    assert len(result.methodology.indicators) == 49
    for code in result.methodology.indicators:
        np.testing.assert_allclose(
            got[code][0],
            expected[code].to_numpy(float),
            rtol=1e-7,
            atol=1e-10,
            err_msg=f"{stage} {code}",
        )


def test_asem_scores_match_published_to_two_decimals_at_every_level(result):
    units = result.data.units
    assert len(units) == 51
    expected = _expected("expected_scores.csv", units)
    for level in LEVELS:
        code = "index" if level == "Index" else level
        got = np.round(result.scores[code][0], 2)
        np.testing.assert_allclose(got, expected[level].to_numpy(float), atol=1e-9, err_msg=level)


def test_asem_ranks_match_published_at_every_level(result):
    units = result.data.units
    expected = _expected("expected_ranks.csv", units)
    for level in LEVELS:
        code = "index" if level == "Index" else level
        np.testing.assert_array_equal(result.ranks[code][0], expected[level].to_numpy(float), level)


def test_asem_winsorises_fifteen_indicators_and_logs_none(result):
    treated = {
        c: result.stages.treatment[c][0].winsorised
        for c in result.methodology.indicators
        if result.stages.treatment[c][0].winsorised
    }
    assert len(treated) == 15
    assert treated["Services"] == 4 and treated["Flights"] == 1 and treated["Bord"] == 3
    assert not any(result.stages.treatment[c][0].log for c in result.methodology.indicators)


def test_asem_imputed_values_are_flagged_in_the_explanation(result):
    mask = result.stages.imputed_mask
    code, unit_ix = next((c, int(np.argmax(m[0]))) for c, m in mask.items() if m[0].any())
    unit = result.data.units[unit_ix]
    table = result.explain(unit, "2018")
    row = table[(table.node == code)].iloc[0]
    assert bool(row.imputed) and np.isnan(row.denominated)
    assert row.normalised == result.stages.normalised[code][0, unit_ix]
