"""The demo workspace: the whole platform on data that looks like a real country.

``build(progress)`` fills the configured workspace (Django must be set up) once:

- the 63 provinces in their regions, the demo DTI 2020 (methodology ``vn-dti-2020``) and
  2021-2024 (``vn-dti-2022``) as published score runs (``dxscore.demo.dti``);
- Lạng Sơn's departments and districts, Resolution 49-NQ/TU with its 30 targets and eight
  key tasks (``dxscore.demo.langson``);
- the map of 1 July 2025 beside the old one (``dxscore.demo.reform``): the 34 provinces,
  the DTI 2020-2024 also on them and a DTI 2025; Lạng Sơn's communes directly under the
  province from 1 July 2025;
- two years (2024-2025) of synthetic dossier records of Lạng Sơn's one-stop shops
  (province, its 11 districts and 99 synthetic communes until 30 June 2025, its 65
  communes after; about two million by default) in the workspace's dossier store, with
  their measures per month, quarter and year computed by the same worker code as
  uploads (``dxscore.web.dossierdata``);
- an internal index of Lạng Sơn's districts (``province-emulation``) for 2023 and 2024,
  its 2024 public-service inputs taken from those measures, and of its communes for 2025;
- Lạng Sơn's digital inspection pilot: the inspectorate's 2025 plan, twelve inspections
  at every stage and recommendations in every status (``dxscore.demo.inspections``);
- Lạng Sơn's online contest on digital transformation (two finished rounds, about a
  thousand synthetic participants, an open round) and an initiatives competition with
  evaluations (``dxscore.demo.contests``);
- about a thousand synthetic businesses of Lạng Sơn with the built-in digital-transformation
  self-assessment for 2024 and 2025, and citizens' satisfaction ratings of demo dossiers
  (``dxscore.demo.assessments``);
- people for every role, with the demo passwords printed by ``dxscore demo``.

Which values are published facts and which are synthetic is in ``docs/demo-data.md`` and
on every page that shows them. Building twice changes nothing: a demo mark of kind
``workspace`` (``dxscore.web.provenance``) records that it was built (``dxscore demo
--reset`` empties the database and starts over).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd

from dxscore.demo import langson

VERSION = 1

# username, role, entry scope, viewing scope, what the person is for
PEOPLE = [
    ("admin", "administrator", "", "", "sets up units, people and methodologies"),
    ("steering", "steering", "20", "20", "Lạng Sơn steering office: targets, tasks, runs"),
    ("officer", "data_officer", "20-S01", "20", "Dept. of Information and Communications: tasks"),
    ("approver", "approver", "20", "20", "approves Lạng Sơn's values"),
    ("district", "data_officer", "20-D05", "20-D05", "Cao Lộc district: enters its values"),
    ("viewer", "viewer", "", "VN", "reads everything in the country"),
    ("chanh_thanh_tra", "viewer", "20-S15", "20-S15", "Provincial inspectorate: its leader"),
    ("thanh_tra_vien", "viewer", "20-S15", "20-S15", "Provincial inspectorate: team lead"),
]
PASSWORD = "dxscore-demo-2024"  # printed on screen: a demo workspace only

EMULATION_YEARS = ("2023", "2024")
DOSSIER_ROWS = 2_000_000
# two years as before the reform (the build time is the records'), now the years around
# it: 2024 and both halves of 2025; the districts' 2023 public-service inputs are synthetic
DOSSIERS_FROM, DOSSIERS_TO = "2024-01-01", "2025-12-31"
FROM_DOSSIERS = ("online_share", "timeliness_rate", "digitised_share", "paid_online_share")


@dataclass
class Built:
    already: bool
    runs: int
    people: list[tuple[str, str, str]]


Step = Callable[[str], None]


def marks():
    """The workspace's demo marks (``dxscore.web.provenance``)."""
    from dxscore.web.provenance.models import DemoMark

    return DemoMark.objects


def is_built() -> bool:
    from dxscore.web.scores.models import ScoreRun

    built = marks().filter(kind="workspace").exists()
    return built and ScoreRun.objects.filter(methodology__code="vn-dti-2022").exists()


def reset() -> None:
    """Empty the database and forget the build (the demo workspace only)."""
    from django.core.management import call_command

    call_command("flush", interactive=False, verbosity=0)  # the marks go with the rest


def build(step: Step | None = None, dossier_rows: int = DOSSIER_ROWS) -> Built:
    """Fill the workspace (idempotent). ``step(text)`` is called before each stage."""
    from django.core.management import call_command

    from dxscore.web.data.methodologies import ensure_builtins

    say = step or (lambda _text: None)
    say("database")
    call_command("migrate", interactive=False, verbosity=0)
    ensure_builtins()
    if is_built():
        return Built(True, 0, _people_table())
    admin = _people_admin()
    say("63 provinces and the DTI 2020-2024 (published runs)")
    from dxscore.demo.platform import demo_dti

    runs = demo_dti(admin)
    say("the map of 1 July 2025: 34 provinces, the DTI 2020-2024 on them, DTI 2025")
    from dxscore.demo import reform

    reform.provinces()
    runs += reform.dti_runs(admin)
    say("Lạng Sơn: departments, districts, Resolution 49-NQ/TU, key tasks")
    from dxscore.demo.platform import load
    from dxscore.web.orgs.models import Unit

    resolution = load(parent=Unit.objects.get(code="VN"), user=admin)
    say(f"Lạng Sơn: {dossier_rows:,} synthetic dossiers and their measures")
    measures, communes = _dossiers(admin, dossier_rows)
    say("Lạng Sơn: internal index of the districts (2023, 2024) and the communes (2025)")
    values = emulation_values(measures)
    _district_tasks(resolution, values, admin)
    runs += _emulation(admin, values)
    commune_values = reform.commune_values(communes, measures)
    reform.commune_tasks(resolution, commune_values, admin, first_number=1000)
    runs += _emulation(admin, commune_values, "commune")
    say("the procedure assistant's library")
    _assistant()
    say("people for every role")
    from dxscore.demo import inspections

    inspections.units()
    _people()
    say("Lạng Sơn: the digital inspection pilot (2025 plan, 12 inspections)")
    inspections.load(admin)
    say("Lạng Sơn: the online contest (2 finished rounds, about 1,000 people) and initiatives")
    from dxscore.demo import contests

    contests.load()
    say("Lạng Sơn: businesses' self-assessments and citizens' ratings (synthetic)")
    from dxscore.demo import assessments

    assessments.load()
    # plans content that is demo data: its pages say so (dxscore.web.provenance.notices)
    marks().get_or_create(kind="resolution", resolution=resolution.code)
    marks().create(
        kind="workspace",
        payload={"version": VERSION, "built": datetime.now(UTC).isoformat(), "runs": len(runs)},
    )
    return Built(False, len(runs), _people_table())


def _assistant() -> None:
    """The demo procedure library in the workspace's assistant store, the procedures
    named as the dossier catalogue names them (``dxscore.demo.assistant``)."""
    from django.conf import settings

    from dxscore.demo.assistant import build_library
    from dxscore.web.dossierdata.models import Procedure

    names = dict(Procedure.objects.values_list("code", "name"))
    build_library(Path(settings.DXSCORE_ASSISTANT_STORE), names)


def _people_admin():
    from django.contrib.auth import get_user_model

    from dxscore.web.orgs.models import Person

    user_model = get_user_model()
    user = user_model.objects.filter(username="admin").first()
    if user is None:
        user = user_model.objects.create_user(
            "admin", password=PASSWORD, is_staff=True, is_superuser=True
        )
        Person.objects.create(user=user, role="administrator")
    return user


def _people() -> None:
    from django.contrib.auth import get_user_model

    from dxscore.web.orgs.models import Person, Unit

    user_model = get_user_model()
    for username, role, entry, view, _about in PEOPLE:
        if user_model.objects.filter(username=username).exists():
            continue
        admin = role == "administrator"
        user = user_model.objects.create_user(
            username, password=PASSWORD, is_staff=admin, is_superuser=admin
        )
        Person.objects.create(
            user=user,
            role=role,
            entry_scope=Unit.objects.filter(code=entry).first() if entry else None,
            view_scope=Unit.objects.filter(code=view).first() if view else None,
        )


def _people_table() -> list[tuple[str, str, str]]:
    return [(u, role, about) for u, role, _e, _v, about in PEOPLE]


def emulation_values(measures: pd.DataFrame | None = None, seed: int = 49) -> pd.DataFrame:
    """``unit, period, indicator, value`` rows for the districts' internal index: the
    public-service inputs from the dossier ``measures`` (yearly ``unit, period,
    <measure>`` rows) where given, every other input synthetic, with the provincial
    city ahead and the remote districts behind, improving from 2023 to 2024."""
    from dxscore import index as ix
    from dxscore.demo import langson

    m = ix.load("province-emulation")
    rng = np.random.default_rng(seed)
    measured = {}
    if measures is not None:
        for row in measures.itertuples(index=False):
            for code in FROM_DOSSIERS:
                x = getattr(row, code, np.nan)
                if x is not None and not np.isnan(x):
                    measured[(row.unit, str(row.period), code)] = round(float(x), 4)
    rows = []
    for k, (code, _name) in enumerate(langson.DISTRICTS):
        base = 0.78 - 0.035 * k + rng.normal(0, 0.05)
        for y, year in enumerate(EMULATION_YEARS):
            for indicator in m.indicators:
                spec = m.nodes[indicator].spec
                level = base + 0.06 * y + rng.normal(0, 0.08)
                if indicator == "targets_met_share":
                    continue  # the districts own no targets: empty, as the plans say
                if (code, year, indicator) in measured:
                    value = measured[(code, year, indicator)]
                elif indicator == "tasks_on_time_share":
                    # quarters: four routine tasks a year (the demo creates them to match)
                    value = float(np.clip(round(level * 4), 1, 4)) / 4
                elif indicator == "satisfaction":
                    value = round(float(np.clip(3.2 + 1.6 * level, 1, 5)), 2)
                else:
                    value = round(float(np.clip(level, 0.05, 1.0)), 4)
                if spec.range:
                    value = min(max(value, spec.range[0]), spec.range[1])
                rows.append((code, year, indicator, value))
    return pd.DataFrame(rows, columns=["unit", "period", "indicator", "value"])


def _synthetic_codes(code: str) -> str:
    """The generator's unit codes as Lạng Sơn's: T01 -> 20, T01-H03 -> 20-D03,
    T01-H03-X002 -> 20-D03-X002."""
    return "20" + code[3:].replace("-H", "-D", 1)


def _procedure_names(catalogue: pd.DataFrame) -> dict[str, str]:
    """Real procedure names for the synthetic procedures: each tier's (the level of the
    units that offer it: 20, 20-D01, 20-D01-X001) in order of use, which the generator
    makes the order of the codes; the rest keep a generic name."""
    depth = catalogue["unit"].str.count("-")
    tiers = catalogue.assign(tier=depth.map({0: "province", 1: "district", 2: "commune"}))
    names = {}
    for tier, rows in tiers.groupby("tier"):
        codes = sorted(rows["procedure"].unique())
        for code, name in zip(codes, langson.PROCEDURE_NAMES[tier], strict=False):
            names[code] = name
    return {c: names.get(c, f"Thủ tục {c}") for c in catalogue["procedure"].unique()}


def _dossiers(admin, rows: int):
    """Synthetic dossiers of Lạng Sơn (2023-2025) in the workspace's dossier store, and
    their measures computed by the worker; from 1 July 2025 the records are on the new
    communes (``reform``). Returns the yearly measures (unit, period, ...) and the
    communes."""
    import shutil

    import pyarrow.compute as pc
    import pyarrow.parquet as pq
    from django.conf import settings
    from django.db.models import Q

    from dxscore.demo import reform
    from dxscore.dossiers.synth import synth
    from dxscore.web.dossierdata import worker
    from dxscore.web.dossierdata.models import DossierMeasure
    from dxscore.web.orgs.models import Level, Unit

    folder = Path(settings.HOME) / "demo-dossiers"
    shutil.rmtree(folder, ignore_errors=True)
    made = synth(folder, rows, units=111, start=DOSSIERS_FROM, end=DOSSIERS_TO, seed=49)
    tree = pd.read_csv(made.units_file, dtype=str).fillna("")
    synthetic = [_synthetic_codes(c) for c in tree[tree["code"].str.count("-") == 2]["code"]]
    communes = reform.langson_communes(synthetic)
    for path in made.files:
        table = pq.read_table(path)
        units = pc.replace_substring(
            pc.replace_substring_regex(table["unit"], pattern="^T01", replacement="20"),
            pattern="-H",
            replacement="-D",
            max_replacements=1,
        )
        table = table.set_column(table.schema.get_field_index("unit"), "unit", units)
        pq.write_table(reform.records_on_new_map(table, communes), path)
    catalogue = pd.read_csv(made.catalogue_file, dtype=str)
    catalogue["unit"] = catalogue["unit"].map(_synthetic_codes)
    catalogue["name"] = catalogue["procedure"].map(_procedure_names(catalogue))
    catalogue = reform.catalogue_on_new_map(catalogue, communes)
    catalogue.to_csv(made.catalogue_file, index=False)
    commune = Level.objects.get_or_create(name="commune", defaults={"depth": 3})[0]
    for row in tree[tree["code"].str.count("-") == 2].itertuples(index=False):
        parent = Unit.objects.get(code=_synthetic_codes(row.parent))
        Unit.objects.get_or_create(
            code=_synthetic_codes(row.code),
            defaults={"name": f"{row.name} (synthetic)", "level": commune, "parent": parent},
        )
    reform.store_communes(communes)
    store = worker.open_store(create=True)
    store.import_files(made.files)
    store.import_catalogue([made.catalogue_file])
    worker.queue_measures(admin)
    worker.run_pending()
    new = [code for code, _name, _home in communes.new]
    yearly = pd.DataFrame(
        DossierMeasure.objects.filter(kind="year")
        .filter(Q(unit__code__startswith="20-D") | Q(unit__code__in=new))
        .values("unit__code", "period", "measure", "value")
    )
    shutil.rmtree(folder, ignore_errors=True)
    if yearly.empty:
        return yearly, communes
    return (
        yearly.pivot_table(index=["unit__code", "period"], columns="measure", values="value")
        .reset_index()
        .rename(columns={"unit__code": "unit"})
    ), communes


def _district_tasks(resolution, values: pd.DataFrame, admin) -> None:
    """Four routine tasks a year for each district (its quarterly one-stop-shop report),
    as many done by their deadline as its ``tasks_on_time_share`` says, the rest a few
    days late: the emulation page then computes from the plans what the stored runs hold."""
    import datetime as dt

    from dxscore.web.orgs.models import Unit
    from dxscore.web.plans.models import Task

    shares = values[values["indicator"] == "tasks_on_time_share"]
    number = 100
    for row in shares.sort_values(["unit", "period"]).itertuples(index=False):
        unit = Unit.objects.get(code=row.unit)
        on_time = round(row.value * 4)
        for quarter in range(1, 5):
            number += 1
            deadline = dt.date(int(row.period), 3 * quarter, 1) + dt.timedelta(days=27)
            done = (
                deadline - dt.timedelta(days=3)
                if quarter <= on_time
                else deadline + dt.timedelta(days=6)
            )
            Task.objects.create(
                resolution=resolution,
                number=number,
                title=f"Quarterly one-stop-shop report, Q{quarter} {row.period}",
                translations={"vi": f"Báo cáo bộ phận một cửa quý {quarter} năm {row.period}"},
                owner=unit,
                start=deadline - dt.timedelta(days=80),
                deadline=deadline,
                done_on=done,
                percent=100,
                expected_result="Report sent to the provincial steering office",
                created_by=admin,
            )


def _emulation(admin, values: pd.DataFrame, level: str = "district") -> list:
    from dxscore.web.dashboards.sample import publish_frame
    from dxscore.web.data.models import Methodology
    from dxscore.web.orgs.models import Level

    methodology = (
        Methodology.objects.filter(code="province-emulation").order_by("-uploaded_at").first()
    )
    notice = {
        "*": {"demo": True, "published_values": [], "published_totals": [], "published_ranks": []}
    }
    return publish_frame(methodology, values, admin, Level.objects.get(name=level), notice)
