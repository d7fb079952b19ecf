"""The one-time codes of people without accounts (``web/confirm.py``), shared by contests
and surveys, and the request counters under them (``web/ratelimit.py``): issuing (keyed
digest bound to the row, the mail in the asker's language), checking (constant-time,
tries, expiry, used once, superseded), limits per address and per client address."""

from __future__ import annotations

import datetime as dt
import hashlib
import re

import pytest
from django.core import mail
from django.utils import timezone, translation

from dxscore.web import confirm, ratelimit
from dxscore.web.assessments.models import Confirmation

POLICY = confirm.Policy("test", minutes=10, rate="3/hour")


def _message(code: str) -> tuple[str, str]:
    from django.utils.translation import gettext as _

    return _("Your dxscore code: %(code)s") % {"code": code}, f"code {code}"


def _issue(email: str = "a@dn.vn", **kw) -> tuple[Confirmation, str]:
    mail.outbox.clear()
    row = confirm.issue(Confirmation(email=email, payload={"x": 1}), POLICY, email, _message, **kw)
    return row, re.search(r"\b(\d{6})\b", mail.outbox[-1].body).group(1)


@pytest.fixture(autouse=True)
def _db(db):
    from django.core.cache import cache

    cache.clear()


def test_a_code_is_mailed_and_stored_only_as_a_keyed_digest_bound_to_its_row(settings):
    row, code = _issue()
    assert mail.outbox[-1].to == ["a@dn.vn"]
    stored = Confirmation.objects.get(pk=row.pk)
    assert len(stored.digest) == 64 and code not in stored.digest
    assert stored.digest != hashlib.sha256(code.encode()).hexdigest()
    assert stored.expires_at - stored.created_at == dt.timedelta(minutes=10)
    assert stored.digest == confirm.digest(POLICY, row.pk, code)
    assert confirm.digest(POLICY, row.pk + 1, code) != stored.digest  # bound to the row
    other = confirm.Policy("other", minutes=10, rate="3/hour")
    assert confirm.digest(other, row.pk, code) != stored.digest  # and to the purpose
    settings.SECRET_KEY = "another secret of at least fifty characters for this test only!"
    assert confirm.digest(POLICY, row.pk, code) != stored.digest  # keyed by the secret


def test_the_mail_is_written_in_the_language_of_the_person_asking():
    _issue(language="vi")
    assert mail.outbox[-1].subject.startswith("Mã xác nhận dxscore của bạn")
    with translation.override("ar"):
        _issue()
    assert not mail.outbox[-1].subject.startswith("Your dxscore code")
    _issue(language="en")
    assert mail.outbox[-1].subject.startswith("Your dxscore code")


def test_the_right_code_is_used_once():
    row, code = _issue()
    codes = Confirmation.objects.filter(pk=row.pk)
    with pytest.raises(confirm.CodeWrong):
        confirm.check(codes, POLICY, "")
    found = confirm.check(codes, POLICY, f" {code} ")
    assert found.pk == row.pk and found.used and found.payload == {"x": 1}
    with pytest.raises(confirm.CodeSpent):
        confirm.check(codes, POLICY, code)


def test_wrong_codes_count_and_the_last_try_ends_the_code():
    row, code = _issue()
    codes = Confirmation.objects.filter(pk=row.pk)
    wrong = "000000" if code != "000000" else "111111"
    for n in range(1, confirm.TRIES + 1):
        with pytest.raises(confirm.CodeWrong):
            confirm.check(codes, POLICY, wrong)
        assert Confirmation.objects.get(pk=row.pk).tries == n  # committed with the refusal
    with pytest.raises(confirm.CodeSpent):
        confirm.check(codes, POLICY, code)


def test_an_expired_code_is_refused_and_deleted_a_day_later():
    row, code = _issue()
    codes = Confirmation.objects.filter(pk=row.pk)
    codes.update(expires_at=timezone.now())
    with pytest.raises(confirm.CodeSpent):
        confirm.check(codes, POLICY, code)
    codes.update(expires_at=timezone.now() - dt.timedelta(hours=23))
    _issue()
    assert codes.exists()
    codes.update(expires_at=timezone.now() - dt.timedelta(days=1, minutes=1))
    _issue()
    assert not codes.exists()


def test_no_code_at_all_is_spent():
    with pytest.raises(confirm.CodeSpent):
        confirm.check(Confirmation.objects.none(), POLICY, "123456")


def test_a_new_code_ends_the_ones_it_supersedes():
    mine = Confirmation.objects.filter(email="a@dn.vn")
    first, old = _issue(supersede=mine)
    second, new = _issue(supersede=mine)
    assert Confirmation.objects.get(pk=first.pk).used
    with pytest.raises(confirm.CodeRefused):  # the latest row decides
        confirm.check(mine, POLICY, old if old != new else "x")
    assert confirm.check(mine, POLICY, new).pk == second.pk


def test_requests_are_limited_per_address_and_per_client_address():
    for _n in range(3):
        assert confirm.allowed(POLICY, "code", "a@dn.vn", "10.0.0.1")
    assert not confirm.allowed(POLICY, "code", "a@dn.vn", "10.0.0.2")  # the address
    assert not confirm.allowed(POLICY, "code", "B@dn.vn", "10.0.0.1")  # the client
    assert confirm.allowed(POLICY, "code", "c@dn.vn", "10.0.0.3")
    assert confirm.allowed(POLICY, "confirm", "a@dn.vn", "10.0.0.1")  # each action its own
    assert not confirm.allowed(POLICY, "code", "A@DN.VN", "10.0.0.4")  # case folded


def test_rates_and_their_windows():
    assert ratelimit.parse_rate("1200/min") == (1200, 60)
    assert ratelimit.parse_rate("5/hour") == (5, 3600)
    assert ratelimit.parse_rate("20/day") == (20, 86400)
    assert ratelimit.parse_rate("3") == (3, 1)
    assert ratelimit.retry_after("5/min", 120.5) == pytest.approx(59.5)
    now = 7200.0
    assert ratelimit.hit("t", "k", "2/hour", now) and ratelimit.hit("t", "k", "2/hour", now)
    assert not ratelimit.hit("t", "k", "2/hour", now)
    assert ratelimit.hit("t", "k", "2/hour", now + 3600)  # the next window


def test_the_cache_never_holds_an_address_in_clear(monkeypatch):
    names = []
    monkeypatch.setattr(ratelimit.cache, "add", lambda name, *a, **k: names.append(name))
    monkeypatch.setattr(ratelimit.cache, "incr", lambda name: 1)
    confirm.allowed(POLICY, "code", "chu@dn.vn", "192.0.2.7")
    assert len(names) == 2 and not any("chu@dn.vn" in n or "192.0.2.7" in n for n in names)


def test_a_migration_expires_the_codes_pending_at_the_upgrade():
    from django.apps import apps

    pending, code = _issue()
    done, _code = _issue("b@dn.vn")
    Confirmation.objects.filter(pk=done.pk).update(used=True)
    confirm.expire_pending("assessments", "Confirmation")(apps, None)
    with pytest.raises(confirm.CodeSpent):
        confirm.check(Confirmation.objects.filter(pk=pending.pk), POLICY, code)
    assert Confirmation.objects.get(pk=pending.pk).expires_at <= timezone.now()
    assert Confirmation.objects.get(pk=done.pk).expires_at > timezone.now()  # left alone
