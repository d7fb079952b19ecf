"""The reverse-proxy settings without a proxy: what ``dxscore serve`` hands waitress, the
refusal of a value that is not an address, and the address django-axes counts failed
log-ins against (the real nginx is in test_reverse_proxy.py)."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from dxscore.cli import app
from dxscore.cli.web import proxy_options


def test_no_trusted_proxy_honours_no_forwarded_header():
    assert proxy_options({}) == {"clear_untrusted_proxy_headers": True}


def test_the_trusted_proxy_is_the_only_source_of_address_and_scheme():
    options = proxy_options({"DXSCORE_TRUSTED_PROXY": "127.0.0.1"})
    assert options == {
        "trusted_proxy": "127.0.0.1",
        "trusted_proxy_count": 1,
        "trusted_proxy_headers": {"x-forwarded-for", "x-forwarded-proto"},
        "clear_untrusted_proxy_headers": True,
    }
    chain = proxy_options({"DXSCORE_TRUSTED_PROXY": "[::1]", "DXSCORE_TRUSTED_PROXY_COUNT": "2"})
    assert chain["trusted_proxy"] == "::1" and chain["trusted_proxy_count"] == 2


@pytest.mark.parametrize(
    ("environ", "reason"),
    [
        ({"DXSCORE_TRUSTED_PROXY": "*"}, "must be the IP address the proxy connects from"),
        ({"DXSCORE_TRUSTED_PROXY": "proxy.local"}, "not 'proxy.local'"),
        ({"DXSCORE_TRUSTED_PROXY": "127.0.0.1", "DXSCORE_TRUSTED_PROXY_COUNT": "0"}, ">= 1"),
        ({"DXSCORE_TRUSTED_PROXY_COUNT": "1"}, "no meaning without DXSCORE_TRUSTED_PROXY"),
    ],
)
def test_a_value_that_is_not_an_address_is_refused(environ, reason):
    with pytest.raises(ValueError, match=reason.replace("*", r"\*")):
        proxy_options(environ)


def test_serve_refuses_to_start_with_a_wrong_proxy_value(monkeypatch, tmp_path):
    monkeypatch.setenv("DXSCORE_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("DXSCORE_TRUSTED_PROXY", "*")
    result = CliRunner().invoke(app, ["serve", "--port", "1"])
    assert result.exit_code == 1
    assert "DXSCORE_TRUSTED_PROXY must be the IP address" in result.output
    assert not (tmp_path / "home").exists()  # nothing was set up


@pytest.fixture
def served(monkeypatch, tmp_path):
    """``dxscore serve`` without serving: the options it hands waitress."""
    import waitress

    import dxscore.cli.web as web

    calls = []
    monkeypatch.setenv("DXSCORE_HOME", str(tmp_path / "home"))
    monkeypatch.setattr(web, "setup_django", lambda create_home=False: None)
    monkeypatch.setattr(web, "migrate", lambda: None)
    monkeypatch.setattr(waitress, "serve", lambda app, **options: calls.append(options))
    return calls


def test_serve_hands_waitress_the_trusted_proxy(served, monkeypatch, settings):
    settings.HTTPS = True
    monkeypatch.setenv("DXSCORE_TRUSTED_PROXY", "127.0.0.1")
    result = CliRunner().invoke(app, ["serve", "--port", "8123"])
    assert result.exit_code == 0, result.output
    assert "trusting X-Forwarded-For and X-Forwarded-Proto from 127.0.0.1" in result.output
    assert served[0]["trusted_proxy"] == "127.0.0.1" and served[0]["port"] == 8123
    assert served[0]["clear_untrusted_proxy_headers"] is True


def test_serve_warns_when_https_has_no_trusted_proxy(served, monkeypatch, settings):
    settings.HTTPS = True
    monkeypatch.delenv("DXSCORE_TRUSTED_PROXY", raising=False)
    result = CliRunner().invoke(app, ["serve"])
    assert result.exit_code == 0, result.output
    assert "warning: DXSCORE_HTTPS=1 but DXSCORE_TRUSTED_PROXY is not set" in result.output
    assert "trusted_proxy" not in served[0]


def _fail(client, remote: str, forwarded: str, password: str = "wrong password"):
    return client.post(
        "/accounts/login/",
        {"username": "owner", "password": password},
        REMOTE_ADDR=remote,
        HTTP_X_FORWARDED_FOR=forwarded,
    )


@pytest.mark.django_db
def test_lock_outs_count_the_connections_address_never_a_header(client, people, settings):
    settings.AXES_FAILURE_LIMIT = 3
    # three failures from one address, each claiming another: that address is locked out
    for n in range(3):
        response = _fail(client, "10.0.0.5", f"10.9.9.{n}")
    assert response.status_code == 429
    assert _fail(client, "10.0.0.5", "10.0.0.6", "correct horse battery").status_code == 429
    # the account is not locked from another address, the one the attacker claimed either
    ok = _fail(client, "10.0.0.6", "10.0.0.5", "correct horse battery")
    assert ok.status_code == 302


@pytest.mark.django_db
def test_a_cached_dashboard_keeps_the_scheme_of_each_request(client, people):
    """The permanent link of a public page is absolute: a page first rendered for a plain
    http request (straight to the application) must not serve its http link to the
    people who come through the https proxy."""
    from django.core.cache import cache

    from tests.web.support import publish_demo

    cache.clear()
    publish_demo(people["admin"], years=("2022",), provinces=["01", "20", "48"])
    path = "/public/vn-dti-2022/2022/"
    plain = client.get(path).content.decode()
    assert 'href="http://testserver/public/vn-dti-2022/2022/?run=1"' in plain
    secure = client.get(path, secure=True).content.decode()
    assert 'href="https://testserver/public/vn-dti-2022/2022/?run=1"' in secure
    assert "http://testserver" not in secure
    cache.clear()
