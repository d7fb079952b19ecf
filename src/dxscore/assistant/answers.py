"""Answers: the best procedures, the passage that answers, the field asked for (from the
catalogue), a citation, and ``found: false`` below the calibrated ``THRESHOLD``."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import asdict, dataclass
from dataclasses import field as _field
from typing import TYPE_CHECKING, Any

from dxscore.assistant import text

if TYPE_CHECKING:
    from dxscore.assistant.store import Library

# calibrated on tests/assistant/questions.csv (``dxscore assistant eval`` prints the
# best threshold; docs/assistant.md has the figures)
THRESHOLD = 0.5

# what a question asks for, on its folded text (Vietnamese with or without diacritics,
# English); the first that matches wins
FIELDS: list[tuple[str, re.Pattern[str]]] = [
    (
        "fee",
        re.compile(
            r"\b(le phi|phi|bao nhieu tien|het bao nhieu|mat bao nhieu|ton bao nhieu|"
            r"tien|fee|fees|cost|costs|how much|price|charge|pay)\b"
        ),
    ),
    (
        "processing_time",
        re.compile(
            r"\b(bao lau|thoi han|thoi gian|may ngay|bao nhieu ngay|mat may|how long|"
            r"how many days|processing time|time limit|when will|how fast)\b"
        ),
    ),
    (
        "legal_basis",
        re.compile(
            r"\b(can cu|co so phap ly|luat nao|van ban nao|nghi dinh|thong tu|quy dinh nao|"
            r"legal basis|which law|what law|regulation|regulations|legal)\b"
        ),
    ),
    (
        "agency",
        re.compile(
            r"\b(co quan nao|o dau|noi nao|nop o dau|nop dau|ai giai quyet|ai cap|tham quyen|"
            r"where|which agency|which office|who (issues|decides|handles|grants))\b"
        ),
    ),
    (
        "steps",
        re.compile(
            r"\b(trinh tu|cac buoc|quy trinh|cach thuc|lam the nao de|steps|step by step|"
            r"process|how do i apply|how to apply)\b"
        ),
    ),
    (
        "documents",
        re.compile(
            r"\b(giay to|ho so gom|thanh phan ho so|ho so can|can nhung gi|mang theo|"
            r"chuan bi|can gi|papers|documents|paperwork|what do i need|bring|forms?)\b"
        ),
    ),
    (
        "result",
        re.compile(r"\b(ket qua|nhan duoc gi|duoc cap gi|what do i get|result|outcome)\b"),
    ),
]


def field_asked(question: str) -> str | None:
    folded = " ".join(text.syllables(question))
    return next((name for name, pattern in FIELDS if pattern.search(folded)), None)


def without_field(question: str, asked: str | None) -> str:
    """The question without the words that ask for the field (they name no procedure);
    the question itself when nothing else is left."""
    if asked is None:
        return question
    pattern = dict(FIELDS)[asked]
    folded = " ".join(text.syllables(question))
    rest = " ".join(pattern.sub(" ", folded).split())
    return rest if rest.strip() else question


@dataclass
class Citation:
    procedure: str
    document: str  # file name, or "catalogue"
    heading: str
    page: int | None


@dataclass
class Item:
    procedure: str
    title: str
    passage: str
    score: float
    field: str | None = None
    value: str | list[str] | None = None  # the catalogue's value of the field asked
    citation: Citation | None = None
    kind: str = ""


@dataclass
class Answer:
    question: str
    found: bool
    answers: list[Item] = _field(default_factory=list)
    field: str | None = None
    candidates: list[Item] = _field(default_factory=list)  # ranked, also when declined
    generated: str | None = None  # a local model's wording, when configured

    def to_json(self) -> dict[str, Any]:
        return {
            "question": self.question,
            "found": self.found,
            "field": self.field,
            "answers": [asdict(a) for a in self.answers],
        }


def answer(
    library: Library,
    question: str,
    k: int = 3,
    can_see: Callable[[str], bool] | None = None,
    threshold: float | None = None,
) -> Answer:
    limit = THRESHOLD if threshold is None else threshold
    retriever = library.retriever()
    asked = field_asked(question)
    query = retriever.parse(without_field(question, asked))
    hits = retriever.search(question, k=k, can_see=can_see, query=query)
    items = []
    seen = retriever.visible(can_see)
    for hit in hits:
        p = library.procedures[hit.procedure]
        index = hit.passage
        value: str | list[str] | None = None
        if asked:
            value = getattr(p, asked, None) if asked != "agency" else p.agency
            kind = "name" if asked == "agency" else asked
            if value:
                rows = retriever.rows_of(retriever.position[p.code])
                fitting = [int(r) for r in rows if seen[r] and retriever.kind_of[r] == kind]
                if fitting:
                    index = fitting[0]
        passage = retriever.passages[index] if index >= 0 else None
        citation = None
        if passage is not None:
            citation = Citation(
                p.code,
                passage.document or "catalogue",
                passage.heading,
                passage.page,
            )
        items.append(
            Item(
                p.code,
                p.name,
                passage.text if passage is not None else p.name,
                max(0.0, min(1.0, hit.score)),
                asked,
                value or None,
                citation,
                passage.kind if passage is not None else "",
            )
        )
    found = bool(items) and items[0].score >= limit
    return Answer(question, found, items if found else [], asked, candidates=items)
