"""Finding a dossier by its code in the workspace's dossier store (``web/dossierdata``):
its unit and procedure, so a citizen's rating counts where the dossier was handled."""

from __future__ import annotations

import logging

import duckdb

from dxscore.dossiers import StoreError
from dxscore.web.dossierdata import worker
from dxscore.web.orgs.models import Unit

log = logging.getLogger(__name__)


def has_dossiers() -> bool:
    try:
        store = worker.open_store()
    except (StoreError, OSError):  # no store: no dossier data in this workspace
        return False
    return bool(store.parts())


def find(code: str) -> tuple[Unit, str] | None:
    """The unit (on the current map) and procedure of the dossier ``code``, if stored."""
    try:
        store = worker.open_store()
        parts = [str(p) for p in store.parts()]
    except (StoreError, OSError):
        return None
    if not parts:
        return None
    try:
        with duckdb.connect() as con:
            row = con.execute(
                "SELECT unit, procedure FROM read_parquet(?) WHERE dossier_id = ? LIMIT 1",
                [parts, code],
            ).fetchone()
    except duckdb.Error:
        log.exception("looking up a dossier")
        return None
    if row is None:
        return None
    unit = Unit.objects.by_code(str(row[0]))
    return (unit, str(row[1])) if unit is not None else None
