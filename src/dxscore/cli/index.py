"""``dxscore index ...``: the composite-index engine from the command line."""

from __future__ import annotations

import sys
from contextlib import contextmanager
from importlib.resources import files
from pathlib import Path

import numpy as np
import pandas as pd
import typer
from rich.console import Console
from rich.table import Table

from dxscore import index as ix
from dxscore.index.methodology import ROOT
from dxscore.tables import OutputError, write_table

app = typer.Typer(help="Composite indices: list, check, compute, explain.", no_args_is_help=True)
# Wide enough for rankings when the output is a pipe or a file, not a terminal.
out = Console(width=None if sys.stdout.isatty() else 160)
err = Console(stderr=True, width=None if sys.stderr.isatty() else 160)

EXAMPLE = "vn-dti-2022-top5.csv"

MethodologyArg = typer.Argument(..., help="A built-in methodology id or a YAML file.")
DataArg = typer.Argument(..., help="Raw values: CSV, XLSX or Parquet, long or wide.")
UnitsOpt = typer.Option(
    None, "--units", help="Units file (unit, name, group columns); other units are errors."
)


@contextmanager
def _user_errors():
    """Turn the engine's input errors into a clear message and exit status 1."""
    try:
        yield
    except (ix.MethodologyError, ix.DataError, ix.EngineError, OutputError) as exc:
        err.print(f"[bold red]error:[/] {exc}", markup=True, highlight=False)
        raise typer.Exit(1) from None
    except KeyError as exc:
        err.print(f"[bold red]error:[/] {exc.args[0]}", markup=True, highlight=False)
        raise typer.Exit(1) from None


def _load(methodology: str, data: Path, units: Path | None):
    m = ix.load(methodology)
    unit_table = ix.read_units(units) if units else None
    dataset = ix.load_dataset(data, m, units=unit_table)
    return m, dataset


def _fmt(x: object, digits: int = 4) -> str:
    if x is None or (isinstance(x, float) and np.isnan(x)) or x is pd.NA:
        return ""
    if isinstance(x, float | np.floating):
        return f"{x:.{digits}f}"
    return str(x)


def _change(x: object) -> str:
    if x is None or x is pd.NA or (isinstance(x, float) and np.isnan(x)):
        return ""
    x = int(x)
    return f"[green]▲{x}[/]" if x > 0 else f"[red]▼{-x}[/]" if x < 0 else "="


@app.command("list")
def list_methodologies() -> None:
    """List the built-in methodologies."""
    table = Table(title="Built-in methodologies")
    for col in ("id", "version", "title", "indicators", "scale"):
        table.add_column(col)
    for mid in ix.builtin_ids():
        m = ix.load(mid)
        table.add_row(
            m.id, m.version, m.title, str(len(m.indicators)), f"[{m.scale[0]:g}, {m.scale[1]:g}]"
        )
    out.print(table)


@app.command()
def check(file: Path = typer.Argument(..., help="A methodology YAML file.")) -> None:
    """Validate a methodology file; list every problem with its path in the tree."""
    with _user_errors():
        m = ix.load(str(file))
    aggregates = len(m.nodes) - len(m.indicators)
    out.print(
        f"[green]OK[/] {m.label}: {m.title}\n"
        f"  {len(m.indicators)} indicators, {aggregates} aggregates"
        + (f" ({len(m.side_nodes)} outside the index)" if m.side_nodes else "")
        + f", scale [{m.scale[0]:g}, {m.scale[1]:g}]\n  digest {m.digest}"
    )


@app.command()
def compute(
    methodology: str = MethodologyArg,
    data: Path = DataArg,
    period: str = typer.Option(None, "--period", help="Only this period (default: all)."),
    out_file: Path = typer.Option(
        None, "--out", help="Write the tidy table (csv, xlsx, parquet, json)."
    ),
    units: Path = UnitsOpt,
) -> None:
    """Compute scores and ranks of every node for every unit and period.

    Without --out, prints the ranking of the latest (or the given) period.
    """
    with _user_errors():
        m, dataset = _load(methodology, data, units)
        if period is not None:
            dataset.period_index(period)
        result = ix.compute(m, dataset)
        if out_file is not None:
            frame = result.to_frame(period)
            write_table(frame, out_file, sheet="scores")
            out.print(f"wrote {len(frame)} rows to {out_file} ({m.label})")
            return
        _print_ranking(result, period)


def _print_ranking(result: ix.Result, period: str | None) -> None:
    m = result.methodology
    shown = period or result.data.periods[-1]
    ranking = result.ranking(shown)
    cols = result.top_nodes()
    digits = m.rank_rounding if m.rank_rounding is not None else 2
    table = Table(title=f"{m.title} — {shown}", caption=f"{m.label} · digest {m.digest[:12]}")
    table.add_column("rank", justify="right")
    table.add_column("±", justify="right")
    table.add_column("unit")
    table.add_column("name")
    table.add_column("index", justify="right", style="bold")
    for code in cols:
        table.add_column(code, justify="right")
    for row in ranking.itertuples(index=False):
        rec = row._asdict()
        table.add_row(
            _fmt(rec["rank"]),
            _change(rec["rank_change"]),
            rec["unit"],
            rec["name"],
            _fmt(rec["index"], digits),
            *(_fmt(rec[c], digits) for c in cols),
        )
    out.print(table)


@app.command()
def explain(
    methodology: str = MethodologyArg,
    data: Path = DataArg,
    unit: str = typer.Option(..., "--unit", help="Unit code."),
    period: str = typer.Option(..., "--period", help="Period code."),
    out_file: Path = typer.Option(None, "--out", help="Write the explanation table."),
    units: Path = UnitsOpt,
) -> None:
    """Explain one unit's score: every node from the index down to the raw values."""
    with _user_errors():
        m, dataset = _load(methodology, data, units)
        result = ix.compute(m, dataset)
        table = result.explain(unit, period)
        if out_file is not None:
            write_table(table, out_file, sheet="explanation")
            out.print(f"wrote {len(table)} rows to {out_file}")
            return
    name = dataset.names.get(unit, "")
    score = result.scores[ROOT][dataset.period_index(period), dataset.unit_index(unit)]
    rank = result.ranks[ROOT][dataset.period_index(period), dataset.unit_index(unit)]
    view = Table(
        title=f"{unit} {name} — {period}: index {_fmt(score)} (rank {_fmt(rank, 0)})",
        caption=f"{m.label} · contributions of a node's children add up to its score",
    )
    for col in ("node", "raw", "norm.", "score", "rank", "points", "share", "contribution", "note"):
        view.add_column(col, justify="left" if col in ("node", "note") else "right")
    for r in table.itertuples(index=False):
        notes = []
        if r.imputed:
            notes.append("imputed")
        if r.treatment:
            notes.append(r.treatment)
        if r.kind == "indicator" and np.isnan(r.raw) and not r.imputed:
            notes.append("missing")
        label = "  " * r.depth + r.node
        if r.parent and m.nodes[r.node].parent != r.parent:
            label = "  " * r.depth + "→ " + r.node
        view.add_row(
            label,
            _fmt(r.raw),
            _fmt(r.normalised),
            _fmt(r.score),
            _fmt(r.rank, 0),
            _fmt(r.points, 2),
            _fmt(r.share, 3),
            _fmt(r.contribution),
            ", ".join(notes),
        )
    out.print(view)


@app.command()
def doc(
    methodology: str = MethodologyArg,
    out_file: Path = typer.Option(None, "--out", help="Write the Markdown page here."),
) -> None:
    """Print (or write) a methodology's documentation page, generated from its file."""
    from dxscore.index.docs import render

    with _user_errors():
        text = render(ix.load(methodology))
    if out_file is None:
        typer.echo(text, nl=False)
    else:
        out_file.write_text(text, encoding="utf-8")
        out.print(f"wrote {out_file}")


def example_path() -> Path:
    return Path(str(files("dxscore.index").joinpath("examples", EXAMPLE)))


def run_builtin_example() -> None:
    """The demo until the web platform exists: DTI 2022 of the five published provinces."""
    out.print(
        "[bold]dxscore demo[/]: the DTI 2022 methodology (vn-dti-2022) on the published "
        "main-index values of the 2022 top five provinces (dti.gov.vn; published facts)."
    )
    with _user_errors():
        m, dataset = _load("vn-dti-2022", example_path(), None)
        result = ix.compute(m, dataset)
    _print_ranking(result, "2022")
    out.print(f"Try: dxscore index explain vn-dti-2022 {example_path()} --unit 48 --period 2022")
