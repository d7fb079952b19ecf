"""Raw input values: read a table (CSV, XLSX, Parquet; long or wide), check it against a
methodology, and hold it as arrays for the engine.

Long tables have the columns ``unit,period,indicator,value``; wide tables have
``unit,period`` and one column per indicator, denominator or group (an optional ``name``
column carries unit names). Every problem names the row and column; all problems are
reported together and nothing is computed from a table that has any.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Self

import numpy as np
import pandas as pd

from dxscore import periods
from dxscore.index.arrays import Bools, Floats, Ints, Texts
from dxscore.index.errors import DataError
from dxscore.index.methodology import CompiledMethodology, node_path
from dxscore.tables import read_frame

LONG_COLUMNS = ("unit", "period", "indicator", "value")
MISSING_MARKERS = {"", "NA", "N/A", "NAN", "NULL", "-"}  # cells that mean "no value"
# the column that marks units shown but not ranked (in the data or the units file)
REFERENCE_COLUMN = "reference"
_YES = {"1", "TRUE", "YES", "Y", "X"}
_NO = {"", "0", "FALSE", "NO", "N"}


class Problem(tuple[str, str]):
    """One problem: a ``(where, message)`` pair that also carries, when the problem is in
    one row of the table, its ``row`` number and ``column`` name as fields."""

    row: int | None
    column: str | None

    def __new__(
        cls, where: str, message: str, row: int | None = None, column: str | None = None
    ) -> Self:
        self = super().__new__(cls, (where, message))
        self.row, self.column = row, column
        return self

    @property
    def where(self) -> str:
        return self[0]

    @property
    def message(self) -> str:
        return self[1]


def _at(row: int | np.integer[Any], column: str | None, message: str) -> Problem:
    where = f"row {row}" + (f", column '{column}'" if column else "")
    return Problem(where, message, int(row), column)


@dataclass
class Dataset:
    """Raw values as ``(P, U)`` arrays per input code (indicators and denominators)."""

    units: list[str]
    periods: list[str]
    values: dict[str, Floats]
    present: Bools  # (P, U): the unit has a row in that period
    groups: dict[str, Texts] = field(default_factory=dict)  # name -> (U,) labels
    names: dict[str, str] = field(default_factory=dict)
    ignored: list[str] = field(default_factory=list)  # input codes left out (ignore_unknown)
    # (U,): units shown but not ranked (column ``reference``; see pipeline.reference_mask)
    reference: Bools | None = None

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
        return (
            pd.concat(frames, ignore_index=True)
            if frames
            else pd.DataFrame(columns=list(LONG_COLUMNS))
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
            frame = read_frame(frame)  # a file the project wrote: '=x is the text =x
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
    if pd.api.types.infer_dtype(series, skipna=False) == "string":
        return series.astype(object).str.strip()

    def one(v: object) -> str:
        if v is None or v is pd.NA or (isinstance(v, float) and np.isnan(v)):
            return ""
        if isinstance(v, float) and v.is_integer():
            return str(int(v))
        return str(v).strip()

    return series.map(one).astype(object)


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
    methodology: CompiledMethodology,
    units: pd.DataFrame | None = None,
    ignore_unknown: bool = False,
    partial: bool = False,
) -> Dataset:
    frame, first_row = read_table(path)
    return dataset_from_frame(
        frame,
        methodology,
        units=units,
        source=str(path),
        first_row=first_row,
        ignore_unknown=ignore_unknown,
        partial=partial,
    )


def load_datasets(
    paths: list[str | Path],
    methodology: CompiledMethodology,
    units: pd.DataFrame | None = None,
    ignore_unknown: bool = False,
) -> Dataset:
    """Several input files as one dataset (for example dossier measures plus entered
    values). Each file is checked on its own; a value given in two files is an error;
    required values are checked on the union."""
    if len(paths) == 1:
        return load_dataset(paths[0], methodology, units, ignore_unknown)
    parts = [load_dataset(p, methodology, units, ignore_unknown, partial=True) for p in paths]
    merged = merge(parts, [str(p) for p in paths])
    source = " + ".join(str(p) for p in paths)
    problems = [
        (f"unit '{u}'", f"no '{group}' group in any file")
        for group in methodology.groups
        for u, label in zip(
            merged.units, merged.groups.get(group, [""] * len(merged.units)), strict=True
        )
        if not label
    ]
    if problems:
        raise DataError(source, problems)
    check_required(merged, methodology, source)
    return merged


def merge(parts: list[Dataset], sources: list[str]) -> Dataset:
    """The union of datasets over the same methodology; overlapping values are an error."""
    units = list(dict.fromkeys(u for d in parts for u in d.units))
    periods = sorted({p for d in parts for p in d.periods})
    u_ix, p_ix = {u: i for i, u in enumerate(units)}, {p: i for i, p in enumerate(periods)}
    shape = (len(periods), len(units))
    present = np.zeros(shape, dtype=bool)
    values = {code: np.full(shape, np.nan) for code in parts[0].values}
    filled_by: dict[str, Ints] = {code: np.full(shape, -1) for code in values}
    problems: list[tuple[str, str]] = []
    groups: dict[str, dict[str, str]] = {}
    names: dict[str, str] = {}
    reference = np.zeros(len(units), dtype=bool)
    for k, d in enumerate(parts):
        if d.reference is not None:
            reference[[u_ix[u] for u, r in zip(d.units, d.reference, strict=True) if r]] = True
        rows = np.array([p_ix[p] for p in d.periods])[:, None]
        cols = np.array([u_ix[u] for u in d.units])[None, :]
        present[rows, cols] |= d.present
        for code, arr in d.values.items():
            has = ~np.isnan(arr)
            clash = has & (filled_by[code][rows, cols] >= 0)
            for p, u in zip(*np.nonzero(clash), strict=True):
                other = sources[filled_by[code][rows[p, 0], cols[0, u]]]
                problems.append(
                    (
                        f"unit '{d.units[u]}', period '{d.periods[p]}'",
                        f"'{code}' is given in both {other} and {sources[k]}",
                    )
                )
            target = values[code][rows, cols]
            values[code][rows, cols] = np.where(has, arr, target)
            filled_by[code][rows, cols] = np.where(has, k, filled_by[code][rows, cols])
        for name, labels in d.groups.items():
            groups.setdefault(name, {}).update(
                (u, label) for u, label in zip(d.units, labels, strict=True) if label
            )
        names.update(d.names)
    if problems:
        raise DataError(" + ".join(sources), problems)
    group_arrays = {
        name: np.array([labels.get(u, "") for u in units], dtype=object)
        for name, labels in groups.items()
    }
    ignored = sorted({c for d in parts for c in d.ignored})
    marked = reference if any(d.reference is not None for d in parts) else None
    return Dataset(units, periods, values, present, group_arrays, names, ignored, marked)


def dataset_from_frame(
    frame: pd.DataFrame,
    methodology: CompiledMethodology,
    units: pd.DataFrame | None = None,
    source: str = "<table>",
    first_row: int = 2,
    partial: bool = False,
    ignore_unknown: bool = False,
) -> Dataset:
    """Check a long or wide table against the methodology and build the arrays.

    ``units`` (optional) lists the known units (column ``unit``, optional ``name`` and
    group columns); when given, any other unit is an error. ``partial`` skips the
    whole-table rule that every required indicator has a value (for uploads of some
    values only). ``ignore_unknown`` leaves out indicators the methodology does not use
    (listed in ``Dataset.ignored``) instead of rejecting them. Problems in one row are
    ``Problem``s with ``row`` and ``column``.
    Checks are vectorised: a table of millions of values is checked in seconds.
    """
    problems: list[tuple[str, str]] = []
    frame = frame.reset_index(drop=True)
    codes = [*methodology.indicators, *methodology.denominators]
    code_ix = {c: i for i, c in enumerate(codes)}
    group_cols = set(methodology.groups)
    for col in ("unit", "period"):
        if col not in frame.columns:
            raise DataError(source, [(f"column '{col}'", "required column is missing")])
    is_long = set(LONG_COLUMNS) <= set(frame.columns)
    ignored: list[str] = []

    # row keys: each row once
    rows = np.arange(len(frame)) + first_row
    unit = _text(frame["unit"]).to_numpy(object)
    period = _period(frame["period"]).to_numpy(object)
    bad_unit = unit == ""
    problems += [_at(r, "unit", "empty unit") for r in rows[bad_unit]]
    bad_period = ~pd.Series(period, dtype=object).str.match(periods.PATTERN.pattern).to_numpy(bool)
    problems += [
        _at(r, "period", f"'{p}' is not a period (2024, 2024Q3 or 2024-07)")
        for r, p in zip(rows[bad_period], period[bad_period], strict=True)
    ]
    bad_row = bad_unit | bad_period
    if units is not None:
        strange = ~pd.Series(unit).isin(set(units["unit"].astype(str))).to_numpy() & ~bad_unit
        problems += [
            _at(r, "unit", f"unknown unit '{u}'")
            for r, u in zip(rows[strange], unit[strange], strict=True)
        ]
        bad_row |= strange

    # values, as flat arrays: row position, code index, value, column name
    if is_long:
        allowed = set(LONG_COLUMNS) | {"name", REFERENCE_COLUMN} | group_cols
        problems += [
            (f"column '{c}'", "unknown column in a long table")
            for c in frame.columns
            if c not in allowed
        ]
        code_text = _text(frame["indicator"])
        ci = code_text.map(code_ix).to_numpy(float)
        unknown = np.isnan(ci)
        if ignore_unknown:
            ignored = sorted(set(code_text.to_numpy(object)[unknown]))
        else:
            problems += [
                _at(r, "indicator", f"unknown indicator '{c}' in {methodology.label}")
                for r, c in zip(rows[unknown], code_text.to_numpy(object)[unknown], strict=True)
            ]
        value, not_number, why = _numbers(frame["value"])
        not_number &= ~unknown
        problems += [
            _at(r, "value", w) for r, w in zip(rows[not_number], why[not_number], strict=True)
        ]
        pos = np.nonzero(~unknown)[0]
        ci = ci[pos].astype(int)
        value = value[pos]
        columns = np.full(len(pos), "value", dtype=object)
    else:
        value_cols = [
            c
            for c in frame.columns
            if c not in ("unit", "period", "name", *group_cols) and c != REFERENCE_COLUMN
        ]
        if ignore_unknown:
            ignored = [c for c in value_cols if c not in code_ix]
        else:
            problems += [
                (f"column '{c}'", f"not an indicator, denominator or group of {methodology.label}")
                for c in value_cols
                if c not in code_ix
            ]
        value_cols = [c for c in value_cols if c in code_ix]
        parts = []
        for col in value_cols:
            v, not_number, why = _numbers(frame[col])
            problems += [
                _at(r, col, w) for r, w in zip(rows[not_number], why[not_number], strict=True)
            ]
            parts.append(v)
        n = len(frame)
        pos = np.tile(np.arange(n), len(value_cols))
        ci = np.repeat([code_ix[c] for c in value_cols], n).astype(int)
        value = np.concatenate(parts) if parts else np.zeros(0)
        columns = np.repeat(np.array(value_cols, dtype=object), n)

    # valid ranges, vectorised over all codes at once
    low = np.full(len(codes), -np.inf)
    high = np.full(len(codes), np.inf)
    for i, code in enumerate(methodology.indicators):
        rng = methodology.nodes[code].indicator_spec.range
        if rng is not None:
            low[i] = -np.inf if rng[0] is None else rng[0]
            high[i] = np.inf if rng[1] is None else rng[1]
    with np.errstate(invalid="ignore"):
        outside = (value < low[ci]) | (value > high[ci])
    for k in np.nonzero(outside)[0]:
        code = codes[ci[k]]
        lo_txt = "" if np.isinf(low[ci[k]]) else f"{low[ci[k]]:g}"
        hi_txt = "" if np.isinf(high[ci[k]]) else f"{high[ci[k]]:g}"
        problems.append(
            _at(
                rows[pos[k]],
                columns[k],
                f"{value[k]:g} is outside the valid range [{lo_txt}, {hi_txt}] of '{code}'",
            )
        )

    # duplicates: (unit, period) rows in a wide table, (unit, period, indicator) in a long one
    keys = pd.DataFrame({"unit": unit[pos], "period": period[pos], "code": ci, "row": rows[pos]})
    if not is_long:
        keys = keys.drop_duplicates("row")
        key = ["unit", "period"]
    else:
        key = ["unit", "period", "code"]
    keys = keys[~bad_row[keys["row"].to_numpy() - first_row]]
    dup = keys.duplicated(key, keep=False)
    if dup.any():
        for _, grp in keys[dup].groupby(key, sort=False):
            first, *others = grp["row"].tolist()
            what = f"unit '{grp.iloc[0]['unit']}', period '{grp.iloc[0]['period']}'"
            if is_long:
                what += f", '{codes[grp.iloc[0]['code']]}'"
            problems += [_at(r, None, f"duplicate of row {first} ({what})") for r in others]

    if problems:
        raise DataError(source, problems)
    data = _build(unit, period, pos, ci, value, codes, frame, methodology, units, source, partial)
    data.ignored = list(ignored)
    data.reference = _reference_marks(frame, units, data.units, source, first_row)
    if not partial:
        check_required(data, methodology, source)
    return data


def _numbers(series: pd.Series) -> tuple[Floats, Bools, Texts]:
    """Values of a column as floats, the mask of cells that are not numbers, and why each
    of those is not (for messages). Numeric columns are taken as they are; text is parsed
    exactly (Python's ``float``), which ``pandas.to_numeric`` is not. A text with a comma
    is read as ``dxscore.numbers`` reads a number in English conventions: ``1,234,567``
    is grouped, ``0,6`` can only be a decimal comma (0.6), and ``1,234`` (1234, or 1.234
    with a decimal comma) is refused as ambiguous instead of guessed."""
    if pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series):
        v = series.to_numpy(dtype=np.float64, na_value=np.nan)
        no_text = np.full(len(v), "", dtype=object)
        return np.where(np.isfinite(v), v, np.nan), np.zeros(len(v), dtype=bool), no_text
    text = _text(series)
    missing = text.str.upper().isin(MISSING_MARKERS).to_numpy()
    why = np.array([f"'{t}' is not a number" for t in text.to_numpy(object)], dtype=object)
    parsed = text.map(_number)
    commas = text.str.contains(",", regex=False).to_numpy() & ~missing
    if commas.any():
        from dxscore.numbers import NumberProblem, parse_number

        for i in np.nonzero(commas)[0]:
            try:
                found = parse_number(text.iloc[i], "en")
            except NumberProblem as problem:
                why[i] = str(problem)
                continue
            parsed.iloc[i] = np.nan if found is None else found
    # pandas-stubs type the array as floating, not float64; asarray does not copy it
    value = np.asarray(parsed.to_numpy(dtype=np.float64), dtype=np.float64)
    not_number: Bools = ~missing & np.isnan(value)
    return value, not_number, why


def _build(
    unit: Texts,
    period: Texts,
    pos: Ints,
    ci: Ints,
    value: Floats,
    codes: list[str],
    frame: pd.DataFrame,
    methodology: CompiledMethodology,
    units: pd.DataFrame | None,
    source: str,
    partial: bool,
) -> Dataset:
    unit_list = list(dict.fromkeys(unit))
    if units is not None:
        wanted = set(unit_list)
        unit_list = [u for u in units["unit"].astype(str) if u in wanted]
    periods = sorted(set(period))
    u_ix = pd.Index(unit_list).get_indexer(unit)
    p_ix = pd.Index(periods).get_indexer(period)
    shape = (len(periods), len(unit_list))
    present = np.zeros(shape, dtype=bool)
    present[p_ix, u_ix] = True
    cube = np.full((len(codes), *shape), np.nan)
    cube[ci, p_ix[pos], u_ix[pos]] = value
    values = {code: cube[i] for i, code in enumerate(codes)}

    groups, names = _unit_attributes(frame, methodology, units, unit_list, source, partial)
    return Dataset(unit_list, periods, values, present, groups, names)


def _reference_marks(
    frame: pd.DataFrame,
    units: pd.DataFrame | None,
    unit_list: list[str],
    source: str,
    first_row: int,
) -> Bools | None:
    """The ``reference`` column of the units file or the data: a unit is shown but not
    ranked when any of its rows says yes (1, true, yes, y, x; no: 0, false, no, n, empty).
    None when neither table has the column."""
    tables = [t for t in (units, frame) if t is not None and REFERENCE_COLUMN in t.columns]
    if not tables:
        return None
    marked: set[str] = set()
    problems: list[tuple[str, str]] = []
    for table in tables:
        text = _text(table[REFERENCE_COLUMN]).str.upper()
        bad = ~text.isin(_YES | _NO)
        rows = np.arange(len(table)) + (first_row if table is frame else 2)
        problems += [
            _at(r, REFERENCE_COLUMN, f"'{v}' is not yes or no (1/0, true/false, yes/no)")
            for r, v in zip(rows[bad.to_numpy()], table[REFERENCE_COLUMN][bad], strict=True)
        ]
        marked |= set(_text(table["unit"])[text.isin(_YES).to_numpy()])
    if problems:
        raise DataError(source, problems)
    return np.array([u in marked for u in unit_list], dtype=bool)


def check_required(data: Dataset, methodology: CompiledMethodology, source: str) -> None:
    """Every present unit has a value for every indicator the methodology requires (one
    without imputation that is not optional)."""
    problems = []
    present, values = data.present, data.values
    unit_list, periods = data.units, data.periods
    for code in methodology.indicators:
        spec = methodology.nodes[code].indicator_spec
        if spec.missing_allowed:
            continue
        missing = present & np.isnan(values[code])
        fix = (
            f"to accept it, mark '{code}' 'required: false' (aggregation then skips it) or "
            f"give it an imputation (e.g. 'imputation: mean') at {node_path(methodology, code)} "
            f"in {methodology.label}"
        )
        if missing.all() and missing.any():
            problems.append(
                (f"indicator '{code}'", f"no values at all, and the methodology requires it; {fix}")
            )
            continue
        for p, u in zip(*np.nonzero(missing), strict=True):
            problems.append(
                (
                    f"unit '{unit_list[u]}', period '{periods[p]}'",
                    f"no value for '{code}', which is required and has no imputation; {fix}",
                )
            )
    if problems:
        raise DataError(source, problems)


def _unit_attributes(
    frame: pd.DataFrame,
    methodology: CompiledMethodology,
    units: pd.DataFrame | None,
    unit_list: list[str],
    source: str,
    partial: bool = False,
) -> tuple[dict[str, Texts], dict[str, str]]:
    """Unit names and group labels from the units file or the data; with ``partial``,
    a missing group is left for another file to give (``load_datasets`` checks)."""
    groups: dict[str, Texts] = {}
    names: dict[str, str] = {}
    problems: list[tuple[str, str]] = []
    tables = [t for t in (units, frame) if t is not None]
    for table in tables:
        if "name" in table.columns:
            for u, n in zip(_text(table["unit"]), _text(table["name"]), strict=True):
                if n and u not in names:
                    names[u] = n
    for group in methodology.groups:
        found = next((t for t in tables if group in t.columns), None)
        if found is None and partial:
            continue
        if found is None:
            problems.append((f"group '{group}'", "no column for it in the data or the units file"))
            continue
        labels = dict(zip(_text(found["unit"]), _text(found[group]), strict=True))
        arr = np.array([labels.get(u, "") for u in unit_list], dtype=object)
        if not partial:
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
        rows = np.flatnonzero(dup.to_numpy()) + 2  # file rows: a header line, then data
        raise DataError(
            str(path),
            [
                _at(r, "unit", f"unit '{u}' listed twice")
                for r, u in zip(rows, frame["unit"][dup], strict=True)
            ],
        )
    return frame
