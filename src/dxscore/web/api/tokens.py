"""Issuing, checking and revoking API tokens.

A token reads ``dxs_<prefix>_<secret>``: the prefix (8 hex digits) finds the stored row
and is shown in the site so people can tell their tokens apart; the secret (32 random
bytes) is never stored. The row keeps the SHA-256 of the whole token, compared in
constant time. A slow password hash is not needed: the secret is random, not chosen by a
person, so it cannot be guessed from its digest.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
import secrets

from django.db import IntegrityError, transaction
from django.utils import timezone

from dxscore.web.api.models import ApiToken

TOKEN_PATTERN = re.compile(r"^dxs_([0-9a-f]{8})_([A-Za-z0-9_-]{43})$")
# how often ``last_used_at`` is written: not on every request, so that a busy
# integration does not turn every read into a database write
LAST_USED_RESOLUTION = dt.timedelta(minutes=1)
_DUMMY_DIGEST = hashlib.sha256(b"no such token").hexdigest()


def digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def issue(user, name: str, expires_at: dt.datetime | None = None) -> tuple[ApiToken, str]:
    """A new token for ``user``: the stored row and the token text (shown once)."""
    for _attempt in range(5):
        prefix = secrets.token_hex(4)
        text = f"dxs_{prefix}_{secrets.token_urlsafe(32)}"
        try:
            with transaction.atomic():
                token = ApiToken.objects.create(
                    user=user,
                    name=name.strip()[:100],
                    prefix=prefix,
                    digest=digest(text),
                    expires_at=expires_at,
                )
            return token, text
        except IntegrityError:  # the same prefix twice: draw again
            continue
    raise RuntimeError("could not draw a unique token prefix")


def verify(text: str) -> ApiToken | None:
    """The active token ``text`` stands for, with its person, or None."""
    match = TOKEN_PATTERN.match(text or "")
    token = None
    if match:
        token = (
            ApiToken.objects.select_related("user", "user__person")
            .filter(prefix=match.group(1))
            .first()
        )
    stored = token.digest if token is not None else _DUMMY_DIGEST
    if not hmac.compare_digest(stored, digest(text or "")) or token is None:
        return None
    if not token.active or not token.user.is_active:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token


def revoke(token: ApiToken) -> None:
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
