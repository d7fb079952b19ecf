"""The server core: health, units tree, scopes, log-in, CSRF and the CLI."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

from dxscore import index as ix
from dxscore.web.data.models import Methodology
from dxscore.web.orgs import scope
from dxscore.web.orgs.models import Unit, UnitChange

REPO = Path(__file__).resolve().parents[2]


def test_health_answers_200_with_the_database_status(client, db):
    response = client.get("/health")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["database"] == "ok"
    assert body["engine"] in ("sqlite", "postgresql")


def test_subtree_is_one_prefix_query_and_follows_a_reparenting(org, django_assert_num_queries):
    with django_assert_num_queries(1):
        codes = sorted(org.bac_ninh.subtree().values_list("code", flat=True))
    assert codes == ["256", "257", "27"]
    # district 257 moves to Lào Cai: its path and everything below it follow
    org.d257.parent = org.lao_cai
    org.d257.save()
    assert sorted(org.lao_cai.subtree().values_list("code", flat=True)) == ["15", "257", "80"]
    assert sorted(org.bac_ninh.subtree().values_list("code", flat=True)) == ["256", "27"]
    assert [u.code for u in Unit.objects.get(code="257").ancestors()] == ["VN", "15"]


def test_units_valid_in_a_period_and_predecessors(org):
    import datetime as dt

    org.d256.valid_to = dt.date(2024, 12, 31)
    org.d256.save()
    merged = Unit.objects.create(
        code="256M",
        name="Merged",
        level=org.district,
        parent=org.bac_ninh,
        valid_from=dt.date(2025, 1, 1),
    )
    UnitChange.objects.create(
        date=dt.date(2025, 1, 1), kind="rename", source=org.d256, target=merged
    )
    in_2024 = Unit.objects.valid_between(dt.date(2024, 1, 1), dt.date(2024, 12, 31))
    in_2025 = Unit.objects.valid_between(dt.date(2025, 1, 1), dt.date(2025, 12, 31))
    assert "256" in set(in_2024.values_list("code", flat=True))
    assert "256M" not in set(in_2024.values_list("code", flat=True))
    assert "256" not in set(in_2025.values_list("code", flat=True))
    assert list(org.d256.successor_units().values_list("code", flat=True)) == ["256M"]
    assert list(merged.predecessor_units().values_list("code", flat=True)) == ["256"]


def test_scope_helper_gives_owner_colleague_and_outsider_different_views(org, people):
    units = Unit.objects.all()
    seen = {
        name: sorted(
            scope.restrict(units, people[name], scope.VIEW, via="").values_list("code", flat=True)
        )
        for name in ("owner", "colleague", "outsider", "admin")
    }
    assert seen["owner"] == ["256"]
    assert seen["colleague"] == ["256", "257", "27"]
    assert seen["outsider"] == ["15", "80"]
    assert len(seen["admin"]) == 6
    # entering: each data officer only for their own district, approvers never
    assert scope.allows(people["owner"], scope.ENTER, org.d256)
    assert not scope.allows(people["colleague"], scope.ENTER, org.d256)
    assert not scope.allows(people["outsider"], scope.ENTER, org.d256)
    assert not scope.allows(people["approver"], scope.ENTER, org.d256)
    assert scope.allows(people["approver"], scope.APPROVE, org.d256)
    assert not scope.allows(people["owner"], scope.APPROVE, org.d256)


def test_units_page_lists_only_units_in_scope(as_user, org):
    page = as_user("owner").get(reverse("units")).content.decode()
    assert "TP. Bắc Ninh" in page and "Từ Sơn" not in page and "Lào Cai" not in page


def test_pages_need_a_login(client, db):
    # the front page is public (issue 18: citizens met a log-in wall); staff pages are not
    for name in ("units", "methodologies", "plans:tasks"):
        response = client.get(reverse(name))
        assert response.status_code == 302, name
        assert response["Location"].startswith(reverse("login"))


def test_login_locks_out_after_five_failures(client, people):
    url = reverse("login")
    for _ in range(5):
        response = client.post(url, {"username": "owner", "password": "wrong"})
        assert response.status_code in (200, 429)
    # even the right password no longer opens the account
    response = client.post(url, {"username": "owner", "password": "correct horse battery"})
    assert response.status_code == 429
    assert b"Account locked" in response.content
    assert "_auth_user_id" not in client.session


def test_login_with_the_right_password_works_and_passwords_are_hashed(client, people):
    assert people["owner"].password.startswith("md5$")  # a hash, never the text
    response = client.post(
        reverse("login"), {"username": "owner", "password": "correct horse battery"}
    )
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(people["owner"].pk)


def test_forms_refuse_a_post_without_csrf_token(people):
    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("login"), {"username": "owner", "password": "x"})
    assert response.status_code == 403


def test_session_and_cookie_settings_are_secure(settings):
    assert settings.SESSION_COOKIE_HTTPONLY and settings.CSRF_COOKIE_HTTPONLY
    assert settings.SESSION_COOKIE_SAMESITE == "Lax"
    assert settings.X_FRAME_OPTIONS == "DENY"


def test_uploaded_files_have_no_public_address(as_user, settings):
    stored = settings.MEDIA_ROOT / "evidence" / "secret.pdf"
    stored.parent.mkdir(parents=True)
    stored.write_bytes(b"%PDF secret")
    client = as_user("admin")
    for url in ("/uploads/evidence/secret.pdf", "/static/evidence/secret.pdf"):
        assert client.get(url).status_code == 404


def test_builtin_methodologies_are_stored_and_active_after_migrate(db):
    stored = {m.code: m for m in Methodology.objects.filter(builtin=True)}
    assert sorted(stored) == ix.builtin_ids()
    assert all(m.active for m in stored.values())
    assert stored["vn-dti-2022"].digest == ix.load("vn-dti-2022").digest


def test_index_commands_do_not_import_django():
    code = "import sys, dxscore.cli; assert 'django' not in sys.modules, 'django imported'"
    subprocess.run([sys.executable, "-c", code], check=True, cwd=REPO)


@pytest.mark.slow
def test_createuser_backup_and_restore_round_trip(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL",)}
    env.update(DXSCORE_HOME=str(tmp_path / "home"), DXSCORE_PASSWORD="a-long-pass-phrase-42")
    env.pop("DJANGO_SETTINGS_MODULE", None)
    dx = [str(Path(sys.executable).parent / "dxscore")]

    def run(*args):
        return subprocess.run([*dx, *args], env=env, capture_output=True, text=True, cwd=tmp_path)

    assert run("createuser", "chief").returncode == 0
    evidence = tmp_path / "home" / "uploads" / "evidence" / "a.txt"
    evidence.parent.mkdir(parents=True)
    evidence.write_text("proof")
    done = run("backup", str(tmp_path / "b.tar.gz"))
    assert done.returncode == 0, done.stderr
    assert run("createuser", "later").returncode == 0
    evidence.unlink()
    done = run("restore", str(tmp_path / "b.tar.gz"), "--yes")
    assert done.returncode == 0, done.stderr
    assert evidence.read_text() == "proof"
    check = (
        "from dxscore.cli.web import setup_django; setup_django();"
        "from django.contrib.auth.models import User;"
        "print(sorted(User.objects.values_list('username', flat=True)))"
    )
    listed = subprocess.run(
        [sys.executable, "-c", check], env=env, capture_output=True, text=True, cwd=tmp_path
    )
    assert listed.stdout.strip() == "['chief']", listed.stderr
    assert run("createuser", "chief").returncode == 1  # already exists: refused


def test_pages_speak_vietnamese_when_the_browser_asks(client, people, methodology, periods):
    client.force_login(people["owner"])
    page = client.get(
        reverse("entry", args=[methodology.pk, "2024", "256"]), HTTP_ACCEPT_LANGUAGE="vi"
    ).content.decode()
    assert '<html lang="vi" dir="ltr">' in page
    assert "Tải mẫu Excel" in page and "Lưu nháp" in page and "Kỳ trước" in page
    english = client.get(
        reverse("entry", args=[methodology.pk, "2024", "256"]), HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()
    assert "Download Excel template" in english


@pytest.mark.slow
@pytest.mark.skipif(
    not os.environ.get("DATABASE_URL", "").startswith("postgres"),
    reason="needs a PostgreSQL server (the CI's second pass sets DATABASE_URL)",
)
def test_backup_and_restore_round_trip_on_postgresql(tmp_path):
    import dj_database_url
    import psycopg

    url = os.environ["DATABASE_URL"]
    cfg = dj_database_url.parse(url)
    name = f"dxscore_backup_{os.getpid()}"
    admin = psycopg.connect(
        host=cfg["HOST"], port=cfg["PORT"], user=cfg["USER"], dbname="postgres", autocommit=True
    )
    admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
    admin.execute(f'CREATE DATABASE "{name}"')
    try:
        env = dict(os.environ)
        env.update(
            DATABASE_URL=url.rsplit("/", 1)[0] + "/" + name,
            DXSCORE_HOME=str(tmp_path / "home"),
            DXSCORE_PASSWORD="a-long-pass-phrase-42",
        )
        env.pop("DJANGO_SETTINGS_MODULE", None)
        dx = [str(Path(sys.executable).parent / "dxscore")]

        def run(*args):
            return subprocess.run(
                [*dx, *args], env=env, capture_output=True, text=True, cwd=tmp_path
            )

        assert run("createuser", "chief").returncode == 0
        done = run("backup", str(tmp_path / "b.tar.gz"))
        assert done.returncode == 0, done.stderr
        assert run("createuser", "later").returncode == 0
        done = run("restore", str(tmp_path / "b.tar.gz"), "--yes")
        assert done.returncode == 0, done.stderr
        with psycopg.connect(url.rsplit("/", 1)[0] + "/" + name) as conn:
            users = [r[0] for r in conn.execute("SELECT username FROM auth_user ORDER BY 1")]
        assert users == ["chief"]
    finally:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()
