"""A unit code is read on the map of its period: ``15`` is Yên Bái until 30 June 2025 and
the new Lào Cai from 1 July 2025 (``docs/units.md``), in value uploads and entry pages."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from dxscore.web.data import imports
from dxscore.web.data.models import Period, Upload, Value
from tests.web.support import reuse_code_15


@pytest.fixture
def reform(org):
    return reuse_code_15(org)


def _upload(client, methodology, period, unit_code, text):
    response = client.post(
        reverse("upload_values", args=[methodology.pk, period, unit_code]),
        {"file": SimpleUploadedFile("values.csv", text.encode())},
    )
    assert response.status_code == 302, response.content[:300]
    return Upload.objects.latest("pk")


def test_an_upload_reads_each_code_on_the_map_of_its_period(as_user, methodology, reform):
    client = as_user("admin")
    before = _upload(
        client, methodology, "2025Q2", "VN", "unit,period,indicator,value\n15,2025Q2,online,40\n"
    )
    after = _upload(
        client, methodology, "2025", "VN", "unit,period,indicator,value\n15,2025,online,60\n"
    )
    assert before.problems == [] and after.problems == []
    imports.commit(before, before.uploaded_by)
    imports.commit(after, after.uploaded_by)
    stored = {(v.unit.key, v.period.code): v.value for v in Value.objects.select_related("unit")}
    assert stored == {("15", "2025Q2"): 40.0, ("15@2025-07-01", "2025"): 60.0}
    assert Value.objects.get(period__code="2025Q2").unit == reform["yen_bai"]


def test_a_code_that_denotes_no_unit_in_the_period_names_the_row_and_stores_nothing(
    as_user, methodology, reform
):
    client = as_user("admin")
    text = "unit,period,indicator,value\n15,2025,online,60\n10,2025,online,50\n"
    upload = _upload(client, methodology, "2025", "VN", text)
    assert upload.state == "rejected"
    assert upload.problems == [
        [
            "row 3, column A (unit)",
            "'10' denotes no unit in period 2025 (on its last day, 12/31/2025); "
            "it denotes Lào Cai (10) until 06/30/2025",
        ]
    ]
    assert not Value.objects.exists()


def test_entry_pages_read_the_code_on_the_periods_map_and_accept_a_key(
    as_user, methodology, reform
):
    client = as_user("admin")

    def page_of(period, unit):
        return client.get(reverse("entry", args=[methodology.pk, period, unit]))

    assert "Yên Bái" in page_of("2025Q2", "15").content.decode()
    assert "Lào Cai" in page_of("2025", "15").content.decode()
    assert page_of("2025", "15").context["unit"] == reform["new_lao_cai"]
    assert page_of("2025", "15@2025-07-01").context["unit"] == reform["new_lao_cai"]
    assert page_of("2025Q2", "15@2025-07-01").status_code == 404  # not yet in force
    # a unit that ended within the period stays reachable by its key (here its code)
    assert page_of("2025", "10").context["unit"] == reform["old_lao_cai"]
    Period.objects.create(code="2025Q3")
    assert page_of("2025Q3", "10").status_code == 404
