"""Data collection: the generated entry form, Excel/CSV templates, dry-run previews and
all-or-nothing commits, and who may see or change what."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from dxscore.web.data import imports
from dxscore.web.data.models import Upload, Value
from dxscore.web.data.workflow import WorkflowError
from tests.web.support import approved, put_values


def _url(name, methodology, period, unit):
    return reverse(name, args=[methodology.pk, period.code, unit.code])


def _values(unit, period):
    return dict(
        Value.objects.filter(unit=unit, period=period).values_list("indicator__code", "value")
    )


def test_entry_form_shows_what_the_methodology_says_and_last_periods_value(
    as_user, people, methodology, periods, org
):
    approved(people, methodology, periods["2023"], org.d256, online=41.5, ontime=80)
    page = as_user("owner").get(_url("entry", methodology, periods["2024"], org.d256))
    text = page.content.decode()
    assert page.status_code == 200
    assert "Online dossiers" in text and "Share of dossiers filed online." in text
    assert "[0, 100]" in text and "%" in text
    assert "41.5" in text  # last period's approved value
    assert 'name="v_online"' in text and 'name="f_online"' in text and 'name="l_online"' in text


def test_owner_saves_a_draft_through_the_form_and_the_history_names_them(
    as_user, people, methodology, periods, org
):
    client = as_user("owner")
    response = client.post(
        _url("entry", methodology, periods["2024"], org.d256),
        {"v_online": "62.5", "c_online": "from the portal", "v_ontime": "", "action": "save"},
    )
    assert response.status_code == 302
    value = Value.objects.get(unit=org.d256, indicator__code="online", period=periods["2024"])
    assert (value.value, value.comment, value.status) == (62.5, "from the portal", "draft")
    record = value.history.get()
    assert record.history_user == people["owner"] and record.value == 62.5
    assert not Value.objects.filter(indicator__code="ontime").exists()


def test_a_value_outside_its_range_is_refused_by_the_form(as_user, methodology, periods, org):
    response = as_user("owner").post(
        _url("entry", methodology, periods["2024"], org.d256), {"v_online": "140"}
    )
    assert response.status_code == 200
    assert "less than or equal to 100" in response.content.decode()
    assert not Value.objects.exists()


@pytest.mark.parametrize(
    ("persona", "get_status", "post_status"),
    [("owner", 200, 302), ("colleague", 200, 403), ("outsider", 404, 404)],
)
def test_owner_edits_colleague_only_reads_outsider_sees_nothing(
    as_user, methodology, periods, org, persona, get_status, post_status
):
    client = as_user(persona)
    url = _url("entry", methodology, periods["2024"], org.d256)
    page = client.get(url)
    assert page.status_code == get_status
    if get_status == 200:
        assert ('name="v_online" ' in page.content.decode()) == (persona == "owner") or (
            "disabled" in page.content.decode()
        )
    assert client.post(url, {"v_online": "50"}).status_code == post_status
    stored = Value.objects.filter(unit=org.d256).values_list("value", flat=True)
    assert list(stored) == ([50.0] if persona == "owner" else [])


def test_evidence_files_are_served_only_to_people_in_scope(as_user, methodology, periods, org):
    client = as_user("owner")
    client.post(
        _url("entry", methodology, periods["2024"], org.d256),
        {"v_online": "50", "f_online": SimpleUploadedFile("report.pdf", b"%PDF-1.4 proof")},
    )
    value = Value.objects.get(unit=org.d256)
    assert value.evidence.name.startswith("evidence/2024/")
    url = reverse("value_evidence", args=[value.pk])
    assert b"".join(as_user("colleague").get(url).streaming_content) == b"%PDF-1.4 proof"
    assert as_user("outsider").get(url).status_code == 404


def test_evidence_of_an_unknown_type_is_refused(as_user, methodology, periods, org):
    response = as_user("owner").post(
        _url("entry", methodology, periods["2024"], org.d256),
        {"v_online": "50", "f_online": SimpleUploadedFile("run.exe", b"MZ")},
    )
    assert "Evidence must be one of" in response.content.decode()
    assert not Value.objects.exists()


# --- templates and uploads ------------------------------------------------------------


def _template(client, methodology, period, unit):
    response = client.get(_url("template", methodology, period, unit))
    assert response.status_code == 200
    return load_workbook(io.BytesIO(response.content))


def _fill(wb, values: dict[tuple[str, str], object]) -> bytes:
    ws = wb["values"]
    for row in ws.iter_rows(min_row=2):
        key = (row[0].value, row[3].value)
        if key in values:
            row[8].value = values[key]
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _upload(client, methodology, period, unit, content: bytes, name="values.xlsx"):
    response = client.post(
        _url("upload_values", methodology, period, unit),
        {"file": SimpleUploadedFile(name, content)},
    )
    assert response.status_code == 302, response.content
    return Upload.objects.latest("pk")


def test_template_lists_the_units_indicators_with_dropdowns_and_ranges(
    as_user, methodology, periods, org
):
    wb = _template(as_user("steering"), methodology, periods["2024"], org.bac_ninh)
    ws = wb["values"]
    header = [c.value for c in ws[1]]
    assert header[:4] == ["unit", "unit_name", "period", "indicator"]
    rows = [(r[0].value, r[3].value, r[6].value) for r in ws.iter_rows(min_row=2)]
    assert rows == [
        ("256", "online", "[0, 100]"),
        ("256", "ontime", "[0, 100]"),
        ("257", "online", "[0, 100]"),
        ("257", "ontime", "[0, 100]"),
    ]
    rules = {
        (dv.type, dv.operator, dv.formula1, dv.formula2)
        for dv in ws.data_validations.dataValidation
    }
    assert ("decimal", "between", "0", "100") in rules
    assert ("list", None, "lists!$B$2:$B$3", None) in rules
    assert wb["lists"].sheet_state == "hidden"


def test_upload_shows_a_preview_and_stores_nothing_until_committed(
    as_user, methodology, periods, org
):
    client = as_user("owner")
    wb = _template(client, methodology, periods["2024"], org.d256)
    upload = _upload(
        client,
        methodology,
        periods["2024"],
        org.d256,
        _fill(wb, {("256", "online"): 64, ("256", "ontime"): 91.25}),
    )
    assert upload.state == "preview" and upload.problems == []
    assert [(r["indicator"], r["value"]) for r in upload.rows] == [
        ("online", 64),
        ("ontime", 91.25),
    ]
    assert not Value.objects.exists()
    page = client.get(reverse("upload", args=[upload.pk])).content.decode()
    assert "2 values will change" in page and "91.25" in page
    response = client.post(reverse("upload_commit", args=[upload.pk]), {"action": "commit"})
    assert response.status_code == 302
    assert _values(org.d256, periods["2024"]) == {"online": 64.0, "ontime": 91.25}
    assert Value.objects.get(indicator__code="online").history.get().history_change_reason == (
        "upload values.xlsx"
    )
    record = Value.objects.get(indicator__code="online").history.get()
    assert (record.channel, record.upload_id) == ("upload", upload.pk)  # kept in the history
    # committing the same upload again changes nothing
    client.post(reverse("upload_commit", args=[upload.pk]), {"action": "commit"})
    assert Value.history.count() == 2
    with pytest.raises(WorkflowError, match="committed"):
        imports.commit(upload, upload.uploaded_by)


def test_every_bad_cell_is_listed_by_sheet_row_and_column_and_nothing_lands(
    as_user, methodology, periods, org
):
    client = as_user("steering")  # enters for all of Bắc Ninh
    wb = _template(client, methodology, periods["2024"], org.bac_ninh)
    ws = wb["values"]
    ws["I2"] = 55  # good row: must not land either
    ws["I3"] = 140  # outside [0, 100]
    ws["I4"] = "lots"  # not a number
    ws["I5"] = "=B2*2"  # a formula
    ws.append(["80", "", "2024", "online", "", "", "", "", 10])  # outside the person's scope
    ws.append(["999", "", "2024", "online", "", "", "", "", 10])  # unknown unit
    ws.append(["256", "", "2024", "speed", "", "", "", "", 10])  # unknown indicator
    out = io.BytesIO()
    wb.save(out)
    upload = _upload(client, methodology, periods["2024"], org.bac_ninh, out.getvalue())
    problems = [tuple(p) for p in upload.problems]
    assert upload.state == "rejected"
    assert problems == [
        (
            "sheet 'values', row 3, column I (value)",
            "140 is outside the valid range [0, 100] of 'ontime'",
        ),
        ("sheet 'values', row 4, column I (value)", "'lots' is not a number"),
        ("sheet 'values', row 5, column I (value)", "formulas are not accepted: type the value"),
        ("sheet 'values', row 6, column A (unit)", "you may not enter values for TP. Lào Cai (80)"),
        ("sheet 'values', row 7, column A (unit)", "unknown unit '999'"),
        (
            "sheet 'values', row 8, column D (indicator)",
            "unknown indicator 'speed' in test-districts v1",
        ),
    ]
    page = client.get(reverse("upload", args=[upload.pk])).content.decode()
    assert "6 problems: nothing will be stored" in page and "Store these values" not in page
    assert not Value.objects.exists()


def test_csv_uploads_work_like_excel_and_bad_encodings_are_named(
    as_user, methodology, periods, org
):
    client = as_user("owner")
    csv_text = "unit,period,indicator,value,comment\n256,2024,online,70,ok\n256,2024,ontime,,\n"
    upload = _upload(client, methodology, periods["2024"], org.d256, csv_text.encode(), "v.csv")
    assert upload.problems == [] and [r["value"] for r in upload.rows] == [70]
    imports.commit(upload, upload.uploaded_by)
    assert _values(org.d256, periods["2024"]) == {"online": 70.0}
    bad = _upload(
        client, methodology, periods["2024"], org.d256, "unit\n\xff".encode("latin-1"), "v.csv"
    )
    assert bad.problems == [["file", "not UTF-8 text"]]
    dup = "unit,period,indicator,value\n256,2024,online,1\n256,2024,online,2\n"
    dup_upload = _upload(client, methodology, periods["2024"], org.d256, dup.encode(), "d.csv")
    assert dup_upload.problems == [
        ["row 3", "duplicate of row 2 (unit '256', period '2024', 'online')"]
    ]


def test_wrong_file_types_are_refused_before_reading(as_user, methodology, periods, org):
    client = as_user("owner")
    url = _url("upload_values", methodology, periods["2024"], org.d256)
    for name, content in (("v.txt", b"unit"), ("v.xlsx", b"not a zip")):
        response = client.post(url, {"file": SimpleUploadedFile(name, content)}, follow=True)
        assert "Upload an Excel" in response.content.decode() or "not an Excel" in (
            response.content.decode()
        )
    assert not Upload.objects.exists()


def test_a_value_changed_after_the_preview_makes_the_whole_commit_fail(
    as_user, people, methodology, periods, org
):
    client = as_user("owner")
    first = "unit,period,indicator,value\n256,2024,online,10\n"
    second = "unit,period,indicator,value\n256,2024,ontime,20\n256,2024,online,30\n"
    a = _upload(client, methodology, periods["2024"], org.d256, first.encode(), "a.csv")
    b = _upload(client, methodology, periods["2024"], org.d256, second.encode(), "b.csv")
    imports.commit(a, people["owner"])
    with pytest.raises(WorkflowError, match="Row 3: online of 256 changed since the preview"):
        imports.commit(b, people["owner"])
    assert _values(org.d256, periods["2024"]) == {"online": 10.0}  # b's ontime did not land
    b.refresh_from_db()
    assert b.state == "preview"


def test_approved_values_in_an_upload_are_locked(as_user, people, methodology, periods, org):
    approved(people, methodology, periods["2024"], org.d256, online=60, ontime=90)
    client = as_user("owner")
    text = "unit,period,indicator,value\n256,2024,online,61\n256,2024,ontime,90\n"
    upload = _upload(client, methodology, periods["2024"], org.d256, text.encode(), "v.csv")
    assert upload.problems == [["row 2, column D (value)", "online of 256 is approved and locked"]]


def test_someone_else_cannot_commit_my_upload(as_user, people, methodology, periods, org):
    upload = _upload(
        as_user("owner"),
        methodology,
        periods["2024"],
        org.d256,
        b"unit,period,indicator,value\n256,2024,online,10\n",
        "v.csv",
    )
    response = as_user("steering").post(reverse("upload_commit", args=[upload.pk]))
    assert response.status_code == 403
    assert as_user("outsider").get(reverse("upload", args=[upload.pk])).status_code == 404
    assert not Value.objects.exists()


def test_put_values_helper_and_form_agree(people, methodology, periods, org):
    assert put_values(people["owner"], methodology, periods["2024"], org.d256, online=5) == 1
    assert _values(org.d256, periods["2024"]) == {"online": 5.0}


def test_the_template_uploaded_back_unchanged_changes_nothing(as_user, methodology, periods, org):
    """Issue 18: a computed value written into the template (0.33820694087403597) comes
    back from the spreadsheet as 0.338206940874036; the upload must not call it a change
    of a read-only value. Values are compared as numbers to a spreadsheet's precision."""
    from dxscore.web.data.models import Indicator

    online = Indicator.objects.get(code="online")
    online.source = Indicator.Source.DOSSIERS
    online.save()
    period = periods["2024"]
    Value.objects.create(unit=org.d256, indicator=online, period=period, value=0.33820694087403597)
    client = as_user("owner")
    wb = _template(client, methodology, period, org.d256)
    written = {r[3].value: r[8].value for r in wb["values"].iter_rows(min_row=2)}
    assert written["online"] == pytest.approx(0.33820694087403597, rel=1e-14)
    content = _fill(wb, {("256", "online"): 0.338206940874036, ("256", "ontime"): 91})
    upload = _upload(client, methodology, period, org.d256, content)
    assert upload.problems == []
    assert [(r["indicator"], r["value"]) for r in upload.rows] == [("ontime", 91)]
    # a real change of a computed value is still refused, naming row and column
    content = _fill(wb, {("256", "online"): 0.34, ("256", "ontime"): 91})
    upload = _upload(client, methodology, period, org.d256, content)
    assert upload.problems and "computed from dossiers and read-only" in upload.problems[0][1]


def test_same_number_is_equality_to_a_spreadsheets_precision():
    assert imports.same_number(0.33820694087403597, 0.338206940874036)
    assert imports.same_number(None, None) and not imports.same_number(None, 0.0)
    assert not imports.same_number(0.3382069408740, 0.3382069408741)
    assert imports.same_number(0.0, -0.0) and not imports.same_number(0.0, 1e-300 * 1e290)
