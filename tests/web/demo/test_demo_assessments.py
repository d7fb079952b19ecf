"""The demo's self-assessments: about a thousand businesses of Lạng Sơn across sectors
and communes, sheets in 2024 and 2025, figures computed and published; built once."""

from __future__ import annotations

import datetime as dt

from dxscore.demo import assessments as demo
from dxscore.demo.platform import load as load_langson
from dxscore.web.assessments.models import Figure, Respondent, Sheet
from dxscore.web.data.models import Value
from dxscore.web.orgs.models import Level, Unit


def test_a_thousand_businesses_with_sheets_in_two_years(db, settings, tmp_path):
    settings.DXSCORE_DOSSIER_STORE = tmp_path / "no-dossiers"
    load_langson(user=None)
    level = Level.objects.get_or_create(name="commune", defaults={"depth": 3})[0]
    districts = list(Unit.objects.filter(code__startswith="20-D"))
    province = Unit.objects.get(code="20")
    reform = dt.date(2025, 7, 1)
    for i in range(4):  # communes of the old map, under districts, ended by the reform
        Unit.objects.create(
            code=f"20-D01-X{i:03d}",
            name=f"Xã cũ {i} (synthetic)",
            level=level,
            parent=districts[0],
            valid_to=reform - dt.timedelta(days=1),
        )
    for i in range(30):  # the current map: national codes, directly under the province
        Unit.objects.create(
            code=f"{6000 + 3 * i:05d}",
            name=f"Xã {i} (synthetic)",
            level=level,
            parent=province,
            valid_from=reform,
        )
    counts = demo.load()
    assert counts["businesses"] == demo.BUSINESSES
    assert 1500 < counts["sheets"] < 2000 and counts["ratings"] == 0
    assert demo.load()["businesses"] == 0  # once
    assert Respondent.objects.values("sector").distinct().count() == len(demo.SECTORS)
    # the businesses are in the communes of the current map only
    assert Respondent.objects.values("commune").distinct().count() == 30
    assert not Respondent.objects.filter(commune__valid_to__isnull=False).exists()
    for year in demo.YEARS:
        sheets = Sheet.objects.filter(series="dbi-business", period__code=year)
        province = Figure.objects.get(
            unit__code="20", period__code=year, dimension="all", measure="responses"
        )
        assert province.value == sheets.count()
        rate = Figure.objects.get(
            unit__code="20", period__code=year, dimension="all", measure="response_rate"
        )
        assert 0.7 < rate.value < 0.95
    before = Figure.objects.get(
        unit__code="20", period__code="2024", measure="score", dimension="all"
    )
    after = Figure.objects.get(
        unit__code="20", period__code="2025", measure="score", dimension="all"
    )
    assert after.value > before.value  # businesses mature between the years
    assert Value.objects.filter(indicator__code="dbi_score", unit__code="20").count() == 2
