"""The generator of the built-in lineage ``vn-2025`` (``data/vn-2025.csv.gz``).

Vietnam's reform of 1 July 2025: 63 provinces became 34, the district level was
abolished, and 10,035 communes (wards, communes, towns) became 3,321. The rows are
generated from the data files of the pinned package ``vietnamadminunits`` 1.0.4 (the
legacy and the 2025 units with their official codes, and its converter tables from old
communes to new ones), which the ``dev`` extra installs; nothing is downloaded. Run
``python -m dxscore.lineage.vn2025`` after upgrading the package, and check the result
against ``docs/units.md`` (the tests do, when the package is installed).

What the rows say:

- every legacy province, district and commune as an undated ``unit`` row (level,
  official code, name, parent), so the lineage knows the old tree;
- a province with several predecessors: one ``merge`` row per predecessor; the 11
  provinces that kept their borders do not change;
- all districts: one ``abolish`` row for the level ``district``;
- a new commune with one whole predecessor: a ``rename`` (the same unit goes on, under
  the province); with several: ``merge`` rows;
- an old commune divided between several new ones (471 of them): ``split`` rows. The
  package does not say how much of it each new commune took; its converter puts an
  address without a street in the *default* new commune, and so do these rows: share 1
  to the default successor, 0 to the others (which are still listed as successors). A
  lineage with better shares can be written and loaded instead;
- the five island districts without communes (Bạch Long Vĩ, Cồn Cỏ, Hoàng Sa, Lý Sơn,
  Côn Đảo) became special zones at the commune level: ``rename`` rows from the district.
"""

from __future__ import annotations

import gzip
import importlib.metadata
import importlib.util
import io
import json
import sqlite3
import sys
from pathlib import Path
from typing import Any

import pandas as pd

from dxscore.lineage.files import COLUMNS

PACKAGE = "vietnamadminunits"
VERSION = "1.0.4"
DATE = "2025-07-01"
OUT = Path(__file__).parent / "data" / "vn-2025.csv.gz"


def package_dir() -> Path:
    """The installed package's folder (its code is not imported, only its data read)."""
    spec = importlib.util.find_spec(PACKAGE)
    if spec is None or spec.origin is None:
        raise RuntimeError(f"{PACKAGE}=={VERSION} is not installed (pip install -e '.[dev]')")
    found = importlib.metadata.version(PACKAGE)
    if found != VERSION:
        raise RuntimeError(f"{PACKAGE} {found} is installed; the lineage is pinned to {VERSION}")
    return Path(spec.origin).parent


def _query(db: sqlite3.Connection, sql: str) -> list[dict[str, Any]]:
    db.row_factory = sqlite3.Row
    return [dict(r) for r in db.execute(sql).fetchall()]


def rows(folder: Path | None = None) -> pd.DataFrame:
    """The rows of ``vn-2025`` in the lineage file format."""
    folder = folder or package_dir()
    with sqlite3.connect(folder / "data" / "dataset.db") as db:
        legacy = _query(
            db,
            "SELECT DISTINCT provinceCode, provinceShort, provinceKey, districtCode, district,"
            " districtKey, wardCode, ward, wardKey FROM admin_units_legacy",
        )
        new = _query(
            db,
            "SELECT DISTINCT provinceCode, provinceShort, provinceKey, wardCode, ward, wardKey"
            " FROM admin_units",
        )
    tables = json.loads((folder / "data" / "converter_2025.json").read_text(encoding="utf-8"))
    out: list[dict[str, str]] = []

    def add(**cells: str) -> None:
        out.append({c: cells.get(c, "") for c in COLUMNS})

    # the legacy tree
    old_province = {r["provinceKey"]: r for r in legacy}
    for r in sorted(old_province.values(), key=lambda r: r["provinceCode"]):
        add(kind="unit", to=r["provinceCode"], to_name=r["provinceShort"], level="province")
    districts = {(r["provinceKey"], r["districtKey"]): r for r in legacy}
    for r in sorted(districts.values(), key=lambda r: r["districtCode"]):
        add(
            kind="unit",
            to=r["districtCode"],
            to_name=r["district"],
            level="district",
            parent=r["provinceCode"],
        )
    old_ward = {f"{r['provinceKey']}_{r['districtKey']}_{r['wardKey'] or ''}": r for r in legacy}
    for r in sorted((r for r in legacy if r["wardCode"]), key=lambda r: r["wardCode"]):
        add(
            kind="unit",
            to=r["wardCode"],
            to_name=r["ward"],
            level="commune",
            parent=r["districtCode"],
        )

    # provinces
    new_province = {r["provinceKey"]: r for r in new}
    for key, olds in sorted(
        tables["DICT_PROVINCE"].items(), key=lambda kv: new_province[kv[0]]["provinceCode"]
    ):
        target = new_province[key]
        if len(olds) == 1:
            continue  # kept its borders (and its code)
        for old in sorted(olds, key=lambda k: old_province[k]["provinceCode"]):
            add(
                date=DATE,
                kind="merge",
                **{"from": old_province[old]["provinceCode"]},
                to=target["provinceCode"],
                from_name=old_province[old]["provinceShort"],
                to_name=target["provinceShort"],
                level="province",
            )
    add(date=DATE, kind="abolish", level="district")

    # communes
    new_ward = {(r["provinceKey"], r["wardKey"]): r for r in new}
    preds: dict[tuple[str, str], list[tuple[str, str]]] = {}  # new -> [(old key, share)]
    for province, wards in tables["DICT_PROVINCE_WARD_NO_DIVIDED"].items():
        for ward, olds in wards.items():
            preds.setdefault((province, ward), []).extend((o, "") for o in olds)
    divided: set[str] = set()
    for province, olds in tables["DICT_PROVINCE_WARD_DIVIDED"].items():
        for old, successors in olds.items():
            divided.add(old)
            for s in successors:
                share = "1" if s["isDefaultNewWard"] else "0"
                preds.setdefault((province, s["newWardKey"]), []).append((old, share))
    for key in sorted(preds, key=lambda k: new_ward[k]["wardCode"]):
        target = new_ward[key]
        parts = preds[key]
        for old, share in sorted(parts, key=lambda p: _old_code(old_ward[p[0]])):
            source = old_ward[old]
            if old in divided:
                kind = "split"
            elif len(parts) == 1:
                kind = "rename"
            else:
                kind = "merge"
            add(
                date=DATE,
                kind=kind,
                **{"from": _old_code(source)},
                to=target["wardCode"],
                share=share,
                from_name=source["ward"] or source["district"],
                to_name=target["ward"],
                level="commune",
                parent=target["provinceCode"],
            )
    return pd.DataFrame(out, columns=list(COLUMNS))


def _old_code(row: dict[str, Any]) -> str:
    """An old commune's code; an island district without communes stands for itself."""
    return str(row["wardCode"] or row["districtCode"])


def main(argv: list[str] | None = None) -> int:
    target = Path((argv or sys.argv[1:] or [str(OUT)])[0])
    frame = rows()
    text = io.StringIO()
    frame.to_csv(text, index=False, lineterminator="\n")
    with gzip.GzipFile(target, "wb", mtime=0) as f:  # mtime 0: the same bytes every run
        f.write(text.getvalue().encode("utf-8"))
    print(f"wrote {len(frame)} rows to {target}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
