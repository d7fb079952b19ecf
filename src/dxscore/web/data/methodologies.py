"""Storing methodology versions: validated by the engine, never changed once stored."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from dxscore import index as ix
from dxscore import safefiles, texts
from dxscore.errors import Problems
from dxscore.web.data.models import Indicator, Methodology
from dxscore.web.upload_limits import message as limit_message

MAX_METHODOLOGY_BYTES = 1024 * 1024


class MethodologyRejected(Problems):
    """The file cannot be stored; ``problems`` lists ``(where, message)`` pairs."""


def sync_indicators(m: ix.CompiledMethodology) -> None:
    """Make sure every input code of ``m`` has an indicator row (names filled once)."""
    known = set(
        Indicator.objects.filter(code__in=[*m.indicators, *m.denominators]).values_list(
            "code", flat=True
        )
    )
    new = []
    for code in m.indicators:
        if code not in known:
            spec = m.nodes[code].spec
            new.append(
                Indicator(code=code, name=texts.english(spec.name) or code, measure=spec.unit)
            )
    for code, den in m.denominators.items():
        if code not in known:
            new.append(Indicator(code=code, name=texts.english(den.name) or code, measure=den.unit))
    for ind in new:
        node = m.nodes.get(ind.code)
        ind.translations = texts.translations(
            node.spec.name if node else m.denominators[ind.code].name
        )
    Indicator.objects.bulk_create(new, ignore_conflicts=True)
    for code in known & set(m.indicators):  # translations added to a file reach old rows
        names = texts.translations(m.nodes[code].spec.name)
        if len(names) > 1:
            Indicator.objects.filter(code=code, translations={}).update(translations=names)


def indicator_rows(m: ix.CompiledMethodology) -> list[dict]:
    """The indicators of a compiled methodology as its pages list them: code, name, unit
    of measure, valid range, direction, parent and help."""
    rows = []
    for code in m.indicators:
        node = m.nodes[code]
        spec = node.spec
        rows.append(
            {
                "code": code,
                "name": node.name,
                "measure": spec.unit,
                "range": spec.range,
                "direction": spec.direction,
                "parent": node.parent,
                "help": texts.pick(spec.help),
            }
        )
    return rows


def store(text: str, user=None, purpose: str = "", source: str = "upload") -> Methodology:
    """Validate ``text`` with the engine and store it as a new version."""
    if len(text.encode("utf-8")) > MAX_METHODOLOGY_BYTES:
        raise MethodologyRejected([("file", _("larger than 1 MB"))])
    try:
        safefiles.check_yaml(text)  # no alias bomb or runaway nesting reaches the loader
    except safefiles.UnsafeFile as exc:
        raise MethodologyRejected([("file", limit_message(exc))]) from None
    try:
        m = ix.loads(text, source=source)
    except ix.MethodologyError as exc:
        raise MethodologyRejected(list(exc.problems)) from None
    existing = Methodology.objects.filter(code=m.id, version=m.version).first()
    if existing is not None:
        if existing.digest == m.digest:
            raise MethodologyRejected(
                [("version", _("%(label)s is already stored") % {"label": existing})]
            )
        raise MethodologyRejected(
            [
                (
                    "version",
                    _("%(label)s is already stored with other content: raise the version")
                    % {"label": existing},
                )
            ]
        )
    with transaction.atomic():
        sync_indicators(m)
        return Methodology.objects.create(
            code=m.id,
            version=m.version,
            title=texts.english(m.title_text),
            text=text,
            digest=m.digest,
            purpose=purpose or m.id,
            uploaded_by=user,
        )


def activate(methodology: Methodology) -> None:
    """Make ``methodology`` the one active version for its purpose."""
    with transaction.atomic():
        Methodology.objects.filter(purpose=methodology.purpose, active=True).exclude(
            pk=methodology.pk
        ).update(active=False)
        methodology.active = True
        methodology.save(update_fields=["active"])


def ensure_builtins(using: str = "default") -> None:
    """Store each built-in methodology once (active for its purpose if none is)."""
    for ref in ix.builtin_ids():
        m = ix.load(ref)
        stored = Methodology.objects.using(using).filter(code=m.id, version=m.version).first()
        if stored is not None:
            if stored.builtin and stored.text != m.text and stored.digest == m.digest:
                # the same computation with other words (translations added to the file,
                # docs/languages.md): the stored version takes the new text, so its runs,
                # old ones too, show the names in every language
                stored.text = m.text
                stored.title = texts.english(m.title_text)
                stored.save(update_fields=["text", "title"])
            sync_indicators(m)
            continue
        with transaction.atomic(using=using):
            sync_indicators(m)
            has_active = Methodology.objects.using(using).filter(purpose=m.id, active=True)
            Methodology.objects.using(using).create(
                code=m.id,
                version=m.version,
                title=texts.english(m.title_text),
                text=m.text,
                digest=m.digest,
                builtin=True,
                purpose=m.id,
                active=not has_active.exists(),
            )
