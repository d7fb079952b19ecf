"""The data the browser test starts from (kept apart so that module stays readable)."""

from __future__ import annotations

import datetime as dt


def build():
    from dxscore.web.data.methodologies import store
    from dxscore.web.data.models import Period
    from dxscore.web.orgs.models import Level, Role, Unit
    from tests.web.conftest import DISTRICT_YAML, Org, make_person

    country = Level.objects.create(name="country", depth=0)
    province = Level.objects.create(name="province", depth=1)
    district = Level.objects.create(name="district", depth=2)
    vn = Unit.objects.create(code="VN", name="Việt Nam", level=country)
    bn = Unit.objects.create(code="27", name="Bắc Ninh", level=province, parent=vn)
    lc = Unit.objects.create(code="15", name="Lào Cai", level=province, parent=vn)
    org = Org(
        country=vn,
        bac_ninh=bn,
        d256=Unit.objects.create(code="256", name="TP. Bắc Ninh", level=district, parent=bn),
        d257=Unit.objects.create(code="257", name="Từ Sơn", level=district, parent=bn),
        lao_cai=lc,
        d80=Unit.objects.create(code="80", name="TP. Lào Cai", level=district, parent=lc),
        district=district,
    )
    people = {
        "owner": make_person("owner", Role.DATA_OFFICER, org.d256, org.d256),
        "colleague": make_person("colleague", Role.DATA_OFFICER, org.d257, bn),
        "approver": make_person("approver", Role.APPROVER, bn, bn),
        "steering": make_person("steering", Role.STEERING, bn, bn),
    }
    methodology = store(DISTRICT_YAML, purpose="district ranking")
    methodology.reporting_level = district
    methodology.active = True
    methodology.save()
    period = Period.objects.create(code="2024", deadline=dt.date(2025, 3, 31))
    return org, people, methodology, period
