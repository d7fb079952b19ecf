"""Helpers shared by the web tests (not tests themselves)."""

from __future__ import annotations

import datetime as dt
import json
import re
import subprocess
from dataclasses import dataclass
from html.parser import HTMLParser

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from dxscore.index.methodology import ROOT
from dxscore.web.api import tokens
from dxscore.web.dashboards import sample
from dxscore.web.data.models import Methodology, Period
from dxscore.web.orgs.models import Level, Person, Unit
from dxscore.web.scores.models import NodeScore

PROBLEM = "application/problem+json"


class Api:
    """A test client speaking to ``/api/v1/`` with the personas' tokens."""

    def __init__(self, client, people):
        self.client = client
        self.people = people
        self._tokens: dict[str, str] = {}

    def token(self, who: str) -> str:
        if who not in self._tokens:
            self._tokens[who] = tokens.issue(self.people[who], f"{who} tests")[1]
        return self._tokens[who]

    def _auth(self, who, token):
        if token is None and who is None:
            return {}
        return {"HTTP_AUTHORIZATION": f"Bearer {token or self.token(who)}"}

    def get(self, path, who="owner", token=None, **params):
        return self.client.get(f"/api/v1/{path}", params, **self._auth(who, token))

    def post(self, path, body, who="owner", token=None, raw=False):
        data = body if raw else json.dumps(body)
        return self.client.post(
            f"/api/v1/{path}", data, content_type="application/json", **self._auth(who, token)
        )


def problem(response, status: int) -> dict:
    """The problem document of an error answer, after checking its status and type."""
    assert response.status_code == status, response.content[:500]
    assert response["Content-Type"].startswith(PROBLEM)
    body = response.json()
    assert body["status"] == status
    assert body["title"] and "type" in body and body["instance"]
    return body


TODAY = timezone.localdate()


CHROMIUM = "/usr/bin/chromium"


ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]


def watch(page, errors: list) -> None:
    """Record the page's console errors (a Content-Security-Policy violation is one) and
    uncaught exceptions in ``errors``, with the address of the page."""

    def console(message):
        if message.type == "error" or "Content Security Policy" in message.text:
            errors.append(f"{page.url}: {message.text}")

    page.on("console", console)
    page.on("pageerror", lambda e: errors.append(f"{page.url}: {e}"))


def open_page(page, url, errors, *, accessible=True):
    """Open ``url``, wait until the page is idle, and fail on a console error and (unless
    ``accessible`` is false) on an accessibility violation of serious or critical impact
    found by axe-core (``assert_accessible``)."""
    response = page.goto(url)
    assert response.ok, url
    page.wait_for_load_state("networkidle")
    assert not errors, (url, errors)
    if accessible:
        assert_accessible(page)


def assert_accessible(page) -> None:
    """No axe-core violation of serious or critical impact on the page as it stands (the
    axe-core that ships inside the pinned axe-playwright-python package; nothing is
    downloaded)."""
    from axe_playwright_python.sync_playwright import Axe

    found = [
        (v["id"], v["impact"], [n["target"] for n in v["nodes"][:3]], v["help"])
        for v in Axe().run(page).response["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    assert not found, (page.url, found)


def log_in(page, base, username):
    response = page.goto(f"{base}/accounts/login/")
    assert response.ok, page.content()[:3000]
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "correct horse battery")
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/")


def log_out(page):
    page.click("header form[action$='logout/'] button")


PROVINCES = ["01", "20", "22", "27", "30", "48", "79", "92"]  # not 80: a test district


def publish_demo(user, years=("2021", "2022"), provinces=PROVINCES):
    from dxscore.demo import dti

    d = dti.build()
    names = dict(zip(d.provinces["code"], d.provinces["name"], strict=True))
    level = sample.ensure_units({c: names[c] for c in provinces})
    sample.ensure_regions(provinces)
    table = d.main_2021_2024
    table = table[table["unit"].isin(provinces) & table["period"].isin(years)]
    long = table.drop(columns=["name"]).melt(
        id_vars=["unit", "period"], var_name="indicator", value_name="value"
    )
    methodology = Methodology.objects.get(code="vn-dti-2022")
    facts = {"2022": {"demo": True, "published_values": ["22", "48", "79", "92"]}}
    return sample.publish_frame(methodology, long, user, level, notice=facts)


def stored(run, node=ROOT):
    return {
        s.unit.code: (s.score, s.rank)
        for s in NodeScore.objects.filter(run=run, node=node).select_related("unit")
    }


def page_rows(response) -> dict[str, list[str]]:
    parser = Rows()
    parser.feed(response.content.decode())
    return parser.rows


def url(name, *args, **query):
    path = reverse(name, args=args)
    if query:
        from urllib.parse import urlencode

        path += "?" + urlencode(query, doseq=True)
    return path


def text_of(pdftotext, pdf: bytes, tmp_path, name="card.pdf") -> str:
    path = tmp_path / name
    path.write_bytes(pdf)
    return subprocess.run(
        [pdftotext, "-layout", str(path), "-"], check=True, capture_output=True, text=True
    ).stdout


def record(n: int, unit: str = "256", **more) -> dict:
    base = {
        "dossier_id": f"HS-{n:05d}",
        "unit": unit,
        "procedure": "1.001",
        "service_level": "full",
        "channel": "online",
        "received_at": "2024-07-01T08:30:00+07:00",
        "due_at": "2024-07-10",
        "finished_at": "2024-07-05 10:00",
        "status": "finished",
        "has_fee": True,
        "paid_online": True,
        "rating": 5,
        "updated_at": "2024-07-05T10:00:00+07:00",
    }
    return {**base, **more}


HEADER = "dossier_id,unit,procedure,service_level,channel,received_at,due_at,finished_at,status\n"


D256 = (
    "a1,256,P1,full,online,2024-07-01 08:00,2024-07-05,2024-07-03 10:00,finished\n"
    "a2,256,P1,full,online,2024-07-02 08:00,2024-07-04,2024-07-09 10:00,finished\n"
    "a3,256,P2,partial,in_person,2024-07-03 08:00,2024-08-20,,in_progress\n"
    "a4,256,P2,partial,online,2024-07-04 08:00,2024-07-10,,in_progress\n"
)


D257 = "b1,257,P1,full,in_person,2024-07-02 08:00,2024-07-20,2024-07-05 09:00,finished\n"


def upload_dossiers(client, text, **extra):
    return client.post(reverse("dossier_jobs"), {"file": csv_file(text), **extra})


def build():
    from dxscore.web.data.methodologies import store
    from dxscore.web.orgs.models import Role

    org = make_org()
    bn, district = org.bac_ninh, org.district
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


class Rows(HTMLParser):
    """Text of the cells of every ``<tr id="...">`` of a page."""

    def __init__(self):
        super().__init__()
        self.rows: dict[str, list[str]] = {}
        self._row = None
        self._cell = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "tr" and attrs.get("id"):
            self._row = attrs["id"]
            self.rows[self._row] = []
        elif tag == "td" and self._row:
            self._cell = []

    def handle_endtag(self, tag):
        if tag == "td" and self._cell is not None:
            self.rows[self._row].append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "tr":
            self._row = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def csv_file(text, name="dossiers.csv"):
    return SimpleUploadedFile(name, (HEADER + text).encode(), content_type="text/csv")


class WatchedBrowser:
    """The browser of a test: every page it opens is watched (``watch``); the ``browser``
    fixture fails the test if any page had a console error or an uncaught exception."""

    def __init__(self, browser):
        self._browser = browser
        self.errors: list[str] = []

    def new_page(self, **options):
        page = self._browser.new_page(**options)
        watch(page, self.errors)
        return page

    def __getattr__(self, name):
        return getattr(self._browser, name)


# Units, people, a methodology and values most tests start from (fixtures in conftest.py)


@dataclass
class Org:
    country: Unit
    bac_ninh: Unit
    d256: Unit
    d257: Unit
    lao_cai: Unit
    d80: Unit
    district: Level


def make_org() -> Org:
    """Việt Nam with two provinces and three districts: the units most tests use."""
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


REFORM_DAY = dt.date(2025, 7, 1)
OLD_MAP_END = dt.date(2025, 6, 30)


def reuse_code_15(org) -> dict:
    """The 2025 reform on the test org: ``15`` is Yên Bái until 30 June 2025 (the org's
    province ``15``, with district 80, renamed for the test), ``10`` the old Lào Cai until
    then; both merge into the new Lào Cai, ``15`` from 1 July 2025."""
    from dxscore.web.orgs.models import UnitChange

    yen_bai = org.lao_cai
    yen_bai.name, yen_bai.valid_to = "Yên Bái", OLD_MAP_END
    yen_bai.save()
    province = yen_bai.level
    old = Unit.objects.create(
        code="10", name="Lào Cai", level=province, parent=org.country, valid_to=OLD_MAP_END
    )
    new = Unit.objects.create(
        code="15", name="Lào Cai", level=province, parent=org.country, valid_from=REFORM_DAY
    )
    for source in (old, yen_bai):
        UnitChange.objects.create(date=REFORM_DAY, kind="merge", source=source, target=new)
    Period.objects.get_or_create(code="2025Q2")
    Period.objects.get_or_create(code="2025")
    return {"yen_bai": yen_bai, "old_lao_cai": old, "new_lao_cai": new}


# English left on a page: the same visible text in English and in another language

# Words and codes that read the same in every language: the brand, codes and file formats
SAME_IN_EVERY_LANGUAGE = {
    "dxscore", "DTI", "CSV", "PDF", "Excel", "API", "JSON", "YAML", "PNG", "SVG", "XLSX",
    "ID", "id", "OK", "Plotly", "GeoJSON", "URL", "e-mail", "email", "DEMO",
}  # fmt: skip
_CODE = re.compile(r"\S*\d\S*")  # anything with a digit: numbers, dates, codes, versions
_ACRONYM = re.compile(r"\b[A-Z][A-Z0-9&/.-]+s?\b")  # DTI, PAPI, GRDP, CNTT
_WORD = re.compile(r"[^\W\d_]{2,}")  # a word of two letters or more, any script

VISIBLE_TEXT = """() => {
  const out = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode;
    const text = node.textContent.replace(/\\s+/g, " ").trim();
    if (!text || !/\\p{L}/u.test(text)) continue;
    const el = node.parentElement;
    const skip = "script, style, noscript, template, [hidden], [aria-hidden=true]";
    if (!el || el.closest(skip)) continue;
    if (!el.getClientRects().length) continue;
    const style = getComputedStyle(el);
    if (style.visibility === "hidden" || style.display === "none") continue;
    out.push(text);
  }
  document.querySelectorAll("[placeholder], [aria-label]").forEach((el) => {
    for (const name of ["placeholder", "aria-label"]) {
      const value = (el.getAttribute(name) || "").trim();
      if (value && /\\p{L}/u.test(value) && el.getClientRects().length) out.push(value);
    }
  });
  return out;
}"""


def database_names(lang: str | None = None) -> set[str]:
    """Names people gave things, shown as written in every language: units, groups,
    people, methodologies and their nodes, resolutions, pillars, targets, tasks and
    indicators (content translations are issue 19's point 1, not the catalogues')."""
    from dxscore.web.data.models import Indicator
    from dxscore.web.orgs.models import UnitGroup
    from dxscore.web.plans.models import Resolution, Target, Task

    names: set[str] = set()
    names |= set(Unit.objects.values_list("name", flat=True))
    names |= set(UnitGroup.objects.values_list("name", flat=True))
    for user in Person.objects.select_related("user"):
        names |= {user.user.get_full_name(), user.user.get_username()}
    for m in Methodology.objects.all():
        names.add(m.title)
        for node in m.compiled().nodes.values():
            name = node.spec.name  # a text: a string, or a mapping language -> string
            if isinstance(name, str):
                names.add(name)
            elif lang not in name:  # translated names must show translated
                names.add(str(name.get("en") or next(iter(name.values()), "")))
    for r in Resolution.objects.all():
        names |= {r.title, r.issuer, r.code}
        names |= set(r.pillars.values_list("name", flat=True))
    names |= set(Target.objects.values_list("title", flat=True))
    names |= {t for pair in Task.objects.values_list("title", "expected_result") for t in pair}
    # a stored record's own name only where it has no translation in the page's language
    names |= {
        name
        for name, translations in Indicator.objects.values_list("name", "translations")
        if lang is None or lang not in (translations or {})
    }
    return {n for n in names if n}


def database_codes() -> set[str]:
    """Codes shown as they are in every language: the methodologies' node codes
    (``digital_economy``), methodology and unit codes."""
    codes = set(Unit.objects.values_list("code", flat=True))
    for m in Methodology.objects.all():
        codes.add(m.code)
        codes |= set(m.compiled().nodes)
    return codes


def _leftover(text: str, allow: list[str]) -> str:
    for name in allow:  # longest first
        text = text.replace(name, " ")
    text = _CODE.sub(" ", text)
    text = _ACRONYM.sub(" ", text)
    return " ".join(w for w in _WORD.findall(text) if w not in SAME_IN_EVERY_LANGUAGE)


def visible_text(page, address: str, lang: str) -> list[str]:
    """The visible text nodes (with letters) of ``address`` in ``lang`` (the language
    cookie), plus placeholders and accessible names."""
    from urllib.parse import urlsplit

    from django.conf import settings

    origin = "{0.scheme}://{0.netloc}/".format(urlsplit(address))  # the cookie of the site
    page.context.add_cookies(
        [{"name": settings.LANGUAGE_COOKIE_NAME, "value": lang, "url": origin}]
    )
    response = page.goto(address)
    assert response.ok, address
    page.wait_for_load_state("networkidle")
    assert page.get_attribute("html", "lang") == lang, (address, lang)
    return page.evaluate(VISIBLE_TEXT)


def english_left(page, address: str, lang: str, allow: set[str] | None = None) -> list[str]:
    """Text the page shows identically in English and in ``lang``: English left
    untranslated. Not counted: ``allow`` (by default ``database_names()``), a text that
    is one of ``database_codes()`` (an arrow aside), the words of
    ``SAME_IN_EVERY_LANGUAGE``, acronyms, and anything with a digit (numbers, dates,
    codes). The page is left in ``lang``."""
    names = sorted(database_names(lang) if allow is None else allow, key=len, reverse=True)
    codes = database_codes()
    english = set(visible_text(page, address, "en"))
    other = visible_text(page, address, lang)
    return sorted(
        {
            t
            for t in other
            if t in english and t.strip("↑↓→←▲▼ ") not in codes and _leftover(t, names)
        }
    )
