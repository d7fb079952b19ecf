"""The demo content stored in the platform: the demo DTI of 63 provinces as published
runs (each marked as demo data) and Lạng Sơn's units, observations, Resolution
49-NQ/TU with its pillars and 30 targets, and eight key tasks with their progress. Used
by the demo workspace (``workspace.py``), ``dxscore demo dti`` and the tests.

The demo may import the web apps; the web apps never import the demo (they read the
marks it leaves, ``dxscore.web.provenance``)."""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from dxscore.demo import dti, langson
from dxscore.web.dashboards.sample import ensure_regions, ensure_units, publish_frame
from dxscore.web.data.models import Indicator, Methodology, Period, Status, Value
from dxscore.web.orgs.models import Level, Unit
from dxscore.web.plans.models import Evidence, Pillar, ProgressUpdate, Resolution, Target, Task
from dxscore.web.scores.models import ScoreRun


def demo_dti(user) -> list[ScoreRun]:
    """The demo DTI 2020-2024 of 63 provinces as published runs (``docs/demo-data.md``:
    published facts and synthetic values are marked on every page)."""
    d = dti.build()
    ensure_units(dict(zip(d.provinces["code"], d.provinces["name"], strict=True)))
    level = Level.objects.get(name="province")
    ensure_regions(list(d.provinces["code"]))
    facts = {p: sorted(g["unit"]) for p, g in d.published.groupby("period")}
    notice = {}
    for year in ("2020", "2021", "2022", "2023", "2024"):
        ranks = sorted(dti.FIXED_RANKS.get(year, {}))
        if year == "2022":
            ranks = sorted(d.provinces["code"])
        notice[year] = {
            "demo": True,
            "published_values": facts.get(year, []),
            "published_totals": sorted(dti.FIXED_TOTALS.get(year, {})),
            "published_ranks": ranks,
        }
    out = []
    for code, table in (("vn-dti-2020", d.pillars_2020), ("vn-dti-2022", d.main_2021_2024)):
        methodology = Methodology.objects.filter(code=code).order_by("-uploaded_at").first()
        long = table.drop(columns=["name"]).melt(
            id_vars=["unit", "period"], var_name="indicator", value_name="value"
        )
        out += publish_frame(methodology, long.dropna(), user, level, notice)
    return out


# --- Lạng Sơn's plans ------------------------------------------------------------

CODE = "49-NQ/TU"


def _level(name: str, depth: int) -> Level:
    return Level.objects.get_or_create(name=name, defaults={"depth": depth})[0]


def _period_end_date(code: str) -> dt.date:
    year = int(code[:4])
    return dt.date(year, 12, 31)


def _units(parent: Unit | None) -> dict[str, Unit]:
    code, name = langson.PROVINCE
    province = Unit.objects.filter(code=code).first() or Unit.objects.create(
        code=code, name=name, level=_level("province", 1), parent=parent
    )
    units = {code: province}
    for level, rows in (("district", langson.DISTRICTS), ("department", langson.DEPARTMENTS)):
        lvl = _level(level, 2)
        for c, n in rows:
            units[c] = Unit.objects.filter(code=c).first() or Unit.objects.create(
                code=c, name=n, level=lvl, parent=province
            )
    return units


def load(parent: Unit | None = None, user=None) -> Resolution:
    """Store everything once; returns the resolution."""
    with transaction.atomic():
        units = _units(parent)
        periods = {
            c: Period.objects.get_or_create(code=c)[0] for c in ("2021", "2022", "2023", "2024")
        }
        resolution = Resolution.objects.create(
            unit=units[langson.PROVINCE[0]],
            code=CODE,
            title="Chuyển đổi số tỉnh Lạng Sơn đến năm 2025, định hướng đến năm 2030",
            translations=langson.RESOLUTION_TRANSLATIONS,
            issuer="Ban Chấp hành Đảng bộ tỉnh Lạng Sơn",
            issued_on=dt.date(2021, 9, 10),
            horizon="2025",
            created_by=user,
        )
        pillars = {
            code: Pillar.objects.create(
                resolution=resolution,
                code=code,
                name=name,
                translations=langson.PILLAR_TRANSLATIONS.get(code, {}),
                order=i,
            )
            for i, (code, name) in enumerate(langson.PILLARS.items())
        }
        targets = {}
        for d in langson.TARGETS:
            t = d.target
            indicator = None
            if not t.qualitative:
                indicator = Indicator.objects.get_or_create(
                    code=f"ls49_t{d.number:02d}",
                    defaults={"name": d.title, "measure": d.unit_of_measure},
                )[0]
            approved_on = (
                _period_end_date(d.evidence_period) if d.evidence_period is not None else None
            )
            targets[d.number] = Target.objects.create(
                resolution=resolution,
                number=d.number,
                pillar=pillars[d.pillar],
                title=d.title,
                translations={"vi": langson.TARGET_TRANSLATIONS[d.number]},
                unit=units[d.owner],
                indicator=indicator,
                comparison=t.comparison or "",
                value=t.value,
                deadline=t.deadline,
                baseline=t.baseline,
                baseline_period=t.baseline_period or "",
                evidence_state=Evidence.APPROVED if approved_on else Evidence.NONE,
                evidence_note="Decision on operation" if approved_on else "",
                evidence_approved_on=approved_on,
            )
            for period, x in d.observations.items():
                Value.objects.create(
                    unit=units[d.owner],
                    indicator=indicator,
                    period=periods[period],
                    value=x,
                    status=Status.APPROVED,
                    comment="Lạng Sơn demo (synthetic)",
                )
        for number, row in enumerate(langson.KEY_TASKS, start=1):
            title, owner, cooperating, start, deadline, result, progress = row
            task = Task.objects.create(
                resolution=resolution,
                number=number,
                title=title,
                translations={"vi": langson.TASK_TRANSLATIONS[number]},
                owner=units[owner],
                start=dt.date.fromisoformat(start),
                deadline=dt.date.fromisoformat(deadline),
                expected_result=result,
                created_by=user,
            )
            task.cooperating.set([units[c] for c in cooperating])
            for when, percent, text in progress:
                ProgressUpdate.objects.create(
                    task=task, reported_on=dt.date.fromisoformat(when), percent=percent, text=text
                )
            last_when, last_percent, _text = progress[-1]
            task.percent = last_percent
            task.done_on = dt.date.fromisoformat(last_when) if last_percent == 100 else None
            task.save()
        for number, task in ((13, 1), (28, 4), (14, 1)):
            Task.objects.get(resolution=resolution, number=task).targets.add(targets[number])
        return resolution
