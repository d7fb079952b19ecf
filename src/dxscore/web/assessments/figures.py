"""The province's figures of a questionnaire and period, computed from the submitted
sheets by ``dxscore.assessments.figures`` and stored (``Figure``), then published as
computed indicator values (source "computed from answer sheets"): for each unit of the
map with sheets, ``<publish>_<measure>`` (``dbi_score``, ``dbi_strategy``,
``dbi_share_l3``, ``sat_share_satisfied``, ``dbi_responses``...), which methodologies
use like any indicator. A figure made of fewer than ``DXSCORE_SURVEY_MIN_COUNT`` sheets
is suppressed: stored without value, never published.

A submission marks its period's figures stale; they are computed again at the next read
(``ensure_fresh``: staff page, Excel, API, a respondent's result page), in one
transaction under a lock of the period's state row, so two readers never compute twice."""

from __future__ import annotations

import pandas as pd
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dxscore import assessments as qa
from dxscore.web.assessments.models import (
    Figure,
    FigureState,
    Kind,
    Questionnaire,
    Respondent,
    Sheet,
    SheetState,
)
from dxscore.web.data.models import EDITABLE, Channel, Indicator, Period, Status, Value
from dxscore.web.orgs.models import Unit


def latest(series: str) -> Questionnaire | None:
    return Questionnaire.objects.filter(code=series).order_by("-active", "-uploaded_at").first()


def _areas(commune_ids: set[int]) -> dict[str, list[str]]:
    """Per commune (by id), the ids of the units it counts in: itself and those above."""
    out = {}
    for unit in Unit.objects.filter(pk__in=commune_ids).only("pk", "path"):
        out[str(unit.pk)] = [p for p in unit.path.strip("/").split("/") if p]
    return out


def _registered(kind: str, areas: dict[str, list[str]]) -> dict[tuple[str, str, str], int]:
    if kind != Kind.BUSINESS:
        return {}
    counts: dict[tuple[str, str, str], int] = {}
    rows = Respondent.objects.filter(kind=Kind.BUSINESS, commune__isnull=False)
    for commune, sector, size in rows.values_list("commune_id", "sector", "size"):
        for area in areas.get(str(commune), []):
            for key in (("all", area, ""), ("sector", area, sector), ("size", area, size)):
                counts[key] = counts.get(key, 0) + 1
    return counts


def compute(series: str, period: Period) -> pd.DataFrame:
    """The figures of the submitted sheets of ``series`` in ``period`` (not stored)."""
    questionnaire = latest(series)
    assert questionnaire is not None
    q = questionnaire.compiled()
    rows = list(
        Sheet.objects.filter(
            series=series, period=period, state=SheetState.SUBMITTED, commune__isnull=False
        ).values_list("commune_id", "sector", "size", "score", "level", "pillars")
    )
    frame = pd.DataFrame(
        {
            "period": period.code,
            "commune": [str(r[0]) for r in rows],
            "sector": [r[1] for r in rows],
            "size": [r[2] for r in rows],
            "score": [r[3] for r in rows],
            "level": [r[4] for r in rows],
            **{p: [r[5].get(p) for r in rows] for p in q.pillars},
        }
    )
    all_communes = {int(c) for c in frame["commune"]}
    all_communes |= set(
        Respondent.objects.filter(commune__isnull=False).values_list("commune_id", flat=True)
    )
    areas = _areas(all_communes)
    return qa.figures(
        q, frame, areas, settings.DXSCORE_SURVEY_MIN_COUNT, _registered(q.spec.kind, areas)
    )


def refresh(series: str, period: Period) -> int:
    """Compute, store and publish the figures of ``series`` in ``period``."""
    questionnaire = latest(series)
    if questionnaire is None:
        return 0
    with transaction.atomic():
        state, _created = FigureState.objects.select_for_update().get_or_create(
            series=series, period=period
        )
        table = compute(series, period)
        Figure.objects.filter(series=series, period=period).delete()
        Figure.objects.bulk_create(
            [
                Figure(
                    series=series,
                    period=period,
                    unit_id=int(r.unit),
                    dimension=r.dimension,
                    group=r.group,
                    measure=r.measure,
                    value=None if pd.isna(r.value) else float(r.value),
                    count=int(r.count),
                    suppressed=bool(r.suppressed),
                )
                for r in table.itertuples(index=False)
            ],
            batch_size=2000,
        )
        publish(questionnaire, period, table)
        state.stale = False
        state.computed_at = timezone.now()
        counts = table.loc[table["measure"] == "responses", "count"]
        state.sheets = int(counts.max()) if len(counts) else 0
        state.save()
    return len(table)


def ensure_fresh(series: str, period: Period) -> None:
    state = FigureState.objects.filter(series=series, period=period).first()
    if state is None or state.stale:
        refresh(series, period)


def indicator_code(prefix: str, measure: str) -> str:
    return f"{prefix}_{measure}"


def publish(questionnaire: Questionnaire, period: Period, table: pd.DataFrame) -> int:
    """The figures of whole units as computed indicator values (``docs/assessments.md``).
    Values submitted or approved are locked and left alone; computed values no longer
    produced (suppressed now) are removed."""
    q = questionnaire.compiled()
    prefix = q.spec.publish
    names = {"responses": _("answer sheets submitted"), "response_rate": _("response rate")}
    names["score"] = _("mean score")
    codes = {m: indicator_code(prefix, m) for m in qa.measures(q)}
    existing = {i.code: i for i in Indicator.objects.filter(code__in=codes.values())}
    for measure, code in codes.items():
        if code not in existing:
            name = f"{q.spec.title.en[:200]}: {names.get(measure, measure)}"
            existing[code] = Indicator.objects.create(
                code=code,
                name=name,
                measure="0-1" if measure.startswith(("share_", "response_rate")) else "",
                source=Indicator.Source.ASSESSMENTS,
            )
    Indicator.objects.filter(code__in=codes.values()).update(source=Indicator.Source.ASSESSMENTS)
    indicators = {m: existing[c] for m, c in codes.items()}
    by_pk = {i.pk: m for m, i in indicators.items()}
    rows = table[(table["dimension"] == "all") & table["value"].notna()]
    values = {(int(r.unit), r.measure): (float(r.value), int(r.count)) for r in rows.itertuples()}
    units = {u.pk: u for u in Unit.objects.filter(pk__in={u for u, _m in values})}
    values = {
        k: v for k, v in values.items() if units[k[0]].valid_between(period.start, period.end)
    }
    stored = {
        (v.unit_id, by_pk[v.indicator_id]): v
        for v in Value.objects.filter(period=period, indicator__in=indicators.values())
    }
    now = timezone.now()
    new, changed, gone = [], [], []
    for key, v in stored.items():
        if key not in values and v.status in EDITABLE:
            gone.append(v.pk)
    for (unit, measure), (x, n) in values.items():
        comment = _("computed from %(n)d answer sheets (%(q)s)") % {"n": n, "q": questionnaire}
        v = stored.get((unit, measure))
        if v is None:
            new.append(
                Value(
                    unit_id=unit,
                    indicator=indicators[measure],
                    period=period,
                    value=x,
                    comment=comment,
                    updated_at=now,
                    channel=Channel.ANSWERS,
                )
            )
        elif v.status in EDITABLE and (v.value != x or v.comment != comment):
            v.value, v.comment, v.updated_at, v.status = x, comment, now, Status.DRAFT
            v.channel, v.upload = Channel.ANSWERS, None
            changed.append(v)
    Value.objects.filter(pk__in=gone).delete()
    Value.objects.bulk_create(new, batch_size=2000)
    Value.objects.bulk_update(
        changed, ["value", "comment", "updated_at", "status", "channel", "upload"], batch_size=2000
    )
    return len(new) + len(changed)
