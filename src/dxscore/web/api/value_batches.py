"""A batch of indicator values from the API: checked whole, stored whole or not at all.

Each item is (unit, indicator, period) -> value: a new value is created as a draft, a
draft or returned value is updated, an identical one is left alone (so sending the same
batch twice changes nothing). Every change goes through ``data/workflow.py``
(``save_entries``): scope, the unit's validity, locks and the audit trail are the
site's. Numbers and valid ranges are checked by the index engine, as uploads are.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass

import pandas as pd
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import IntegrityError, OperationalError, transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from dxscore import index as ix
from dxscore.web.api.problems import BUSY, CONFLICT, FORBIDDEN, INVALID, ApiProblem, FieldProblem
from dxscore.web.data import workflow
from dxscore.web.data.models import EDITABLE, Channel, Indicator, Methodology, Period, Value
from dxscore.web.diskfull import is_disk_full
from dxscore.web.orgs import scope
from dxscore.web.orgs.models import Unit, code_spans, not_on_map

ATTEMPTS = 3  # a concurrent batch inserting the same new value: check again and retry


@dataclass
class Item:
    unit: str
    indicator: str
    period: str
    value: float | None
    comment: str | None = None
    evidence_link: str | None = None


def engine_problems(methodology: Methodology, items: list[Item]) -> list[FieldProblem]:
    """The engine's row checks (indicator codes, numbers, valid ranges, duplicates)."""
    if not items:
        return []
    frame = pd.DataFrame(
        {
            "unit": [i.unit.strip() for i in items],
            "period": [i.period.strip() for i in items],
            "indicator": [i.indicator.strip() for i in items],
            "value": [i.value for i in items],
        },
        dtype=object,
    )
    try:
        ix.dataset_from_frame(
            frame, methodology.compiled(), source="api", first_row=0, partial=True
        )
    except ix.DataError as exc:
        found = []
        for problem in exc.problems:
            if getattr(problem, "row", None) is None:
                continue  # rules about a whole table (required values) do not apply here
            message = re.sub(r"duplicate of row (\d+)", r"duplicate of item \1", problem.message)
            found.append(FieldProblem(message, problem.column or None, problem.row))
        return found
    return []


def _problem(errors: list[tuple[str, FieldProblem]]) -> ApiProblem:
    kinds = {kind for kind, _e in errors}
    listed = sorted((e for _k, e in errors), key=lambda e: (e.index or 0, e.field or ""))
    if "forbidden" in kinds:
        return ApiProblem(
            403,
            _("Out of your scope"),
            _("Nothing was stored: the batch has items you may not enter."),
            FORBIDDEN,
            listed,
        )
    if "invalid" in kinds:
        return ApiProblem(
            422,
            _("The batch is not valid"),
            ngettext(
                "Nothing was stored: %(n)d problem, listed in errors.",
                "Nothing was stored: %(n)d problems, listed in errors.",
                len(listed),
            )
            % {"n": len(listed)},
            INVALID,
            listed,
        )
    return ApiProblem(
        409,
        _("Locked values"),
        _("Nothing was stored: some values are submitted or approved and locked."),
        CONFLICT,
        listed,
    )


def _key(item: Item) -> tuple[str, str]:
    return (item.unit.strip(), item.period.strip())


def _check(user, methodology: Methodology, items: list[Item], existing, refs):
    units, periods, indicators = refs
    errors: list[tuple[str, FieldProblem]] = [
        ("invalid", p) for p in engine_problems(methodology, items)
    ]
    bad = {e.index for _k, e in errors}
    link_ok = URLValidator(schemes=["http", "https"])
    spans = code_spans({i.unit.strip() for i in items if _key(i) not in units})
    for index, item in enumerate(items):
        code = item.unit.strip()
        period = periods.get(item.period.strip())
        unit = units.get(_key(item))
        if unit is None and code not in spans:
            if index not in bad:  # an empty unit is the engine's to report
                message = _("unknown unit '%(u)s'") % {"u": item.unit}
                errors.append(("invalid", FieldProblem(message, "unit", index)))
            continue
        if unit is not None and not scope.allows(user, scope.ENTER, unit):
            message = _("you may not enter values for %(u)s") % {"u": unit}
            errors.append(("forbidden", FieldProblem(message, "unit", index)))
            continue
        if index in bad:
            continue
        if period is None:
            message = _("unknown period '%(p)s' (periods are set up in the site)") % {
                "p": item.period
            }
            errors.append(("invalid", FieldProblem(message, "period", index)))
            continue
        if unit is None:
            message = not_on_map(code, period.end, spans, period.code)
            errors.append(("invalid", FieldProblem(message, "unit", index)))
            continue
        if item.evidence_link:
            try:
                link_ok(item.evidence_link)
            except ValidationError:
                message = _("not a web address (http or https)")
                errors.append(("invalid", FieldProblem(message, "evidence_link", index)))
                continue
        old = existing.get((unit.pk, item.indicator.strip(), period.pk))
        indicator = indicators.get(item.indicator.strip())
        if indicator is not None and indicator.source in Indicator.COMPUTED:
            if _changes(old, item):
                message = _("%(c)s is computed from dossier records and cannot be entered") % {
                    "c": item.indicator
                }
                errors.append(("invalid", FieldProblem(message, "indicator", index)))
            continue
        if old is not None and old.status not in EDITABLE and _changes(old, item):
            message = _("%(c)s of %(u)s for %(p)s is %(s)s and locked") % {
                "c": item.indicator,
                "u": unit.code,
                "p": period.code,
                "s": old.get_status_display(),
            }
            errors.append(("conflict", FieldProblem(message, "value", index)))
    return errors


def _changes(old: Value | None, item: Item) -> bool:
    if old is None:
        return item.value is not None or bool(item.comment) or bool(item.evidence_link)
    return (
        old.value != item.value
        or (item.comment is not None and old.comment != item.comment)
        or (item.evidence_link is not None and old.evidence_link != item.evidence_link)
    )


def upsert(user, methodology: Methodology, items: list[Item], reason: str = "") -> list[dict]:
    """Store the batch; one result per item (created, updated, unchanged). Raises ApiProblem
    (403 scope, 422 content, 409 locks) having stored nothing."""
    for attempt in range(ATTEMPTS):
        try:
            with transaction.atomic():
                return _store(user, methodology, items, reason)
        except (IntegrityError, OperationalError) as exc:
            # another batch created the same value between our read and our insert (or
            # the database was too busy): read again and decide again; a full disk stays
            if is_disk_full(exc):
                raise
            if attempt == ATTEMPTS - 1:
                raise ApiProblem(
                    503,
                    _("Busy"),
                    _("Other batches are changing the same values; retry shortly."),
                    BUSY,
                    headers={"Retry-After": "1"},
                ) from None
    raise AssertionError("unreachable")


def _store(user, methodology: Methodology, items: list[Item], reason: str) -> list[dict]:
    # Lock the batch's units first (in one order, so two batches cannot deadlock): a
    # concurrent batch on the same units waits here until this one commits, and then
    # reads what it stored. Row locks alone cannot cover values that do not exist yet.
    codes = {i.unit.strip() for i in items}
    locked = list(Unit.objects.select_for_update().filter(code__in=codes).order_by("pk"))
    periods = {p.code: p for p in Period.objects.filter(code__in={i.period.strip() for i in items})}
    # a code is read on the map of its period's last day (``docs/units.md``)
    units: dict[tuple[str, str], Unit] = {}
    for unit in locked:
        for period in periods.values():
            if unit.in_force(period.end):
                units[(unit.code, period.code)] = unit
    indicators = {i.code: i for i in Indicator.objects.filter(code__in=set(methodology.inputs()))}
    existing = {
        (v.unit_id, v.indicator.code, v.period_id): v
        for v in Value.objects.select_for_update()
        .select_related("indicator")
        .filter(
            unit__in=set(units.values()),
            period__in=periods.values(),
            indicator__in=indicators.values(),
        )
    }
    errors = _check(user, methodology, items, existing, (units, periods, indicators))
    if errors:
        raise _problem(errors)
    groups: dict[tuple[int, int], dict[str, workflow.Entry]] = defaultdict(dict)
    results = []
    for index, item in enumerate(items):
        unit, period = units[_key(item)], periods[item.period.strip()]
        code = item.indicator.strip()
        old = existing.get((unit.pk, code, period.pk))
        outcome = "unchanged"
        if _changes(old, item):
            outcome = "created" if old is None else "updated"
            groups[(unit.pk, period.pk)][code] = workflow.Entry(
                code,
                item.value,
                comment=item.comment if item.comment is not None else (old.comment if old else ""),
                link=item.evidence_link
                if item.evidence_link is not None
                else (old.evidence_link if old else ""),
            )
        results.append(
            {
                "index": index,
                "unit": unit.code,
                "indicator": code,
                "period": period.code,
                "result": outcome,
                "status": old.status if old is not None else None,
            }
        )
    by_pk = {u.pk: u for u in units.values()}
    periods_by_pk = {p.pk: p for p in periods.values()}
    for (unit_pk, period_pk), entries in groups.items():
        try:
            workflow.save_entries(
                user,
                methodology,
                periods_by_pk[period_pk],
                by_pk[unit_pk],
                list(entries.values()),
                reason=reason or _("API"),
                via=Channel.API,
            )
        except workflow.EntryNotAllowed as exc:
            raise ApiProblem(403, _("Out of your scope"), str(exc), FORBIDDEN) from None
        except workflow.WorkflowError as exc:
            raise ApiProblem(409, _("Locked values"), str(exc), CONFLICT) from None
    stored = (
        {
            (v.unit_id, v.indicator.code, v.period_id): v.status
            for v in Value.objects.select_related("indicator").filter(
                unit_id__in=[k[0] for k in groups], period_id__in=[k[1] for k in groups]
            )
        }
        if groups
        else {}
    )
    for result, item in zip(results, items, strict=True):
        key = (units[_key(item)].pk, result["indicator"], periods[item.period.strip()].pk)
        result["status"] = stored.get(key, result["status"])
    return results
