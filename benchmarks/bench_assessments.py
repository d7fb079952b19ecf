"""Benchmark: scoring answer sheets and computing every figure of a questionnaire.

Makes ``--sheets`` synthetic answer sheets of the built-in self-assessment (answers
drawn around a latent maturity, as the demo does; skip logic applies) spread over
``--communes`` communes in 10 districts of one province, 9 sectors, 4 sizes and two
periods, then times, with the pure library (no database):

1. the points of every answer (``points_table``: skip logic and points per question);
2. scoring by the index engine (each sheet a unit; ``score_sheets`` = 1 and 2);
3. every figure (``figures``: per period, per unit of the map with roll-up to district
   and province, per sector and size there; counts, rates, means, level shares,
   suppression).

The baseline, in the same run, is a plain pandas ``groupby`` of the same means and counts
(per commune, district and province; per sector and size) without level shares,
suppression or the long table; the figures are checked equal to it.

    .venv/bin/python benchmarks/bench_assessments.py --sheets 100000
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from dxscore import assessments as qa  # noqa: E402
from dxscore.assessments.answers import points_table  # noqa: E402
from dxscore.assessments.scoring import dataset, scores  # noqa: E402
from dxscore.index import compute  # noqa: E402


def answers(q, n: int, seed: int) -> list[dict]:
    """Answers as the demo draws them (``dxscore.demo.assessments``), vectorised per
    question so that making 100,000 sheets takes seconds."""
    rng = np.random.default_rng(seed)
    m = rng.beta(2, 3.2, n)
    columns = {}
    for code, question in q.questions.items():
        spec = question.spec
        t = spec.type
        if t == "yesno":
            columns[code] = np.where(rng.random(n) < 0.15 + 0.8 * m, "yes", "no").tolist()
        elif t == "single":
            k = len(spec.options)
            at = np.clip(np.round(m * (k - 1) + rng.normal(0, 0.7, n)), 0, k - 1).astype(int)
            codes = np.array([o.code for o in spec.options], dtype=object)
            columns[code] = codes[at].tolist()
        elif t == "multiple":
            picks = rng.random((n, len(spec.options))) < (0.1 + 0.8 * m)[:, None]
            codes = [o.code for o in spec.options]
            columns[code] = [[c for c, p in zip(codes, row, strict=True) if p] for row in picks]
        elif t == "scale":
            lo, hi = int(spec.min), int(spec.max)
            v = np.clip(np.round(lo + m * (hi - lo) + rng.normal(0, 0.8, n)), lo, hi)
            columns[code] = v.astype(int).tolist()
        elif t == "number":
            columns[code] = np.clip(np.round(rng.gamma(1 + 4 * m, 6)), 0, 100).tolist()
    sheets = [{} for _ in range(n)]
    for code, values in columns.items():
        for sheet, v in zip(sheets, values, strict=True):
            if v != []:
                sheet[code] = v
    return sheets


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sheets", type=int, default=100_000)
    ap.add_argument("--communes", type=int, default=200)
    ap.add_argument("--min-count", type=int, default=5)
    args = ap.parse_args()
    n = args.sheets
    q = qa.load("dbi-business")
    t0 = time.perf_counter()
    sheets = answers(q, n, 23)
    made = time.perf_counter() - t0
    rng = np.random.default_rng(5)
    communes = [f"c{i:03d}" for i in range(args.communes)]
    areas = {c: [c, f"d{i % 10}", "P"] for i, c in enumerate(communes)}
    period = rng.choice(["2024", "2025"], n)

    t = time.perf_counter()
    table = points_table(q, sheets)
    t_points = time.perf_counter() - t
    t = time.perf_counter()
    result = {}
    for p in ("2024", "2025"):
        idx = np.flatnonzero(period == p)
        data = dataset(q, [str(i) for i in idx], {c: v[idx] for c, v in table.items()}, p)
        result[p] = (idx, scores(q, compute(q.methodology(), data)))
    t_engine = time.perf_counter() - t

    frame = pd.DataFrame(
        {
            "period": period,
            "commune": rng.choice(communes, n),
            "sector": rng.choice(
                [
                    "agriculture",
                    "manufacturing",
                    "construction",
                    "trade",
                    "transport",
                    "tourism",
                    "ict",
                    "finance",
                    "other",
                ],
                n,
            ),
            "size": rng.choice(["micro", "small", "medium", "large"], n),
        }
    )
    frame["score"] = np.nan
    frame["level"] = ""
    for p in q.pillars:
        frame[p] = np.nan
    for _p, (idx, s) in result.items():
        frame.loc[idx, "score"] = s.index
        frame.loc[idx, "level"] = s.levels
        for p in q.pillars:
            frame.loc[idx, p] = s.pillars[p]
    t = time.perf_counter()
    figures = qa.figures(q, frame, areas, args.min_count)
    t_figures = time.perf_counter() - t

    # baseline: plain groupbys of the same means and counts
    t = time.perf_counter()
    base = frame.assign(district=frame["commune"].map(lambda c: areas[c][1]), province="P")
    cols = ["score", *q.pillars]
    plain = []
    for key in ("commune", "district", "province"):
        plain.append(base.groupby(["period", key])[cols].agg(["mean", "size"]))
        for dim in ("sector", "size"):
            plain.append(base.groupby(["period", key, dim])[cols].agg(["mean", "size"]))
    t_plain = time.perf_counter() - t

    # the figures equal the plain groupby (province and one commune, all and per sector)
    got = figures.set_index(["period", "unit", "dimension", "group", "measure"])["value"]
    prov = base.groupby("period")["score"].mean()
    for p_code, mean in prov.items():
        assert abs(got[(p_code, "P", "all", "", "score")] - mean) < 1e-9
    per = base.groupby(["period", "commune", "sector"])["score"].agg(["mean", "size"])
    for (p_code, c, s), row in per.head(50).iterrows():
        key = (p_code, c, "sector", s, "score")
        if row["size"] >= args.min_count:
            assert abs(got[key] - row["mean"]) < 1e-9
        else:
            assert np.isnan(got[key])

    total = t_points + t_engine + t_figures
    cpu = os.cpu_count()
    machine = platform.processor() or "cpu"
    print(f"{n:,} sheets made in {made:.1f} s (not timed below); {machine}, {cpu} cores")
    print(f"points (skip logic, answers)   {t_points:6.2f} s")
    print(f"scoring by the engine          {t_engine:6.2f} s")
    print(f"figures ({len(figures):,} rows)       {t_figures:6.2f} s")
    print(f"total                          {total:6.2f} s   (aim < 30 s)")
    ratio = t_figures / t_plain
    print(f"baseline: plain groupby        {t_plain:6.2f} s   (figures / baseline: {ratio:.1f}x)")
    print(
        f"| {n:,} | {t_points:.2f} s | {t_engine:.2f} s | {t_figures:.2f} s | "
        f"**{total:.2f} s** | {t_plain:.2f} s |"
    )


if __name__ == "__main__":
    main()
