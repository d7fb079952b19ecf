"""``dxscore worker``: the background worker of the site. It runs the queued dossier jobs
(imports of uploaded dossier files, measure computations) that web requests only queue.
Jobs a stopped worker left running are taken up again once their lease has run out
(``dxscore.web.dossierdata.worker``)."""

from __future__ import annotations

import signal

import typer

from dxscore.cli.web import migrate, setup_django


def _stop(signum, frame):  # SIGTERM (systemctl stop) ends the worker as Ctrl-C does
    raise KeyboardInterrupt


def worker(
    interval: float = typer.Option(2.0, help="Seconds between looks at the queue when idle."),
    once: bool = typer.Option(False, "--once", help="Run the queued jobs, then stop."),
) -> None:
    """Run queued dossier jobs (imports and measures) until stopped (Ctrl-C)."""
    setup_django(create_home=True)
    migrate()
    from dxscore.web.dossierdata.worker import run_forever

    typer.echo("dxscore worker: waiting for dossier jobs (Ctrl-C stops)" if not once else "")
    signal.signal(signal.SIGTERM, _stop)  # the running job goes back to the queue first
    try:
        run_forever(interval=interval, once=once, echo=typer.echo)
    except KeyboardInterrupt:
        typer.echo("stopped")


def register(root: typer.Typer) -> None:
    root.command()(worker)
