"""The engine's errors: a methodology file that is not valid, input data with problems
(both ``dxscore.errors.Problems``: every ``(where, message)`` at once), and data the
methodology cannot compute."""

from __future__ import annotations

from dxscore.errors import Problems

MAX_LISTED = 50  # problems a data error's message shows (all are kept in ``problems``)


class MethodologyError(Problems):
    """A methodology file is not valid. ``problems`` lists ``(path, message)`` pairs."""

    def __init__(self, source: str, problems: list[tuple[str, str]]):
        super().__init__(problems, source)


class DataError(Problems):
    """The input table has problems; ``problems`` lists ``(where, message)`` pairs."""

    max_listed = MAX_LISTED

    def __init__(self, source: str, problems: list[tuple[str, str]]):
        super().__init__(problems, source)


class EngineError(ValueError):
    """The data cannot be computed with this methodology (e.g. a geometric mean of
    negative scores)."""
