"""Content in the reader's language (docs/languages.md, "Content in several languages"):
the built-in methodology's names, the regions and the plans' content are shown in
Vietnamese on a Vietnamese page, PDF, workbook and API answer, and in English otherwise;
a methodology stored with plain names before translations existed still renders."""

from __future__ import annotations

import csv
import io

import pytest
from django.conf import settings
from openpyxl import load_workbook

from tests.web.support import PROVINCES, publish_demo, text_of, url

pytestmark = pytest.mark.slow

YEARS = ("2022",)
UNITS = PROVINCES[:3]  # 01 Hà Nội (Red River Delta), 20 Lạng Sơn, 22 Quảng Ninh


@pytest.fixture(name="run")
def run_fixture(people):
    return publish_demo(people["admin"], years=YEARS, provinces=UNITS)[-1]


def _in(client, lang):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = lang
    return client


def test_the_leaderboard_in_vietnamese_shows_vietnamese_names_and_regions(client, run):
    page = _in(client, "vi").get(url("dash_leaderboard", "vn-dti-2022", "2022")).content.decode()
    assert "Chính quyền số" in page and "Xã hội số" in page  # the pillars
    assert "Chỉ số chuyển đổi số cấp tỉnh (DTI)" in page
    assert "Đồng bằng sông Hồng" in page and "Red River Delta" not in page
    assert '<optgroup label="Vùng">' in page  # the group filter names the kind too
    assert "Digital government" not in page and "Provincial DTI" not in page
    english = _in(client, "en").get(url("dash_leaderboard", "vn-dti-2022", "2022"))
    text = english.content.decode()
    assert "Digital government (Chính quyền số)" in text and "Red River Delta" in text
    arabic = _in(client, "ar").get(url("dash_leaderboard", "vn-dti-2022", "2022"))
    assert "الحكومة الرقمية" in arabic.content.decode()


def test_the_scorecard_and_node_page_in_vietnamese(client, run):
    card = _in(client, "vi").get(url("dash_scorecard", "vn-dti-2022", "2022", "20"))
    text = card.content.decode()
    assert "Nhận thức số" in text and "Hạ tầng số" in text and "Lạng Sơn" in text
    assert "Digital infrastructure" not in text
    node = client.get(url("dash_node", "vn-dti-2022", "2022", "awareness")).content.decode()
    assert "Nhận thức số" in node and "Chỉ số nền tảng, 10 chỉ số thành phần." in node


def test_map_comparison_what_if_and_explanation_in_vietnamese(client, as_user, run):
    vi = _in(client, "vi")
    pages = [
        vi.get(url("dash_map", "vn-dti-2022", "2022", node="digital_society")),
        vi.get(url("dash_compare", "vn-dti-2022", "2022", units=["01", "20"])),
    ]
    admin = _in(as_user("admin"), "vi")
    pages += [
        admin.get(url("dash_whatif", run.pk, "20")),
        admin.get(url("run_explain", run.pk, "20")),
    ]
    for page in pages:
        assert page.status_code == 200
        text = page.content.decode()
        assert "Xã hội số" in text and "Digital society" not in text, page.request["PATH_INFO"]


def test_the_scorecard_pdf_in_vietnamese(client, run, tmp_path, pdftotext):
    pdf = _in(client, "vi").get(url("dash_scorecard_dl", "vn-dti-2022", "2022", "20", "pdf"))
    text = text_of(pdftotext, pdf.content, tmp_path)
    assert "Chính quyền số" in text and "Nhận thức số" in text
    assert "Digital government" not in text
    pdf = _in(client, "hi").get(url("dash_scorecard_dl", "vn-dti-2022", "2022", "20", "pdf"))
    hindi = text_of(pdftotext, pdf.content, tmp_path, "hi.pdf").replace(" ", "")
    assert "डिजिटलसरकार" in hindi  # pdftotext may split a syllable with a space


def test_the_leaderboard_workbook_and_csv_in_vietnamese(client, run):
    body = _in(client, "vi").get(url("dash_leaderboard_dl", "vn-dti-2022", "2022", "xlsx"))
    wb = load_workbook(io.BytesIO(body.content))
    ws = wb.worksheets[0]
    header = [c.value for c in ws[1]]
    assert "Chỉ số chuyển đổi số cấp tỉnh (DTI)" in header and "Chính quyền số" in header
    assert "Provincial DTI" not in header
    sheets = {s.title: s for s in wb.worksheets}
    methodology = next(s for t, s in sheets.items() if t not in (ws.title,) and s.max_column >= 9)
    names = {r[0].value: r[1].value for r in methodology.iter_rows(2)}
    assert names["awareness"] == "Nhận thức số" and names["digital_society"] == "Xã hội số"
    answer = client.get(url("dash_leaderboard_dl", "vn-dti-2022", "2022", "csv"))
    rows = list(csv.reader(io.StringIO(answer.content.decode("utf-8-sig"))))
    assert rows[0][:5] == ["rank", "rank_change", "unit", "name", "group_region"]  # codes
    region = {r[2]: r[4] for r in rows[1:]}
    assert region["01"] == "Đồng bằng sông Hồng"  # the region's name in the reader's language


def test_the_api_answers_in_the_language_asked(api, run):
    results = api.get(f"runs/{run.pk}/results", node="awareness", lang="vi").json()
    assert {r["name"] for r in results["items"]} == {"Nhận thức số"}
    results = api.get(f"runs/{run.pk}/results", node="awareness").json()
    assert {r["name"] for r in results["items"]} == {"Digital awareness (Nhận thức số)"}
    by_header = api.client.get(
        f"/api/v1/runs/{run.pk}/results",
        {"node": "digital_government"},
        HTTP_AUTHORIZATION=f"Bearer {api.token('owner')}",
        HTTP_ACCEPT_LANGUAGE="hi",
    ).json()
    assert {r["name"] for r in by_header["items"]} == {"डिजिटल सरकार"}
    detail = api.get(f"methodologies/{run.methodology_id}", lang="vi").json()
    assert detail["title"].startswith("Bộ chỉ số đánh giá chuyển đổi số cấp tỉnh")
    assert {i["code"]: i["name"] for i in detail["inputs"]}["awareness"] == "Nhận thức số"
    refused = api.get(f"runs/{run.pk}/results", lang="fr")
    assert refused.status_code == 400 and "lang" in refused.json()["errors"][0]["loc"]


def test_a_methodology_stored_with_plain_names_still_renders(client, run):
    """A version stored before translations (plain English names) keeps its words."""
    from dxscore.web.data.models import Methodology

    m = Methodology.objects.get(pk=run.methodology_id)
    plain = _plain(m.text)
    assert "vi:" not in plain
    Methodology.objects.filter(pk=m.pk).update(text=plain)
    page = _in(client, "vi").get(url("dash_leaderboard", "vn-dti-2022", "2022")).content.decode()
    assert "Digital government (Chính quyền số)" in page and "Provincial DTI" in page
    pdf = client.get(url("dash_scorecard_dl", "vn-dti-2022", "2022", "20", "pdf"))
    assert pdf.status_code == 200


def test_a_stored_builtin_takes_the_translated_text_when_it_computes_the_same(run):
    from dxscore.web.data.methodologies import ensure_builtins
    from dxscore.web.data.models import Indicator, Methodology

    m = Methodology.objects.get(pk=run.methodology_id)
    translated = m.text
    Methodology.objects.filter(pk=m.pk).update(text=_plain(translated))
    Indicator.objects.filter(code="awareness").update(translations={})
    ensure_builtins()
    m.refresh_from_db()
    assert m.text == translated and m.digest == m.compiled().digest
    assert Indicator.objects.get(code="awareness").translations["vi"] == "Nhận thức số"
    # a changed computation under the same version is never overwritten
    Methodology.objects.filter(pk=m.pk).update(text=_plain(translated), digest="0" * 64)
    ensure_builtins()
    assert Methodology.objects.get(pk=m.pk).text == _plain(translated)


def test_plans_content_in_vietnamese(as_user, plan, api):
    resolution = plan["resolution"]
    resolution.translations = {"vi": "Chuyển đổi số đến năm 2025"}
    resolution.save()
    pillar = resolution.pillars.get(code="gov")
    pillar.translations = {"vi": "Chính quyền số"}
    pillar.save()
    client = _in(as_user("colleague"), "vi")
    page = client.get(url("plans:resolution", resolution.pk)).content.decode()
    assert "Chuyển đổi số đến năm 2025" in page and "Chính quyền số" in page
    assert "Digital government" not in page
    english = _in(client, "en").get(url("plans:resolution", resolution.pk)).content.decode()
    assert "Digital transformation to 2025" in english and "Digital government" in english
    answer = api.get(f"resolutions/{resolution.pk}", lang="vi").json()
    assert answer["title"] == "Chuyển đổi số đến năm 2025"
    assert answer["pillars"][0]["name"] == "Chính quyền số"
    assert answer["translations"] == {"vi": "Chuyển đổi số đến năm 2025"}


def test_procedure_names_in_the_readers_language(db):
    from django.utils import translation

    from dxscore.web.dashboards.public_services import procedure_names
    from dxscore.web.dossierdata.models import Procedure

    Procedure.objects.create(
        code="1.001", name="Đăng ký khai sinh", translations={"en": "Birth registration"}
    )
    Procedure.objects.create(code="1.002", name="Chứng thực")
    with translation.override("vi"):
        assert procedure_names(["1.001", "1.002"]) == {
            "1.001": "Đăng ký khai sinh",
            "1.002": "Chứng thực",
        }
    with translation.override("en"):
        assert procedure_names(["1.001"]) == {"1.001": "Birth registration"}
        assert str(Procedure.objects.get(code="1.002")) == "1.002 Chứng thực"


def _plain(text: str) -> str:
    """A methodology file as written before translations: English strings only."""
    import yaml

    from dxscore import texts

    def walk(node):
        if isinstance(node, dict):
            if node and set(node) <= set(texts.LANGUAGES):
                return texts.english(node)
            return {k: walk(v) for k, v in node.items()}
        if isinstance(node, list):
            return [walk(v) for v in node]
        return node

    return yaml.safe_dump(walk(yaml.safe_load(text)), allow_unicode=True, sort_keys=False)


def test_a_translations_field_refuses_unknown_languages(db):
    from django.core.exceptions import ValidationError

    from dxscore.web.orgs.models import UnitGroup

    group = UnitGroup(kind="region", code="north", name="North", translations={"vn": "Bắc"})
    with pytest.raises(ValidationError, match="unknown language code"):
        group.full_clean()
    group.translations = {"vi": "Miền Bắc"}
    group.full_clean()
    group.save()
    assert UnitGroup.objects.get(code="north").label == "North"  # English reader


def test_the_levers_are_named_in_the_readers_language(client, run):
    """The levers are computed and stored once (the first reader's language): their
    names are the methodology's in each reader's language."""
    import re

    address = url("dash_scorecard", "vn-dti-2022", "2022", "20")
    english = _in(client, "en").get(address).content.decode()
    vietnamese = _in(client, "vi").get(address).content.decode()

    def lever_names(page: str) -> list[str]:
        table = page.split('id="t-levers"', 1)[1].split("</table>", 1)[0]
        return re.findall(r"<tr><td>([^<]+)</td>", table)

    assert lever_names(english) and len(lever_names(english)) == len(lever_names(vietnamese))
    assert not set(lever_names(english)) & set(lever_names(vietnamese))
