"""Static charts of analyses (PNG or SVG by extension), drawn with matplotlib offline."""

from __future__ import annotations

from pathlib import Path

import pandas as pd


def rank_intervals(table: pd.DataFrame, path: str | Path, title: str = "") -> Path:
    """The standard picture of an uncertainty analysis: per unit (sorted by nominal
    rank), the 5-95% rank interval as a bar, the median rank as a dot and the nominal
    rank as a cross. Lower rank numbers are better, so the axis runs 1 at the left."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    path = Path(path)
    data = table.sort_values("nominal_rank")
    labels = [
        f"{n} ({u})" if isinstance(n, str) and n else str(u)
        for u, n in zip(data["unit"], data.get("name", data["unit"]), strict=True)
    ]
    y = range(len(data))
    fig, ax = plt.subplots(figsize=(7.5, max(2.5, 0.22 * len(data) + 1.2)), dpi=120)
    ax.hlines(
        y,
        data["rank_p05"],
        data["rank_p95"],
        color="#9db4d4",
        linewidth=5,
        label="5-95% of replications",
    )
    ax.plot(data["median_rank"], y, "o", color="#1f4e8c", markersize=4, label="median rank")
    ax.plot(data["nominal_rank"], y, "x", color="#c0392b", markersize=5, label="nominal rank")
    ax.set_yticks(list(y), labels, fontsize=7)
    ax.invert_yaxis()
    ax.set_xlabel("rank (1 = best)")
    ax.set_xlim(0.5, max(data["rank_p95"].max(), data["nominal_rank"].max()) + 0.5)
    ax.grid(axis="x", color="#e5e5e5")
    ax.set_title(title or "Rank intervals under methodological uncertainty", fontsize=10)
    ax.legend(
        loc="upper center",
        bbox_to_anchor=(0.5, -0.6 / fig.get_figheight()),
        ncol=3,
        fontsize=7,
        frameon=False,
    )
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, format=path.suffix.lstrip(".").lower() or "png")
    plt.close(fig)
    return path
