"""Benchmark: the index engine against a straightforward pandas implementation.

Both compute the same index (min-max per period, weighted arithmetic means up a
three-level tree: 100 indicators, 10 pillars, 2 sub-indices) from the same long table;
the script checks that they agree, then reports the median time of each and the ratio.

    .venv/bin/python benchmarks/bench_index.py [--units 63 1000 10000] [--repeat 5]
"""

from __future__ import annotations

import argparse
import platform
import statistics
import time

import numpy as np
import pandas as pd

from dxscore import index as ix

N_INDICATORS, N_PILLARS, N_SUBINDICES, N_PERIODS = 100, 10, 2, 6


def methodology() -> ix.CompiledMethodology:
    per_pillar = N_INDICATORS // N_PILLARS
    pillars_per_sub = N_PILLARS // N_SUBINDICES
    subs = []
    for s in range(N_SUBINDICES):
        pillars = []
        for p in range(s * pillars_per_sub, (s + 1) * pillars_per_sub):
            leaves = ", ".join(
                f"{{code: i{i:03d}, weight: {1 + i % 3}}}"
                for i in range(p * per_pillar, (p + 1) * per_pillar)
            )
            pillars.append(f"{{code: p{p:02d}, children: [{leaves}]}}")
        subs.append(f"{{code: s{s}, children: [{', '.join(pillars)}]}}")
    text = (
        "id: bench\nversion: 1\ntitle: Benchmark\nscale: [0, 100]\n"
        f"tree: {{children: [{', '.join(subs)}]}}\n"
    )
    return ix.loads(text, source="bench")


def data(n_units: int, seed: int = 1) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    units = [f"u{u:05d}" for u in range(n_units)]
    periods = [str(2019 + p) for p in range(N_PERIODS)]
    idx = pd.MultiIndex.from_product([units, periods], names=["unit", "period"])
    frame = pd.DataFrame(
        rng.gamma(2.0, 10.0, size=(len(idx), N_INDICATORS)),
        index=idx,
        columns=[f"i{i:03d}" for i in range(N_INDICATORS)],
    )
    return frame.reset_index()


def pandas_baseline(wide: pd.DataFrame, m: ix.CompiledMethodology) -> pd.Series:
    """The same index, written the usual pandas way: long table, groupby, merges."""
    long = wide.melt(id_vars=["unit", "period"], var_name="node", value_name="value")
    g = long.groupby(["period", "node"])["value"]
    mn, mx = g.transform("min"), g.transform("max")
    long["score"] = (long["value"] - mn) / (mx - mn) * 100
    level = long[["unit", "period", "node", "score"]]
    for code in m.aggregates:  # children before parents, one level at a time
        children = m.nodes[code].children
        weights = pd.Series({c: m.nodes[c].spec.weight for c in children}, name="w").rename_axis(
            "node"
        )
        part = level[level["node"].isin(children)].join(weights, on="node")
        part = part.assign(ws=part["score"] * part["w"])
        agg = part.groupby(["unit", "period"])[["ws", "w"]].sum()
        level = pd.concat(
            [level, (agg["ws"] / agg["w"]).rename("score").reset_index().assign(node=code)]
        )
    out = level[level["node"] == "index"].set_index(["period", "unit"])["score"]
    return out.sort_index()


def engine(wide: pd.DataFrame, m: ix.CompiledMethodology) -> ix.Result:
    return ix.compute(m, ix.dataset_from_frame(wide, m, source="bench"))


def timed(fn, repeat: int) -> tuple[float, object]:
    times, value = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        value = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), value


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--units", type=int, nargs="+", default=[63, 1000, 10000])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    m = methodology()
    print(
        f"machine: {platform.machine()}, {platform.python_implementation()} "
        f"{platform.python_version()}, numpy {np.__version__}, pandas {pd.__version__}"
    )
    print(
        f"index: {N_INDICATORS} indicators, {N_PILLARS} pillars, {N_SUBINDICES} sub-indices, "
        f"{N_PERIODS} periods"
    )
    print(
        "| units | values | engine, load + compute (s) | engine, compute only (s) "
        "| pandas baseline (s) | baseline / engine compute |"
    )
    print("|---:|---:|---:|---:|---:|---:|")
    for n in args.units:
        wide = data(n)
        dataset = ix.dataset_from_frame(wide, m, source="bench")
        t_full, _ = timed(lambda w=wide: engine(w, m), max(1, args.repeat // 2))
        t_engine, result = timed(lambda d=dataset: ix.compute(m, d), args.repeat)
        t_base, base = timed(lambda w=wide: pandas_baseline(w, m), args.repeat)
        got = pd.Series(
            result.scores["index"].ravel(),
            index=pd.MultiIndex.from_product([dataset.periods, dataset.units]),
        ).sort_index()
        np.testing.assert_allclose(got.to_numpy(), base.to_numpy(), rtol=1e-9)
        print(
            f"| {n} | {n * N_PERIODS * N_INDICATORS:,} | {t_full:.3f} | {t_engine:.4f} "
            f"| {t_base:.3f} | {t_base / t_engine:.1f}x |"
        )


if __name__ == "__main__":
    main()
