"""Online contests and the initiatives competition, as pure rules (no Django; see
``docs/contests.md``): the draw of a participant's questions and the order of their
options, scoring, the server-side timing rule, ranking with the Vietnamese tie-breaks,
participation per unit, suspicious-pattern flags, and the aggregation of evaluators'
scores of initiatives. The web app ``dxscore.web.contests`` stores and guards; it
computes with these."""

from dxscore.contests.draw import DrawError, Pick, Quota, draw, seed_for, shuffled
from dxscore.contests.flags import AnswerTime, reading_seconds, shared_addresses, too_fast
from dxscore.contests.initiatives import AGGREGATIONS, aggregate, conflicted
from dxscore.contests.participation import Participation, per_unit
from dxscore.contests.ranking import Entry, Ranked, best_attempt, rank
from dxscore.contests.scoring import is_correct, score
from dxscore.contests.timing import accepts, deadline, remaining

__all__ = [
    "AGGREGATIONS",
    "AnswerTime",
    "DrawError",
    "Entry",
    "Participation",
    "Pick",
    "Quota",
    "Ranked",
    "accepts",
    "aggregate",
    "best_attempt",
    "conflicted",
    "deadline",
    "draw",
    "is_correct",
    "per_unit",
    "rank",
    "reading_seconds",
    "remaining",
    "score",
    "seed_for",
    "shared_addresses",
    "shuffled",
    "too_fast",
]
