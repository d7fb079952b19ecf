"""Figures of the submitted sheets, per period and group: response counts and rates,
mean scores (index and pillars, 0-100) and the distribution of maturity levels.

Groups are the units of the map (a commune and every unit above it, so the province's
figure counts all its communes' sheets) and, across the whole table, the sectors and
sizes of businesses. A figure made of fewer than ``min_count`` sheets is **suppressed**
(no value; ``suppressed`` true) so that no respondent's answers can be read from it; the
counts themselves (``responses``) and the response rates are not answers and are kept.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from dxscore.assessments.questionnaire import Questionnaire

COLUMNS = ["period", "dimension", "group", "measure", "value", "count", "suppressed"]
UNIT, SECTOR, SIZE = "unit", "sector", "size"
KEPT = ("responses", "response_rate")  # never suppressed: not answers


def measures(q: Questionnaire) -> list[str]:
    """The measures of each group, in order."""
    return [
        "responses",
        "response_rate",
        "score",
        *q.pillars,
        *(f"share_{lv}" for lv in q.levels),
    ]


def _long(
    q: Questionnaire,
    frame: pd.DataFrame,
    key: str,
    dimension: str,
    registered: pd.Series | None,
) -> list[pd.DataFrame]:
    if frame.empty:
        return []
    grouped = frame.groupby(["period", key], sort=True, observed=True)
    wide = grouped[["score", *q.pillars]].mean()
    wide.insert(0, "responses", grouped.size())
    shares = pd.crosstab([frame["period"], frame[key]], frame["level"], normalize="index")
    for lv in q.levels:
        wide[f"share_{lv}"] = shares[lv] if lv in shares.columns else 0.0
    if registered is not None:
        known = registered.reindex(wide.index.get_level_values(1)).to_numpy(dtype=float)
        with np.errstate(divide="ignore", invalid="ignore"):
            rate = np.where(known > 0, wide["responses"].to_numpy() / known, np.nan)
        wide.insert(1, "response_rate", rate)
    else:
        wide.insert(1, "response_rate", np.nan)
    wide = wide.reset_index().rename(columns={key: "group"})
    out = wide.melt(id_vars=["period", "group", "responses"], var_name="measure")
    out["count"] = out["responses"].astype(int)
    out = out.drop(columns="responses")
    counts = wide[["period", "group", "responses"]].assign(measure="responses")
    counts = counts.rename(columns={"responses": "value"})
    counts["count"] = counts["value"].astype(int)
    out = pd.concat([counts, out], ignore_index=True)
    out["dimension"] = dimension
    return [out]


def figures(
    q: Questionnaire,
    sheets: pd.DataFrame,
    areas: Mapping[str, Sequence[str]],
    min_count: int,
    registered: Mapping[tuple[str, str], int] | None = None,
) -> pd.DataFrame:
    """Every figure of ``sheets`` (columns ``period, commune, sector, size, score, level``
    and one per pillar; submitted sheets only). ``areas`` gives, per commune code, the
    units it counts in (itself and the units above it); ``registered`` the number of
    known respondents per ``(dimension, group)`` for the response rates."""
    parts: list[pd.DataFrame] = []
    reg = registered or {}

    def known(dimension: str) -> pd.Series | None:
        values = {g: n for (d, g), n in reg.items() if d == dimension}
        return pd.Series(values, dtype=float) if values else None

    if not sheets.empty:
        pairs = pd.DataFrame(
            [(c, a) for c, units in areas.items() for a in units], columns=["commune", "area"]
        )
        by_area = sheets.merge(pairs, on="commune", how="inner")
        parts += _long(q, by_area, "area", UNIT, known(UNIT))
        for dimension in (SECTOR, SIZE):
            rows = sheets[sheets[dimension].notna() & (sheets[dimension] != "")]
            parts += _long(q, rows, dimension, dimension, known(dimension))
    if not parts:
        return pd.DataFrame(columns=COLUMNS)
    out = pd.concat(parts, ignore_index=True)
    small = (out["count"] < min_count) & ~out["measure"].isin(KEPT)
    out["suppressed"] = small
    out["value"] = out["value"].astype(float).where(~small, np.nan)
    order = {m: i for i, m in enumerate(measures(q))}
    out["_m"] = out["measure"].map(order)
    out = out.sort_values(["period", "dimension", "group", "_m"], kind="stable")
    return out[COLUMNS].reset_index(drop=True)
