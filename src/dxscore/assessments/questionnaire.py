"""Questionnaire files: one YAML format for the file, the form and the docs page.

A questionnaire is versioned and bilingual (every text ``{en: ..., vi: ...}``); it has
sections of questions (single and multiple choice, scale, number, yes/no, text), skip
logic (``show_if``), required answers, the pillars its points go to, maturity levels by
thresholds of a score and recommendations per pillar and level. ``loads`` checks all of
it and reports every problem at once, each naming the file, the question and the reason
(``QuestionnaireError``). Its scoring is a methodology of the index engine, built from
the file (``scoring.methodology_text``)."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError, field_validator

from dxscore.errors import Problems
from dxscore.index.methodology import CODE_PATTERN, VERSION_PATTERN, _plain_text, _UniqueKeyLoader

BUILTIN_DIR = Path(__file__).parent / "builtin"
LANGUAGES = ("en", "vi")
QUESTION_TYPES = ("single", "multiple", "scale", "number", "yesno", "text")
SCORED_TYPES = ("single", "multiple", "scale", "number", "yesno")
RESERVED = {"index"}  # the methodology's root

Line = Annotated[str, Field(max_length=300), AfterValidator(lambda v: _plain_text(v, lines=False))]
Paragraph = Annotated[
    str, Field(max_length=4000), AfterValidator(lambda v: _plain_text(v, lines=True))
]
Code = Annotated[str, Field(pattern=CODE_PATTERN, max_length=60)]


class QuestionnaireError(Problems):
    """A questionnaire file is not valid: ``(where, reason)`` pairs, ``source`` the file."""

    def __init__(self, source: str, problems: list[tuple[str, str]]):
        super().__init__(problems, source)


def _yes_no(value: Any) -> Any:
    """YAML 1.1 reads an unquoted ``yes``/``no`` as true/false: they mean the answers."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, dict):
        return {_yes_no(k): v for k, v in value.items()}
    if isinstance(value, list):
        return [_yes_no(v) for v in value]
    if isinstance(value, int | float):
        return str(value)
    return value


class _Spec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class Text(_Spec):
    """A text in English and Vietnamese."""

    en: Paragraph = Field(min_length=1)
    vi: Paragraph = Field(min_length=1)

    def get(self, language: str | None) -> str:
        return self.vi if (language or "").startswith("vi") else self.en


class Option(_Spec):
    code: Code
    text: Text
    points: float = 0.0


class ShowIf(_Spec):
    """Show the question only when an earlier question's answer is one of ``in`` (option
    codes, ``yes``/``no``, scale values) or, for a number or scale, at least ``at_least``."""

    question: Code
    in_: list[str] | None = Field(None, alias="in", min_length=1)
    at_least: float | None = None

    _answers = field_validator("in_", mode="before")(lambda v: _yes_no(v))


class Band(_Spec):
    at_least: float
    points: float = Field(ge=0)


class QuestionSpec(_Spec):
    code: Code
    type: Literal["single", "multiple", "scale", "number", "yesno", "text"]
    text: Text
    help: Text | None = None
    required: bool = True
    pillar: Code | None = None
    options: list[Option] = []
    min: int | float | None = None
    max: int | float | None = None
    low: Text | None = None  # the label of a scale's low end
    high: Text | None = None
    points: list[float] | dict[str, float] | None = None
    bands: list[Band] = []  # a number's points: the last band it reaches
    max_points: float | None = Field(None, gt=0)  # caps a multiple choice's sum
    max_length: int = Field(1000, ge=1, le=4000)  # a text answer
    show_if: ShowIf | None = None

    @field_validator("points", mode="before")
    @classmethod
    def _points_keys(cls, v: Any) -> Any:
        return {_yes_no(k): p for k, p in v.items()} if isinstance(v, dict) else v


class SectionSpec(_Spec):
    code: Code
    title: Text
    description: Text | None = None
    pillar: Code | None = None
    questions: list[QuestionSpec] = Field(min_length=1)


class LevelSpec(_Spec):
    code: Code
    name: Text
    from_: float = Field(alias="from", ge=0, le=100)
    description: Text | None = None


class PillarSpec(_Spec):
    code: Code
    name: Text
    weight: float = Field(1.0, ge=0)
    official: bool = True  # named by the official framework (docs say which parts are ours)
    recommendations: dict[str, Text] = {}


class FileSpec(_Spec):
    id: Code
    version: Annotated[str, Field(pattern=VERSION_PATTERN)]
    kind: Literal["business", "citizen"]
    title: Text
    description: Text | None = None
    source: Line = ""
    period: Literal["year", "quarter", "month"] = "year"
    publish: Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{0,19}$")]
    levels: list[LevelSpec] = Field(min_length=1)
    pillars: list[PillarSpec] = Field(min_length=1)
    sections: list[SectionSpec] = Field(min_length=1)


@dataclass
class Question:
    """A question with everything resolved: its section, pillar and maximum points."""

    spec: QuestionSpec
    section: str
    pillar: str | None
    max_points: float

    @property
    def code(self) -> str:
        return self.spec.code

    @property
    def type(self) -> str:
        return self.spec.type

    @property
    def scored(self) -> bool:
        return self.pillar is not None and self.max_points > 0

    def scale_values(self) -> list[int]:
        assert self.spec.min is not None and self.spec.max is not None
        return list(range(int(self.spec.min), int(self.spec.max) + 1))


@dataclass
class Questionnaire:
    spec: FileSpec
    questions: dict[str, Question]
    source: str
    text: str = ""
    _methodology: Any = field(default=None, repr=False)

    @property
    def code(self) -> str:
        return self.spec.id

    @property
    def version(self) -> str:
        return self.spec.version

    @property
    def pillars(self) -> list[str]:
        return [p.code for p in self.spec.pillars]

    @property
    def levels(self) -> list[str]:
        return [lv.code for lv in self.spec.levels]

    def pillar(self, code: str) -> PillarSpec:
        return next(p for p in self.spec.pillars if p.code == code)

    def level(self, code: str) -> LevelSpec:
        return next(lv for lv in self.spec.levels if lv.code == code)

    def scored(self) -> list[Question]:
        return [q for q in self.questions.values() if q.scored]

    def in_pillar(self, pillar: str) -> list[Question]:
        return [q for q in self.scored() if q.pillar == pillar]

    def section_questions(self, section: str) -> list[Question]:
        return [q for q in self.questions.values() if q.section == section]

    @property
    def digest(self) -> str:
        payload = json.dumps(self.spec.model_dump(mode="json", by_alias=True), sort_keys=True)
        return hashlib.sha256(payload.encode()).hexdigest()

    def methodology(self) -> Any:
        """The engine's compiled methodology that scores this questionnaire's sheets."""
        if self._methodology is None:
            from dxscore.assessments.scoring import compile_methodology

            self._methodology = compile_methodology(self)
        return self._methodology


def builtin_ids() -> list[str]:
    return sorted(p.stem for p in BUILTIN_DIR.glob("*.yaml"))


def load(ref: str | Path) -> Questionnaire:
    """A questionnaire by built-in id or by file path."""
    builtin = BUILTIN_DIR / f"{ref}.yaml"
    path = builtin if builtin.exists() and not str(ref).endswith(".yaml") else Path(ref)
    if not path.exists():
        known = ", ".join(builtin_ids())
        raise QuestionnaireError(str(ref), [("file", f"no such file (built-ins: {known})")])
    return loads(path.read_text(encoding="utf-8"), source=str(path.name))


def loads(text: str, source: str = "<text>") -> Questionnaire:
    """Read and check a questionnaire file; every problem at once."""
    try:
        raw = yaml.load(text, Loader=_UniqueKeyLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "file"
        problem = getattr(exc, "problem", None) or str(exc)
        raise QuestionnaireError(source, [(where, f"invalid YAML: {problem}")]) from None
    if not isinstance(raw, dict):
        raise QuestionnaireError(source, [("file", "must be a mapping with id, sections, ...")])
    try:
        spec = FileSpec.model_validate(raw)
    except ValidationError as exc:
        raise QuestionnaireError(source, _pydantic_problems(exc, raw)) from None
    problems: list[tuple[str, str]] = []
    questions = _resolve(spec, problems)
    if problems:
        raise QuestionnaireError(source, problems)
    q = Questionnaire(spec, questions, source, text)
    q.methodology()  # the scoring compiles (a problem here is a bug of the builder)
    return q


def _pydantic_problems(exc: ValidationError, raw: dict[str, Any]) -> list[tuple[str, str]]:
    """Pydantic's errors with the place said as people read it: ``question q3 (section
    s1) > options > 0 > points``."""
    out = []
    for err in exc.errors():
        loc = [p for p in err["loc"] if not str(p).startswith("function-")]
        msg = err["msg"]
        if err["type"] == "extra_forbidden":
            msg = "unknown key"
        elif msg.startswith("Value error, "):
            msg = msg[len("Value error, ") :]
        out.append((_where(loc, raw), msg))
    return out


def _where(loc: list[Any], raw: dict[str, Any]) -> str:
    parts: list[str] = []
    node: Any = raw
    i = 0
    while i < len(loc):
        key = loc[i]
        if key in ("sections", "questions", "pillars", "levels", "options") and i + 1 < len(loc):
            index = loc[i + 1]
            try:
                item = node[key][index]
            except (KeyError, IndexError, TypeError):
                item = None
            code = item.get("code") if isinstance(item, dict) else None
            label = {"sections": "section", "questions": "question", "pillars": "pillar"}
            label |= {"levels": "level", "options": "option"}
            parts.append(f"{label[key]} {code}" if code else f"{label[key]} {int(index) + 1}")
            node = item
            i += 2
            continue
        parts.append(str(key))
        node = node.get(key) if isinstance(node, dict) else None
        i += 1
    return " > ".join(parts) or "file"


def _resolve(spec: FileSpec, problems: list[tuple[str, str]]) -> dict[str, Question]:
    def add(where: str, reason: str) -> None:
        problems.append((where, reason))

    pillars = {p.code for p in spec.pillars}
    levels = [lv.code for lv in spec.levels]
    for kind, codes in (
        ("pillar", [p.code for p in spec.pillars]),
        ("level", levels),
        ("section", [s.code for s in spec.sections]),
    ):
        for code in sorted({c for c in codes if codes.count(c) > 1}):
            add(f"{kind} {code}", f"the {kind} code is given twice")
    if spec.levels[0].from_ != 0:
        add(f"level {spec.levels[0].code} > from", "the first level starts at 0")
    for before, after in zip(spec.levels, spec.levels[1:], strict=False):
        if not after.from_ > before.from_:
            add(f"level {after.code} > from", "levels go up: each starts above the one before")
    for p in spec.pillars:
        for level in p.recommendations:
            if level not in levels:
                add(f"pillar {p.code} > recommendations > {level}", "not a level of the file")

    questions: dict[str, Question] = {}
    for section in spec.sections:
        if section.pillar is not None and section.pillar not in pillars:
            add(f"section {section.code} > pillar", f"unknown pillar '{section.pillar}'")
        for qs in section.questions:
            where = f"question {qs.code}"
            if qs.code in questions:
                add(where, "the question code is given twice")
                continue
            if qs.code in pillars or qs.code in RESERVED:
                add(where, "a question code may not be a pillar's code or 'index'")
            pillar = qs.pillar or section.pillar
            if qs.pillar is not None and qs.pillar not in pillars:
                add(f"{where} > pillar", f"unknown pillar '{qs.pillar}'")
                pillar = None
            elif pillar is not None and pillar not in pillars:
                pillar = None
            maximum = _check_question(qs, where, add)
            if qs.show_if is not None:
                _check_show_if(qs, questions, where, add)
            if qs.type == "text" and qs.pillar is not None:
                add(f"{where} > pillar", "a text answer earns no points")
            questions[qs.code] = Question(
                qs, section.code, pillar if maximum > 0 else None, maximum
            )
    for p in spec.pillars:
        if not any(q.pillar == p.code for q in questions.values()):
            add(f"pillar {p.code}", "no question earns points for this pillar")
    return questions


def _check_question(qs: QuestionSpec, where: str, add: Any) -> float:
    """Type-specific rules; the question's maximum points (0 if it earns none)."""
    t = qs.type
    maximum = 0.0
    if t in ("single", "multiple"):
        codes = [o.code for o in qs.options]
        if len(codes) < 2:
            add(f"{where} > options", "a choice needs at least two options")
        for code in sorted({c for c in codes if codes.count(c) > 1}):
            add(f"{where} > option {code}", "the option code is given twice")
        if qs.points is not None or qs.bands:
            add(f"{where} > points", "a choice's points are given on its options")
        points = [max(o.points, 0.0) for o in qs.options]
        if any(o.points < 0 for o in qs.options):
            add(f"{where} > options", "points are 0 or more")
        maximum = max(points, default=0.0) if t == "single" else sum(points)
        if t == "multiple" and qs.max_points is not None:
            maximum = min(maximum, qs.max_points)
    elif qs.options:
        add(f"{where} > options", f"a {t} question has no options")
    if t != "multiple" and qs.max_points is not None:
        add(f"{where} > max_points", "only a multiple choice takes max_points")
    if t == "scale":
        if qs.min is None or qs.max is None or int(qs.min) != qs.min or int(qs.max) != qs.max:
            add(where, "a scale needs whole numbers min and max")
            return 0.0
        if not qs.min < qs.max or qs.max - qs.min > 10:
            add(where, "a scale goes from min to a larger max, at most 10 steps")
            return 0.0
        steps = int(qs.max - qs.min) + 1
        if qs.points is None:
            maximum = float(qs.max - qs.min)
        elif not isinstance(qs.points, list) or len(qs.points) != steps:
            add(f"{where} > points", f"a scale's points are a list of {steps} numbers")
        elif any(p < 0 for p in qs.points):
            add(f"{where} > points", "points are 0 or more")
        else:
            maximum = max(qs.points)
    elif t == "yesno":
        if qs.points is None:
            maximum = 0.0
        elif not isinstance(qs.points, dict) or not set(qs.points) <= {"yes", "no"}:
            add(f"{where} > points", "a yes/no question's points are {yes: N, no: N}")
        elif any(p < 0 for p in qs.points.values()):
            add(f"{where} > points", "points are 0 or more")
        else:
            maximum = max(qs.points.values(), default=0.0)
    elif t == "number":
        if qs.points is not None:
            add(f"{where} > points", "a number's points are given by bands")
        if qs.min is not None and qs.max is not None and not qs.min < qs.max:
            add(where, "min must be below max")
        limits = [b.at_least for b in qs.bands]
        if limits != sorted(set(limits)):
            add(f"{where} > bands", "bands go up: each at_least above the one before")
        maximum = max((b.points for b in qs.bands), default=0.0)
    elif t == "text":
        if qs.points is not None or qs.bands:
            add(f"{where} > points", "a text answer earns no points")
    if t != "number" and qs.bands:
        add(f"{where} > bands", "only a number question takes bands")
    if t not in ("scale", "number") and (qs.min is not None or qs.max is not None):
        add(where, f"a {t} question takes no min or max")
    return maximum


def _check_show_if(qs: QuestionSpec, earlier: dict[str, Question], where: str, add: Any) -> None:
    cond = qs.show_if
    assert cond is not None
    target = earlier.get(cond.question)
    if target is None:
        add(
            f"{where} > show_if",
            f"'{cond.question}' is not a question asked before this one",
        )
        return
    if (cond.in_ is None) == (cond.at_least is None):
        add(f"{where} > show_if", "give either 'in' (answers) or 'at_least' (a number)")
        return
    t = target.type
    if cond.at_least is not None:
        if t not in ("scale", "number"):
            add(f"{where} > show_if", f"at_least needs a number or scale, '{target.code}' is {t}")
        return
    assert cond.in_ is not None
    if t in ("single", "multiple"):
        allowed = {o.code for o in target.spec.options}
    elif t == "yesno":
        allowed = {"yes", "no"}
    elif t == "scale":
        allowed = {str(v) for v in target.scale_values()} if target.spec.min is not None else set()
    else:
        add(f"{where} > show_if", f"a {t} answer cannot be matched with 'in'")
        return
    for value in cond.in_:
        if value not in allowed:
            add(f"{where} > show_if", f"'{value}' is not an answer of '{target.code}'")
