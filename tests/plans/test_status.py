"""Target status: computed from approved values and a projection, on the edge cases."""

import pytest

from dxscore.plans import Target, TargetError, assess, period_end, summarise

ONLINE_70 = Target(
    deadline="2025", comparison=">=", value=70.0, baseline=30.0, baseline_period="2020"
)


def test_period_ends_compare_across_granularities():
    assert period_end("2024") == 2025.0
    assert period_end("2024Q3") == 2024.75
    assert period_end("2024-07") == pytest.approx(2024 + 7 / 12)
    assert period_end("2024-12-31") == pytest.approx(2025.0)
    with pytest.raises(TargetError):
        period_end("July 2024")


def test_no_approved_value_is_no_data():
    result = assess(ONLINE_70, {}, as_of="2023")
    assert result.status == "no_data"
    # values after the assessment date do not count yet
    assert assess(ONLINE_70, {"2024": 80.0}, as_of="2023").status == "no_data"


def test_met_when_the_latest_value_satisfies_the_comparison():
    result = assess(ONLINE_70, {"2022": 50.0, "2023": 71.0}, as_of="2023")
    assert result.status == "met" and result.latest_value == 71.0
    assert result.progress == 1.0


def test_on_track_when_the_trend_reaches_the_target_by_the_deadline():
    # 40, 50, 60 in 2021-2023: +10 a year projects 80 at the end of 2025
    result = assess(ONLINE_70, {"2021": 40.0, "2022": 50.0, "2023": 60.0}, as_of="2023")
    assert result.status == "on_track"
    assert result.projected_value == pytest.approx(80.0)
    assert result.progress == pytest.approx(0.75)  # (60 - 30) / (70 - 30)


def test_at_risk_when_the_trend_falls_short():
    # 55, 57, 59: +2 a year projects 63 < 70
    result = assess(ONLINE_70, {"2021": 55.0, "2022": 57.0, "2023": 59.0}, as_of="2023")
    assert result.status == "at_risk" and result.projected_value == pytest.approx(63.0)


def test_one_value_projects_from_the_baseline():
    # baseline 30 in 2020, 54 in 2023: +8 a year projects 70 at the end of 2025
    result = assess(ONLINE_70, {"2023": 54.0}, as_of="2023")
    assert result.status == "on_track" and result.projected_value == pytest.approx(70.0)
    lonely = Target(deadline="2025", comparison=">=", value=70.0)
    assert assess(lonely, {"2023": 54.0}, as_of="2023").status == "at_risk"


def test_deadline_passed_uses_the_value_by_the_deadline():
    values = {"2024": 65.0, "2025": 69.0, "2026": 75.0}
    result = assess(ONLINE_70, values, as_of="2026")
    assert result.status == "missed" and result.latest_period == "2025"
    assert assess(ONLINE_70, {"2025": 70.0}, as_of="2027").status == "met"
    assert assess(ONLINE_70, {"2026": 90.0}, as_of="2027").status == "no_data"


def test_lower_is_better_targets():
    # processing time down to 5 days by 2025Q4
    days = Target(
        deadline="2025Q4", comparison="<=", value=5.0, baseline=9.0, baseline_period="2024Q4"
    )
    assert assess(days, {"2025Q1": 8.0, "2025Q2": 7.0}, as_of="2025Q2").status == "on_track"
    assert assess(days, {"2025Q1": 8.0, "2025Q2": 7.9}, as_of="2025Q2").status == "at_risk"
    assert assess(days, {"2025Q3": 4.5}, as_of="2025Q3").status == "met"
    assert assess(days, {"2025Q4": 6.0}, as_of="2026Q1").status == "missed"


def test_qualitative_targets_follow_their_evidence():
    plan = Target(deadline="2025")
    assert assess(plan, {}, as_of="2024", evidence_approved=True).status == "met"
    assert assess(plan, {}, as_of="2024").status == "no_data"
    assert assess(plan, {}, as_of="2025-06").status == "at_risk"
    assert assess(plan, {}, as_of="2026").status == "missed"


def test_a_baseline_after_the_deadline_is_an_invalid_target():
    bad = Target(deadline="2024", comparison=">=", value=1.0, baseline=0.5, baseline_period="2025")
    with pytest.raises(TargetError, match="baseline period 2025 is after the deadline 2024"):
        assess(bad, {"2024": 1.0}, as_of="2024")


def test_equality_targets_are_on_track_when_the_trend_crosses_the_value():
    all_online = Target(deadline="2025", comparison="==", value=100.0)
    assert assess(all_online, {"2023": 90.0, "2024": 96.0}, as_of="2024").status == "on_track"
    assert assess(all_online, {"2024": 100.0}, as_of="2024").status == "met"


def test_summary_counts_n_of_m_met():
    counts = summarise(["met", "met", "at_risk", "no_data", "met"])
    assert counts["met"] == 3 and counts["total"] == 5 and counts["missed"] == 0


def test_a_qualitative_target_has_no_value_to_compare_with():
    with pytest.raises(TargetError, match="qualitative"):
        Target(deadline="2025").satisfied(1.0)
