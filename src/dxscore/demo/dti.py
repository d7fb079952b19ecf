"""Demo DTI values for all 63 provinces, 2020-2024: synthetic, calibrated to what was
published.

Published facts that hold exactly (``docs/demo-data.md`` lists them with sources):
the 2022 rank order of all 63 provinces (with Thanh Hóa and Yên Bái tied 15th), the five
published 2022 rows (main-index values and totals), the provincial averages of every
year, the 2024 pillar averages, and the ranks and totals of Long An, Lạng Sơn, Bắc Ninh,
Hà Nội and Đà Nẵng stated in the reference notes. Everything else (the other
provinces' main-index values and the other years' orders) is synthetic: drawn from a
seeded generator around each province's 2022 standing, then shifted so that the facts
hold. Nothing here claims to be any province's real value.

2020 uses the 2020 methodology (pillar values, ``vn-dti-2020``); 2021-2024 use the
2022 methodology (main-index values, ``vn-dti-2022``).
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib.resources import files

import numpy as np
import pandas as pd

MAIN = {  # main index -> maximum points (Decision 922)
    "awareness": 100,
    "institutions": 100,
    "infrastructure": 100,
    "human_resources": 100,
    "cybersecurity": 100,
    "dg_activity": 200,
    "de_activity": 150,
    "ds_activity": 150,
}
FOUNDATION = ["awareness", "institutions", "infrastructure", "human_resources", "cybersecurity"]
PILLARS_2020 = {"digital_government": 400, "digital_economy": 300, "digital_society": 300}

PUBLISHED_2022 = {  # dti.gov.vn, the top five rows
    "48": [1.0000, 0.9000, 0.8253, 0.8487, 0.7578, 0.8575, 0.7836, 0.5197],
    "79": [0.8917, 0.9000, 0.8258, 0.6267, 0.5580, 0.8406, 0.7611, 0.3590],
    "22": [0.9581, 0.9000, 0.7648, 0.6250, 0.5382, 0.8385, 0.5904, 0.4505],
    "46": [0.9500, 0.9000, 0.6823, 0.6794, 0.6423, 0.8262, 0.6787, 0.3001],
    "92": [0.9000, 0.8000, 0.7233, 0.7376, 0.7226, 0.7325, 0.7556, 0.2947],
}
AVERAGES = {"2020": 0.3026, "2021": 0.4014, "2022": 0.5763, "2023": 0.6783, "2024": 0.6961}
PILLAR_AVERAGES_2024 = {"dg": 0.7582, "de": 0.7723, "ds": 0.7692}
FIXED_RANKS = {  # year -> province code -> rank (reference notes)
    "2020": {"48": 1, "27": 3, "20": 16, "80": 27},
    "2021": {"48": 1, "27": 4, "20": 5, "80": 21},
    "2023": {"48": 1, "20": 4, "01": 6},
    "2024": {"01": 1},
}
FIXED_TOTALS = {"2023": {"48": 0.8340}, "2024": {"01": 0.8241}}
TOP_TOTAL = {"2020": 0.52, "2021": 0.64}  # synthetic top of years without a published one
GRID = 1e-4  # totals are published to four decimals


@dataclass
class DemoDTI:
    provinces: pd.DataFrame  # code, name, slug
    pillars_2020: pd.DataFrame  # unit, name, period, digital_government, ...
    main_2021_2024: pd.DataFrame  # unit, name, period, awareness, ..., ds_activity
    published: pd.DataFrame  # unit, period: rows that are published facts, not synthetic


def _data(name: str) -> pd.DataFrame:
    return pd.read_csv(files("dxscore.demo").joinpath("data", name), dtype=str)


def provinces() -> pd.DataFrame:
    return _data("vn-provinces.csv")


def ranking_2022() -> pd.DataFrame:
    frame = _data("dti-2022-ranking.csv")
    frame["rank_2022"] = frame["rank_2022"].astype(int)
    return frame


def _curve(n: int, top: float, mean: float) -> np.ndarray:
    """Decreasing totals for ranks 1..n on the 0.0001 grid with exactly ``top`` first
    and exactly ``mean`` on average (a concave curve; the sum is fixed by nudging the
    lower ranks)."""
    q = 1.0 - (np.arange(n) / (n - 1)) ** 0.65
    # t = a + b q with t[0] = top and mean(t) = mean
    b = (top - mean) / (1.0 - q.mean())
    totals = np.round((top - b + b * q) / GRID).astype(int)
    totals[0] = round(top / GRID)
    _fix_sum(totals, round(mean * n / GRID), protect=1)
    return totals * GRID


def _fix_sum(totals: np.ndarray, target: int, protect: int) -> None:
    """Make ``totals`` (integers on the grid) sum to ``target`` by nudging the lower
    ranks one step each, keeping them strictly decreasing."""
    diff = target - int(totals.sum())
    step = 1 if diff > 0 else -1
    i = len(totals) - 1
    while diff:
        candidate = totals[i] + step
        upper_ok = i == protect or candidate < totals[i - 1]
        lower_ok = i == len(totals) - 1 or candidate > totals[i + 1]
        if upper_ok and lower_ok:
            totals[i] = candidate
            diff -= step
        i = i - 1 if i > protect else len(totals) - 1


def _split(total: float, rng: np.random.Generator, structure: np.ndarray, maxima, spread=0.07):
    """Values in [0.02, 1] with the given weighted total (sum of value x max / sum max),
    around the total plus a typical offset per component."""
    maxima = np.asarray(maxima, dtype=float)
    v = np.clip(total + structure + rng.normal(0.0, spread, len(maxima)), 0.02, 1.0)
    for _ in range(200):
        gap = total - (v * maxima).sum() / maxima.sum()
        if abs(gap) < 1e-12:
            break
        free = (v > 0.02 + 1e-12) if gap < 0 else (v < 1.0 - 1e-12)
        share = maxima[free].sum() / maxima.sum()
        v[free] = np.clip(v[free] + gap / share, 0.02, 1.0)
    return v


def _round_to_total(v: np.ndarray, maxima, total: float, anchor: int) -> np.ndarray:
    """Round to four decimals and put the rounding remainder on the ``anchor`` component
    so that the weighted total still rounds to ``total``."""
    maxima = np.asarray(maxima, dtype=float)
    r = np.round(v, 4)
    gap = total - (r * maxima).sum() / maxima.sum()
    r[anchor] = np.round(r[anchor] + gap * maxima.sum() / maxima[anchor], 4)
    return r


def _order(year: str, strength: pd.Series, rng: np.random.Generator) -> list[str]:
    """Provinces best first: by noisy strength, with the reference ranks enforced."""
    noisy = strength + rng.normal(0.0, 0.45, len(strength))
    fixed = FIXED_RANKS.get(year, {})
    order = [c for c in noisy.sort_values(ascending=False).index if c not in fixed]
    for code, rank in sorted(fixed.items(), key=lambda kv: kv[1]):
        order.insert(rank - 1, code)
    return order


def build(seed: int = 2022) -> DemoDTI:
    rng = np.random.default_rng(seed)
    prov = provinces()
    names = dict(zip(prov["code"], prov["name"], strict=True))
    rank22 = ranking_2022().set_index("code")["rank_2022"]
    strength = -(rank22 - 32.0) / 18.0 + pd.Series(rng.normal(0, 0.25, len(rank22)), rank22.index)
    maxima = list(MAIN.values())
    rows_main, rows_2020, published = [], [], []

    # 2022: the published order and top five; a tie at 15th
    order22 = list(rank22.sort_values(kind="stable").index)
    top5 = order22[:5]
    top_values = {c: np.array(PUBLISHED_2022[c]) for c in top5}
    top_totals = [round((top_values[c] * maxima).sum() / 1000, 4) for c in top5]
    rest = order22[5:]
    target_sum = round(AVERAGES["2022"] * len(order22) / GRID) - round(sum(top_totals) / GRID)
    steps = np.round(_rest_totals(len(rest), top_totals[-1], target_sum) / GRID).astype(int)
    rest_ranks = [int(rank22[c]) for c in rest]
    for k in range(1, len(rest)):  # tied provinces share one total, the sum unchanged
        if rest_ranks[k] == rest_ranks[k - 1]:
            pair = steps[k - 1] + steps[k]
            steps[k - 1] = steps[k] = pair // 2
            steps[-1] += pair % 2
    totals22 = {c: top_totals[i] for i, c in enumerate(top5)}
    totals22.update({c: steps[k] * GRID for k, c in enumerate(rest)})
    structure = _structure("2022")
    for code in order22:
        if code in top_values:
            values = top_values[code]
            published.append((code, "2022"))
        else:
            values = _round_to_total(
                _split(totals22[code], rng, structure, maxima), maxima, totals22[code], 5
            )
        rows_main.append({"unit": code, "period": "2022", **dict(zip(MAIN, values, strict=True))})

    # 2021, 2023, 2024: the 2022 methodology
    for year in ("2021", "2023", "2024"):
        order = _order(year, strength, rng)
        fixed = FIXED_TOTALS.get(year, {})
        top = fixed.get(order[0], TOP_TOTAL.get(year))
        totals = dict(zip(order, _curve(len(order), top, AVERAGES[year]), strict=True))
        values = {c: _split(totals[c], rng, _structure(year), maxima) for c in order}
        if year == "2024":
            values = _calibrate_pillars(values)
        for code in order:
            v = _round_to_total(values[code], maxima, totals[code], 5)
            rows_main.append({"unit": code, "period": year, **dict(zip(MAIN, v, strict=True))})

    # 2020: the 2020 methodology (pillar values, 0.4 / 0.3 / 0.3)
    order = _order("2020", strength, rng)
    totals = dict(zip(order, _curve(len(order), TOP_TOTAL["2020"], AVERAGES["2020"]), strict=True))
    pmax = list(PILLARS_2020.values())
    for code in order:
        v = _split(totals[code], rng, np.array([0.03, -0.05, 0.01]), pmax, spread=0.06)
        v = _round_to_total(v, pmax, totals[code], 0)
        rows_2020.append(
            {"unit": code, "period": "2020", **dict(zip(PILLARS_2020, v, strict=True))}
        )

    def finish(rows: list[dict]) -> pd.DataFrame:
        frame = pd.DataFrame(rows)
        frame.insert(1, "name", frame["unit"].map(names))
        return frame.sort_values(["period", "unit"]).reset_index(drop=True)

    return DemoDTI(
        prov,
        finish(rows_2020),
        finish(rows_main),
        pd.DataFrame(published, columns=["unit", "period"]),
    )


def _rest_totals(n: int, below: float, target_sum: int) -> np.ndarray:
    """``n`` strictly decreasing totals on the grid, the first a little below ``below``,
    summing exactly to ``target_sum`` grid steps."""
    top = below - 0.0040
    mean = target_sum * GRID / n
    return _curve(n, top, mean)


def _structure(year: str) -> np.ndarray:
    """Typical offsets of each main index from the total: foundations above, activities
    below, more so as the index matured (from the 2024 pillar averages)."""
    strength = {"2021": 0.6, "2022": 0.85, "2023": 1.0, "2024": 1.0}[year]
    base = np.array([0.16, 0.12, 0.14, 0.12, 0.16, -0.13, -0.14, -0.15])
    return base * strength


def _calibrate_pillars(values: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Shift foundations against activities, equally in every province, so that the 2024
    pillar averages are the published ones while each province's total stays the same."""
    codes = list(values)
    v = np.array([values[c] for c in codes])
    f = v[:, :5].mean(axis=1)
    g, e, s = v[:, 5], v[:, 6], v[:, 7]

    def pillars(f, g, e, s):
        return (
            ((500 * f + 200 * g) / 700).mean(),
            ((500 * f + 150 * e) / 650).mean(),
            ((500 * f + 150 * s) / 650).mean(),
        )

    dg, de, ds = pillars(f, g, e, s)
    want = PILLAR_AVERAGES_2024
    # unknown shifts (df, dg, de, ds): three pillar averages and an unchanged total
    A = np.array(
        [
            [500 / 700, 200 / 700, 0, 0],
            [500 / 650, 0, 150 / 650, 0],
            [500 / 650, 0, 0, 150 / 650],
            [500, 200, 150, 150],
        ]
    )
    b = np.array([want["dg"] - dg, want["de"] - de, want["ds"] - ds, 0.0])
    shift = np.linalg.solve(A, b)
    v[:, :5] += shift[0]
    v[:, 5:] += shift[1:]
    if (v < 0).any() or (v > 1).any():
        raise ValueError("pillar calibration pushed a value outside [0, 1]; change the seed")
    return {c: v[i] for i, c in enumerate(codes)}
