"""``dxscore demo``: the demo workspace, served; and the demo data without the site.

- ``dxscore demo`` builds the demo workspace once (``--reset`` starts over) and serves it,
  printing the address and the demo log-ins; ``--build-only`` builds without serving.
- ``dxscore demo ranking [--year Y]`` computes the DTI of the 63 provinces from the demo
  data and prints the ranking, without the site.
- ``dxscore demo data --out DIR`` writes the demo data sets as CSV.
- ``dxscore demo dti`` publishes only the demo DTI of the 63 provinces (2020-2024) in the
  workspace DXSCORE_HOME, for a look at the dashboards without the rest of the demo.
"""

from __future__ import annotations

import os
from pathlib import Path

import typer

from dxscore import index as ix
from dxscore.cli.index import _print_ranking, _user_errors, out
from dxscore.tables import write_table

NOTE = (
    "[bold]Demo data.[/] Published facts: the 2022 rank order of all 63 provinces (with the "
    "tie at 15th), the five published 2022 rows, the yearly averages 2020-2024, the 2024 "
    "pillar averages and the stated ranks of Long An, Lạng Sơn, Bắc Ninh, Hà Nội and Đà "
    "Nẵng. [bold]Every other value is synthetic[/], calibrated so that those facts hold; "
    "it is not any province's real value."
)
DEFAULT_HOME = "./dxscore-demo"
STAGES = 6

app = typer.Typer(
    help="The demo workspace (built once, then served) and the demo data.",
    invoke_without_command=True,
)


@app.callback()
def demo(
    ctx: typer.Context,
    reset: bool = typer.Option(False, "--reset", help="Empty the demo workspace and rebuild."),
    build_only: bool = typer.Option(False, "--build-only", help="Build, do not serve."),
    host: str = typer.Option("127.0.0.1", help="Address to serve on."),
    port: int = typer.Option(8000, help="Port to serve on."),
    dossiers: int = typer.Option(
        2_000_000, "--dossiers", min=1000, help="Synthetic dossiers of Lạng Sơn to generate."
    ),
) -> None:
    """Build the demo workspace (once) and serve it. The workspace folder is DXSCORE_HOME,
    or ./dxscore-demo when it is not set."""
    if ctx.invoked_subcommand is not None:
        return
    os.environ.setdefault("DXSCORE_HOME", DEFAULT_HOME)
    if not build_only:
        os.environ.setdefault("DXSCORE_STATIC_COLLECTED", "1")  # as `dxscore serve` does
    os.environ.setdefault("DXSCORE_EMAIL_BACKEND", "console")  # contest codes on the console
    from dxscore.cli.web import serve, setup_django

    setup_django(create_home=True)
    from dxscore.demo import workspace

    if reset:
        from dxscore.cli.web import migrate

        migrate()
        workspace.reset()
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    with Progress(
        TextColumn("[bold]building the demo workspace[/]"),
        BarColumn(),
        TextColumn("{task.description}"),
        TimeElapsedColumn(),
        transient=False,
    ) as bar:
        task = bar.add_task("", total=STAGES + 1)

        def step(text: str) -> None:
            bar.update(task, advance=1, description=text)

        built = workspace.build(step, dossier_rows=dossiers)
        bar.update(task, completed=STAGES + 1, description="done")
    if built.already:
        out.print("the demo workspace was already built (dxscore demo --reset rebuilds it)")
    else:
        out.print(f"built: {built.runs} published score runs")
    out.print(NOTE)
    out.print(f"\nlog in with any of these (password [bold]{workspace.PASSWORD}[/]):")
    for username, role, about in built.people:
        out.print(f"  [bold]{username:<9}[/] {role:<14} {about}")
    if build_only:
        return
    out.print(f"\npublic leaderboard: http://{host}:{port}/public/vn-dti-2022/2022/")
    serve(host=host, port=port, threads=8)


@app.command()
def ranking(year: str = typer.Option("2022", "--year", help="Year to rank (2020-2024).")) -> None:
    """Compute the DTI of all 63 provinces on the demo data and print the ranking."""
    from dxscore.demo.dti import build

    data = build()
    if year == "2020":
        mid, frame = "vn-dti-2020", data.pillars_2020
    elif year in ("2021", "2022", "2023", "2024"):
        mid, frame = "vn-dti-2022", data.main_2021_2024
    else:
        out.print(f"[red]error:[/] no demo data for {year} (2020-2024)")
        raise typer.Exit(1)
    with _user_errors():
        m = ix.load(mid)
        result = ix.compute(m, ix.dataset_from_frame(frame.astype(object), m, source="demo"))
    out.print(NOTE)
    _print_ranking(result, year)


@app.command()
def data(out_dir: Path = typer.Option(..., "--out", help="Folder for the CSV files.")) -> None:
    """Write the demo data sets (DTI 2020, DTI 2021-2024, the published rows) as CSV."""
    from dxscore.demo.dti import build

    d = build()
    out_dir.mkdir(parents=True, exist_ok=True)
    write_table(d.pillars_2020, out_dir / "dti-2020.csv")
    write_table(d.main_2021_2024, out_dir / "dti-2021-2024.csv")
    write_table(d.published, out_dir / "published-rows.csv")
    out.print(f"wrote dti-2020.csv, dti-2021-2024.csv, published-rows.csv to {out_dir}")


@app.command()
def dti(
    user: str = typer.Option(
        "demo-admin", "--user", help="Administrator who computes and publishes the runs."
    ),
) -> None:
    """Publish the demo DTI of 63 provinces (2020-2024) in the workspace DXSCORE_HOME."""
    from dxscore.cli.web import migrate, setup_django

    setup_django(create_home=True)
    migrate()
    from django.contrib.auth import get_user_model

    from dxscore.demo.platform import demo_dti
    from dxscore.web.data.methodologies import ensure_builtins
    from dxscore.web.scores.models import ScoreRun

    ensure_builtins()
    if ScoreRun.objects.filter(methodology__code__startswith="vn-dti-").exists():
        out.print("[red]error:[/] the workspace already has DTI runs; use a fresh DXSCORE_HOME")
        raise typer.Exit(1)
    people = get_user_model()
    person = people.objects.filter(username=user).first()
    if person is None:
        person = people.objects.create_user(user, is_superuser=True, is_staff=True)
        person.set_unusable_password()
        person.save()
    elif not person.is_superuser:
        out.print(f"[red]error:[/] {user} is not an administrator")
        raise typer.Exit(1)
    runs = demo_dti(person)
    for run in runs:
        out.print(f"published {run} (id {run.pk})")
    out.print(NOTE)
    out.print("open /public/vn-dti-2022/2022/")
