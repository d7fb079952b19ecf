"""Values typed and uploaded are read as the person's language writes numbers
(``dxscore.numbers``): a decimal comma in Vietnamese, CSV separated by semicolons (as
Vietnamese Excel writes it) or commas, with or without a byte order mark; a number that
reads two ways is refused with its row and column, and nothing lands."""

from __future__ import annotations

import io

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from dxscore.web.data.models import Upload, Value
from dxscore.web.sheets import csv_delimiter

HEADER = ["unit", "period", "indicator", "value", "comment"]


def _url(name, methodology, period, unit):
    return reverse(name, args=[methodology.pk, period.code, unit.code])


def _in(client, language):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


def _upload(client, methodology, period, unit, content: bytes, name: str, **fields):
    response = client.post(
        _url("upload_values", methodology, period, unit),
        {"file": SimpleUploadedFile(name, content), **fields},
    )
    assert response.status_code == 302, response.content
    return Upload.objects.latest("pk")


def _csv(rows, sep=",", bom=False) -> bytes:
    text = "\r\n".join(sep.join(r) for r in [HEADER, *rows]) + "\r\n"
    return (b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8")


def _changes(upload):
    return [(r["indicator"], r["value"]) for r in upload.rows]


# --- the entry form -------------------------------------------------------------------------


def test_a_decimal_comma_typed_in_vietnamese_stores_the_number(as_user, methodology, periods, org):
    """The bug: "0,85" became "085" and then "must be ≤ 1" (here 62,5 became 625 > 100)."""
    client = _in(as_user("owner"), "vi")
    response = client.post(
        _url("entry", methodology, periods["2024"], org.d256),
        {"v_online": "62,5", "v_ontime": "0,85", "action": "save"},
    )
    assert response.status_code == 302
    values = dict(Value.objects.values_list("indicator__code", "value"))
    assert values == {"online": 62.5, "ontime": 0.85}
    page = client.get(_url("entry", methodology, periods["2024"], org.d256)).content.decode()
    assert 'value="62,5"' in page and 'inputmode="decimal"' in page  # shown back as typed


def test_the_form_in_english_reads_a_point_and_refuses_an_ambiguous_number(
    as_user, methodology, periods, org
):
    client = _in(as_user("owner"), "en")
    url = _url("entry", methodology, periods["2024"], org.d256)
    response = client.post(url, {"v_online": "1,234", "action": "save"})
    assert response.status_code == 200
    assert "&#x27;1,234&#x27; could be 1234 or 1.234" in response.content.decode()
    assert not Value.objects.exists()
    client.post(url, {"v_online": "62.5", "action": "save"})
    assert Value.objects.get().value == 62.5


def test_the_ambiguity_is_explained_in_vietnamese(as_user, methodology, periods, org):
    client = _in(as_user("owner"), "vi")
    response = client.post(
        _url("entry", methodology, periods["2024"], org.d256), {"v_online": "1.234"}
    )
    assert "&#x27;1.234&#x27; có thể là 1234 hoặc 1,234" in response.content.decode()
    assert not Value.objects.exists()


# --- uploads --------------------------------------------------------------------------------


def test_a_semicolon_csv_with_decimal_commas_and_a_bom_is_read_in_vietnamese(
    as_user, methodology, periods, org
):
    """What Vietnamese Excel writes: "missing column(s): unit, period, indicator, value"
    before, and "0,6" read as 6."""
    client = _in(as_user("owner"), "vi")
    content = _csv(
        [["256", "2024", "online", "62,5", "cổng; dịch vụ"], ["256", "2024", "ontime", "0,6", ""]],
        sep=";",
        bom=True,
    )
    content = content.replace("cổng; dịch vụ".encode(), '"cổng; dịch vụ"'.encode())
    upload = _upload(client, methodology, periods["2024"], org.d256, content, "v.csv")
    assert upload.problems == []
    assert _changes(upload) == [("online", 62.5), ("ontime", 0.6)]
    assert upload.rows[0]["comment"] == "cổng; dịch vụ"


@pytest.mark.parametrize("bom", [False, True])
@pytest.mark.parametrize("sep", [",", ";", "\t"])
def test_csv_separators_and_a_bom_are_read(as_user, methodology, periods, org, sep, bom):
    client = _in(as_user("owner"), "en")
    content = _csv([["256", "2024", "online", "62.5", "ok"]], sep=sep, bom=bom)
    upload = _upload(client, methodology, periods["2024"], org.d256, content, "v.csv")
    assert upload.problems == [] and _changes(upload) == [("online", 62.5)]


def test_an_ambiguous_number_in_an_english_file_is_refused_with_row_and_column(
    as_user, methodology, periods, org
):
    client = _in(as_user("owner"), "en")
    content = _csv(
        [
            ["256", "2024", "online", "62.5", ""],
            ["256", "2024", "ontime", '"1,234"', ""],  # 1234 or 1.234?
        ]
    )
    upload = _upload(client, methodology, periods["2024"], org.d256, content, "v.csv")
    assert upload.state == "rejected"
    assert upload.problems == [
        [
            "row 3, column D (value)",
            "'1,234' could be 1234 or 1.234: write the number without a thousands separator",
        ]
    ]
    assert not Value.objects.exists()


def test_the_upload_form_names_the_file_s_language(as_user, methodology, periods, org):
    """A Vietnamese file uploaded from the English page: the person says so."""
    client = _in(as_user("owner"), "en")
    content = _csv([["256", "2024", "online", "62,5", ""]], sep=";")
    page = client.get(_url("entry", methodology, periods["2024"], org.d256)).content.decode()
    assert 'name="numbers"' in page
    upload = _upload(client, methodology, periods["2024"], org.d256, content, "v.csv", numbers="vi")
    assert upload.problems == [] and _changes(upload) == [("online", 62.5)]


def test_excel_numeric_cells_are_numbers_and_text_cells_follow_the_language(
    as_user, methodology, periods, org
):
    wb = Workbook()
    ws = wb.active
    ws.title = "values"
    ws.append(HEADER)
    ws.append(["256", "2024", "online", 62.5, ""])  # a number cell: whatever the language
    ws.append(["256", "2024", "ontime", "0,6", ""])  # a text cell: as the language says
    out = io.BytesIO()
    wb.save(out)
    for language in ("vi", "en"):  # "0,6" reads one way only in English too
        client = _in(as_user("owner"), language)
        upload = _upload(client, methodology, periods["2024"], org.d256, out.getvalue(), "v.xlsx")
        assert upload.problems == [], language
        assert _changes(upload) == [("online", 62.5), ("ontime", 0.6)], language


def test_a_text_cell_that_is_no_number_names_its_place_in_vietnamese(
    as_user, methodology, periods, org
):
    client = _in(as_user("owner"), "vi")
    content = _csv([["256", "2024", "online", "nhiều", ""], ["256", "2024", "ontime", "1.234", ""]])
    upload = _upload(client, methodology, periods["2024"], org.d256, content, "v.csv")
    assert [p[0] for p in upload.problems] == ["row 2, column D (value)", "row 3, column D (value)"]
    assert "không phải là số" in upload.problems[0][1]
    assert "có thể là 1234 hoặc 1,234" in upload.problems[1][1]
    assert not Value.objects.exists()


def test_the_separator_comes_from_the_header_line():
    assert csv_delimiter("unit;period;indicator;value\n1;2;3;0,5") == ";"
    assert csv_delimiter("unit,period,indicator,value\n") == ","
    assert csv_delimiter("unit\tperiod\n") == "\t"
    assert csv_delimiter('"a;b",c,d\n') == ","  # separators inside quotes do not count
    assert csv_delimiter("unit\n") == ","
