"""The built-in methodologies at a glance, read without compiling them.

``dxscore index list`` shows each built-in's id, version, title, number of indicators and
scale. Compiling a methodology (``methodology.load``) validates every node with pydantic,
whose models take longer to build than the whole listing may take; this module reads
the same five facts straight from the YAML (with libyaml when it is there). Only the
checked built-in files are read this way, and ``tests/index/test_catalogue.py`` checks
that every figure equals the compiled methodology's.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from dxscore import texts

BUILTIN_DIR = Path(__file__).parent / "builtin"  # = methodology.BUILTIN_DIR
DEFAULT_SCALE = (0.0, 100.0)  # = FileSpec.scale's default
SafeLoader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass(frozen=True)
class Summary:
    id: str
    version: str
    title_text: texts.Text  # one text or one per language
    indicators: int
    scale: tuple[float, float]

    @property
    def title(self) -> str:
        """The title in the reader's language (``dxscore.texts``)."""
        return texts.pick(self.title_text)


def _count_indicators(node: Any) -> int:
    """Indicators are the nodes written as mappings without ``children``; a child given
    as a string refers to a node defined elsewhere."""
    if not isinstance(node, dict):
        return 0
    children = node.get("children")
    if children is None:
        return 1
    return sum(_count_indicators(c) for c in children) if isinstance(children, list) else 0


def summary(path: Path) -> Summary:
    raw = yaml.load(path.read_text(encoding="utf-8"), Loader=SafeLoader)  # noqa: S506 - safe
    tree = dict(raw["tree"])
    tree.setdefault("children", [])
    count = _count_indicators(tree) + sum(_count_indicators(n) for n in raw.get("nodes", []))
    low, high = raw.get("scale", DEFAULT_SCALE)
    return Summary(
        id=str(raw["id"]),
        version=str(raw["version"]),
        title_text=raw["title"] if isinstance(raw["title"], dict) else str(raw["title"]),
        indicators=count,
        scale=(float(low), float(high)),
    )


def builtin_summaries() -> list[Summary]:
    """Every built-in methodology, by id."""
    return [summary(p) for p in sorted(BUILTIN_DIR.glob("*.yaml"), key=lambda p: p.stem)]
