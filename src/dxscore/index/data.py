"""Raw input values: read a table (CSV, XLSX, Parquet; long or wide), check it against a
methodology, and hold it as arrays for the engine.

Long tables have the columns ``unit,period,indicator,value``; wide tables have
``unit,period`` and one column per indicator, denominator or group (an optional ``name``
column carries unit names). Every problem names the row and column; all problems are
reported together and nothing is computed from a table that has any.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from dxscore.index.methodology import Methodology

PERIOD_PATTERN = re.compile(r"^\d{4}(Q[1-4]|-(0[1-9]|1[0-2]))?$")
LONG_COLUMNS = ("unit", "period", "indicator", "value")
MAX_LISTED = 50
MISSING_MARKERS = {"", "NA", "N/A", "NAN", "NULL", "-"}  # cells that mean "no value"


class DataError(ValueError):
    """The input table has problems; ``problems`` lists ``(where, message)`` pairs."""

    def __init__(self, source: str, problems: list[tuple[str, str]]):
        self.source = source
        self.problems = problems
        shown = problems[:MAX_LISTED]
        lines = [f"{source}: {len(problems)} problem(s)"]
        lines += [f"  {where}: {message}" for where, message in shown]
        if len(problems) > len(shown):
            lines.append(f"  ... and {len(problems) - len(shown)} more")
        super().__init__("\n".join(lines))


@dataclass
class Dataset:
    """Raw values as ``(P, U)`` arrays per input code (indicators and denominators)."""

    units: list[str]
    periods: list[str]
    values: dict[str, np.ndarray]
    present: np.ndarray  # (P, U): the unit has a row in that period
    groups: dict[str, np.ndarray] = field(default_factory=dict)  # name -> (U,) labels
    names: dict[str, str] = field(default_factory=dict)

    def unit_index(self, unit: str) -> int:
        try:
            return self.units.index(unit)
        except ValueError:
            raise KeyError(f"unknown unit '{unit}'") from None

    def period_index(self, period: str) -> int:
        try:
            return self.periods.index(str(period))
        except ValueError:
            raise KeyError(
                f"unknown period '{period}' (periods: {', '.join(self.periods)})"
            ) from None

    def to_long(self) -> pd.DataFrame:
        """The raw values as a tidy ``unit,period,indicator,value`` table (missing left out)."""
        frames = []
        for code, arr in self.values.items():
            p, u = np.nonzero(~np.isnan(arr))
            frames.append(
                pd.DataFrame(
                    {
                        "unit": np.asarray(self.units, dtype=object)[u],
                        "period": np.asarray(self.periods, dtype=object)[p],
                        "indicator": code,
                        "value": arr[p, u],
                    }
                )
            )
        return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(
            columns=list(LONG_COLUMNS)
        )


# --- reading ----------------------------------------------------------------------------


def read_table(path: str | Path) -> tuple[pd.DataFrame, int]:
    """Read a table as text-preserving columns; returns the frame and the file row number
    of its first data row (2 for a header line followed by data)."""
    path = Path(path)
    suffix = path.suffix.lower()
    if not path.exists():
        raise DataError(str(path), [("file", "no such file")])
    try:
        if suffix in (".csv", ".txt"):
            frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
        elif suffix in (".xlsx", ".xlsm", ".xls", ".ods"):
            frame = pd.read_excel(path, dtype=object, engine="calamine")
        elif suffix == ".parquet":
            frame = pd.read_parquet(path)
        else:
            raise DataError(str(path), [("file", f"unsupported file type '{suffix}'")])
    except DataError:
        raise
    except UnicodeDecodeError as exc:
        raise DataError(str(path), [("file", f"not UTF-8 text ({exc.reason})")]) from None
    except Exception as exc:  # noqa: BLE001 - any reader failure is a file problem
        raise DataError(str(path), [("file", f"cannot read: {exc}")]) from None
    frame.columns = [str(c).strip() for c in frame.columns]
    return frame, 2


def _text(series: pd.Series) -> pd.Series:
    """Cell values as stripped text, integral floats without '.0', empty for missing."""

    def one(v: object) -> str:
        if v is None or (isinstance(v, float) and np.isnan(v)):
            return ""
        if isinstance(v, float) and v.is_integer():
            return str(int(v))
        return str(v).strip()

    return series.map(one)


def _number(text: str) -> float:
    """Exact decimal-to-float parsing (Python's ``float``); NaN if empty or not a number."""
    if text.upper() in MISSING_MARKERS:
        return np.nan
    try:
        value = float(text)
    except ValueError:
        return np.nan
    return value if np.isfinite(value) else np.nan


def _period(series: pd.Series) -> pd.Series:
    """Period codes as text; a year written as a number (``2018.0``) becomes ``2018``."""
    text = _text(series)
    return text.str.replace(r"^(\d{4})\.0*$", r"\1", regex=True)


def load_dataset(
    path: str | Path,
    methodology: Methodology,
    units: pd.DataFrame | None = None,
) -> Dataset:
    frame, first_row = read_table(path)
    return dataset_from_frame(frame, methodology, units=units, source=str(path), first_row=first_row)


def dataset_from_frame(
    frame: pd.DataFrame,
    methodology: Methodology,
    units: pd.DataFrame | None = None,
    source: str = "<table>",
    first_row: int = 2,
) -> Dataset:
    """Check a long or wide table against the methodology and build the arrays.

    ``units`` (optional) lists the known units (column ``unit``, optional ``name`` and
    group columns); when given, any other unit is an error.
    """
    problems: list[tuple[str, str]] = []
    frame = frame.reset_index(drop=True)
    rows = pd.Series(np.arange(len(frame)) + first_row, index=frame.index)
    inputs = set(methodology.indicators) | set(methodology.denominators)
    group_cols = set(methodology.groups)

    for col in ("unit", "period"):
        if col not in frame.columns:
            raise DataError(source, [(f"column '{col}'", "required column is missing")])
    is_long = set(LONG_COLUMNS) <= set(frame.columns)
    allowed = set(LONG_COLUMNS) | {"name"} | group_cols if is_long else None
    if is_long:
        extra = [c for c in frame.columns if c not in allowed]
        problems += [(f"column '{c}'", "unknown column in a long table") for c in extra]
        long = pd.DataFrame(
            {
                "row": rows,
                "unit": _text(frame["unit"]),
                "period": _period(frame["period"]),
                "code": _text(frame["indicator"]),
                "raw": frame["value"],
                "column": "value",
            }
        )
    else:
        value_cols = [c for c in frame.columns if c not in ("unit", "period", "name", *group_cols)]
        problems += [
            (f"column '{c}'", f"not an indicator, denominator or group of {methodology.label}")
            for c in value_cols
            if c not in inputs
        ]
        value_cols = [c for c in value_cols if c in inputs]
        long = frame[["unit", "period", *value_cols]].assign(row=rows)
        long["unit"], long["period"] = _text(long["unit"]), _period(long["period"])
        long = long.melt(id_vars=["row", "unit", "period"], var_name="code", value_name="raw")
        long["column"] = long["code"]

    # keys
    bad_unit = long["unit"] == ""
    problems += [(f"row {r}, column 'unit'", "empty unit") for r in long.loc[bad_unit, "row"]]
    bad_period = ~long["period"].map(lambda p: bool(PERIOD_PATTERN.match(p)))
    problems += [
        (f"row {r}, column 'period'", f"'{p}' is not a period (2024, 2024Q3 or 2024-07)")
        for r, p in long.loc[bad_period, ["row", "period"]].drop_duplicates("row").itertuples(
            index=False
        )
    ]
    if is_long:
        unknown = ~long["code"].isin(inputs)
        problems += [
            (f"row {r}, column 'indicator'", f"unknown indicator '{c}' in {methodology.label}")
            for r, c in long.loc[unknown, ["row", "code"]].itertuples(index=False)
        ]
        long = long[~unknown]
    if units is not None:
        known = set(units["unit"].astype(str))
        strange = ~long["unit"].isin(known) & ~bad_unit
        problems += [
            (f"row {r}, column 'unit'", f"unknown unit '{u}'")
            for r, u in long.loc[strange, ["row", "unit"]].drop_duplicates("row").itertuples(
                index=False
            )
        ]

    # values
    raw_text = _text(long["raw"])
    value = raw_text.str.replace(",", "", regex=False).map(_number).astype(float)
    not_number = ~raw_text.str.upper().isin(MISSING_MARKERS) & value.isna()
    problems += [
        (f"row {r}, column '{c}'", f"'{t}' is not a number")
        for r, c, t in zip(
            long.loc[not_number, "row"], long.loc[not_number, "column"], raw_text[not_number],
            strict=True,
        )
    ]
    long = long.assign(value=value.astype(float))
    for code in methodology.indicators:
        rng = methodology.nodes[code].spec.range
        if rng is None:
            continue
        low, high = rng
        sel = long["code"] == code
        v = long.loc[sel, "value"]
        out = (v < low) if low is not None else pd.Series(False, index=v.index)
        if high is not None:
            out |= v > high
        shown = f"[{'' if low is None else f'{low:g}'}, {'' if high is None else f'{high:g}'}]"
        problems += [
            (f"row {r}, column '{c}'", f"{x:g} is outside the valid range {shown} of '{code}'")
            for r, c, x in long.loc[out[out].index, ["row", "column", "value"]].itertuples(
                index=False
            )
        ]

    # duplicates
    key = ["unit", "period", "code"]
    dup = long.duplicated(key, keep=False) & (long["unit"] != "")
    if dup.any():
        for _, grp in long[dup].groupby(key, sort=False):
            first, *others = grp["row"].tolist()
            u, p, c = grp.iloc[0][key]
            problems += [
                (f"row {r}", f"duplicate of row {first} (unit '{u}', period '{p}', '{c}')")
                for r in others
            ]

    if problems:
        raise DataError(source, problems)
    return _build(long, frame, methodology, units, source)


def _build(
    long: pd.DataFrame,
    frame: pd.DataFrame,
    methodology: Methodology,
    units: pd.DataFrame | None,
    source: str,
) -> Dataset:
    unit_list = list(dict.fromkeys(long["unit"]))
    if units is not None:
        order = [u for u in units["unit"].astype(str) if u in set(unit_list)]
        unit_list = order
    periods = sorted(set(long["period"]))
    u_ix = {u: i for i, u in enumerate(unit_list)}
    p_ix = {p: i for i, p in enumerate(periods)}
    shape = (len(periods), len(unit_list))
    present = np.zeros(shape, dtype=bool)
    pi = long["period"].map(p_ix).to_numpy()
    ui = long["unit"].map(u_ix).to_numpy()
    present[pi, ui] = True
    values: dict[str, np.ndarray] = {}
    for code in [*methodology.indicators, *methodology.denominators]:
        arr = np.full(shape, np.nan)
        sel = (long["code"] == code).to_numpy()
        arr[pi[sel], ui[sel]] = long["value"].to_numpy()[sel]
        values[code] = arr

    groups, names = _unit_attributes(frame, methodology, units, unit_list, source)
    problems = []
    for code in methodology.indicators:
        spec = methodology.nodes[code].spec
        if spec.missing_allowed:
            continue
        missing = present & np.isnan(values[code])
        if missing.all() and missing.any():
            problems.append(
                (f"indicator '{code}'", "no values at all, and the methodology requires it")
            )
            continue
        for p, u in zip(*np.nonzero(missing), strict=True):
            problems.append(
                (
                    f"unit '{unit_list[u]}', period '{periods[p]}'",
                    f"no value for '{code}', which has no imputation in {methodology.label}",
                )
            )
    if problems:
        raise DataError(source, problems)
    return Dataset(unit_list, periods, values, present, groups, names)


def _unit_attributes(frame, methodology, units, unit_list, source):
    groups: dict[str, np.ndarray] = {}
    names: dict[str, str] = {}
    problems = []
    tables = [t for t in (units, frame) if t is not None]
    for table in tables:
        if "name" in table.columns:
            for u, n in zip(_text(table["unit"]), _text(table["name"]), strict=True):
                if n and u not in names:
                    names[u] = n
    for group in methodology.groups:
        table = next((t for t in tables if group in t.columns), None)
        if table is None:
            problems.append((f"group '{group}'", "no column for it in the data or the units file"))
            continue
        labels = dict(zip(_text(table["unit"]), _text(table[group]), strict=True))
        arr = np.array([labels.get(u, "") for u in unit_list], dtype=object)
        for u in np.asarray(unit_list, dtype=object)[arr == ""]:
            problems.append((f"unit '{u}'", f"no '{group}' group"))
        groups[group] = arr
    if problems:
        raise DataError(source, problems)
    return groups, names


def read_units(path: str | Path) -> pd.DataFrame:
    """A units file: column ``unit`` (or ``code``), optional ``name`` and group columns."""
    frame, _ = read_table(path)
    if "unit" not in frame.columns and "code" in frame.columns:
        frame = frame.rename(columns={"code": "unit"})
    if "unit" not in frame.columns:
        raise DataError(str(path), [("column 'unit'", "a units file needs a 'unit' column")])
    frame["unit"] = _text(frame["unit"])
    dup = frame["unit"].duplicated()
    if dup.any():
        raise DataError(
            str(path),
            [(f"row {i + 2}", f"unit '{u}' listed twice") for i, u in frame["unit"][dup].items()],
        )
    return frame
