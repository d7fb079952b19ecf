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

COLUMNS = ["period", "unit", "dimension", "group", "measure", "value", "count", "suppressed"]
ALL, SECTOR, SIZE = "all", "sector", "size"
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
    dimension: str,
    registered: Mapping[tuple[str, str, str], int],
) -> pd.DataFrame | None:
    if frame.empty:
        return None
    key = "_group"
    frame = frame.assign(_group="" if dimension == ALL else frame[dimension].astype(str))
    keys = ["period", "area", key]
    grouped = frame.groupby(keys, sort=True, observed=True)
    wide = grouped[["score", *q.pillars]].mean()
    responses = grouped.size()
    shares = pd.crosstab([frame[k] for k in keys], frame["level"], normalize="index")
    for lv in q.levels:
        wide[f"share_{lv}"] = shares[lv] if lv in shares.columns else 0.0
    known = np.array([registered.get((dimension, a, g), 0) for _p, a, g in wide.index], dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        rate = np.where(known > 0, responses.to_numpy() / known, np.nan)
    wide.insert(0, "response_rate", rate)
    wide.insert(0, "responses", responses.astype(float))
    wide["_n"] = responses
    wide = wide.reset_index().rename(columns={"area": "unit", key: "group"})
    out = wide.melt(id_vars=["period", "unit", "group", "_n"], var_name="measure")
    out = out.rename(columns={"_n": "count"})
    out["dimension"] = dimension
    return out


def figures(
    q: Questionnaire,
    sheets: pd.DataFrame,
    areas: Mapping[str, Sequence[str]],
    min_count: int,
    registered: Mapping[tuple[str, str, str], int] | None = None,
) -> pd.DataFrame:
    """Every figure of ``sheets`` (columns ``period, commune, sector, size, score, level``
    and one per pillar; submitted sheets only), per period and unit: of all its sheets
    (dimension ``all``) and per sector and size. ``areas`` gives, per commune code, the
    units it counts in (itself and the units above it); ``registered`` the number of
    known respondents per ``(dimension, unit, group)`` (group ``""`` for ``all``), for
    the response rates."""
    parts: list[pd.DataFrame] = []
    reg = registered or {}
    if not sheets.empty:
        pairs = pd.DataFrame(
            [(c, a) for c, units in areas.items() for a in units], columns=["commune", "area"]
        )
        by_area = sheets.merge(pairs, on="commune", how="inner")
        for dimension in (ALL, SECTOR, SIZE):
            rows = by_area
            if dimension != ALL:
                rows = by_area[by_area[dimension].notna() & (by_area[dimension] != "")]
            part = _long(q, rows, dimension, reg)
            if part is not None:
                parts.append(part)
    if not parts:
        return pd.DataFrame(columns=COLUMNS)
    out = pd.concat(parts, ignore_index=True)
    small = (out["count"] < min_count) & ~out["measure"].isin(KEPT)
    out["suppressed"] = small
    out["value"] = out["value"].astype(float).where(~small, np.nan)
    out["count"] = out["count"].astype(int)
    order = {m: i for i, m in enumerate(measures(q))}
    out["_m"] = out["measure"].map(order)
    out = out.sort_values(["period", "unit", "dimension", "group", "_m"], kind="stable")
    return out[COLUMNS].reset_index(drop=True)
