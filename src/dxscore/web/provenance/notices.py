"""Which values on a page are demo data: the one helper every page asks.

- The workspace is a demo workspace when it holds a ``DemoMark`` of kind ``workspace``
  (``dxscore demo`` writes it): every page then says its values are synthetic.
- A score run is demo data when it has a mark of kind ``run``; its payload lists the
  units whose ranks, values or index are published facts (``docs/demo-data.md``).
- Plans content (a resolution, its targets and tasks) is demo data when a mark of kind
  ``resolution`` names the resolution's code.

``notice_for(obj)`` returns the payload the template ``dxscore/_demo_notice.html`` shows
(``{% load demo_notice %}{% demo_notice obj %}``), or ``None`` for real data.
"""

from __future__ import annotations

from dxscore.web.provenance.models import DemoMark


def is_demo_workspace() -> bool:
    return DemoMark.objects.filter(kind=DemoMark.Kind.WORKSPACE).exists()


def run_notice(run) -> dict | None:
    found = DemoMark.objects.filter(kind=DemoMark.Kind.RUN, run=run).first()
    return {"kind": "run", **found.payload} if found else None


def resolution_notice(resolution) -> dict | None:
    if DemoMark.objects.filter(kind=DemoMark.Kind.RESOLUTION, resolution=resolution.code).exists():
        return {"kind": "plans", "demo": True}
    return None


def notice_for(obj) -> dict | None:
    """The demo notice of a score run, resolution, target or task; None if not demo."""
    from dxscore.web.plans.models import Resolution, Target, Task
    from dxscore.web.scores.models import ScoreRun

    if obj is None:
        return None
    if isinstance(obj, ScoreRun):
        return run_notice(obj)
    if isinstance(obj, Target | Task):
        obj = obj.resolution
    if isinstance(obj, Resolution):
        return resolution_notice(obj)
    raise TypeError(f"no demo notice for {type(obj).__name__}")


def mark_run(run, payload: dict) -> None:
    DemoMark.objects.update_or_create(
        kind=DemoMark.Kind.RUN, run=run, defaults={"payload": payload}
    )
