"""The draw: which questions a participant gets in a round, and in which order their
options are shown. Both are seeded by (round, participant, attempt), so the same attempt
always shows the same questions in the same order (a reload or a resumed connection sees
what it saw) and two participants get different draws. The seed is a SHA-256 of the
three keys, never Python's salted ``hash``."""

from __future__ import annotations

import hashlib
import random
from collections.abc import Sequence
from dataclasses import dataclass


class DrawError(ValueError):
    """The bank cannot fill a quota; the message names it."""


@dataclass(frozen=True)
class Pick:
    """A question the draw may pick: its id, category and difficulty (1 easy - 3 hard)."""

    id: int
    category: str
    difficulty: int


@dataclass(frozen=True)
class Quota:
    """``count`` questions of ``category`` (empty: any) and ``difficulty`` (0: any)."""

    count: int
    category: str = ""
    difficulty: int = 0

    def admits(self, q: Pick) -> bool:
        return (not self.category or q.category == self.category) and (
            not self.difficulty or q.difficulty == self.difficulty
        )


def seed_for(*keys: object) -> int:
    """A reproducible 64-bit seed from keys (round, participant, attempt number)."""
    text = "\x1f".join(str(k) for k in keys)
    return int.from_bytes(hashlib.sha256(text.encode("utf-8")).digest()[:8], "big")


def draw(bank: Sequence[Pick], quotas: Sequence[Quota], seed: int) -> list[int]:
    """Question ids for one attempt: each quota filled in turn from the questions no
    earlier quota took, then the whole list shuffled. Quotas are filled most specific
    first (category and difficulty, then one of them, then any), so a general quota never
    takes a question a specific one needs. Raises ``DrawError`` naming a quota the bank
    cannot fill."""
    rng = random.Random(seed)
    ordered = sorted(
        enumerate(quotas), key=lambda iq: (not iq[1].category, not iq[1].difficulty, iq[0])
    )
    taken: set[int] = set()
    chosen: list[int] = []
    for _i, quota in ordered:
        pool = sorted(q.id for q in bank if q.id not in taken and quota.admits(q))
        if len(pool) < quota.count:
            what = quota.category or "any category"
            level = f"difficulty {quota.difficulty}" if quota.difficulty else "any difficulty"
            raise DrawError(
                f"{quota.count} question(s) of {what}, {level} wanted; the bank has {len(pool)}"
            )
        picked = rng.sample(pool, quota.count)
        taken.update(picked)
        chosen.extend(picked)
    rng.shuffle(chosen)
    return chosen


def shuffled(option_ids: Sequence[int], seed: int) -> list[int]:
    """The options of one question in the order this attempt shows them."""
    out = sorted(option_ids)
    random.Random(seed).shuffle(out)
    return out
