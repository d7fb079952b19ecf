"""Rounding scores to decimals the way publishers do, vectorised over arrays.

Three rules (``docs/methodology.md``, "Rounding"):

- ``half_up``: Excel's ``ROUND``. The number is taken as the decimal it is written as,
  to the 15 significant digits Excel keeps (for a number typed or read from a file with
  at most 15 digits that is exactly what was written; for a computed one it drops the
  binary noise: ``0.4·0.5220 + 0.3·0.3040 + 0.3·0.3655`` is the double
  ``0.40964999999999996``, written ``0.409650000000000``), and a 5 is rounded away from
  zero: ``2.675 -> 2.68``, ``1.005 -> 1.01``, ``-1.475 -> -1.48``, ``0.40965 -> 0.4097``.
- ``half_even``: the same decimal as written, a 5 rounded to the even digit (banker's
  rounding): ``0.125 -> 0.12``, ``2.675 -> 2.68`` (the 7 is odd).
- ``r``: R 4's ``round(x, digits)``. Of the two decimal candidates
  ``xd = floor(x 10^d) / 10^d`` and ``xu = ceiling(x 10^d) / 10^d`` (doubles) it takes
  the one nearer to the double ``x`` itself, and the one whose last digit is even when
  both are equally near: ``round(0.15, 1) = 0.1``, ``round(2.675, 2) = 2.67``,
  ``round(1.005, 2) = 1``, ``round(0.125, 2) = 0.12`` (R >= 4.0.0; the CRAN package
  ``round``, version ``"r3"``, documents the algorithm).

Arrays are rounded with NumPy; only the values that lie within the 15th significant digit
of a decimal tie (``..5`` exactly at the digit after the last kept one) go through
``decimal`` one by one, so rounding a (periods x units) array costs a few array passes.
"""

from __future__ import annotations

import decimal
from typing import Literal

import numpy as np

from dxscore.index.arrays import Floats

Rule = Literal["half_up", "r", "half_even"]
RULES: tuple[Rule, ...] = ("half_up", "r", "half_even")
MAX_DIGITS = 15  # a double holds 15 significant decimal digits
WRITTEN = 15  # significant digits of a number as written (Excel: 15)
_BIG = 2.0**52  # from here on every double is an integer: nothing left to round
_CONTEXT = decimal.Context(prec=60)
_DECIMAL_RULE = {"half_up": decimal.ROUND_HALF_UP, "half_even": decimal.ROUND_HALF_EVEN}


def round_scores(x: Floats | float, digits: int, rule: Rule = "half_up") -> Floats:
    """``x`` rounded to ``digits`` decimals (0 to 15) by ``rule``; NaN stays NaN."""
    if not 0 <= digits <= MAX_DIGITS:
        raise ValueError(f"digits must be between 0 and {MAX_DIGITS}")
    values = np.asarray(x, dtype=np.float64)
    if rule == "r":
        return _round_r(values, digits)
    if rule not in _DECIMAL_RULE:
        raise ValueError(f"unknown rounding rule '{rule}' (use {', '.join(RULES)})")
    return _round_written(values, digits, rule)


def _round_written(x: Floats, digits: int, rule: Rule) -> Floats:
    """Round the decimal as written (15 significant digits) half up or half even."""
    p = 10.0**digits
    ax = np.abs(x)
    with np.errstate(invalid="ignore", over="ignore"):
        y = ax * p
        low = np.floor(y)
        frac = y - low
        # the decimal written to 15 significant digits is within 5e-15 (relative) of
        # x: outside that band around .5 the side is certain, inside it the decimal
        # decides
        finite = np.where(np.isfinite(y), y, 0.0)
        band = 1e-14 * finite + 8.0 * np.spacing(finite)
        tie = np.abs(frac - 0.5) <= band
        k = low + (frac > 0.5)
        out = np.copysign(k / p, x)
        exact = ~np.isfinite(y) | (y >= _BIG)  # huge, infinite or NaN: unchanged
    out = np.where(exact, x, out)
    candidates = np.flatnonzero(tie & ~exact)
    if candidates.size:
        flat = out.reshape(-1)
        source = x.reshape(-1)
        quantum = decimal.Decimal(1).scaleb(-digits)
        how = _DECIMAL_RULE[rule]
        for i in candidates:
            written = decimal.Decimal(format(float(source[i]), f".{WRITTEN}g"))
            flat[i] = float(written.quantize(quantum, rounding=how, context=_CONTEXT))
        out = flat.reshape(x.shape)
    result: Floats = out if out.ndim else out.reshape(())
    return result


def _round_r(x: Floats, digits: int) -> Floats:
    """R >= 4.0.0 ``round(x, digits)``: the nearer of the two decimal candidates to the
    double ``x``, ties to the even candidate; unchanged when ``digits`` exceed what the
    double holds (R: ``log10(|x|) + digits > 15``)."""
    p = 10.0**digits
    ax = np.abs(x)
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        x10 = ax * p
        i10 = np.floor(x10)
        xd = i10 / p
        xu = np.ceil(x10) / p
        du = xu - ax
        dd = ax - xd
        up = (du < dd) | ((du == dd) & (np.fmod(i10, 2.0) == 1.0))
        rounded = np.where(up, xu, xd)
        # R's fround: log10(x) estimated from the binary exponent (C's logb)
        l10x = np.log10(2.0) * (0.5 + np.floor(np.log2(ax)))
        keep = ~np.isfinite(ax) | (ax == 0) | (l10x + digits > MAX_DIGITS)
    out: Floats = np.where(keep, x, np.copysign(rounded, x))
    return out
