"""Units are a code and a validity; the stored lineage is the engine's lineage."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from dxscore import lineage as ln
from dxscore.web.orgs.lineage import build_lineage, workspace_lineage
from dxscore.web.orgs.models import Level, Unit, UnitChange

BEFORE, AFTER = dt.date(2025, 6, 30), dt.date(2025, 7, 1)

FILE = """date,kind,from,to,share,from_name,to_name,level,parent
2025-07-01,merge,10,15,,Lào Cai,Lào Cai,province,VN
2025-07-01,merge,15,15,,Yên Bái,Lào Cai,province,VN
"""


@pytest.fixture
def reform(db):
    """Lào Cai (10) and Yên Bái (15) merge on 1 July 2025 into a new Lào Cai under code 15."""
    country = Level.objects.create(name="country", depth=0)
    province = Level.objects.create(name="province", depth=1)
    vn = Unit.objects.create(code="VN", name="Việt Nam", level=country)
    old_lc = Unit.objects.create(
        code="10", name="Lào Cai", level=province, parent=vn, valid_to=BEFORE
    )
    yb = Unit.objects.create(code="15", name="Yên Bái", level=province, parent=vn, valid_to=BEFORE)
    new_lc = Unit.objects.create(
        code="15", name="Lào Cai", level=province, parent=vn, valid_from=AFTER
    )
    for source in (old_lc, yb):
        UnitChange.objects.create(date=AFTER, kind="merge", source=source, target=new_lc)
    return {"vn": vn, "old_lc": old_lc, "yb": yb, "new_lc": new_lc}


def test_one_code_denotes_different_units_one_after_the_other(reform):
    assert (reform["yb"].key, reform["new_lc"].key) == ("15", "15@2025-07-01")
    assert Unit.objects.at("15", BEFORE) == reform["yb"]
    assert Unit.objects.at("15", AFTER) == reform["new_lc"]
    assert Unit.objects.at("10", AFTER) is None
    assert Unit.objects.by_code("15") == reform["new_lc"]  # today's
    assert Unit.objects.by_code("10") == reform["old_lc"]  # no unit in force: the last one
    assert set(Unit.objects.in_force(AFTER).values_list("key", flat=True)) == {
        "VN",
        "15@2025-07-01",
    }
    assert set(reform["new_lc"].predecessor_units()) == {reform["old_lc"], reform["yb"]}
    assert list(reform["yb"].successor_units()) == [reform["new_lc"]]


def test_a_code_cannot_denote_two_units_at_once(reform):
    clash = Unit(
        code="15",
        name="Another",
        level=reform["yb"].level,
        parent=reform["vn"],
        valid_from=dt.date(2025, 6, 1),
    )
    with pytest.raises(ValidationError) as caught:
        clash.full_clean()
    assert "one code denotes one unit at a time" in str(caught.value)
    later = Unit(code="10", name="Later", level=reform["yb"].level, valid_from=AFTER)
    later.full_clean()  # 10 is free from 1 July 2025


def test_the_stored_lineage_traces_as_the_same_lineage_from_a_file(reform, tmp_path):
    path = tmp_path / "reform.csv"
    path.write_text(FILE, encoding="utf-8")
    from_file = ln.read(path)
    stored = workspace_lineage()
    for lineage in (from_file, stored):
        yb = lineage.unit_at("15", BEFORE)
        assert yb is not None and yb.key == "15"
        steps, lost = lineage.trace(yb, BEFORE, AFTER)
        assert [(s.unit.key, s.share, s.same) for s in steps] == [("15@2025-07-01", 1.0, False)]
        assert lost == 0
        new = lineage.unit_at("15", AFTER)
        assert new is not None
        assert sorted(lineage.units[f.source].code for f in lineage.predecessors(new)) == [
            "10",
            "15",
        ]


def test_the_stored_lineage_is_read_again_after_a_change(reform):
    first = workspace_lineage()
    assert workspace_lineage() is first  # kept while nothing changes
    reform["vn"].name = "Viet Nam"
    reform["vn"].save()
    assert workspace_lineage().units["VN"].name == "Viet Nam"
    assert build_lineage().units["VN"].name == "Viet Nam"


def test_carrying_on_the_stored_lineage_means_the_predecessors(reform):
    import pandas as pd

    from dxscore import index as ix

    m = ix.loads(
        """id: t
version: "1"
title: T
defaults:
  indicator: {normalisation: identity, range: [0, 1], carry: mean}
tree:
  code: index
  children:
    - code: a
"""
    )
    frame = pd.DataFrame(
        {
            "unit": ["10", "15"],
            "period": ["2024", "2024"],
            "indicator": "a",
            "value": ["0.2", "0.6"],
        }
    )
    carried = ln.carry(frame, workspace_lineage(), AFTER, m)
    assert carried.dataset.units == ["15"]
    assert carried.dataset.values["a"][0, 0] == pytest.approx(0.4)
    assert sorted(carried.sources("15", "2024")) == ["10", "15"]
