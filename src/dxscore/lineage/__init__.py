"""Units over time: lineage of the administrative map and carrying values across it.

No Django, no database. A *lineage* records how the map changed: units merged, split,
transferred part of their territory, were renamed or re-parented, or a whole level was
abolished, each on an effective date (``docs/units.md``). A unit is a code *and* a
validity, so the same code can denote different units in different periods.

```python
from dxscore import index as ix, lineage as ln

lineage = ln.load("vn-2025")                 # built in, or the path of a lineage file
m = ix.load("vn-dti-2022")
data = ix.load_dataset("dti-2024.csv", m)    # on the 63 provinces
result = ln.compute(m, data, lineage, ln.day("2025-07-01"))   # on the 34
result.carried                               # which values came from which units
```

``carry`` (values onto the map of a day, by the methodology's ``carry:`` rules) and
``compute`` (carry, then the engine) are the two entry points; ``Lineage`` answers which
unit a code denotes on a day (``unit_at``), the map of a day (``units_on``) and where a
unit went (``trace``).
"""

from __future__ import annotations

import datetime as dt
from functools import cache
from pathlib import Path

from dxscore.lineage.carry import (
    TRAIL_COLUMNS,
    Carried,
    carry,
    carry_files,
    check_frame,
    compute,
    describe,
    rules,
)
from dxscore.lineage.files import COLUMNS, LineageError, build, from_frame, read
from dxscore.lineage.model import KINDS, Event, Flow, Lineage, Step, Unit
from dxscore.lineage.write import REBASE_COLUMNS, rebase_frame, to_frame, write

DATA_DIR = Path(__file__).parent / "data"
SUFFIX = ".csv.gz"


def builtin_ids() -> list[str]:
    """The lineages shipped with dxscore (``vn-2025``)."""
    return sorted(p.name[: -len(SUFFIX)] for p in DATA_DIR.glob(f"*{SUFFIX}"))


def builtin_path(ref: str) -> Path | None:
    path = DATA_DIR / f"{ref}{SUFFIX}"
    return path if path.exists() else None


@cache
def _builtin(ref: str) -> Lineage:
    path = builtin_path(ref)
    assert path is not None
    return read(path, name=ref, trusted=True)


def load(ref: str | Path) -> Lineage:
    """A lineage by built-in id (``vn-2025``) or by file path. A built-in one is read
    once per process (treat it as read-only)."""
    if builtin_path(str(ref)) is not None:
        return _builtin(str(ref))
    path = Path(ref)
    if not path.exists():
        known = ", ".join(builtin_ids())
        raise LineageError(
            str(ref), [("file", f"no such file and no built-in lineage (built-ins: {known})")]
        )
    return read(path)


def day(text: str | dt.date) -> dt.date:
    """A date from ``YYYY-MM-DD`` (``ValueError`` otherwise)."""
    if isinstance(text, dt.date):
        return text
    try:
        return dt.date.fromisoformat(str(text).strip())
    except ValueError:
        raise ValueError(f"'{text}' is not a date (use YYYY-MM-DD, e.g. 2025-07-01)") from None


__all__ = [
    "COLUMNS",
    "KINDS",
    "REBASE_COLUMNS",
    "TRAIL_COLUMNS",
    "Carried",
    "Event",
    "Flow",
    "Lineage",
    "LineageError",
    "Step",
    "Unit",
    "build",
    "builtin_ids",
    "builtin_path",
    "carry",
    "carry_files",
    "check_frame",
    "compute",
    "day",
    "describe",
    "from_frame",
    "load",
    "read",
    "rebase_frame",
    "rules",
    "to_frame",
    "write",
]
