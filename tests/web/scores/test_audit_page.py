"""The statistical audit page of a score run: staff only, one table per section, the
figures of the engine's audit, a workbook download, in Vietnamese too."""

from io import BytesIO

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from dxscore.web.scores import runs
from tests.web.support import approved


@pytest.fixture
def run(people, methodology, periods, org):
    """Bắc Ninh's two districts: online 60 and 30, on time 90 and 60 (identity scores)."""
    p = periods["2024"]
    approved(people, methodology, p, org.d256, online=60, ontime=90)
    approved(people, methodology, p, org.d257, online=30, ontime=60)
    return runs.compute_run(people["steering"], methodology, p)


def test_only_staff_see_the_audit_of_a_run(as_user, run):
    for url in (reverse("run_audit", args=[run.pk]), reverse("run_audit_xlsx", args=[run.pk])):
        for persona in ("owner", "colleague", "outsider", "approver"):
            assert as_user(persona).get(url).status_code == 403, persona
        anonymous = Client().get(url)
        assert anonymous.status_code == 302 and "login" in anonymous["Location"]
        assert as_user("steering").get(url).status_code == 200
        assert as_user("admin").get(url).status_code == 200
    runs.publish(run, run.created_by)  # a published run is public; its audit is not
    assert Client().get(reverse("run", args=[run.pk])).status_code == 200
    assert as_user("owner").get(reverse("run_audit", args=[run.pk])).status_code == 403


def test_the_page_has_a_table_per_section_with_the_audit_figures(as_user, run):
    page = as_user("steering").get(reverse("run_audit", args=[run.pk])).content.decode()
    for title in ("Data availability per unit", "Correlations", "Cronbach", "Remove one"):
        assert title in page
    assert page.count('<table class="grid audit">') == 6
    # two items of variances 450 and 450 whose sum (150, 90) has variance 1800: alpha 1
    cronbach = page.split('id="cronbach"')[1].split("</section>")[0]
    assert '<td class="num">1.0</td>' in cronbach
    run_page = as_user("steering").get(reverse("run", args=[run.pk])).content.decode()
    assert reverse("run_audit", args=[run.pk]) in run_page
    owners_view = as_user("owner")
    runs.publish(run, run.created_by)
    assert reverse("run_audit", args=[run.pk]) not in (
        owners_view.get(reverse("run", args=[run.pk])).content.decode()
    )


def test_the_workbook_has_a_sheet_per_section(as_user, run):
    response = as_user("steering").get(reverse("run_audit_xlsx", args=[run.pk]))
    assert response["Content-Disposition"].endswith('.xlsx"')
    wb = load_workbook(BytesIO(response.content))
    assert wb.sheetnames == [
        "units",
        "indicators",
        "correlations",
        "alpha",
        "components",
        "remove one",
        "about",
    ]
    units = wb["units"]
    assert [c.value for c in units[1]][:3] == ["Unit", "Name", "With a value"]
    assert sorted(units.cell(r, 1).value for r in (2, 3)) == ["256", "257"]
    assert wb["alpha"]["D2"].value == pytest.approx(1.0)


def test_the_page_and_workbook_in_vietnamese(as_user, run):
    client = as_user("steering")
    with translation.override("vi"):
        page = client.get(
            reverse("run_audit", args=[run.pk]), HTTP_ACCEPT_LANGUAGE="vi"
        ).content.decode()
    assert "Kiểm định thống kê" in page and "Mức độ đầy đủ dữ liệu theo đơn vị" in page
