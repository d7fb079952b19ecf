"""Dates on the inspection pages are written as the reader's language writes them, not
in ISO form (issue 19): the public conclusion page in Vietnamese and in English."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.urls import reverse

from dxscore import numbers
from tests.web.inspections.conftest import issue
from tests.web.support import TODAY

ISO = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")


@pytest.mark.parametrize("language", ["vi", "en"])
def test_the_public_conclusion_writes_its_dates_in_the_readers_language(client, case, language):
    inspection = case["inspection"]
    issue(inspection)
    inspection.published_on = TODAY
    inspection.save()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    page = client.get(reverse("inspections:public", args=[inspection.pk])).content.decode()
    main = page[page.index("<main") :]
    assert numbers.format_date(TODAY, language) in main
    assert not ISO.search(re.sub(r'"[^"]*"', "", main)), ISO.findall(main)
    listing = client.get(reverse("inspections:public_list")).content.decode()
    assert numbers.format_date(TODAY, language) in listing
