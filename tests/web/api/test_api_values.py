"""Indicator values through the API: batch upserts that are idempotent, checked whole by
the engine and the platform, stored whole or not at all, through the site's workflow
(locks, four eyes, history)."""

from __future__ import annotations

from dxscore.web.data.models import Status, Value
from tests.web.support import problem, put_values

M = "test-districts"


def item(unit="256", indicator="online", period="2024", value=50.0, **more):
    return {"unit": unit, "indicator": indicator, "period": period, "value": value, **more}


def batch(*items, **more):
    return {"methodology": M, "items": list(items), **more}


def test_a_batch_creates_drafts_and_sending_it_again_changes_nothing(api, methodology, periods):
    body = batch(item(value=55), item(indicator="ontime", value=80, comment="from the portal"))
    first = api.post("values", body).json()
    assert (first["created"], first["updated"], first["unchanged"]) == (2, 0, 0)
    assert [i["result"] for i in first["items"]] == ["created", "created"]
    assert [i["status"] for i in first["items"]] == ["draft", "draft"]
    stored = Value.objects.get(indicator__code="ontime")
    assert (stored.value, stored.comment, stored.status) == (80, "from the portal", Status.DRAFT)
    assert stored.updated_by.username == "owner"
    history = Value.history.count()
    again = api.post("values", body).json()
    assert (again["created"], again["updated"], again["unchanged"]) == (0, 0, 2)
    assert Value.history.count() == history  # nothing written, not even a history row


def test_an_update_keeps_the_comment_unless_one_is_sent_and_is_audited(api, methodology, periods):
    api.post("values", batch(item(value=55, comment="first count", evidence_link="https://a.vn")))
    answer = api.post("values", batch(item(value=57))).json()
    assert answer["items"][0]["result"] == "updated"
    value = Value.objects.get()
    assert (value.value, value.comment, value.evidence_link) == (57, "first count", "https://a.vn")
    latest = value.history.first()
    assert latest.history_user.username == "owner" and latest.history_change_reason == "API"
    assert latest.channel == "api"  # the explanation of a run says "sent through the API"
    api.post("values", batch(item(value=57, comment="")))
    assert Value.objects.get().comment == ""


def test_a_null_value_empties_a_draft(api, methodology, periods):
    api.post("values", batch(item(value=55)))
    assert api.post("values", batch(item(value=None))).json()["updated"] == 1
    assert Value.objects.get().value is None
    # nothing to store for a value that does not exist and stays empty
    assert api.post("values", batch(item(indicator="ontime", value=None))).json()["unchanged"] == 1


def test_every_problem_is_listed_by_item_and_nothing_is_stored(api, methodology, periods):
    body = batch(
        item(value=55),  # fine on its own
        item(value=150),  # outside [0, 100]
        item(indicator="bogus"),  # not an input of the methodology
        item(unit="999"),  # no such unit
        item(period="2030"),  # no such period
        item(indicator="ontime", evidence_link="not a link"),
        item(value=55),  # the same (unit, indicator, period) as item 0
    )
    errors = problem(api.post("values", body), 422)["errors"]
    found = {(e["index"], e["field"]): e["detail"] for e in errors}
    assert "outside the valid range [0, 100]" in found[(1, "value")]
    assert "unknown indicator 'bogus'" in found[(2, "indicator")]
    assert found[(3, "unit")] == "unknown unit '999'"
    assert "unknown period '2030'" in found[(4, "period")]
    assert "not a web address" in found[(5, "evidence_link")]
    assert "duplicate of item 0" in next(d for (i, _f), d in found.items() if i == 6)
    assert all(e["pointer"].startswith(f"/items/{e['index']}") for e in errors)
    assert not Value.objects.exists()


def test_an_unknown_methodology_is_a_field_error(api, methodology, periods):
    errors = problem(api.post("values", {**batch(item()), "methodology": "nope"}), 422)["errors"]
    assert errors[0]["field"] == "methodology" and errors[0]["pointer"] == "/methodology"
    bad_version = {**batch(item()), "version": "9"}
    assert problem(api.post("values", bad_version), 422)["errors"][0]["field"] == "methodology"


def test_a_unit_that_did_not_exist_in_the_period_is_refused(api, org, methodology, periods):
    import datetime as dt

    org.d257.valid_from = dt.date(2025, 1, 1)
    org.d257.save()
    errors = problem(api.post("values", batch(item(unit="257")), "colleague"), 422)["errors"]
    assert errors[0]["field"] == "unit"
    assert errors[0]["detail"] == (
        "'257' denotes no unit in period 2024 (on its last day, 12/31/2024); "
        "it denotes Từ Sơn (257) from 01/01/2025"
    )


def test_submitted_and_approved_values_are_locked(api, people, org, methodology, periods):
    put_values(people["owner"], methodology, periods["2024"], org.d256, online=55, ontime=70)
    submit = {"methodology": M, "period": "2024", "unit": "256"}
    assert api.post("values/submit", submit).json() == {"changed": 2}
    # the same numbers again: fine, nothing changes (a retried batch must not fail)
    same = api.post("values", batch(item(value=55), item(indicator="ontime", value=70))).json()
    assert same["unchanged"] == 2 and same["items"][0]["status"] == "submitted"
    body = problem(
        api.post("values", batch(item(value=56), item(indicator="ontime", value=1))), 409
    )
    assert body["type"] == "urn:dxscore:problem:conflict"
    assert [e["index"] for e in body["errors"]] == [0, 1]
    assert "submitted and locked" in body["errors"][0]["detail"]
    assert Value.objects.get(indicator__code="online").value == 55


def test_the_workflow_runs_through_the_api_with_four_eyes(api, people, org, methodology, periods):
    api.post("values", batch(item(value=55), item(indicator="ontime", value=70)))
    target = {"methodology": M, "period": "2024", "unit": "256"}
    assert api.post("values/submit", target).json() == {"changed": 2}
    # the data officer may not approve; the approver may; nobody approves twice
    problem(api.post("values/approve", target, "owner"), 403)
    assert api.post("values/approve", target, "approver").json() == {"changed": 2}
    assert problem(api.post("values/approve", target, "approver"), 409)["detail"]
    assert set(Value.objects.values_list("status", flat=True)) == {Status.APPROVED}
    # reopening needs a reason; then the values are drafts again
    errors = problem(api.post("values/reopen", target, "approver"), 422)["errors"]
    assert errors[0]["field"] == "reason"
    reopened = api.post("values/reopen", {**target, "reason": "typo in ontime"}, "approver")
    assert reopened.json() == {"changed": 2}
    assert set(Value.objects.values_list("status", flat=True)) == {Status.DRAFT}


def test_an_approver_who_submitted_may_not_approve_their_own_values(
    api, people, org, methodology, periods
):
    target = {"methodology": M, "period": "2024", "unit": "256"}
    api.post("values", batch(item(value=55), item(indicator="ontime", value=70)), "steering")
    api.post("values/submit", target, "steering")
    body = problem(api.post("values/approve", target, "steering"), 403)
    assert "someone else" in body["detail"]


def test_submitting_needs_every_required_value(api, methodology, periods):
    api.post("values", batch(item(value=55)))
    body = problem(
        api.post("values/submit", {"methodology": M, "period": "2024", "unit": "256"}), 409
    )
    assert "ontime" in body["detail"]


def test_returned_values_come_back_as_drafts_when_corrected(api, methodology, periods):
    target = {"methodology": M, "period": "2024", "unit": "256"}
    api.post("values", batch(item(value=55), item(indicator="ontime", value=70)))
    api.post("values/submit", target)
    api.post("values/return", {**target, "reason": "check online"}, "approver")
    assert Value.objects.get(indicator__code="online").status == Status.RETURNED
    answer = api.post("values", batch(item(value=58))).json()
    assert answer["items"][0]["status"] == "draft"


def test_values_are_read_in_the_viewing_scope_with_filters(api, people, org, methodology, periods):
    put_values(people["owner"], methodology, periods["2024"], org.d256, online=55, ontime=70)
    put_values(people["colleague"], methodology, periods["2024"], org.d257, online=40)
    put_values(people["outsider"], methodology, periods["2024"], org.d80, online=10)

    def seen(who, **params):
        return [
            (v["unit"], v["indicator"]) for v in api.get("values", who, **params).json()["items"]
        ]

    assert seen("owner") == [("256", "online"), ("256", "ontime")]
    assert seen("colleague") == [("256", "online"), ("256", "ontime"), ("257", "online")]
    assert seen("colleague", indicator="online") == [("256", "online"), ("257", "online")]
    assert seen("colleague", unit="257") == [("257", "online")]
    assert seen("outsider") == [("80", "online")]
    assert seen("admin", status="submitted") == []
    one = api.get("values", "owner", indicator="ontime").json()["items"][0]
    assert one["value"] == 70 and one["status"] == "draft" and one["updated_by"] == "owner"
    problem(api.get("values", "owner", unit="257"), 422)


def test_indicators_computed_from_dossiers_cannot_be_entered(api, methodology, periods):
    from dxscore.web.data.models import Indicator

    Indicator.objects.filter(code="online").update(source=Indicator.Source.DOSSIERS)
    errors = problem(api.post("values", batch(item(value=55), item(indicator="ontime"))), 422)[
        "errors"
    ]
    assert [(e["index"], e["field"]) for e in errors] == [(0, "indicator")]
    assert "computed from dossier records" in errors[0]["detail"]
    assert not Value.objects.exists()
