"""Changing contests: joining (an official signed in, or a phone or e-mail confirmed by a
one-time code), starting an attempt (the draw), saving answers as they are given,
counting tab switches, submitting (or finalising after the time), publishing results
and purging personal data. The clock is the server's (``timezone.now``) throughout; a
refusal is ``ContestNotAllowed``, a bad request ``ContestError``."""

from __future__ import annotations

import datetime as dt
import re

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from dxscore import contests as rules
from dxscore.web import confirm
from dxscore.web.contests import access
from dxscore.web.contests.models import (
    Answer,
    Attempt,
    Contest,
    OneTimeCode,
    Option,
    Participant,
    Question,
    Round,
)
from dxscore.web.orgs import scope
from dxscore.web.orgs.models import Unit

CODE_MINUTES = 10
EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]{1,180}\.[^@\s]{2,}$")


class ContestError(ValueError):
    pass


class ContestNotAllowed(ContestError, scope.NotAllowed):
    """The person may not do this."""


class TimeUp(ContestError):
    """The attempt's time is over (or the round closed): the answer is refused."""


# --- identities ---------------------------------------------------------------------------


def normalise_identity(text: str) -> str:
    """An e-mail address in lower case, or a Vietnamese phone number as ``0`` and nine
    digits (``+84 912 345 678`` -> ``0912345678``). Raises ``ContestError`` otherwise."""
    text = (text or "").strip()
    if "@" in text:
        if not EMAIL.match(text) or len(text) > 120:
            raise ContestError(_("This is not an e-mail address."))
        return text.lower()
    digits = re.sub(r"[\s.\-()]", "", text)
    if digits.startswith("+84"):
        digits = "0" + digits[3:]
    elif digits.startswith("84") and len(digits) == 11:
        digits = "0" + digits[2:]
    if not re.fullmatch(r"0\d{9}", digits):
        raise ContestError(_("Give an e-mail address or a mobile number (10 digits)."))
    return digits


def code_address(identity: str) -> str | None:
    """Where a code goes: the e-mail itself, or a phone's address at the SMS gateway
    (``DXSCORE_CONTEST_SMS_GATEWAY``, ``{phone}@...``); None when phones cannot be
    reached."""
    if "@" in identity:
        return identity
    gateway = settings.DXSCORE_CONTEST_SMS_GATEWAY
    return gateway.replace("{phone}", identity) if gateway else None


def code_policy() -> confirm.Policy:
    return confirm.Policy("contest", CODE_MINUTES, settings.DXSCORE_CONTEST_CODE_RATE)


def request_code(
    contest: Contest, identity: str, details: dict, client: str | None = None
) -> OneTimeCode:
    """Send a one-time code to ``identity`` (normalised) for joining with ``details``;
    earlier codes of the identity end. ``client``: the network address asking."""
    if not contest.public:
        raise ContestNotAllowed(_("This contest is for officials only: log in."))
    address = code_address(identity)
    if address is None:
        raise ContestError(_("Codes cannot be sent to phones here: give an e-mail address."))
    policy = code_policy()
    if not confirm.allowed(policy, "code", identity, client):
        raise ContestError(_("Too many codes asked for: wait and try again."))
    title = contest.title[:80]
    return confirm.issue(
        OneTimeCode(contest=contest, identity=identity, details=details),
        policy,
        address,
        lambda code: (
            _("Your code for %(c)s") % {"c": title},
            _("Your code is %(code)s. It is valid for %(m)d minutes.")
            % {"code": code, "m": CODE_MINUTES},
        ),
        supersede=OneTimeCode.objects.filter(contest=contest, identity=identity),
    )


def confirm_code(contest: Contest, identity: str, code: str) -> Participant:
    """The participant once ``code`` matches the latest code sent to ``identity``
    (within its time and its tries); created with the details given when joining."""
    codes = OneTimeCode.objects.filter(contest=contest, identity=identity)
    try:
        sent = confirm.check(codes, code_policy(), code)
    except confirm.CodeSpent:
        raise ContestError(_("This code has expired: ask for a new one.")) from None
    except confirm.CodeWrong:
        raise ContestError(_("This code is not right.")) from None
    return _confirmed(contest, identity, sent)


def _confirmed(contest: Contest, identity: str, sent: OneTimeCode) -> Participant:
    d = sent.details
    unit = Unit.objects.get(pk=d["unit"])
    found = Participant.objects.filter(contest=contest, identity=identity).first()
    if found is not None:
        return found
    return Participant.objects.create(
        contest=contest,
        type=d["type"],
        identity=identity,
        name=d["name"][:120],
        unit=unit,
        business=d.get("business", "")[:200],
        confirmed_at=timezone.now(),
    )


def join_official(contest: Contest, user) -> Participant:
    """A signed-in official takes part for their own unit."""
    unit = access.own_unit(user)
    if unit is None:
        raise ContestNotAllowed(_("Your account has no unit: ask an administrator."))
    found = Participant.objects.filter(contest=contest, user=user).first()
    if found is not None:
        return found
    name = user.get_full_name() or user.get_username()
    try:
        with transaction.atomic():
            return Participant.objects.create(
                contest=contest,
                type=Participant.Type.OFFICIAL,
                user=user,
                name=name[:120],
                unit=unit,
                confirmed_at=timezone.now(),
            )
    except IntegrityError:  # joined twice at once
        return Participant.objects.get(contest=contest, user=user)


# --- attempts -----------------------------------------------------------------------------


def round_state(r: Round, now: dt.datetime | None = None) -> str:
    now = now or timezone.now()
    if now < r.opens_at:
        return "upcoming"
    return "open" if now < r.closes_at else "closed"


def start(r: Round, participant: Participant, address: str | None = None) -> Attempt:
    """The participant's running attempt (resumed as it was), else a new one: its
    questions drawn and their options shuffled, its clock started now. Refused outside
    the round's hours and once the allowed attempts are used."""
    try:
        return _start(r, participant, address)
    except IntegrityError:  # started twice at once: the first one runs
        return _start(r, participant, address)


def _start(r: Round, participant: Participant, address: str | None) -> Attempt:
    now = timezone.now()
    if participant.contest_id != r.contest_id:
        raise ContestNotAllowed(_("You have not joined this contest."))
    with transaction.atomic():
        mine = list(Attempt.objects.select_for_update().filter(round=r, participant=participant))
        running = [a for a in mine if a.submitted_at is None and now < a.deadline]
        if running:
            return running[0]
        for stale in (a for a in mine if a.submitted_at is None):
            finalise(stale)
        if round_state(r, now) != "open":
            raise ContestError(_("This round is not open."))
        if len(mine) >= r.attempts_allowed:
            raise ContestNotAllowed(_("You have used every attempt of this round."))
        number = len(mine) + 1
        seed = rules.seed_for(r.pk, participant.pk, number)
        bank = [
            rules.Pick(q["pk"], q["category"], q["difficulty"])
            for q in Question.objects.filter(contest=r.contest, active=True).values(
                "pk", "category", "difficulty"
            )
        ]
        try:
            drawn = rules.draw(bank, r.quota_rules(), seed)
        except rules.DrawError as exc:
            raise ContestError(
                _("The question bank cannot fill this round: %(e)s") % {"e": exc}
            ) from None
        options: dict[int, list[int]] = {}
        for qid, oid in Option.objects.filter(question_id__in=drawn).values_list(
            "question_id", "pk"
        ):
            options.setdefault(qid, []).append(oid)
        orders = {str(q): rules.shuffled(options.get(q, []), seed ^ q) for q in drawn}
        points = dict(Question.objects.filter(pk__in=drawn).values_list("pk", "points"))
        return Attempt.objects.create(
            round=r,
            participant=participant,
            number=number,
            questions=drawn,
            orders=orders,
            served_at=now,
            deadline=rules.deadline(now, r.time_limit_seconds, r.closes_at),
            maximum=sum(points.values()),
            address=address,
        )


def save_answer(attempt: Attempt, question_id: int, chosen: list[int]) -> Answer:
    """Store the answer as given (replacing an earlier choice of the same question), if
    the attempt's time is not up; the server's clock decides."""
    now = timezone.now()
    if attempt.submitted_at is not None:
        raise TimeUp(_("This attempt is submitted."))
    if not rules.accepts(now, attempt.deadline):
        raise TimeUp(_("The time is up: this answer came too late."))
    if question_id not in attempt.questions:
        raise ContestError(_("This question is not in your attempt."))
    allowed = set(attempt.orders.get(str(question_id), []))
    picked = sorted({int(c) for c in chosen})
    if not set(picked) <= allowed:
        raise ContestError(_("This option is not one of the question's."))
    updated = Answer.objects.filter(attempt=attempt, question_id=question_id).update(
        chosen=picked, answered_at=now
    )
    if updated:
        return Answer(attempt=attempt, question_id=question_id, chosen=picked, answered_at=now)
    try:
        with transaction.atomic():
            return Answer.objects.create(
                attempt=attempt, question_id=question_id, chosen=picked, answered_at=now
            )
    except IntegrityError:  # the same question saved twice at once: the later one stays
        Answer.objects.filter(attempt=attempt, question_id=question_id).update(
            chosen=picked, answered_at=now
        )
        return Answer(attempt=attempt, question_id=question_id, chosen=picked, answered_at=now)


def tab_switch(attempt: Attempt) -> None:
    if attempt.submitted_at is None:
        Attempt.objects.filter(pk=attempt.pk, submitted_at__isnull=True).update(
            tab_switches=F("tab_switches") + 1
        )


def finalise(attempt: Attempt, prediction: int | None = None) -> Attempt:
    """Score the attempt from its saved answers and close it: at the moment of
    submission, or at its deadline when its time ran out without one."""
    now = timezone.now()
    with transaction.atomic():
        locked = Attempt.objects.select_for_update().get(pk=attempt.pk)
        if locked.submitted_at is not None:
            return locked
        questions = {q.pk: q for q in Question.objects.filter(pk__in=locked.questions)}
        correct: dict[int, set[int]] = {}
        for qid, oid in Option.objects.filter(
            question_id__in=locked.questions, correct=True
        ).values_list("question_id", "pk"):
            correct.setdefault(qid, set()).add(oid)
        answers = list(Answer.objects.filter(attempt=locked))
        total, right = 0, 0
        for a in answers:
            q = questions[a.question_id]
            a.correct = rules.is_correct(q.kind, correct.get(q.pk, set()), a.chosen)
            if a.correct:
                total += q.points
                right += 1
        Answer.objects.bulk_update(answers, ["correct"])
        locked.score, locked.correct_count = total, right
        locked.submitted_at = min(now, locked.deadline)
        if prediction is not None and locked.round.ask_prediction and now < locked.deadline:
            locked.prediction = prediction
        locked.save(update_fields=["score", "correct_count", "submitted_at", "prediction"])
        return locked


def finalise_expired(r: Round) -> int:
    """Close every attempt of the round whose time ran out unsubmitted."""
    stale = list(
        Attempt.objects.filter(round=r, submitted_at__isnull=True, deadline__lte=timezone.now())
    )
    for a in stale:
        finalise(a)
    return len(stale)


def publish(user, r: Round) -> None:
    if not access.is_organiser(user, r.contest):
        raise ContestNotAllowed(_("Only the contest's organisers publish results."))
    if round_state(r) != "closed":
        raise ContestError(_("Results are published after the round closes."))
    finalise_expired(r)
    r.results_published_at = timezone.now()
    r.save(update_fields=["results_published_at"])


def purge(user, contest: Contest, today: dt.date | None = None) -> int:
    """Remove the participants' phone numbers, e-mails and names once the retention
    date has passed (units and scores stay, so the figures stay). The number purged."""
    if not access.is_organiser(user, contest):
        raise ContestNotAllowed(_("Only the contest's organisers purge its data."))
    today = today or timezone.localdate()
    if today <= contest.retention_until:
        raise ContestError(_("The retention date has not passed yet."))
    return purge_expired(contest)


def purge_expired(contest: Contest) -> int:
    with transaction.atomic():
        n = 0
        for p in Participant.objects.filter(contest=contest, purged=False).only("pk"):
            Participant.objects.filter(pk=p.pk).update(
                identity="", name=f"#{p.pk}", business="", user=None, purged=True
            )
            n += 1
        OneTimeCode.objects.filter(contest=contest).delete()
        Attempt.objects.filter(round__contest=contest).update(address=None)
        contest.purged_at = timezone.now()
        contest.save(update_fields=["purged_at"])
        return n
