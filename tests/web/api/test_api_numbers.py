"""The API is a machine format: values are JSON numbers whatever the language of the
request; a number written as people write it ("0,85", "1,234") is refused, never read."""

from __future__ import annotations

import pytest
from django.conf import settings

from dxscore.web.data.models import Value
from tests.web.support import problem


def _batch(value):
    item = {"unit": "256", "indicator": "online", "period": "2024", "value": value}
    return {"methodology": "test-districts", "items": [item]}


@pytest.mark.parametrize("text", ["62,5", "1,234", "1.234,5"])
def test_a_localised_number_in_a_value_batch_is_refused(api, methodology, periods, text):
    api.client.cookies[settings.LANGUAGE_COOKIE_NAME] = "vi"
    response = api.post("values", _batch(text))
    assert problem(response, 422)["errors"]
    assert not Value.objects.exists()


def test_a_json_number_is_stored_in_every_language(api, methodology, periods):
    api.client.cookies[settings.LANGUAGE_COOKIE_NAME] = "vi"
    api.post("values", _batch(62.5))
    assert Value.objects.get().value == 62.5
