"""Filling a workspace with published runs from a table of values: the demo DTI of 63
provinces (``dxscore.demo.platform``), tests and the page benchmark.

Values are stored as approved (with their history row, by the given user) and each
period is computed and published with the platform's own ``compute_run`` and
``publish``: the runs are real runs, explainable down to the stored value. They are
published whatever their coverage (``anyway``): a table is published as it was given,
and the coverage recorded with each run says what it holds."""

from __future__ import annotations

import pandas as pd
from django.db import transaction
from simple_history.utils import bulk_create_with_history

from dxscore.web.dashboards.charts import vn_provinces_grid
from dxscore.web.data.methodologies import sync_indicators
from dxscore.web.data.models import Channel, Indicator, Methodology, Period, Status, Value
from dxscore.web.orgs.models import Level, Unit, UnitGroup
from dxscore.web.provenance.notices import mark_run
from dxscore.web.scores import runs
from dxscore.web.scores.models import ScoreRun

REGIONS = {  # the six socio-economic regions (GSO)
    "red_river_delta": "Red River Delta",
    "northern_midlands_mountains": "Northern Midlands and Mountains",
    "north_central_central_coast": "North Central and Central Coast",
    "central_highlands": "Central Highlands",
    "southeast": "Southeast",
    "mekong_delta": "Mekong Delta",
}
REGION_TRANSLATIONS = {  # shown in the reader's language (UnitGroup.translations)
    "red_river_delta": {
        "vi": "Đồng bằng sông Hồng",
        "ar": "دلتا النهر الأحمر",
        "hi": "रेड रिवर डेल्टा",
    },
    "northern_midlands_mountains": {
        "vi": "Trung du và miền núi phía Bắc",
        "ar": "الهضاب الوسطى والجبال الشمالية",
        "hi": "उत्तरी मध्यभूमि और पर्वतीय क्षेत्र",
    },
    "north_central_central_coast": {
        "vi": "Bắc Trung Bộ và Duyên hải miền Trung",
        "ar": "الشمال الأوسط والساحل الأوسط",
        "hi": "उत्तर मध्य और मध्य तटीय क्षेत्र",
    },
    "central_highlands": {"vi": "Tây Nguyên", "ar": "المرتفعات الوسطى", "hi": "मध्य उच्चभूमि"},
    "southeast": {"vi": "Đông Nam Bộ", "ar": "الجنوب الشرقي", "hi": "दक्षिण-पूर्व"},
    "mekong_delta": {
        "vi": "Đồng bằng sông Cửu Long",
        "ar": "دلتا نهر ميكونغ",
        "hi": "मेकांग डेल्टा",
    },
}


def ensure_units(
    units: dict[str, str], level_name: str = "province", root: tuple[str, str] = ("VN", "Việt Nam")
) -> Level:
    """Units (code -> name) under a root unit, at ``level_name``; returns the level."""
    top, _ = Level.objects.get_or_create(name="country", defaults={"depth": 0})
    level, _ = Level.objects.get_or_create(name=level_name, defaults={"depth": 1})
    parent = Unit.objects.filter(code=root[0]).first() or Unit.objects.create(
        code=root[0], name=root[1], level=top
    )
    existing = set(Unit.objects.filter(code__in=list(units)).values_list("code", flat=True))
    for code, name in units.items():
        if code not in existing:
            Unit.objects.create(code=code, name=name, level=level, parent=parent)
    return level


def ensure_regions(codes: list[str]) -> None:
    """Put Vietnam's provinces into their region groups (kind ``region``)."""
    grid = vn_provinces_grid()
    by_code = {u.code: u for u in Unit.objects.filter(code__in=codes)}
    for region, name in REGIONS.items():
        translations = REGION_TRANSLATIONS.get(region, {})
        group, _ = UnitGroup.objects.get_or_create(
            kind="region", code=region, defaults={"name": name, "translations": translations}
        )
        if not group.translations and translations:
            group.translations = translations
            group.save(update_fields=["translations"])
        group.units.add(*[u for c, u in by_code.items() if grid.get(c, (0, 0, ""))[2] == region])


def publish_frame(
    methodology: Methodology, frame: pd.DataFrame, user, level: Level, notice: dict | None = None
) -> list[ScoreRun]:
    """Store ``unit, period, indicator, value`` rows as approved values and compute and
    publish one run per period (oldest first)."""
    sync_indicators(methodology.compiled())
    if methodology.reporting_level_id != level.pk:
        methodology.reporting_level = level
        methodology.save(update_fields=["reporting_level"])
    indicators = {i.code: i for i in Indicator.objects.filter(code__in=frame["indicator"].unique())}
    units = {u.code: u for u in Unit.objects.filter(code__in=frame["unit"].unique())}
    published = []
    for period_code in sorted(frame["period"].unique()):
        period, _ = Period.objects.get_or_create(code=str(period_code))
        part = frame[frame["period"] == period_code]
        with transaction.atomic():
            Value.objects.filter(
                period=period, unit__in=units.values(), indicator__in=indicators.values()
            ).delete()
            bulk_create_with_history(
                [
                    Value(
                        unit=units[r.unit],
                        indicator=indicators[r.indicator],
                        period=period,
                        value=float(r.value),
                        status=Status.APPROVED,
                        updated_by=user,
                        submitted_by=user,
                        approved_by=user,
                        channel=Channel.LOADED,
                    )
                    for r in part.itertuples(index=False)
                ],
                Value,
                batch_size=2000,
                default_user=user,
            )
        run = runs.compute_run(user, methodology, period)
        runs.publish(run, user, anyway=True)
        payload = (notice or {}).get(str(period_code), (notice or {}).get("*"))
        if payload:
            mark_run(run, payload)
        published.append(run)
    return published
