"""What the contest pages share: the participant a browser stands for (an official by
their account, anyone else by a signed cookie set when their code was confirmed), the
network address, and the rate limit."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _

from dxscore.web import ratelimit
from dxscore.web.contests.models import Attempt, Contest, Participant
from dxscore.web.proxy import client_address

SALT = "dxscore.contests.participant"


def cookie_name(contest: Contest) -> str:
    return f"dxc{contest.pk}"


def participant(request, contest: Contest) -> Participant | None:
    if request.user.is_authenticated:
        found = Participant.objects.filter(contest=contest, user=request.user).first()
        if found is not None:
            return found
    pk = request.get_signed_cookie(cookie_name(contest), default=None, salt=SALT)
    if not pk or not str(pk).isdigit():
        return None
    return Participant.objects.filter(pk=int(pk), contest=contest, purged=False).first()


def remember(response, contest: Contest, found: Participant) -> None:
    until = dt.datetime.combine(contest.retention_until, dt.time(23, 59), dt.UTC)
    age = max(60, int((until - timezone.now()).total_seconds()))
    response.set_signed_cookie(
        cookie_name(contest),
        str(found.pk),
        salt=SALT,
        max_age=age,
        httponly=True,
        samesite="Lax",
        secure=settings.HTTPS,
    )


def address(request) -> str | None:
    return client_address(request)


def limited(request) -> JsonResponse | None:
    """429 when the address has sent too many contest requests
    (``DXSCORE_CONTEST_IP_RATE``)."""
    if ratelimit.hit("contest-ip", address(request) or "-", settings.DXSCORE_CONTEST_IP_RATE):
        return None
    answer = JsonResponse({"error": _("Too many requests: wait a minute.")}, status=429)
    answer["Retry-After"] = "60"
    return answer


def contest_or_404(slug: str) -> Contest:
    return get_object_or_404(Contest.objects.select_related("organiser_unit"), slug=slug)


def own_attempt(request, key) -> Attempt:
    """An attempt of the participant this browser stands for (else 404)."""
    found = get_object_or_404(
        Attempt.objects.select_related("round__contest", "participant"), key=key
    )
    me = participant(request, found.round.contest)
    if me is None or me.pk != found.participant_id:
        from django.http import Http404

        raise Http404
    return found
