"""The contests' pure rules: draw, shuffling, scoring, timing, ranking with tie-breaks,
participation per unit, flags and the initiatives' aggregation and conflict rule."""

from __future__ import annotations

import datetime as dt

import pytest

from dxscore import contests as c

BANK = [
    c.Pick(i, cat, diff)
    for i, (cat, diff) in enumerate(
        [("dx", 1)] * 6 + [("dx", 2)] * 4 + [("cchc", 1)] * 5 + [("p06", 3)] * 3, start=1
    )
]


def test_the_draw_fills_each_quota_and_is_reproducible_per_participant():
    quotas = [c.Quota(3, "dx", 1), c.Quota(2, "cchc"), c.Quota(1, "", 3), c.Quota(2)]
    first = c.draw(BANK, quotas, c.seed_for("round-1", "p-1", 1))
    assert first == c.draw(BANK, quotas, c.seed_for("round-1", "p-1", 1))
    assert len(first) == len(set(first)) == 8
    by_id = {q.id: q for q in BANK}
    assert sum(by_id[i].category == "dx" and by_id[i].difficulty == 1 for i in first) >= 3
    assert sum(by_id[i].category == "cchc" for i in first) >= 2
    assert sum(by_id[i].difficulty == 3 for i in first) >= 1
    others = {tuple(c.draw(BANK, quotas, c.seed_for("round-1", f"p-{n}", 1))) for n in range(20)}
    assert len(others) > 10  # participants get different draws


def test_a_general_quota_never_takes_what_a_specific_one_needs():
    bank = [c.Pick(1, "a", 1), c.Pick(2, "b", 1)]
    for n in range(30):  # the 'any' quota listed first still leaves 'a' for its quota
        assert sorted(c.draw(bank, [c.Quota(1), c.Quota(1, "a")], n)) == [1, 2]


def test_a_quota_the_bank_cannot_fill_is_named():
    with pytest.raises(c.DrawError, match="4 question.*p06.*the bank has 3"):
        c.draw(BANK, [c.Quota(4, "p06")], 1)


def test_options_are_shuffled_reproducibly():
    orders = {tuple(c.shuffled([11, 12, 13, 14], seed)) for seed in range(30)}
    assert len(orders) > 5
    assert c.shuffled([11, 12, 13, 14], 7) == c.shuffled([14, 13, 12, 11], 7)


def test_scoring_single_and_multiple_choice():
    assert c.is_correct("single", {2}, [2])
    assert not c.is_correct("single", {2}, [2, 3])
    assert c.is_correct("multiple", {1, 3}, [3, 1])
    assert not c.is_correct("multiple", {1, 3}, [1])  # no partial credit
    assert not c.is_correct("multiple", {1, 3}, [1, 2, 3])
    assert not c.is_correct("single", {2}, [])
    assert c.score([("single", {1}, [1], 2), ("multiple", {1, 2}, [1], 1)]) == 2


def test_the_timing_rule_refuses_at_and_after_the_deadline():
    served = dt.datetime(2025, 5, 1, 8, 0, tzinfo=dt.UTC)
    closes = dt.datetime(2025, 5, 1, 8, 10, tzinfo=dt.UTC)
    assert c.deadline(served, 300, closes) == served + dt.timedelta(seconds=300)
    assert c.deadline(served, 3600, closes) == closes  # never after the round closes
    end = c.deadline(served, 300, closes)
    assert c.accepts(end - dt.timedelta(microseconds=1), end)
    assert not c.accepts(end, end)
    assert c.remaining(served + dt.timedelta(seconds=100.7), end) == 199
    assert c.remaining(end + dt.timedelta(seconds=5), end) == 0


def test_ranking_tie_breaks_score_then_prediction_then_time():
    entries = [
        c.Entry("slow-close", 9, 100, 300),
        c.Entry("fast-close", 9, 96, 200),  # same distance 2 as 'slow-close', faster
        c.Entry("exact", 9, 98, 400),  # distance 0 wins before time
        c.Entry("top", 10, None, 900),  # score first, even without a prediction
        c.Entry("no-guess", 9, None, 10),
        c.Entry("twin", 9, 96, 200),  # equal on all three with 'fast-close'
    ]
    ranked = c.rank(entries, true_count=98)  # people got everything right
    order = [(r.rank, r.entry.key) for r in ranked]
    assert order == [
        (1, "top"),
        (2, "exact"),
        (3, "fast-close"),
        (3, "twin"),
        (5, "slow-close"),
        (6, "no-guess"),
    ]


def test_the_best_attempt_counts():
    assert c.best_attempt([("a", 5, 100), ("b", 7, 300), ("c", 7, 200)]) == "c"
    assert c.best_attempt([]) is None


def test_participation_per_unit_counts_people_once_below_each_unit():
    units = {"D1": "/1/2/", "D2": "/1/3/"}
    results = [
        ("p1", "/1/2/", 8, 10),
        ("p1", "/1/2/", 10, 10),  # the same person again: counted once, best share
        ("p2", "/1/2/9/", 5, 10),  # a commune of D1
        ("p3", "/1/3/", 6, 10),
        ("p4", "/1/", 10, 10),  # the province itself: neither district
    ]
    got = {p.unit: p for p in c.per_unit(units, results, {"D1": 40})}
    assert got["D1"].participants == 2 and got["D1"].rate == pytest.approx(0.05)
    assert got["D1"].mean_share == pytest.approx(0.75)
    assert got["D2"].participants == 1 and got["D2"].rate is None
    assert c.per_unit({"D3": "/9/"}, results)[0].mean_share is None


def test_flags_shared_addresses_and_answers_faster_than_reading():
    seen = [(f"id{n}", "10.0.0.1") for n in range(6)] + [("x", "10.0.0.2"), ("x", "10.0.0.2")]
    assert list(c.shared_addresses(seen, threshold=5)) == ["10.0.0.1"]
    words = " ".join(["từ"] * 40)  # 10 s to read
    assert c.too_fast([c.AnswerTime(words, 2), c.AnswerTime(words, 3), c.AnswerTime(words, 30)])
    assert not c.too_fast([c.AnswerTime(words, 12), c.AnswerTime(words, 3)])


def test_aggregation_of_evaluators():
    assert c.aggregate([6, 8, 10]) == 8
    assert c.aggregate([2, 8, 9, 10], "trimmed_mean") == 8.5
    assert c.aggregate([2, 8], "trimmed_mean") == 5  # too few to trim
    assert c.aggregate([]) is None
    with pytest.raises(ValueError):
        c.aggregate([1], "median")


def test_an_evaluator_never_scores_their_own_units_submission():
    province, dept, commune = "/1/", "/1/5/", "/1/5/9/"
    assert c.conflicted(dept, dept, province)
    assert c.conflicted(dept, commune, province)  # below their unit
    assert c.conflicted(commune, dept, province)  # above their unit
    assert not c.conflicted("/1/6/", dept, province)  # another department
    assert not c.conflicted(province, dept, province)  # the organisers judge all
    assert c.conflicted(province, province, province)  # but not the organiser's own
    assert not c.conflicted(dept, province, province)
    assert not c.conflicted(None, dept, province)
