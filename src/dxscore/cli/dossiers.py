"""``dxscore dossiers ...``: import dossier records and compute public-service measures."""

from __future__ import annotations

import os
import sys
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from dxscore import dossiers as dx  # its names load on first use (Ibis, DuckDB, PyArrow)
from dxscore.tables import FORMATS, OutputError, write_csv, write_table

if TYPE_CHECKING:
    from rich.progress import Progress

# dxscore.dossiers.schema.DEFAULT_TZ, written out so that ``--help`` needs no PyArrow
# (tests/cli/test_startup.py checks that they agree)
DEFAULT_TZ = "Asia/Ho_Chi_Minh"

app = typer.Typer(
    help="Dossier records: import, public-service measures (Decision 766), synthetic data.",
    no_args_is_help=True,
)
out = Console(width=None if sys.stdout.isatty() else 160)
err = Console(stderr=True, width=None if sys.stderr.isatty() else 160)

# the same store the platform uses (DXSCORE_DOSSIER_STORE, default DXSCORE_HOME/dossiers)
DEFAULT_STORE = Path(
    os.environ.get("DXSCORE_DOSSIER_STORE")
    or Path(os.environ.get("DXSCORE_HOME", "dxscore-data")) / "dossiers"
)
StoreOpt = typer.Option(
    DEFAULT_STORE,
    "--store",
    help="Store folder (default: $DXSCORE_DOSSIER_STORE, else $DXSCORE_HOME/dossiers).",
)
ProfileOpt = typer.Option(
    None,
    "--profile",
    help="Column mapping: a built-in profile (vn-portal) or a YAML mapping file.",
)
EncodingOpt = typer.Option(
    None, "--encoding", help="Text encoding of CSV/JSON files (default UTF-8; e.g. cp1258)."
)
StrictOpt = typer.Option(
    False,
    "--strict",
    help="Reject the whole import if any row has a problem; warnings count as problems.",
)


def _errors() -> tuple[type[Exception], ...]:
    """The input errors a command reports (loading the modules that raise them)."""
    from dxscore.dossiers.synth import SynthError
    from dxscore.lineage import LineageError
    from dxscore.safefiles import SettingError

    return (
        dx.FileError,
        dx.StoreError,
        dx.ProfileError,
        dx.UnitsError,
        dx.MeasureError,
        dx.PeriodError,
        OutputError,
        SynthError,
        SettingError,
        LineageError,
    )


@contextmanager
def _user_errors():
    """Input errors become one clear message and exit status 1."""
    try:
        yield
    except Exception as exc:
        if not isinstance(exc, _errors()):
            raise
        err.print(f"[bold red]error:[/] {escape(str(exc))}", highlight=False)
        raise typer.Exit(1) from None


def _progress() -> Progress:
    from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    return Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.percentage:>3.0f}%"),
        TimeElapsedColumn(),
        console=err,
        transient=True,
        disable=not err.is_terminal,
    )


def _report_import(result: dx.ImportResult, strict: bool, what: str) -> None:
    for f in result.files:
        name = escape(Path(f.path).name)
        if f.skipped_as is not None:
            out.print(f"{name}: already imported (same content as {escape(f.skipped_as)}); skipped")
            continue
        line = f"{name}: {f.rows:,} rows read, {f.valid:,} valid, {f.rejected:,} rejected"
        if f.ignored_columns:
            line += f"; ignored columns: {escape(', '.join(f.ignored_columns))}"
        out.print(line)
    if result.rejected:
        per = result.rejects_per_reason
        cut = per and any(n > per for *_k, n in result.rejects_counts)
        listed = f"the first {per:,} of each problem listed" if cut else "all listed"
        out.print(
            f"[yellow]{result.rejected:,} row(s) with problems[/]; {listed} in "
            f"{escape(str(result.rejects_file))} (file, row, column, value, reason):"
        )
        for source, r in result.rejects_shown[:10]:
            value = f" '{escape(r.value)}'" if r.value else ""
            column = f" {escape(r.column)}" if r.column else ""
            out.print(f"  {escape(source)} row {r.row}{column}{value}: {escape(r.reason)}")
        if result.rejected > 10:
            out.print("  ...")
        if cut:
            out.print("problems by kind (all of them counted):")
            for source, column, reason, n in result.rejects_counts[:20]:
                where = f"{escape(source)} {escape(column)}".strip()
                out.print(f"  {n:>12,}  {where}: {escape(reason)}")
            if len(result.rejects_counts) > 20:
                out.print(f"  ... and {len(result.rejects_counts) - 20:,} more kinds")
    if result.warned:
        kinds = ", ".join(f"{code} {n:,}" for code, n in result.warnings.items())
        out.print(
            f"[yellow]{result.warned:,} record(s) with warnings[/], stored and counted, "
            f"their warnings kept with them ({kinds}); see dxscore dossiers measures --quality"
        )
    if strict and result.rejected and not result.committed:
        err.print(f"[bold red]strict:[/] rows have problems; nothing was stored ({what})")
        raise typer.Exit(1)


@app.command("import")
def import_(
    files: list[Path] = typer.Argument(..., help="CSV, JSON Lines, Parquet or Excel files."),
    store: Path = StoreOpt,
    profile: str | None = ProfileOpt,
    strict: bool = StrictOpt,
    tz: str | None = typer.Option(
        None, "--tz", help=f"Zone of times without an offset (default: the store's, {DEFAULT_TZ})."
    ),
    encoding: str | None = EncodingOpt,
    rejects: Path | None = typer.Option(
        None, "--rejects", help="Where to write the rejects CSV (default: STORE/rejects/)."
    ),
) -> None:
    """Import dossier records into the store (one transaction; re-importing changes nothing)."""
    with _user_errors():
        mapping = dx.load_profile(profile)
        target = dx.Store(store, create=True, tz=tz)
        with _progress() as bar:
            tasks: dict[str, int] = {}

            def progress(label: str, done: int, total: int) -> None:
                if label not in tasks:
                    tasks[label] = bar.add_task(escape(label), total=total or 1)
                bar.update(tasks[label], completed=done, total=total or 1)

            result = target.import_files(
                files,
                mapping,
                strict=strict,
                tz=tz,
                encoding=encoding,
                rejects_path=rejects,
                progress=progress,
            )
        _report_import(result, strict, "dossiers")
        if result.committed:
            out.print(
                f"store {escape(str(store))}: {result.new:,} new, {result.updated:,} updated, "
                f"{result.unchanged:,} unchanged, {result.stale:,} older than stored (ignored), "
                f"{result.duplicates:,} earlier versions within the files (ignored); "
                f"{result.stored_rows:,} dossiers stored"
            )


@app.command("catalogue")
def catalogue(
    files: list[Path] = typer.Argument(..., help="Procedure catalogue: CSV, Parquet or Excel."),
    store: Path = StoreOpt,
    profile: str | None = ProfileOpt,
    strict: bool = StrictOpt,
    encoding: str | None = EncodingOpt,
) -> None:
    """Import the procedure catalogue (replaces the previous one): procedure, unit, name,
    service_level, has_fee, online_payment_integrated."""
    with _user_errors():
        target = dx.Store(store, create=True)
        result = target.import_catalogue(
            files, dx.load_profile(profile), strict=strict, encoding=encoding
        )
        _report_import(result, strict, "catalogue")
        if result.committed:
            out.print(
                f"catalogue: {result.new:,} procedure-unit rows stored "
                f"({result.duplicates:,} repeated rows replaced by later ones)"
            )


def _parse_by(by: str) -> tuple[str, bool]:
    """The period kind of ``--by``, and whether it groups by procedure too."""
    parts = [p.strip().lower() for p in by.split(",") if p.strip()]
    kinds = [p for p in parts if p in dx.KINDS]
    others = [p for p in parts if p not in dx.KINDS and p not in ("unit", "procedure")]
    if len(kinds) != 1 or others:
        raise typer.BadParameter(
            f"'{by}': use unit,month, unit,quarter or unit,year (add procedure, as in "
            "unit,procedure,quarter, for measures per procedure)",
            param_hint="--by",
        )
    return kinds[0], "procedure" in parts


def _on_map(lineage: str | None, as_of: str | None) -> dx.OnMap | None:
    """``--lineage`` and ``--as-of`` as the map the measures are counted on."""
    from dxscore import lineage as ln

    if lineage is None:
        if as_of is not None:
            raise dx.MeasureError("--as-of needs --lineage (the map's history)")
        return None
    try:
        day = ln.day(as_of) if as_of is not None else None
    except ValueError as exc:
        raise dx.MeasureError(f"--as-of: {exc}") from None
    return dx.OnMap(ln.load(lineage), day)


SHOWN = (
    "received",
    "online_share",
    "finished",
    "on_time_rate",
    "open_at_end",
    "timeliness_points",
    "median_processing_days",
    "paid_online_share",
    "digitised_share",
)


@app.command("measures")
def measures(
    store: str = typer.Option(
        str(DEFAULT_STORE), "--store", help="Store folder (Spark: any Spark-readable path)."
    ),
    by: str = typer.Option(
        "unit,month",
        "--by",
        help="unit,month | unit,quarter | unit,year; add procedure (unit,procedure,year) "
        "for measures per procedure.",
    ),
    units: Path | None = typer.Option(
        None, "--units", help="Units file (code, parent) to roll measures up the tree."
    ),
    engine: str = typer.Option("duckdb", "--engine", help="duckdb (default) or spark."),
    spark_master: str | None = typer.Option(
        None, "--spark-master", help="Spark master URL (default: local mode)."
    ),
    out_file: Path | None = typer.Option(
        None, "--out", help=f"Write the table ({', '.join(FORMATS)}, by extension)."
    ),
    long: bool = typer.Option(
        False, "--long", help="unit,period,indicator,value rows (for dxscore index compute)."
    ),
    start: str | None = typer.Option(None, "--from", help="First period (2024, 2024Q3, 2024-07)."),
    end: str | None = typer.Option(None, "--to", help="Last period."),
    tz: str | None = typer.Option(None, "--tz", help="Zone for periods (default: the store's)."),
    no_catalogue: bool = typer.Option(
        False, "--no-catalogue", help="Leave out the catalogue-based online-service measures."
    ),
    lineage: str | None = typer.Option(
        None,
        "--lineage",
        help="A lineage file or a built-in lineage (vn-2025): each record's unit is read on "
        "the map of its received date, measures are rolled up on the map of each period "
        "(or of --as-of) by the lineage's tree.",
    ),
    as_of: str | None = typer.Option(
        None,
        "--as-of",
        help="With --lineage: count every period on the map in force on this day "
        "(YYYY-MM-DD); without it each period is on its own map.",
    ),
    quality: bool = typer.Option(
        False,
        "--quality",
        help="The data-quality table instead: per unit and period, the records with each "
        "warning (count and share).",
    ),
) -> None:
    """Measures per unit (or unit and procedure) and period: counts, rates and Decision 766
    points."""
    with _user_errors():
        kind, by_procedure = _parse_by(by)
        on_map = _on_map(lineage, as_of)
        if quality:
            if by_procedure or long:
                raise typer.BadParameter(
                    "--quality is per unit and period (not with procedure or --long)",
                    param_hint="--quality",
                )
            _quality(store, kind, engine, units, tz, start, end, spark_master, out_file)
            return
        with _progress() as bar:
            bar.add_task(f"computing measures on {engine}", total=None)
            result = dx.compute_measures(
                store,
                kind,
                engine=engine,
                units=units,
                tz=tz,
                start=start,
                end=end,
                use_catalogue=not no_catalogue,
                by_procedure=by_procedure,
                spark_master=spark_master,
                on_map=on_map,
            )
        if result.on_map:
            err.print(f"measures on {escape(result.on_map)}", highlight=False)
        for warning in result.warnings:
            err.print(f"[yellow]warning:[/] {escape(warning)}")
        frame = dx.to_long(result.frame) if long else result.frame
        if out_file is not None:
            write_table(frame, out_file, sheet="measures")
            out.print(f"wrote {len(frame):,} rows to {escape(str(out_file))}")
        elif not out.is_terminal:
            write_csv(frame, sys.stdout)
        else:
            _print_measures(result.frame)


def _quality(store, kind, engine, units, tz, start, end, spark_master, out_file) -> None:
    from dxscore.dossiers.quality import compute_quality

    with _progress() as bar:
        bar.add_task(f"counting warnings on {engine}", total=None)
        frame = compute_quality(
            store,
            kind,
            engine=engine,
            units=units,
            tz=tz,
            start=start,
            end=end,
            spark_master=spark_master,
        )
    if out_file is not None:
        write_table(frame, out_file, sheet="quality")
        out.print(f"wrote {len(frame):,} rows to {escape(str(out_file))}")
    elif not out.is_terminal:
        write_csv(frame, sys.stdout)
    else:
        table = Table(title=f"Data quality ({len(frame):,} rows; --out FILE for every warning)")
        for c in ("unit", "period", "records", "with_warnings", "with_warnings_share"):
            table.add_column(c, justify="left" if c in ("unit", "period") else "right")
        for row in frame.head(60).itertuples(index=False):
            table.add_row(
                escape(str(row.unit)),
                escape(str(row.period)),
                f"{row.records:,}",
                f"{row.with_warnings:,}",
                f"{row.with_warnings_share:.1%}",
            )
        out.print(table)


def _print_measures(frame) -> None:
    table = Table(title=f"Dossier measures ({len(frame):,} rows; --out FILE for all columns)")
    keys = dx.keys_of(frame)
    for key in keys:
        table.add_column(key)
    for c in SHOWN:
        table.add_column(c, justify="right")
    for row in frame.head(60).itertuples(index=False):
        cells = [getattr(row, c) for c in SHOWN]
        table.add_row(
            *(escape(str(getattr(row, key))) for key in keys),
            *("" if v != v else (f"{v:,}" if isinstance(v, int) else f"{v:.3f}") for v in cells),
        )
    out.print(table)
    if len(frame) > 60:
        out.print(f"... {len(frame) - 60:,} more rows")


@app.command("synth")
def synth(
    rows: int = typer.Option(100_000, "--rows", help="Dossiers to generate."),
    n_units: int = typer.Option(
        60, "--units", help="Receiving units (province, districts, communes)."
    ),
    start: str = typer.Option("2024-01-01", "--from", help="First reception date."),
    end: str = typer.Option("2024-12-31", "--to", help="Last reception date (the export date)."),
    seed: int = typer.Option(1, "--seed"),
    out_dir: Path = typer.Option(..., "--out", help="Folder for the files."),
    fmt: str = typer.Option("parquet", "--format", help="parquet or csv."),
    tz: str = typer.Option(DEFAULT_TZ, "--tz", help="Local zone of the synthetic province."),
) -> None:
    """Realistic synthetic dossiers, with units.csv and catalogue.csv, for demos and tests."""
    from dxscore.dossiers.synth import synth as make

    with _user_errors():
        with _progress() as bar:
            task = bar.add_task("generating dossiers", total=rows)
            result = make(
                out_dir,
                rows,
                n_units,
                start,
                end,
                seed,
                tz=tz,
                fmt=fmt,
                progress=lambda done, total: bar.update(task, completed=done),
            )
        out.print(
            f"wrote {result.rows:,} records ({rows:,} dossiers and {result.duplicates:,} earlier "
            f"versions) to {', '.join(escape(str(f)) for f in result.files)}"
        )
        units_file, catalogue_file = (
            escape(str(result.units_file)),
            escape(str(result.catalogue_file)),
        )
        out.print(f"units: {units_file}; catalogue: {catalogue_file}")


@app.command("info")
def info(store: Path = StoreOpt) -> None:
    """What a store holds: dossiers, imports, catalogue."""
    with _user_errors():
        s = dx.Store(store)
        m = s.manifest
        out.print(
            f"store {escape(str(store))}: {s.rows():,} dossiers in {len(m['parts'])} file(s); "
            f"time zone {m['timezone']}"
        )
        cat = m.get("catalogue")
        out.print(f"catalogue: {cat['rows']:,} rows" if cat else "catalogue: none")
        table = Table(title="imports")
        for c in ("batch", "at", "source", "rows", "valid", "rejected"):
            table.add_column(c)
        for i in m["imports"]:
            table.add_row(
                *(
                    escape(str(i.get(c, "")))
                    for c in ("batch", "at", "source", "rows", "valid", "rejected")
                )
            )
        out.print(table)


@app.command("columns")
def columns() -> None:
    """The dossier and catalogue columns, and the built-in mapping profiles."""
    from dxscore.dossiers import schema

    for title, cols in (
        ("dossier columns", schema.DOSSIER_COLUMNS),
        ("catalogue columns", schema.CATALOGUE_COLUMNS),
    ):
        table = Table(title=title)
        for c in ("column", "type", "required", "values / default", "meaning"):
            table.add_column(c)
        for c in cols:
            values = (
                ", ".join(c.choices)
                if c.choices
                else ("" if c.default is None else f"default {c.default}")
            )
            table.add_row(c.name, c.kind, "yes" if c.required else "", values, c.help)
        out.print(table)
    out.print(f"built-in profiles: {', '.join(dx.builtin_profiles())}")
