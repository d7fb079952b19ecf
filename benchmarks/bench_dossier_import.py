"""Benchmark: importing dossier files against the plain DuckDB read-and-write of the same
file, in the same run.

For each size (default 1M and 5M rows) and format (Parquet, CSV) the script generates
synthetic records (``dxscore dossiers synth``, 2% earlier versions of dossiers as real
exports hold), then, best of ``--repeat`` runs each, in alternation:

- dxscore: ``Store.import_files`` into an empty store (validation with row, column and
  reason, warnings, de-duplication, one transaction);
- plain: DuckDB reading the same file and writing it as zstd Parquet (``COPY``), with no
  check at all: the disk-and-format speed of this machine at this moment.

The ratio dxscore / plain is the figure to compare across machines and loads. The load
average (``os.getloadavg``) is recorded before each size: other developers share the
cores. Peak memory is the process's max RSS at the end (the largest import dominates).

    .venv/bin/python benchmarks/bench_dossier_import.py                  # 1M and 5M
    .venv/bin/python benchmarks/bench_dossier_import.py --sizes 20000000 --formats parquet
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import tempfile
import time
from pathlib import Path


def plain_copy(path: Path, out: Path) -> float:
    import duckdb

    con = duckdb.connect()
    con.execute("SET enable_progress_bar = false")
    source = (
        f"read_parquet('{path}')"
        if path.suffix == ".parquet"
        else f"read_csv('{path}', header = true, all_varchar = true)"
    )
    t = time.perf_counter()
    con.execute(
        f"COPY (SELECT * FROM {source}) TO '{out}' (FORMAT parquet, COMPRESSION zstd, "
        "COMPRESSION_LEVEL 1)"
    )
    elapsed = time.perf_counter() - t
    con.close()
    return elapsed


def dxscore_import(path: Path, store: Path) -> tuple[float, int]:
    from dxscore.dossiers import Store

    shutil.rmtree(store, ignore_errors=True)
    t = time.perf_counter()
    result = Store(store, create=True).import_files([path])
    elapsed = time.perf_counter() - t
    assert result.committed and result.rejected == 0, result.rejects_counts
    return elapsed, result.stored_rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000000,5000000")
    parser.add_argument("--formats", default="parquet,csv")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--dir", type=Path, default=None, help="scratch folder")
    args = parser.parse_args()
    from dxscore.dossiers.synth import synth

    scratch = Path(args.dir or tempfile.mkdtemp(prefix="dxscore-bench-import-"))
    rows = []
    try:
        for size in (int(s) for s in args.sizes.split(",")):
            for fmt in args.formats.split(","):
                folder = scratch / f"{fmt}-{size}"
                made = synth(
                    folder, size, units=60, start="2023-01-01", end="2024-12-31", seed=11, fmt=fmt
                )
                path = made.files[0]
                load = os.getloadavg()[0]
                ours, plain = [], []
                stored = 0
                for _ in range(args.repeat):
                    took, stored = dxscore_import(path, scratch / "store")
                    ours.append(took)
                    plain.append(plain_copy(path, scratch / "plain.parquet"))
                n = size * 1.02  # rows in the file: dossiers and their earlier versions
                best, base = min(ours), min(plain)
                rows.append(
                    f"| {fmt} | {size:,} | {n / best / 1e6:.2f} | {n / base / 1e6:.2f} | "
                    f"{best / base:.1f} | {load:.1f} | {stored:,} |"
                )
                print(rows[-1], flush=True)
                shutil.rmtree(folder, ignore_errors=True)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 / 1024
    print()
    print(
        "| format | dossiers | dxscore M rows/s | plain DuckDB M rows/s | time ratio | "
        "load (1 min) | stored |"
    )
    print("|---|---|---|---|---|---|---|")
    print("\n".join(rows))
    print(f"\npeak memory (max RSS) {peak:.2f} GiB")


if __name__ == "__main__":
    main()
