"""The assistant's pages: ask (staff), a procedure's page, feedback, and the library's
management (administrators and the steering office: upload, preview, commit; feedback and
unanswered questions). The questions and answers are never written to the logs."""

from __future__ import annotations

import hashlib
import re
import shutil
import uuid
from pathlib import Path
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from dxscore.assistant import text
from dxscore.errors import Problems
from dxscore.web.assistant import library as lib
from dxscore.web.assistant import retention
from dxscore.web.assistant.forms import LibraryUploadForm
from dxscore.web.assistant.models import Asked, Feedback
from dxscore.web.dossierdata.models import ProcedureMeasure
from dxscore.web.orgs import scope
from dxscore.web.orgs.models import Unit

MAX_QUESTION = 500


def highlight(passage: str, question: str) -> list[tuple[str, bool]]:
    """The passage as (text, marked) pieces: words of the question (folded) marked."""
    wanted = {w for w in text.syllables(question) if len(w) > 1} - _COMMON
    pieces: list[tuple[str, bool]] = []
    for part in re.split(r"(\w+)", passage):
        marked = bool(part) and text.fold(part) in wanted
        if pieces and pieces[-1][1] == marked:
            pieces[-1] = (pieces[-1][0] + part, marked)
        elif part:
            pieces.append((part, marked))
    return pieces


_COMMON = {"thu", "tuc", "cho", "cua", "va", "la", "co", "can", "gi", "the", "nao", "toi"}


def field_labels() -> dict[str, str]:
    return {
        "documents": _("Documents of the dossier"),
        "processing_time": _("Processing time"),
        "fee": _("Fee"),
        "agency": _("Agency"),
        "legal_basis": _("Legal basis"),
        "steps": _("Steps"),
        "result": _("Result"),
    }


KEPT_IN_SESSION = 50


def _first_showing(request, question: str) -> bool:
    """Whether this session shows the declined ``question`` for the first time. The page
    is shown again after feedback (its redirect), a change of language or a reload; the
    question is kept for the administrators once. The session holds a digest of the
    folded question, not the question."""
    digest = hashlib.sha256(" ".join(text.syllables(question)).encode()).hexdigest()[:16]
    shown = request.session.get("assistant_declined", [])
    if digest in shown:
        return False
    request.session["assistant_declined"] = [*shown, digest][-KEPT_IN_SESSION:]
    return True


@login_required
def ask(request):
    if not lib.may_ask(request.user):
        raise PermissionDenied
    question = request.GET.get("q", "").strip()[:MAX_QUESTION]
    answer = None
    library = lib.library()
    if question:
        answer = library.ask(question, can_see=lib.can_see(request.user))
        if not answer.found and _first_showing(request, question):
            best = answer.candidates[0] if answer.candidates else None
            Asked.objects.create(
                question=question,
                best=best.procedure if best else "",
                score=best.score if best else 0.0,
            )
            retention.purge()
    items = []
    labels = field_labels()
    for item in answer.answers if answer else []:
        items.append(
            {
                "item": item,
                "pieces": highlight(item.passage, question),
                "field_label": labels.get(item.field or "", ""),
                "value_list": item.value if isinstance(item.value, list) else None,
                "url": reverse("assistant:procedure", args=[item.procedure]),
            }
        )
    return render(
        request,
        "assistant/ask.html",
        {
            "question": question,
            "answer": answer,
            "items": items,
            "empty": not library.procedures,
            "may_manage": lib.may_manage(request.user),
        },
    )


@login_required
@require_POST
def feedback(request):
    if not lib.may_ask(request.user):
        raise PermissionDenied
    question = request.POST.get("question", "").strip()[:MAX_QUESTION]
    helpful = request.POST.get("helpful")
    if question and helpful in ("1", "0"):
        Feedback.objects.create(
            question=question,
            procedure=request.POST.get("procedure", "")[:64],
            helpful=helpful == "1",
        )
        retention.purge()
        messages.success(request, _("Thank you: your feedback helps improve the library."))
    return redirect(f"{reverse('assistant:ask')}?{urlencode({'q': question})}")


def _measures(user, code: str):
    """The procedure's latest yearly dossier measures at the top unit the person views."""
    root = scope.scope_root(user, scope.VIEW)
    rows = ProcedureMeasure.objects.filter(procedure=code, kind="year")
    if isinstance(root, Unit):
        rows = rows.filter(unit=root)
    elif root == scope.EVERYWHERE:
        rows = rows.order_by("unit__path")
    else:
        return None
    first = rows.select_related("unit").order_by("unit__path", "-period").first()
    if first is None:
        return None
    from dxscore.web.dashboards.public_services import add_points_lost

    counted = sum(
        r.finished + r.open_at_end
        for r in ProcedureMeasure.objects.filter(unit=first.unit, kind="year", period=first.period)
    )
    row = {f: getattr(first, f) for f in (*ProcedureMeasure.COUNTS, *ProcedureMeasure.RATES)}
    add_points_lost(row, counted)
    link = reverse("dash_services_procedure", args=[code])
    return {
        "unit": first.unit,
        "period": first.period,
        "row": row,
        "url": f"{link}?unit={first.unit.code}&kind=year&period={first.period}",
    }


@login_required
def procedure(request, code: str):
    if not lib.may_ask(request.user):
        raise PermissionDenied
    library = lib.library()
    p = library.procedures.get(code)
    if p is None:
        raise Http404
    see = lib.can_see(request.user)
    documents = [d for d in library.documents.values() if d.procedure == code and see(d.scope)]
    labels = field_labels()
    fields = []
    for key in ("agency", "documents", "processing_time", "fee", "legal_basis", "steps", "result"):
        value = getattr(p, key)
        if value:
            fields.append((labels[key], value if isinstance(value, list) else None, value))
    return render(
        request,
        "assistant/procedure.html",
        {
            "p": p,
            "fields": fields,
            "documents": documents,
            "measures": _measures(request.user, code),
        },
    )


def _pending_root() -> Path:
    return Path(settings.HOME) / "assistant-pending"


@login_required
def manage(request):
    if not lib.may_manage(request.user):
        raise PermissionDenied
    library = lib.library()
    form = LibraryUploadForm()
    preview = problems = None
    token = ""
    if request.method == "POST" and request.POST.get("commit"):
        token = request.POST.get("token", "")
        pending = request.session.get("assistant_pending", {})
        entry = pending.get(token)
        if not entry:
            messages.error(request, _("Nothing to commit: upload the file again."))
            return redirect("assistant:manage")
        folder = _pending_root() / token
        try:
            done = library.import_files(
                [folder / entry["stored"]],
                procedure=entry["procedure"] or None,
                scope=entry["scope"],
                names=[entry["name"]],
            )
        except Problems as exc:
            problems = exc.problems
        else:
            messages.success(
                request,
                _("%(a)s, %(u)s, %(d)s.")
                % {
                    "a": ngettext(
                        "%(n)d procedure added", "%(n)d procedures added", len(done.added)
                    )
                    % {"n": len(done.added)},
                    "u": ngettext("%(n)d updated", "%(n)d updated", len(done.updated))
                    % {"n": len(done.updated)},
                    "d": ngettext(
                        "%(n)d document stored", "%(n)d documents stored", len(done.documents)
                    )
                    % {"n": len(done.documents)},
                },
            )
            lib.forget()
            shutil.rmtree(folder, ignore_errors=True)
            pending.pop(token, None)
            request.session["assistant_pending"] = pending
            return redirect("assistant:manage")
    elif request.method == "POST":
        form = LibraryUploadForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            code = form.cleaned_data["scope"].strip()
            if code and not Unit.objects.filter(code=code).exists():
                form.add_error("scope", _("No unit has this code."))
            else:
                token = uuid.uuid4().hex
                folder = _pending_root() / token
                folder.mkdir(parents=True, exist_ok=True)
                name = Path(upload.name).name[:200]
                stored = "upload" + Path(name).suffix.lower()
                with open(folder / stored, "wb") as f:
                    for chunk in upload.chunks():
                        f.write(chunk)
                try:
                    procedures, documents = library.read_files(
                        [folder / stored],
                        procedure=form.cleaned_data["procedure"].strip() or None,
                        scope=code,
                        names=[name],
                    )
                except Problems as exc:
                    problems = exc.problems
                    shutil.rmtree(folder, ignore_errors=True)
                    token = ""
                else:
                    preview = {
                        "summary": library.preview(procedures, documents),
                        "procedures": procedures[:20],
                        "documents": documents,
                        "name": name,
                    }
                    pending = request.session.get("assistant_pending", {})
                    pending[token] = {
                        "stored": stored,
                        "name": name,
                        "procedure": form.cleaned_data["procedure"].strip(),
                        "scope": code,
                    }
                    request.session["assistant_pending"] = pending
    return render(
        request,
        "assistant/manage.html",
        {
            "form": form,
            "preview": preview,
            "problems": problems,
            "token": token,
            "procedures": len(library.procedures),
            "documents": sorted(library.documents.values(), key=lambda d: d.name),
            "feedback": Feedback.objects.all()[:50],
            "unanswered": Asked.objects.all()[:50],
            "store": lib.folder(),
        },
    )
