"""Measure the assistant on a question set: a CSV with ``question,expected`` (the
expected procedure code, empty or ``-`` for a question the library cannot answer) and
an optional ``kind`` column (diacritics, no-diacritics, typo, paraphrase, english,
field, unanswerable...), reported per kind."""

from __future__ import annotations

import csv
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from dxscore.assistant.answers import THRESHOLD, answer
from dxscore.assistant.store import Library
from dxscore.errors import Problems

NONE = ("", "-", "none")


@dataclass
class Case:
    question: str
    expected: str  # "" = unanswerable
    kind: str = ""


@dataclass
class Outcome:
    case: Case
    ranked: list[str]
    top_score: float
    seconds: float


@dataclass
class Report:
    outcomes: list[Outcome]
    threshold: float
    by_kind: dict[str, dict[str, float]] = field(default_factory=dict)

    def figures(self, threshold: float | None = None) -> dict[str, float]:
        return figures(self.outcomes, self.threshold if threshold is None else threshold)

    def curve(self, thresholds: list[float] | None = None) -> list[dict[str, float]]:
        """Per threshold: the share of unanswerable questions declined, of answerable ones
        wrongly declined, and of answerable ones answered right (top 1, not declined)."""
        points = thresholds or [round(0.3 + 0.05 * i, 2) for i in range(9)]
        out = []
        for t in points:
            f = figures(self.outcomes, t)
            out.append(
                {
                    "threshold": t,
                    "declined": f["declined"],
                    "wrongly_declined": f["wrongly_declined"],
                    "answered_correctly": f["answered_correctly"],
                }
            )
        return out

    def best_threshold(self) -> float:
        """The threshold that maximises answered-right plus declined-right."""
        candidates = sorted({round(o.top_score, 3) for o in self.outcomes})
        best, best_value = self.threshold, -1.0
        for t in candidates:
            f = figures(self.outcomes, t)
            value = f["answered_correctly"] * f["answerable"] + f["declined"] * f["unanswerable"]
            if value > best_value:
                best, best_value = t, value
        return best


def read_cases(path: Path) -> list[Case]:
    with open(path, encoding="utf-8-sig", newline="") as f:
        reader = csv.DictReader(f)
        if not reader.fieldnames or not {"question", "expected"} <= set(reader.fieldnames):
            raise Problems([(Path(path).name, "expected columns question,expected")])
        cases = []
        for row in reader:
            q = (row.get("question") or "").strip()
            if not q:
                continue
            expected = (row.get("expected") or "").strip()
            cases.append(
                Case(q, "" if expected.lower() in NONE else expected, row.get("kind") or "")
            )
    return cases


def figures(outcomes: list[Outcome], threshold: float) -> dict[str, float]:
    answerable = [o for o in outcomes if o.case.expected]
    unanswerable = [o for o in outcomes if not o.case.expected]
    r1 = r3 = mrr = right = 0.0
    for o in answerable:
        if o.case.expected in o.ranked[:1]:
            r1 += 1
        if o.case.expected in o.ranked[:3]:
            r3 += 1
        if o.case.expected in o.ranked:
            mrr += 1 / (o.ranked.index(o.case.expected) + 1)
        if o.ranked[:1] == [o.case.expected] and o.top_score >= threshold:
            right += 1
    declined = sum(1 for o in unanswerable if o.top_score < threshold)
    n = max(len(answerable), 1)
    times = np.asarray([o.seconds for o in outcomes]) * 1000 if outcomes else np.zeros(1)
    return {
        "questions": float(len(outcomes)),
        "answerable": float(len(answerable)),
        "unanswerable": float(len(unanswerable)),
        "recall@1": r1 / n,
        "recall@3": r3 / n,
        "mrr": mrr / n,
        "answered_correctly": right / n,
        "declined": declined / max(len(unanswerable), 1) if unanswerable else float("nan"),
        "wrongly_declined": sum(1 for o in answerable if o.top_score < threshold) / n,
        "p50_ms": float(np.percentile(times, 50)),
        "p95_ms": float(np.percentile(times, 95)),
    }


def evaluate(
    library: Library,
    cases: list[Case],
    threshold: float | None = None,
    k: int = 10,
    can_see: Callable[[str], bool] | None = None,
) -> Report:
    library.retriever()  # built before the clock starts
    outcomes = []
    for case in cases:
        start = time.perf_counter()
        got = answer(library, case.question, k=k, can_see=can_see, threshold=threshold)
        seconds = time.perf_counter() - start
        ranked = [item.procedure for item in got.candidates]
        top = got.candidates[0].score if got.candidates else 0.0
        outcomes.append(Outcome(case, ranked, top, seconds))
    t = THRESHOLD if threshold is None else threshold
    report = Report(outcomes, t)
    for kind in sorted({c.kind for c in cases}):
        report.by_kind[kind or "-"] = figures([o for o in outcomes if o.case.kind == kind], t)
    return report
