"""A small province set-up shared by the web tests.

Country VN > provinces Bắc Ninh (27: districts 256, 257) and Lào Cai (15: district 80).
Personas: ``owner`` enters for district 256; ``colleague`` enters for district 257 and
sees all of Bắc Ninh; ``outsider`` enters for district 80 and sees Lào Cai; ``approver``
approves Bắc Ninh; ``steering`` runs Bắc Ninh's programme.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from dxscore.web.orgs.models import Level, Person, Role, Unit


@pytest.fixture(autouse=True)
def _web_settings(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "uploads"
    settings.HOME = tmp_path / "home"  # stored report files, demo markers
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.LANGUAGE_CODE = "en"


@dataclass
class Org:
    country: Unit
    bac_ninh: Unit
    d256: Unit
    d257: Unit
    lao_cai: Unit
    d80: Unit
    district: Level


@pytest.fixture
def org(db) -> Org:
    country = Level.objects.create(name="country", depth=0)
    province = Level.objects.create(name="province", depth=1)
    district = Level.objects.create(name="district", depth=2)
    vn = Unit.objects.create(code="VN", name="Việt Nam", level=country)
    bn = Unit.objects.create(code="27", name="Bắc Ninh", level=province, parent=vn)
    lc = Unit.objects.create(code="15", name="Lào Cai", level=province, parent=vn)
    return Org(
        country=vn,
        bac_ninh=bn,
        d256=Unit.objects.create(code="256", name="TP. Bắc Ninh", level=district, parent=bn),
        d257=Unit.objects.create(code="257", name="Từ Sơn", level=district, parent=bn),
        lao_cai=lc,
        d80=Unit.objects.create(code="80", name="TP. Lào Cai", level=district, parent=lc),
        district=district,
    )


def make_person(username, role, entry=None, view=None, superuser=False):
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.create_user(
        username, password="correct horse battery", is_superuser=superuser, is_staff=superuser
    )
    Person.objects.create(user=user, role=role, entry_scope=entry, view_scope=view)
    return user


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


DISTRICT_YAML = """\
id: test-districts
version: "1"
title: District digital transformation
scale: [0, 100]
defaults:
  indicator:
    normalisation: identity
    range: [0, 100]
    unit: "%"
tree:
  code: index
  name: District index
  children:
    - code: online
      name: Online dossiers
      weight: 2
      help: Share of dossiers filed online.
    - code: ontime
      name: On-time processing
      weight: 1
"""


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

    from dxscore.web.data.models import Period

    return {
        "2023": Period.objects.create(code="2023"),
        "2024": Period.objects.create(code="2024", deadline=dt.date(2025, 3, 31)),
    }


def put_values(user, methodology, period, unit, **values):
    """Enter values through the workflow (as drafts)."""
    from dxscore.web.data.workflow import Entry, save_entries

    return save_entries(
        user, methodology, period, unit, [Entry(code, v) for code, v in values.items()]
    )


def approved(people, methodology, period, unit, **values):
    """Enter, submit and approve values: data officer ``owner`` or ``colleague`` by unit."""
    from dxscore.web.data import workflow
    from dxscore.web.orgs import scope

    officer = next(
        people[n]
        for n in ("owner", "colleague", "outsider")
        if scope.allows(people[n], scope.ENTER, unit)
    )
    put_values(officer, methodology, period, unit, **values)
    workflow.submit(officer, methodology, period, unit)
    workflow.approve(people["approver"], methodology, period, unit)
