"""The one entry point for people and scripts: ``dxscore ...``.

Each command group lives in its own module and is registered here.
"""

from __future__ import annotations

import typer

from dxscore import __version__, texts
from dxscore.cli import assistant as assistant_cli
from dxscore.cli import demo as demo_cli
from dxscore.cli import dossiers as dossiers_cli
from dxscore.cli import index as index_cli
from dxscore.cli import plans as plans_cli
from dxscore.cli import units as units_cli
from dxscore.cli import web as web_cli
from dxscore.cli import worker as worker_cli

app = typer.Typer(
    name="dxscore",
    help="Measure and steer digital transformation: indices, measures, targets, reports.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


@app.callback()
def _options(
    ctx: typer.Context,
    lang: str = typer.Option(
        None,
        "--lang",
        envvar="DXSCORE_LANGUAGE",
        help="Language of names and titles from methodology files (en, vi, ar, hi).",
        show_default="en",
    ),
) -> None:
    """Measure and steer digital transformation: indices, measures, targets, reports."""
    if lang:
        code = texts.base(lang)
        if code not in texts.LANGUAGES:
            raise typer.BadParameter(
                f"'{lang}' is not one of {', '.join(texts.LANGUAGES)}", param_hint="--lang"
            )
        before = texts.language_source()
        texts.use_language_source(lambda: code)
        ctx.call_on_close(lambda: texts.use_language_source(before))  # for this command only


app.add_typer(index_cli.app, name="index")
app.add_typer(dossiers_cli.app, name="dossiers")
app.add_typer(units_cli.app, name="units")
app.add_typer(assistant_cli.app, name="assistant")
web_cli.register(app)  # serve, createuser, backup, restore, scores (Django loads lazily)
plans_cli.register(app)  # notify
worker_cli.register(app)  # the background worker of the site


@app.command()
def version() -> None:
    """Print the dxscore version."""
    typer.echo(__version__)


app.add_typer(demo_cli.app, name="demo")


def main() -> None:
    app()
