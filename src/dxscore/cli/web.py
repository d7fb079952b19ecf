"""``dxscore serve``, ``createuser``, ``backup``, ``restore`` and ``scores``: the web
platform's commands. Django is imported inside each command, never at module import, so
``dxscore index`` stays fast and free of Django."""

from __future__ import annotations

import ipaddress
import os
import secrets
from pathlib import Path

import typer

app = typer.Typer(no_args_is_help=True)


def _home() -> Path:
    return Path(os.environ.get("DXSCORE_HOME", "./dxscore-data")).resolve()


def setup_django(create_home: bool = False) -> None:
    """Configure Django for this process; ``create_home`` makes the workspace folder and
    its secret key on first use."""
    if create_home:
        home = _home()
        (home / "uploads").mkdir(parents=True, exist_ok=True)
        key = home / "secret_key"
        if not key.exists():
            key.write_text(secrets.token_urlsafe(50), encoding="utf-8")
            key.chmod(0o600)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dxscore.web.settings")
    import django

    django.setup()


def migrate() -> None:
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)


# the headers a trusted reverse proxy sets (docs/operations.md, "Behind a reverse proxy");
# the Host header comes from the proxy itself (`proxy_set_header Host $host`)
PROXY_HEADERS = {"x-forwarded-for", "x-forwarded-proto"}


def proxy_options(environ: dict | None = None) -> dict:
    """waitress's options for the reverse proxy named by ``DXSCORE_TRUSTED_PROXY`` (its
    address) and ``DXSCORE_TRUSTED_PROXY_COUNT`` (proxies in the chain, default 1).

    Only requests whose peer is that address have their ``X-Forwarded-For`` (the client's
    address: django-axes counts failed log-ins per address) and ``X-Forwarded-Proto``
    (https: HSTS, secure links, CSRF's origin check) honoured; waitress removes every
    ``X-Forwarded-*`` and ``Forwarded`` header of any other request, so a request that
    bypasses the proxy cannot claim an address or https. No proxy set: no such header is
    honoured. Raises ``ValueError`` with the reason for a value that is not an address."""
    environ = os.environ if environ is None else environ
    proxy = environ.get("DXSCORE_TRUSTED_PROXY", "").strip()
    count_text = environ.get("DXSCORE_TRUSTED_PROXY_COUNT", "").strip()
    if not proxy:
        if count_text:
            raise ValueError(
                "DXSCORE_TRUSTED_PROXY_COUNT has no meaning without DXSCORE_TRUSTED_PROXY"
            )
        return {"clear_untrusted_proxy_headers": True}
    try:
        address = ipaddress.ip_address(proxy.strip("[]"))
    except ValueError:
        raise ValueError(
            f"DXSCORE_TRUSTED_PROXY must be the IP address the proxy connects from "
            f"(e.g. 127.0.0.1), not '{proxy}'"
        ) from None
    try:
        count = int(count_text or "1")
    except ValueError:
        count = 0
    if count < 1:
        raise ValueError(
            f"DXSCORE_TRUSTED_PROXY_COUNT must be a whole number >= 1, not '{count_text}'"
        )
    return {
        "trusted_proxy": str(address),
        "trusted_proxy_count": count,
        "trusted_proxy_headers": set(PROXY_HEADERS),
        "clear_untrusted_proxy_headers": True,
    }


def collect_static() -> None:
    """Static files with hashed names and compressed copies into the workspace, for a
    long cache (only when the settings say they are served collected)."""
    from django.conf import settings
    from django.core.management import call_command

    if not settings.STATIC_COLLECTED:
        return
    stamp = Path(settings.STATIC_ROOT) / "collected-for"
    version = _static_version()
    if (Path(settings.STATIC_ROOT) / "staticfiles.json").exists() and (
        stamp.exists() and stamp.read_text() == version
    ):
        return  # collected for this version of dxscore and its packages
    call_command("collectstatic", interactive=False, verbosity=0, clear=True)
    stamp.write_text(version)


def _static_version() -> str:
    """What the collected files depend on: dxscore's version, a digest of its own static
    files (a checkout updated without a new version number changes a style sheet or a
    script: collected again, not served stale under its old hashed name), and the
    packages that ship static files (Django's admin, django-ninja's API docs, Plotly's
    chart library)."""
    from importlib.metadata import version

    from dxscore import __version__

    packages = ("django", "django-ninja", "plotly", "whitenoise")
    own = f"files={_own_static_digest()}"
    return " ".join([__version__, own, *(f"{p}=={version(p)}" for p in packages)])


def _own_static_digest() -> str:
    """A digest of the names and contents of the files in dxscore's ``static`` folders."""
    import hashlib

    import dxscore

    root = Path(dxscore.__file__).parent
    digest = hashlib.sha256()
    for folder in sorted(root.rglob("static")):
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            digest.update(str(path.relative_to(root)).encode() + b"\0")
            digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()[:16]


def serve(
    host: str = typer.Option("127.0.0.1", help="Address to listen on (0.0.0.0: all)."),
    port: int = typer.Option(8000, help="Port to listen on."),
    threads: int = typer.Option(8, help="Worker threads."),
) -> None:
    """Run the web platform (waitress) on the workspace DXSCORE_HOME; migrations apply first.
    Behind a reverse proxy, DXSCORE_TRUSTED_PROXY is the address it connects from."""
    try:
        proxy = proxy_options()
    except ValueError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(1) from None
    if host not in ("0.0.0.0", "::", "127.0.0.1", "localhost", "[::1]"):
        hosts = os.environ.get("DXSCORE_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
        os.environ["DXSCORE_ALLOWED_HOSTS"] = f"{hosts},{host}"
    os.environ.setdefault("DXSCORE_STATIC_COLLECTED", "1")  # before Django reads settings
    setup_django(create_home=True)
    migrate()
    collect_static()
    from django.conf import settings
    from waitress import serve as waitress_serve

    from dxscore.web.wsgi import application

    typer.echo(f"dxscore on http://{host}:{port}/ (workspace {settings.HOME})")
    if "trusted_proxy" in proxy:
        typer.echo(f"trusting X-Forwarded-For and X-Forwarded-Proto from {proxy['trusted_proxy']}")
    elif settings.HTTPS:
        typer.echo(
            "warning: DXSCORE_HTTPS=1 but DXSCORE_TRUSTED_PROXY is not set: requests through "
            "the proxy are taken for plain http (no HSTS, http links, log-in refused) and "
            "lock-outs apply to the proxy's address; set it to the proxy's address",
            err=True,
        )
    waitress_serve(application, host=host, port=port, threads=threads, ident="dxscore", **proxy)


def createuser(
    username: str = typer.Argument(..., help="Log-in name."),
    role: str = typer.Option(
        "administrator",
        help="administrator, steering, data_officer, approver or viewer.",
    ),
    entry_unit: str = typer.Option("", help="Code of the unit of the entry scope."),
    view_unit: str = typer.Option("", help="Code of the unit of the viewing scope."),
    email: str = typer.Option("", help="E-mail address."),
    password: str = typer.Option(
        "",
        envvar="DXSCORE_PASSWORD",
        help="Password (else DXSCORE_PASSWORD, else asked for).",
    ),
) -> None:
    """Create a person who can log in (an administrator can use the set-up pages)."""
    setup_django(create_home=True)
    migrate()
    from django.contrib.auth import get_user_model
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError
    from django.db import transaction

    from dxscore.web.orgs.models import Person, Role, Unit

    if role not in Role.values:
        raise typer.BadParameter(f"unknown role '{role}' (use {', '.join(Role.values)})")
    user_model = get_user_model()
    if user_model.objects.filter(username=username).exists():
        typer.echo(f"error: user '{username}' already exists", err=True)
        raise typer.Exit(1)
    units = {}
    for name, code in (("entry", entry_unit), ("view", view_unit)):
        if code:
            units[name] = Unit.objects.filter(code=code).first()
            if units[name] is None:
                typer.echo(f"error: no unit with code '{code}'", err=True)
                raise typer.Exit(1)
    if not password:
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        validate_password(password, user_model(username=username, email=email))
    except ValidationError as exc:
        typer.echo("error: " + " ".join(exc.messages), err=True)
        raise typer.Exit(1) from None
    with transaction.atomic():
        admin = role == Role.ADMINISTRATOR
        user = user_model.objects.create_user(
            username, email=email, password=password, is_staff=admin, is_superuser=admin
        )
        Person.objects.create(
            user=user, role=role, entry_scope=units.get("entry"), view_scope=units.get("view")
        )
    typer.echo(f"created {role} '{username}'")


def backup(
    out: Path = typer.Argument(..., help="Backup file to write (.tar.gz)."),
    wait: float = typer.Option(
        3600, help="Seconds to wait for running dossier imports before giving up."
    ),
) -> None:
    """Write one consistent copy of the whole workspace to an archive: database, uploaded
    files, dossier store and secret key, with a manifest of checksums."""
    setup_django()
    from dxscore.web import backup as workspace_backup

    try:
        manifest = workspace_backup.take(out, wait=wait, echo=typer.echo)
    except workspace_backup.BackupError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(1) from None
    store = manifest["dossier_store"]
    typer.echo(
        f"backup written to {out.resolve()}: {manifest['database']['engine']} database, "
        f"{manifest['uploads']} uploaded file(s), "
        f"{store['records'] if store else 0:,} dossier record(s), "
        + ("the secret key" if manifest["secret_key"] == "file" else "no secret key file")
    )
    if manifest["secret_key_from_environment"]:
        typer.echo(
            "note: the secret key comes from DXSCORE_SECRET_KEY and is not in the archive; "
            "keep it with the backup",
            err=True,
        )


def restore(
    archive: Path = typer.Argument(..., exists=True, dir_okay=False, help="A backup file."),
    yes: bool = typer.Option(False, "--yes", help="Replace the current data without asking."),
    wait: float = typer.Option(
        3600, help="Seconds to wait for running dossier imports before giving up."
    ),
) -> None:
    """Replace the database, uploaded files, dossier store and secret key with those of a
    backup (checked whole first: a damaged archive changes nothing)."""
    setup_django(create_home=True)
    from dxscore.web import backup as workspace_backup

    if not yes:
        typer.confirm("This replaces all current data. Continue?", abort=True)
    try:
        manifest = workspace_backup.restore(archive, wait=wait, echo=typer.echo)
    except workspace_backup.BackupError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(1) from None
    store = manifest.get("dossier_store")
    typer.echo(
        f"restored from {archive}" + (f": {store['records']:,} dossier record(s)" if store else "")
    )
    typer.echo("restart `dxscore serve` and `dxscore worker` to use the restored workspace")


def scores(
    methodology: str = typer.Option(..., "--methodology", "-m", help="Methodology id."),
    period: str = typer.Option(..., "--period", "-p", help="Period code, e.g. 2024."),
    out: Path | None = typer.Option(None, "--out", help="Write CSV, XLSX, Parquet or JSON."),
) -> None:
    """Print or write the latest published run: columns unit,node,score,rank."""
    setup_django()
    from dxscore.tables import OutputError, csv_text, write_table
    from dxscore.web.scores.runs import published_table

    try:
        run, frame = published_table(methodology, period)
    except LookupError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(1) from None
    if out is None:
        typer.echo(csv_text(frame), nl=False)
        return
    try:
        write_table(frame, out, sheet=f"{methodology} {period}")
    except OutputError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(1) from None
    typer.echo(f"{len(frame)} rows of {run} written to {out}", err=True)


def units_import(
    lineage: str = typer.Argument(..., help="A lineage file (.csv, .csv.gz, .xlsx) or vn-2025."),
    commit: bool = typer.Option(
        False, "--commit", help="Store it (all or nothing); without it, only the preview."
    ),
) -> None:
    """Import a lineage into the workspace's units (docs/units.md): create the units it
    lacks, set when units ended, store the changes. Prints the preview; --commit stores."""
    setup_django(create_home=True)
    migrate()
    from dxscore import lineage as ln
    from dxscore.web.orgs.lineage import LineageRejected, import_lineage

    try:
        plan = import_lineage(ln.load(lineage), commit=commit)
    except (ln.LineageError, LineageRejected) as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(1) from None
    for where, message in plan.problems:
        typer.echo(f"{where}: {message}", err=True)
    if plan.problems:
        from dxscore.errors import counted

        typer.echo(f"{counted(len(plan.problems), 'problem')}: nothing would be stored", err=True)
        raise typer.Exit(1)
    verb = "stored" if plan.committed else "to store (preview; --commit stores)"
    typer.echo(
        f"{plan.name}: {len(plan.create):,} unit(s) to create, {len(plan.end):,} to end, "
        f"{len(plan.changes):,} change(s), new levels: {', '.join(plan.levels) or '-'}; "
        f"{len(plan.scopes)} person(s) whose entry scope ends; {verb} in {plan.seconds:.1f} s"
    )


def register(root: typer.Typer) -> None:
    """Add the web commands to the root ``dxscore`` command."""
    root.command()(serve)
    root.command()(createuser)
    root.command()(backup)
    root.command()(restore)
    root.command()(scores)
    root.command("units-import")(units_import)
