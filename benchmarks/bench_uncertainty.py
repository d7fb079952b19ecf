"""Benchmark: vectorised uncertainty analysis against a naive loop.

63 units, 100 indicators in a 3-level tree (10 pillars, 2 sub-indices), replications with
+/-25% weight noise and two alternative normalisations. The naive baseline does what
COINr does: per replication it rebuilds the methodology with that replication's weights
and normalisation and calls the ordinary pipeline (``compute``). Both evaluate the same
sample of uncertain inputs; the script checks that they agree on the replications the
baseline runs, then reports time per replication, the ratio, and peak memory.

    .venv/bin/python benchmarks/bench_uncertainty.py [--runs 10000] [--naive-runs 200]
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import platform
import resource
import statistics
import time
import tracemalloc

import numpy as np

from dxscore import index as ix
from dxscore.index.methods import Uncertainty
from dxscore.index.uncertainty import Replicator

try:
    from benchmarks.bench_index import data, methodology
except ImportError:  # run as a script from the repository root
    from bench_index import data, methodology

UNCERTAINTY = Uncertainty.model_validate(
    {
        "weights": {"noise": 0.25},
        "normalisation": [
            {"method": "minmax", "range": [1, 100]},
            {"method": "percentile_rank"},
        ],
    }
)


def naive(
    m: ix.CompiledMethodology, dataset: ix.Dataset, rep: Replicator, U: np.ndarray
) -> np.ndarray:
    """One full pipeline run per replication (the baseline)."""
    out = []
    norm_col = next(k for k, f in enumerate(rep.factors) if f.kind == "normalisation")
    options = [None, *UNCERTAINTY.normalisation]
    weight_cols = {(f.node, f.child): k for k, f in enumerate(rep.factors) if f.kind == "weight"}
    noise = UNCERTAINTY.weights.noise
    p = dataset.period_index(rep.period)
    for row in U:
        choice = options[min(int(row[norm_col] * len(options)), len(options) - 1)]
        nodes = {}
        for code, node in m.nodes.items():
            spec = node.spec
            update = {}
            if node.is_indicator and choice is not None:
                update["normalisation"] = choice
            nodes[code] = dataclasses.replace(node, spec=spec.model_copy(update=update))
        for (parent, j), k in weight_cols.items():
            child = m.nodes[parent].children[j]
            factor = 1.0 + noise * (2.0 * row[k] - 1.0)
            spec = nodes[child].spec
            nodes[child] = dataclasses.replace(
                nodes[child],
                spec=spec.model_copy(update={"weight": m.nodes[child].spec.weight * factor}),
            )
        m_r = dataclasses.replace(m, nodes=nodes)
        m_r.__dict__.pop("aggregates", None)
        out.append(ix.compute(m_r, dataset).scores["index"][p])
    return np.array(out)


def limit(
    m: ix.CompiledMethodology, rep: Replicator, U: np.ndarray
) -> tuple[np.ndarray, float, float]:
    """The floor: each replication's effective indicator weights (products of the
    normalised weights down the tree, computed untimed) times the indicator scores of its
    normalisation, one matrix product per normalisation, plus the ranking. Only valid for
    this benchmark's index (a tree of arithmetic means, no missing values)."""
    dropped = np.zeros(len(U), dtype=int)
    eff = {"index": np.ones(len(U))}
    for code in reversed(m.aggregates):
        w = rep._weights(U, code, dropped, nominal_weights=False)[:, 0, :]
        w = w / w.sum(axis=1, keepdims=True)
        for j, child in enumerate(m.nodes[code].children):
            eff[child] = eff[code] * w[:, j]
    W = np.stack([eff[c] for c in m.indicators], axis=1)  # (R, I)
    norm = rep._choice(U, "normalisation")
    t0, c0 = time.perf_counter(), time.process_time()
    scores = np.empty((len(U), len(rep.units)))
    for v in np.unique(norm):
        rows = norm == v
        scores[rows] = W[rows] @ rep._variants[0, v].T
    rep.ranks(scores)
    return scores, time.perf_counter() - t0, time.process_time() - c0


def vectorised(m, dataset, period, runs):
    rep = Replicator(m, dataset, period, UNCERTAINTY)
    U = np.random.default_rng(0).random((runs, len(rep.factors)))
    scores = rep.evaluate(U)
    ranks = rep.ranks(scores)
    return rep, U, scores, ranks


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=10_000)
    parser.add_argument("--naive-runs", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    m = methodology()
    wide = data(63)
    dataset = ix.dataset_from_frame(wide, m, source="bench")
    period = dataset.periods[-1]

    times, cpu = [], []
    for _ in range(args.repeat):  # building the replicator (indicator variants) is timed
        t0, c0 = time.perf_counter(), time.process_time()
        rep, U, scores, ranks = vectorised(m, dataset, period, args.runs)
        times.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    t_vec, cpu_vec = statistics.median(times), statistics.median(cpu)
    tracemalloc.start()  # memory in a run of its own: tracing slows every allocation
    vectorised(m, dataset, period, args.runs)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()

    floor_scores, *_ = limit(m, rep, U)
    floors = [limit(m, rep, U)[1:] for _ in range(args.repeat)]
    t_limit = statistics.median(f[0] for f in floors)
    cpu_limit = statistics.median(f[1] for f in floors)
    np.testing.assert_allclose(floor_scores, scores, rtol=1e-9, atol=1e-9)

    n = min(args.naive_runs, args.runs)
    c0 = time.process_time()
    baseline = naive(m, dataset, rep, U[:n])
    cpu_naive = time.process_time() - c0
    np.testing.assert_allclose(baseline, scores[:n], rtol=1e-9, atol=1e-9)
    assert ranks.shape == (args.runs, 63)

    per_vec, per_naive = cpu_vec / args.runs, cpu_naive / n
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"machine: {platform.machine()}, CPython {platform.python_version()}, "
        f"numpy {np.__version__}; load average {os.getloadavg()[0]:.1f}"
    )
    print(
        f"63 units, {len(m.indicators)} indicators, {len(rep.factors)} uncertain inputs "
        f"({len(m.aggregates)} weight groups + normalisation); median of {args.repeat}; "
        "ratios of CPU times"
    )
    print(
        "| replications | vectorised, wall / CPU (s) | naive per replication, CPU (ms, "
        f"{n} runs) | naive / vectorised | limit: product + ranking, wall / CPU (s) "
        "| vectorised / limit | peak traced memory (MiB) | max RSS (MiB) |"
    )
    print("|---:|---:|---:|---:|---:|---:|---:|---:|")
    print(
        f"| {args.runs:,} | {t_vec:.3f} / {cpu_vec:.3f} | {per_naive * 1e3:.2f} "
        f"| {per_naive / per_vec:.0f}x | {t_limit:.3f} / {cpu_limit:.3f} "
        f"| {cpu_vec / cpu_limit:.1f}x | {peak / 2**20:.0f} | {rss:.0f} |"
    )


if __name__ == "__main__":
    main()
