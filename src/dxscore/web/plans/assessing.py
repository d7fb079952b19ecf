"""Target statuses from approved values, through ``dxscore.plans.assess`` (never typed),
and the "N of M met" summaries per resolution, unit and pillar, now and in the past."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dxscore import plans
from dxscore.plans.status import STATUSES
from dxscore.web.data.models import Status, Value
from dxscore.web.plans.models import Resolution, Target

STATUS_LABELS = {
    "met": _("met"),
    "on_track": _("on track"),
    "at_risk": _("at risk"),
    "missed": _("missed"),
    "no_data": _("no data"),
}


REASON_TEXTS = {
    "evidence_approved": _("evidence approved"),
    "evidence_missed": _("deadline passed without approved evidence"),
    "evidence_due": _("deadline period, no approved evidence yet"),
    "evidence_none": _("no approved evidence yet"),
    "value_none": _("no approved value yet"),
    "value_none_by_deadline": _("no value observed by the deadline"),
    "value_by_deadline": _("%(x)s in %(p)s, by the deadline %(deadline)s"),
    "value_met": _("%(x)s in %(p)s"),
    "value_short_history": _("%(x)s in %(p)s, not met; too little history to project"),
    "value_trend": _("%(x)s in %(p)s; the trend projects %(projected)s by %(deadline)s"),
}


def reason_text(target: Target, assessment: plans.Assessment) -> str:
    """The assessment's reason in the reader's language, its numbers as the target's
    indicator shows them (``dxscore.figures``: a rate as a percentage); a reason without a
    key (a stored target the rules refuse) as the library wrote it."""
    from dxscore import figures
    from dxscore.web.l10n import number_language

    text = REASON_TEXTS.get(assessment.why)
    if text is None:
        return assessment.reason
    lang = number_language()

    def shown(x: float | None) -> str:
        return "" if x is None else figures.format_figure(x, target.figure, lang)

    return str(text) % {
        "x": shown(assessment.latest_value),
        "p": assessment.latest_period or "",
        "deadline": target.deadline,
        "projected": shown(assessment.projected_value),
    }


def today_code() -> str:
    """Today as the status library reads dates: ``2026-11-23``."""
    return timezone.localdate().isoformat()


@dataclass
class Assessed:
    target: Target
    assessment: plans.Assessment
    observations: dict[str, float]

    @property
    def status(self) -> str:
        return self.assessment.status

    @property
    def status_label(self):
        return STATUS_LABELS[self.status]

    @property
    def reason(self) -> str:
        return reason_text(self.target, self.assessment)


def observations(targets: Iterable[Target]) -> dict[int, dict[str, float]]:
    """Approved values of each quantitative target's indicator for its unit, by period."""
    targets = [t for t in targets if not t.qualitative]
    pairs = {(t.unit_id, t.indicator_id) for t in targets}
    found: dict[tuple[int, int], dict[str, float]] = defaultdict(dict)
    if pairs:
        rows = Value.objects.filter(
            status=Status.APPROVED,
            value__isnull=False,
            unit_id__in={u for u, _i in pairs},
            indicator_id__in={i for _u, i in pairs},
        ).values_list("unit_id", "indicator_id", "period__code", "value")
        for unit, indicator, period, value in rows:
            if (unit, indicator) in pairs:
                found[(unit, indicator)][period] = value
    return {t.pk: dict(found.get((t.unit_id, t.indicator_id), {})) for t in targets}


def assess_one(target: Target, seen: dict[str, float], as_of: str) -> plans.Assessment:
    try:
        return plans.assess(target.spec(), seen, as_of, target.evidence_approved(as_of))
    except plans.TargetError as exc:  # stored before a rule existed: say so, do not fail
        return plans.Assessment("no_data", str(exc))


def assess_targets(
    targets: Iterable[Target], as_of: str | None = None, seen=None
) -> list[Assessed]:
    targets = list(targets)
    as_of = as_of or today_code()
    seen = observations(targets) if seen is None else seen
    return [
        Assessed(t, assess_one(t, seen.get(t.pk, {}), as_of), seen.get(t.pk, {})) for t in targets
    ]


def summary(items: Iterable[Assessed]) -> dict[str, int]:
    """Counts per status and ``total``: "N of M met" is ``met`` of ``total``."""
    return plans.summarise(a.status for a in items)


def grouped(items: list[Assessed], key: Callable[[Target], object]) -> list[tuple[object, dict]]:
    """The summary per group (unit, pillar), in the order groups first appear."""
    groups: dict[object, list[Assessed]] = {}
    for a in items:
        groups.setdefault(key(a.target), []).append(a)
    return [(g, summary(members)) for g, members in groups.items()]


def history_periods(resolution: Resolution, as_of: str | None = None) -> list[str]:
    """Year ends from the year of issue to the horizon that have already passed."""
    now = plans.period_end(as_of or today_code())
    last = int(resolution.horizon[:4])
    first = min(resolution.issued_on.year, last)
    return [str(y) for y in range(first, last + 1) if plans.period_end(str(y)) <= now]


@dataclass
class HistoryRow:
    period: str
    summary: dict[str, int]
    groups: dict[object, dict[str, int]]


def history(
    resolution: Resolution,
    targets: list[Target],
    key: Callable[[Target], object] | None = None,
    as_of: str | None = None,
) -> list[HistoryRow]:
    """The summary at the end of each past year, then now; per group when ``key`` is set."""
    seen = observations(targets)
    rows = []
    for period in [*history_periods(resolution, as_of), as_of or today_code()]:
        items = assess_targets(targets, period, seen)
        groups = dict(grouped(items, key)) if key else {}
        rows.append(HistoryRow(period, summary(items), groups))
    return rows


def observation_rows(item: Assessed) -> list[dict]:
    """The rows of a target's table of approved values, as its page lists them and its
    download carries them: the baseline first (when the target has one), then each
    approved value by period; values in their stored precision."""
    target = item.target
    rows = []
    if target.baseline is not None:
        rows.append({"period": target.baseline_period, "value": target.baseline, "baseline": True})
    rows += [
        {"period": period, "value": value, "baseline": False}
        for period, value in sorted(item.observations.items())
    ]
    return rows


def single_status(row: HistoryRow) -> str:
    """The status of the one target a history row was computed for."""
    return next(s for s, n in row.summary.items() if n and s != "total")


@dataclass
class TargetReading:
    """What a target's page shows and its download carries."""

    item: Assessed
    observations: list[dict]
    history: list[HistoryRow]


def target_reading(target: Target) -> TargetReading:
    """A target's assessment now, its table of approved values and its status at the end
    of each past year and now: one reading for the page and its download (the caller
    has checked that the person may read the target, ``views.common.target_or_404``)."""
    item = assess_targets([target])[0]
    return TargetReading(item, observation_rows(item), history(target.resolution, [target]))


__all__ = [
    "STATUSES",
    "STATUS_LABELS",
    "Assessed",
    "assess_targets",
    "grouped",
    "history",
    "history_periods",
    "observation_rows",
    "observations",
    "single_status",
    "summary",
    "target_reading",
    "today_code",
]
