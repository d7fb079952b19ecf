"""The virtual assistant for civil servants on administrative procedures (no Django).

A *library* is a procedure catalogue (``catalogue``) plus attached documents split into
passages (``documents``), kept in a store folder (``store.Library``). Questions in
Vietnamese (with or without diacritics, with typos) or English are answered by hybrid
retrieval (``retrieval``: BM25 over folded syllables and syllable pairs, paraphrases,
optional dense multilingual embeddings from a package that ships its weights), with the
field asked for, a citation, and "not found" below a calibrated threshold
(``answers``). ``evaluate`` measures it on a question set; ``generate`` is the optional
slot for a local generative model. See ``docs/assistant.md``.
"""

from dxscore.assistant.answers import THRESHOLD, Answer, Item, field_asked
from dxscore.assistant.catalogue import CatalogueError, Procedure, read_catalogue
from dxscore.assistant.documents import DocumentError, read_document
from dxscore.assistant.store import ImportSummary, Library, StoreError
from dxscore.assistant.text import fold

__all__ = [
    "THRESHOLD",
    "Answer",
    "CatalogueError",
    "DocumentError",
    "ImportSummary",
    "Item",
    "Library",
    "Procedure",
    "StoreError",
    "field_asked",
    "fold",
    "read_catalogue",
    "read_document",
]
