"""The procedure assistant: a question in, the best procedures with the passage that
answers, the field asked for and a citation out (``docs/assistant.md``). A token reads
what its person may: internal documents only in their scope. Questions are not logged."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from ninja import Query, Router, Schema

from dxscore.web.assistant import library as lib

router = Router(tags=["assistant"])


class CitationOut(Schema):
    procedure: str
    document: str
    heading: str
    page: int | None = None


class AnswerItemOut(Schema):
    procedure: str
    title: str
    passage: str
    score: float
    field: str | None = None
    value: str | list[str] | None = None
    citation: CitationOut | None = None


class AnswerOut(Schema):
    question: str
    found: bool
    field: str | None = None
    answers: list[AnswerItemOut]


@router.get(
    "/assistant/ask",
    response=AnswerOut,
    summary="Ask the procedure assistant",
    description=(
        "The best procedures (best first) with the passage that answers, the catalogue "
        "field the question asks for (documents, processing_time, fee, agency, legal_basis, "
        "steps, result) and its citation; `found` is false (and `answers` empty) when no "
        "procedure answers well enough."
    ),
)
def ask(
    request,
    q: str = Query(..., min_length=1, max_length=500, description="The question."),
    top: int = Query(3, ge=1, le=10, description="How many procedures."),
):
    if not lib.may_ask(request.user):
        raise PermissionDenied
    answer = lib.library().ask(q, k=top, can_see=lib.can_see(request.user))
    out = answer.to_json()
    for item in out["answers"]:
        item.pop("kind", None)
    return out
