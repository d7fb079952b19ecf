"""A rate typed as a percentage in a real browser (issue 18, point 13): the computed rate
reads 96,8% on the Vietnamese entry form, the officer types 93,8% into a rate's field,
the page shows it back as a percentage and the stored value is the fraction; the form
passes axe with the rule said next to the field."""

from __future__ import annotations

import pytest

from tests.web.support import assert_accessible, log_in

pytestmark = pytest.mark.slow

RATES_YAML = """\
id: test-rates-browser
version: "1"
title: Public service rates
scale: [0, 100]
defaults:
  indicator:
    unit: rate (0-1)
    range: [0, 1]
    normalisation: {method: goalposts, lower: 0, upper: 1}
tree:
  code: index
  name: Rates index
  children:
    - {code: online_share, name: Dossiers received online}
    - {code: timeliness_rate, name: Dossiers on time}
"""


def test_a_rate_is_read_and_typed_as_a_percentage_in_a_browser(
    transactional_db, live_server, browser, shots, monkeypatch
):
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from dxscore.web.data.methodologies import store
    from dxscore.web.data.models import Indicator, Value
    from tests.web.support import build

    org, _people, _districts, period = build()
    methodology = store(RATES_YAML, purpose="rates")
    methodology.reporting_level = org.district
    methodology.save()
    online = Indicator.objects.get(code="online_share")
    online.source = Indicator.Source.DOSSIERS
    online.save()
    Value.objects.create(unit=org.d256, indicator=online, period=period, value=0.967816091954023)

    base = live_server.url
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.context.add_cookies([{"name": "django_language", "value": "vi", "url": base}])
    log_in(page, base, "owner")
    page.goto(f"{base}/collect/{methodology.pk}/2024/256/")
    assert page.input_value("input[name=v_online_share]") == "96,8%"
    rule = page.locator("#rule-timeliness_rate").inner_text()
    assert "96,8%" in rule and "0,968" in rule
    page.fill("input[name=v_timeliness_rate]", "93,8%")
    page.click("button[value=save]")
    page.wait_for_selector("input[name=v_timeliness_rate]")
    assert page.input_value("input[name=v_timeliness_rate]") == "93,8%"
    stored = Value.objects.get(indicator__code="timeliness_rate", unit=org.d256)
    assert stored.value == 0.938
    page.screenshot(path=str(shots / "rates-entry-vi.png"), full_page=True)
    assert_accessible(page)
