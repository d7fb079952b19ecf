"""Resolutions, targets and tasks: the pure logic (no Django).

``status`` computes a target's status from observed values and a projection; the web
platform stores resolutions, targets and tasks and calls it.
"""

from dxscore.plans.status import Assessment, Target, TargetError, assess, period_end, summarise

__all__ = ["Assessment", "Target", "TargetError", "assess", "period_end", "summarise"]
