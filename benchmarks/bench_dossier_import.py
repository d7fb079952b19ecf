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
cores. Each import runs in a fresh process of its own; its peak memory (max RSS) is
reported apart from the benchmark process, which generates the files.

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


def plain_copy(paths: list[Path], out: Path) -> float:
    import duckdb

    con = duckdb.connect()
    con.execute("SET enable_progress_bar = false")
    files = "[" + ", ".join(f"'{p}'" for p in paths) + "]"
    source = (
        f"read_parquet({files})"
        if paths[0].suffix == ".parquet"
        else f"read_csv({files}, header = true, all_varchar = true)"
    )
    t = time.perf_counter()
    con.execute(
        f"COPY (SELECT * FROM {source}) TO '{out}' (FORMAT parquet, COMPRESSION zstd, "
        "COMPRESSION_LEVEL 1)"
    )
    elapsed = time.perf_counter() - t
    con.close()
    return elapsed


def dxscore_import(paths: list[Path], store: Path) -> tuple[float, int]:
    from dxscore.dossiers import Store

    shutil.rmtree(store, ignore_errors=True)
    t = time.perf_counter()
    result = Store(store, create=True).import_files(paths)
    elapsed = time.perf_counter() - t
    assert result.committed and result.rejected == 0, result.rejects_counts
    return elapsed, result.stored_rows


def dxscore_import_alone(paths: list[Path], store: Path) -> tuple[float, int]:
    """``dxscore_import`` in a fresh process of its own, so that the peak memory of the
    import is measured apart from generating the files and the plain copy (the parent's
    ``RUSAGE_CHILDREN`` is the largest child's)."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as pool:
        return pool.submit(dxscore_import, paths, store).result()


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
                paths = list(made.files)  # synth writes a file per 5M rows
                load = os.getloadavg()[0]
                ours, plain = [], []
                stored = 0
                for _ in range(args.repeat):
                    took, stored = dxscore_import_alone(paths, scratch / "store")
                    ours.append(took)
                    plain.append(plain_copy(paths, scratch / "plain.parquet"))
                n = size * 1.02  # rows in the file: dossiers and their earlier versions
                best, base = min(ours), min(plain)
                rows.append(
                    f"| {fmt} | {size:,} | {n / best / 1e6:.2f} | {n / base / 1e6:.2f} | "
                    f"{best / base:.1f} | {load:.1f} | {stored:,} | {len(paths)} |"
                )
                print(rows[-1], flush=True)
                shutil.rmtree(folder, ignore_errors=True)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 / 1024
    imports = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024 / 1024
    print()
    print(
        "| format | dossiers | dxscore M rows/s | plain DuckDB M rows/s | time ratio | "
        "load (1 min) | stored | files |"
    )
    print("|---|---|---|---|---|---|---|---|")
    print("\n".join(rows))
    print(f"\npeak memory (max RSS) of an import {imports:.2f} GiB; of the benchmark's own")
    print(f"process (generating the files, the plain copy) {peak:.2f} GiB")


if __name__ == "__main__":
    main()
