"""Score runs: computed from approved values only, stored with their inputs, hash and
methodology digest; published runs are public and immutable; a recompute is a new run
with a diff; every number is explained down to the raw value and its history."""

from __future__ import annotations

import hashlib
import json

import pandas as pd
import pytest
from django.test import Client
from django.urls import reverse
from typer.testing import CliRunner

from dxscore.cli import app
from dxscore.web.data import workflow
from dxscore.web.scores import runs
from dxscore.web.scores.models import Immutable, NodeScore, ScoreRun
from tests.web.support import approved, put_values


@pytest.fixture
def scored(people, methodology, periods, org):
    """Bắc Ninh's two districts approved for 2024; Lào Cai's district approved too."""
    p = periods["2024"]
    approved(people, methodology, p, org.d256, online=60, ontime=90)
    approved(people | {"approver": people["admin"]}, methodology, p, org.d80, online=99, ontime=99)
    approved(people, methodology, p, org.d257, online=30, ontime=60)
    return p


def _scores(run, node="index"):
    return {
        s.unit.code: (round(s.score, 10), s.rank)
        for s in run.scores.filter(node=node).select_related("unit")
    }


def test_a_run_computes_the_approved_values_in_scope_and_stores_everything(
    people, methodology, scored
):
    run = runs.compute_run(people["steering"], methodology, scored)
    # index = (2 * online + ontime) / 3 with identity normalisation
    assert _scores(run) == {"256": (70.0, 1), "257": (40.0, 2)}  # Lào Cai is out of scope
    assert _scores(run, "online") == {"256": (60.0, 1), "257": (30.0, 2)}
    assert run.number == 1 and run.previous is None
    assert run.methodology_digest == methodology.digest
    inputs = [("256", "online", 60), ("256", "ontime", 90), ("257", "online", 30)]
    inputs.append(("257", "ontime", 60))
    assert run.input_hash == runs.input_hash("2024", [(u, "2024", i, v) for u, i, v in inputs])
    # the form of the hash before runs could read other periods: unchanged
    old_form = json.dumps(["2024", sorted((u, i, repr(float(v))) for u, i, v in inputs)])
    assert run.input_hash == hashlib.sha256(old_form.encode()).hexdigest()
    assert run.inputs.count() == 4
    assert all(i.history_id is not None and i.source_id for i in run.inputs.all())


def test_values_that_are_not_approved_are_left_out(people, methodology, periods, org):
    p = periods["2024"]
    approved(people, methodology, p, org.d256, online=60, ontime=90)
    put_values(people["colleague"], methodology, p, org.d257, online=30, ontime=60)
    workflow.submit(people["colleague"], methodology, p, org.d257)
    run = runs.compute_run(people["steering"], methodology, p)
    assert _scores(run) == {"256": (70.0, 1)}


def test_no_approved_values_is_a_clear_error(people, methodology, periods):
    with pytest.raises(runs.RunError, match="no approved values for 2024"):
        runs.compute_run(people["steering"], methodology, periods["2024"])
    assert not ScoreRun.objects.exists()


def test_a_published_run_cannot_change(people, methodology, scored):
    run = runs.compute_run(people["steering"], methodology, scored)
    runs.publish(run, people["steering"])
    assert run.published and run.published_by == people["steering"]
    with pytest.raises(Immutable):
        run.save()
    with pytest.raises(Immutable):
        run.delete()
    score = NodeScore.objects.filter(run=run).first()
    score.score = 99
    with pytest.raises(Immutable):
        score.save()
    with pytest.raises(Immutable):
        runs.publish(run, people["steering"])
    assert _scores(ScoreRun.objects.get(pk=run.pk))["256"] == (70.0, 1)


def test_recompute_is_a_new_run_with_what_changed(people, methodology, scored, org):
    first = runs.compute_run(people["steering"], methodology, scored)
    runs.publish(first, people["steering"])
    workflow.reopen(people["approver"], methodology, scored, org.d257, "recount")
    put_values(people["colleague"], methodology, scored, org.d257, online=45)
    workflow.submit(people["colleague"], methodology, scored, org.d257)
    workflow.approve(people["approver"], methodology, scored, org.d257)
    second = runs.compute_run(people["steering"], methodology, scored)
    assert (second.number, second.previous) == (2, first)
    assert second.input_hash != first.input_hash
    changes = {(c["unit"], c["node"]): c for c in runs.diff(second)}
    assert set(changes) == {("257", "index"), ("257", "online")}
    assert (changes[("257", "index")]["old_score"], changes[("257", "index")]["new_score"]) == (
        pytest.approx(40.0),
        pytest.approx(50.0),
    )
    assert _scores(first)["257"] == (40.0, 2)  # the published run is untouched


def test_the_explanation_adds_up_and_links_to_the_raw_values_history(
    as_user, people, methodology, scored, org
):
    run = runs.compute_run(people["steering"], methodology, scored)
    rows = {r["node"]: r for r in runs.explain(run, org.d256)}
    assert rows["index"]["score"] == pytest.approx(70.0)
    assert rows["online"]["raw"] == 60.0 and rows["online"]["share"] == pytest.approx(2 / 3)
    assert rows["online"]["contribution"] == pytest.approx(40.0)
    assert rows["ontime"]["contribution"] == pytest.approx(30.0)
    value = rows["online"]["input"].source
    page = as_user("steering").get(reverse("run_explain", args=[run.pk, "256"])).content.decode()
    assert reverse("value_history", args=[value.pk]) in page
    ranking = as_user("steering").get(reverse("run", args=[run.pk])).content.decode()
    assert reverse("run_explain", args=[run.pk, "256"]) + "#n-index" in ranking
    assert "70.0000" in ranking and "40.0000" in ranking


def test_unpublished_runs_are_private_and_published_ones_public(
    as_user, people, methodology, scored
):
    run = runs.compute_run(people["steering"], methodology, scored)
    url = reverse("run", args=[run.pk])
    assert as_user("owner").get(url).status_code == 404
    assert Client().get(url).status_code == 404
    runs.publish(run, people["steering"])
    assert Client().get(url).status_code == 200
    assert Client().get(reverse("run_explain", args=[run.pk, "257"])).status_code == 200
    # the public sees the numbers but not the values' histories
    page = Client().get(reverse("run_explain", args=[run.pk, "257"])).content.decode()
    assert "/history" not in page and "30.0" in page


def test_only_managers_compute_and_publish_through_the_pages(as_user, methodology, scored):
    data = {"methodology": methodology.pk, "period": "2024"}
    assert as_user("owner").post(reverse("run_compute"), data).status_code == 403
    response = as_user("steering").post(reverse("run_compute"), data)
    run = ScoreRun.objects.get()
    assert response["Location"] == reverse("run", args=[run.pk])
    assert as_user("approver").post(reverse("run_publish", args=[run.pk])).status_code == 404
    unconfirmed = as_user("steering").post(reverse("run_publish", args=[run.pk]))
    assert unconfirmed.status_code == 200 and not ScoreRun.objects.get().published
    as_user("steering").post(reverse("run_publish", args=[run.pk]), {"confirm": "on"})
    assert ScoreRun.objects.get().published


def test_scores_command_prints_and_writes_the_latest_published_run(
    people, methodology, scored, tmp_path
):
    runner = CliRunner()
    args = ["scores", "--methodology", "test-districts", "--period", "2024"]
    missing = runner.invoke(app, args)
    assert missing.exit_code == 1 and "no published run" in missing.output
    runs.publish(runs.compute_run(people["steering"], methodology, scored), people["steering"])
    printed = runner.invoke(app, args)
    assert printed.exit_code == 0, printed.output
    lines = printed.output.splitlines()
    assert lines[0] == '"unit","node","score","rank"'  # text quoted (docs/security.md)
    assert '"256","index",70.0,1' in lines and '"257","index",40.0,2' in lines
    written = runner.invoke(app, [*args, "--out", str(tmp_path / "s.xlsx")])
    assert written.exit_code == 0, written.output
    frame = pd.read_excel(tmp_path / "s.xlsx")
    assert list(frame.columns) == ["unit", "node", "score", "rank"] and len(frame) == 6


LOCF_YAML = """\
id: test-locf
version: "1"
title: District index carrying values forward
scale: [0, 100]
defaults:
  indicator:
    normalisation: identity
    range: [0, 100]
    imputation: locf
tree:
  code: index
  name: District index
  children:
    - {code: online, name: Online dossiers, weight: 2}
    - {code: ontime, name: On-time processing, weight: 1}
"""


def test_a_methodology_that_imputes_over_time_reads_the_earlier_periods(people, periods, org):
    from dxscore import index as ix
    from dxscore.web.dashboards.queries import Board
    from dxscore.web.data.methodologies import store

    m = store(LOCF_YAML, purpose="district ranking")
    m.reporting_level = org.district
    m.save()
    assert m.compiled().uses_other_periods
    approved(people, m, periods["2023"], org.d256, online=50, ontime=80)
    approved(people, m, periods["2023"], org.d257, online=20, ontime=40)
    approved(people, m, periods["2024"], org.d256, online=60, ontime=90)
    approved(people, m, periods["2024"], org.d257, online=30)  # on-time not reported
    run = runs.compute_run(people["steering"], m, periods["2024"])
    # 257's on-time rate is carried forward from 2023: (2 x 30 + 40) / 3
    assert _scores(run)["257"] == (round(100 / 3, 10), 2)
    assert _scores(run)["256"] == (70.0, 1)
    # the same numbers as the engine on the same values
    frame = pd.DataFrame(
        [
            ("256", "2023", "online", 50),
            ("256", "2023", "ontime", 80),
            ("257", "2023", "online", 20),
            ("257", "2023", "ontime", 40),
            ("256", "2024", "online", 60),
            ("256", "2024", "ontime", 90),
            ("257", "2024", "online", 30),
        ],
        columns=["unit", "period", "indicator", "value"],
    )
    engine = ix.compute(m.compiled(), ix.dataset_from_frame(frame, m.compiled())).to_frame("2024")
    index = engine[engine["node"] == "index"].set_index("unit")["score"]
    assert index["257"] == pytest.approx(_scores(run)["257"][0])
    # stored with their periods; the pages show the run's period only
    assert sorted(run.inputs.values_list("period__code", flat=True)) == ["2023"] * 4 + ["2024"] * 3
    assert Board(run).unit_inputs("257") == {"online": 30}
    recomputed = runs.recompute_from_inputs(run).to_frame("2024")
    assert recomputed[recomputed["node"] == "index"].set_index("unit")["score"]["257"] == (
        pytest.approx(100 / 3)
    )
    trail = {r["node"]: r for r in runs.explain(run, org.d257)}
    assert trail["ontime"]["imputed"] and trail["ontime"]["raw"] is None
    assert trail["ontime"]["input"] is None
    assert (trail["ontime"]["earlier"].period.code, trail["ontime"]["earlier"].value) == (
        "2023",
        40,
    )
    page = Client()
    page.force_login(people["steering"])
    text = page.get(reverse("run_explain", args=[run.pk, "257"])).content.decode()
    assert "latest earlier value, 2023:" in text
    assert reverse("value_history", args=[trail["ontime"]["earlier"].source_id]) in text
    # a run of 2023 reads nothing later
    earlier = runs.compute_run(people["steering"], m, periods["2023"])
    assert set(earlier.inputs.values_list("period__code", flat=True)) == {"2023"}


def test_a_provinces_ranking_never_replaces_the_whole_ranking_on_public_pages(
    people, methodology, scored, org
):
    """Bắc Ninh's steering officer computes and publishes the methodology over the units
    in their scope after the administrator published the whole ranking: the public page
    keeps the whole ranking (it showed the latest run, so one province's board replaced
    the national one); the province's run is one click away and says what it covers."""
    from dxscore.web.orgs.models import Role
    from tests.web.support import make_person

    whole = runs.compute_run(people["admin"], methodology, scored)
    assert whole.coverage is None
    runs.publish(whole, people["admin"])
    mine = runs.compute_run(people["steering"], methodology, scored)
    assert mine.coverage == org.bac_ninh
    # personas: Lào Cai's steering officer may not publish Bắc Ninh's ranking; a steering
    # officer who sees everything but manages one province may not publish a whole one
    outsider = make_person("lc-steering", Role.STEERING, org.lao_cai, org.lao_cai)
    with pytest.raises(runs.RunNotAllowed, match="only someone whose scope covers it"):
        runs.publish(mine, outsider)
    wide = make_person("wide-steering", Role.STEERING, org.bac_ninh, org.country)
    broad = runs.compute_run(wide, methodology, scored)
    assert broad.coverage is None  # its viewing scope is the whole tree
    with pytest.raises(runs.RunNotAllowed):
        runs.publish(broad, wide)
    assert not ScoreRun.objects.get(pk=broad.pk).published
    runs.publish(mine, people["steering"])  # the owner of the scope publishes its own

    public = Client()
    page = public.get(reverse("dash_leaderboard", args=[methodology.code, "2024"]))
    body = page.content.decode()
    assert page.status_code == 200 and "within TP." not in body
    assert f"Score run #{whole.number}" in body and "u-80" in body  # all three districts
    pinned = public.get(
        reverse("dash_leaderboard", args=[methodology.code, "2024"]) + f"?run={mine.number}"
    ).content.decode()
    assert "This ranking covers only the units within Bắc Ninh" in pinned
    assert "u-80" not in pinned
    index = public.get(reverse("dash_index")).content.decode()
    assert "Rankings within one unit" in index and f"?run={mine.number}" in index
    # the command prints the whole ranking too
    frame = runs.published_table(methodology.code, "2024")[1]
    assert set(frame["unit"]) == {"256", "257", "80"}


def test_a_run_over_units_chosen_one_by_one_covers_their_common_ancestor(
    people, methodology, scored, org
):
    """Explicit units without a coverage are not taken for the whole workspace."""
    bac_ninh = runs.compute_run(people["admin"], methodology, scored, units=[org.d256, org.d257])
    assert bac_ninh.coverage == org.bac_ninh
    both = runs.compute_run(people["admin"], methodology, scored, units=[org.d256, org.d80])
    assert both.coverage is None  # their common ancestor is the one root: everything


def test_the_public_run_page_does_not_name_the_account_that_computed_it(
    people, methodology, scored, as_user
):
    run = runs.compute_run(people["steering"], methodology, scored)
    runs.publish(run, people["steering"])
    address = reverse("run", args=[run.pk])
    assert "steering" not in Client().get(address).content.decode()
    assert "by steering" in as_user("steering").get(address).content.decode()


def test_the_run_pages_ranking_downloads_with_the_pages_access_rule(
    as_user, people, methodology, scored
):
    import csv
    import io

    from openpyxl import load_workbook

    run = runs.compute_run(people["steering"], methodology, scored)
    address = reverse("run_ranking_dl", args=[run.pk, "csv"])
    steering = as_user("steering")
    assert address in steering.get(reverse("run", args=[run.pk])).content.decode()
    rows = list(csv.DictReader(io.StringIO(steering.get(address).content.decode("utf-8-sig"))))
    stored = _scores(run)
    assert [r["unit"] for r in rows] == sorted(stored, key=lambda u: stored[u][1])
    for r in rows:
        assert float(r["index"]) == pytest.approx(stored[r["unit"]][0], abs=1e-9)
        assert int(r["index_rank"]) == stored[r["unit"]][1]
        assert int(r["rank"]) == stored[r["unit"]][1]
    book = steering.get(reverse("run_ranking_dl", args=[run.pk, "xlsx"])).content
    header = [c.value for c in load_workbook(io.BytesIO(book)).worksheets[0][1]]
    assert header[:4] == ["Rank", "Code", "Unit", "carried from"]
    assert "index" not in header  # the index's name, not its code
    # unpublished: private, as the page (owner, colleague, outsider are no managers)
    for who in ("owner", "colleague", "outsider"):
        assert as_user(who).get(address).status_code == 404
    assert Client().get(address).status_code == 404
    runs.publish(run, people["steering"])
    assert Client().get(address).status_code == 200  # published: public, as the page
    assert Client().get(reverse("run_ranking_dl", args=[run.pk, "pdf"])).status_code == 404
