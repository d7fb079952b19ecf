"""Methodology files: load, validate and compile a versioned index tree.

A methodology is a YAML file (format in ``docs/methodology.md``). Loading it resolves
the defaults (built-in < file ``defaults`` < ``levels`` by depth < the node itself),
validates every node with pydantic, links references, and rejects duplicate codes,
unknown references and cycles. Every error names the file, the path in the tree and
the problem; all errors are reported at once.
"""

from __future__ import annotations

import copy
import hashlib
import json
import re
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
)

from dxscore import periods, texts
from dxscore.index.errors import MethodologyError
from dxscore.index.methods import (
    Aggregation,
    Carry,
    Imputation,
    MinMax,
    Normalisation,
    Outliers,
    Rounding,
    Uncertainty,
    as_method_mapping,
    as_rounding,
)

ROOT = "index"
# Official indicator codes often start with a digit (``1a1``, ``2.3``): letters or digits
# first, then letters, digits and ``_ . -``.
CODE_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$"
BUILTIN_DIR = Path(__file__).parent / "builtin"
# A version is a short label (``2022.1``, ``1.0-rc2``): it goes into file names, page
# footers and report metadata, so it holds no spaces, quotes or markup.
VERSION_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._+\-]{0,39}$"


def _plain_text(value: str, *, lines: bool) -> str:
    """Free text of a methodology (titles, names, help) as people write it: no control
    characters (newlines and tabs only where ``lines``). Markup characters are allowed
    (``< 5 days``); every page and report escapes them where they go."""
    allowed = "\n\t\r" if lines else ""
    bad = sorted({f"U+{ord(c):04X}" for c in value if ord(c) < 32 and c not in allowed})
    bad += sorted({f"U+{ord(c):04X}" for c in value if 0x7F <= ord(c) < 0xA0})
    if bad:
        raise ValueError(f"control characters are not allowed ({', '.join(bad)})")
    return value


Line = Annotated[str, Field(max_length=300), AfterValidator(lambda v: _plain_text(v, lines=False))]
Paragraph = Annotated[
    str, Field(max_length=20_000), AfterValidator(lambda v: _plain_text(v, lines=True))
]


def _text(value: Any, *, lines: bool, max_length: int) -> Any:
    """A name, description or help: one text, or one per language (``{en: ..., vi:
    ...}``, ``dxscore.texts``) of known languages only; each text plain and bounded."""
    if isinstance(value, dict):
        unknown = sorted(str(k) for k in value if k not in texts.LANGUAGES)
        if unknown:
            raise ValueError(
                f"unknown language code(s) {', '.join(unknown)} "
                f"(known: {', '.join(texts.LANGUAGES)})"
            )
        if not value:
            raise ValueError("a text in several languages needs at least one language")
        for code, text in value.items():
            _one_text(text, lines=lines, max_length=max_length, language=code)
        return value
    return _one_text(value, lines=lines, max_length=max_length, language=None)


def _one_text(value: Any, *, lines: bool, max_length: int, language: str | None) -> Any:
    where = f" (in '{language}')" if language else ""
    if not isinstance(value, str):
        raise ValueError(f"must be a text or a mapping of languages to texts{where}")
    if len(value) > max_length:
        raise ValueError(f"at most {max_length} characters{where}")
    try:
        return _plain_text(value, lines=lines)
    except ValueError as exc:
        raise ValueError(f"{exc}{where}") from None


# Names, descriptions and help: one text, or one per language (``dxscore.texts``)
LineText = Annotated[
    str | dict[str, str],
    BeforeValidator(lambda v: _text(v, lines=False, max_length=300)),
]
ParagraphText = Annotated[
    str | dict[str, str],
    BeforeValidator(lambda v: _text(v, lines=True, max_length=20_000)),
]


# --- file-level models ------------------------------------------------------------------


class _Spec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _code_as_text(v: Any) -> Any:
    """A code written as a number in YAML (``code: 123``) is the text ``123``."""
    return str(v) if isinstance(v, int) and not isinstance(v, bool) else v


class NodeSpec(_Spec):
    code: str = Field(pattern=CODE_PATTERN, max_length=80)
    name: LineText = ""
    description: ParagraphText = ""
    weight: float = Field(1.0, ge=0)
    max_points: float | None = Field(None, ge=0)
    # the node's score rounded before its parent aggregates it and before it is published
    round: Rounding | None = None

    _code = field_validator("code", mode="before")(lambda v: _code_as_text(v))
    _rounding = field_validator("round", mode="before")(lambda v: as_rounding(v))


class IndicatorSpec(NodeSpec):
    """A leaf: one measured quantity and the treatment of its raw values."""

    help: ParagraphText = ""
    unit: Line = ""
    direction: Literal[1, -1] = 1
    range: tuple[float | None, float | None] | None = None
    denominator: str | None = None
    per: float = Field(1.0, gt=0)
    target: float | None = None
    required: bool = True
    imputation: Imputation = Imputation()
    outliers: Outliers = Outliers()
    normalisation: Normalisation = Field(default_factory=lambda: MinMax(method="minmax"))
    carry: Carry = Carry()  # across unit changes (dxscore.lineage); default: not carried

    _shorthand = field_validator("imputation", "outliers", "normalisation", "carry", mode="before")(
        lambda v: as_method_mapping(v)
    )

    @field_validator("range")
    @classmethod
    def _ordered(
        cls, v: tuple[float | None, float | None] | None
    ) -> tuple[float | None, float | None] | None:
        low, high = v if v is not None else (None, None)
        if low is not None and high is not None and not low <= high:
            raise ValueError("valid range must be [low, high] with low <= high")
        return v

    @property
    def missing_allowed(self) -> bool:
        return not self.required or self.imputation.method != "none"


class AggregateSpec(NodeSpec):
    """An inner node: combines its children's scores."""

    aggregation: Aggregation = Aggregation()
    min_coverage: float | None = Field(None, gt=0, le=1)
    rescale: Literal["none", "minmax"] = "none"
    # gates: the node scores the scale's low end when this child does (0 on [0, x]) ...
    zero_if: str | None = None
    # ... or has no score when this child has none
    missing_if: str | None = None

    _gates = field_validator("zero_if", "missing_if", mode="before")(lambda v: _code_as_text(v))

    _shorthand = field_validator("aggregation", mode="before")(lambda v: as_method_mapping(v))


INDICATOR_DEFAULT_KEYS = set(IndicatorSpec.model_fields) - {"code", "name", "description"}
AGGREGATE_DEFAULT_KEYS = set(AggregateSpec.model_fields) - {"code", "name", "description"}
METHOD_KEYS = {"imputation", "outliers", "normalisation", "aggregation", "carry", "round"}


class Defaults(_Spec):
    indicator: dict[str, Any] = {}
    aggregate: dict[str, Any] = {}

    @field_validator("indicator")
    @classmethod
    def _indicator_keys(cls, v: dict[str, Any]) -> dict[str, Any]:
        unknown = set(v) - INDICATOR_DEFAULT_KEYS
        if unknown:
            raise ValueError(f"unknown indicator default key(s): {', '.join(sorted(unknown))}")
        return v

    @field_validator("aggregate")
    @classmethod
    def _aggregate_keys(cls, v: dict[str, Any]) -> dict[str, Any]:
        unknown = set(v) - AGGREGATE_DEFAULT_KEYS
        if unknown:
            raise ValueError(f"unknown aggregate default key(s): {', '.join(sorted(unknown))}")
        return v


class LevelSpec(Defaults):
    name: Line


class Denominator(_Spec):
    code: str = Field(pattern=CODE_PATTERN, max_length=80)

    _code = field_validator("code", mode="before")(lambda v: _code_as_text(v))
    name: LineText = ""
    unit: Line = ""
    carry: Carry = Carry(method="sum")  # denominators are counts: summed when units merge

    _shorthand = field_validator("carry", mode="before")(lambda v: as_method_mapping(v))


class Edition(_Spec):
    """A published edition of the series: its period and, when it changed, the rounding
    its ranks were computed from."""

    period: str
    rank_rounding: Rounding | None = None

    _period = field_validator("period", mode="before")(lambda v: _code_as_text(v))
    _rounding = field_validator("rank_rounding", mode="before")(lambda v: as_rounding(v))

    @field_validator("period")
    @classmethod
    def _is_period(cls, v: str) -> str:
        if not periods.is_period(v):
            raise ValueError(f"'{v}' is not a period code (use {periods.EXAMPLES})")
        return v


class ReferenceSpec(_Spec):
    """Units shown but not ranked: by code, or every unit with one of a group's labels."""

    units: list[str] = []
    groups: dict[str, list[str]] = {}

    @field_validator("units", mode="before")
    @classmethod
    def _texts(cls, v: Any) -> Any:
        return [_code_as_text(u) for u in v] if isinstance(v, list) else v


class FileSpec(_Spec):
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_.\-]*$", max_length=80)
    version: str
    title: LineText
    description: ParagraphText = ""
    source: Paragraph = ""
    series: str = Field("", pattern=r"^([a-z0-9][a-z0-9_.\-]*)?$")
    scale: tuple[float, float] = (0.0, 100.0)
    rank_rounding: Rounding | None = None
    editions: list[Edition] = []
    reference: ReferenceSpec = ReferenceSpec()
    groups: list[str] = []
    denominators: list[Denominator] = []
    defaults: Defaults = Defaults()
    levels: list[LevelSpec] = []
    tree: dict[str, Any]
    nodes: list[dict[str, Any]] = []
    uncertainty: Uncertainty = Uncertainty()

    @field_validator("version", mode="before")
    @classmethod
    def _version_as_text(cls, v: Any) -> Any:
        return str(v) if isinstance(v, int | float) else v

    @field_validator("rank_rounding", mode="before")
    @classmethod
    def _rank_digits(cls, v: Any) -> Any:
        return as_rounding(v)

    @field_validator("editions", mode="before")
    @classmethod
    def _edition_periods(cls, v: Any) -> Any:
        """``editions: [2020, 2021]`` is short for ``[{period: 2020}, {period: 2021}]``."""
        if isinstance(v, list):
            return [{"period": e} if isinstance(e, str | int) else e for e in v]
        return v

    @field_validator("editions")
    @classmethod
    def _editions_in_order(cls, v: list[Edition]) -> list[Edition]:
        codes = [e.period for e in v]
        if len({periods.kind_of(c) for c in codes}) > 1:
            raise ValueError("editions must all be periods of one kind (years, quarters or months)")
        parsed = [periods.parse(c) for c in codes]
        for before, after in zip(parsed, parsed[1:], strict=False):
            if not before < after:
                raise ValueError(
                    f"editions must be listed oldest first, each once ('{after.code}' "
                    f"after '{before.code}')"
                )
        return v

    @field_validator("reference", mode="before")
    @classmethod
    def _reference_units(cls, v: Any) -> Any:
        """``reference: [EU, VN]`` is short for ``reference: {units: [EU, VN]}``."""
        return {"units": v} if isinstance(v, list) else v

    @field_validator("version")
    @classmethod
    def _version_label(cls, v: str) -> str:
        if not re.match(VERSION_PATTERN, v):
            raise ValueError(
                "must be a short label of letters, digits and . _ + - (at most 40), such as 2022.1"
            )
        return v

    @field_validator("scale")
    @classmethod
    def _scale_ordered(cls, v: tuple[float, float]) -> tuple[float, float]:
        if not v[0] < v[1]:
            raise ValueError("scale must be [low, high] with low < high")
        return v


# --- compiled methodology -----------------------------------------------------------------


@dataclass(frozen=True)
class Node:
    code: str
    kind: Literal["indicator", "aggregate"]
    spec: IndicatorSpec | AggregateSpec
    children: tuple[str, ...]
    parent: str | None  # parent in the tree (None for the root and for side nodes)
    depth: int
    level: str | None

    @property
    def name(self) -> str:
        """The node's name in the reader's language (``dxscore.texts``), else its code."""
        return texts.pick(self.spec.name) or self.code

    @property
    def description(self) -> str:
        return texts.pick(self.spec.description)

    @property
    def help(self) -> str:
        """An indicator's help, else the node's description, in the reader's language."""
        return texts.pick(getattr(self.spec, "help", "")) or self.description

    @property
    def is_indicator(self) -> bool:
        return self.kind == "indicator"

    @property
    def indicator_spec(self) -> IndicatorSpec:
        """The spec of an indicator node; a ``TypeError`` for an aggregate."""
        if not isinstance(self.spec, IndicatorSpec):
            raise TypeError(f"'{self.code}' is an aggregate, not an indicator")
        return self.spec

    @property
    def aggregate_spec(self) -> AggregateSpec:
        """The spec of an aggregate node; a ``TypeError`` for an indicator."""
        if not isinstance(self.spec, AggregateSpec):
            raise TypeError(f"'{self.code}' is an indicator, not an aggregate")
        return self.spec


@dataclass
class CompiledMethodology:
    """A validated methodology: the graph of nodes and everything the engine needs."""

    id: str
    version: str
    # a text, or one per language: ``title`` and ``description`` give the reader's
    title_text: texts.Text
    description_text: texts.Text
    source: str
    scale: tuple[float, float]
    rank_rounding: int | None  # decimals of the scores ranks are computed from (file default)
    groups: list[str]
    denominators: dict[str, Denominator]
    nodes: dict[str, Node]
    uncertainty: Uncertainty = field(default_factory=Uncertainty)
    rank_rule: Literal["half_up", "r", "half_even"] = "half_up"  # how rank_rounding rounds
    # the published editions of the series, oldest first; each with its rank rounding
    editions: list[Edition] = field(default_factory=list)
    # units shown but not ranked: codes, and labels of groups (group -> labels)
    reference_units: list[str] = field(default_factory=list)
    reference_groups: dict[str, list[str]] = field(default_factory=dict)
    text: str = field(repr=False, default="")
    path: str = ""
    # Methodologies of one series (the 2020 and 2022 DTI, say) form one history: their
    # published results are shown over time together. Default: the methodology's id.
    series: str = ""

    def __post_init__(self) -> None:
        self.series = self.series or self.id

    @property
    def title(self) -> str:
        """The title in the reader's language (``dxscore.texts``)."""
        return texts.pick(self.title_text)

    @property
    def description(self) -> str:
        return texts.pick(self.description_text)

    @property
    def rank_rounding_spec(self) -> Rounding | None:
        """The file's rounding of scores before ranking (None: ranks from exact scores)."""
        if self.rank_rounding is None:
            return None
        return Rounding(digits=self.rank_rounding, rule=self.rank_rule)

    def rank_rounding_for(self, period: str) -> Rounding | None:
        """The rounding of the scores that rank ``period``: its edition's, else the file's."""
        for edition in self.editions:
            if edition.period == str(period) and edition.rank_rounding is not None:
                return edition.rank_rounding
        return self.rank_rounding_spec

    def previous_edition(self, period: str) -> str | None:
        """The edition before ``period`` in the declared series (None for the first, or
        when ``period`` is not a declared edition)."""
        codes = [e.period for e in self.editions]
        if str(period) not in codes:
            return None
        i = codes.index(str(period))
        return codes[i - 1] if i > 0 else None

    @cached_property
    def indicators(self) -> list[str]:
        return [c for c, n in self.nodes.items() if n.is_indicator]

    @cached_property
    def aggregates(self) -> list[str]:
        """Aggregates in evaluation order: every node after all of its children."""
        order: list[str] = []
        seen: set[str] = set()

        def visit(code: str) -> None:
            if code in seen:
                return
            seen.add(code)
            for child in self.nodes[code].children:
                visit(child)
            if not self.nodes[code].is_indicator:
                order.append(code)

        for code in self.nodes:
            visit(code)
        return order

    @cached_property
    def uses_other_periods(self) -> bool:
        """Whether a period's scores depend on other periods' values: imputation over time
        (``locf``, ``linear``) or normalisation pooled over periods. Such a methodology
        must be computed with the earlier periods' values too."""
        for code in self.indicators:
            spec = self.nodes[code].indicator_spec
            if (
                spec.imputation.method in ("locf", "linear", "locf_scaled")
                or spec.normalisation.pooled
            ):
                return True
        return False

    @cached_property
    def side_nodes(self) -> list[str]:
        """Aggregates outside the index tree (views such as DTI pillars)."""
        return [c for c, n in self.nodes.items() if n.parent is None and c != ROOT]

    def node(self, code: str) -> Node:
        return self.nodes[code]

    def path_to_root(self, code: str) -> list[str]:
        path = [code]
        while (parent := self.nodes[path[-1]].parent) is not None:
            path.append(parent)
        return path

    @cached_property
    def digest(self) -> str:
        """SHA-256 of the compiled methodology: equal digests compute equal scores."""
        payload: dict[str, Any] = {
            "id": self.id,
            "version": self.version,
            "scale": self.scale,
            "rank_rounding": self.rank_rounding,
            "groups": self.groups,
            "denominators": sorted(self.denominators),
            "nodes": [
                [n.code, n.kind, n.children, n.parent, _spec_payload(n.spec)]
                for n in self.nodes.values()
            ],
        }
        # settings added later enter the digest only when used, so that the digests of
        # files written before them stay what they were
        if self.rank_rule != "half_up":
            payload["rank_rule"] = self.rank_rule
        if self.editions:
            payload["editions"] = [e.model_dump(mode="json") for e in self.editions]
        if self.reference_units or self.reference_groups:
            payload["reference"] = {"units": self.reference_units, "groups": self.reference_groups}
        if any(d.carry != Carry(method="sum") for d in self.denominators.values()):
            payload["denominator_carry"] = {  # only when not the default, as for nodes
                c: d.carry.model_dump(mode="json") for c, d in self.denominators.items()
            }
        blob = json.dumps(payload, sort_keys=True, separators=(",", ":")).encode()
        return hashlib.sha256(blob).hexdigest()

    @property
    def label(self) -> str:
        return f"{self.id} v{self.version}"


def node_path(methodology: CompiledMethodology, code: str) -> str:
    """Where a node sits in the tree, as errors name it: ``index > pillar > code``."""
    if code not in methodology.nodes:
        return code
    return " > ".join(reversed(methodology.path_to_root(code)))


def _spec_payload(spec: IndicatorSpec | AggregateSpec) -> dict[str, Any]:
    """A node's settings for the digest. Settings added later are left out while unused
    (a default ``carry``, no ``round``, no gates, no ``locf_scaled`` unit), so the digests
    of methodologies written before them stay what they were."""
    payload: dict[str, Any] = spec.model_dump(mode="json")
    # names are not scores: the digest holds the English text only, so translations
    # added to a file leave its digest (and its stored runs' equality) as it was
    for key in ("name", "description", "help"):
        if key in payload:
            payload[key] = texts.english(payload[key])
    if isinstance(spec, IndicatorSpec):
        if spec.carry == Carry():
            payload.pop("carry")
        if spec.imputation.unit is None:
            payload["imputation"].pop("unit")
    for key in ("round", "zero_if", "missing_if"):
        if payload.get(key, 0) is None:
            payload.pop(key)
    return payload


# --- loading ----------------------------------------------------------------------------


class _UniqueKeyLoader(yaml.SafeLoader):
    """A YAML loader that rejects a key given twice in one mapping."""


def _construct_mapping(
    loader: _UniqueKeyLoader, node: yaml.MappingNode, deep: bool = False
) -> dict[Any, Any]:
    keys: set[Any] = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if key in keys:
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key {key!r}", key_node.start_mark
            )
        keys.add(key)
    return loader.construct_mapping(node, deep)


_UniqueKeyLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def builtin_ids() -> list[str]:
    return sorted(p.stem for p in BUILTIN_DIR.glob("*.yaml"))


def load(ref: str | Path) -> CompiledMethodology:
    """Load a methodology by built-in id or by file path."""
    ref_text = str(ref)
    builtin = BUILTIN_DIR / f"{ref_text}.yaml"
    if not ref_text.endswith((".yaml", ".yml")) and builtin.exists():
        path = builtin
    else:
        path = Path(ref_text)
        if not path.exists():
            known = ", ".join(builtin_ids())
            raise MethodologyError(
                ref_text,
                [("file", f"no such file and no built-in methodology (built-ins: {known})")],
            )
    return loads(path.read_text(encoding="utf-8"), source=str(path))


def loads(text: str, source: str = "<text>") -> CompiledMethodology:
    try:
        raw = yaml.load(text, Loader=_UniqueKeyLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "file"
        problem = getattr(exc, "problem", None) or str(exc)
        raise MethodologyError(source, [(where, f"invalid YAML: {problem}")]) from None
    if not isinstance(raw, dict):
        raise MethodologyError(source, [("file", "must be a mapping with id, version, tree, ...")])
    try:
        spec = FileSpec.model_validate(raw)
    except ValidationError as exc:
        raise MethodologyError(source, _problems(exc, "")) from None
    methodology = _Compiler(spec, source).compile()
    methodology.text = text
    methodology.path = source
    return methodology


def _problems(exc: ValidationError, prefix: str) -> list[tuple[str, str]]:
    out = []
    for err in exc.errors():
        loc = ".".join(str(p) for p in err["loc"] if not str(p).startswith("function-"))
        msg = err["msg"]
        if err["type"] == "extra_forbidden":
            msg = "unknown key"
        elif msg.startswith("Value error, "):
            msg = msg[len("Value error, ") :]
        where = " > ".join(p for p in (prefix, loc) if p) or "file"
        out.append((where, msg))
    return out


def _merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    """Overlay ``over`` on ``base``; a method mapping merges only when the method agrees."""
    merged = copy.deepcopy(base)
    for key, value in over.items():
        if key in METHOD_KEYS and key in merged:
            old, new = as_method_mapping(merged[key]), as_method_mapping(value)
            if (
                isinstance(old, dict)
                and isinstance(new, dict)
                and new.get("method", old.get("method")) == old.get("method")
            ):
                merged[key] = {**old, **new}
                continue
        merged[key] = copy.deepcopy(value)
    return merged


class _Compiler:
    def __init__(self, spec: FileSpec, source: str):
        self.spec = spec
        self.source = source
        self.problems: list[tuple[str, str]] = []
        self.nodes: dict[str, Node] = {}
        self.where: dict[str, str] = {}
        self.invalid: set[str] = set()  # codes of nodes that failed validation

    def compile(self) -> CompiledMethodology:
        spec = self.spec
        tree = dict(spec.tree)
        tree.setdefault("code", ROOT)
        if tree["code"] != ROOT:
            self.problems.append(("tree > code", f"the root node's code must be '{ROOT}'"))
        self._walk(tree, parent=None, depth=0, path="tree")
        for i, side in enumerate(spec.nodes):
            if not isinstance(side, dict) or "children" not in side:
                self.problems.append((f"nodes[{i}]", "a side node must be an aggregate"))
                continue
            self._walk(side, parent=None, depth=1, path=f"nodes[{i}]")
        self._check_names()
        self._check_references()
        self._check_inputs()
        self._check_carry()
        self._check_gates()
        self._check_reference_groups()
        if not self.problems:
            self._check_cycles()
        if self.problems:
            raise MethodologyError(self.source, self.problems)
        return CompiledMethodology(
            id=spec.id,
            version=spec.version,
            title_text=spec.title,
            description_text=spec.description,
            source=spec.source,
            series=spec.series or spec.id,
            scale=spec.scale,
            rank_rounding=spec.rank_rounding.digits if spec.rank_rounding else None,
            rank_rule=spec.rank_rounding.rule if spec.rank_rounding else "half_up",
            editions=self._editions(),
            reference_units=list(spec.reference.units),
            reference_groups={g: list(v) for g, v in spec.reference.groups.items()},
            groups=list(spec.groups),
            denominators={d.code: d for d in spec.denominators},
            nodes=self.nodes,
            uncertainty=spec.uncertainty,
        )

    def _editions(self) -> list[Edition]:
        """Editions with their rank rounding resolved: an edition that gives only
        ``digits`` keeps the file's rule."""
        base = self.spec.rank_rounding
        out = []
        for edition in self.spec.editions:
            own = edition.rank_rounding
            if own is not None and base is not None and "rule" not in own.model_fields_set:
                own = Rounding(digits=own.digits, rule=base.rule)
            out.append(Edition(period=edition.period, rank_rounding=own))
        return out

    def _level(self, depth: int) -> tuple[str | None, dict[str, Any], dict[str, Any]]:
        if depth < len(self.spec.levels):
            lvl = self.spec.levels[depth]
            return lvl.name, lvl.indicator, lvl.aggregate
        return None, {}, {}

    def _walk(self, raw: Any, parent: str | None, depth: int, path: str) -> str | None:
        if not isinstance(raw, dict):
            self.problems.append((path, "a node must be a mapping (or a code referring to one)"))
            return None
        code = raw.get("code")
        label = f"{path} > {code}" if isinstance(code, str) else f"{path} > (no code)"
        children_raw = raw.get("children")
        level_name, level_ind, level_agg = self._level(depth)
        own = {k: v for k, v in raw.items() if k != "children"}
        is_aggregate = children_raw is not None
        model: type[AggregateSpec] | type[IndicatorSpec]
        if is_aggregate:
            merged = _merge(_merge(self.spec.defaults.aggregate, level_agg), own)
            model = AggregateSpec
        else:
            merged = _merge(_merge(self.spec.defaults.indicator, level_ind), own)
            model = IndicatorSpec
        try:
            node_spec = model.model_validate(merged)
        except ValidationError as exc:
            self.problems.extend(_problems(exc, label))
            if isinstance(code, str):
                self.invalid.add(code)
                return code
            return None
        code = node_spec.code  # the same code, validated as text
        if code in self.nodes:
            self.problems.append((label, f"duplicate code '{code}' (first at {self.where[code]})"))
            return code
        children: list[str] = []
        if is_aggregate:
            if not isinstance(children_raw, list) or not children_raw:
                self.problems.append((label, "'children' must be a non-empty list"))
            else:
                for i, child in enumerate(children_raw):
                    if isinstance(child, str):
                        children.append(child)  # a reference, resolved later
                    else:
                        sub = self._walk(child, code, depth + 1, label)
                        if sub is not None:
                            children.append(sub)
                        elif not isinstance(child, dict):
                            self.problems.append((f"{label} > children[{i}]", "invalid child"))
        self.where[code] = label
        self.nodes[code] = Node(
            code=code,
            kind="aggregate" if is_aggregate else "indicator",
            spec=node_spec,
            children=tuple(children),
            parent=parent,
            depth=depth,
            level=level_name,
        )
        return code

    def _check_names(self) -> None:
        reserved = set(self.spec.groups) | {d.code for d in self.spec.denominators}
        for code in self.nodes:
            if code in reserved:
                self.problems.append(
                    (self.where[code], f"code '{code}' is also a group/denominator")
                )

    def _check_references(self) -> None:
        for code, node in self.nodes.items():
            seen: set[str] = set()
            for child in node.children:
                if child not in self.nodes and child not in self.invalid:
                    self.problems.append((self.where[code], f"unknown child reference '{child}'"))
                if child in seen:
                    self.problems.append((self.where[code], f"child '{child}' listed twice"))
                seen.add(child)

    def _check_cycles(self) -> None:
        state: dict[str, int] = {}

        def visit(code: str, trail: list[str]) -> bool:
            if state.get(code) == 1:
                cycle = " -> ".join(trail[trail.index(code) :] + [code])
                self.problems.append((self.where[code], f"cycle: {cycle}"))
                return True
            if state.get(code) == 2:
                return False
            state[code] = 1
            for child in self.nodes[code].children:
                if visit(child, trail + [code]):
                    return True
            state[code] = 2
            return False

        for code in self.nodes:
            if visit(code, []):
                return

    def _check_inputs(self) -> None:
        groups = set(self.spec.groups)
        dens = {d.code for d in self.spec.denominators}
        for code, node in self.nodes.items():
            where = self.where[code]
            spec = node.spec
            if isinstance(spec, AggregateSpec):
                if spec.aggregation.method == "points":
                    for child in node.children:
                        if child in self.nodes and self.nodes[child].spec.max_points is None:
                            self.problems.append(
                                (self.where[child], f"'{code}' sums points: 'max_points' missing")
                            )
                continue
            if spec.denominator is not None and spec.denominator not in dens:
                self.problems.append(
                    (where, f"denominator '{spec.denominator}' is not declared in 'denominators'")
                )
            group = spec.imputation.group
            if group is not None and group not in groups:
                self.problems.append((where, f"imputation group '{group}' is not in 'groups'"))
            norm = spec.normalisation
            if norm.method == "target" and norm.target is None and spec.target is None:
                self.problems.append(
                    (where, "normalisation 'target' needs a 'target' (on the method or indicator)")
                )
            if norm.method == "target" and norm.baseline != "observed":
                target = norm.target if norm.target is not None else spec.target
                if target is not None and (target - norm.baseline) * spec.direction <= 0:
                    side = "above" if spec.direction == 1 else "below"
                    self.problems.append(
                        (
                            where,
                            f"the target ({target:g}) must be {side} the baseline "
                            f"({norm.baseline:g}) for direction {spec.direction}",
                        )
                    )
            if norm.method == "identity" and spec.direction == -1:
                self.problems.append(
                    (where, "normalisation 'identity' cannot turn a lower-is-better indicator")
                )

    def _check_gates(self) -> None:
        """A gate names one of the node's own children."""
        for code, node in self.nodes.items():
            spec = node.spec
            if not isinstance(spec, AggregateSpec):
                continue
            for key in ("zero_if", "missing_if"):
                child = getattr(spec, key)
                if child is not None and child not in node.children:
                    listed = ", ".join(node.children)
                    self.problems.append(
                        (
                            f"{self.where[code]} > {key}",
                            f"'{child}' is not a child of '{code}' (children: {listed})",
                        )
                    )

    def _check_reference_groups(self) -> None:
        for group in self.spec.reference.groups:
            if group not in self.spec.groups:
                self.problems.append(
                    (f"reference > groups > {group}", f"group '{group}' is not in 'groups'")
                )

    def _check_carry(self) -> None:
        """A carry rule names inputs of this methodology: a ratio's numerator and
        denominator, a weighted mean's weight (an indicator or a denominator); a ratio
        is not computed from another ratio."""
        rules: dict[str, tuple[str, Carry]] = {
            code: (self.where[code], node.spec.carry)
            for code, node in self.nodes.items()
            if isinstance(node.spec, IndicatorSpec)
        }
        for i, den in enumerate(self.spec.denominators):
            rules.setdefault(den.code, (f"denominators[{i}] > {den.code}", den.carry))
        for code, (where, carry) in rules.items():
            for role, ref in (
                ("by", carry.by),
                ("numerator", carry.numerator),
                ("denominator", carry.denominator),
            ):
                if ref is None:
                    continue
                if ref not in rules:
                    self.problems.append(
                        (
                            where,
                            f"carry '{carry.method}': {role} '{ref}' is not an indicator "
                            "or denominator of this methodology",
                        )
                    )
                elif ref == code:
                    self.problems.append(
                        (where, f"carry '{carry.method}': {role} is the indicator itself")
                    )
                elif carry.method == "ratio" and rules[ref][1].method == "ratio":
                    self.problems.append(
                        (
                            where,
                            f"carry 'ratio': {role} '{ref}' is itself carried as a ratio; "
                            "carry it with 'sum'",
                        )
                    )
