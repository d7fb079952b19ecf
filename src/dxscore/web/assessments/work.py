"""Changes of questionnaires, respondents and sheets: each one transaction; refusals as
``SurveyNotAllowed``, bad input as ``SurveyError`` (a message for the person).

A business proves its e-mail address with a one-time code: the first confirmation
records the address for its tax code, and every later code goes to that address, so
knowing a tax code is not enough to read or change a business's sheet."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dxscore import assessments as qa
from dxscore import periods, safefiles
from dxscore.errors import Problems
from dxscore.web import confirm, ratelimit
from dxscore.web.assessments import access, dossiers
from dxscore.web.assessments.models import (
    Confirmation,
    FigureState,
    Kind,
    Questionnaire,
    Respondent,
    Sector,
    Sheet,
    SheetState,
    Size,
)
from dxscore.web.data.models import Period
from dxscore.web.orgs import scope
from dxscore.web.orgs.models import Level, Unit
from dxscore.web.proxy import client_address

MAX_FILE_BYTES = 512 * 1024


class SurveyError(Exception):
    """Something a person should correct (said in their language)."""


class SurveyNotAllowed(scope.NotAllowed):
    pass


class QuestionnaireRejected(Problems):
    """A questionnaire file that cannot be stored."""


# -- questionnaires ------------------------------------------------------------------------


def store(text: str, builtin: bool = False, source: str = "upload") -> Questionnaire:
    if len(text.encode("utf-8")) > MAX_FILE_BYTES:
        raise QuestionnaireRejected([("file", "larger than 512 KB")], source)
    try:
        safefiles.check_yaml(text)
    except safefiles.UnsafeFile as exc:
        raise QuestionnaireRejected([("file", str(exc))], source) from None
    try:
        q = qa.loads(text, source=source)
    except qa.QuestionnaireError as exc:
        raise QuestionnaireRejected(list(exc.problems), source) from None
    existing = Questionnaire.objects.filter(code=q.code, version=q.version).first()
    if existing is not None:
        if existing.digest == q.digest:
            return existing
        raise QuestionnaireRejected(
            [("version", f"{q.code} v{q.version} is stored with other content")], source
        )
    return Questionnaire.objects.create(
        code=q.code,
        version=q.version,
        kind=q.spec.kind,
        title=q.spec.title.en,
        text=text,
        digest=q.digest,
        builtin=builtin,
    )


def ensure_builtins() -> list[Questionnaire]:
    """Store each built-in questionnaire once (open, when no version of it is)."""
    out = []
    for ref in qa.builtin_ids():
        path = qa.questionnaire.BUILTIN_DIR / f"{ref}.yaml"
        stored = store(path.read_text(encoding="utf-8"), builtin=True, source=path.name)
        if not Questionnaire.objects.filter(code=stored.code, active=True).exists():
            stored.active = True
            stored.save(update_fields=["active"])
        out.append(stored)
    return out


def open_period(questionnaire: Questionnaire, code: str) -> Period:
    """Let respondents answer ``questionnaire`` for the period ``code`` (of its kind)."""
    q = questionnaire.compiled()
    try:
        kind = periods.kind_of(code)
    except ValueError:
        raise SurveyError(_("Not a period: use 2025, 2025Q3 or 2025-07.")) from None
    if kind != q.spec.period:
        raise SurveyError(
            _("This questionnaire is answered per %(kind)s.") % {"kind": q.spec.period}
        )
    period = Period.objects.get_or_create(code=code)[0]
    questionnaire.period = period
    questionnaire.save(update_fields=["period"])
    return period


def current(code: str) -> Questionnaire | None:
    """The open version of a questionnaire, if it is open for a period."""
    return (
        Questionnaire.objects.select_related("period")
        .filter(code=code, active=True, period__isnull=False)
        .first()
    )


# -- the map respondents choose from --------------------------------------------------------


def commune_level(day: dt.date | None = None) -> Level | None:
    """The lowest level of the map in force (communes and wards)."""
    day = day or timezone.localdate()
    return Level.objects.filter(unit__in=Unit.objects.in_force(day)).order_by("-depth").first()


def communes(day: dt.date | None = None):
    """The communes in force ``day`` (today): the current map respondents choose from."""
    day = day or timezone.localdate()
    level = commune_level(day)
    if level is None:
        return Unit.objects.none()
    return Unit.objects.in_force(day).filter(level=level).order_by("name")


def _commune(pk) -> Unit:
    try:
        return communes().get(pk=int(pk))
    except (ValueError, TypeError, Unit.DoesNotExist):
        raise SurveyError(_("Choose your commune on the current map.")) from None


# -- businesses: e-mail codes -----------------------------------------------------------


def code_policy() -> confirm.Policy:
    return confirm.Policy(
        "survey", settings.DXSCORE_SURVEY_CODE_MINUTES, settings.DXSCORE_SURVEY_RATE
    )


def masked(email: str) -> str:
    name, _at, domain = email.partition("@")
    return f"{name[:1]}***@{domain}"


def request_code(request, questionnaire: Questionnaire, data: dict) -> Confirmation:
    """Check a business's details and send a one-time code (to the address already on
    record for its tax code, if any)."""
    tax_code, reason = qa.check_tax_code(data.get("tax_code", ""))
    if reason:
        raise SurveyError(_("Tax code: %(reason)s.") % {"reason": _(reason)})
    email = (data.get("email") or "").strip().lower()
    if "@" not in email or len(email) > 254:
        raise SurveyError(_("Give an e-mail address to receive your code."))
    if data.get("sector") not in Sector.values:
        raise SurveyError(_("Choose your sector."))
    if data.get("size") not in Size.values:
        raise SurveyError(_("Choose your size."))
    commune = _commune(data.get("commune"))
    name = (data.get("name") or "").strip()[:200]
    policy = code_policy()
    if not confirm.allowed(policy, "code", email, client_address(request)):
        raise SurveyError(_("Too many requests: try again later."))
    known = Respondent.objects.filter(tax_code=tax_code).first()
    send_to = known.email if known is not None and known.email else email
    payload = {
        "questionnaire": questionnaire.pk,
        "tax_code": tax_code,
        "name": name,
        "sector": data["sector"],
        "size": data["size"],
        "commune": commune.pk,
        "email": email,
    }
    title, minutes = questionnaire.title, policy.minutes
    return confirm.issue(
        Confirmation(email=send_to, payload=payload),
        policy,
        send_to,
        lambda code: (
            _("Your dxscore code: %(code)s") % {"code": code},
            _(
                "Your code for the questionnaire '%(title)s' is %(code)s. It is valid for "
                "%(minutes)d minutes. If you did not ask for it, ignore this message."
            )
            % {"title": title, "code": code, "minutes": minutes},
        ),
    )


def confirm_code(request, confirmation: Confirmation, code: str) -> Sheet:
    """Check the code; record the business (details as given) and open its sheet."""
    policy = code_policy()
    if not confirm.allowed(policy, "confirm", confirmation.email, client_address(request)):
        raise SurveyError(_("Too many requests: try again later."))
    try:
        c = confirm.check(Confirmation.objects.filter(pk=confirmation.pk), policy, code)
    except confirm.CodeSpent:
        raise SurveyError(_("This code is no longer valid: ask for a new one.")) from None
    except confirm.CodeWrong:
        raise SurveyError(_("The code is not right.")) from None
    p = c.payload
    with transaction.atomic():
        respondent = Respondent.objects.select_for_update().filter(tax_code=p["tax_code"]).first()
        if respondent is None:
            respondent = Respondent(kind=Kind.BUSINESS, tax_code=p["tax_code"], email=c.email)
        respondent.name = p["name"] or respondent.name
        respondent.sector, respondent.size = p["sector"], p["size"]
        respondent.commune_id = p["commune"]
        respondent.save()
    access.remember_respondent(request, respondent.pk)
    questionnaire = Questionnaire.objects.get(pk=p["questionnaire"])
    return sheet_for(respondent, questionnaire)


def sheet_for(respondent: Respondent, questionnaire: Questionnaire) -> Sheet:
    """The respondent's sheet of the open period (a new draft the first time)."""
    if questionnaire.period_id is None:
        raise SurveyError(_("This questionnaire is closed."))
    found = Sheet.objects.filter(
        series=questionnaire.code, period_id=questionnaire.period_id, respondent=respondent
    ).first()
    if found is not None:
        return found
    try:
        with transaction.atomic():
            return Sheet.objects.create(
                questionnaire=questionnaire,
                series=questionnaire.code,
                period_id=questionnaire.period_id,
                respondent=respondent,
                commune=respondent.commune,
                sector=respondent.sector,
                size=respondent.size,
            )
    except IntegrityError:  # opened at the same moment in another tab
        return Sheet.objects.get(
            series=questionnaire.code, period_id=questionnaire.period_id, respondent=respondent
        )


# -- citizens ---------------------------------------------------------------------------


def start_rating(request, questionnaire: Questionnaire, dossier_code: str, commune) -> Sheet:
    """A citizen's sheet: for a dossier (by its code; once per dossier) or anonymous."""
    if questionnaire.period_id is None:
        raise SurveyError(_("This questionnaire is closed."))
    if not ratelimit.hit(
        "survey-rating-ip", client_address(request) or "-", settings.DXSCORE_SURVEY_RATE
    ):
        raise SurveyError(_("Too many requests: try again later."))
    dossier_code = (dossier_code or "").strip()[:80]
    unit, procedure = None, ""
    if dossier_code:
        found = dossiers.find(dossier_code)
        if found is None:
            raise SurveyError(_("No dossier with this code: check it, or rate anonymously."))
        unit, procedure = found
        if Sheet.objects.filter(
            series=questionnaire.code, dossier_unit=unit, dossier_code=dossier_code
        ).exists():
            raise SurveyError(_("This dossier has been rated already."))
        place = unit
    else:
        place = _commune(commune)
    try:
        with transaction.atomic():
            sheet = Sheet.objects.create(
                questionnaire=questionnaire,
                series=questionnaire.code,
                period_id=questionnaire.period_id,
                dossier_code=dossier_code,
                dossier_unit=unit,
                procedure=procedure,
                commune=place,
            )
    except IntegrityError:
        raise SurveyError(_("This dossier has been rated already.")) from None
    access.remember_sheet(request, sheet.pk)
    return sheet


# -- answering ----------------------------------------------------------------------------


def save(request, sheet: Sheet, answers: dict) -> list[tuple[str, str]]:
    """Keep the valid answers of a draft; the problems of the others."""
    if not access.can_edit(request, sheet):
        raise SurveyNotAllowed(_("This sheet cannot be changed."))
    q = sheet.questionnaire.compiled()
    cleaned, problems = qa.clean(q, answers, complete=False)
    with transaction.atomic():
        locked = Sheet.objects.select_for_update().get(pk=sheet.pk)
        if not locked.editable:
            raise SurveyNotAllowed(_("This sheet is submitted and cannot be changed."))
        locked.answers = cleaned
        locked.save(update_fields=["answers", "updated_at"])
    sheet.answers = cleaned
    return problems


def submit(request, sheet: Sheet, answers: dict) -> list[tuple[str, str]]:
    """Check every answer, score the sheet with the engine and submit it; nothing
    changes when a problem is found (the problems are returned)."""
    if not access.can_edit(request, sheet):
        raise SurveyNotAllowed(_("This sheet cannot be changed."))
    q = sheet.questionnaire.compiled()
    cleaned, problems = qa.clean(q, answers, complete=True)
    if problems:
        return problems
    result = qa.score_sheets(q, [str(sheet.pk)], [cleaned])
    with transaction.atomic():
        locked = Sheet.objects.select_for_update().get(pk=sheet.pk)
        if not locked.editable:
            raise SurveyNotAllowed(_("This sheet is submitted and cannot be changed."))
        locked.answers = cleaned
        locked.score = float(result.index[0])
        locked.level = str(result.levels[0])
        locked.pillars = {p: float(v[0]) for p, v in result.pillars.items()}
        locked.state = SheetState.SUBMITTED
        locked.submitted_at = timezone.now()
        if locked.respondent_id:  # the business as it is now
            r = locked.respondent
            locked.commune_id, locked.sector, locked.size = r.commune_id, r.sector, r.size
        locked.save()
        mark_stale(locked.series, locked.period_id)
    sheet.refresh_from_db()
    return []


def mark_stale(series: str, period_id: int) -> None:
    FigureState.objects.update_or_create(
        series=series, period_id=period_id, defaults={"stale": True}
    )
