"""The unit tree used to roll measures up: a file of ``code, parent`` (and optional name).

A parent's measures count its own dossiers and all its descendants'. The tree is turned
into a closure table ``(member, unit)``: one row for each unit and each of its
ancestors, itself included, so that a single join attributes a dossier to every unit
above it.
"""

from __future__ import annotations

from collections.abc import Hashable
from pathlib import Path
from typing import cast

import pandas as pd

from dxscore.errors import counted
from dxscore.tables import read_frame

MAX_LISTED = 20


class UnitsError(ValueError):
    pass


def read_units(path: str | Path) -> pd.DataFrame:
    """Read and check a units file (CSV, XLSX or Parquet). Returns ``code, parent, name``."""
    path = Path(path)
    if not path.is_file():
        raise UnitsError(f"{path}: no such file")
    suffix = path.suffix.lower()
    try:
        if suffix == ".csv":
            frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
            frame = read_frame(frame)  # a file the project wrote: '=x is the text =x
        elif suffix in (".xlsx", ".xlsm", ".xls"):
            frame = pd.read_excel(path, dtype=str, keep_default_na=False, engine="calamine")
        elif suffix == ".parquet":
            frame = pd.read_parquet(path).astype(str)
        else:
            raise UnitsError(f"{path}: unsupported units file type '{suffix}' (CSV, XLSX, Parquet)")
    except UnicodeDecodeError:
        raise UnitsError(f"{path}: not UTF-8 text; save it as UTF-8") from None
    except (ValueError, OSError) as exc:
        if isinstance(exc, UnitsError):
            raise
        raise UnitsError(f"{path}: cannot be read: {exc}") from None
    frame.columns = [str(c).strip().lower() for c in frame.columns]
    if "code" not in frame.columns and "unit" in frame.columns:
        frame = frame.rename(columns={"unit": "code"})
    missing = [c for c in ("code", "parent") if c not in frame.columns]
    if missing:
        raise UnitsError(
            f"{path}: missing column(s) {', '.join(missing)} (expected code, parent[, name]); "
            f"found {', '.join(frame.columns)}"
        )
    frame = frame.assign(
        code=frame["code"].str.strip(),
        parent=frame["parent"].str.strip(),
        name=frame["name"].str.strip() if "name" in frame.columns else "",
    )[["code", "parent", "name"]]
    check_tree(frame, str(path))
    return frame


def _file_row(label: Hashable) -> int:
    """The file row of a frame row: the frames have the default integer index, and row 0
    is the file's row 2 (after the header)."""
    return cast(int, label) + 2


def check_tree(frame: pd.DataFrame, source: str = "units") -> None:
    problems = []
    for i in frame.index[frame["code"] == ""]:
        problems.append(f"row {_file_row(i)}: code is empty")
    dupes = frame["code"][frame["code"].duplicated() & (frame["code"] != "")]
    problems += [f"code '{c}' appears more than once" for c in dupes.unique()]
    codes = set(frame["code"])
    for i, row in frame.iterrows():
        if row["parent"] and row["parent"] not in codes:
            problems.append(
                f"row {_file_row(i)}: parent '{row['parent']}' of '{row['code']}' is not a unit"
            )
        if row["parent"] == row["code"]:
            problems.append(f"row {_file_row(i)}: '{row['code']}' is its own parent")
    if not problems:
        parent = dict(zip(frame["code"], frame["parent"], strict=True))
        for code in frame["code"]:
            seen, node = {code}, parent[code]
            while node:
                if node in seen:
                    problems.append(f"'{code}' is in a cycle of parents")
                    break
                seen.add(node)
                node = parent.get(node, "")
    if problems:
        shown = problems[:MAX_LISTED]
        more = len(problems) - len(shown)
        raise UnitsError(
            f"{source}: {counted(len(problems), 'problem')}\n  "
            + "\n  ".join(shown)
            + (f"\n  ... and {more} more" if more else "")
        )


def closure(units: pd.DataFrame, extra: list[str] | None = None) -> pd.DataFrame:
    """``member, unit`` pairs: each unit with itself and every ancestor. Codes in ``extra``
    (units seen in the data but not in the tree) stand alone as roots."""
    parent = dict(zip(units["code"], units["parent"], strict=True))
    rows = []
    for code in parent:
        node = code
        while node:
            rows.append((code, node))
            node = parent.get(node, "")
    rows += [(code, code) for code in (extra or []) if code not in parent]
    return pd.DataFrame(rows, columns=["member", "unit"])
