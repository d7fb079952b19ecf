"""Carrying values onto the map of a day, by each input's carry rule."""

from __future__ import annotations

import datetime as dt
import io

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dxscore import index as ix
from dxscore import lineage as ln

D = dt.date(2025, 7, 1)
METHODOLOGY = """
id: carry-test
version: "1"
title: Carry test
scale: [0, 100]
denominators:
  - {code: population, name: Population}
defaults:
  indicator: {normalisation: identity, carry: mean}
tree:
  children:
    - {code: received, carry: sum}
    - {code: on_time, carry: sum}
    - code: rate
      carry: {method: ratio, numerator: on_time, denominator: received, per: 100}
    - code: wscore
      carry: {method: weighted_mean, by: population}
    - {code: score}
    - {code: fresh, carry: none, required: false}
"""


@pytest.fixture(scope="module")
def m() -> ix.CompiledMethodology:
    return ix.loads(METHODOLOGY)


def lineage(text: str) -> ln.Lineage:
    return ln.from_frame(pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False))


def frame(rows: list[dict[str, object]]) -> pd.DataFrame:
    return pd.DataFrame(rows).astype({"unit": str, "period": str})


def unit_row(unit: str, received: float, on_time: float, score: float, pop: float, **kw):
    return {
        "unit": unit,
        "period": kw.get("period", "2024"),
        "received": received,
        "on_time": on_time,
        "rate": 100 * on_time / received,
        "wscore": score,
        "score": score,
        "fresh": kw.get("fresh", 50.0),
        "population": pop,
    }


def values(carried: ln.Carried, unit: str, period: str = "2024") -> dict[str, float]:
    d = carried.dataset
    p, u = d.period_index(period), d.unit_index(unit)
    return {code: float(arr[p, u]) for code, arr in d.values.items()}


def test_a_merge_carries_each_rule(m):
    merge = lineage("date,from,to,to_name\n2025-07-01,A,C,Cee\n2025-07-01,B,C,Cee\n")
    data = frame(
        [
            unit_row("A", 100, 80, 40, 1000),
            unit_row("B", 300, 150, 60, 3000),
            unit_row("K", 10, 5, 70, 10),
        ]
    )
    carried = ln.carry(data, merge, D, m)
    assert carried.dataset.units == ["C", "K"]
    c = values(carried, "C")
    assert c["received"] == 400 and c["on_time"] == 230 and c["population"] == 4000
    assert c["rate"] == pytest.approx(100 * 230 / 400)  # recomputed, not averaged
    assert c["score"] == pytest.approx(50)  # the plain mean
    assert c["wscore"] == pytest.approx((40 * 1000 + 60 * 3000) / 4000)
    assert np.isnan(c["fresh"])  # 'none': no value until the new unit reports
    assert values(carried, "K")["fresh"] == 50  # an unchanged unit keeps its own values
    assert carried.dataset.names["C"] == "Cee"
    assert carried.sources("C", "2024") == ["A", "B"]
    assert carried.sources("K", "2024") == []


def test_the_trail_keeps_the_predecessors_raw_values(m):
    merge = lineage("date,from,to\n2025-07-01,A,C\n2025-07-01,B,C\n")
    data = frame([unit_row("A", 100, 80, 40, 1000), unit_row("B", 300, 150, 60, 3000)])
    trail = ln.carry(data, merge, D, m).trail
    score = trail[trail["indicator"] == "score"]
    assert score[["from_unit", "from_value", "share", "value", "carry"]].values.tolist() == [
        ["A", 40.0, 1.0, 50.0, "mean"],
        ["B", 60.0, 1.0, 50.0, "mean"],
    ]
    assert set(trail["carry"]) >= {
        "sum",
        "ratio on_time/received x 100",
        "weighted_mean by population",
    }


def test_a_split_with_shares(m):
    split = lineage("date,from,to,share\n2025-07-01,A,B,0.25\n2025-07-01,A,C,0.75\n")
    carried = ln.carry(frame([unit_row("A", 400, 200, 30, 1000)]), split, D, m)
    b, c = values(carried, "B"), values(carried, "C")
    assert (b["received"], c["received"]) == (100, 300)  # counts by share
    assert (b["population"], c["population"]) == (250, 750)
    assert b["score"] == c["score"] == 30  # an intensive value: each part has the whole's
    assert b["rate"] == c["rate"] == 50


def test_a_transfer_of_part_of_a_unit(m):
    text = "date,kind,from,to,share\n2025-07-01,transfer,A,B,0.1\n"
    carried = ln.carry(
        frame([unit_row("A", 1000, 500, 20, 1000), unit_row("B", 100, 100, 80, 100)]),
        lineage(text),
        D,
        m,
    )
    a, b = values(carried, "A"), values(carried, "B")
    assert a["received"] == 900 and b["received"] == 200
    assert b["score"] == pytest.approx((0.1 * 20 + 80) / 1.1)  # weighted by share
    assert np.isnan(a["fresh"]) and np.isnan(b["fresh"])  # both changed: 'none' drops them


def test_before_the_change_the_old_map_is_unchanged(m):
    merge = lineage("date,from,to\n2025-07-01,A,C\n2025-07-01,B,C\n")
    data = frame([unit_row("A", 100, 80, 40, 1000), unit_row("B", 300, 150, 60, 3000)])
    plain = ix.dataset_from_frame(data, m)
    carried = ln.carry(data, merge, dt.date(2025, 6, 30), m)
    assert carried.dataset.units == plain.units and carried.trail.empty
    for code in plain.values:
        np.testing.assert_array_equal(carried.dataset.values[code], plain.values[code])
    a = ix.compute(m, plain).to_frame()
    b = ln.compute(m, data, merge, dt.date(2025, 6, 30)).to_frame()
    pd.testing.assert_frame_equal(a, b.drop(columns="carried_from"))


def test_abolition_of_a_level_moves_the_children_up():
    text = (
        "date,kind,from,to,level,parent\n"
        ",unit,,P,province,\n"
        ",unit,,D1,district,P\n"
        ",unit,,D2,district,P\n"
        ",unit,,C1,commune,D1\n"
        ",unit,,C2,commune,D1\n"
        ",unit,,C3,commune,D2\n"
        "2025-07-01,abolish,,,district,\n"
    )
    lin = lineage(text)
    before, after = D - dt.timedelta(1), D
    assert [u.code for u in lin.units_on(before)] == ["C1", "C2", "C3", "D1", "D2", "P"]
    assert [u.code for u in lin.units_on(after)] == ["C1", "C2", "C3", "P"]
    c1 = lin.unit_at("C1", after)
    assert lin.parent_on(c1, before) == "D1" and lin.parent_on(c1, after) == "P"
    # the communes go on (the same units), the districts' own values go nowhere
    steps, lost = lin.trace(c1, before, after)
    assert [(s.unit.code, s.same) for s in steps] == [("C1", True)] and lost == 0
    steps, lost = lin.trace(lin.unit_at("D1", before), before, after)
    assert steps == [] and lost == 1


def test_an_abolished_unit_moves_its_children_to_its_parents_successor():
    text = (
        "date,kind,from,to,level,parent\n"
        ",unit,,P1,province,\n"
        ",unit,,P2,province,\n"
        ",unit,,D1,district,P1\n"
        ",unit,,C1,commune,D1\n"
        "2025-07-01,merge,P1,Q,province,\n"
        "2025-07-01,merge,P2,Q,province,\n"
        "2025-07-01,abolish,D1,,district,\n"
    )
    lin = lineage(text)
    assert lin.parent_on(lin.unit_at("C1", D), D) == "Q"


def test_a_value_for_a_code_that_did_not_exist_names_the_row(m):
    merge = lineage("date,from,to\n2025-07-01,A,C\n2025-07-01,B,C\n")
    data = frame([unit_row("A", 1, 1, 1, 1), unit_row("A", 1, 1, 1, 1, period="2025")])
    with pytest.raises(ix.DataError) as caught:
        ln.carry(data, merge, dt.date(2026, 1, 1), m, source="values.csv")
    assert caught.value.source == "values.csv"
    ((where, message),) = caught.value.problems
    assert where == "row 3, column 'unit'"
    assert "'A' denotes no unit on 2025-12-31" in message and "A until 2025-06-30" in message


def test_a_value_cannot_be_carried_back_to_an_earlier_map(m):
    merge = lineage("date,from,to\n2025-07-01,A,C\n2025-07-01,B,C\n")
    data = frame([unit_row("C", 1, 1, 1, 1, period="2025")])
    with pytest.raises(ix.DataError, match="cannot be carried back"):
        ln.carry(data, merge, dt.date(2025, 6, 30), m)


def test_a_required_value_the_rule_cannot_carry_is_an_error(m):
    text = METHODOLOGY.replace(
        "{code: fresh, carry: none, required: false}", "{code: fresh, carry: none}"
    )
    strict = ix.loads(text)
    merge = lineage("date,from,to\n2025-07-01,A,C\n2025-07-01,B,C\n")
    data = frame([unit_row("A", 1, 1, 1, 1), unit_row("B", 1, 1, 1, 1)])
    with pytest.raises(ix.DataError) as caught:
        ln.carry(data, merge, D, strict)
    ((where, message),) = caught.value.problems
    assert where == "unit 'C', period '2024'"
    assert "'fresh' is required" in message and "carry rule is 'none'" in message


def test_a_missing_predecessor_value_leaves_the_sum_missing(m):
    merge = lineage("date,from,to\n2025-07-01,A,C\n2025-07-01,B,C\n")
    data = frame([unit_row("A", 100, 80, 40, 1000), unit_row("B", 300, 150, 60, 3000)])
    data.loc[1, "fresh"] = np.nan
    data.loc[1, "population"] = np.nan
    with pytest.raises(ix.DataError, match="'wscore' is required"):
        ln.carry(data, merge, D, m)


def test_carry_rules_come_from_defaults_levels_and_nodes(m):
    rules = ln.rules(m)
    assert rules["score"].method == "mean"  # the file's default
    assert rules["received"].method == "sum"
    assert rules["population"].method == "sum"  # denominators default to sum
    assert ln.rules(ix.load("vn-766"))[ix.load("vn-766").indicators[0]].method == "none"
    dti = ix.load("vn-dti-2022")
    assert {ln.rules(dti)[c].method for c in dti.indicators} == {"mean"}
    assert {ln.rules(ix.load("vn-dti-2020"))[c].method for c in ["digital_government"]} == {"mean"}


@pytest.mark.parametrize(
    ("carry", "where", "message"),
    [
        (
            "{method: ratio, numerator: nothing, denominator: received}",
            "tree > index > rate",
            "carry 'ratio': numerator 'nothing' is not an indicator or denominator",
        ),
        (
            "{method: weighted_mean, by: people}",
            "tree > index > rate",
            "carry 'weighted_mean': by 'people' is not an indicator or denominator",
        ),
        ("{method: weighted_mean}", "tree > index > rate > carry", "needs 'by'"),
        ("{method: ratio, numerator: on_time}", "tree > index > rate > carry", "needs 'numerator'"),
        ("{method: median}", "tree > index > rate > carry.method", "Input should be"),
    ],
)
def test_a_carry_rule_naming_a_missing_indicator_names_the_node(carry, where, message):
    text = METHODOLOGY.replace(
        "carry: {method: ratio, numerator: on_time, denominator: received, per: 100}",
        f"carry: {carry}",
    )
    with pytest.raises(ix.MethodologyError) as caught:
        ix.loads(text)
    assert any(w == where and message in msg for w, msg in caught.value.problems), (
        caught.value.problems
    )


def test_the_digest_of_a_methodology_without_carry_rules_is_unchanged():
    plain = "id: x\nversion: '1'\ntitle: X\ntree: {children: [{code: a}, {code: b}]}\n"
    explicit = plain.replace("{code: a}", "{code: a, carry: none}")
    changed = plain.replace("{code: a}", "{code: a, carry: sum}")
    assert ix.loads(plain).digest == ix.loads(explicit).digest != ix.loads(changed).digest


# --- the property: carrying then computing a rate = computing it on the merged records


@settings(max_examples=60, deadline=None)
@given(
    records=st.lists(st.tuples(st.integers(0, 5), st.booleans()), min_size=1, max_size=60),
    groups=st.lists(st.integers(0, 2), min_size=6, max_size=6),
)
def test_carrying_then_computing_a_rate_equals_the_rate_of_the_merged_records(records, groups):
    m = ix.loads(METHODOLOGY)
    units = [f"U{i}" for i in range(6)]
    merged_code = {u: f"N{g}" for u, g in zip(units, groups, strict=True)}
    lines = ["date,from,to"] + [f"2025-07-01,{u},{merged_code[u]}" for u in units]
    lin = lineage("\n".join(lines) + "\n")
    rows = []
    for u in units:
        mine = [ok for i, ok in records if units[i] == u]
        if mine:
            rows.append(unit_row(u, len(mine), sum(mine), 50, 1))
    carried = ln.carry(frame(rows), lin, D, m)
    for new in sorted(set(merged_code.values())):
        mine = [ok for i, ok in records if merged_code[units[i]] == new]
        if not mine:
            assert new not in carried.dataset.units
            continue
        got = values(carried, new)
        assert got["received"] == len(mine)
        assert got["rate"] == pytest.approx(100 * sum(mine) / len(mine))
        # and the computed node score of the rate is the rate of the merged records
        result = ix.compute(m, carried.dataset)
        p, u = result.data.period_index("2024"), result.data.unit_index(new)
        assert result.scores["rate"][p, u] == pytest.approx(100 * sum(mine) / len(mine))


def test_rebase_sends_each_old_unit_where_its_records_count():
    text = (
        "date,kind,from,to,share,level\n"
        "2025-07-01,merge,A,C,,commune\n"
        "2025-07-01,merge,B,C,,commune\n"
        "2025-07-01,split,D,E,0.3,commune\n"
        "2025-07-01,split,D,F,0.7,commune\n"
        "2025-07-01,abolish,X,,,district\n"
    )
    lin = lineage(text)
    table = ln.rebase_frame(lin, D, level="commune").sort_values(["member", "valid_from"])
    assert table.values.tolist() == [
        ["A", "", "2025-06-30", "C", 1.0],
        ["B", "", "2025-06-30", "C", 1.0],
        ["C", "2025-07-01", "", "C", 1.0],
        ["D", "", "2025-06-30", "F", 0.7],  # a record is not split: the largest share
        ["E", "2025-07-01", "", "E", 1.0],
        ["F", "2025-07-01", "", "F", 1.0],
    ]
    # before the change: the old map, and the new units are not on it yet
    before = ln.rebase_frame(lin, D - dt.timedelta(1))
    assert sorted(before["member"]) == ["A", "B", "D", "X"]
    assert (before["member"] == before["unit"]).all()
