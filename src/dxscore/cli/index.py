"""``dxscore index ...``: the composite-index engine from the command line."""

from __future__ import annotations

import typer

app = typer.Typer(help="Composite indices: list, check, compute, explain.", no_args_is_help=True)


def run_builtin_example() -> None:
    raise NotImplementedError
