"""Contests in Excel: the question bank down and up again, and participation per unit.
An upload is checked whole first (a preview listing every new and changed question and
every problem by sheet, row and column; nothing stored), then committed all or nothing
after the file is checked again against its preview, as the inspections' plans are
(``inspections/excel.py``). Questions are matched by code; rows missing from the file
are left as they are. No download holds a formula (``dxscore.tables``)."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _
from openpyxl import Workbook

from dxscore.tables import append, workbook_bytes
from dxscore.web.contests.models import Answer, Contest, Option, Question, QuestionUpload
from dxscore.web.sheets import (
    FileProblem,
    Sheet,
    cell_text,
    problem_order,
    read_sheets,
    style_header,
)

OPTIONS = 6
COLUMNS = [
    "code",
    "category",
    "difficulty",
    "kind",
    "points",
    "text",
    *[f"option_{n}" for n in range(1, OPTIONS + 1)],
    "correct",
    "explanation",
]
REQUIRED = ("code", "category", "text", "option_1", "option_2", "correct")
SHEET = "questions"


def export(contest: Contest) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = SHEET
    append(ws, COLUMNS)
    for q in contest.questions.prefetch_related("options"):
        options = list(q.options.all())
        texts = [o.text for o in options] + [""] * (OPTIONS - len(options))
        correct = ",".join(str(n) for n, o in enumerate(options, start=1) if o.correct)
        append(
            ws,
            [
                q.code,
                q.category,
                q.difficulty,
                q.kind,
                q.points,
                q.text,
                *texts,
                correct,
                q.explanation,
            ],
        )
    style_header(ws, 16, {"F": 60})
    return workbook_bytes(wb)


def participation_workbook(contest: Contest, rows) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "participation"
    append(ws, ["unit", "name", "participants", "staff_or_population", "rate", "mean_score_share"])
    for unit, p in rows:
        append(ws, [unit.code, unit.name, p.participants, p.size, p.rate, p.mean_share])
    style_header(ws, 16, {"B": 40})
    return workbook_bytes(wb)


def _small(text: str, low: int, high: int) -> int | None:
    return int(text) if text.isdigit() and low <= int(text) <= high else None


def check(table: Sheet, contest: Contest) -> tuple[list[dict], list[tuple[str, str]]]:
    problems: list[tuple[str, str]] = []
    missing = [c for c in REQUIRED if c not in table.header]
    if missing:
        return [], [
            (
                f"sheet '{table.sheet}', row 1",
                _("missing column(s): %(c)s") % {"c": ", ".join(missing)},
            )
        ]
    for line, c in table.formulas:
        problems.append((table.where(line, c), _("formulas are not accepted: type the value")))
    col = {name: i for i, name in enumerate(table.header) if name}
    existing = {q.code: q for q in contest.questions.prefetch_related("options")}
    used = set(
        Answer.objects.filter(question__contest=contest)
        .values_list("question__code", flat=True)
        .distinct()
    )
    seen: dict[str, int] = {}
    changes = []
    for line, values in table.rows:

        def cell(name, values=values):
            i = col.get(name)
            return cell_text(values[i]) if i is not None and i < len(values) else ""

        def problem(name, message, line=line):
            problems.append((table.where(line, col.get(name)), message))

        before = len(problems)
        code = cell("code")
        if not code or len(code) > 40:
            problem("code", _("the code is missing or longer than 40 characters"))
        elif code in seen:
            problem("code", _("question %(c)s is also in row %(r)d") % {"c": code, "r": seen[code]})
        else:
            seen[code] = line
        text = cell("text")
        if not text:
            problem("text", _("the question is missing"))
        elif len(text) > 2000:
            problem("text", _("the question is longer than 2000 characters"))
        category = cell("category")
        if not category or len(category) > 60:
            problem("category", _("the category is missing or longer than 60 characters"))
        difficulty = _small(cell("difficulty") or "1", 1, 3)
        if difficulty is None:
            problem("difficulty", _("the difficulty is 1, 2 or 3"))
        points = _small(cell("points") or "1", 1, 100)
        if points is None:
            problem("points", _("the points are a whole number from 1 to 100"))
        kind = cell("kind") or "single"
        if kind not in ("single", "multiple"):
            problem("kind", _("the kind is single or multiple"))
        options = [cell(f"option_{n}") for n in range(1, OPTIONS + 1)]
        while options and not options[-1]:
            options.pop()
        if len(options) < 2 or not all(options):
            problem("option_1", _("give at least two options, with no gap between them"))
        if any(len(o) > 500 for o in options):
            problem("option_1", _("an option is longer than 500 characters"))
        marks = [m.strip() for m in cell("correct").replace(";", ",").split(",") if m.strip()]
        correct = sorted({int(m) for m in marks if m.isdigit()})
        if (
            not correct
            or len(correct) != len(marks)
            or any(not 1 <= n <= len(options) for n in correct)
        ):
            problem("correct", _("name the correct options by number, such as 2 or 1,3"))
        elif kind == "single" and len(correct) != 1:
            problem("correct", _("a single-choice question has exactly one correct option"))
        if len(problems) > before:
            continue
        fields = {
            "category": category,
            "difficulty": difficulty,
            "kind": kind,
            "points": points,
            "text": text,
            "options": options,
            "correct": correct,
            "explanation": cell("explanation")[:2000],
        }
        old = existing.get(code)
        was = None
        if old is not None:
            opts = list(old.options.all())
            was = {
                "category": old.category,
                "difficulty": old.difficulty,
                "kind": old.kind,
                "points": old.points,
                "text": old.text,
                "options": [o.text for o in opts],
                "correct": [n for n, o in enumerate(opts, start=1) if o.correct],
                "explanation": old.explanation,
            }
            if code in used and (was["options"], was["correct"], was["kind"]) != (
                options,
                correct,
                kind,
            ):
                problem(
                    "code",
                    _(
                        "question %(c)s has been answered: its options cannot change; "
                        "give it a new code"
                    )
                    % {"c": code},
                )
                continue
        changed = [k for k in fields if was is None or was[k] != fields[k]]
        if was is None or changed:
            changes.append(
                {
                    "row": line,
                    "code": code,
                    "action": "new" if was is None else "change",
                    "changed": changed if was else [],
                    "fields": fields,
                }
            )
    problems.sort(key=lambda p: problem_order(p[0]))
    return changes, problems


def read(data: bytes) -> Sheet:
    tables = read_sheets(data, lambda names: [SHEET] if SHEET in names else names[:1])
    if not tables:
        raise FileProblem([("file", _("the workbook has no sheet"))])
    return next(iter(tables.values()))


def preview(file, contest: Contest, user) -> QuestionUpload:
    data = file.read()
    try:
        changes, problems = check(read(data), contest)
    except FileProblem as exc:
        changes, problems = [], exc.problems
    file.seek(0)
    upload = QuestionUpload(
        contest=contest,
        filename=file.name[:255],
        rows=changes,
        problems=[list(p) for p in problems],
        uploaded_by=user,
        state=QuestionUpload.State.REJECTED if problems else QuestionUpload.State.PREVIEW,
    )
    upload.file.save(file.name, file, save=False)
    upload.save()
    return upload


class UploadError(ValueError):
    pass


def commit(upload: QuestionUpload, user) -> int:
    """Store every change of a previewed upload, or none."""
    with transaction.atomic():
        locked = QuestionUpload.objects.select_for_update().get(pk=upload.pk)
        if locked.uploaded_by_id != user.pk:
            raise UploadError(_("Only the person who uploaded the file can commit it."))
        if locked.state != QuestionUpload.State.PREVIEW:
            raise UploadError(_("This upload cannot be committed any more."))
        with locked.file.open("rb") as f:
            changes, problems = check(read(f.read()), locked.contest)
        if problems or changes != locked.rows:
            raise UploadError(_("The bank changed since the preview; upload the file again."))
        for change in changes:
            f = change["fields"]
            q = Question.objects.filter(contest=locked.contest, code=change["code"]).first()
            q = q or Question(contest=locked.contest, code=change["code"])
            for name in ("category", "difficulty", "kind", "points", "text", "explanation"):
                setattr(q, name, f[name])
            q.save()
            opts = [o.text for o in q.options.all()]
            right = [n for n, o in enumerate(q.options.all(), start=1) if o.correct]
            if (opts, right) != (f["options"], f["correct"]):
                q.options.all().delete()
                Option.objects.bulk_create(
                    Option(question=q, number=n, text=t, correct=n in f["correct"])
                    for n, t in enumerate(f["options"], start=1)
                )
        locked.state = QuestionUpload.State.COMMITTED
        locked.save(update_fields=["state"])
        return len(changes)
