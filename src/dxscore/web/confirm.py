"""One-time codes for people without accounts: the one home of the six-digit codes that
contests (joining by phone or e-mail) and surveys (a business's e-mail) send
(``docs/security.md``, "One-time codes").

- A code is drawn by ``secrets``; the row keeps only its keyed digest, HMAC-SHA256 with a
  key derived from ``SECRET_KEY`` (``salted_hmac``) over the row's id and the code, so a
  stored digest neither gives the code nor matches another row's.
- A code is valid ``Policy.minutes``; ``Policy.tries`` wrong codes end it; the right one
  is used once, compared in constant time. Asking again may end the earlier codes.
- Requests are counted per address (the phone or e-mail) and per client address in
  windows of ``Policy.rate`` (``web/ratelimit.py``).
- The message is written in the language of the person who asks (the request's, unless
  another is given) and goes through the site's mail settings (``DXSCORE_EMAIL_...``).
- A row is deleted a day after it expired.

Each app keeps its own table, a subclass of ``OneTimeCodeBase`` with what the code
confirms, and its own words (subject, body, refusals)."""

from __future__ import annotations

import datetime as dt
import hmac
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from django.core.mail import send_mail
from django.db import models, transaction
from django.utils import timezone, translation
from django.utils.crypto import salted_hmac

from dxscore.web import ratelimit

TRIES = 5
KEPT_AFTER_EXPIRY = dt.timedelta(days=1)


@dataclass(frozen=True)
class Policy:
    """How one app's codes behave: ``purpose`` names them in the digest's key and the
    counters, ``rate`` limits requests per address and per client address."""

    purpose: str
    minutes: int
    rate: str
    tries: int = TRIES


class CodeRefused(Exception):
    pass


class CodeSpent(CodeRefused):
    """No code is pending: used, expired, ended by its wrong tries or by a newer one."""


class CodeWrong(CodeRefused):
    """Not the code sent (the try is counted)."""


class OneTimeCodeBase(models.Model):
    """A code sent to confirm an address, stored as its keyed digest."""

    digest = models.CharField(max_length=64, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    expires_at = models.DateTimeField()
    tries = models.PositiveSmallIntegerField(default=0)
    used = models.BooleanField(default=False)

    class Meta:
        abstract = True


Row = TypeVar("Row", bound=OneTimeCodeBase)


def new_code() -> str:
    return f"{secrets.randbelow(10**6):06d}"


def digest(policy: Policy, pk: int, code: str) -> str:
    value = f"{pk}:{code}"
    return salted_hmac(f"dxscore.confirm.{policy.purpose}", value, algorithm="sha256").hexdigest()


def expire_pending(app_label: str, model_name: str) -> Callable[..., None]:
    """A migration's ``RunPython`` that ends the codes pending now: after a change of the
    digest they could not be checked (their holders ask for a new one)."""

    def run(apps, schema_editor) -> None:
        now = timezone.now()
        codes = apps.get_model(app_label, model_name)
        codes.objects.filter(used=False, expires_at__gt=now).update(expires_at=now)

    return run


def allowed(policy: Policy, action: str, address: str, client: str | None) -> bool:
    """Count one ``action`` (``code``, ``confirm``) of this client address and, when
    given, for this phone or e-mail address; False once either is over the rate."""
    ok = ratelimit.hit(f"{policy.purpose}-{action}-ip", client or "-", policy.rate)
    if address:
        ok = ratelimit.hit(f"{policy.purpose}-{action}-to", address.lower(), policy.rate) and ok
    return ok


def issue(
    row: Row,
    policy: Policy,
    to: str,
    message: Callable[[str], tuple[str, str]],
    language: str | None = None,
    supersede: models.QuerySet | None = None,
) -> Row:
    """Store ``row`` (unsaved, with what it confirms) for a new code and mail the code
    to ``to``: ``message(code)`` gives the subject and the body, written in ``language``
    (by default the active one, the asking person's). The pending codes of
    ``supersede`` end."""
    code = new_code()
    now = timezone.now()
    with transaction.atomic():
        type(row).objects.filter(expires_at__lt=now - KEPT_AFTER_EXPIRY).delete()
        if supersede is not None:
            supersede.filter(used=False).update(used=True)
        row.created_at = now
        row.expires_at = now + dt.timedelta(minutes=policy.minutes)
        row.save()
        row.digest = digest(policy, row.pk, code)
        row.save(update_fields=["digest"])
    with translation.override(language or translation.get_language()):
        subject, body = message(code)
    send_mail(subject, body, None, [to])
    return row


def check(codes: models.QuerySet[Row], policy: Policy, code: str) -> Row:
    """The latest code of ``codes``, now used, when ``code`` is it. ``CodeSpent`` when
    that code is used, expired or out of tries (or there is none); ``CodeWrong``, with
    the try counted (committed), when ``code`` is not it."""
    with transaction.atomic():
        row = codes.select_for_update().order_by("-pk").first()
        if row is None or row.used or row.expires_at <= timezone.now() or row.tries >= policy.tries:
            raise CodeSpent
        if hmac.compare_digest(row.digest, digest(policy, row.pk, (code or "").strip())):
            row.used = True
            row.save(update_fields=["used"])
            return row
        row.tries += 1
        row.save(update_fields=["tries"])
    raise CodeWrong
