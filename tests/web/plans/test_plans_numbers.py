"""Target values typed in the target form or written as text in the plan's workbook are
read as the person's language writes numbers (``dxscore.numbers``)."""

from __future__ import annotations

import io

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from dxscore.web.plans import excel
from dxscore.web.plans.forms import TargetForm
from dxscore.web.plans.models import PlanUpload, Target


def _upload(client, plan, wb):
    buffer = io.BytesIO()
    wb.save(buffer)
    file = SimpleUploadedFile("plan.xlsx", buffer.getvalue())
    response = client.post(reverse("plans:upload", args=[plan["resolution"].pk]), {"file": file})
    assert response.status_code == 302
    return PlanUpload.objects.latest("uploaded_at")


def _workbook(plan):
    return load_workbook(io.BytesIO(excel.export(plan["resolution"])))


def test_a_target_value_written_as_text_with_a_decimal_comma(as_user, plan):
    client = as_user("steering")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "vi"
    wb = _workbook(plan)
    wb["targets"]["G2"] = "72,5"  # text, as typed in a Vietnamese workbook
    upload = _upload(client, plan, wb)
    assert upload.problems == []
    client.post(reverse("plans:upload_commit", args=[upload.pk]), {"action": "commit"})
    assert Target.objects.get(number=1).value == 72.5


def test_an_ambiguous_target_value_is_named_and_nothing_is_stored(as_user, plan):
    client = as_user("steering")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    wb = _workbook(plan)
    wb["targets"]["G2"] = "7,500"
    upload = _upload(client, plan, wb)
    assert upload.state == "rejected"
    assert upload.problems == [
        [
            "sheet 'targets', row 2, column G (value)",
            "'7,500' could be 7500 or 7.5: write the number without a thousands separator",
        ]
    ]
    assert Target.objects.get(number=1).value == 70


def test_the_target_form_reads_a_decimal_comma_in_vietnamese(plan):
    resolution = plan["resolution"]
    target = resolution.targets.get(number=1)
    with translation.override("vi"):
        form = TargetForm(instance=target, resolution=resolution)
        assert form.fields["value"].clean("72,5") == 72.5
        assert form.fields["baseline"].clean("") is None
        assert 'value="70"' in str(form["value"]) and 'type="text"' in str(form["value"])


def test_dates_on_pages_are_written_as_people_of_the_language_write_them(as_user, plan):
    client = as_user("colleague")
    address = reverse("plans:resolutions")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "vi"
    assert "18/03/2022" in client.get(address).content.decode()  # the resolution's date
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    assert "Mar 18, 2022" in client.get(address).content.decode()


def test_a_rate_target_is_shown_and_typed_as_a_percentage(as_user, plan):
    """Issue 18, point 13: a target on a rate ("rate (0-1)") reads 90.0%, not 0.9, on
    the form and the pages, and its value may be typed as a percentage."""
    from dxscore.web.data.models import Indicator

    resolution = plan["resolution"]
    target = resolution.targets.get(number=1)
    target.indicator = Indicator.objects.create(
        code="online_rate", name="Online rate", measure="rate (0-1)"
    )
    target.value = 0.9
    target.save()
    with translation.override("vi"):
        form = TargetForm(instance=target, resolution=resolution)
        assert 'value="90,0%"' in str(form["value"])
        assert form.fields["value"].clean("92,5%") == 0.925
        assert form.fields["value"].clean("0,925") == 0.925
    client = as_user("steering")
    for language, shown in (("en", "90.0%"), ("vi", "90,0%")):
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
        page = client.get(reverse("plans:resolution", args=[resolution.pk])).content.decode()
        assert shown in page and "rate (0-1)" not in page


def test_a_percentage_is_refused_for_a_target_whose_indicator_is_no_rate(plan):
    resolution = plan["resolution"]
    target = resolution.targets.get(number=1)  # on "online", unit "%": values like 70
    data = {
        "number": 1,
        "title": target.title,
        "unit": target.unit_id,
        "indicator": target.indicator_id,
        "comparison": target.comparison,
        "value": "70%",
        "deadline": target.deadline,
    }
    with translation.override("en"):
        form = TargetForm(data, instance=target, resolution=resolution)
        assert not form.is_valid()
        assert form.errors["value"] == [
            "online is not a rate: type its value as a number, without %"
        ]
        form = TargetForm(data | {"value": "70"}, instance=target, resolution=resolution)
        assert form.is_valid(), form.errors


def test_status_reasons_are_written_in_the_readers_language(as_user, plan):
    """The status library gives a reason key and its numbers; the page writes it in the
    reader's language, the numbers as the indicator shows them."""
    from dxscore import plans as status_rules
    from dxscore.web.plans.assessing import reason_text

    client = as_user("steering")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "vi"
    page = client.get(reverse("plans:resolution", args=[plan["resolution"].pk])).content.decode()
    assert "chưa có giá trị được duyệt" in page  # target 1: no approved value
    assert "chưa có minh chứng được duyệt" in page  # target 2: qualitative, no evidence
    assert "no approved value yet" not in page
    t1 = plan["t1"]
    trend = status_rules.Assessment(
        "on_track", "72.5 in 2024; ...", 72.5, "2024", 80.25, why="value_trend"
    )
    with translation.override("vi"):
        assert reason_text(t1, trend) == (
            f"72,5 kỳ 2024; xu hướng dự báo đạt 80,25 vào {t1.deadline}"
        )
    with translation.override("en"):
        assert reason_text(t1, trend) == f"72.5 in 2024; the trend projects 80.25 by {t1.deadline}"
    unknown = status_rules.Assessment("no_data", "a rule the library refused")
    assert reason_text(t1, unknown) == "a rule the library refused"
