"""Dossier records: push batches from one-stop-shop systems, read them back."""

from __future__ import annotations

import datetime as dt
from typing import Literal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils.translation import gettext as _
from ninja import Path, Query, Router

from dxscore.web.api import dossier_batches as batches
from dxscore.web.api import schemas as s
from dxscore.web.api.common import Limit, Offset, not_found, visible_unit
from dxscore.web.orgs import scope
from dxscore.web.orgs.models import Unit

router = Router(tags=["dossiers"])


@router.post(
    "/dossiers",
    response=s.DossierStoreResult,
    summary="Store a batch of dossier records (idempotent)",
    description=(
        "1 to 10,000 records in the dossier record format (docs/dossiers.md). A dossier "
        "is identified by unit and dossier_id; the version with the latest updated_at "
        "is kept, so sending a batch again changes nothing. Every record's unit must be "
        "in your entry scope. Any problem stores nothing and is listed with the record's "
        "index and field."
    ),
)
def post_dossiers(request, payload: batches.DossierBatch):
    return batches.store_batch(request.user, payload.records)


def _codes(user, under: str | None) -> list[str] | None:
    """Unit codes the person may read dossiers of (None: all), within ``under``."""
    root = scope.scope_root(user, scope.VIEW)
    if under:
        unit = visible_unit(user, under, "query", "unit")
        return list(Unit.objects.filter(path__startswith=unit.path).values_list("code", flat=True))
    if root == scope.EVERYWHERE:
        return None
    return list(
        scope.restrict(Unit.objects.all(), user, scope.VIEW, via="").values_list("code", flat=True)
    )


@router.get("/dossiers", response=s.DossierPage, summary="Dossier records in your viewing scope")
def list_dossiers(
    request,
    unit: str | None = Query(None, max_length=40, description="A unit code: it and below."),
    procedure: str | None = Query(None, max_length=200),
    status: Literal["in_progress", "finished", "returned", "withdrawn"] | None = None,
    received_from: s.Moment | None = Query(None, description="Received at or after."),
    received_before: s.Moment | None = Query(None, description="Received before."),
    limit: int = Limit,
    offset: int = Offset,
):
    filters = {
        "procedure": procedure,
        "status": status,
        "received_from": _aware(received_from),
        "received_before": _aware(received_before),
    }
    count, rows = batches.query(_codes(request.user, unit), filters, limit, offset)
    following = None
    if offset + limit < count:
        query = request.GET.copy()
        query["offset"] = str(offset + limit)
        query["limit"] = str(limit)
        following = f"{request.path}?{query.urlencode()}"
    return {"count": count, "limit": limit, "offset": offset, "next": following, "items": rows}


def _aware(moment: dt.datetime | None) -> dt.datetime | None:
    """A time without an offset is the workspace's local time, as in dossier files."""
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=ZoneInfo(settings.TIME_ZONE))


@router.get("/dossiers/{unit}/{dossier_id}", response=s.DossierOut, summary="One dossier record")
def get_dossier(
    request,
    unit: str = Path(..., max_length=40),
    dossier_id: str = Path(..., max_length=200),
):
    visible_unit(request.user, unit, "path")
    count, rows = batches.query([unit], {"dossier_id": dossier_id}, 1, 0)
    if not rows:
        raise not_found(_("No dossier '%(d)s' of unit %(u)s.") % {"d": dossier_id, "u": unit})
    return rows[0]
