"""People follow the lineage: an entry scope ends with its unit; the administrator's
checklist suggests the successors and moves a scope in one audited click."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from dxscore.web.data.models import Period, Value
from dxscore.web.data.workflow import EntryNotAllowed
from dxscore.web.orgs.lineage import import_lineage, lineage_from_upload
from dxscore.web.orgs.models import Person, Unit
from tests.web.support import TODAY, put_values

FILE = """date,kind,from,to,share,from_name,to_name,level,parent
2025-07-01,split,256,C1,0.6,TP. Bắc Ninh,Phường Kinh Bắc,commune,27
2025-07-01,split,256,C2,0.4,TP. Bắc Ninh,Phường Võ Cường,commune,27
"""


@pytest.fixture
def reform(org):
    import_lineage(lineage_from_upload(FILE.encode(), "l.csv"), commit=True)
    return {
        "c1": Unit.objects.get(code="C1"),
        "c2": Unit.objects.get(code="C2"),
        "q2": Period.objects.create(code="2025Q2"),
        "q3": Period.objects.create(code="2025Q3"),
    }


def test_a_scope_that_ended_refuses_entries_for_later_periods_with_the_reason(
    people, methodology, reform, org, as_user
):
    owner = people["owner"]  # enters for district 256, which ended on 30 June 2025
    assert put_values(owner, methodology, reform["q2"], org.d256, online=50) == 1
    with pytest.raises(EntryNotAllowed) as caught:
        put_values(owner, methodology, reform["q3"], org.d256, online=50)
    assert str(caught.value) == (
        "Your scope TP. Bắc Ninh (256) ended on 06/30/2025: you can no longer enter or "
        "approve values for 2025Q3, after its end. An administrator can move your scope "
        "to its successor (Phường Kinh Bắc (C1), Phường Võ Cường (C2))."
    )
    assert Value.objects.filter(period=reform["q3"]).count() == 0
    # a unit below the scope that goes on: its page says why nothing can be entered
    ended = Unit.objects.get(pk=org.d256.pk)
    below = Unit.objects.create(code="2561", name="Below", level=org.district, parent=ended)
    page = as_user("owner").get(reverse("entry", args=[methodology.pk, "2025Q3", below.key]))
    assert "Your scope TP. Bắc Ninh (256) ended" in page.content.decode()
    assert page.context["can_enter"] is False


def test_the_checklist_lists_ended_and_soon_ending_scopes_with_successors(
    as_user, people, reform, org
):
    soon = Unit.objects.get(pk=org.d80.pk)
    soon.valid_to = TODAY + dt.timedelta(days=10)
    soon.save()
    page = as_user("admin").get(reverse("ended_scopes"))
    rows = {r.person.user.username: r for r in page.context["rows"]}
    assert set(rows) == {"owner", "outsider"}  # colleague's 257 goes on
    assert rows["owner"].ended and [u.code for u in rows["owner"].successors] == ["C1", "C2"]
    assert not rows["outsider"].ended and rows["outsider"].successors == []
    assert "ends soon" in page.content.decode()


def test_moving_a_scope_to_a_successor_is_one_audited_click(as_user, people, reform, org):
    client = as_user("admin")
    person = Person.objects.get(user__username="owner")
    response = client.post(reverse("move_scope", args=[person.pk]), {"unit": reform["c1"].pk})
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.entry_scope == reform["c1"] and person.view_scope == reform["c1"]
    last = person.history.first()
    assert last.history_user.username == "admin"
    assert last.history_change_reason.startswith("scope moved from TP. Bắc Ninh (256)")
    # only to a successor of the unit that ended
    other = Person.objects.get(user__username="outsider")
    refused = client.post(reverse("move_scope", args=[other.pk]), {"unit": reform["c1"].pk})
    assert refused.status_code == 404
    assert Person.objects.get(pk=other.pk).entry_scope_id == org.d80.pk


@pytest.mark.parametrize("who", ["owner", "colleague", "outsider"])
def test_only_an_administrator_sees_the_checklist_and_moves_scopes(as_user, reform, who):
    client = as_user(who)
    person = Person.objects.get(user__username="owner")
    assert client.get(reverse("ended_scopes")).status_code == 403
    response = client.post(reverse("move_scope", args=[person.pk]), {"unit": reform["c1"].pk})
    assert response.status_code == 403
    assert Person.objects.get(pk=person.pk).entry_scope.code == "256"


def test_units_pages_show_validity_and_lineage_in_the_viewing_scope(as_user, reform, org):
    colleague = as_user("colleague")  # sees Bắc Ninh
    page = colleague.get(reverse("units"), {"on": "2025-07-01"}).content.decode()
    assert "Phường Kinh Bắc" in page and "TP. Bắc Ninh" not in page
    every = colleague.get(reverse("units"), {"on": "all"}).content.decode()
    assert "TP. Bắc Ninh" in every and "C1 (0.60)" in every
    detail = colleague.get(reverse("unit", args=["C1@2025-07-01"]))
    assert detail.status_code == 200
    text = detail.content.decode()
    assert "TP. Bắc Ninh (256)" in text and "0.6" in text and "from 07/01/2025" in text
    old = colleague.get(reverse("unit", args=["256"])).content.decode()
    assert "Phường Võ Cường" in old and "until 06/30/2025" in old
    assert as_user("outsider").get(reverse("unit", args=["C1@2025-07-01"])).status_code == 404
    assert as_user("owner").get(reverse("unit", args=["256"])).status_code == 200
