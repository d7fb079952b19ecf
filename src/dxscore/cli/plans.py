"""``dxscore notify``: notices and e-mails about tasks due soon and overdue tasks, and
reminders about inspection recommendations due soon or overdue. Run it
once a day (cron, a systemd timer or the Windows task scheduler). Django is imported
inside the command, so the rest of the CLI stays free of it."""

from __future__ import annotations

import datetime as dt

import typer


def notify(
    days: int = typer.Option(7, min=0, help="Tasks due within this many days are 'due soon'."),
    email: bool = typer.Option(True, "--email/--no-email", help="Send e-mails too."),
    today: str = typer.Option("", help="Pretend today is this date (YYYY-MM-DD)."),
) -> None:
    """Notify the owner units and assignees of tasks due soon or overdue (in the site and
    by e-mail); each person hears once per task, kind and deadline."""
    from dxscore.cli.web import migrate, setup_django

    try:
        when = dt.date.fromisoformat(today) if today else None
    except ValueError:
        raise typer.BadParameter(f"'{today}' is not a date (YYYY-MM-DD)") from None
    setup_django(create_home=True)
    migrate()
    from dxscore.web.plans.notices import notify as run

    report = run(today=when, days=days, email=email)
    typer.echo(
        f"{report.overdue} overdue and {report.due_soon} due-soon task(s); "
        f"{report.notices} new notice(s), {report.emails} e-mail(s) sent"
    )
    from dxscore.web.inspections.notices import notify as remind

    reminded = remind(today=when, days=days, email=email)
    typer.echo(
        f"{reminded.overdue} overdue and {reminded.due_soon} due-soon recommendation(s); "
        f"{reminded.reminders} new reminder(s), {reminded.emails} e-mail(s) sent"
    )
    failed = report.failed + reminded.failed
    if failed:
        typer.echo(f"error: {failed} e-mail(s) could not be sent", err=True)
        raise typer.Exit(1)


def register(root: typer.Typer) -> None:
    root.command()(notify)
