"""A lineage as a table in the file format of ``dxscore.lineage.files`` (round trip)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd

from dxscore.lineage.files import COLUMNS
from dxscore.lineage.model import Lineage
from dxscore.tables import write_table


def to_frame(lineage: Lineage) -> pd.DataFrame:
    """The lineage's rows, with the kinds resolved, in the file's column order."""
    rows = [
        {
            "date": "" if e.date is None else e.date.isoformat(),
            "kind": e.kind,
            "from": e.from_code,
            "to": "" if e.kind in ("reparent", "abolish") else e.to_code,
            "share": "" if e.share is None else format(e.share, ".12g"),
            "from_name": e.from_name,
            "to_name": e.to_name,
            "level": e.level,
            "parent": e.parent,
        }
        for e in lineage.events
    ]
    return pd.DataFrame(rows, columns=list(COLUMNS))


def write(lineage: Lineage, path: str | Path) -> Path:
    """Write the lineage file (CSV or XLSX by extension; atomically)."""
    return write_table(to_frame(lineage), path, sheet="lineage")


REBASE_COLUMNS = ["member", "valid_from", "valid_to", "unit", "share"]


def rebase_frame(lineage: Lineage, as_of: dt.date, level: str | None = None) -> pd.DataFrame:
    """``Lineage.rebase`` as a table for joins: ``member`` (a unit code), the days it
    denotes that unit (``valid_from``, ``valid_to``: ISO dates, empty when open), the code
    of the ``unit`` on the map of ``as_of`` its records count for, and its ``share``."""
    rows = [
        {
            "member": old.code,
            "valid_from": "" if old.start is None else old.start.isoformat(),
            "valid_to": "" if old.end is None else old.end.isoformat(),
            "unit": new.code,
            "share": share,
        }
        for old, new, share in lineage.rebase(as_of, level)
    ]
    return pd.DataFrame(rows, columns=REBASE_COLUMNS)
