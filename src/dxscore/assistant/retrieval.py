"""Hybrid retrieval of procedures and passages (see ``docs/assistant.md``).

1. The question is folded (no diacritics), split into syllables, unknown syllables are
   corrected to known ones (``text.Speller``), and phrases of ``synonyms.PHRASES``
   (everyday Vietnamese, English) add the catalogue's words: each phrase or word is a
   *concept*, understood when a procedure's text holds it or one of its paraphrases.
2. Lexical: BM25 (SciPy sparse matrices) over every passage's folded syllables and
   syllable pairs, plus a second BM25 over procedure names alone (the name boost); a
   procedure code typed in the question wins outright.
3. Dense (optional, ``embeddings.Embedder``): cosine between the question and each
   procedure's summary.
4. Fusion: a weighted sum of the three, each scaled to its best candidate
   (``Weights``; reciprocal-rank fusion is the alternative compared in the docs).
5. Confidence (0..1) of a procedure: the idf-weighted share of the question's concepts
   its visible text holds, blended with the dense similarity; the caller declines below
   a threshold calibrated on the evaluation set.
"""

from __future__ import annotations

import math
from array import array
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
from scipy import sparse

from dxscore.assistant import synonyms, text
from dxscore.assistant.catalogue import Procedure
from dxscore.assistant.embeddings import Embedder, Vectors

K1, B = 1.2, 0.75
MAX_PHRASE = 5
Floats = npt.NDArray[np.float64]


@dataclass
class Passage:
    procedure: str  # code, or "" for a document of no procedure
    kind: str  # "name", a catalogue field, or "document"
    text: str
    document: str = ""  # file name (documents)
    heading: str = ""
    page: int | None = None
    scope: str = ""  # "" for every member of staff; a unit code for internal texts


@dataclass
class Weights:
    lexical: float = 1.0
    name: float = 0.6
    dense: float = 0.8
    rrf: bool = False  # reciprocal-rank fusion instead of the weighted sum
    dense_low: float = 0.78  # cosines of multilingual-e5 sit in a narrow band
    dense_high: float = 0.92
    dense_share: float = 0.3  # of the confidence
    body_credit: float = 0.6  # a concept found in a passage, not in the name


# the retrievals ``dxscore assistant eval --retrieval`` compares (docs/assistant.md):
# name -> (weights, whether it needs the embedder)
RETRIEVALS: dict[str, tuple[Weights, bool]] = {
    "lexical": (Weights(dense=0.0), False),  # BM25, name boost, paraphrases; no model
    "dense": (Weights(lexical=0.0, name=0.0, dense=1.0, dense_share=1.0), True),
    "hybrid": (Weights(), True),  # the weighted sum (the default)
    "rrf": (Weights(rrf=True), True),  # reciprocal-rank fusion of the same three
}


@dataclass
class Concept:
    words: list[str]
    alternatives: list[list[str]]
    weight: float = 1.0


@dataclass
class Query:
    question: str
    words: list[str]  # folded, corrected
    concepts: list[Concept]
    code: str | None = None  # a procedure code typed in the question


@dataclass
class Hit:
    procedure: str
    score: float  # confidence 0..1
    fused: float
    coverage: float
    dense: float | None
    passage: int  # index into Retriever.passages
    details: dict[str, float] = field(default_factory=dict)


def summary(p: Procedure) -> str:
    """The text a procedure's dense vector is made of."""
    return f"{p.name}. {p.field}. {p.agency}. {p.result}".strip(" .")


class _BM25:
    """BM25 weights of documents given as term lists. The documents are read one at a
    time (a generator is welcome): each becomes term ids and counts in flat arrays at
    once, so the millions of term strings of a large library never live together."""

    def __init__(self, docs: Iterable[list[str]], vocab: dict[str, int]):
        cols = array("q")
        vals = array("d")
        indptr = array("q", [0])
        sizes = array("d")
        for doc in docs:
            counts = Counter(doc)
            cols.extend([vocab.setdefault(t, len(vocab)) for t in counts])
            vals.extend(counts.values())
            indptr.append(len(cols))
            sizes.append(len(doc))
        n = len(sizes)
        shape = (n, max(len(vocab), 1))
        tf = sparse.csr_matrix(
            (
                np.frombuffer(vals, dtype=np.float64),
                np.frombuffer(cols, dtype=np.int64),
                np.frombuffer(indptr, dtype=np.int64),
            ),
            shape=shape,
        )
        tf.sort_indices()
        lengths = np.frombuffer(sizes, dtype=np.float64)
        avg = float(lengths.mean()) if n else 1.0
        df = np.bincount(tf.indices, minlength=shape[1]).astype(np.float64)
        self.idf = np.log(1 + (n - df + 0.5) / (df + 0.5))
        norm = K1 * (1 - B + B * lengths / max(avg, 1e-9))
        data = tf.data.copy()
        row_of = np.repeat(np.arange(n), np.diff(tf.indptr))
        data = data * (K1 + 1) / (data + norm[row_of]) * self.idf[tf.indices]
        self.weights = sparse.csr_matrix((data, tf.indices, tf.indptr), shape=shape).tocsc()
        self.presence = tf  # term counts, rows = docs (coverage checks)
        self.n = n

    def score(self, query: dict[int, float]) -> Floats:
        if not query:
            return np.zeros(self.n)
        cols = np.fromiter(query, dtype=np.int64)
        cols = cols[cols < self.weights.shape[1]]
        if not len(cols):
            return np.zeros(self.n)
        q = np.asarray([query[int(c)] for c in cols])
        return np.asarray(self.weights[:, cols] @ q).ravel()


class Retriever:
    """An in-memory index of a library (procedures and passages). Build once, ask often."""

    def __init__(
        self,
        procedures: Sequence[Procedure],
        passages: Sequence[Passage],
        embedder: Embedder | None = None,
        dense: Vectors | None = None,
        weights: Weights | None = None,
        phrases: dict[str, list[str]] | None = None,
    ):
        self.procedures = list(procedures)
        self.passages = list(passages)
        self.weights = weights or Weights()
        self.embedder = embedder
        self.phrases = phrases if phrases is not None else synonyms.PHRASES
        self.position = {p.code: i for i, p in enumerate(self.procedures)}
        self.vocab: dict[str, int] = {}
        counts: Counter[str] = Counter()

        def passage_terms() -> Iterator[list[str]]:
            for p in self.passages:  # one pass: the words counted for the speller too
                words = text.syllables(p.text)
                counts.update(words)
                yield text.terms(words + text.syllables(p.heading) if p.heading else words)

        self.lexical = _BM25(passage_terms(), self.vocab)
        self.names = _BM25(
            (text.terms(text.syllables(p.name)) for p in self.procedures), self.vocab
        )
        # the passages of each procedure, and the procedure of each passage (-1: none)
        owner = np.asarray(
            [self.position.get(p.procedure, -1) for p in self.passages], dtype=np.int64
        )
        self.owner = owner
        order = np.argsort(owner, kind="stable")
        self._order = order[owner[order] >= 0]
        self._starts = np.searchsorted(owner[self._order], np.arange(len(self.procedures) + 1))
        self.scopes = np.asarray([p.scope for p in self.passages], dtype=object)
        self.kind_of = [p.kind for p in self.passages]
        # a word of the procedure names counts as often as it occurs in the names, not
        # in names and passages together (as when the speller was calibrated; adding
        # them declines one unanswerable question fewer on the evaluation set)
        for word, n in text.count_words(p.name for p in self.procedures).items():
            counts[word] = n
        self.speller = text.Speller(counts)
        self.phrase_words = {w for key in self.phrases for w in key.split()}
        self.dense: Vectors | None = None
        if embedder is not None:
            if dense is None or len(dense) != len(self.procedures):
                dense = embedder.embed([summary(p) for p in self.procedures], query=False)
            self.dense = dense
            embedder.embed(["khởi động"], query=True)  # the first call pays for loading
        idf = self.lexical.idf
        self._idf_cap = float(np.quantile(idf, 0.9)) if len(idf) else 1.0

    # --- the question ---------------------------------------------------------------

    def parse(self, question: str) -> Query:
        raw = text.syllables(question)
        code = next((w for w in raw if w in self.position or w.upper() in self.position), None)
        words = []
        for w in raw:
            if (
                w in self.vocab
                or w in synonyms.STOPWORDS
                or w in self.phrase_words
                or any(c.isdigit() for c in w)
            ):
                words.append(w)
            else:
                words.append(self._english_singular(w) or self.speller.correct(w) or w)
        concepts: list[Concept] = []
        i = 0
        while i < len(words):
            for size in range(min(MAX_PHRASE, len(words) - i), 0, -1):
                key = " ".join(words[i : i + size])
                if key in self.phrases:
                    span = words[i : i + size]
                    alts = [r.split() for r in self.phrases[key]]
                    if all(w in self.vocab for w in span) and not (
                        size == 1 and span[0] in synonyms.STOPWORDS
                    ):
                        alts.insert(0, span)
                    concepts.append(Concept(span, alts))
                    i += size
                    break
            else:
                w = words[i]
                if w not in synonyms.STOPWORDS:
                    concepts.append(Concept([w], [[w]]))
                i += 1
        for c in concepts:
            c.weight = max(self._weight(alt) for alt in c.alternatives)
        return Query(question, words, concepts, code)

    def _english_singular(self, w: str) -> str | None:
        """``permits`` -> ``permit`` when the singular is a known phrase word."""
        for cut, add in (("ies", "y"), ("es", ""), ("s", "")):
            if w.endswith(cut) and (base := w[: -len(cut)] + add) in self.phrase_words:
                return base
        return None

    def _weight(self, words: list[str]) -> float:
        idf = self.lexical.idf
        values = [
            float(idf[j]) if (j := self.vocab.get(w, len(idf))) < len(idf) else self._idf_cap
            for w in words
        ]
        return min(sum(values) / len(values), self._idf_cap) if values else 0.0

    def _query_terms(self, q: Query) -> dict[int, float]:
        weights: dict[int, float] = {}

        def add(term: str, w: float) -> None:
            j = self.vocab.get(term)
            if j is not None:
                weights[j] = max(weights.get(j, 0.0), w)

        for c in q.concepts:
            for k, alt in enumerate(c.alternatives):
                factor = 1.0 if (k == 0 and alt == c.words) else 0.7
                for t in text.terms(alt):
                    add(t, factor)
        content = [w for w in q.words if w not in synonyms.STOPWORDS]
        for a, b in zip(content, content[1:], strict=False):
            add(f"{a}_{b}", 1.0)
        return weights

    # --- search ---------------------------------------------------------------------

    def visible(self, can_see: Callable[[str], bool] | None) -> npt.NDArray[np.bool_]:
        if can_see is None:
            return np.ones(len(self.passages), dtype=bool)
        allowed = {s: (s == "" or can_see(s)) for s in set(self.scopes.tolist())}
        return np.asarray([allowed[s] for s in self.scopes], dtype=bool)

    def search(
        self,
        question: str,
        k: int = 3,
        can_see: Callable[[str], bool] | None = None,
        query: Query | None = None,
    ) -> list[Hit]:
        q = query or self.parse(question)
        n_proc = len(self.procedures)
        if not n_proc:
            return []
        terms = self._query_terms(q)
        seen = self.visible(can_see)
        passage_scores = np.where(seen, self.lexical.score(terms), 0.0)
        ordered = passage_scores[self._order]
        lex = np.zeros(n_proc)
        has = np.diff(self._starts) > 0
        if len(ordered):
            starts = np.minimum(self._starts[:-1], len(ordered) - 1)
            lex = np.where(has, np.maximum.reduceat(ordered, starts), 0.0)
        name = self.names.score(terms)
        w = self.weights
        dense = None
        if self.dense is not None and self.embedder is not None:
            qv = self.embedder.embed([question], query=True)[0]
            dense = self.dense @ qv
        if w.rrf:
            fused = np.zeros(n_proc)
            for values, weight in ((lex, w.lexical), (name, w.name), (dense, w.dense)):
                if values is None or not weight:
                    continue
                ranks = np.empty(n_proc)
                ranks[np.argsort(-values, kind="stable")] = np.arange(1, n_proc + 1)
                fused += weight / (60 + ranks)
        else:
            fused = w.lexical * _scaled(lex) + w.name * _scaled(name)
            if dense is not None:
                fused += w.dense * _scaled(np.maximum(dense - np.median(dense), 0.0))
        if q.code is not None:
            code = q.code if q.code in self.position else q.code.upper()
            fused[self.position[code]] += 100.0
        top = np.argsort(-fused, kind="stable")[: max(k * 4, 10)]
        hits = []
        for i in top:
            i = int(i)
            coverage = self.coverage(q, i, seen)
            d = float(dense[i]) if dense is not None else None
            confidence = coverage
            if d is not None:
                rel = min(max((d - w.dense_low) / (w.dense_high - w.dense_low), 0.0), 1.0)
                confidence = (1 - w.dense_share) * coverage + w.dense_share * rel
            if q.code is not None and self.procedures[i].code.lower() == q.code.lower():
                confidence = 1.0
            best = self.best_passage(i, passage_scores, seen)
            hits.append(
                Hit(
                    self.procedures[i].code,
                    round(float(confidence), 4),
                    float(fused[i]),
                    coverage,
                    d,
                    best,
                    {"lexical": float(lex[i]), "name": float(name[i])},
                )
            )
        hits.sort(key=lambda h: (-h.fused - 0.25 * h.score))
        return hits[:k]

    def rows_of(self, i: int) -> npt.NDArray[np.int64]:
        return self._order[self._starts[i] : self._starts[i + 1]]

    def coverage(self, q: Query, i: int, seen: npt.NDArray[np.bool_]) -> float:
        """The idf-weighted share of the question's concepts procedure ``i`` holds."""
        total = sum(c.weight for c in q.concepts)
        if not total:
            return 0.0
        rows = self.rows_of(i)
        rows = rows[seen[rows]]
        present: set[int] = set()
        if len(rows):
            sub = self.lexical.presence[rows]
            present = set(np.unique(sub.indices).tolist())
        named = set(self.names.presence[i].indices.tolist())
        got = 0.0
        for c in q.concepts:
            best = 0.0
            for alt in c.alternatives:
                ids = [self.vocab.get(w, -1) for w in alt]
                if alt and all(j in named for j in ids):
                    best = 1.0
                    break
                if alt and all(j in present or j in named for j in ids):
                    best = self.weights.body_credit
            got += c.weight * best
        return got / total

    def best_passage(
        self, i: int, scores: Floats, seen: npt.NDArray[np.bool_], kind: str | None = None
    ) -> int:
        rows = self.rows_of(i)
        rows = rows[seen[rows]]
        if kind is not None:
            fitting = [int(r) for r in rows if self.kind_of[r] == kind]
            if fitting:
                return fitting[0]
        if not len(rows):
            return -1
        best = int(rows[int(np.argmax(scores[rows]))])
        if scores[best] <= 0:
            names = [int(r) for r in rows if self.kind_of[r] == "name"]
            return names[0] if names else best
        return best


def _scaled(values: Floats | None) -> Floats:
    if values is None:
        return np.zeros(0)
    top = float(np.max(values)) if len(values) else 0.0
    return values / top if top > 0 else np.zeros_like(values)


def idf_of(retriever: Retriever, word: str) -> float:
    j = retriever.vocab.get(word)
    return float(retriever.lexical.idf[j]) if j is not None else math.nan
