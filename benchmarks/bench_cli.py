"""Benchmark: start-up time of the command line against a bare Python in the same run.

Each command runs in a fresh process, ``--repeat`` times; the script prints the median
wall time and the median CPU time (user + system of the child process: what a quiet
machine's wall time would be, and far steadier on a shared one) of each, and the ratios
of CPU time to ``python -c pass`` (the interpreter's own start) and to ``python -c
"import typer"`` (the floor of any Typer command line), then the ten slowest imports of
``dxscore index list`` by ``python -X importtime``.

    .venv/bin/python benchmarks/bench_cli.py [--repeat 15] [--src OTHER_CHECKOUT/src]
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src"
CLI = "from dxscore.cli import main; main()"
COMMANDS = [
    ("python -c pass (baseline)", ["-c", "pass"]),
    ('python -c "import typer"', ["-c", "import typer"]),
    ("dxscore version", ["-c", CLI, "version"]),
    ("dxscore --help", ["-c", CLI, "--help"]),
    ("dxscore index --help", ["-c", CLI, "index", "--help"]),
    ("dxscore index list", ["-c", CLI, "index", "list"]),
]


def _env(src: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(src), env.get("PYTHONPATH")]))
    env["COLUMNS"] = "120"
    return env


def run(args: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall and CPU seconds of one fresh process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    subprocess.run([sys.executable, *args], env=env, check=True, capture_output=True)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
    return wall, cpu


def slowest_imports(args: list[str], env: dict[str, str], n: int = 10) -> list[tuple[int, str]]:
    """``(cumulative microseconds, module)`` of the slowest top-level imports."""
    done = subprocess.run(
        [sys.executable, "-X", "importtime", *args], env=env, capture_output=True, text=True
    )
    rows = []
    for line in done.stderr.splitlines():
        if not line.startswith("import time:") or "cumulative" in line:
            continue
        _, cumulative, name = line.split("|")
        if not name.startswith("  "):  # top level: imported by the command itself
            rows.append((int(cumulative), name.strip()))
    return sorted(rows, reverse=True)[:n]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--src", type=Path, default=SRC, help="the dxscore sources to time")
    args = parser.parse_args()
    env = _env(args.src)
    for _, argv in COMMANDS:  # warm the file cache and the bytecode
        run(argv, env)
    walls: dict[str, list[float]] = {label: [] for label, _ in COMMANDS}
    cpus: dict[str, list[float]] = {label: [] for label, _ in COMMANDS}
    for _ in range(args.repeat):  # interleaved, so that a burst of load hits all alike
        for label, argv in COMMANDS:
            wall, cpu = run(argv, env)
            walls[label].append(wall)
            cpus[label].append(cpu)
    wall_m = {label: statistics.median(t) for label, t in walls.items()}
    cpu_m = {label: statistics.median(t) for label, t in cpus.items()}
    base, floor = cpu_m[COMMANDS[0][0]], cpu_m[COMMANDS[1][0]]
    print(f"machine: {platform.machine()}, CPython {platform.python_version()}")
    print(f"median of {args.repeat} fresh processes each; load average {os.getloadavg()[0]:.1f}")
    print("| command | wall (s) | CPU (s) | CPU / python -c pass | CPU / import typer |")
    print("|---|---:|---:|---:|---:|")
    for label, _ in COMMANDS:
        c = cpu_m[label]
        print(f"| `{label}` | {wall_m[label]:.3f} | {c:.3f} | {c / base:.1f}x | {c / floor:.2f}x |")
    print("\nslowest top-level imports of `dxscore index list` (python -X importtime):")
    print("| module | cumulative (ms) |")
    print("|---|---:|")
    for micros, name in slowest_imports(COMMANDS[-1][1], env):
        print(f"| `{name}` | {micros / 1000:.1f} |")


if __name__ == "__main__":
    main()
