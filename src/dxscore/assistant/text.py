"""Vietnamese text as the retriever sees it (pure, no model).

- ``fold``: lower case, no diacritics, ``đ`` as ``d`` ("Đăng ký" -> "dang ky"), so a
  question typed without diacritics meets the catalogue's text.
- ``syllables``: the words of a text. Vietnamese writes one syllable per space-separated
  word and most words are one or two syllables, so the retriever indexes each folded
  syllable and each pair of neighbouring syllables (``dang_ky``, ``ky_khai``): the pair
  plays the part of word segmentation (no segmentation model ships offline in a small
  package; ``docs/assistant.md`` compares).
- ``Speller``: typo tolerance on the question side: a syllable unknown to the library is
  replaced by the closest known one within one edit (SymSpell-style deletions), the most
  frequent first.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping

_WORD = re.compile(r"[0-9a-z]+(?:[.\-/][0-9a-z]+)*")
_EXTRA = str.maketrans({"đ": "d", "Đ": "d", "ð": "d"})


def _fold_char(c: str) -> str:
    decomposed = unicodedata.normalize("NFD", c.translate(_EXTRA).lower())
    return "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")


# one table for every precomposed Latin letter (Vietnamese uses U+00C0-U+1EFF): a
# translate() is many times faster than decomposing each text
_TABLE = {cp: _fold_char(chr(cp)) for cp in range(0xC0, 0x1F00) if _fold_char(chr(cp)) != chr(cp)}


def fold(text: str) -> str:
    """Lower case without diacritics: ``"Đăng ký khai sinh"`` -> ``"dang ky khai sinh"``."""
    out = text.lower().translate(_TABLE)
    if out.isascii():
        return out
    decomposed = unicodedata.normalize("NFD", out)  # combining marks typed separately
    return "".join(c for c in decomposed if unicodedata.category(c) != "Mn")


def syllables(text: str) -> list[str]:
    """The folded words of ``text`` (codes such as ``1.000001`` stay whole)."""
    return _WORD.findall(fold(text))


def accented(text: str) -> list[str]:
    """The words of ``text`` with their diacritics (lower case), for the small bonus a
    question typed with diacritics gets on the same accented word."""
    normal = unicodedata.normalize("NFC", text.lower())
    return [w for w in re.findall(r"\w+", normal) if not w.isascii()]


def terms(words: list[str]) -> list[str]:
    """Index terms of folded words: each word and each pair of neighbours."""
    return words + [f"{a}_{b}" for a, b in zip(words, words[1:], strict=False)]


def _deletes(word: str) -> set[str]:
    return {word[:i] + word[i + 1 :] for i in range(len(word))}


def _distance(a: str, b: str) -> int:
    """Optimal string alignment distance (Levenshtein with transpositions)."""
    rows = [list(range(len(b) + 1))]
    for i, ca in enumerate(a, 1):
        row = [i]
        for j, cb in enumerate(b, 1):
            cost = 0 if ca == cb else 1
            best = min(rows[-1][j] + 1, row[j - 1] + 1, rows[-1][j - 1] + cost)
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                best = min(best, rows[-2][j - 2] + 1)
            row.append(best)
        rows.append(row)
    return rows[-1][-1]


class Speller:
    """Corrects unknown words to known ones within one edit (two for long words).
    ``counts`` is how often each known word occurs (ties go to the most frequent)."""

    def __init__(self, counts: Mapping[str, int]):
        self.counts = dict(counts)
        self._by_delete: dict[str, list[str]] = {}
        for word in self.counts:
            if len(word) < 3 or word.isdigit():
                continue
            for d in _deletes(word) | {word}:
                self._by_delete.setdefault(d, []).append(word)

    def known(self, word: str) -> bool:
        return word in self.counts

    def correct(self, word: str) -> str | None:
        """The known word ``word`` most likely stands for, or None."""
        if word in self.counts:
            return word
        if len(word) < 3 or any(ch.isdigit() for ch in word):
            return None
        candidates: set[str] = set()
        for d in _deletes(word) | {word}:
            candidates.update(self._by_delete.get(d, ()))
        limit = 2 if len(word) >= 7 else 1
        scored = [
            (dist, -self.counts[c], c) for c in candidates if (dist := _distance(word, c)) <= limit
        ]
        return min(scored)[2] if scored else None


def count_words(texts: Iterable[str]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for text in texts:
        for w in syllables(text):
            counts[w] = counts.get(w, 0) + 1
    return counts
