"""Contests for their organisers: a round's ranking and participation per unit, read
under ``web/contests/access.py`` (the public pages show published results to all)."""

from __future__ import annotations

from django.utils.translation import gettext as _
from ninja import Router, Schema

from dxscore.web.api.common import not_found
from dxscore.web.api.problems import FORBIDDEN, ApiProblem
from dxscore.web.contests import access, results
from dxscore.web.contests.models import Contest, Round

router = Router(tags=["contests"])


class RankOut(Schema):
    rank: int
    participant: int
    unit: str
    score: float
    maximum: float
    prediction: int | None = None
    seconds: float
    prize: str


class ParticipationOut(Schema):
    unit: str
    participants: int
    size: int | None = None
    rate: float | None = None
    mean_score_share: float | None = None


def _organised(request, slug: str) -> Contest:
    contest = Contest.objects.filter(slug=slug).first()
    if contest is None:
        raise not_found(_("No contest %(s)s.") % {"s": slug})
    if not access.is_organiser(request.user, contest):
        raise ApiProblem(
            403, _("Forbidden"), _("Only the contest's organisers read this."), FORBIDDEN
        )
    return contest


@router.get("/contests/{slug}/rounds/{number}/ranking", response=list[RankOut])
def ranking(request, slug: str, number: int):
    """The round's ranks (score, prediction closeness, time), finished attempts only."""
    contest = _organised(request, slug)
    r = Round.objects.filter(contest=contest, number=number).first()
    if r is None:
        raise not_found(_("No round %(n)d.") % {"n": number})
    rows, _true = results.round_ranking(r)
    return [
        RankOut(
            rank=x.rank,
            participant=x.participant.pk,
            unit=x.participant.unit.code,
            score=x.score,
            maximum=x.maximum,
            prediction=x.prediction,
            seconds=round(x.seconds, 3),
            prize=x.prize,
        )
        for x in rows
    ]


@router.get("/contests/{slug}/participation", response=list[ParticipationOut])
def participation(request, slug: str):
    """Participants per unit below the organising unit, rate and mean score share."""
    contest = _organised(request, slug)
    units = results.ranked_units(contest)
    return [
        ParticipationOut(
            unit=p.unit,
            participants=p.participants,
            size=p.size,
            rate=p.rate,
            mean_score_share=p.mean_share,
        )
        for p in results.participation(contest, units)
    ]
