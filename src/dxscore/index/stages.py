"""What a computation keeps of every step, for results and explanations: the indicators'
values after each step and every node's scores, shares and contributions. Both the
pipeline (which fills them) and the result (which reads them) import this module."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from dxscore.index import steps


@dataclass
class IndicatorStages:
    """Every indicator's values after each step, as ``(P, U)`` arrays keyed by code."""

    raw: dict[str, np.ndarray]
    denominated: dict[str, np.ndarray]
    imputed: dict[str, np.ndarray]
    imputed_mask: dict[str, np.ndarray]
    treated: dict[str, np.ndarray]
    treatment: dict[str, list[steps.Treatment]]  # per period
    normalised: dict[str, np.ndarray]


@dataclass
class Aggregation:
    """Scores of every node plus, per aggregate, its children's shares and contributions."""

    scores: dict[str, np.ndarray]  # node -> (P, U)
    points: dict[str, np.ndarray]  # node -> (P, U), NaN unless the parent sums points
    shares: dict[str, np.ndarray]  # aggregate -> (P, U, C): effective weight of each child
    contributions: dict[str, np.ndarray]  # aggregate -> (P, U, C): adds up to the score
