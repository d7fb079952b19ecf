"""``dxscore index ...``: the composite-index engine from the command line.

Start-up stays light (``tests/cli/test_startup.py``): ``dxscore.index`` loads its
modules on first use, and NumPy, pandas and the lineage package are imported inside
the commands that need them.
"""

from __future__ import annotations

import datetime as dt
import math
import sys
from contextlib import contextmanager
from importlib.resources import files
from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.console import Console
from rich.table import Table

from dxscore import index as ix
from dxscore.errors import Problems
from dxscore.tables import OutputError, write_table

if TYPE_CHECKING:
    from dxscore import lineage as ln

ROOT = "index"  # dxscore.index.methodology.ROOT (the CLI does not import it to start)

app = typer.Typer(help="Composite indices: list, check, compute, explain.", no_args_is_help=True)
# Wide enough for rankings when the output is a pipe or a file, not a terminal.
out = Console(width=None if sys.stdout.isatty() else 160)
err = Console(stderr=True, width=None if sys.stderr.isatty() else 160)

EXAMPLE = "vn-dti-2022-top5.csv"

MethodologyArg = typer.Argument(..., help="A built-in methodology id or a YAML file.")
DataArg = typer.Argument(
    ...,
    help="Raw values: CSV, XLSX or Parquet, long or wide; several files are combined "
    "(a value given twice is an error).",
)
IgnoreOpt = typer.Option(
    False,
    "--ignore-unknown",
    help="Leave out indicators the methodology does not use (e.g. extra dossier measures).",
)
UnitsOpt = typer.Option(
    None, "--units", help="Units file (unit, name, group columns); other units are errors."
)
LineageOpt = typer.Option(
    None,
    "--lineage",
    help="A lineage file or a built-in lineage (vn-2025): each value is read on the map "
    "of its period and carried onto the map of --as-of by the methodology's carry rules.",
)
ReferenceOpt = typer.Option(
    None,
    "--reference",
    help="A unit shown but not ranked (an average, a best performer; repeatable): scored "
    "and explained, never counted in anyone's rank, left out of normalisation statistics.",
)
AsOfOpt = typer.Option(
    None,
    "--as-of",
    help="With --lineage: compute on the map in force on this day (YYYY-MM-DD; default today).",
)


@contextmanager
def _user_errors():
    """Turn the engine's input errors into a clear message and exit status 1."""
    try:
        yield
    except (Problems, ix.EngineError, OutputError) as exc:  # methodology, data, lineage
        err.print(f"[bold red]error:[/] {exc}", markup=True, highlight=False)
        raise typer.Exit(1) from None
    except KeyError as exc:
        err.print(f"[bold red]error:[/] {exc.args[0]}", markup=True, highlight=False)
        raise typer.Exit(1) from None


def _load(methodology: str, data: list[Path], units: Path | None, ignore_unknown: bool = False):
    m = ix.load(methodology)
    unit_table = ix.read_units(units) if units else None
    dataset = ix.load_datasets(data, m, units=unit_table, ignore_unknown=ignore_unknown)
    if dataset.ignored:
        err.print(
            f"ignored {len(dataset.ignored)} indicator(s) not in {m.label}: "
            + ", ".join(dataset.ignored),
            highlight=False,
        )
    return m, dataset


def _load_on_map(
    methodology: str,
    data: list[Path],
    units: Path | None,
    ignore_unknown: bool,
    lineage: str | None,
    as_of: str | None,
) -> tuple[ix.CompiledMethodology, ix.Dataset, ln.Carried | None]:
    """``_load``, then with ``--lineage`` the values carried onto the map of ``--as-of``."""
    from dxscore import lineage as ln

    if lineage is None:
        if as_of is not None:
            raise ix.DataError("--as-of", [("--as-of", "needs --lineage (the map's history)")])
        m, dataset = _load(methodology, data, units, ignore_unknown)
        return m, dataset, None
    try:
        day = ln.day(as_of) if as_of is not None else dt.date.today()
    except ValueError as exc:
        raise ix.DataError("--as-of", [("--as-of", str(exc))]) from None
    m = ix.load(methodology)
    history = ln.load(lineage)
    unit_table = ix.read_units(units) if units else None
    carried = ln.carry_files(data, m, history, day, unit_table, ignore_unknown)
    return m, carried.dataset, carried


def _print_carried(carried: ln.Carried, period: str | None) -> None:
    """Which values were carried onto the map, and from which units."""
    table = carried.carried_units
    if period is not None:
        table = table[table["period"] == period]
    if table.empty:
        out.print(
            f"map of {carried.as_of} ({carried.lineage}): no value was carried, every unit is "
            "its own"
        )
        return
    rules = carried.trail.groupby("carry")["indicator"].nunique()
    how = ", ".join(f"{rule} ({n} inputs)" for rule, n in rules.items())
    view = Table(
        title=f"Values carried onto the map of {carried.as_of} ({carried.lineage})",
        caption=f"carry rules: {how} · explain a unit to see its predecessors' raw values",
    )
    for col in ("period", "unit", "name", "carried from"):
        view.add_column(col)
    for row in table.itertuples(index=False):
        view.add_row(str(row.period), str(row.unit), str(row.name), str(row.from_units))
    out.print(view)
    for period_code, unit, share in carried.lost:
        out.print(
            f"[yellow]{period_code}: {share:g} of unit {unit} was abolished without successor[/]"
        )


def _missing(x: object) -> bool:
    """None, NaN or pandas' NA (pandas is loaded once there is a table to print)."""
    import pandas as pd

    return x is None or x is pd.NA or (isinstance(x, float) and math.isnan(x))


def _fmt(x: object, digits: int = 4) -> str:
    import numpy as np

    if _missing(x):
        return ""
    if isinstance(x, float | np.floating):
        return f"{x:.{digits}f}"
    return str(x)


def _change(x: object) -> str:
    if _missing(x):
        return ""
    x = int(x)
    return f"[green]▲{x}[/]" if x > 0 else f"[red]▼{-x}[/]" if x < 0 else "="


@app.command("list")
def list_methodologies() -> None:
    """List the built-in methodologies."""
    table = Table(title="Built-in methodologies")
    for col in ("id", "version", "title", "indicators", "scale"):
        table.add_column(col)
    from dxscore.index.catalogue import builtin_summaries  # read without compiling: fast

    for m in builtin_summaries():
        table.add_row(
            m.id, m.version, m.title, str(m.indicators), f"[{m.scale[0]:g}, {m.scale[1]:g}]"
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
    data: list[Path] = DataArg,
    period: str = typer.Option(None, "--period", help="Only this period (default: all)."),
    out_file: Path = typer.Option(
        None, "--out", help="Write the tidy table (csv, xlsx, parquet, json)."
    ),
    units: Path = UnitsOpt,
    ignore_unknown: bool = IgnoreOpt,
    lineage: str = LineageOpt,
    as_of: str = AsOfOpt,
    reference: list[str] = ReferenceOpt,
) -> None:
    """Compute scores and ranks of every node for every unit and period.

    Without --out, prints the ranking of the latest (or the given) period. With
    --lineage and --as-of, computes on the map of that day (docs/units.md); --out then
    also writes the carried values with their predecessors to FILE-carried.
    """
    with _user_errors():
        m, dataset, carried = _load_on_map(methodology, data, units, ignore_unknown, lineage, as_of)
        if period is not None:
            dataset.period_index(period)
        result = ix.compute(m, dataset, reference=reference or ())
        if carried is not None:
            result.carried = carried.trail
        if out_file is not None:
            frame = result.to_frame(period)
            if carried is not None:
                trail = carried.trail
                trail = trail if period is None else trail[trail["period"] == period]
                trail_file = out_file.with_name(f"{out_file.stem}-carried{out_file.suffix}")
                write_table(trail, trail_file, sheet="carried")
            write_table(frame, out_file, sheet="scores")
            if carried is not None:
                out.print(f"wrote {len(trail)} carried values to {trail_file}")
            out.print(f"wrote {len(frame)} rows to {out_file} ({m.label})")
            return
        _print_ranking(result, period)
        if carried is not None:
            _print_carried(carried, period or dataset.periods[-1])


def _print_ranking(result: ix.Result, period: str | None) -> None:
    m = result.methodology
    shown = period or result.data.periods[-1]
    ranking = result.ranking(shown)
    cols = result.top_nodes()
    rounding = m.rank_rounding_for(shown)
    digits = rounding.digits if rounding is not None else 2
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
            "ref" if rec.get("reference") else _fmt(rec["rank"]),
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
    data: list[Path] = DataArg,
    unit: str = typer.Option(..., "--unit", help="Unit code."),
    period: str = typer.Option(..., "--period", help="Period code."),
    out_file: Path = typer.Option(None, "--out", help="Write the explanation table."),
    units: Path = UnitsOpt,
    ignore_unknown: bool = IgnoreOpt,
    lineage: str = LineageOpt,
    as_of: str = AsOfOpt,
    reference: list[str] = ReferenceOpt,
) -> None:
    """Explain one unit's score: every node from the index down to the raw values (with
    --lineage, down to the raw values of the units they were carried from)."""
    with _user_errors():
        m, dataset, carried = _load_on_map(methodology, data, units, ignore_unknown, lineage, as_of)
        result = ix.compute(m, dataset, reference=reference or ())
        if carried is not None:
            result.carried = carried.trail
        table = result.explain(unit, period)
        if out_file is not None:
            write_table(table, out_file, sheet="explanation")
            out.print(f"wrote {len(table)} rows to {out_file}")
            return
    name = dataset.names.get(unit, "")
    score = result.scores[ROOT][dataset.period_index(period), dataset.unit_index(unit)]
    rank = result.ranks[ROOT][dataset.period_index(period), dataset.unit_index(unit)]
    on_map = f" · map of {carried.as_of} ({carried.lineage})" if carried is not None else ""
    placed = (
        "reference, not ranked"
        if result.reference[dataset.unit_index(unit)]
        else f"rank {_fmt(rank, 0)}"
    )
    view = Table(
        title=f"{unit} {name} — {period}: index {_fmt(score)} ({placed})",
        caption=f"{m.label} · contributions of a node's children add up to its score{on_map}",
    )
    for col in ("node", "raw", "norm.", "score", "rank", "points", "share", "contribution", "note"):
        view.add_column(col, justify="left" if col in ("node", "note") else "right")
    for r in table.itertuples(index=False):
        if r.kind == "predecessor":
            rec = r._asdict()
            view.add_row(
                "  " * r.depth + f"← {rec['from_unit']} {r.name}",
                _fmt(r.raw),
                "",
                "",
                "",
                "",
                _fmt(r.share, 3),
                "",
                f"predecessor ({rec['carry']})",
            )
            continue
        notes = []
        if getattr(r, "carried_from", None) and isinstance(r.carried_from, str):
            notes.append(f"carried from {r.carried_from}")
        if r.imputed:
            notes.append("imputed")
        if r.treatment:
            notes.append(r.treatment)
        if r.kind == "indicator" and math.isnan(r.raw) and not r.imputed:
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


AUDIT_TITLES = {
    "units": "Data availability per unit",
    "indicators": "Data availability per indicator",
    "correlations": "Correlations (Pearson, Spearman)",
    "cronbach": "Cronbach's alpha of each aggregate's children",
    "pca": "Principal components of each aggregate's children",
    "remove_one": "Remove one indicator: rank shifts of the index",
}


@app.command()
def audit(
    methodology: str = MethodologyArg,
    data: list[Path] = DataArg,
    period: str = typer.Option(None, "--period", help="Period to audit (default: the latest)."),
    threshold: float = typer.Option(
        0.66, "--threshold", min=0, max=1, help="Flag units and indicators below this share."
    ),
    collinear: float = typer.Option(
        0.9, "--collinear", min=0.01, max=1, help="Flag children correlated above this."
    ),
    out_file: Path = typer.Option(
        None, "--out", help="Write every table: one sheet each (.xlsx) or FILE-SECTION.csv."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print every table as JSON."),
    units: Path = UnitsOpt,
    ignore_unknown: bool = IgnoreOpt,
) -> None:
    """The statistical audit before publishing (as JRC and COINr users run it): data
    availability, correlations, Cronbach's alpha, PCA, and the remove-one-indicator test."""
    import json

    from dxscore.index.audit import audit as run_audit
    from dxscore.tables import write_sheets

    with _user_errors():
        m, dataset = _load(methodology, data, units, ignore_unknown)
        if period is not None:
            dataset.period_index(period)
        result = run_audit(m, dataset, period, threshold=threshold, collinear=collinear)
        sections = result.sections()
        if out_file is not None:
            if out_file.suffix.lower() == ".xlsx":
                write_sheets(sections, out_file)
                out.print(f"wrote {len(sections)} sheets to {out_file}")
            else:
                for name, frame in sections.items():
                    path = out_file.with_name(f"{out_file.stem}-{name}{out_file.suffix}")
                    write_table(frame, path, sheet=name)
                    out.print(f"wrote {len(frame)} rows to {path}")
    if as_json:
        typer.echo(json.dumps(result.to_json(), ensure_ascii=False, indent=1))
        return
    if out_file is not None:
        return
    out.print(
        f"[bold]{m.title} — {result.period}: statistical audit[/] ({m.label}; availability "
        f"threshold {threshold:g}, collinear above {collinear:g})"
    )
    for name, frame in sections.items():
        shown, caption = frame, ""
        if name == "correlations":
            shown = frame[(frame["kind"] == "within") | (frame["flag"] != "")]
            caption = "pairs within each aggregate, and flagged ones across levels (all: --out)"
        view = Table(title=AUDIT_TITLES[name], caption=caption or None)
        for col in shown.columns:
            view.add_column(col, justify="left" if shown[col].dtype == object else "right")
        for row in shown.itertuples(index=False):
            view.add_row(
                *(_fmt(v, 3) if not isinstance(v, bool) else ("yes" if v else "") for v in row)
            )
        out.print(view)


def example_path() -> Path:
    return Path(str(files("dxscore.index").joinpath("examples", EXAMPLE)))


def _alternatives(m: ix.CompiledMethodology, file: Path | None, weights_noise: float | None):
    """The uncertain choices: the methodology's ``uncertainty`` section, replaced by an
    alternatives file when given, with ``--weights-noise`` on top."""
    import yaml

    from dxscore.index.methods import Uncertainty

    unc = m.uncertainty
    if file is not None:
        try:
            raw = yaml.safe_load(Path(file).read_text(encoding="utf-8")) or {}
            raw = raw.get("uncertainty", raw)
            unc = Uncertainty.model_validate(raw)
        except (OSError, yaml.YAMLError) as exc:
            raise ix.MethodologyError(str(file), [("file", str(exc))]) from None
        except Exception as exc:  # pydantic ValidationError
            from dxscore.index.methodology import _problems

            raise ix.MethodologyError(str(file), _problems(exc, "uncertainty")) from None
    if weights_noise is not None:
        unc = unc.model_copy(
            update={"weights": unc.weights.model_copy(update={"noise": weights_noise})}
        )
    return unc


@app.command()
def sensitivity(
    methodology: str = MethodologyArg,
    data: list[Path] = DataArg,
    period: str = typer.Option(..., "--period", help="Period to analyse."),
    runs: int = typer.Option(1000, "--runs", min=1, help="Monte Carlo replications."),
    seed: int = typer.Option(0, "--seed", help="Random seed (same seed, same output)."),
    weights_noise: float = typer.Option(
        None, "--weights-noise", min=0, max=0.99, help="Weights vary by +/- this share."
    ),
    alternatives: Path = typer.Option(
        None, "--alternatives", help="YAML file of uncertain choices (see docs)."
    ),
    top: int = typer.Option(10, "--top", min=1, help="Report P(rank <= top)."),
    sobol: bool = typer.Option(False, "--sobol", help="Also Sobol indices of each input."),
    sobol_runs: int = typer.Option(512, "--sobol-runs", help="Sobol base sample (power of 2)."),
    out_file: Path = typer.Option(None, "--out", help="Write the per-unit table."),
    plot: Path = typer.Option(None, "--plot", help="Write the rank-interval chart (png/svg)."),
    units: Path = UnitsOpt,
    ignore_unknown: bool = IgnoreOpt,
) -> None:
    """How solid is each rank? Rank intervals under uncertain weights and methods."""
    from dxscore.index.uncertainty import sensitivity as analyse

    with _user_errors():
        m, dataset = _load(methodology, data, units, ignore_unknown)
        unc = _alternatives(m, alternatives, weights_noise)
        result = analyse(
            m,
            dataset,
            period,
            runs=runs,
            seed=seed,
            uncertainty=unc,
            top=top,
            sobol_runs=sobol_runs if sobol else 0,
        )
        if out_file is not None:
            write_table(result.table, out_file, sheet="sensitivity")
            if result.sobol is not None:
                sobol_path = out_file.with_name(f"{out_file.stem}-sobol{out_file.suffix}")
                write_table(result.sobol, sobol_path, sheet="sobol")
                out.print(f"wrote {sobol_path}")
            out.print(f"wrote {len(result.table)} rows to {out_file}")
        if plot is not None:
            from dxscore.index.charts import rank_intervals

            rank_intervals(result.table, plot, f"{m.title} — {period}: rank intervals")
            out.print(f"wrote {plot}")
    if not result.factors:
        out.print("[yellow]no uncertain inputs declared: every interval is the nominal rank[/]")
    if out_file is None:
        view = Table(
            title=f"{m.title} — {period}: ranks over {runs} replications (seed {seed})",
            caption=f"uncertain inputs: {', '.join(result.factors) or 'none'} · "
            f"mean |rank shift| {result.mean_abs_shift:.2f}",
        )
        for col in ("unit", "name", "nominal", "median", "5%", "95%", f"P(top {top})"):
            view.add_column(col, justify="left" if col in ("unit", "name") else "right")
        for r in result.table.itertuples(index=False):
            view.add_row(
                r.unit,
                r.name,
                _fmt(r.nominal_rank, 0),
                _fmt(r.median_rank, 1),
                _fmt(r.rank_p05, 1),
                _fmt(r.rank_p95, 1),
                f"{getattr(r, f'prob_top_{top}'):.2f}",
            )
        out.print(view)
    if result.sobol is not None and out_file is None:
        view = Table(title="Sobol indices of the mean absolute rank shift (95% intervals)")
        for col in ("input", "first order", "total"):
            view.add_column(col, justify="left" if col == "input" else "right")
        for r in result.sobol.itertuples(index=False):
            view.add_row(
                r.input,
                f"{r.first_order:.3f} ± {r.first_order_conf:.3f}",
                f"{r.total:.3f} ± {r.total_conf:.3f}",
            )
        out.print(view)


@app.command()
def levers(
    methodology: str = MethodologyArg,
    data: list[Path] = DataArg,
    unit: str = typer.Option(..., "--unit", help="Unit code."),
    period: str = typer.Option(..., "--period", help="Period code."),
    target_rank: int = typer.Option(
        None, "--target-rank", min=1, help="Also the least-effort path to this rank."
    ),
    out_file: Path = typer.Option(None, "--out", help="Write the per-indicator table."),
    units: Path = UnitsOpt,
    ignore_unknown: bool = IgnoreOpt,
) -> None:
    """What would move this unit up? Per indicator: the smallest raw value that gains a
    rank, and the rank reached at the median of the units above."""
    from dxscore.index.whatif import levers as find_levers

    with _user_errors():
        m, dataset = _load(methodology, data, units, ignore_unknown)
        result = find_levers(m, dataset, unit, period, target_rank)
        if out_file is not None:
            write_table(result.table, out_file, sheet="levers")
            out.print(f"wrote {len(result.table)} rows to {out_file}")
    table = result.table
    title = f"{unit} {dataset.names.get(unit, '')} — {period}: rank {result.current_rank}"
    view = Table(
        title=title,
        caption="every new rank is checked by recomputing the whole index",
    )
    for col in ("indicator", "current", "required", "new rank", "at median above", "note"):
        view.add_column(col, justify="left" if col in ("indicator", "note") else "right")
    for r in table.itertuples(index=False):
        view.add_row(
            r.indicator,
            _fmt(r.current),
            _fmt(r.required),
            _fmt(r.new_rank),
            f"{_fmt(r.median_above)} → {_fmt(r.rank_at_median)}",
            r.note,
        )
    if out_file is None:
        out.print(view)
    if target_rank is not None:
        if result.path_rank is None and target_rank < result.current_rank:
            out.print(f"[yellow]no path to rank {target_rank} found within the valid ranges[/]")
        elif result.path_rank is not None:
            steps_txt = ", ".join(
                f"{r.indicator} {_fmt(r.current)} → {_fmt(r.path_value)}"
                for r in table.itertuples(index=False)
                if not math.isnan(r.path_value)
            )
            out.print(
                f"path to rank {target_rank}: {steps_txt} (reaches rank {result.path_rank}, "
                f"total normalised effort {result.path_effort:.4g}; checked by recomputation)"
            )


@app.command()
def whatif(
    methodology: str = MethodologyArg,
    data: list[Path] = DataArg,
    unit: str = typer.Option(..., "--unit", help="Unit code."),
    period: str = typer.Option(..., "--period", help="Period code."),
    set_values: list[str] = typer.Option(
        ..., "--set", help="CODE=VALUE: a raw value in the indicator's own units (repeatable)."
    ),
    out_file: Path = typer.Option(None, "--out", help="Write the before/after table."),
    units: Path = UnitsOpt,
    ignore_unknown: bool = IgnoreOpt,
) -> None:
    """Change raw values of one unit and see every node's new score and rank."""
    from dxscore.index.whatif import whatif as run_whatif

    changes: dict[str, float] = {}
    for item in set_values:
        code, sep, value = item.partition("=")
        try:
            changes[code.strip()] = float(value)
        except ValueError:
            sep = ""
        if not sep:
            err.print(f"[bold red]error:[/] --set {item!r}: expected CODE=NUMBER")
            raise typer.Exit(1)
    with _user_errors():
        m, dataset = _load(methodology, data, units, ignore_unknown)
        table = run_whatif(m, dataset, unit, period, changes)
        if out_file is not None:
            write_table(table, out_file, sheet="whatif")
            out.print(f"wrote {len(table)} rows to {out_file}")
            return
    view = Table(title=f"What if — {unit} {dataset.names.get(unit, '')}, {period}")
    for col in ("node", "raw", "score", "rank", "±"):
        view.add_column(col, justify="left" if col == "node" else "right")
    for r in table.itertuples(index=False):
        changed = r.node in changes
        raw = f"{_fmt(r.raw_before)} → {_fmt(r.raw_after)}" if changed else _fmt(r.raw_before)
        view.add_row(
            ("[bold]" if changed or r.kind != "indicator" else "") + r.node,
            raw,
            f"{_fmt(r.score_before)} → {_fmt(r.score_after)}",
            f"{_fmt(r.rank_before)} → {_fmt(r.rank_after)}",
            _change(r.rank_gain),
        )
    out.print(view)
