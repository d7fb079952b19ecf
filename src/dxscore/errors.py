"""The project's one shape of error for bad input: ``Problems``, a list of ``(where,
message)`` pairs reported together (a file, a row, a column, a node), so a person fixes
everything at once. The engine's methodology and data errors, the platform's run, upload
and methodology errors all are ``Problems``; the CLI prints them, the pages list them and
the API turns them into RFC 9457 problem details."""

from __future__ import annotations


def counted(n: int, singular: str, plural: str | None = None) -> str:
    """``n`` and the noun in the form English needs, for the command line and the library's
    messages (which are English; the web's go through ``ngettext``): ``counted(1,
    "problem") == "1 problem"``, ``counted(3, "unit code") == "3 unit codes"``."""
    return f"{n} {singular if n == 1 else (plural or singular + 's')}"


class Problems(ValueError):
    """Everything wrong with one input. ``source`` names the input (a file), if any;
    ``max_listed`` bounds how many pairs the message shows (all are kept)."""

    max_listed: int | None = None

    def __init__(self, problems: list[tuple[str, str]], source: str | None = None):
        self.problems = list(problems)
        self.source = source
        super().__init__(self.describe())

    def describe(self) -> str:
        shown = self.problems if self.max_listed is None else self.problems[: self.max_listed]
        if self.source is None:
            text = "; ".join(f"{where}: {message}" for where, message in shown)
            more = len(self.problems) - len(shown)
            return text + (f"; ... and {more} more" if more else "")
        lines = [f"{self.source}: {counted(len(self.problems), 'problem')}"]
        lines += [f"  {where}: {message}" for where, message in shown]
        if len(self.problems) > len(shown):
            lines.append(f"  ... and {len(self.problems) - len(shown)} more")
        return "\n".join(lines)
