"""``dxscore serve`` behind a real nginx on loopback, set up as docs/operations.md says
(``DXSCORE_HTTPS=1``, ``DXSCORE_TRUSTED_PROXY`` = the address nginx connects from).

nginx connects to the application from 127.0.0.2 (``proxy_bind``), the trusted proxy;
people reach nginx from other loopback addresses (127.0.0.5, 127.0.0.6, ...), which nginx
passes on in ``X-Forwarded-For``; a request made straight to the application comes from
127.0.0.1, an address that is not trusted. nginx listens on plain HTTP here and says
``X-Forwarded-Proto: https``, as a proxy that ends TLS does.

Checked: HSTS and https links through the proxy; log-in through the proxy with the CSRF
token and an https Origin (no CSRF setting needed); failed log-ins lock out the account
for the person's own address only, wherever they claim to come from; a request that
bypasses the proxy can neither pretend to be https nor blame another address.
"""

from __future__ import annotations

import http.client
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.parse
from http.cookies import SimpleCookie
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

HOST = "dxscore.test"  # the public name people use (ALLOWED_HOSTS)
PROXY = "127.0.0.2"  # the address nginx connects to the application from
PASSWORD = "correct horse battery staple"
FAILURES = 3  # DXSCORE_LOGIN_FAILURES for this site

NGINX_CONF = """\
daemon off;
master_process off;
worker_processes 1;
pid {tmp}/nginx.pid;
error_log {tmp}/nginx-error.log warn;
events {{ worker_connections 64; }}
http {{
  access_log {tmp}/nginx-access.log;
  client_body_temp_path {tmp}/nginx-body;
  proxy_temp_path {tmp}/nginx-proxy;
  fastcgi_temp_path {tmp}/nginx-fastcgi;
  uwsgi_temp_path {tmp}/nginx-uwsgi;
  scgi_temp_path {tmp}/nginx-scgi;
  server {{
    listen 127.0.0.1:{port};
    server_name {host};
    location / {{
      proxy_pass http://127.0.0.1:{app_port};
      proxy_bind {proxy};
      proxy_set_header Host $host;
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
      proxy_set_header X-Forwarded-Proto https;
    }}
  }}
}}
"""


def _nginx() -> str:
    found = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else "")
    if not found:
        if os.environ.get("CI"):
            pytest.fail("nginx is missing: `make proxy` installs it (Debian package)")
        pytest.skip("nginx is not installed (`make proxy` installs it)")
    return found


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait(check, what: str, process: subprocess.Popen, log: Path, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            if check():
                return
        except OSError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            pytest.fail(f"{what} did not start:\n{log.read_text(errors='replace')}")
        time.sleep(0.3)


class Client:
    """One person's browser: a source address, cookies, and the Host and Origin a browser
    on ``https://dxscore.test`` sends."""

    def __init__(self, port: int, source: str | None, origin: str = f"https://{HOST}"):
        self.port, self.source, self.origin = port, source, origin
        self.cookies: dict[str, str] = {}
        self.set_cookies: list[str] = []

    def request(self, method: str, path: str, form: dict | None = None, headers=None):
        source = (self.source, 0) if self.source else None
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30, source_address=source)
        sent = {"Host": HOST, **(headers or {})}
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form)
            sent["Content-Type"] = "application/x-www-form-urlencoded"
            sent["Origin"] = self.origin
            sent["Referer"] = f"{self.origin}{path}"
        conn.request(method, path, body=body, headers=sent)
        response = conn.getresponse()
        text = response.read().decode("utf-8", errors="replace")
        for raw in response.headers.get_all("Set-Cookie") or []:
            self.set_cookies.append(raw)
            for name, morsel in SimpleCookie(raw).items():
                self.cookies[name] = morsel.value
        conn.close()
        return response, text

    def log_in(self, password: str, headers=None):
        """GET the log-in page, POST the form with its CSRF token: (status, response, text)."""
        self.cookies.pop("sessionid", None)
        page, text = self.request("GET", "/accounts/login/", headers=headers)
        assert page.status == 200, text[:2000]
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', text).group(1)
        form = {"csrfmiddlewaretoken": token, "username": "nguyen", "password": password}
        response, text = self.request("POST", "/accounts/login/", form=form, headers=headers)
        return response.status, response, text


@pytest.fixture
def site(tmp_path):
    """``dxscore serve`` on a fresh workspace, behind nginx: (proxy port, app port)."""
    nginx = _nginx()
    app_port, proxy_port = _free_port(), _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DXSCORE_", "DATABASE_URL"))}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    env.update(
        DXSCORE_HOME=str(tmp_path / "home"),
        DXSCORE_HTTPS="1",
        DXSCORE_TRUSTED_PROXY=PROXY,
        DXSCORE_ALLOWED_HOSTS=f"{HOST},127.0.0.1",
        DXSCORE_LOGIN_FAILURES=str(FAILURES),
        DXSCORE_PASSWORD=PASSWORD,
    )
    dx = str(Path(sys.executable).parent / "dxscore")
    subprocess.run(
        [dx, "createuser", "nguyen", "--role", "viewer"],
        env=env,
        cwd=tmp_path,
        check=True,
        capture_output=True,
    )
    app_log = tmp_path / "serve.log"
    with open(app_log, "w") as log:
        app = subprocess.Popen(
            [dx, "serve", "--port", str(app_port), "--threads", "4"],
            env=env,
            cwd=tmp_path,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    conf = tmp_path / "nginx.conf"
    conf.write_text(
        NGINX_CONF.format(tmp=tmp_path, port=proxy_port, app_port=app_port, host=HOST, proxy=PROXY)
    )
    proxy_log = tmp_path / "nginx.out"
    proxy = None
    try:

        def health(port):
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/health", headers={"Host": HOST})
            ok = conn.getresponse().status == 200
            conn.close()
            return ok

        _wait(lambda: health(app_port), "dxscore serve", app, app_log)
        with open(proxy_log, "w") as log:
            proxy = subprocess.Popen(
                [nginx, "-p", str(tmp_path), "-c", str(conf)],
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        _wait(lambda: health(proxy_port), "nginx", proxy, proxy_log)
        yield proxy_port, app_port
    finally:
        for process in (proxy, app):
            if process is not None:
                process.terminate()
                try:
                    process.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    process.kill()


def _fail_until_locked(client: Client, headers=None) -> None:
    """Wrong passwords until the lock-out answers (the FAILURES-th attempt)."""
    for attempt in range(1, FAILURES + 1):
        status, _r, text = client.log_in("wrong password", headers=headers)
        if attempt < FAILURES:
            assert status == 200 and "Wrong user name or password" in text, (attempt, status)
    assert status == 429, (status, text[:500])


def test_https_links_hsts_and_log_in_through_the_proxy(site):
    proxy_port, _app_port = site
    person = Client(proxy_port, "127.0.0.5")
    page, _text = person.request("GET", "/accounts/login/")
    assert page.status == 200
    assert page.headers["Strict-Transport-Security"].startswith("max-age=")
    csrf_cookie = next(c for c in person.set_cookies if c.startswith("csrftoken="))
    assert "secure" in csrf_cookie.lower()

    status, response, text = person.log_in(PASSWORD)
    assert status == 302, (status, text[:1000])  # no CSRF 403, no extra setting
    assert response.headers["Location"] == "/"
    assert "secure" in next(c for c in person.set_cookies if c.startswith("sessionid=")).lower()

    # an absolute link the site builds from the request: the calendar subscription
    page, text = person.request("GET", "/plans/tasks/calendar.ics?subscribe=1")
    assert page.status == 200, text[:1000]
    assert f'value="https://{HOST}/plans/tasks/feed/' in text
    assert f"http://{HOST}" not in text


def test_a_lock_out_holds_for_the_attackers_own_address_only(site):
    proxy_port, _app_port = site
    # an attacker at 127.0.0.6 tries passwords and claims to be the officer's 127.0.0.5
    attacker = Client(proxy_port, "127.0.0.6")
    _fail_until_locked(attacker, headers={"X-Forwarded-For": "127.0.0.5"})
    status, _r, _t = attacker.log_in(PASSWORD)  # even the right password: locked
    assert status == 429

    # the officer at 127.0.0.5 still logs in to the same account
    status, _r, text = Client(proxy_port, "127.0.0.5").log_in(PASSWORD)
    assert status == 302, (status, text[:500])


def test_a_request_that_bypasses_the_proxy_cannot_pretend(site):
    proxy_port, app_port = site
    spoof = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "127.0.0.7"}
    direct = Client(app_port, None, origin=f"http://{HOST}")  # from 127.0.0.1, not trusted

    page, _text = direct.request("GET", "/accounts/login/", headers=spoof)
    assert page.status == 200
    assert "Strict-Transport-Security" not in page.headers  # not taken for https

    # failed log-ins straight to the application count against 127.0.0.1, not 127.0.0.7
    _fail_until_locked(direct, headers=spoof)
    status, _r, text = Client(proxy_port, "127.0.0.7").log_in(PASSWORD)
    assert status == 302, (status, text[:500])
