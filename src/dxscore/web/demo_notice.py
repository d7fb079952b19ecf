"""Which values on a page are demo data: the one helper every page asks.

- A score run is demo data when it has a ``RunAnalysis`` row with key ``notice``
  (``dashboards.sample.publish_frame`` stores it for the demo runs); its payload lists the
  units whose ranks, values or index are published facts (``docs/demo-data.md``).
- Plans content (a resolution, its targets and tasks) is demo data when the demo
  workspace (``dxscore.demo.workspace``) lists the resolution's code in its marker file.

``notice_for(obj)`` returns the payload the template ``dxscore/_demo_notice.html`` shows
(``{% load demo_notice %}{% demo_notice obj %}``), or ``None`` for real data.
"""

from __future__ import annotations

import json


def _workspace_marker() -> dict:
    from dxscore.demo.workspace import marker

    try:
        return json.loads(marker().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def run_notice(run) -> dict | None:
    from dxscore.web.dashboards.models import RunAnalysis

    found = RunAnalysis.objects.filter(run=run, key="notice").first()
    return {"kind": "run", **found.payload} if found else None


def resolution_notice(resolution) -> dict | None:
    from dxscore.web.plans.langson import CODE

    found = _workspace_marker()
    # a workspace built before the marker listed its resolutions holds only Lạng Sơn's
    demo = found.get("demo_resolutions", [CODE] if found else [])
    if resolution.code in demo:
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
