"""The optional slot for a local generative model that rephrases retrieved passages.

Off by default and never required: the assistant answers with the catalogue's fields
and the documents' passages. An operator who wants a fluent answer configures a local
model file (GGUF) for llama.cpp (``pip install llama-cpp-python``, not a dependency of
dxscore) with ``DXSCORE_ASSISTANT_MODEL=/path/model.gguf``. The model is only given the
passages that answered, with their citations, and told to use nothing else; its text is
shown beside the passages, never instead of them.
"""

from __future__ import annotations

import os
from typing import Any, Protocol

from dxscore.assistant.answers import Answer

PROMPT = (
    "Bạn là trợ lý cho cán bộ một cửa. Chỉ dùng các trích dẫn dưới đây, không thêm thông "
    "tin nào khác; ghi [số] sau mỗi ý. Nếu trích dẫn không trả lời được, nói 'Không rõ'.\n\n"
    "{passages}\n\nCâu hỏi: {question}\nTrả lời ngắn gọn:"
)


class Rephraser(Protocol):
    def rephrase(self, answer: Answer) -> str | None: ...


def prompt(answer: Answer) -> str:
    passages = "\n".join(
        f"[{i}] {item.title} ({item.procedure}): {item.passage}"
        for i, item in enumerate(answer.answers, 1)
    )
    return PROMPT.format(passages=passages, question=answer.question)


class LlamaCpp:
    """llama.cpp through ``llama_cpp`` (imported only when configured)."""

    def __init__(self, model_path: str, max_tokens: int = 256) -> None:
        from llama_cpp import Llama  # an optional package, not installed by dxscore

        self._llm: Any = Llama(model_path=model_path, n_ctx=4096, verbose=False)
        self.max_tokens = max_tokens

    def rephrase(self, answer: Answer) -> str | None:
        if not answer.found:
            return None
        out = self._llm(prompt(answer), max_tokens=self.max_tokens, temperature=0.1)
        return str(out["choices"][0]["text"]).strip() or None


def configured() -> Rephraser | None:
    """The configured local model, or None (the default)."""
    path = os.environ.get("DXSCORE_ASSISTANT_MODEL", "").strip()
    if not path:
        return None
    try:
        return LlamaCpp(path)
    except (ImportError, OSError, ValueError):
        return None
