"""``dxscore units ...``: the administrative map over time (``dxscore.lineage``)."""

from __future__ import annotations

import importlib.util
import sys
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.console import Console
from rich.table import Table

from dxscore.tables import OutputError, write_table

if TYPE_CHECKING:
    import pandas as pd

    from dxscore import lineage as ln

app = typer.Typer(
    help="Units over time: lineages of the administrative map (merges, splits, ...).",
    no_args_is_help=True,
)
out = Console(width=None if sys.stdout.isatty() else 160)
err = Console(stderr=True, width=None if sys.stderr.isatty() else 160)


def _builtin_lineages() -> list[str]:
    """``dxscore.lineage.builtin_ids()`` without importing the package (and pandas) to
    start: the files in its ``data`` folder."""
    spec = importlib.util.find_spec("dxscore.lineage")
    folders = spec.submodule_search_locations if spec is not None else None
    if not folders:
        return []
    return sorted(p.name.removesuffix(".csv.gz") for p in Path(folders[0], "data").glob("*.csv.gz"))


LineageArg = typer.Argument(
    ..., help=f"A built-in lineage ({', '.join(_builtin_lineages())}) or a lineage file."
)


def _load(ref: str) -> ln.Lineage:
    from dxscore import lineage as ln

    try:
        return ln.load(ref)
    except ln.LineageError as exc:
        err.print(f"[bold red]error:[/] {exc}", markup=True, highlight=False)
        raise typer.Exit(1) from None


def _write(frame: pd.DataFrame, path: Path, sheet: str) -> None:
    try:
        write_table(frame, path, sheet=sheet)
    except OutputError as exc:
        err.print(f"[bold red]error:[/] {exc}", markup=True, highlight=False)
        raise typer.Exit(1) from None


def _summary(lineage: ln.Lineage) -> Table:
    view = Table(title=f"Lineage {lineage.name}")
    for col in ("date", "change", "rows"):
        view.add_column(col, justify="right" if col == "rows" else "left")
    counts = Counter(
        ("" if e.date is None else e.date.isoformat(), e.kind, e.level) for e in lineage.events
    )
    for (date, kind, level), n in sorted(counts.items()):
        label = kind + (f" ({level})" if level else "")
        view.add_row(date or "(before)", label, str(n))
    return view


@app.command("lineage")
def lineage_command(
    lineage: str = LineageArg,
    out_file: Path = typer.Option(
        None, "--out", help="Write the lineage file (csv or xlsx), e.g. to edit it or import it."
    ),
) -> None:
    """Write a lineage as a file (the built-in vn-2025, say), or summarise it."""
    from dxscore import lineage as ln

    found = _load(lineage)
    if out_file is not None:
        frame = ln.to_frame(found)
        _write(frame, out_file, "lineage")
        out.print(f"wrote {len(frame)} rows to {out_file} ({found.name})")
        return
    out.print(_summary(found))


@app.command()
def check(file: Path = typer.Argument(..., help="A lineage file (csv, csv.gz or xlsx).")) -> None:
    """Check a lineage file: every problem with its row, or a summary of the changes."""
    found = _load(str(file))
    on = Counter(u.level or "(no level)" for u in found.units.values())
    out.print(
        f"[green]OK[/] {file}: {len(found.events)} rows, {len(found.units)} units "
        f"({', '.join(f'{n} {level}' for level, n in sorted(on.items()))})"
    )
    out.print(_summary(found))


@app.command("map")
def map_command(
    lineage: str = LineageArg,
    on: str = typer.Option(..., "--on", help="The day (YYYY-MM-DD)."),
    level: str = typer.Option(None, "--level", help="Only units of this level."),
    out_file: Path = typer.Option(None, "--out", help="Write the table (csv, xlsx, ...)."),
) -> None:
    """The units a lineage knows in force on a day, with their validity and parent."""
    import pandas as pd

    from dxscore import lineage as ln

    found = _load(lineage)
    try:
        day = ln.day(on)
    except ValueError as exc:
        err.print(f"[bold red]error:[/] --on: {exc}", highlight=False)
        raise typer.Exit(1) from None
    units = [u for u in found.units_on(day) if level is None or u.level == level]
    frame = pd.DataFrame(
        {
            "unit": [u.code for u in units],
            "name": [u.name for u in units],
            "level": [u.level for u in units],
            "parent": [found.parent_on(u, day) for u in units],
            "valid_from": ["" if u.start is None else u.start.isoformat() for u in units],
            "valid_to": ["" if u.end is None else u.end.isoformat() for u in units],
            "predecessors": [
                ",".join(dict.fromkeys(found.units[f.source].code for f in found.predecessors(u)))
                for u in units
            ],
        }
    )
    if out_file is not None:
        _write(frame, out_file, "units")
        out.print(f"wrote {len(frame)} units to {out_file} (map of {day}, {found.name})")
        return
    view = Table(title=f"Units in force on {day} ({found.name})", caption=f"{len(frame)} units")
    for col in frame.columns:
        view.add_column(col)
    for row in frame.itertuples(index=False):
        view.add_row(*(str(v) for v in row))
    out.print(view)
