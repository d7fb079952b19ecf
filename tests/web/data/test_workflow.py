"""The workflow: draft, submitted, approved (locked) or returned with a reason; reopening
recorded; every change kept in the value's history; completeness per unit."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from dxscore.web.data import workflow
from dxscore.web.data.collect import completeness
from dxscore.web.data.models import Value
from tests.web.support import approved, put_values


def _act(client, methodology, period, unit, action, reason=""):
    url = reverse("entry_action", args=[methodology.pk, period.code, unit.code])
    return client.post(url, {"action": action, "reason": reason}, follow=True)


def _statuses(unit):
    return dict(Value.objects.filter(unit=unit).values_list("indicator__code", "status"))


def test_submit_needs_every_required_value(people, methodology, periods, org):
    put_values(people["owner"], methodology, periods["2024"], org.d256, online=60)
    with pytest.raises(workflow.WorkflowError, match="Values missing for: ontime"):
        workflow.submit(people["owner"], methodology, periods["2024"], org.d256)
    assert _statuses(org.d256) == {"online": "draft"}


def test_submitted_then_approved_values_are_locked(as_user, people, methodology, periods, org):
    p = periods["2024"]
    put_values(people["owner"], methodology, p, org.d256, online=60, ontime=90)
    owner = as_user("owner")
    _act(owner, methodology, p, org.d256, "submit")
    assert _statuses(org.d256) == {"online": "submitted", "ontime": "submitted"}
    with pytest.raises(workflow.WorkflowError, match="submitted and cannot be changed"):
        put_values(people["owner"], methodology, p, org.d256, online=61)
    # the data officer cannot approve; the approver of the province can
    assert _act(owner, methodology, p, org.d256, "approve").status_code == 403
    page = _act(as_user("approver"), methodology, p, org.d256, "approve").content.decode()
    assert "2 values approved." in page
    value = Value.objects.get(indicator__code="online")
    assert value.status == "approved" and value.approved_by == people["approver"]
    with pytest.raises(workflow.WorkflowError, match="approved and cannot be changed"):
        put_values(people["owner"], methodology, p, org.d256, online=61)
    assert Value.objects.get(indicator__code="online").value == 60


def test_returned_values_carry_the_reason_and_become_editable(
    as_user, people, methodology, periods, org
):
    p = periods["2024"]
    put_values(people["owner"], methodology, p, org.d256, online=60, ontime=90)
    workflow.submit(people["owner"], methodology, p, org.d256)
    approver = as_user("approver")
    page = _act(approver, methodology, p, org.d256, "return", "").content.decode()
    assert "Say why the values are returned." in page
    _act(approver, methodology, p, org.d256, "return", "online share looks too high")
    value = Value.objects.get(indicator__code="online")
    assert value.status == "returned" and value.return_reason == "online share looks too high"
    page = as_user("owner").get(reverse("entry", args=[methodology.pk, p.code, "256"]))
    html = page.content.decode()
    # said once for the form (not once per value), with who returned it
    assert html.count("online share looks too high") == 1
    assert "Returned by approver on" in html and "(2 values):" in html
    put_values(people["owner"], methodology, p, org.d256, online=48)
    assert _statuses(org.d256) == {"online": "draft", "ontime": "returned"}
    workflow.submit(people["owner"], methodology, p, org.d256)
    assert _statuses(org.d256) == {"online": "submitted", "ontime": "submitted"}


def test_nobody_approves_their_own_submission(people, methodology, periods, org):
    p = periods["2024"]
    put_values(people["steering"], methodology, p, org.d256, online=60, ontime=90)
    workflow.submit(people["steering"], methodology, p, org.d256)
    with pytest.raises(workflow.EntryNotAllowed, match="someone else must approve"):
        workflow.approve(people["steering"], methodology, p, org.d256)
    workflow.approve(people["approver"], methodology, p, org.d256)
    assert set(_statuses(org.d256).values()) == {"approved"}


def test_nobody_approves_values_they_entered_or_changed_since_the_last_approval(
    people, methodology, periods, org
):
    """Four eyes: steering entered the value, the district submitted it; steering may not
    approve it (it could before: only the submitter was checked). An approver who only
    returned or reopened the values may approve them once others corrected them."""
    p = periods["2024"]
    put_values(people["steering"], methodology, p, org.d256, online=60)
    put_values(people["owner"], methodology, p, org.d256, ontime=90)
    workflow.submit(people["owner"], methodology, p, org.d256)
    with pytest.raises(workflow.EntryNotAllowed, match="You entered or changed online since"):
        workflow.approve(people["steering"], methodology, p, org.d256)
    with pytest.raises(workflow.EntryNotAllowed, match="may not approve"):
        workflow.approve(people["owner"], methodology, p, org.d256)  # an officer, no right
    assert set(_statuses(org.d256).values()) == {"submitted"}  # nothing changed
    # the approver returns them; the owner corrects one; the returner may approve
    workflow.return_values(people["approver"], methodology, p, org.d256, "online too high")
    put_values(people["owner"], methodology, p, org.d256, online=58)
    workflow.submit(people["owner"], methodology, p, org.d256)
    with pytest.raises(workflow.EntryNotAllowed, match="online"):
        workflow.approve(people["steering"], methodology, p, org.d256)  # still changed since
    workflow.approve(people["approver"], methodology, p, org.d256)
    assert set(_statuses(org.d256).values()) == {"approved"}
    # after the approval, a reopening and a fresh edit by the owner: only that edit counts
    workflow.reopen(people["approver"], methodology, p, org.d256, "count corrected")
    put_values(people["owner"], methodology, p, org.d256, online=57)
    workflow.submit(people["owner"], methodology, p, org.d256)
    value = Value.objects.get(unit=org.d256, indicator__code="online")
    assert workflow.changed_by(value) == {people["owner"].pk}
    workflow.approve(people["steering"], methodology, p, org.d256)
    assert set(_statuses(org.d256).values()) == {"approved"}


def test_an_approver_of_one_province_cannot_approve_another(people, methodology, periods, org):
    p = periods["2024"]
    put_values(people["outsider"], methodology, p, org.d80, online=10, ontime=20)
    workflow.submit(people["outsider"], methodology, p, org.d80)
    with pytest.raises(workflow.EntryNotAllowed):
        workflow.approve(people["approver"], methodology, p, org.d80)


def test_reopening_needs_a_reason_and_is_in_the_history(as_user, people, methodology, periods, org):
    p = periods["2024"]
    approved(people, methodology, p, org.d256, online=60, ontime=90)
    with pytest.raises(workflow.WorkflowError, match="Say why"):
        workflow.reopen(people["approver"], methodology, p, org.d256, " ")
    workflow.reopen(people["approver"], methodology, p, org.d256, "ministry corrected the count")
    put_values(people["owner"], methodology, p, org.d256, online=58)
    value = Value.objects.get(indicator__code="online")
    history = list(value.history.order_by("history_date", "history_id"))
    trail = [(h.status, h.value, h.history_user.username, h.history_change_reason) for h in history]
    assert trail == [
        ("draft", 60.0, "owner", "entered"),
        ("submitted", 60.0, "owner", "submitted"),
        ("approved", 60.0, "approver", "approved"),
        ("draft", 60.0, "approver", "reopened: ministry corrected the count"),
        ("draft", 58.0, "owner", "entered"),
    ]
    page = as_user("colleague").get(reverse("value_history", args=[value.pk])).content.decode()
    assert "reopened: ministry corrected the count" in page
    assert "approved → draft" in page
    assert as_user("outsider").get(reverse("value_history", args=[value.pk])).status_code == 404


def test_a_values_history_downloads_what_the_page_shows(as_user, people, methodology, periods, org):
    """Issue 18: the history page's changes as CSV, XLSX and JSON, newest first, for whoever
    may read the page (the owner and a colleague of the unit); the outsider gets 404 as
    on the page, the anonymous visitor is sent to log in."""
    import csv
    import io
    import json

    from openpyxl import load_workbook

    p = periods["2024"]
    approved(people, methodology, p, org.d256, online=60, ontime=90)
    workflow.reopen(people["approver"], methodology, p, org.d256, '=HYPERLINK("x")')
    value = Value.objects.get(indicator__code="online")
    page = as_user("colleague").get(reverse("value_history", args=[value.pk]))
    shown = page.content.decode().split("<tbody>")[1].count("<tr>")  # the page's changes
    for persona in ("owner", "colleague"):
        client = as_user(persona)
        response = client.get(reverse("value_history_dl", args=[value.pk, "csv"]))
        assert response.status_code == 200
        rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
        reasons = [r["reason"] for r in rows]
        assert reasons == ['reopened: =HYPERLINK("x")', "approved", "submitted", "entered"]
        assert rows[0]["who"] == "approver"
        assert [r["status"] for r in rows] == ["draft", "approved", "submitted", "draft"]
        assert rows[-1]["new"] == "60.0" and rows[-1]["old"] == ""
        assert len(rows) == shown
    client = as_user("owner")
    sheet = load_workbook(
        io.BytesIO(client.get(reverse("value_history_dl", args=[value.pk, "xlsx"])).content)
    ).worksheets[0]
    reason = sheet.cell(row=2, column=7)
    assert reason.data_type == "s" and reason.value.startswith("reopened: ")  # a text cell
    data = json.loads(client.get(reverse("value_history_dl", args=[value.pk, "json"])).content)
    assert data["meta"]["indicator"] == "online" and len(data["rows"]) == 4
    outsider = as_user("outsider").get(reverse("value_history_dl", args=[value.pk, "csv"]))
    assert outsider.status_code == 404
    anonymous = Client().get(reverse("value_history_dl", args=[value.pk, "csv"]))
    assert anonymous.status_code == 302 and "/login" in anonymous["Location"]
    assert reverse("value_history_dl", args=[value.pk, "xlsx"]) in page.content.decode()


def test_completeness_shows_each_units_state_and_lateness(
    as_user, people, methodology, periods, org
):
    p = periods["2024"]
    approved(people, methodology, p, org.d256, online=60, ontime=90)
    put_values(people["colleague"], methodology, p, org.d257, online=30)
    Value.objects.filter(unit=org.d256).update(
        submitted_at=timezone.make_aware(dt.datetime(2025, 4, 2))
    )
    rows = {r.unit.code: r for r in completeness(methodology, p, people["steering"])}
    assert set(rows) == {"256", "257"}  # the province's districts, nothing of Lào Cai
    assert (rows["256"].state, rows["256"].entered, rows["256"].late) == ("approved", 2, True)
    assert (rows["257"].state, rows["257"].entered) == ("draft", 1)
    assert rows["257"].late  # the deadline (2025-03-31) has passed with nothing submitted
    page = as_user("steering").get(reverse("completeness", args=[methodology.pk, "2024"]))
    text = page.content.decode()
    assert "2 / 2" in text and "1 / 2" in text and "late" in text
    assert "TP. Lào Cai" not in text


def test_the_completeness_download_is_the_pages_rows_for_each_person(
    client, as_user, people, methodology, periods, org
):
    import csv
    import io
    import json

    from openpyxl import load_workbook

    p = periods["2024"]
    approved(people, methodology, p, org.d256, online=60, ontime=90)
    put_values(people["colleague"], methodology, p, org.d257, online=30)
    Value.objects.filter(unit=org.d256).update(
        submitted_at=timezone.make_aware(dt.datetime(2025, 4, 2, 9, 30))
    )
    page_url = reverse("completeness", args=[methodology.pk, "2024"])

    def dl(who, fmt="csv", **query):
        address = reverse("completeness_dl", args=[methodology.pk, "2024", fmt])
        return as_user(who).get(address, query)

    steering = as_user("steering").get(page_url)
    assert reverse("completeness_dl", args=[methodology.pk, "2024", "xlsx"]) in (
        steering.content.decode()
    )
    rows = list(csv.DictReader(io.StringIO(dl("steering").content.decode("utf-8-sig"))))
    assert [(r["unit"], r["state"], r["entered"], r["required"]) for r in rows] == [
        ("256", "approved", "2", "2"),
        ("257", "draft", "1", "2"),
    ]
    submitted = timezone.localtime(timezone.make_aware(dt.datetime(2025, 4, 2, 9, 30)))
    assert rows[0]["submitted"] == f"{submitted:%Y-%m-%d %H:%M}"  # ISO, the workspace's time
    assert rows[0]["on_time"] == "late"
    only = list(
        csv.DictReader(io.StringIO(dl("steering", state="submitted").content.decode("utf-8-sig")))
    )
    assert only == []  # the page's filter: nothing waits for approval
    data = json.loads(dl("steering", "json").content)
    assert data["rows"][0]["submitted"].startswith(f"{submitted:%Y-%m-%d}T")
    sheet = load_workbook(io.BytesIO(dl("steering", "xlsx").content)).worksheets[0]
    assert [c.value for c in sheet[1]][:3] == ["Code", "Unit", "State"]
    assert sheet.cell(row=2, column=6).number_format == "yyyy-mm-dd hh:mm"
    # each person gets the rows their page shows: the owner 256, the colleague Bắc Ninh's
    # two districts, the outsider Lào Cai's district
    expected = {"owner": ["256"], "colleague": ["256", "257"], "outsider": ["80"]}
    for who in expected:
        page = as_user(who).get(page_url)
        got = dl(who)
        assert got.status_code == page.status_code, who
        if page.status_code == 200:
            units = [
                r["unit"] for r in csv.DictReader(io.StringIO(got.content.decode("utf-8-sig")))
            ]
            assert units == [r.unit.code for r in page.context["rows"]] == expected[who], who
    client.logout()
    address = reverse("completeness_dl", args=[methodology.pk, "2024", "csv"])
    assert client.get(address).status_code == 302
