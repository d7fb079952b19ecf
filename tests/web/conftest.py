"""A small province set-up shared by the web tests.

Country VN > provinces Bắc Ninh (27: districts 256, 257) and Lào Cai (15: district 80).
Personas: ``owner`` enters for district 256; ``colleague`` enters for district 257 and
sees all of Bắc Ninh; ``outsider`` enters for district 80 and sees Lào Cai; ``approver``
approves Bắc Ninh; ``steering`` runs Bắc Ninh's programme.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
from pathlib import Path

import pytest
from django.core.cache import cache

from dxscore.web.data.models import Indicator, Period
from dxscore.web.orgs.models import Role
from dxscore.web.plans.models import Resolution, Target, Task
from tests.web.support import (
    ARGS,
    CHROMIUM,
    DISTRICT_YAML,
    TODAY,
    Api,
    Org,
    WatchedBrowser,
    make_org,
    make_person,
)


@pytest.fixture(autouse=True)
def _web_settings(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "uploads"
    settings.HOME = tmp_path / "home"  # stored report files, demo markers
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def org(db) -> Org:
    return make_org()


@pytest.fixture
def people(org):
    return {
        "owner": make_person("owner", Role.DATA_OFFICER, org.d256, org.d256),
        "colleague": make_person("colleague", Role.DATA_OFFICER, org.d257, org.bac_ninh),
        "outsider": make_person("outsider", Role.DATA_OFFICER, org.d80, org.lao_cai),
        "approver": make_person("approver", Role.APPROVER, org.bac_ninh, org.bac_ninh),
        "steering": make_person("steering", Role.STEERING, org.bac_ninh, org.bac_ninh),
        "admin": make_person("admin", Role.ADMINISTRATOR, superuser=True),
    }


@pytest.fixture
def as_user(client, people):
    """``as_user("owner")`` logs the test client in as that persona."""

    def login(name):
        client.force_login(people[name])
        return client

    return login


@pytest.fixture
def methodology(org):
    from dxscore.web.data.methodologies import store

    stored = store(DISTRICT_YAML, purpose="district ranking")
    stored.reporting_level = org.district
    stored.save()
    return stored


@pytest.fixture
def periods(db):
    import datetime as dt

    return {
        "2023": Period.objects.create(code="2023"),
        "2024": Period.objects.create(code="2024", deadline=dt.date(2025, 3, 31)),
    }


@pytest.fixture(name="api")
def api_fixture(client, people, settings, tmp_path):
    settings.DXSCORE_DOSSIER_STORE = tmp_path / "dossiers"
    settings.DXSCORE_API_RATE = "100000/min"
    cache.clear()  # rate counters of earlier tests
    return Api(client, people)


@pytest.fixture(name="plan")
def plan_fixture(org, people):
    """Bắc Ninh's resolution: target 1 on online dossiers of district 256, target 2
    qualitative for district 256; task 1 owned by district 256, task 2 by 257."""
    online = Indicator.objects.create(code="online", name="Online dossiers", measure="%")
    resolution = Resolution.objects.create(
        unit=org.bac_ninh,
        code="52-NQ/TU",
        title="Digital transformation to 2025",
        issuer="Provincial Party Committee",
        issued_on=dt.date(2022, 3, 18),
        horizon=str(TODAY.year + 1),
    )
    pillar = resolution.pillars.create(code="gov", name="Digital government")
    t1 = Target.objects.create(
        resolution=resolution,
        number=1,
        pillar=pillar,
        title="Dossiers filed online",
        unit=org.d256,
        indicator=online,
        comparison=">=",
        value=70,
        deadline=str(TODAY.year + 1),
    )
    t2 = Target.objects.create(
        resolution=resolution,
        number=2,
        pillar=pillar,
        title="Data centre in operation",
        unit=org.d256,
        deadline=str(TODAY.year + 1),
    )
    task1 = Task.objects.create(
        resolution=resolution,
        number=1,
        title="Connect the one-stop shop",
        owner=org.d256,
        deadline=TODAY + dt.timedelta(days=30),
        expected_result="Every procedure online",
    )
    task1.targets.add(t1)
    task2 = Task.objects.create(
        resolution=resolution,
        number=2,
        title="Train commune officials",
        owner=org.d257,
        deadline=TODAY - dt.timedelta(days=3),
        expected_result="All officials trained",
    )
    return {"resolution": resolution, "t1": t1, "t2": t2, "task1": task1, "task2": task2}


@pytest.fixture
def browser():
    if not Path(CHROMIUM).exists() or shutil.which("chromium") is None:
        if os.environ.get("CI"):
            pytest.fail("chromium is missing: `make browser` installs it (Debian package)")
        pytest.skip("chromium is not installed (`make browser` installs it)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        instance = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        watched = WatchedBrowser(instance)
        yield watched
        instance.close()
        assert not watched.errors, "console errors or CSP violations:\n" + "\n".join(watched.errors)


@pytest.fixture
def shots(tmp_path):
    folder = Path(os.environ.get("DXSCORE_SCREENSHOTS", tmp_path / "shots"))
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Rendered fragments are cached per run; tests reuse database ids."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def pdftotext():
    path = shutil.which("pdftotext")
    if path is None:
        if os.environ.get("CI"):
            pytest.fail("pdftotext is missing: `make reports` installs poppler-utils")
        pytest.skip("pdftotext is not installed (`make reports` installs it)")
    return path
