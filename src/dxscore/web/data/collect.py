"""What a unit must report for a methodology and period, and how far everyone is."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count, Max

from dxscore import figures, texts
from dxscore.web.data.models import Indicator, Methodology, Period, Status, Value
from dxscore.web.orgs import scope
from dxscore.web.orgs.models import Unit


@dataclass
class Input:
    """One thing to enter, described by the methodology."""

    code: str
    name: str
    measure: str
    low: float | None
    high: float | None
    help: str
    required: bool
    kind: str  # indicator or denominator
    computed: bool = False  # computed from dossiers: filled by the worker, read-only

    @property
    def range_text(self) -> str:
        if self.low is None and self.high is None:
            return ""
        lo = "" if self.low is None else f"{self.low:g}"
        hi = "" if self.high is None else f"{self.high:g}"
        return f"[{lo}, {hi}]"

    @property
    def figure(self) -> str:
        """How its values are shown and typed (``dxscore.figures``): a rate or share in
        [0, 1] as a percentage, else by its declared unit."""
        if self.kind == "denominator":
            return figures.indicator_kind(self.measure) if self.measure else figures.NUMBER
        return figures.indicator_kind(self.measure, self.low, self.high)


def inputs(methodology: Methodology) -> list[Input]:
    m = methodology.compiled()
    computed = computed_codes(m.indicators)
    out = []
    for code in m.indicators:
        node = m.nodes[code]
        spec = node.spec
        low, high = spec.range if spec.range is not None else (None, None)
        out.append(
            Input(
                code=code,
                name=node.name,
                measure=spec.unit,
                low=low,
                high=high,
                help=node.help,
                required=not spec.missing_allowed,
                kind="indicator",
                computed=code in computed,
            )
        )
    for code, den in m.denominators.items():
        out.append(
            Input(code, texts.pick(den.name) or code, den.unit, 0, None, "", False, "denominator")
        )
    return out


def computed_codes(codes) -> set[str]:
    """Which of ``codes`` are indicators computed from dossiers (read-only for people)."""
    return set(
        Indicator.objects.filter(code__in=list(codes), source__in=Indicator.COMPUTED).values_list(
            "code", flat=True
        )
    )


def reporting_units(methodology: Methodology, period: Period, user, action=scope.VIEW):
    """Units that report for ``methodology`` in ``period`` (valid then, of its reporting
    level, or the tree's leaves when none is set) within the user's scope."""
    units = period.units().select_related("level")
    if methodology.reporting_level_id:
        units = units.filter(level_id=methodology.reporting_level_id)
    else:
        units = units.filter(children__isnull=True)
    return scope.restrict(units, user, action, via="")


@dataclass
class EntryRow:
    input: Input
    value: Value | None
    previous: float | None


def entry_rows(methodology: Methodology, period: Period, unit: Unit) -> list[EntryRow]:
    specs = inputs(methodology)
    codes = [s.code for s in specs]
    current = {
        v.indicator.code: v
        for v in Value.objects.select_related("indicator", "updated_by").filter(
            unit=unit, period=period, indicator__code__in=codes
        )
    }
    before = period.previous()
    previous = {}
    if before is not None:
        previous = dict(
            Value.objects.filter(
                unit=unit, period=before, indicator__code__in=codes, status=Status.APPROVED
            ).values_list("indicator__code", "value")
        )
    return [EntryRow(s, current.get(s.code), previous.get(s.code)) for s in specs]


@dataclass
class UnitProgress:
    unit: Unit
    counts: dict[str, int] = field(default_factory=dict)
    entered: int = 0
    last_submitted: object = None
    state: str = "not started"
    late: bool = False


def completeness(
    methodology: Methodology, period: Period, user, action: str = scope.VIEW
) -> list[UnitProgress]:
    """Per reporting unit in the person's scope for ``action`` (what they see, enter or
    approve): values by status, overall state, on time or late."""
    codes = [s.code for s in inputs(methodology)]
    required = [s.code for s in inputs(methodology) if s.required]
    units = list(reporting_units(methodology, period, user, action))
    rows = {u.pk: UnitProgress(unit=u) for u in units}
    stats = (
        Value.objects.filter(
            period=period, indicator__code__in=codes, unit__in=units, value__isnull=False
        )
        .values("unit_id", "status")
        .annotate(n=Count("id"), last=Max("submitted_at"))
    )
    for s in stats:
        row = rows[s["unit_id"]]
        row.counts[s["status"]] = s["n"]
        row.entered += s["n"]
        if s["last"] and (row.last_submitted is None or s["last"] > row.last_submitted):
            row.last_submitted = s["last"]
    from django.utils import timezone

    today = timezone.localdate()
    for row in rows.values():
        c = row.counts
        if c.get(Status.RETURNED):
            row.state = Status.RETURNED
        elif (
            c.get(Status.APPROVED, 0) >= len(required)
            and c.get(Status.APPROVED)
            and not (c.get(Status.DRAFT) or c.get(Status.SUBMITTED))
        ):
            row.state = Status.APPROVED
        elif c.get(Status.SUBMITTED):
            row.state = Status.SUBMITTED
        elif row.entered:
            row.state = Status.DRAFT
        deadline = period.deadline
        if deadline is not None:
            if row.last_submitted is not None:
                row.late = timezone.localdate(row.last_submitted) > deadline
            else:
                row.late = today > deadline
    return list(rows.values())
