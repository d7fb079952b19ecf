"""Lạng Sơn demo content: Resolution 49-NQ/TU's 30 targets, 22 met at the end of 2024."""

from dxscore.demo.langson import (
    DEPARTMENTS,
    DISTRICTS,
    KEY_TASKS,
    PILLARS,
    TARGETS,
    target_statuses,
)
from dxscore.plans import period_end, summarise


def test_thirty_numbered_targets_over_the_five_pillars():
    assert [t.number for t in TARGETS] == list(range(1, 31))
    assert {t.pillar for t in TARGETS} == set(PILLARS) and len(PILLARS) == 5


def test_twenty_two_of_thirty_targets_are_met_at_the_end_of_2024():
    counts = summarise(target_statuses("2024").values())
    assert counts["met"] == 22 and counts["total"] == 30


def test_the_summary_history_only_grows_towards_2024():
    met = [summarise(target_statuses(y).values())["met"] for y in ("2021", "2022", "2023", "2024")]
    assert met == sorted(met) and met[-1] == 22


def test_owners_are_demo_units_and_eight_key_tasks_have_deadlines_after_their_start():
    codes = {c for c, _ in DISTRICTS + DEPARTMENTS}
    assert len(DISTRICTS) == 11
    assert all(t.owner in codes for t in TARGETS)
    assert len(KEY_TASKS) == 8
    for title, owner, cooperating, start, deadline, expected, progress in KEY_TASKS:
        assert owner in codes and set(cooperating) <= codes and title and expected
        assert period_end(start) < period_end(deadline)
        percents = [p for _, p, _ in progress]
        assert percents == sorted(percents) and all(0 <= p <= 100 for p in percents)
