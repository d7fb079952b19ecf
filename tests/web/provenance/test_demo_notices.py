"""Every page that shows demo values says so (issue 9), through one helper
(``dxscore.web.provenance.notices``) and one template (``dxscore/_demo_notice.html``): the run
and explanation pages, the what-if simulator, the public pages, and the resolution,
target and task pages of the demo workspace's plans content; real data gets no notice."""

from __future__ import annotations

import pytest
from django.urls import reverse

from dxscore.web.dashboards import sample
from dxscore.web.data.models import Methodology
from dxscore.web.provenance.models import DemoMark
from dxscore.web.provenance.notices import notice_for
from tests.web.support import PROVINCES, publish_demo

pytestmark = pytest.mark.django_db

NOTICE = "demo-notice"
RUN_FACTS = "calibrated to the published DTI results"
NO_FACTS = "none of them is a published fact"
PLANS = "the tasks and their progress are synthetic"


def _real_run(user):
    """A run of the same data without a notice: real data, published by a person."""
    runs = publish_demo(user, years=("2021",), provinces=PROVINCES[:3])
    DemoMark.objects.filter(run=runs[0]).delete()
    return runs[0]


def _pages(client, run, unit):
    return {
        "run": client.get(reverse("run", args=[run.pk])).content.decode(),
        "explain": client.get(reverse("run_explain", args=[run.pk, unit])).content.decode(),
        "whatif": client.get(reverse("dash_whatif", args=[run.pk, unit])).content.decode(),
    }


def test_run_explanation_and_whatif_pages_of_a_demo_run_say_what_is_synthetic(as_user, people):
    run = publish_demo(people["admin"])[-1]  # 2022: four units' values are published
    client = as_user("admin")
    for name, page in _pages(client, run, "20").items():
        assert page.count(NOTICE) == 1, name
        assert "Demo data." in page and RUN_FACTS in page, name
        assert "The values of 4 units are published facts." in page, name
    public = client.get(reverse("dash_scorecard", args=["vn-dti-2022", "2022", "20"]))
    assert public.content.decode().count(NOTICE) == 1  # the same template on public pages


def test_a_demo_run_without_published_facts_says_every_value_is_synthetic(as_user, people):
    level = sample.ensure_units({"20": "Lạng Sơn", "22": "Quảng Ninh"})
    methodology = Methodology.objects.get(code="vn-dti-2022")
    from dxscore.demo import dti

    table = dti.build().main_2021_2024
    table = table[table["unit"].isin(["20", "22"]) & (table["period"] == "2023")]
    long = table.drop(columns=["name"]).melt(
        id_vars=["unit", "period"], var_name="indicator", value_name="value"
    )
    notice = {"*": {"demo": True, "published_values": [], "published_ranks": []}}
    run = sample.publish_frame(methodology, long, people["admin"], level, notice)[0]
    page = as_user("admin").get(reverse("run_explain", args=[run.pk, "20"])).content.decode()
    assert NO_FACTS in page and RUN_FACTS not in page


def test_pages_of_real_runs_have_no_notice(as_user, people):
    run = _real_run(people["admin"])
    assert notice_for(run) is None
    for name, page in _pages(as_user("admin"), run, PROVINCES[0]).items():
        assert NOTICE not in page and "Demo data." not in page, name


def _plan_pages(client, resolution):
    target = resolution.targets.order_by("number").first()
    task = resolution.tasks.order_by("number").first()
    return {
        "resolution": client.get(reverse("plans:resolution", args=[resolution.pk])),
        "target": client.get(reverse("plans:target", args=[target.pk])),
        "task": client.get(reverse("plans:task", args=[task.pk])),
    }


def test_plans_pages_of_the_demo_workspace_say_what_is_published(as_user, org):
    from dxscore.demo.platform import load

    resolution = load(parent=org.country)
    client = as_user("admin")
    for name, response in _plan_pages(client, resolution).items():  # no demo workspace
        assert response.status_code == 200
        assert NOTICE not in response.content.decode(), name
    DemoMark.objects.create(kind="workspace")
    DemoMark.objects.create(kind="resolution", resolution=resolution.code)
    for name, response in _plan_pages(client, resolution).items():
        page = response.content.decode()
        assert page.count(NOTICE) == 1 and PLANS in page, name
    DemoMark.objects.filter(kind="resolution").update(resolution="1-NQ/TU")
    assert notice_for(resolution) is None  # only the resolutions the workspace lists


def test_the_notice_is_translated(as_user, people):
    run = publish_demo(people["admin"])[-1]
    client = as_user("admin")
    page = client.get(
        reverse("run_explain", args=[run.pk, "20"]), HTTP_ACCEPT_LANGUAGE="vi"
    ).content.decode()
    assert "Dữ liệu minh họa." in page and RUN_FACTS not in page


def test_every_page_of_a_demo_workspace_carries_the_banner(client, people):
    client.force_login(people["owner"])
    assert "Demo workspace" not in client.get("/").content.decode()
    DemoMark.objects.create(kind="workspace")
    for url in ("/", "/plans/tasks/"):
        assert "Demo workspace" in client.get(url).content.decode(), url
