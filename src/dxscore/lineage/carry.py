"""Carry values onto the map of a day: every value is read on the map in force in its
period, and values of units that changed since are carried onto the units in force on
``as_of`` by each input's carry rule (``carry:`` in the methodology; ``docs/units.md``).

Arrays, as in the engine: per period, a sparse ``(source units, target units)`` matrix of
shares (the share of each source unit's territory in each target unit) turns every rule
into a matrix product. A target unit that is one source unit unchanged keeps its own
value whatever the rule. ``carry`` returns the dataset on the new map and the trail of
every carried value down to the predecessors' raw values; ``compute`` runs the engine on
it. Data without lineage changes in its range goes through unchanged.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import sparse

from dxscore import periods
from dxscore.index.data import (
    Dataset,
    Problem,
    _period,
    _text,
    dataset_from_frame,
    load_datasets,
    read_table,
)
from dxscore.index.errors import DataError
from dxscore.index.methodology import CompiledMethodology, IndicatorSpec
from dxscore.index.methods import Carry
from dxscore.index.pipeline import compute as compute_index
from dxscore.index.result import Result
from dxscore.lineage.model import Lineage, Step, Unit

TRAIL_COLUMNS = [
    "period",
    "unit",
    "name",
    "indicator",
    "carry",
    "value",
    "from_unit",
    "from_name",
    "share",
    "from_value",
]


@dataclass
class Carried:
    """Values on the map of ``as_of``: the ``dataset`` to compute on and the ``trail``
    of every carried value (``TRAIL_COLUMNS``: one row per period, unit, input and
    predecessor, with the predecessor's raw value and its share in the unit). ``lost``
    lists ``(period, unit, share)`` of units abolished without successor."""

    dataset: Dataset
    trail: pd.DataFrame
    as_of: dt.date
    lineage: str
    lost: list[tuple[str, str, float]] = field(default_factory=list)

    def sources(self, unit: str, period: str) -> list[str]:
        """The codes a unit's values in a period were carried from (empty: its own)."""
        rows = self.trail[(self.trail["unit"] == unit) & (self.trail["period"] == period)]
        return list(dict.fromkeys(rows["from_unit"]))

    @property
    def carried_units(self) -> pd.DataFrame:
        """One row per period and carried unit: ``period, unit, name, from_units``."""
        if self.trail.empty:
            return pd.DataFrame(columns=["period", "unit", "name", "from_units"])
        grouped = self.trail.groupby(["period", "unit", "name"], sort=False)["from_unit"]
        table = grouped.agg(lambda s: ", ".join(dict.fromkeys(s))).reset_index()
        return table.rename(columns={"from_unit": "from_units"})


def rules(methodology: CompiledMethodology) -> dict[str, Carry]:
    """The carry rule of every input of the methodology (indicators and denominators)."""
    out: dict[str, Carry] = {}
    for code in methodology.indicators:
        spec = methodology.nodes[code].spec
        out[code] = getattr(spec, "carry", Carry())
    for code, den in methodology.denominators.items():
        out[code] = getattr(den, "carry", Carry(method="sum"))
    return out


def describe(rule: Carry) -> str:
    """A rule as people read it: ``mean``, ``weighted_mean by population``, ``ratio a/b``."""
    if rule.method == "weighted_mean":
        return f"weighted_mean by {rule.by}"
    if rule.method == "ratio":
        per = f" x {rule.per:g}" if rule.per != 1 else ""
        return f"ratio {rule.numerator}/{rule.denominator}{per}"
    return rule.method


def period_end(code: str) -> dt.date:
    return periods.parse(code).end


def _where_unknown(lineage: Lineage, code: str, day: dt.date) -> str:
    spans = "; ".join(f"{u.label()} {u.validity()}" for u in lineage.units_of(code))
    return f"'{code}' denotes no unit on {day} (in {lineage.name}: {spans})"


def check_frame(
    frame: pd.DataFrame,
    lineage: Lineage,
    as_of: dt.date | None = None,
    source: str = "<table>",
    first_row: int = 2,
) -> None:
    """Every row's unit code denotes a unit on the last day of its period (and, with
    ``as_of``, one that exists by then); ``DataError`` naming each bad row otherwise.
    Rows with no unit or period are left to the data checks."""
    if "unit" not in frame.columns or "period" not in frame.columns:
        return
    units = _text(frame["unit"]).to_numpy(object)
    codes = _period(frame["period"]).to_numpy(object)
    problems: list[tuple[str, str]] = []
    cache: dict[tuple[str, str], str] = {}
    for i, (unit, period) in enumerate(zip(units, codes, strict=True)):
        if not unit or not periods.is_period(period):
            continue
        key = (str(unit), str(period))
        if key not in cache:
            cache[key] = _check_one(lineage, key[0], key[1], as_of)
        if cache[key]:
            row = i + first_row
            problems.append(Problem(f"row {row}, column 'unit'", cache[key], row, "unit"))
    if problems:
        raise DataError(source, problems)


def _check_one(lineage: Lineage, unit: str, period: str, as_of: dt.date | None) -> str:
    end = period_end(period)
    found = lineage.unit_at(unit, end)
    if found is None:
        return f"unit {_where_unknown(lineage, unit, end)}, the last day of period {period}"
    if as_of is not None and found.start is not None and as_of < found.start:
        return (
            f"unit '{unit}' of period {period} is {found.label()}, which begins on "
            f"{found.start}, after {as_of}: a value cannot be carried back to an earlier map"
        )
    return ""


def carry(
    data: Dataset | pd.DataFrame,
    lineage: Lineage,
    as_of: dt.date,
    methodology: CompiledMethodology,
    source: str = "<data>",
    first_row: int = 2,
) -> Carried:
    """The values of ``data`` on the map in force on ``as_of``.

    ``data`` is a ``Dataset`` or a table as read (long or wide, see
    ``dxscore.index.data``): a table is first checked row by row against the lineage, so
    a unit code that denotes no unit in its period is an error naming the row. Each
    value's unit is the unit its code denotes on the last day of its period; values of
    periods that end after ``as_of`` stay on their units, which must exist by
    ``as_of``. Raises ``DataError`` for bad input (nothing half-carried)."""
    if isinstance(data, pd.DataFrame):
        check_frame(data, lineage, as_of, source, first_row)
        data = dataset_from_frame(data, methodology, source=source, first_row=first_row)
    return _Carrier(data, lineage, as_of, methodology, source).run()


def compute(
    methodology: CompiledMethodology,
    data: Dataset | pd.DataFrame,
    lineage: Lineage,
    as_of: dt.date,
    source: str = "<data>",
) -> Result:
    """Carry ``data`` onto the map of ``as_of`` and compute the index on that map; the
    result's ``carried`` is the trail (``Result.explain`` shows it)."""
    carried = carry(data, lineage, as_of, methodology, source)
    result = compute_index(methodology, carried.dataset)
    result.carried = carried.trail
    return result


def _reach(matrix: sparse.csr_matrix[np.float64]) -> sparse.csr_matrix[np.float64]:
    """1 where a source unit has a share in a target unit (the matrix holds no zeros)."""
    reach = matrix.copy()
    reach.data = np.ones_like(reach.data)
    return reach


class _Carrier:
    def __init__(
        self,
        data: Dataset,
        lineage: Lineage,
        as_of: dt.date,
        methodology: CompiledMethodology,
        source: str,
    ):
        self.data = data
        self.lineage = lineage
        self.as_of = as_of
        self.methodology = methodology
        self.source = source
        self.rules = rules(methodology)
        self.problems: list[tuple[str, str]] = []

    def run(self) -> Carried:
        data = self.data
        steps: list[dict[int, list[Step]]] = []
        lost: list[tuple[str, str, float]] = []
        targets: dict[str, Unit] = {}  # code on the map of as_of -> unit
        for p, period in enumerate(data.periods):
            per_unit: dict[int, list[Step]] = {}
            has = data.present[p] | np.any(
                [~np.isnan(v[p]) for v in data.values.values()] or [data.present[p]], axis=0
            )
            end = period_end(period)
            for u in np.nonzero(has)[0]:
                code = data.units[u]
                problem = _check_one(self.lineage, code, period, self.as_of)
                if problem:
                    self.problems.append((f"unit '{code}', period '{period}'", problem))
                    continue
                unit = self.lineage.unit_at(code, end)
                assert unit is not None
                if end < self.as_of:
                    found, gone = self.lineage.trace(unit, end, self.as_of)
                else:
                    found, gone = [Step(unit, 1.0, True)], 0.0
                if gone > 0:
                    lost.append((period, code, gone))
                per_unit[int(u)] = found
                for step in found:
                    targets.setdefault(step.unit.code, step.unit)
            steps.append(per_unit)
        if self.problems:
            raise DataError(self.source, self.problems)
        order = list(targets)
        t_ix = {code: i for i, code in enumerate(order)}
        shape = (len(data.periods), len(order))
        values = {code: np.full(shape, np.nan) for code in data.values}
        present = np.zeros(shape, dtype=bool)
        same_all = np.zeros(shape, dtype=bool)
        trail: list[dict[str, object]] = []
        for p, period in enumerate(data.periods):
            matrix, same = self._matrix(steps[p], t_ix)
            present[p] = np.asarray(_reach(matrix).T @ data.present[p].astype(float)) > 0
            same_all[p] = same >= 0
            carried = self._period_values(p, matrix, same)
            for code, v in carried.items():
                values[code][p] = v
            trail += self._trail(p, period, matrix, same, carried, order, targets)
        names = self._names(order, targets, same_all)
        groups = self._groups(order, steps, t_ix)
        self._check_required(values, present, same_all, order, names)
        if self.problems:
            raise DataError(self.source, self.problems)
        dataset = Dataset(
            order, list(data.periods), values, present, groups, names, list(data.ignored)
        )
        frame = pd.DataFrame(trail, columns=TRAIL_COLUMNS)
        return Carried(dataset, frame, self.as_of, self.lineage.name, lost)

    def _matrix(
        self, per_unit: dict[int, list[Step]], t_ix: dict[str, int]
    ) -> tuple[sparse.csr_matrix[np.float64], np.ndarray]:
        """The shares ``(source units, target units)`` of one period, and per target the
        index of the source unit it is unchanged from (-1 if none)."""
        rows, cols, shares = [], [], []
        inflow: dict[int, list[tuple[int, float, bool]]] = {}
        for u, found in per_unit.items():
            for step in found:
                t = t_ix[step.unit.code]
                rows.append(u)
                cols.append(t)
                shares.append(step.share)
                inflow.setdefault(t, []).append((u, step.share, step.same))
        matrix = sparse.coo_matrix(
            (
                np.asarray(shares, dtype=np.float64),
                (np.asarray(rows, dtype=np.intp), np.asarray(cols, dtype=np.intp)),
            ),
            shape=(len(self.data.units), len(t_ix)),
        ).tocsr()
        same = np.full(len(t_ix), -1)
        for t, parts in inflow.items():
            if len(parts) == 1 and parts[0][2] and abs(parts[0][1] - 1) < 1e-12:
                same[t] = parts[0][0]
        return matrix, same

    def _period_values(
        self, p: int, matrix: sparse.csr_matrix[np.float64], same: np.ndarray
    ) -> dict[str, np.ndarray]:
        data = self.data
        reach = _reach(matrix)
        out: dict[str, np.ndarray] = {}

        def spread(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
            """``x`` summed into the targets by share, and where a source lacks it."""
            missing = np.asarray(reach.T @ np.isnan(x).astype(float)) > 0
            return np.asarray(matrix.T @ np.nan_to_num(x)), missing

        total_share = np.asarray(matrix.T @ np.ones(len(data.units)))
        ordered = sorted(self.rules, key=lambda c: self.rules[c].method == "ratio")
        for code in ordered:
            if code not in data.values:
                continue
            rule = self.rules[code]
            x = data.values[code][p]
            with np.errstate(divide="ignore", invalid="ignore"):
                if rule.method == "sum":
                    v, missing = spread(x)
                elif rule.method == "mean":
                    v, missing = spread(x)
                    v = v / total_share
                elif rule.method == "weighted_mean":
                    w = data.values[str(rule.by)][p]
                    num, m1 = spread(x * w)
                    den, m2 = spread(w)
                    v, missing = num / den, m1 | m2 | (den == 0)
                elif rule.method == "ratio":
                    num, den = out[str(rule.numerator)], out[str(rule.denominator)]
                    v = rule.per * num / den
                    missing = np.isnan(num) | np.isnan(den) | (den == 0)
                else:
                    v, missing = np.full(len(same), np.nan), np.ones(len(same), dtype=bool)
            v = np.where(missing, np.nan, v)
            keep = same >= 0
            v[keep] = x[same[keep]]
            out[code] = v
        return out

    def _trail(
        self,
        p: int,
        period: str,
        matrix: sparse.csr_matrix[np.float64],
        same: np.ndarray,
        carried: dict[str, np.ndarray],
        order: list[str],
        targets: dict[str, Unit],
    ) -> list[dict[str, object]]:
        data = self.data
        coo = matrix.tocoo()
        rows: list[dict[str, object]] = []
        pairs = sorted(
            (int(t), int(u), float(s))
            for u, t, s in zip(coo.row, coo.col, coo.data, strict=True)
            if same[t] < 0 and s > 0
        )
        for t, u, share in pairs:
            unit = targets[order[t]]
            source = self.lineage.unit_at(data.units[u], period_end(period))
            from_name = (source.name if source is not None else "") or data.names.get(
                data.units[u], ""
            )
            for code in carried:
                rows.append(
                    {
                        "period": period,
                        "unit": unit.code,
                        "name": unit.name or unit.code,
                        "indicator": code,
                        "carry": describe(self.rules[code]),
                        "value": carried[code][t],
                        "from_unit": data.units[u],
                        "from_name": from_name,
                        "share": share,
                        "from_value": data.values[code][p][u],
                    }
                )
        return rows

    def _names(
        self, order: list[str], targets: dict[str, Unit], same: np.ndarray
    ) -> dict[str, str]:
        names: dict[str, str] = {}
        for t, code in enumerate(order):
            unit = targets[code]
            if unit.name:
                names[code] = unit.name
            elif same[:, t].any() and code in self.data.names:
                names[code] = self.data.names[code]
        return names

    def _groups(
        self, order: list[str], steps: list[dict[int, list[Step]]], t_ix: dict[str, int]
    ) -> dict[str, np.ndarray]:
        """A target unit's group label: the one label all its predecessors share."""
        out: dict[str, np.ndarray] = {}
        for group, labels in self.data.groups.items():
            seen: dict[int, set[str]] = {}
            for per_unit in steps:
                for u, found in per_unit.items():
                    for step in found:
                        seen.setdefault(t_ix[step.unit.code], set()).add(str(labels[u]))
            arr = np.array([""] * len(order), dtype=object)
            for t, found_labels in seen.items():
                if len(found_labels) == 1:
                    arr[t] = next(iter(found_labels))
                else:
                    self.problems.append(
                        (
                            f"unit '{order[t]}'",
                            f"its predecessors have different '{group}' groups "
                            f"({', '.join(sorted(found_labels))}): give the units of "
                            f"{self.as_of} their groups in the data",
                        )
                    )
            out[group] = arr
        return out

    def _check_required(
        self,
        values: dict[str, np.ndarray],
        present: np.ndarray,
        same: np.ndarray,
        order: list[str],
        names: dict[str, str],
    ) -> None:
        """A changed unit must get every value the methodology requires."""
        for code in self.methodology.indicators:
            spec = self.methodology.nodes[code].spec
            if not isinstance(spec, IndicatorSpec) or spec.missing_allowed:
                continue
            gap = present & ~same & np.isnan(values[code])
            for p, t in zip(*np.nonzero(gap), strict=True):
                rule = self.rules[code]
                why = (
                    "its carry rule is 'none'"
                    if rule.method == "none"
                    else f"a predecessor has no value for it ({describe(rule)})"
                )
                name = f" ({names[order[t]]})" if order[t] in names else ""
                self.problems.append(
                    (
                        f"unit '{order[t]}'{name}, period '{self.data.periods[p]}'",
                        f"'{code}' is required and cannot be carried onto the map of "
                        f"{self.as_of}: {why}",
                    )
                )


def carry_files(
    paths: list[str] | list[Path],
    methodology: CompiledMethodology,
    lineage: Lineage,
    as_of: dt.date,
    units: pd.DataFrame | None = None,
    ignore_unknown: bool = False,
) -> Carried:
    """``carry`` for data files (as ``dxscore index compute`` reads them): each file's
    rows are checked against the lineage first, so an error names the file and row."""
    for path in paths:
        frame, first_row = read_table(path)
        check_frame(frame, lineage, as_of, str(path), first_row)
    data = load_datasets(list(paths), methodology, units=units, ignore_unknown=ignore_unknown)
    source = " + ".join(str(p) for p in paths)
    return _Carrier(data, lineage, as_of, methodology, source).run()
