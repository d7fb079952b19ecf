"""Public-service measures per unit and period, written once as Ibis expressions.

The same expression runs on DuckDB (the default) or Spark. Definitions (see
docs/dossiers.md): withdrawn dossiers count nowhere; a rate with a zero denominator is
empty; the end of a period is its last instant, in local time.

How the stock measures are counted: a dossier is *open at the end of P* when it was
received by then and not finished by then, i.e. for periods ``R <= P < F`` (R, F: the
periods of received_at and finished_at). Counting those is a running sum of "received
in P" minus "finished in P". It is *open and overdue* when, in addition, due_at plus
supplement time lies before the end of P: for periods ``A <= P < F`` with
``A = max(R, O)`` (O: the period of the effective due time), so the running sum of
"A in P" minus "max(A, F) in P". Four grouped scans and a window; no range join.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import ibis
import ibis.expr.types as ir
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from ibis import _

from dxscore.dossiers.periods import (
    DAY,
    Offsets,
    calendar,
    day_periods,
    period_days,
    zone_offsets,
)
from dxscore.dossiers.schema import BATCH, FINISHED_STATUSES, ONLINE_LEVELS, ROW
from dxscore.periods import Kind, code_at, parse

MEASURES = (
    "received",
    "received_online",
    "online_share",
    "full_online_share",
    "finished",
    "finished_on_time",
    "on_time_rate",
    "open_at_end",
    "open_overdue",
    "timeliness_rate",
    "timeliness_points",
    "avg_processing_days",
    "median_processing_days",
    "paid_online_share",
    "electronic_result_share",
    "digitised_share",
    "reuse_share",
    "satisfaction",
)
CATALOGUE_MEASURES = (
    "online_procedure_share",
    "online_service_use_share",
    "online_service_points",
    "payment_integrated_share",
    "payment_integrated_service_share",
)
COUNTS = (
    "received",
    "received_online",
    "finished",
    "finished_on_time",
    "open_at_end",
    "open_overdue",
)

TIMELINESS_POINTS = 20  # Decision 766: timeliness group
KEYS = ["unit", "period"]
PROCEDURE_KEYS = ["unit", "procedure", "period"]  # measures per procedure (``by_procedure``)


def keys_of(frame: pd.DataFrame) -> list[str]:
    """The key columns of a measures table: per unit, or per unit and procedure."""
    return PROCEDURE_KEYS if "procedure" in frame.columns else KEYS


class MeasureError(ValueError):
    pass


@dataclass(frozen=True)
class Span:
    """The calendar the expressions are built with. It covers every period the measures
    could report: those of the records' time bounds (known before reading them, e.g. from
    the Parquet statistics, and possibly wider) and of ``--from``/``--to``. The data's own
    span (first dossier received, last event) is found in the query itself."""

    kind: Kind
    offsets: Offsets  # the zone's UTC offsets over the calendar, with two days' margin
    first_day: int  # calendar, local days since 1970-01-01
    last_day: int
    first_period: int  # the calendar's periods
    last_period: int
    start: int | None  # first and last period to report (--from, --to), if given
    end: int | None


def execute(expr: ir.Table) -> pd.DataFrame:
    """Run a table expression on its backend. Through Arrow: ibis's own ``execute`` turns
    every column with an empty value (most rates) into Python objects first."""
    with warnings.catch_warnings():
        # ibis 12 calls a DuckDB method that DuckDB 2.0 deprecates; harmless.
        warnings.filterwarnings("ignore", "fetch_arrow_table", DeprecationWarning)
        return arrow_frame(expr.to_pyarrow())


def arrow_frame(table: pa.Table) -> pd.DataFrame:
    """A query's Arrow result as a frame with numeric columns. DuckDB sums integers into
    128-bit integers, which Arrow carries as ``decimal128(38, 0)`` and pandas would turn
    into Python ``Decimal`` objects (slow to make, slow to cast); they are cast to int64
    in Arrow first (a checked cast: a count beyond int64 raises instead of wrapping)."""
    for i, f in enumerate(table.schema):
        if pa.types.is_decimal(f.type) and f.type.scale == 0:
            table = table.set_column(i, f.name, pc.cast(table.column(i), pa.int64()))
    frame: pd.DataFrame = table.to_pandas()
    return frame


def dossier_base(dossiers: ir.Table, span: Span, procedures: bool = False) -> ir.Table:
    """The records the measures read, computed once per run: non-withdrawn dossiers
    reduced to their unit, the local days their events fall on, and per-dossier facts.

    Days (local, since 1970-01-01; NULL when the event does not count): ``r_day``
    received; ``f_day`` finished (status finished or returned); ``a_day`` open and
    overdue from, max(received, due_at plus supplement time); ``m_day`` no longer open
    and overdue from, max(a_day, f_day). ``r_day`` and ``f_day`` also fix the data's
    span (only finished and returned dossiers have a finished_at).
    """
    d = dossiers.filter(_.status != "withdrawn")
    received = _seconds(d.received_at)
    finished = _seconds(d.finished_at)
    supplement = (d.supplement_days * DAY).round().cast("int64")
    due = _seconds(d.due_at)
    done = d.status.isin(FINISHED_STATUSES) & d.finished_at.notnull()
    r_day = _local_day(received, span.offsets)
    f_day = _local_day(finished, span.offsets)
    # Without supplement time (never so in a store) A is the received day, as
    # greatest(received, NULL) is on every engine.
    a_day = ibis.greatest(r_day, _local_day(due + supplement, span.offsets).fill_null(r_day))
    online = d.channel == "online"
    columns = {
        "unit": d.unit,
        "r_day": r_day,
        "f_day": _null_unless(done, f_day),
        "a_day": _null_unless(d.due_at.notnull(), a_day),
        "m_day": _null_unless(d.due_at.notnull() & done, ibis.greatest(a_day, f_day)),
        "online": online,
        "full_online": online & (d.service_level == "full"),
        "has_fee": d.has_fee,
        "paid_online": d.has_fee & d.paid_online,
        "reused": d.reused_data,
        "electronic": d.result_electronic,
        "digitised": d.digitised,
        "rating": d.rating,
        "on_time": d.due_at.isnull() | (finished - supplement <= due),
        "processing_days": _not_below_zero(
            (finished - received).cast("float64") / DAY - d.supplement_days
        ),
    }
    if procedures:
        columns["procedure"] = d.procedure
    return d.select(**columns)


def read_on_map(dossiers: ir.Table, reading: ir.Table, offsets: Offsets) -> ir.Table:
    """The records with ``unit`` replaced by the unit they count for on a map
    (``reading_frame`` of ``reform.MapRun.reading``: a record's code is read on its
    received day). Records
    that count nowhere on the map drop out; among the records of one ``dossier_id``
    under one top unit, the latest version is kept (``updated_at``, then the later
    import and row), so a dossier exported by two units of the reform counts once."""
    joined = _read(dossiers, reading, offsets, "inner")
    joined = joined.filter(joined.target.notnull())
    latest = ibis.window(
        group_by=[joined.dossier_id, joined.top],
        order_by=[
            joined.updated_at.isnull(),  # a version without updated_at loses
            ibis.desc(joined.updated_at),
            ibis.desc(joined[BATCH]),
            ibis.desc(joined[ROW]),
        ],
    )
    ranked = joined.mutate(_version=ibis.row_number().over(latest))
    kept = ranked.filter(ranked._version == 0)
    return kept.select(*[kept.target.name("unit") if c == "unit" else c for c in dossiers.columns])


def unread_rows(dossiers: ir.Table, reading: ir.Table, offsets: Offsets) -> ir.Table:
    """The records whose unit code denotes no unit on their received day (and, in
    ``reading``, those marked unusable: ``target`` NULL), for the error naming them."""
    joined = _read(dossiers, reading, offsets, "left")
    bad = joined.filter(joined.code.isnull() | joined.target.isnull())
    return bad.select(BATCH, ROW, "unit", "received_day", "code")


READING_SCHEMA = {
    "code": "string",
    "first_day": "int32",
    "last_day": "int32",
    "top": "string",
    "target": "string",
}


def reading_frame(reading: pd.DataFrame) -> pd.DataFrame:
    """``reform.MapRun.reading`` as the table the records are joined to (``target``: the
    unit they count for), typed as ``READING_SCHEMA``."""
    frame = reading[["code", "first_day", "last_day", "top", "unit"]]
    frame = frame.rename(columns={"unit": "target"})
    return frame.astype({"first_day": "int32", "last_day": "int32"})


def _read(dossiers: ir.Table, table: ir.Table, offsets: Offsets, how: str) -> ir.Table:
    """The records joined to the unit their code denotes on their received day."""
    d = dossiers.mutate(received_day=_local_day(_seconds(dossiers.received_at), offsets))
    on = [d.unit == table.code, d.received_day >= table.first_day, d.received_day <= table.last_day]
    return d.join(table, on, how=how)


def plan_span(
    bounds: tuple[int, int],
    kind: Kind,
    tz: str,
    start: str | None = None,
    end: str | None = None,
) -> Span:
    """The calendar for records whose instants (UTC epoch seconds) lie within ``bounds``
    (any superset will do) and the reported periods ``start``..``end``."""
    out_first = parse(start).span(kind)[0] if start else None
    out_last = parse(end).span(kind)[1] if end else None
    if out_first is not None and out_last is not None and out_first > out_last:
        raise MeasureError(f"the period range {start}..{end} is empty")
    lo, hi = bounds
    periods = []
    for instant in (lo, hi):
        day = zone_offsets(tz, instant - DAY, instant + DAY).local_day(instant)
        periods.append(int(day_periods(np.array([day]), kind)[0]))
    first_period = min(p for p in (periods[0], out_first) if p is not None)
    last_period = max(p for p in (periods[1], out_last) if p is not None)
    first_day = period_days(first_period, kind)[0]
    last_day = period_days(last_period, kind)[1]
    offsets = zone_offsets(tz, first_day * DAY - 2 * DAY, (last_day + 2) * DAY)
    return Span(kind, offsets, first_day, last_day, first_period, last_period, out_first, out_last)


CALENDAR_SCHEMA = {"day": "int32", "period": "int32"}


def calendar_frame(span: Span) -> pd.DataFrame:
    """The calendar of ``span``: each local day with its period index."""
    return calendar(span.first_day, span.last_day, span.kind)


def time_bounds(dossiers: ir.Table) -> tuple[int, int]:
    """The first and last instant of the records (received or finished, any status), by
    a query; ``compute_measures`` reads them from the Parquet statistics when it can."""
    received, finished = _seconds(dossiers.received_at), _seconds(dossiers.finished_at)
    stats = execute(dossiers.aggregate(lo=received.min(), hi=received.max(), fin=finished.max()))
    if pd.isna(stats["lo"].iloc[0]):
        raise MeasureError("no dossiers to measure (the store is empty or all are withdrawn)")
    hi = max(int(stats["hi"].iloc[0]), int(_or(stats["fin"].iloc[0], 0)))
    return int(stats["lo"].iloc[0]), hi


def explain_empty(base: ir.Table, kind: str, start: str | None, end: str | None) -> None:
    """Raise the reason why the measures came out empty (no records that count, or a
    period range outside the data)."""
    stats = execute(base.aggregate(first=base.r_day.min()))
    if pd.isna(stats["first"].iloc[0]):
        raise MeasureError("no dossiers to measure (the store is empty or all are withdrawn)")
    raise MeasureError(f"the period range {start or ''}..{end or ''} is empty")


def _or(value: float, default: float) -> float:
    return default if pd.isna(value) else value


# -- expressions ---------------------------------------------------------------------


def _seconds(ts: ir.TimestampValue) -> ir.IntegerValue:
    return ts.epoch_seconds().cast("int64")


def _local_day(seconds: ir.IntegerValue, offsets: Offsets) -> ir.IntegerValue:
    """Local calendar day (days since 1970-01-01) of a UTC epoch second."""
    if len(offsets.offsets) == 1:
        shift = ibis.literal(offsets.offsets[0], "int64")
    else:
        branches = [
            (seconds < start, ibis.literal(off, "int64"))
            for start, off in zip(offsets.starts[1:], offsets.offsets[:-1], strict=True)
        ]
        shift = ibis.cases(*branches, else_=ibis.literal(offsets.offsets[-1], "int64"))
    return ((seconds + shift) // DAY).cast("int32")


def _ratio(numerator: ir.NumericValue, denominator: ir.NumericValue) -> ir.FloatingValue:
    return ibis.ifelse(
        denominator > 0, numerator.cast("float64") / denominator, ibis.null("float64")
    )


def _not_below_zero(days: ir.FloatingValue) -> ir.FloatingValue:
    """Processing days of a record with a warning (finished before received, supplement
    longer than the processing time) count as 0, never below (docs/dossiers.md)."""
    return ibis.ifelse(days < 0, ibis.literal(0.0, "float64"), days)


def _capped(value: ir.FloatingValue, cap: float) -> ir.FloatingValue:
    # Not ibis.least: engines differ on how least() treats NULL.
    return ibis.ifelse(value > cap, ibis.literal(cap, "float64"), value)


def _count_if(cond: ir.BooleanValue) -> ir.IntegerValue:
    return cond.cast("int64").sum()


def _left_join(left: ir.Table, right: ir.Table, keys: list[str]) -> ir.Table:
    joined = left.left_join(right, keys)
    return joined.drop([f"{k}_right" for k in keys if f"{k}_right" in joined.columns])


def _in_periods(rows: ir.Table, day: ir.IntegerValue, cal: ir.Table) -> ir.Table:
    """``rows`` with the period of ``day``; rows whose day is NULL or outside the calendar
    (after the last period counted) drop out. Joining ``rows`` itself, not a filtered or
    extended copy, keeps it one shared subquery that engines compute once."""
    return rows.join(cal, day == cal.day)


def _null_unless(cond: ir.BooleanValue, day: ir.IntegerValue) -> ir.IntegerValue:
    return ibis.ifelse(cond, day, ibis.null("int32"))


def measure_table(
    base: ir.Table,
    span: Span,
    tree: ir.Table | None = None,
    catalogue: ir.Table | None = None,
    by_procedure: bool = False,
    cal: ir.Table | None = None,
) -> ir.Table:
    """The measures as one Ibis table: ``unit, period`` (index) and one column per measure.

    ``base`` is ``dossier_base`` (with procedures when a catalogue is given or
    ``by_procedure``); ``tree`` a closure table (``member, unit``, see units.py) to roll
    up a unit tree; ``catalogue`` adds the online-service measures; ``cal`` the calendar
    (``calendar_frame(span)``; an in-memory table when not given). ``by_procedure``
    groups by unit, procedure and period instead: one row for each procedure a unit (its
    subtree) received dossiers of, for every period from the data's first to its last;
    the catalogue measures describe a unit's whole competence and are not computed then.
    The expression reads only the tables it is given, so on tables of fixed names it is
    built and compiled once per shape (``engines.Prepared``).
    """
    if by_procedure and catalogue is not None:
        raise MeasureError("the catalogue measures are per unit: not with by_procedure")
    keys = PROCEDURE_KEYS if by_procedure else KEYS
    series = keys[:-1]  # one running stock per unit (and procedure)
    if cal is None:
        cal = ibis.memtable(calendar_frame(span))
    # A named subquery is compiled as one common table expression: the records are read
    # once for all the passes below (ibis would otherwise inline it into each).
    base = base.alias("dxscore_base")
    if tree is not None:
        rolled = base.rename(member="unit").join(tree, "member").drop("member")
    else:
        rolled = base

    received = (
        _in_periods(rolled, rolled.r_day, cal)
        .group_by(keys)
        .aggregate(
            received=_.count(),
            received_online=_count_if(_.online),
            full_online=_count_if(_.full_online),
            with_fee=_count_if(_.has_fee),
            paid_online=_count_if(_.paid_online),
            reused=_count_if(_.reused),
        )
    )
    finished = (
        _in_periods(rolled, rolled.f_day, cal)
        .group_by(keys)
        .aggregate(
            finished=_.count(),
            finished_on_time=_count_if(_.on_time),
            electronic=_count_if(_.electronic),
            digitised=_count_if(_.digitised),
            avg_processing_days=_.processing_days.mean(),
            median_processing_days=_.processing_days.median(),
            satisfaction=_.rating.cast("float64").mean(),
        )
    )
    overdue_from = (
        _in_periods(rolled, rolled.a_day, cal).group_by(keys).aggregate(overdue_in=_.count())
    )
    overdue_until = (
        _in_periods(rolled, rolled.m_day, cal).group_by(keys).aggregate(overdue_out=_.count())
    )

    if by_procedure:  # only the procedures each unit received dossiers of
        unit_list = received.select(series).distinct()
    elif tree is not None:
        unit_list = tree.select("unit").distinct()
    else:  # every dossier is received within the span: no extra pass over the data
        unit_list = received.select("unit").distinct()
    grid = unit_list.cross_join(_grid_periods(base, span, cal))
    for part in (received, finished, overdue_from, overdue_until):
        grid = _left_join(grid, part, keys)
    zero = ibis.literal(0, "int64")
    filled = grid.mutate(
        **{
            c: grid[c].fill_null(zero)
            for c in (
                "received",
                "received_online",
                "full_online",
                "with_fee",
                "paid_online",
                "reused",
                "finished",
                "finished_on_time",
                "electronic",
                "digitised",
                "overdue_in",
                "overdue_out",
            )
        }
    )
    running = ibis.cumulative_window(group_by=series, order_by="period")
    stocks = filled.mutate(
        open_at_end=(filled.received.sum().over(running) - filled.finished.sum().over(running)),
        open_overdue=(
            filled.overdue_in.sum().over(running) - filled.overdue_out.sum().over(running)
        ),
    )
    t = stocks.filter((stocks.period >= stocks.out_first) & (stocks.period <= stocks.out_last))
    timely = _ratio(t.finished_on_time + t.open_at_end - t.open_overdue, t.finished + t.open_at_end)
    out = t.mutate(
        online_share=_ratio(t.received_online, t.received),
        full_online_share=_ratio(t.full_online, t.received),
        on_time_rate=_ratio(t.finished_on_time, t.finished),
        timeliness_rate=timely,
        timeliness_points=timely * TIMELINESS_POINTS,
        paid_online_share=_ratio(t.paid_online, t.with_fee),
        electronic_result_share=_ratio(t.electronic, t.finished),
        digitised_share=_ratio(t.digitised, t.finished),
        reuse_share=_ratio(t.reused, t.received),
    )
    columns = [*keys, *MEASURES]
    if catalogue is not None:
        out = _with_catalogue(out, base, catalogue, cal, tree)
        columns += list(CATALOGUE_MEASURES)
    return out.select(columns).order_by(keys)


def _grid_periods(base: ir.Table, span: Span, cal: ir.Table) -> ir.Table:
    """The periods counted, one row each, with the first and last period to report.

    Periods run from the first dossier received to the last event (received or finished),
    widened to ``--from``/``--to`` when given. Found in the query from the shared base,
    so that the records are read once."""
    stats = base.aggregate(
        first=base.r_day.min(),
        last=ibis.greatest(base.r_day.max(), base.f_day.max().fill_null(0)),
    )
    firsts = stats.join(cal, stats["first"] == cal.day).select("last", data_first="period")
    lasts = cal.view()
    data = firsts.join(lasts, firsts["last"] == lasts.day).select("data_first", data_last="period")
    int32 = "int32"
    out_first = data.data_first if span.start is None else ibis.literal(span.start, int32)
    out_last = data.data_last if span.end is None else ibis.literal(span.end, int32)
    bounds = data.select(
        out_first=out_first,
        out_last=out_last,
        grid_first=ibis.least(data.data_first, out_first),
        grid_last=ibis.greatest(data.data_last, out_last),
    )
    periods = cal.select("period").distinct()
    grid = periods.cross_join(bounds)
    grid = grid.filter((grid.period >= grid.grid_first) & (grid.period <= grid.grid_last))
    return grid.select("period", "out_first", "out_last")


def _with_catalogue(
    out: ir.Table,
    base: ir.Table,
    catalogue: ir.Table,
    cal: ir.Table,
    tree: ir.Table | None,
) -> ir.Table:
    """Decision 766 online-service inputs: A (procedures offered online), B (online
    services used), and the points min(2, 2A/0.8) + 4B + min(6, 6C/0.5), C = online_share.
    Also the payment-integration shares of fee-bearing procedures and online services."""
    online = catalogue.service_level.isin(ONLINE_LEVELS)
    services = catalogue.mutate(is_online=online, member=catalogue.unit).drop("unit")
    if tree is not None:
        services = services.join(tree, "member")
    else:
        services = services.mutate(unit=services.member)
    per_unit = services.group_by("unit").aggregate(
        procedures=_.procedure.nunique(),
        online_procedures=_.procedure.nunique(where=_.is_online),
        online_services=_count_if(_.is_online),
        fee_procedures=_.procedure.nunique(where=_.has_fee),
        integrated_procedures=_.procedure.nunique(where=_.has_fee & _.online_payment_integrated),
        fee_online_services=_count_if(_.has_fee & _.is_online),
        integrated_services=_count_if(_.has_fee & _.is_online & _.online_payment_integrated),
    )
    # Online services (unit, procedure) that received at least one dossier online in P,
    # found at the receiving unit, then attributed to it and its ancestors.
    online_day = _null_unless(base.online, base.r_day)
    used = (
        _in_periods(base, online_day, cal)
        .select(member="unit", procedure="procedure", period="period")
        .distinct()
        .join(
            services.filter(_.is_online).select("member", "procedure", "unit"),
            ["member", "procedure"],
        )
        .group_by(KEYS)
        .aggregate(used_services=_.count())
    )
    joined = _left_join(_left_join(out, per_unit, ["unit"]), used, KEYS)
    a = _ratio(joined.online_procedures, joined.procedures.fill_null(0))
    b = _ratio(joined.used_services.fill_null(0), joined.online_services.fill_null(0))
    c = joined.online_share
    points = ibis.ifelse(
        a.notnull() & b.notnull() & c.notnull(),
        _capped(2 * a / 0.8, 2.0) + 4 * b + _capped(6 * c / 0.5, 6.0),
        ibis.null("float64"),
    )
    return joined.mutate(
        online_procedure_share=a,
        online_service_use_share=b,
        online_service_points=points,
        payment_integrated_share=_ratio(
            joined.integrated_procedures, joined.fee_procedures.fill_null(0)
        ),
        payment_integrated_service_share=_ratio(
            joined.integrated_services, joined.fee_online_services.fill_null(0)
        ),
    )


# -- results -------------------------------------------------------------------------


def finish(frame: pd.DataFrame, kind: Kind, ordered: bool = False) -> pd.DataFrame:
    """Executed measures as a plain table: period codes, sorted, counts as integers.
    ``ordered``: the rows come sorted by their keys already (a query's ORDER BY on an
    engine whose string order is the code points', as DuckDB's), so no sort is needed."""
    keys = keys_of(frame)
    if not ordered:
        frame = frame.sort_values(keys, kind="stable").reset_index(drop=True)
    codes = {int(p): code_at(int(p), kind) for p in frame["period"].unique()}
    frame["period"] = frame["period"].map(codes)
    rates = [c for c in frame.columns if c not in keys and c not in COUNTS]
    wanted = {c: "int64" for c in COUNTS} | {c: "float64" for c in rates}
    cast = {c: t for c, t in wanted.items() if frame[c].dtype != t}  # most are already
    return frame.astype(cast) if cast else frame


def to_long(frame: pd.DataFrame) -> pd.DataFrame:
    """The ``unit, period, indicator, value`` shape ``dxscore index compute`` reads (with
    ``procedure`` after ``unit`` for measures per procedure); empty values (rates with
    nothing to count) are left out."""
    keys = keys_of(frame)
    long = frame.melt(id_vars=keys, var_name="indicator", value_name="value")
    long = long.dropna(subset=["value"])
    order = {name: i for i, name in enumerate(frame.columns)}
    long = long.assign(_o=long["indicator"].map(order)).sort_values([*keys, "_o"])
    return long.drop(columns="_o").reset_index(drop=True)
