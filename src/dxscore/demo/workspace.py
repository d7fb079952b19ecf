"""The demo workspace: the whole platform on data that looks like a real country.

``build(progress)`` fills the configured workspace (Django must be set up) once:

- the 63 provinces in their regions, the demo DTI 2020 (methodology ``vn-dti-2020``) and
  2021-2024 (``vn-dti-2022``) as published score runs (``dxscore.demo.dti``);
- Lạng Sơn's departments and districts, Resolution 49-NQ/TU with its 30 targets and eight
  key tasks (``dxscore.demo.langson``);
- an internal index of Lạng Sơn's districts (``province-emulation``) for 2023 and 2024;
- people for every role, with the demo passwords printed by ``dxscore demo``.

Which values are published facts and which are synthetic is in ``docs/demo-data.md`` and
on every page that shows them. Building twice changes nothing: ``demo-workspace.json``
in the workspace folder records that it was built (``dxscore demo --reset`` empties the
database and starts over).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd

MARKER = "demo-workspace.json"
VERSION = 1

# username, role, entry scope, viewing scope, what the person is for
PEOPLE = [
    ("admin", "administrator", "", "", "sets up units, people and methodologies"),
    ("steering", "steering", "20", "20", "Lạng Sơn steering office: targets, tasks, runs"),
    ("officer", "data_officer", "20-S01", "20", "Dept. of Information and Communications: tasks"),
    ("approver", "approver", "20", "20", "approves Lạng Sơn's values"),
    ("district", "data_officer", "20-D05", "20-D05", "Cao Lộc district: enters its values"),
    ("viewer", "viewer", "", "VN", "reads everything in the country"),
]
PASSWORD = "dxscore-demo-2024"  # printed on screen: a demo workspace only

EMULATION_YEARS = ("2023", "2024")


@dataclass
class Built:
    already: bool
    runs: int
    people: list[tuple[str, str, str]]


Step = Callable[[str], None]


def marker() -> Path:
    from django.conf import settings

    return Path(settings.HOME) / MARKER


def is_built() -> bool:
    from dxscore.web.scores.models import ScoreRun

    return marker().exists() and ScoreRun.objects.filter(methodology__code="vn-dti-2022").exists()


def reset() -> None:
    """Empty the database and forget the build (the demo workspace only)."""
    from django.core.management import call_command

    call_command("flush", interactive=False, verbosity=0)
    marker().unlink(missing_ok=True)


def build(step: Step | None = None) -> Built:
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
    from dxscore.web.dashboards.sample import demo_dti

    runs = demo_dti(admin)
    say("Lạng Sơn: departments, districts, Resolution 49-NQ/TU, key tasks")
    from dxscore.web.orgs.models import Unit
    from dxscore.web.plans.langson import load

    load(parent=Unit.objects.get(code="VN"), user=admin)
    say("Lạng Sơn: internal index of the districts (2023, 2024)")
    runs += _emulation(admin)
    say("people for every role")
    _people()
    marker().write_text(
        json.dumps({"version": VERSION, "built": datetime.now(UTC).isoformat(), "runs": len(runs)}),
        encoding="utf-8",
    )
    return Built(False, len(runs), _people_table())


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


def emulation_values(seed: int = 49) -> pd.DataFrame:
    """Synthetic ``unit, period, indicator, value`` rows for the districts' internal
    index: every input of ``province-emulation``, with the provincial city ahead and
    the remote districts behind, improving from 2023 to 2024."""
    from dxscore import index as ix
    from dxscore.demo import langson

    m = ix.load("province-emulation")
    rng = np.random.default_rng(seed)
    rows = []
    for k, (code, _name) in enumerate(langson.DISTRICTS):
        base = 0.78 - 0.035 * k + rng.normal(0, 0.05)
        for y, year in enumerate(EMULATION_YEARS):
            for indicator in m.indicators:
                spec = m.nodes[indicator].spec
                level = base + 0.06 * y + rng.normal(0, 0.08)
                if indicator == "satisfaction":
                    value = round(float(np.clip(3.2 + 1.6 * level, 1, 5)), 2)
                else:
                    value = round(float(np.clip(level, 0.05, 1.0)), 4)
                if spec.range:
                    value = min(max(value, spec.range[0]), spec.range[1])
                rows.append((code, year, indicator, value))
    return pd.DataFrame(rows, columns=["unit", "period", "indicator", "value"])


def _emulation(admin) -> list:
    from dxscore.web.dashboards.sample import publish_frame
    from dxscore.web.data.models import Methodology
    from dxscore.web.orgs.models import Level

    methodology = (
        Methodology.objects.filter(code="province-emulation").order_by("-uploaded_at").first()
    )
    notice = {
        "*": {"demo": True, "published_values": [], "published_totals": [], "published_ranks": []}
    }
    return publish_frame(
        methodology, emulation_values(), admin, Level.objects.get(name="district"), notice
    )
