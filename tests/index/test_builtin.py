"""The built-in methodologies reproduce published figures."""

import io

import pandas as pd
import pytest

from dxscore import index as ix
from dxscore.cli.index import example_path

PUBLISHED_2022_PDTI = {"48": 0.8002, "79": 0.7163, "22": 0.7024, "46": 0.6975, "92": 0.6924}


def test_builtin_ids_are_the_national_methodologies_and_the_emulation_ranking():
    assert ix.builtin_ids() == ["province-emulation", "vn-766", "vn-dti-2020", "vn-dti-2022"]


def test_dti_2022_reproduces_the_five_published_totals_to_four_decimals():
    m = ix.load("vn-dti-2022")
    result = ix.compute(m, ix.load_dataset(example_path(), m))
    ranking = result.ranking("2022")
    got = dict(zip(ranking["unit"], ranking["index"], strict=True))
    # The inputs are published rounded to 4 decimals (error <= 0.00005 each, so <= 0.00005
    # on the point sum / 1000) and so is the total (<= 0.00005): together at most 0.0001.
    assert got == pytest.approx(PUBLISHED_2022_PDTI, abs=1e-4 + 1e-12)
    assert round(got["48"], 4) == 0.8002  # Da Nang reproduces exactly
    assert list(ranking["unit"]) == ["48", "79", "22", "46", "92"]
    assert list(ranking["rank"]) == [1, 2, 3, 4, 5]


def test_dti_2022_index_is_the_point_sum_over_1000():
    m = ix.load("vn-dti-2022")
    result = ix.compute(m, ix.load_dataset(example_path(), m))
    u = result.data.unit_index("48")
    # Da Nang: 100 + 90 + 82.53 + 84.87 + 75.78 + 0.8575*200 + 0.7836*150 + 0.5197*150
    assert result.aggregation.points["index"][0, u] == pytest.approx(800.175)
    assert result.scores["index"][0, u] == pytest.approx(0.800175)


def test_dti_2022_pillar_is_foundation_plus_its_activity_over_500_plus_its_maximum():
    m = ix.load("vn-dti-2022")
    result = ix.compute(m, ix.load_dataset(example_path(), m))
    u = result.data.unit_index("48")
    foundation = 100 + 90 + 82.53 + 84.87 + 75.78
    assert result.scores["digital_government"][0, u] == pytest.approx(
        (foundation + 0.8575 * 200) / 700
    )
    assert result.scores["digital_society"][0, u] == pytest.approx(
        (foundation + 0.5197 * 150) / 650
    )
    # pillars are views: the index does not count the foundation three times
    assert result.aggregation.points["index"][0, u] == pytest.approx(800.175)


def test_dti_2020_is_weighted_04_03_03():
    m = ix.load("vn-dti-2020")
    frame = pd.DataFrame(
        {
            "unit": ["A", "B"],
            "period": ["2020", "2020"],
            "digital_government": [0.5, 0.2],
            "digital_economy": [0.3, 0.4],
            "digital_society": [0.1, 0.9],
        }
    )
    result = ix.compute(m, ix.dataset_from_frame(frame, m))
    assert result.scores["index"][0] == pytest.approx(
        [0.4 * 0.5 + 0.3 * 0.3 + 0.3 * 0.1, 0.4 * 0.2 + 0.3 * 0.4 + 0.3 * 0.9]
    )


def _766(values: dict[str, float]) -> ix.Result:
    m = ix.load("vn-766")
    frame = pd.DataFrame([{"unit": "P", "period": "2024", **values}])
    return ix.compute(m, ix.dataset_from_frame(frame, m))


FULL_766 = {c: 1.0 for c in ix.load("vn-766").indicators}


def test_766_timeliness_from_the_checked_counts_is_17_68_points():
    result = _766({**FULL_766, "timeliness_rate": 528_684 / 597_918})
    assert round(result.aggregation.points["timeliness"][0, 0], 2) == 17.68
    assert round(result.scores["timeliness_rate"][0, 0], 2) == 88.42


def test_766_online_service_from_the_checked_counts_is_8_41_points():
    result = _766(
        {
            **FULL_766,
            "online_procedure_share": 52 / 89,
            "online_service_use_share": 449 / 1884,
            "online_share": 435_258 / 440_558,
        }
    )
    points = result.aggregation.points
    assert round(points["online_procedure_share"][0, 0], 2) == 1.46
    assert round(points["online_service_use_share"][0, 0], 2) == 0.95
    assert round(points["online_share"][0, 0], 2) == 6.0
    assert round(points["online_service"][0, 0], 2) == 8.41


def test_766_full_marks_everywhere_is_100_and_payment_is_capped_at_10():
    result = _766(FULL_766)
    assert result.scores["index"][0, 0] == pytest.approx(100.0)
    assert result.aggregation.points["online_payment"][0, 0] == pytest.approx(10.0)


def test_766_missing_petitions_score_full_marks_and_missing_satisfaction_zero():
    values = {k: v for k, v in FULL_766.items() if "petition" not in k}
    values.pop("procedure_satisfaction_rate")
    result = _766(values)
    assert result.aggregation.points["satisfaction"][0, 0] == pytest.approx(12.0)


def test_builtin_docs_pages_are_up_to_date():
    from pathlib import Path

    from dxscore.index.docs import render

    docs = Path(__file__).parents[2] / "docs" / "methodologies"
    for mid in ix.builtin_ids():
        page = docs / f"{mid}.md"
        assert page.exists(), f"run: dxscore index doc {mid} --out {page}"
        assert page.read_text(encoding="utf-8") == render(ix.load(mid)), (
            f"{page} is stale; run: dxscore index doc {mid} --out {page}"
        )


def test_doc_page_lists_every_node():
    from dxscore.index.docs import render

    m = ix.load("vn-766")
    text = render(m)
    for code in m.nodes:
        assert f"`{code}`" in text
    assert io.StringIO(text).readline().startswith("# Decision 766")


def test_emulation_ranking_scores_distance_to_the_national_targets():
    m = ix.load("province-emulation")
    frame = pd.DataFrame(
        {
            "unit": ["SoTTTT", "HuyenA"],
            "period": ["2024", "2024"],
            "online_share": [0.9, 0.4],
            "timeliness_rate": [0.95, 0.8],
            "digitised_share": [0.8, 0.4],
            "paid_online_share": [0.5, 0.1],
            "satisfaction": [4.6, None],
            "work_records_online_share": [0.99, 0.45],
            "digital_signature_share": [1.0, 0.6],
            "it_staff_trained_share": [0.7, 0.3],
            "tasks_on_time_share": [1.0, 0.5],
            "targets_met_share": [None, 0.5],
        }
    )
    result = ix.compute(m, ix.dataset_from_frame(frame, m))
    scores = dict(zip(result.data.units, result.scores["index"][0], strict=True))
    public_a = (100 + 95 + 100 + 50 + 90) / 5  # online and digitised capped at their targets
    ready_a = (100 + 100 + 70) / 3
    assert scores["SoTTTT"] == pytest.approx(0.4 * public_a + 0.3 * ready_a + 0.3 * 100)
    public_b = (50 + 80 + 50 + 10 + 90) / 5  # the missing rating takes the median (4.6)
    ready_b = (50 + 60 + 30) / 3
    assert scores["HuyenA"] == pytest.approx(0.4 * public_b + 0.3 * ready_b + 0.3 * 50)
