"""Around the plans: deadline notices and e-mails (``dxscore notify``), the iCalendar
export, emulation rankings with task delivery computed from the tasks, and the Excel
export and upload of targets and tasks (dry run, every problem placed, all or nothing)."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from icalendar import Calendar
from openpyxl import load_workbook
from typer.testing import CliRunner

from dxscore.cli import app
from dxscore.web.data.methodologies import store
from dxscore.web.data.models import Indicator, Period, Value
from dxscore.web.plans import emulation, excel, ical, notices
from dxscore.web.plans.models import Notice, PlanUpload, Target, Task
from tests.web.support import TODAY


def _url(name, *args):
    return reverse(f"plans:{name}", args=args)


# --- notices ----------------------------------------------------------------------------


def test_notify_tells_the_owner_unit_once_about_due_soon_and_overdue_tasks(plan, people):
    people["owner"].email = "owner@bacninh.gov.vn"
    people["owner"].save()
    people["colleague"].email = "colleague@bacninh.gov.vn"
    people["colleague"].save()
    report = notices.notify(today=TODAY, days=30)
    assert (report.due_soon, report.overdue) == (1, 1)
    owner_notice = Notice.objects.get(user=people["owner"])
    assert (owner_notice.task, owner_notice.kind) == (plan["task1"], "due_soon")
    colleague_notice = Notice.objects.get(user=people["colleague"])  # enters for 257
    assert (colleague_notice.task, colleague_notice.kind) == (plan["task2"], "overdue")
    assert not Notice.objects.filter(user=people["outsider"]).exists()
    assert sorted(m.to[0] for m in mail.outbox) == [
        "colleague@bacninh.gov.vn",
        "owner@bacninh.gov.vn",
    ]
    overdue_mail = next(m for m in mail.outbox if m.to == ["colleague@bacninh.gov.vn"])
    assert "1 overdue" in overdue_mail.subject and "Train commune officials" in overdue_mail.body
    assert f"/plans/tasks/{plan['task2'].pk}/" in overdue_mail.body
    assert Notice.objects.filter(emailed_at__isnull=False).count() == 2
    # the next day: nothing new
    again = notices.notify(today=TODAY + dt.timedelta(days=1), days=30)
    assert again.notices == 0 and len(mail.outbox) == 2


def test_a_notice_mail_is_written_in_the_persons_language_with_its_dates(plan, people):
    from dxscore import numbers
    from dxscore.web.orgs.models import Person

    for who, language in (("owner", "vi"), ("colleague", "en")):
        people[who].email = f"{who}@bacninh.gov.vn"
        people[who].save()
        Person.objects.filter(user=people[who]).update(language=language)
    notices.notify(today=TODAY, days=30)
    by_to = {m.to[0].split("@")[0]: m for m in mail.outbox}
    vi, en = by_to["owner"], by_to["colleague"]
    assert "nhiệm vụ sắp đến hạn hoặc quá hạn" in vi.subject
    assert numbers.format_date(plan["task1"].deadline, "vi") in vi.body
    assert plan["task1"].deadline.isoformat() not in vi.body
    assert en.subject.startswith("dxscore: 1 task due soon or overdue")  # one, not "task(s)"
    assert numbers.format_date(plan["task2"].deadline, "en") in en.body


def test_a_moved_deadline_and_an_assignee_are_notified_done_tasks_are_not(plan, people):
    task = plan["task1"]
    task.assignees.add(people["colleague"])
    notices.notify(today=TODAY, days=30, email=False)
    task.deadline = TODAY + dt.timedelta(days=5)
    task.save()
    notices.notify(today=TODAY, days=30, email=False)
    assert Notice.objects.filter(task=task, user=people["owner"]).count() == 2
    assert Notice.objects.filter(task=task, user=people["colleague"]).count() == 2
    Task.objects.filter(pk=plan["task2"].pk).update(done_on=TODAY)
    Notice.objects.all().delete()
    notices.notify(today=TODAY, days=1, email=False)
    assert not Notice.objects.exists()


def test_notices_show_in_the_navigation_until_the_task_is_opened(as_user, plan, people):
    notices.notify(today=TODAY, days=30, email=False)
    client = as_user("owner")
    assert "Notices (1)" in client.get(_url("notices")).content.decode()
    client.get(_url("task", plan["task1"].pk))
    assert "Notices (1)" not in client.get(_url("notices")).content.decode()


def test_the_notify_command_reports_what_it_did(plan, people, monkeypatch, tmp_path):
    monkeypatch.setenv("DXSCORE_HOME", str(tmp_path))
    result = CliRunner().invoke(app, ["notify", "--days", "30", "--no-email"])
    assert result.exit_code == 0, result.output
    assert "1 overdue and 1 due-soon task(s); 2 new notice(s), 0 e-mail(s) sent" in result.output
    bad = CliRunner().invoke(app, ["notify", "--today", "soon"])
    assert bad.exit_code != 0 and "not a date" in bad.output


# --- calendar ---------------------------------------------------------------------------


def _events(content: bytes) -> dict[str, dt.date]:
    cal = Calendar.from_ical(content)
    return {str(e["summary"]): e.decoded("dtstart") for e in cal.walk("VEVENT")}


def test_the_calendar_has_one_event_on_each_visible_tasks_deadline(as_user, plan):
    response = as_user("colleague").get(_url("calendar"))
    assert response["Content-Type"].startswith("text/calendar")
    events = _events(response.content)
    assert events == {
        "Deadline: Connect the one-stop shop (TP. Bắc Ninh)": plan["task1"].deadline,
        "Deadline: Train commune officials (Từ Sơn)": plan["task2"].deadline,
    }
    filtered = as_user("colleague").get(_url("calendar"), {"status": "overdue"})
    assert list(_events(filtered.content)) == ["Deadline: Train commune officials (Từ Sơn)"]
    assert _events(as_user("outsider").get(_url("calendar")).content) == {}


def test_a_calendar_feed_needs_no_session_and_shows_the_persons_own_tasks(client, plan, people):
    token = ical.feed_token(people["owner"])
    events = _events(client.get(_url("feed", token)).content)
    assert list(events) == ["Deadline: Connect the one-stop shop (TP. Bắc Ninh)"]
    assert client.get(_url("feed", token + "x")).status_code == 404
    people["owner"].is_active = False
    people["owner"].save()
    assert client.get(_url("feed", token)).status_code == 404


def test_a_calendar_feed_address_expires_and_can_be_rotated(
    client, plan, people, as_user, settings
):
    """The address never expired and could not be changed: one leaked address showed a
    person's tasks for ever."""
    from unittest import mock

    from django.core import signing

    token = ical.feed_token(people["owner"])
    assert client.get(_url("feed", token)).status_code == 200
    # a colleague's token does not open the owner's feed and the old signed form is refused
    other = ical.feed_token(people["colleague"])
    assert ical.feed_user(other) == people["colleague"]
    legacy = signing.dumps(people["owner"].pk, salt=ical.SALT, compress=True)
    assert client.get(_url("feed", legacy)).status_code == 404
    # expiry: a year and a day later the same address is refused
    later = dt.datetime.now().timestamp() + (settings.DXSCORE_CALENDAR_FEED_DAYS + 1) * 86400
    with mock.patch("django.core.signing.time.time", return_value=later):
        assert ical.feed_user(token) is None
    # rotation: the owner makes a new address; the old one stops, the colleague's works
    owner = as_user("owner")
    page = owner.post(_url("feed_rotate"), follow=True)  # back to the subscription page
    assert page.status_code == 200 and page.redirect_chain
    assert "the earlier ones no longer work" in page.content.decode()
    assert client.get(_url("feed", token)).status_code == 404
    new = page.context["url"].rsplit("/", 1)[1].removesuffix(".ics")
    assert client.get(_url("feed", new)).status_code == 200
    assert ical.feed_user(other) == people["colleague"]
    assert client.get(_url("feed_rotate")).status_code in (302, 405)  # a POST only
    assert Client().post(_url("feed_rotate")).status_code == 302  # log-in first


# --- emulation ranking -----------------------------------------------------------------

DELIVERY_YAML = """\
id: test-emulation
version: "1"
title: District emulation
scale: [0, 100]
defaults:
  indicator: {normalisation: identity, range: [0, 1]}
tree:
  code: index
  name: Emulation score
  children:
    - code: online_rate
      name: Online dossiers
    - code: tasks_on_time_share
      name: Tasks done on time
"""


def _task(plan, number, owner, deadline, done_on=None):
    return Task.objects.create(
        resolution=plan["resolution"],
        number=number,
        title=f"Task {number}",
        owner=owner,
        deadline=deadline,
        done_on=done_on,
        percent=100 if done_on else 0,
        expected_result="x",
    )


@pytest.fixture
def delivery(plan, org):
    Task.objects.all().delete()
    period = Period.objects.create(code="2025")
    _task(plan, 11, org.d256, dt.date(2025, 3, 31), done_on=dt.date(2025, 3, 1))
    _task(plan, 12, org.d256, dt.date(2025, 9, 30), done_on=dt.date(2025, 10, 15))  # late
    _task(plan, 13, org.d257, dt.date(2025, 6, 30), done_on=dt.date(2025, 6, 30))
    _task(plan, 14, org.d257, dt.date(2026, 6, 30))  # due in another period
    cancelled = _task(plan, 15, org.d257, dt.date(2025, 5, 1))
    cancelled.cancelled_on = dt.date(2025, 1, 1)
    cancelled.save()
    methodology = store(DELIVERY_YAML)
    rate = Indicator.objects.get(code="online_rate")
    for unit, x in ((org.d256, 0.9), (org.d257, 0.5)):
        Value.objects.create(unit=unit, indicator=rate, period=period, value=x, status="approved")
    return methodology, period


def test_task_delivery_is_the_share_of_tasks_due_in_the_period_done_on_time(delivery, org, plan):
    _m, period = delivery
    figures = emulation.delivery([org.d256, org.d257, org.d80], period)
    assert figures["256"]["tasks_on_time_share"] == 0.5
    assert figures["257"]["tasks_on_time_share"] == 1.0
    assert figures["80"]["tasks_on_time_share"] is None
    # target 1 of plan (no values) and target 2 (qualitative, not approved) are not met
    assert (
        figures["256"]["targets_met_share"] == 0.0 and figures["257"]["targets_met_share"] is None
    )


def test_the_emulation_ranking_uses_computed_delivery_over_entered_values(delivery, org, as_user):
    methodology, period = delivery
    typed = Indicator.objects.get(code="tasks_on_time_share")
    Value.objects.create(unit=org.d256, indicator=typed, period=period, value=1, status="approved")
    result = emulation.rank(methodology, period, [org.d256, org.d257])
    assert not result.problems
    scores = {r["unit"].code: (round(r["cells"][0][0], 6), r["rank"]) for r in result.rows}
    # 256: (0.9 + 0.5) / 2 = 0.7 (not 0.95 from the typed 1.0); 257: (0.5 + 1.0) / 2 = 0.75
    assert scores == {"257": (0.75, 1), "256": (0.7, 2)}
    page = as_user("steering").get(
        _url("emulation"),
        {"methodology": methodology.pk, "unit": "27", "period": "2025"},
    )
    text = page.content.decode()
    assert page.status_code == 200
    assert text.index("Từ Sơn") < text.index("TP. Bắc Ninh <")
    assert "plans" in text and "approved value" in text


def test_the_emulation_page_takes_malformed_choices_as_no_choice(delivery, as_user):
    """``?methodology=abc`` gave a server error (a text compared with an integer id)."""
    client = as_user("steering")
    for bad in ({"methodology": "abc"}, {"level": "1; drop"}, {"methodology": "²"}):
        page = client.get(_url("emulation"), {**bad, "unit": "27", "period": "2025"})
        assert page.status_code == 200, bad
    assert client.get(_url("tasks"), {"resolution": "²"}).status_code == 200  # not an id
    stored = client.post(_url("emulation_store"), {"methodology": "abc", "level": "x"})
    assert stored.status_code in (302, 404)


def test_an_emulation_ranking_is_stored_as_a_run_that_keeps_its_inputs(delivery, org, as_user):
    from dxscore.web.scores import runs
    from dxscore.web.scores.models import ScoreRun

    methodology, period = delivery
    typed = Indicator.objects.get(code="tasks_on_time_share")
    Value.objects.create(unit=org.d256, indicator=typed, period=period, value=1, status="approved")
    # the units ranked need not be the methodology's reporting level
    methodology.reporting_level = org.bac_ninh.level
    methodology.save()
    choice = {"methodology": methodology.pk, "unit": "27", "period": "2025"}
    page = as_user("steering").get(_url("emulation"), choice)
    assert "Store as a score run" in page.content.decode()
    response = as_user("steering").post(_url("emulation_store"), choice)
    run = ScoreRun.objects.get()
    assert response.status_code == 302 and response.url == reverse("run", args=[run.pk])
    scores = {s.unit.code: (round(s.score, 6), s.rank) for s in run.scores.filter(node="index")}
    assert scores == {"257": (0.75, 1), "256": (0.7, 2)}  # the page's ranking
    inputs = {(i.unit.code, i.indicator): (i.value, i.origin) for i in run.inputs.all()}
    assert inputs[("256", "tasks_on_time_share")] == (0.5, "plans")  # not the typed 1.0
    assert inputs[("256", "online_rate")] == (0.9, "")
    recomputed = runs.recompute_from_inputs(run).to_frame("2025")
    index = recomputed[recomputed["node"] == "index"].set_index("unit")["score"]
    assert round(index["257"], 6) == 0.75
    explained = as_user("steering").get(reverse("run_explain", args=[run.pk, "256"]))
    assert "computed from the plans" in explained.content.decode()
    # later task changes move the live page, not the stored run
    Task.objects.filter(owner=org.d257).update(done_on=None, percent=0)
    assert emulation.rank(methodology, period, [org.d256, org.d257]).rows[0]["unit"] == org.d256
    run.refresh_from_db()
    assert {s.unit.code: s.rank for s in run.scores.filter(node="index")} == {"257": 1, "256": 2}
    # only administrators and steering officers store runs
    assert as_user("owner").post(_url("emulation_store"), choice).status_code == 403
    assert (
        "Store as a score run"
        not in as_user("owner").get(_url("emulation"), choice).content.decode()
    )


def test_the_builtin_province_emulation_names_what_is_missing(delivery, org, as_user):
    from dxscore.web.data.models import Methodology

    builtin = Methodology.objects.get(code="province-emulation")
    result = emulation.rank(builtin, delivery[1], [org.d256, org.d257])
    assert result.problems and not result.rows
    assert any("online_share" in f"{w} {m}" for w, m in result.problems)


def test_an_outsider_cannot_rank_another_province(delivery, as_user):
    page = as_user("outsider").get(
        _url("emulation"), {"methodology": delivery[0].pk, "unit": "27", "period": "2025"}
    )
    assert page.status_code == 200 and 'id="ranking"' not in page.content.decode()


# --- Excel ------------------------------------------------------------------------------


def _workbook(content: bytes):
    return load_workbook(io.BytesIO(content))


def _upload(client, plan, wb, name="plan.xlsx"):
    buffer = io.BytesIO()
    wb.save(buffer)
    file = SimpleUploadedFile(name, buffer.getvalue())
    response = client.post(_url("upload", plan["resolution"].pk), {"file": file})
    assert response.status_code == 302, response
    return PlanUpload.objects.latest("uploaded_at")


def _rows(ws):
    return [[c.value for c in row] for row in ws.iter_rows(min_row=2)]


def test_the_export_lists_targets_and_tasks_with_their_computed_status(as_user, plan):
    response = as_user("colleague").get(_url("export", plan["resolution"].pk))
    wb = _workbook(response.content)
    assert wb.sheetnames == ["targets", "tasks", "help"]
    targets = wb["targets"]
    assert [c.value for c in targets[1]] == [*excel.TARGET_COLUMNS, "status", "reason"]
    assert _rows(targets)[0][:8] == [
        1,
        "gov",
        "Dossiers filed online",
        "256",
        "online",
        ">=",
        70,
        str(TODAY.year + 1),
    ]
    assert _rows(targets)[0][10] == "no data"
    tasks = _rows(wb["tasks"])
    assert tasks[1][:3] == [2, "Train commune officials", "257"]
    assert tasks[0][10] == "1" and tasks[1][11] == "overdue"


def test_an_upload_is_previewed_then_stored_in_one_go(as_user, plan, people):
    client = as_user("steering")
    wb = _workbook(client.get(_url("export", plan["resolution"].pk)).content)
    wb["targets"]["G2"] = 80  # target 1: 70 -> 80
    wb["targets"].append([3, "gov", "Paid online", "257", "online", ">=", 50, "2026", 5, "2022"])
    wb["tasks"].append(
        [
            3,
            "Data centre",
            "256",
            "257, 80",
            "owner",
            "2025-01-01",
            dt.datetime(2026, 6, 30),
            "A data centre",
            None,
            None,
            "1, 3",
        ]
    )
    upload = _upload(client, plan, wb)
    assert upload.problems == [
        ["sheet 'tasks', row 4, column D (cooperating)", "unknown unit '80' in this resolution"]
    ]
    wb["tasks"]["D4"] = "257"
    upload = _upload(client, plan, wb)
    assert upload.problems == [] and upload.state == "preview"
    assert [(r["sheet"], r["number"], r["action"], r["changed"]) for r in upload.rows] == [
        ("targets", 1, "change", ["value"]),
        ("targets", 3, "new", []),
        ("tasks", 3, "new", []),
    ]
    assert Target.objects.get(number=1).value == 70  # nothing stored yet
    assert not Task.objects.filter(number=3).exists()
    response = client.post(_url("upload_commit", upload.pk), {"action": "commit"})
    assert response.status_code == 302
    assert Target.objects.get(number=1).value == 80
    new = Task.objects.get(number=3)
    assert new.owner.code == "256" and new.deadline == dt.date(2026, 6, 30)
    assert [u.code for u in new.cooperating.all()] == ["257"]
    assert [u.username for u in new.assignees.all()] == ["owner"]
    assert sorted(t.number for t in new.targets.all()) == [1, 3]
    assert Target.history.filter(number=1).first().history_user == people["steering"]


def test_every_bad_cell_is_named_and_nothing_is_stored(as_user, plan):
    client = as_user("steering")
    wb = _workbook(client.get(_url("export", plan["resolution"].pk)).content)
    targets, tasks = wb["targets"], wb["tasks"]
    targets["D2"] = "80"  # another province's unit
    targets["F3"] = "about"  # row 3: a bad comparison on the qualitative target
    targets.append([4, "gov", "Late baseline", "256", "online", ">=", 50, "2025", 5, "2026"])
    targets.append([4, None, "Twice", "256", None, None, None, "2025"])
    targets.append([6, None, "=1+1", "256", None, None, None, "2025"])
    tasks["G3"] = "tomorrow"
    tasks["K2"] = "9"
    upload = _upload(client, plan, wb)
    assert upload.state == "rejected" and upload.rows == []
    assert upload.problems == [
        ["sheet 'targets', row 2, column D (unit)", "unknown unit '80' in this resolution"],
        ["sheet 'targets', row 3, column F (comparison)", "use >=, >, <=, < or =="],
        [
            "sheet 'targets', row 4, column J (baseline_period)",
            "the baseline period 2026 is after the deadline 2025",
        ],
        ["sheet 'targets', row 5, column A (number)", "target 4 is also in row 4"],
        ["sheet 'targets', row 6, column C (title)", "formulas are not accepted: type the value"],
        ["sheet 'targets', row 6, column C (title)", "the title is missing"],
        ["sheet 'tasks', row 2, column K (targets)", "no target 9 in this resolution"],
        ["sheet 'tasks', row 3, column G (deadline)", "'tomorrow' is not a date (2025-06-30)"],
    ]
    page = client.get(_url("upload_preview", upload.pk)).content.decode()
    assert "8 problems: nothing will be stored" in page and "Store these changes" not in page
    assert client.post(_url("upload_commit", upload.pk), {"action": "commit"}).status_code == 302
    assert Target.objects.count() == 2 and Target.objects.get(number=1).unit.code == "256"


def test_a_commit_after_someone_else_changed_the_rows_stores_nothing(as_user, plan):
    client = as_user("steering")
    wb = _workbook(client.get(_url("export", plan["resolution"].pk)).content)
    wb["targets"]["G2"] = 80
    wb["targets"]["C3"] = "Data centre and recovery site"
    upload = _upload(client, plan, wb)
    Target.objects.filter(number=1).update(value=75)  # changed in the site meanwhile
    client.post(_url("upload_commit", upload.pk), {"action": "commit"})
    assert Target.objects.get(number=1).value == 75
    assert Target.objects.get(number=2).title == "Data centre in operation"
    assert PlanUpload.objects.get(pk=upload.pk).state == "preview"


@pytest.mark.parametrize(("persona", "status"), [("owner", 403), ("outsider", 404)])
def test_only_the_steering_office_uploads_targets_and_tasks(as_user, plan, persona, status):
    file = SimpleUploadedFile("plan.xlsx", excel.export(plan["resolution"]))
    response = as_user(persona).post(_url("upload", plan["resolution"].pk), {"file": file})
    assert response.status_code == status and not PlanUpload.objects.exists()


def test_a_file_that_is_not_a_workbook_is_refused(as_user, plan):
    file = SimpleUploadedFile("plan.xlsx", b"name,title\n")
    response = as_user("steering").post(
        _url("upload", plan["resolution"].pk), {"file": file}, follow=True
    )
    assert "This is not an Excel (.xlsx) file." in response.content.decode()
    assert not PlanUpload.objects.exists()


def test_the_emulation_ranking_and_its_inputs_download_as_the_page_shows_them(
    delivery, org, as_user
):
    import csv
    import io
    import json

    from openpyxl import load_workbook

    methodology, period = delivery
    choice = {"methodology": methodology.pk, "unit": "27", "period": "2025"}
    client = as_user("steering")
    page = client.get(_url("emulation"), choice)
    html = page.content.decode()
    assert f'href="{_url("emulation_dl", "xlsx")}?' in html
    shown = page.context["result"]

    def rows(response):
        assert response.status_code == 200, response.status_code
        return list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))

    ranked = rows(client.get(_url("emulation_dl", "csv"), choice))
    assert [(r["rank"], r["unit"], r["name"]) for r in ranked] == [
        (str(r["rank"]), r["unit"].code, r["unit"].name) for r in shown.rows
    ]
    assert [float(r["index"]) for r in ranked] == pytest.approx([0.75, 0.7])
    book = load_workbook(io.BytesIO(client.get(_url("emulation_dl", "xlsx"), choice).content))
    header = [c.value for c in book.worksheets[0][1]]
    names = ["Emulation score", "Online dossiers", "Tasks done on time"]
    assert header == ["Rank", "Code", "Unit", *names]  # names, not codes
    inputs = rows(client.get(_url("emulation_inputs_dl", "csv"), choice))
    assert [(r["unit"], r["indicator"]) for r in inputs] == [
        (i["unit"], i["code"]) for i in shown.inputs
    ]
    delivered = next(
        r for r in inputs if (r["unit"], r["indicator"]) == ("256", "tasks_on_time_share")
    )
    assert delivered["value"] == "0.5" and delivered["source"] == "plans"
    assert delivered["unit_name"] == "TP. Bắc Ninh"
    assert delivered["indicator_name"] == "Tasks done on time"
    # a rate in [0, 1]: 50.0% on the page, the number with the 0.0% format in the workbook
    assert '<td class="num">50.0%</td>' in html
    sheet = load_workbook(
        io.BytesIO(client.get(_url("emulation_inputs_dl", "xlsx"), choice).content)
    ).worksheets[0]
    cells = {(r[0].value, r[2].value): r[4] for r in sheet.iter_rows(min_row=2)}
    cell = cells[("256", "tasks_on_time_share")]
    assert cell.value == 0.5 and cell.number_format == "0.0%"
    data = json.loads(client.get(_url("emulation_dl", "json"), choice).content)
    assert data["meta"]["units_of"] == "27" and data["meta"]["period"] == "2025"
    # without a full choice there is no ranking, so no download
    assert client.get(_url("emulation_dl", "csv"), {"unit": "27"}).status_code == 404
    assert client.get(_url("emulation_dl", "pdf"), choice).status_code == 404


def test_the_emulation_downloads_have_the_pages_scope(delivery, client, as_user):
    methodology, _period = delivery
    choice = {"methodology": methodology.pk, "unit": "27", "period": "2025"}
    assert as_user("colleague").get(_url("emulation_dl", "csv"), choice).status_code == 200
    # the owner sees only district 256 and the outsider Lào Cai: 27 is not theirs to rank
    assert as_user("owner").get(_url("emulation_dl", "csv"), choice).status_code == 404
    assert as_user("outsider").get(_url("emulation_inputs_dl", "csv"), choice).status_code == 404
    client.logout()
    assert client.get(_url("emulation_dl", "csv"), choice).status_code == 302
