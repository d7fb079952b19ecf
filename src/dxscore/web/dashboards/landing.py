"""What the public front page shows: each published index's latest edition with its
leading units. Reads stored runs only (as every dashboard read does)."""

from __future__ import annotations

from dataclasses import dataclass, field

from dxscore.index.methodology import ROOT
from dxscore.web.dashboards.queries import published_runs
from dxscore.web.scores.models import NodeScore, ScoreRun
from dxscore.web.scores.runs import widest_first

TOP = 5


@dataclass
class Ranking:
    run: ScoreRun
    ranked: int  # units with a rank
    periods: list[str]  # every published period of the methodology, newest first
    top: list[NodeScore] = field(default_factory=list)

    @property
    def is_service_index(self) -> bool:
        """Decision 766's public-service index (points of every service group)."""
        return self.run.methodology.code.startswith("vn-766")


def latest_rankings() -> list[Ranking]:
    """Per methodology with a published run: the newest period's widest run (a ranking
    within one province never stands for the whole one) and its first units."""
    chosen: dict[str, ScoreRun] = {}
    periods: dict[str, list[str]] = {}
    for run in widest_first(published_runs()):
        code = run.methodology.code
        seen = periods.setdefault(code, [])
        if run.period.code not in seen:
            seen.append(run.period.code)
        best = chosen.get(code)
        if best is None or (run.period.start, run.period.code) > (
            best.period.start,
            best.period.code,
        ):
            chosen[code] = run
    out = []
    for code, run in sorted(chosen.items(), key=lambda kv: kv[1].methodology.title):
        roots = NodeScore.objects.filter(run=run, node=ROOT)
        ranked = roots.filter(rank__isnull=False)
        top = list(ranked.select_related("unit").order_by("rank", "unit__code")[:TOP])
        order = sorted(periods[code], reverse=True)
        out.append(Ranking(run=run, ranked=ranked.count(), periods=order, top=top))
    return out
