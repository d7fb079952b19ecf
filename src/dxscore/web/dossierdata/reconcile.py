"""Reconciling dxscore's measures with the counts the National Public Service Portal
publishes: staff enter (or import) the portal's counts for a unit and period
(``PortalCount``), and see dxscore's figure beside each with the difference and its
likely causes: records rejected at import, records with warnings (counted here, perhaps
not there), withdrawn records (counted nowhere here), records received on the period's
first or last day (another system cutting periods in another zone or at another hour
counts them elsewhere), and measures not computed since the last import.

Pure rules over the stored measures and data quality; the pages and the API call it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from django.db import transaction
from django.utils.translation import gettext as _

from dxscore import periods
from dxscore.web.dossierdata.models import DossierMeasure, DossierQuality, Job, PortalCount
from dxscore.web.orgs import scope
from dxscore.web.orgs.models import Unit
from dxscore.web.sheets import FileProblem, Sheet, cell_number, cell_text

MEASURES = tuple(PortalCount.Measure.values)
COLUMNS = ("unit", "period", "measure", "value")  # and optionally source


@dataclass
class Line:
    measure: str
    label: str
    portal: int | None
    dxscore: float | None
    source: str = ""

    @property
    def difference(self) -> float | None:
        if self.portal is None or self.dxscore is None:
            return None
        return self.dxscore - self.portal


@dataclass
class Reconciliation:
    unit: Unit
    period: str
    lines: list[Line]
    causes: list[tuple[str, int, str]] = field(default_factory=list)  # (code, count, text)
    quality: DossierQuality | None = None

    @property
    def differs(self) -> bool:
        return any(line.difference not in (None, 0) for line in self.lines)


def period_kind(code: str) -> str:
    return periods.parse(code).kind


def _rejected_at_import() -> int:
    """Records the site's imports rejected (every unit: a rejected record's unit may be
    the very thing that was wrong), from the store's manifest."""
    from dxscore.web.dossierdata.worker import store_root

    try:
        manifest = json.loads((store_root() / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return 0
    return sum(int(i.get("rejected") or 0) for i in manifest.get("imports", []))


def reconcile(unit: Unit, period: str) -> Reconciliation:
    counts = {c.measure: c for c in PortalCount.objects.filter(unit=unit, period=period)}
    ours = dict(
        DossierMeasure.objects.filter(unit=unit, period=period, measure__in=MEASURES).values_list(
            "measure", "value"
        )
    )
    lines = [
        Line(
            m.value,
            str(m.label),
            counts[m.value].value if m.value in counts else None,
            ours.get(m.value),
            counts[m.value].source if m.value in counts else "",
        )
        for m in PortalCount.Measure
        if m.value in counts or m.value in ours
    ]
    quality = DossierQuality.objects.filter(unit=unit, period=period).first()
    result = Reconciliation(unit, period, lines, quality=quality)
    if not result.differs:
        return result
    causes = result.causes
    rejected = _rejected_at_import()
    if rejected:
        causes.append(
            (
                "rejected",
                rejected,
                _(
                    "records were rejected by the imports (all units): the portal may count "
                    "them; their rows and reasons are in each import's rejects file"
                ),
            )
        )
    if quality is not None and quality.with_warnings:
        causes.append(
            (
                "warnings",
                quality.with_warnings,
                _(
                    "records of this unit and period have warnings: dxscore counts them, "
                    "the portal may count them differently"
                ),
            )
        )
    if quality is not None and quality.withdrawn:
        causes.append(
            (
                "withdrawn",
                quality.withdrawn,
                _("withdrawn records were received in the period: dxscore counts them nowhere"),
            )
        )
    if quality is not None and quality.at_period_edges:
        causes.append(
            (
                "edges",
                quality.at_period_edges,
                _(
                    "records were received on the period's first or last day: a system that "
                    "cuts periods in another time zone or at another hour counts them in the "
                    "period before or after"
                ),
            )
        )
    last_import = Job.objects.filter(kind=Job.Kind.IMPORT, state=Job.State.DONE).first()
    last_measures = Job.objects.filter(kind=Job.Kind.MEASURES, state=Job.State.DONE).first()
    if last_import is not None and (
        last_measures is None
        or (last_measures.finished_at or last_measures.created_at)
        < (last_import.finished_at or last_import.created_at)
    ):
        causes.append(
            (
                "stale",
                1,
                _("records were imported after the measures were last computed"),
            )
        )
    return result


# -- entering and importing counts --------------------------------------------------------


def _unit_for(user, code: str, period: str) -> Unit | None:
    """The unit ``code`` denotes at the end of ``period``, if ``user`` may enter its data."""
    day = periods.parse(period).end
    unit = Unit.objects.all().lookup(code, day)
    if unit is None or not scope.allows(user, scope.ENTER, unit):
        return None
    return unit


def check_period(text: str) -> str | None:
    code = (text or "").strip()
    return code if periods.is_period(code) else None


def parse_counts(sheet: Sheet, user, language: str) -> list[dict]:
    """The rows of an uploaded sheet of published counts (``COLUMNS``, optionally
    ``source``) as ``{unit, unit_id, period, measure, value, source}``; every problem,
    named by row and column, raises one FileProblem (nothing is stored)."""
    missing = [c for c in COLUMNS if c not in sheet.header]
    if missing:
        raise FileProblem(
            [
                (
                    "file",
                    _("missing column(s): %(m)s (expected %(all)s)")
                    % {"m": ", ".join(missing), "all": ", ".join(COLUMNS)},
                )
            ]
        )
    at = {name: sheet.header.index(name) for name in (*COLUMNS, "source") if name in sheet.header}
    problems: list[tuple[str, str]] = []
    rows: list[dict] = []
    seen: dict[tuple[str, str, str], int] = {}
    for number, cells in sheet.rows:

        def cell(name: str, cells=cells):
            i = at.get(name)
            return cells[i] if i is not None and i < len(cells) else None

        where = {name: sheet.where(number, at[name]) for name in at}
        code, measure = cell_text(cell("unit")), cell_text(cell("measure")).lower()
        period = check_period(cell_text(cell("period")))
        ok = True
        if period is None:
            problems.append((where["period"], _("not a period (2024, 2024Q3 or 2024-07)")))
            ok = False
        unit = _unit_for(user, code, period) if period else None
        if period and unit is None:
            problems.append(
                (where["unit"], _("no unit '%(u)s' you may enter data for") % {"u": code})
            )
            ok = False
        if measure not in MEASURES:
            problems.append(
                (
                    where["measure"],
                    _("unknown measure '%(m)s' (expected %(all)s)")
                    % {"m": measure, "all": ", ".join(MEASURES)},
                )
            )
            ok = False
        try:
            value = cell_number(cell("value"), language)
        except ValueError as exc:
            value, reason = None, str(exc)
        else:
            reason = _("a whole number of 0 or more is needed")
        if value is None or value < 0 or value != int(value):
            problems.append((where["value"], reason))
            ok = False
        if not ok:
            continue
        assert unit is not None and period is not None and value is not None
        key = (unit.code, period, measure)
        if key in seen:
            problems.append(
                (
                    sheet.where(number),
                    _("the same unit, period and measure as row %(r)d") % {"r": seen[key]},
                )
            )
            continue
        seen[key] = number
        rows.append(
            {
                "unit": unit.code,
                "unit_id": unit.pk,
                "period": period,
                "measure": measure,
                "value": int(value),
                "source": cell_text(cell("source"))[:200],
            }
        )
    if problems:
        raise FileProblem(problems)
    if not rows:
        raise FileProblem([("file", _("the file has no rows of counts"))])
    return rows


def save_counts(rows: list[dict], user) -> int:
    """Store published counts, all or none (a unit outside the person's scope, checked
    again here, stores nothing)."""
    with transaction.atomic():
        for row in rows:
            unit = Unit.objects.get(pk=row["unit_id"])
            if not scope.allows(user, scope.ENTER, unit):
                raise FileProblem([(row["unit"], _("outside your entry scope"))])
            PortalCount.objects.update_or_create(
                unit=unit,
                period=row["period"],
                measure=row["measure"],
                defaults={"value": row["value"], "source": row["source"], "entered_by": user},
            )
    return len(rows)
