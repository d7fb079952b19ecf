"""Parameter models of every pipeline method, validated with pydantic.

A method is written in a methodology file either as a bare name (``minmax``) or as a
mapping with ``method`` and its parameters (``{method: goalposts, lower: 0, upper: 1}``).
These models only describe and validate; the arithmetic lives in ``steps``.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator


class _Method(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


# --- imputation ---------------------------------------------------------------------


class Imputation(_Method):
    """How a missing raw value is filled in.

    ``none`` leaves it missing (aggregation then skips it), ``zero`` and ``constant``
    fill a number, ``mean``/``median`` use the other units of the same period (or of the
    same ``group`` in that period), ``locf`` carries the unit's last observation
    forward, ``linear`` interpolates linearly in time between the unit's observations,
    ``locf_scaled`` carries it forward times the growth since of the reference ``unit``'s
    value or of the mean of the unit's ``group`` (``x(t0) * r(t) / r(t0)``).
    """

    method: Literal[
        "none", "zero", "constant", "mean", "median", "locf", "linear", "locf_scaled"
    ] = "none"
    group: str | None = None
    value: float | None = None
    unit: str | None = None  # locf_scaled: the reference unit whose growth scales the value

    @model_validator(mode="after")
    def _check(self) -> Imputation:
        if self.method == "constant" and self.value is None:
            raise ValueError("imputation 'constant' needs a 'value'")
        if self.group is not None and self.method not in ("mean", "median", "locf_scaled"):
            raise ValueError("'group' applies only to imputation 'mean', 'median' or 'locf_scaled'")
        if self.method == "locf_scaled" and (self.unit is None) == (self.group is None):
            raise ValueError(
                "imputation 'locf_scaled' needs either 'unit' (a reference unit) or 'group' "
                "(the unit's group), whose growth scales the last value"
            )
        if self.unit is not None and self.method != "locf_scaled":
            raise ValueError("'unit' applies only to imputation 'locf_scaled'")
        return self


# --- rounding -------------------------------------------------------------------------


RoundingRule = Literal["half_up", "r", "half_even"]


class Rounding(_Method):
    """Round a score to ``digits`` decimals by ``rule`` (``dxscore.index.rounding``):
    ``half_up`` as Excel's ROUND (the decimal as written, a 5 away from zero), ``r`` as
    R 4's ``round()`` (the nearer decimal to the double, ties to even), ``half_even``
    (the decimal as written, a 5 to the even digit)."""

    digits: int = Field(ge=0, le=15)
    rule: RoundingRule = "half_up"


def as_rounding(value: object) -> object:
    """Accept ``round: 2`` for ``{digits: 2}`` (the default rule)."""
    if isinstance(value, int) and not isinstance(value, bool):
        return {"digits": value}
    return value


# --- outlier treatment --------------------------------------------------------------


class Outliers(_Method):
    """COINr-style outlier treatment, per indicator and period.

    An indicator passes when ``|skew| < skew`` or ``kurtosis < kurtosis`` (sample skew
    and excess kurtosis as Excel computes them). Otherwise ``winsorise`` moves the most
    extreme value on the side of the skew to the next value inward, up to
    ``max_winsorised`` values, re-testing after each step; if it still fails and
    ``log_fallback`` is set, the original values are log-transformed instead.
    ``log`` applies the log transform straight away when the test fails.
    """

    method: Literal["none", "winsorise", "log"] = "none"
    skew: float = Field(2.0, gt=0)
    kurtosis: float = Field(3.5, gt=0)
    max_winsorised: int = Field(5, ge=0)
    log_fallback: bool = True


# --- normalisation --------------------------------------------------------------------


Range = tuple[float, float]


class _Norm(_Method):
    range: Range | None = None  # target range; default: the methodology's output scale
    pooled: bool = False  # statistics over all periods instead of per period

    @model_validator(mode="after")
    def _check_range(self) -> _Norm:
        if self.range is not None and not self.range[0] < self.range[1]:
            raise ValueError("normalisation 'range' must be [low, high] with low < high")
        return self


class Identity(_Norm):
    method: Literal["identity"]


class MinMax(_Norm):
    method: Literal["minmax"]


class Goalposts(_Norm):
    method: Literal["goalposts"]
    lower: float
    upper: float
    truncate: bool = True

    @model_validator(mode="after")
    def _check(self) -> Goalposts:
        if not self.lower < self.upper:
            raise ValueError("goalposts need lower < upper")
        return self


class ZScore(_Norm):
    method: Literal["zscore"]
    mean: float = 0.0
    sd: float = Field(1.0, gt=0)


class Rank(_Norm):
    method: Literal["rank"]


class PercentileRank(_Norm):
    method: Literal["percentile_rank"]


class DistanceToTarget(_Norm):
    method: Literal["target"]
    target: float | None = None  # default: the indicator's own ``target``
    baseline: float | Literal["observed"] = 0.0  # the value that scores the low end
    cap: bool = True


class DistanceToMax(_Norm):
    method: Literal["distance_to_max"]


class Band(_Method):
    threshold: float
    share: float = Field(ge=0, le=1)


class Bands(_Norm):
    method: Literal["bands"]
    bands: list[Band] = Field(min_length=1)
    below: float = Field(0.0, ge=0, le=1)  # share for a value that reaches no threshold


Normalisation = Annotated[
    Identity
    | MinMax
    | Goalposts
    | ZScore
    | Rank
    | PercentileRank
    | DistanceToTarget
    | DistanceToMax
    | Bands,
    Field(discriminator="method"),
]

NORMALISATION_METHODS = (
    "identity",
    "minmax",
    "goalposts",
    "zscore",
    "rank",
    "percentile_rank",
    "target",
    "distance_to_max",
    "bands",
)

# --- aggregation ---------------------------------------------------------------------------

AGGREGATION_METHODS = (
    "arithmetic",
    "geometric",
    "harmonic",
    "generalised",
    "minimum",
    "points",
)


class Aggregation(_Method):
    """How an aggregate combines its children's scores.

    ``points`` sums each child's points (its ``max_points`` times its share of the
    scale) and expresses the total as a share of the node's maximum on the output scale.
    """

    method: Literal["arithmetic", "geometric", "harmonic", "generalised", "minimum", "points"] = (
        "arithmetic"
    )
    p: float | None = None  # exponent of the generalised mean

    @model_validator(mode="after")
    def _check(self) -> Aggregation:
        if self.method == "generalised" and self.p is None:
            raise ValueError("aggregation 'generalised' needs the exponent 'p'")
        if self.method != "generalised" and self.p is not None:
            raise ValueError("'p' applies only to aggregation 'generalised'")
        return self


def as_method_mapping(value: object) -> object:
    """Accept the bare-name shorthand ``minmax`` for ``{method: minmax}``."""
    if isinstance(value, str):
        return {"method": value}
    return value


# --- uncertainty -------------------------------------------------------------------------


class WeightNoise(_Method):
    """How weights (or maximum points) vary: each weight times a uniform factor in
    [1 - noise, 1 + noise], or the weights of each aggregate drawn from a Dirichlet
    distribution centred on the nominal shares (larger ``concentration`` = tighter)."""

    noise: float = Field(0.0, ge=0, lt=1)
    distribution: Literal["uniform", "dirichlet"] = "uniform"
    concentration: float = Field(50.0, gt=0)


class Uncertainty(_Method):
    """The uncertain choices of a methodology, for ``dxscore index sensitivity``.

    Each list gives alternatives to the methodology's own choice (which is always an
    option too); one alternative is drawn per replication and applied to every
    indicator (normalisation, imputation) or every non-``points`` aggregate.
    """

    weights: WeightNoise = WeightNoise()
    normalisation: list[Normalisation] = []
    aggregation: list[Aggregation] = []
    imputation: list[Imputation] = []
    drop_indicators: bool = False

    @field_validator("normalisation", "aggregation", "imputation", mode="before")
    @classmethod
    def _shorthand(cls, v: Any) -> Any:
        return [as_method_mapping(x) for x in v] if isinstance(v, list) else v


# --- carrying values across unit changes (dxscore.lineage) ---------------------------------


class Carry(_Method):
    """How a raw value is carried onto the units of a later map when units merge, split
    or exchange territory (``dxscore.lineage``; ``docs/units.md``).

    ``sum`` adds the predecessors' values, each times the share of it that went into the
    new unit (counts); ``mean`` is their mean, each weighted by that share (a plain mean
    when whole units merge: the DTI's published rule); ``weighted_mean`` weights each
    predecessor also by its value of the input ``by`` (population, dossiers received);
    ``ratio`` recomputes ``per * numerator / denominator`` from those inputs' carried
    values; ``none`` carries nothing (a changed unit has no value until it reports).
    A unit that did not change keeps its own value whatever the rule.
    """

    method: Literal["none", "sum", "mean", "weighted_mean", "ratio"] = "none"
    by: str | None = None
    numerator: str | None = None
    denominator: str | None = None
    per: float = Field(default=1.0, gt=0)

    @model_validator(mode="after")
    def _check(self) -> Carry:
        if self.method == "weighted_mean" and self.by is None:
            raise ValueError("carry 'weighted_mean' needs 'by' (the input that weights it)")
        if self.method != "weighted_mean" and self.by is not None:
            raise ValueError("'by' applies only to carry 'weighted_mean'")
        if self.method == "ratio" and (self.numerator is None or self.denominator is None):
            raise ValueError("carry 'ratio' needs 'numerator' and 'denominator'")
        if self.method != "ratio" and (self.numerator is not None or self.denominator is not None):
            raise ValueError("'numerator' and 'denominator' apply only to carry 'ratio'")
        if self.method != "ratio" and self.per != 1.0:
            raise ValueError("'per' applies only to carry 'ratio'")
        return self

    @property
    def inputs(self) -> list[str]:
        """The other inputs this rule reads."""
        return [c for c in (self.by, self.numerator, self.denominator) if c is not None]


CARRY_METHODS = ("none", "sum", "mean", "weighted_mean", "ratio")
