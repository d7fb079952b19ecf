"""What a computation keeps of every step, for results and explanations: the indicators'
values after each step and every node's scores, shares and contributions. Both the
pipeline (which fills them) and the result (which reads them) import this module."""

from __future__ import annotations

from dataclasses import dataclass

from dxscore.index import steps
from dxscore.index.arrays import Bools, Floats


@dataclass
class IndicatorStages:
    """Every indicator's values after each step, as ``(P, U)`` arrays keyed by code."""

    raw: dict[str, Floats]
    denominated: dict[str, Floats]
    imputed: dict[str, Floats]
    imputed_mask: dict[str, Bools]
    treated: dict[str, Floats]
    treatment: dict[str, list[steps.Treatment]]  # per period
    normalised: dict[str, Floats]


@dataclass
class Aggregation:
    """Scores of every node plus, per aggregate, its children's shares and contributions."""

    scores: dict[str, Floats]  # node -> (P, U)
    points: dict[str, Floats]  # node -> (P, U), NaN unless the parent sums points
    shares: dict[str, Floats]  # aggregate -> (P, U, C): effective weight of each child
    contributions: dict[str, Floats]  # aggregate -> (P, U, C): adds up to the score
