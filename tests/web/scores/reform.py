"""A district reform for the tests of runs and pages on either map: TP. Bắc Ninh (256)
and Từ Sơn (257) merge on 1 July 2025 into a new district under Từ Sơn's code."""

from __future__ import annotations

import datetime as dt

import pytest

from dxscore.web.data.methodologies import store
from dxscore.web.orgs.models import Unit, UnitChange
from tests.web.support import approved

AFTER = dt.date(2025, 7, 1)

CARRY_YAML = """\
id: test-carry
version: "1"
title: District index on any map
scale: [0, 100]
defaults:
  indicator: {normalisation: identity, range: [0, 100], carry: mean}
tree:
  code: index
  name: District index
  children:
    - {code: online, name: Online dossiers, weight: 2}
    - {code: ontime, name: On-time processing, weight: 1}
"""


def merge_districts(org) -> Unit:
    """TP. Bắc Ninh (256) and Từ Sơn (257) end on 30 June 2025; from 1 July a new
    district under code 257 (Từ Sơn's code) holds both."""
    for old in (org.d256, org.d257):
        old.valid_to = AFTER - dt.timedelta(days=1)
        old.save()
    new = Unit.objects.create(
        code="257", name="Bắc Ninh mới", level=org.district, parent=org.bac_ninh, valid_from=AFTER
    )
    for old in (org.d256, org.d257):
        UnitChange.objects.create(date=AFTER, kind="merge", source=old, target=new)
    return new


@pytest.fixture
def carrying(org):
    m = store(CARRY_YAML, purpose="district ranking")
    m.reporting_level = org.district
    m.save()
    return m


@pytest.fixture
def reformed(people, carrying, periods, org):
    p = periods["2024"]
    admin = people | {"approver": people["admin"]}
    approved(people, carrying, p, org.d256, online=60, ontime=90)
    approved(people, carrying, p, org.d257, online=30, ontime=60)
    approved(admin, carrying, p, org.d80, online=99, ontime=99)
    return merge_districts(org)
