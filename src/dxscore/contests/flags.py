"""Suspicious patterns shown to organisers (never acted on automatically): many
identities taking part from one network address, and answers given faster than the
question could be read."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

WORDS_PER_SECOND = 4.0  # a fast reader (about 240 words a minute)
MIN_SECONDS = 1.0


def reading_seconds(text: str, words_per_second: float = WORDS_PER_SECOND) -> float:
    """The least time to read a question and its options."""
    return max(MIN_SECONDS, len(text.split()) / words_per_second)


@dataclass(frozen=True)
class AnswerTime:
    words: str  # the question and its options
    seconds: float  # from the previous answer (or from serving) to this one


def too_fast(answers: Iterable[AnswerTime], share: float = 0.5) -> bool:
    """More than ``share`` of an attempt's answers came faster than reading time."""
    items = list(answers)
    if not items:
        return False
    fast = sum(a.seconds < reading_seconds(a.words) for a in items)
    return fast > share * len(items)


def shared_addresses(seen: Iterable[tuple[str, str]], threshold: int = 5) -> dict[str, list[str]]:
    """Addresses used by at least ``threshold`` identities: ``{address: identities}``
    from ``(identity, address)`` pairs."""
    by_address: dict[str, set[str]] = {}
    for identity, address in seen:
        if address:
            by_address.setdefault(address, set()).add(identity)
    return {a: sorted(ids) for a, ids in sorted(by_address.items()) if len(ids) >= threshold}
