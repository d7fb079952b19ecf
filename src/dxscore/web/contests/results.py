"""What the contests' records add up to, computed by ``dxscore.contests``: a round's
ranking (each person's best attempt, the tie-breaks, prizes), the overall ranking, the
participation and mean score per unit, the suspicious-pattern flags, and the figures
the emulation rankings read (``delivery``, merged in ``plans/emulation.py``)."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from dxscore import contests as rules
from dxscore.web.contests import work
from dxscore.web.contests.models import Answer, Attempt, Contest, Prize, Question, Round, UnitSize
from dxscore.web.orgs.models import Unit

COMPUTED = ("contest_participants", "contest_participation_rate", "contest_mean_score")


@dataclass
class Row:
    rank: int
    participant: object
    attempt: Attempt | None
    score: float
    maximum: float
    prediction: int | None
    distance: float
    seconds: float
    prize: str = ""
    attempts: list = field(default_factory=list)


def _prize(prizes: list[Prize], rank: int) -> str:
    return next((p.title for p in prizes if p.first <= rank <= p.last), "")


def best_attempts(r: Round) -> dict[int, Attempt]:
    """Each participant's attempt that counts (``dxscore.contests.best_attempt``)."""
    by_person: dict[int, list[Attempt]] = {}
    for a in Attempt.objects.filter(round=r, submitted_at__isnull=False).select_related(
        "participant__unit"
    ):
        by_person.setdefault(a.participant_id, []).append(a)
    out = {}
    for pid, attempts in by_person.items():
        best = rules.best_attempt([(a, float(a.score or 0), a.seconds) for a in attempts])
        if best is not None:
            out[pid] = best
    return out


def round_ranking(r: Round) -> tuple[list[Row], int]:
    """The round's ranks and the true number of participants who answered every question
    correctly (what the tie-breaker question asks to predict)."""
    work.finalise_expired(r)
    best = best_attempts(r)
    true_count = sum(
        1
        for a in best.values()
        if a.correct_count is not None and a.correct_count == len(a.questions)
    )
    entries = [
        rules.Entry(pid, float(a.score or 0), a.prediction, a.seconds) for pid, a in best.items()
    ]
    prizes = list(Prize.objects.filter(round=r))
    rows = []
    for item in rules.rank(entries, true_count):
        a = best[int(item.entry.key)]  # type: ignore[arg-type]
        rows.append(
            Row(
                rank=item.rank,
                participant=a.participant,
                attempt=a,
                score=item.entry.score,
                maximum=a.maximum,
                prediction=a.prediction,
                distance=item.distance,
                seconds=item.entry.seconds,
                prize=_prize(prizes, item.rank),
            )
        )
    return rows, true_count


def overall_ranking(contest: Contest, published_only: bool = True) -> list[Row]:
    """Across the contest's rounds (published ones, unless ``published_only`` is off):
    the sum of each person's counted scores, of their prediction distances and times."""
    rounds = contest.rounds.all()
    if published_only:
        rounds = rounds.filter(results_published_at__isnull=False)
    totals: dict[int, dict] = {}
    for r in rounds:
        rows, _true = round_ranking(r)
        for row in rows:
            t = totals.setdefault(
                row.attempt.participant_id,
                {"p": row.participant, "score": 0.0, "max": 0.0, "dist": 0.0, "sec": 0.0},
            )
            t["score"] += row.score
            t["max"] += row.maximum
            t["dist"] += row.distance
            t["sec"] += row.seconds
    prizes = list(Prize.objects.filter(contest=contest, round__isnull=True))
    # the summed distance is the prediction's tie-break: rank by (score, distance, time)
    entries = [rules.Entry(pid, t["score"], 0, t["sec"]) for pid, t in totals.items()]
    rows = []
    ordered = sorted(entries, key=lambda e: (-e.score, totals[e.key]["dist"], e.seconds))
    previous, number = None, 0
    for position, e in enumerate(ordered, start=1):
        t = totals[e.key]
        key = (e.score, t["dist"], e.seconds)
        number = number if key == previous else position
        previous = key
        rows.append(
            Row(
                number,
                t["p"],
                None,
                e.score,
                t["max"],
                None,
                t["dist"],
                e.seconds,
                _prize(prizes, number),
            )
        )
    return rows


def ranking_columns(prediction: bool = True) -> list:
    """The columns of a ranking as its page shows them (a round's has the prediction)."""
    from dxscore.web.dashboards.tables import COUNT, NUMBER, RANK, Column

    columns = [
        Column("rank", _("Rank"), RANK),
        Column("participant", _("Participant")),
        Column("unit", _("Unit")),
        Column("score", _("Score"), COUNT),
        Column("maximum", _("Maximum"), COUNT),
    ]
    if prediction:
        columns.append(Column("prediction", _("Prediction"), COUNT))
    columns += [Column("seconds", _("Time (s)"), NUMBER), Column("prize", _("Prize"))]
    return columns


def ranking_rows(rows: list[Row]) -> list[dict]:
    """Every row of a ranking (the page shows the first 200), at the stored precision."""
    return [
        {
            "rank": row.rank,
            "participant": row.participant.name,
            "unit": row.participant.unit.name,
            "score": row.score,
            "maximum": row.maximum,
            "prediction": row.prediction,
            "seconds": row.seconds,
            "prize": row.prize,
        }
        for row in rows
    ]


def round_table(r: Round, rows: list[Row], true_count: int):
    """A round's results page as a download: the ranking ``round_ranking`` gave the page."""
    from dxscore.web.dashboards.tables import Table

    contest = r.contest
    return Table(
        name=f"results-{contest.slug}-{r.number}",
        title=_("Results of round %(n)s") % {"n": r.number} + f" · {contest.title}",
        columns=ranking_columns(),
        rows=ranking_rows(rows),
        meta={
            "contest": contest.slug,
            "contest_title": contest.title,
            "round": r.number,
            "published_at": r.results_published_at.isoformat() if r.results_published_at else None,
            "all_correct": true_count,
            "participants": len(rows),
        },
    )


def overall_table(contest: Contest, rows: list[Row]):
    """The overall ranking page as a download: the rows ``overall_ranking`` gave it."""
    from dxscore.web.dashboards.tables import Table

    return Table(
        name=f"overall-{contest.slug}",
        title=_("Overall results (published rounds)") + f" · {contest.title}",
        columns=ranking_columns(prediction=False),
        rows=ranking_rows(rows),
        meta={
            "contest": contest.slug,
            "contest_title": contest.title,
            "rounds": [r.number for r in contest.rounds.filter(results_published_at__isnull=False)],
            "participants": len(rows),
        },
    )


def participation(
    contest: Contest, units: list[Unit], rounds: list[Round] | None = None
) -> list[rules.Participation]:
    """Per unit of ``units`` (and everything below it): distinct participants of the
    rounds, their rate per staff or population where known, mean score share."""
    rounds = rounds if rounds is not None else list(contest.rounds.all())
    for r in rounds:
        work.finalise_expired(r)
    results = [
        (str(pid), path, float(score or 0), float(maximum))
        for pid, path, score, maximum in Attempt.objects.filter(
            round__in=rounds, submitted_at__isnull=False
        ).values_list("participant_id", "participant__unit__path", "score", "maximum")
    ]
    sizes = {
        code: size
        for code, size in UnitSize.objects.filter(contest=contest, unit__in=units).values_list(
            "unit__code", "size"
        )
    }
    return rules.per_unit({u.code: u.path for u in units}, results, sizes)


def ranked_units(contest: Contest) -> list[Unit]:
    """The units participation is shown for: those right below the organising unit."""
    return list(Unit.objects.filter(parent=contest.organiser_unit).order_by("code"))


@dataclass
class Flags:
    addresses: dict[str, list[str]]  # address: participant names
    fast: list[Attempt]
    tabs: list[Attempt]


def flags(r: Round, threshold: int = 5) -> Flags:
    """Many identities from one address; attempts answered faster than reading time;
    attempts with tab switches (most first)."""
    attempts = list(
        Attempt.objects.filter(round=r).select_related("participant").order_by("-tab_switches")
    )
    names = {str(a.participant_id): a.participant.name for a in attempts}
    shared = rules.shared_addresses(
        [(str(a.participant_id), a.address or "") for a in attempts], threshold
    )
    words = {
        q.pk: q.text + " " + " ".join(o.text for o in q.options.all())
        for q in Question.objects.filter(contest=r.contest).prefetch_related("options")
    }
    times: dict[int, list[tuple]] = {}
    for aid, qid, at in (
        Answer.objects.filter(attempt__round=r)
        .values_list("attempt_id", "question_id", "answered_at")
        .order_by("attempt_id", "answered_at")
    ):
        times.setdefault(aid, []).append((qid, at))
    fast = []
    for a in attempts:
        previous = a.served_at
        items = []
        for qid, at in times.get(a.pk, []):
            items.append(rules.AnswerTime(words.get(qid, ""), (at - previous).total_seconds()))
            previous = at
        if rules.too_fast(items):
            fast.append(a)
    return Flags(
        {ip: [names[i] for i in ids] for ip, ids in shared.items()},
        fast,
        [a for a in attempts if a.tab_switches],
    )


def delivery(units, period) -> dict[str, dict[str, float | None]]:
    """The contests' figures per unit code for a ``data.Period`` (emulation rankings and
    score runs read them through ``scores.runs.gather_inputs``): participants of the
    rounds that closed in the period, per staff or population, and their mean score
    share, over every contest whose organising unit contains the unit."""
    out: dict[str, dict[str, float | None]] = {u.code: dict.fromkeys(COMPUTED) for u in units}
    rounds = list(
        Round.objects.filter(
            closes_at__date__gte=period.start, closes_at__date__lte=period.end
        ).select_related("contest")
    )
    if not rounds or not units:
        return out
    for r in rounds:
        work.finalise_expired(r)
    results = [
        (str(pid), path, float(score or 0), float(maximum))
        for pid, path, score, maximum in Attempt.objects.filter(
            round__in=rounds, submitted_at__isnull=False
        ).values_list("participant_id", "participant__unit__path", "score", "maximum")
    ]
    sizes: dict[str, int | None] = {}
    for code, size in UnitSize.objects.filter(
        contest__in={r.contest_id for r in rounds}, unit__in=units
    ).values_list("unit__code", "size"):
        sizes[code] = max(size, sizes.get(code) or 0)
    for p in rules.per_unit({u.code: u.path for u in units}, results, sizes):
        if p.participants:
            out[p.unit] = {
                "contest_participants": float(p.participants),
                "contest_participation_rate": p.rate,
                "contest_mean_score": p.mean_share,
            }
    return out
