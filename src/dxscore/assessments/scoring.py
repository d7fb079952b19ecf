"""Scoring answer sheets with the index engine.

A questionnaire's scoring is a methodology built from its file: every scored question
is an indicator whose raw value is the points its answer earned (range ``[0, max]``,
normalised by goalposts 0 and max onto 0-100); every pillar is the mean of its
questions weighted by their maximum points, so the pillar's score is the points earned
as a share of the maximum of the questions that apply (0-100; a question not shown has
no value and is left out); the index is the weighted mean of the pillars. Each answer
sheet is a unit, so a sheet's result is explained like any score (``Result.explain``),
and the same machinery ranks and aggregates. Maturity levels are the thresholds of the
file on a score (the index or a pillar's)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
import yaml

from dxscore import index as ix
from dxscore.assessments.answers import Answers, points_table
from dxscore.assessments.questionnaire import Questionnaire
from dxscore.index.arrays import Floats


def methodology_text(q: Questionnaire) -> str:
    """The methodology file of the questionnaire's scoring (YAML)."""
    pillars = []
    for p in q.spec.pillars:
        children = [
            {
                "code": s.code,
                "name": s.spec.text.en[:300],
                "unit": "points",
                "weight": s.max_points,
                "range": [0, s.max_points],
                "required": False,
                "normalisation": {"method": "goalposts", "lower": 0, "upper": s.max_points},
            }
            for s in q.in_pillar(p.code)
        ]
        pillars.append(
            {
                "code": p.code,
                "name": p.name.en[:300],
                "weight": p.weight,
                "aggregation": "arithmetic",
                "children": children,
            }
        )
    spec = {
        "id": f"{q.code}-scoring",
        "version": q.version,
        "title": f"{q.spec.title.en[:280]} (scoring)",
        "description": (
            f"Built from questionnaire {q.code} v{q.version}: points per answer as a "
            "share of the maximum per pillar; the index is the weighted mean of the pillars."
        ),
        "scale": [0, 100],
        "defaults": {"indicator": {"imputation": "none", "outliers": "none"}},
        "tree": {
            "code": "index",
            "name": q.spec.title.en[:300],
            "aggregation": "arithmetic",
            "children": pillars,
        },
    }
    return yaml.safe_dump(spec, allow_unicode=True, sort_keys=False)


def compile_methodology(q: Questionnaire) -> ix.CompiledMethodology:
    return ix.loads(methodology_text(q), source=f"{q.source} (scoring)")


def dataset(
    q: Questionnaire, ids: Sequence[str], table: dict[str, Floats], period: str
) -> ix.Dataset:
    """The engine's dataset of sheets ``ids`` (units) in one period."""
    n = len(ids)
    return ix.Dataset(
        units=list(ids),
        periods=[period],
        values={code: np.asarray(table[code], dtype=float).reshape(1, n) for code in table},
        present=np.ones((1, n), dtype=bool),
    )


def compute(
    q: Questionnaire, ids: Sequence[str], sheets: Sequence[Answers], period: str = "sheet"
) -> ix.Result:
    """Score sheets (answers checked already) with the engine."""
    return ix.compute(q.methodology(), dataset(q, ids, points_table(q, sheets), period))


@dataclass
class Scores:
    """Scores of N sheets: the index and each pillar (0-100) and their levels."""

    ids: list[str]
    index: Floats  # (N,)
    pillars: dict[str, Floats]  # code -> (N,)
    levels: np.ndarray  # (N,) level codes of the index
    pillar_levels: dict[str, np.ndarray]

    def frame(self) -> pd.DataFrame:
        data: dict[str, object] = {"sheet": self.ids, "score": self.index, "level": self.levels}
        for code, values in self.pillars.items():
            data[code] = values
        return pd.DataFrame(data)


def levels_of(q: Questionnaire, scores: Floats) -> np.ndarray:
    """The maturity level of each score (the last level whose ``from`` it reaches)."""
    thresholds = np.array([lv.from_ for lv in q.spec.levels])
    codes = np.array(q.levels, dtype=object)
    values = np.nan_to_num(np.asarray(scores, dtype=float), nan=0.0)
    # a hair below a threshold by floating-point sums still reaches it
    at = np.searchsorted(thresholds, values + 1e-9, side="right") - 1
    found: np.ndarray = codes[np.clip(at, 0, len(codes) - 1)]
    return found


def scores(q: Questionnaire, result: ix.Result) -> Scores:
    s = result.scores
    index = np.nan_to_num(s["index"][0], nan=0.0)
    pillars = {p: np.nan_to_num(s[p][0], nan=0.0) for p in q.pillars}
    return Scores(
        list(result.data.units),
        index,
        pillars,
        levels_of(q, index),
        {p: levels_of(q, v) for p, v in pillars.items()},
    )


def score_sheets(
    q: Questionnaire, ids: Sequence[str], sheets: Sequence[Answers], period: str = "sheet"
) -> Scores:
    return scores(q, compute(q, ids, sheets, period))


def explain(q: Questionnaire, answers: Answers, language: str = "en") -> pd.DataFrame:
    """One sheet's result node by node (the engine's explanation), with each question's
    text in ``language``."""
    table = compute(q, ["sheet"], [answers]).explain("sheet", "sheet")
    names = {s.code: s.spec.text.get(language) for s in q.scored()}
    names |= {p.code: p.name.get(language) for p in q.spec.pillars}
    names["index"] = q.spec.title.get(language)
    table["name"] = table["node"].map(names).fillna(table["name"])
    return table


@dataclass
class Recommendation:
    pillar: str
    level: str
    score: float
    text: str


def recommendations(
    q: Questionnaire, pillar_scores: dict[str, float], language: str = "en", count: int = 2
) -> list[Recommendation]:
    """The recommendations of the ``count`` weakest pillars (lowest score first; a pillar
    at the top level needs none), from the file's text for that pillar and level."""
    top = q.levels[-1]
    ranked = sorted(pillar_scores.items(), key=lambda kv: (kv[1], q.pillars.index(kv[0])))
    out = []
    for code, value in ranked:
        level = str(levels_of(q, np.array([value]))[0])
        if level == top:
            continue
        text = q.pillar(code).recommendations.get(level)
        if text is None:
            continue
        out.append(Recommendation(code, level, value, text.get(language)))
        if len(out) == count:
            break
    return out
