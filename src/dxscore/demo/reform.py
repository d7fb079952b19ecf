"""The demo lives in 2026: the map of 1 July 2025 beside the old one.

- the 34 provinces from the built-in ``vn-2025`` lineage (provinces only): the 52 that
  merged end on 30 June 2025, the 23 new ones begin on 1 July 2025 (seven reuse an old
  code of another province: 15, 80, 24, 44, 52, 82, 91), one ``UnitChange`` per merged
  province; the 11 that kept their borders go on unchanged;
- the DTI 2020-2024 also on the 34 provinces: published runs on the map of 1 July 2025,
  each merged province's main-index values the mean of its predecessors' (the
  methodologies' ``carry: mean``), so DTI 2024 on the 34 has Hà Nội first with 0.8241
  as published; and a synthetic DTI 2025 of the 34 provinces on their own map;
- Lạng Sơn (20, kept its borders): its 65 communes of the ``vn-2025`` lineage directly
  under the province from 1 July 2025; its eleven districts and the demo's synthetic
  communes end on 30 June 2025 (each synthetic commune goes into a real new commune of
  the same district: a synthetic mapping, ``docs/demo-data.md``); the dossier records
  received from 1 July 2025 are on the new communes, and the emulation ranking of 2025
  ranks the communes.

The demo may import the web apps; the web apps never import the demo.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd
from django.db import transaction
from simple_history.utils import bulk_create_with_history

from dxscore import lineage as ln
from dxscore.demo import dti, langson

NEW_MAP = dt.date(2025, 7, 1)
LAST_OLD_DAY = NEW_MAP - dt.timedelta(days=1)
YEAR_2025 = "2025"


def _vn() -> ln.Lineage:
    return ln.load("vn-2025")


# --- provinces -------------------------------------------------------------------------


def provinces() -> None:
    """The 23 new provinces (from 1 July 2025) and the ends and merges of the 52 old ones
    (the 63 must exist, ``platform.demo_dti``)."""
    from dxscore.web.orgs.models import Level, Unit, UnitChange

    vn = _vn()
    level = Level.objects.get(name="province")
    root = Unit.objects.get(code="VN")
    old = {u.code: u for u in Unit.objects.filter(level=level, valid_from__isnull=True)}
    with transaction.atomic():
        for province in [u for u in vn.units_on(NEW_MAP) if u.level == "province"]:
            if province.start is None:
                continue  # kept its borders and code: the same unit goes on
            sources = [old[vn.units[f.source].code] for f in vn.predecessors(province)]
            for source in sources:
                if source.valid_to is None:
                    source.valid_to = LAST_OLD_DAY
                    source.save()
            new = Unit.objects.create(
                code=province.code,
                name=province.name,
                level=level,
                parent=root,
                valid_from=NEW_MAP,
            )
            for source in sources:
                UnitChange.objects.create(date=NEW_MAP, kind="merge", source=source, target=new)
        _regions()


def _regions() -> None:
    """A new province is in the region of its predecessors (they share one)."""
    from dxscore.web.orgs.models import Unit, UnitGroup

    for new in Unit.objects.filter(valid_from=NEW_MAP, level__name="province"):
        kinds = UnitGroup.objects.filter(kind="region", units__in=new.predecessor_units())
        found = list(kinds.distinct())
        if len(found) == 1:
            found[0].units.add(new)


def dti_2025(seed: int = 2025) -> pd.DataFrame:
    """Synthetic DTI 2025 main-index values of the 34 provinces: each province's 2024
    values on the new map (its predecessors' mean) moved by a common improvement and a
    little noise, within [0.02, 1]."""
    rows_2024 = dti.build().main_2021_2024
    frame = rows_2024[rows_2024["period"] == "2024"].drop(columns=["name"])
    long = frame.melt(id_vars=["unit", "period"], var_name="indicator", value_name="value")
    from dxscore import index as ix

    carried = ln.carry(long, _vn(), NEW_MAP, ix.load("vn-dti-2022"))
    rng = np.random.default_rng(seed)
    data = carried.dataset
    out = []
    for i, unit in enumerate(data.units):
        lift = 0.025 + rng.normal(0, 0.02)
        for code in dti.MAIN:
            value = float(data.values[code][0, i]) + lift + rng.normal(0, 0.015)
            out.append((unit, YEAR_2025, code, round(float(np.clip(value, 0.02, 1.0)), 4)))
    return pd.DataFrame(out, columns=["unit", "period", "indicator", "value"])


def dti_runs(user) -> list:
    """The DTI 2020-2024 published again on the map of 1 July 2025, and DTI 2025."""
    from dxscore.web.data.models import Methodology, Period
    from dxscore.web.provenance.notices import mark_run
    from dxscore.web.scores import runs

    published = []
    for code, years in (
        ("vn-dti-2020", ["2020"]),
        ("vn-dti-2022", ["2021", "2022", "2023", "2024"]),
    ):
        methodology = Methodology.objects.filter(code=code).order_by("-uploaded_at").first()
        for year in years:
            run = runs.compute_run(user, methodology, Period.objects.get(code=year), as_of=NEW_MAP)
            runs.publish(run, user, anyway=True)  # the demo's data as given
            facts = dti.FIXED_TOTALS.get(year, {}) if year == "2024" else {}
            mark_run(
                run,
                {
                    "demo": True,
                    "published_values": [],
                    "published_totals": sorted(facts),  # Hà Nội 0.8241, first of the 34
                    "published_ranks": sorted(facts),
                },
            )
            published.append(run)
    methodology = Methodology.objects.filter(code="vn-dti-2022").order_by("-uploaded_at").first()
    run = publish_on_map(methodology, dti_2025(), user, NEW_MAP)
    mark_run(
        run,
        {"demo": True, "published_values": [], "published_totals": [], "published_ranks": []},
    )
    return [*published, run]


def publish_on_map(methodology, frame: pd.DataFrame, user, day: dt.date):
    """Store one period's ``unit, period, indicator, value`` rows as approved values of the
    units in force on ``day`` (a code may denote another unit on another map) and
    compute and publish its run."""
    from dxscore.web.data.methodologies import sync_indicators
    from dxscore.web.data.models import Channel, Indicator, Period, Status, Value
    from dxscore.web.orgs.models import Unit
    from dxscore.web.scores import runs

    sync_indicators(methodology.compiled())
    (period_code,) = frame["period"].unique()
    period, _ = Period.objects.get_or_create(code=str(period_code))
    indicators = {i.code: i for i in Indicator.objects.filter(code__in=frame["indicator"].unique())}
    units = {u.code: u for u in Unit.objects.in_force(day).filter(code__in=frame["unit"].unique())}
    with transaction.atomic():
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
                for r in frame.itertuples(index=False)
            ],
            Value,
            batch_size=2000,
            default_user=user,
        )
    run = runs.compute_run(user, methodology, period)
    runs.publish(run, user, anyway=True)  # the demo's data as given
    return run


# --- Lạng Sơn's communes --------------------------------------------------------------


@dataclass
class Communes:
    """Lạng Sơn's communes from 1 July 2025 and where the demo's old units went."""

    new: list[tuple[str, str, str]]  # code, name, demo district it mostly came from
    old_to_new: dict[str, str]  # demo district or synthetic commune -> new commune


def langson_communes(synthetic: list[str]) -> Communes:
    """The 65 communes of Lạng Sơn in ``vn-2025`` (each with the demo district most of
    its predecessors lay in), and a synthetic mapping of the demo's districts and
    ``synthetic`` communes (``20-D01-X001``...) onto them: a district's communes go
    round-robin into the new communes of that district, a district into its first."""
    vn = _vn()
    by_name = {name: code for code, name in langson.DISTRICTS}
    new = []
    for unit in sorted(vn.units_on(NEW_MAP), key=lambda u: u.code):
        if unit.level != "commune" or vn.parent_on(unit, NEW_MAP) != langson.PROVINCE[0]:
            continue
        counts: dict[str, int] = {}
        for flow in vn.predecessors(unit):
            source = vn.units[flow.source]
            district = vn.parent_on(source, LAST_OLD_DAY)
            found = vn.unit_at(district, LAST_OLD_DAY) if district else None
            if found is not None and found.name in by_name:
                counts[by_name[found.name]] = counts.get(by_name[found.name], 0) + 1
        home = max(sorted(counts), key=lambda d: counts[d]) if counts else langson.DISTRICTS[0][0]
        new.append((unit.code, unit.name, home))
    old_to_new: dict[str, str] = {}
    for district, _name in langson.DISTRICTS:
        mine = [c for c, _n, home in new if home == district] or [new[0][0]]
        old_to_new[district] = mine[0]
        own = sorted(c for c in synthetic if c.startswith(district + "-"))
        for k, code in enumerate(own):
            old_to_new[code] = mine[k % len(mine)]
    return Communes(new, old_to_new)


def store_communes(communes: Communes) -> None:
    """The new communes under the province from 1 July 2025; the districts and the
    synthetic communes end on 30 June 2025 (a district is abolished, its communes merge
    into the new ones)."""
    from dxscore.web.orgs.models import Level, Unit, UnitChange

    province = Unit.objects.get(code=langson.PROVINCE[0])
    level = Level.objects.get_or_create(name="commune", defaults={"depth": 3})[0]
    with transaction.atomic():
        made = {
            code: Unit.objects.create(
                code=code, name=name, level=level, parent=province, valid_from=NEW_MAP
            )
            for code, name, _home in communes.new
        }
        old = {u.code: u for u in Unit.objects.filter(code__in=list(communes.old_to_new))}
        for code, unit in sorted(old.items()):
            unit.valid_to = LAST_OLD_DAY
            unit.save()
            if code.count("-") == 1:  # a district: abolished, its communes move up
                UnitChange.objects.create(date=NEW_MAP, kind="abolish", source=unit)
            else:
                UnitChange.objects.create(
                    date=NEW_MAP,
                    kind="merge",
                    source=unit,
                    target=made[communes.old_to_new[code]],
                )


def records_on_new_map(table, communes: Communes):
    """Dossier records received from 1 July 2025 on the units of that day: a district's
    or a synthetic commune's records on the new commune it went into."""
    import pyarrow as pa
    import pyarrow.compute as pc

    day = pa.scalar(dt.datetime(2025, 6, 30, 17, 0, tzinfo=dt.UTC), pa.timestamp("us", "UTC"))
    later = pc.greater_equal(table["received_at"], day).to_numpy(zero_copy_only=False)
    if not later.any():
        return table
    units = np.asarray(table["unit"].to_numpy(zero_copy_only=False), dtype=object)
    mapped = pd.Series(units[later]).map(communes.old_to_new)
    units[later] = np.where(mapped.isna(), units[later], mapped.to_numpy(object))
    return table.set_column(table.schema.get_field_index("unit"), "unit", pa.array(units))


def catalogue_on_new_map(catalogue: pd.DataFrame, communes: Communes) -> pd.DataFrame:
    """The new communes offer what the units that went into them offered."""
    moved = catalogue[catalogue["unit"].isin(communes.old_to_new)].copy()
    moved["unit"] = moved["unit"].map(communes.old_to_new)
    return pd.concat([catalogue, moved]).drop_duplicates(["unit", "procedure"])


def commune_values(
    communes: Communes, measures: pd.DataFrame | None, seed: int = 2025
) -> pd.DataFrame:
    """The 2025 emulation inputs of the new communes: public-service inputs from their
    2025 dossier measures where there are some, the rest synthetic (``emulation_values``
    does the same for the districts); task delivery from two quarterly reports."""
    from dxscore import index as ix
    from dxscore.demo.workspace import FROM_DOSSIERS

    m = ix.load("province-emulation")
    rng = np.random.default_rng(seed)
    measured = {}
    if measures is not None and not measures.empty:
        for row in measures[measures["period"].astype(str) == YEAR_2025].itertuples(index=False):
            for code in FROM_DOSSIERS:
                x = getattr(row, code, np.nan)
                if x is not None and not np.isnan(x):
                    measured[(row.unit, code)] = round(float(x), 4)
    rows = []
    for code, _name, _home in communes.new:
        base = 0.7 + rng.normal(0, 0.08)
        for indicator in m.indicators:
            spec = m.nodes[indicator].spec
            level = base + rng.normal(0, 0.08)
            if indicator == "targets_met_share":
                continue
            if (code, indicator) in measured:
                value = measured[(code, indicator)]
            elif indicator == "tasks_on_time_share":
                value = float(np.clip(round(level * 2), 1, 2)) / 2
            elif indicator == "satisfaction":
                value = round(float(np.clip(3.2 + 1.6 * level, 1, 5)), 2)
            else:
                value = round(float(np.clip(level, 0.05, 1.0)), 4)
            if spec.range:
                value = min(max(value, spec.range[0]), spec.range[1])
            rows.append((code, YEAR_2025, indicator, value))
    return pd.DataFrame(rows, columns=["unit", "period", "indicator", "value"])


def commune_tasks(resolution, values: pd.DataFrame, admin, first_number: int) -> None:
    """Two quarterly one-stop-shop reports (Q3, Q4 2025) per new commune, as many on time
    as its ``tasks_on_time_share`` says (the emulation page computes it from these)."""
    from dxscore.web.orgs.models import Unit
    from dxscore.web.plans.models import Task

    shares = values[values["indicator"] == "tasks_on_time_share"]
    units = {u.code: u for u in Unit.objects.in_force(NEW_MAP).filter(code__in=shares["unit"])}
    number = first_number
    tasks = []
    for row in shares.sort_values("unit").itertuples(index=False):
        on_time = round(row.value * 2)
        for k, quarter in enumerate((3, 4)):
            number += 1
            deadline = dt.date(2025, 3 * quarter, 1) + dt.timedelta(days=27)
            late = k >= on_time
            tasks.append(
                Task(
                    resolution=resolution,
                    number=number,
                    title=f"Quarterly one-stop-shop report, Q{quarter} 2025",
                    translations={"vi": f"Báo cáo bộ phận một cửa quý {quarter} năm 2025"},
                    owner=units[row.unit],
                    start=deadline - dt.timedelta(days=80),
                    deadline=deadline,
                    done_on=deadline + dt.timedelta(days=6 if late else -3),
                    percent=100,
                    expected_result="Report sent to the provincial steering office",
                    created_by=admin,
                )
            )
    Task.objects.bulk_create(tasks)
