"""Figures per unit, sector and size equal plain counts and means; small counts are
suppressed; counts and rates are kept."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from dxscore import assessments as qa
from tests.assessments.test_questionnaire import small

AREAS = {"c1": ["c1", "D", "P"], "c2": ["c2", "D", "P"], "c3": ["c3", "P"]}


def sheets(n=60, seed=5) -> pd.DataFrame:
    q = small()
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame(
        {
            "period": rng.choice(["2024", "2025"], n),
            "commune": rng.choice(["c1", "c2", "c3"], n, p=[0.6, 0.35, 0.05]),
            "sector": rng.choice(["trade", "ict", ""], n),
            "size": rng.choice(["micro", "small"], n),
            "p1": rng.uniform(0, 100, n),
            "p2": rng.uniform(0, 100, n),
        }
    )
    frame["score"] = (frame["p1"] + 3 * frame["p2"]) / 4
    frame["level"] = qa.levels_of(q, frame["score"].to_numpy())
    return frame


def test_figures_equal_plain_counts_and_means():
    q = small()
    frame = sheets()
    out = qa.figures(q, frame, AREAS, min_count=1).set_index(
        ["period", "unit", "dimension", "group", "measure"]
    )
    for period in ("2024", "2025"):
        mine = frame[frame.period == period]
        for unit in ("c1", "c2", "c3", "D", "P"):
            inside = mine[[unit in AREAS[c] for c in mine.commune]]
            if inside.empty:
                continue
            key = (period, unit, "all", "")
            assert out.loc[(*key, "responses"), "value"] == len(inside)
            assert out.loc[(*key, "score"), "value"] == pytest.approx(inside.score.mean())
            assert out.loc[(*key, "p2"), "value"] == pytest.approx(inside.p2.mean())
            share = (inside.level == "high").mean()
            assert out.loc[(*key, "share_high"), "value"] == pytest.approx(share)
            for sector, group in inside[inside.sector != ""].groupby("sector"):
                row = out.loc[(period, unit, "sector", sector, "score")]
                assert row["value"] == pytest.approx(group.score.mean())
                assert row["count"] == len(group)
    # sheets without a sector count in no sector
    assert "" not in set(out.xs("sector", level="dimension").index.get_level_values("group"))


def test_small_counts_are_suppressed_but_counts_kept():
    q = small()
    frame = sheets()
    out = qa.figures(q, frame, AREAS, min_count=5)
    small_groups = out[(out["count"] < 5)]
    assert not small_groups.empty
    means = small_groups[~small_groups.measure.isin(["responses", "response_rate"])]
    assert means["suppressed"].all() and means["value"].isna().all()
    counts = small_groups[small_groups.measure == "responses"]
    assert (~counts["suppressed"]).all() and (counts["value"] == counts["count"]).all()
    big = out[(out["count"] >= 5) & (out.measure == "score")]
    assert (~big["suppressed"]).all() and big["value"].notna().all()


def test_response_rates_from_the_register():
    q = small()
    frame = sheets()
    registered = {("all", "P", ""): 200, ("sector", "P", "trade"): 50}
    out = qa.figures(q, frame, AREAS, 1, registered).set_index(
        ["period", "unit", "dimension", "group", "measure"]
    )
    n = (frame.period == "2025").sum()
    assert out.loc[("2025", "P", "all", "", "response_rate"), "value"] == pytest.approx(n / 200)
    trade = ((frame.period == "2025") & (frame.sector == "trade")).sum()
    got = out.loc[("2025", "P", "sector", "trade", "response_rate"), "value"]
    assert got == pytest.approx(trade / 50)
    assert np.isnan(out.loc[("2025", "D", "all", "", "response_rate"), "value"])


def test_no_sheets_no_figures():
    out = qa.figures(small(), sheets().iloc[0:0], AREAS, 5)
    assert out.empty and list(out.columns) == qa.figures.__globals__["COLUMNS"]
