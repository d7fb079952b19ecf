"""The site's side of ``dxscore.safefiles``: the configured limits, the checks a form
runs on a received file, and refusals in the person's language.

The limits themselves (and their environment variables) are documented in
``docs/security.md``; settings hold them as ``DXSCORE_UPLOAD_LIMITS`` (values and plans
spreadsheets, evidence size) and ``DXSCORE_DOSSIER_LIMITS`` (dossier files).
"""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils.translation import gettext as _

from dxscore import numbers, safefiles
from dxscore.safefiles import Limits, UnsafeFile
from dxscore.web.l10n import number_language


def upload_limits() -> Limits:
    return settings.DXSCORE_UPLOAD_LIMITS


def dossier_limits() -> Limits:
    return settings.DXSCORE_DOSSIER_LIMITS


def _n(x) -> str:
    """A number with the language's separators, grouped by thousands (100.000 in vi)."""
    value = float(f"{x:.3g}") if isinstance(x, float) and not x.is_integer() else int(x)
    return numbers.format_number(value, number_language())


def _kind(kind: str) -> str:
    kinds = {
        "an Excel workbook (.xlsx)": _("an Excel workbook (.xlsx)"),
        "a PDF document": _("a PDF document"),
        "a PNG image": _("a PNG image"),
        "a JPEG image": _("a JPEG image"),
        "a Parquet file": _("a Parquet file"),
        "a text file": _("a text file"),
        "a Word document (.docx)": _("a Word document (.docx)"),
        "an OpenDocument text (.odt)": _("an OpenDocument text (.odt)"),
        "an OpenDocument spreadsheet (.ods)": _("an OpenDocument spreadsheet (.ods)"),
    }
    return kinds.get(kind, kind)


def message(exc: UnsafeFile) -> str:
    """The refusal in the person's language, naming the limit."""
    p = dict(exc.params)
    limit = p.get("limit")
    if isinstance(limit, int | float):
        p["limit_mb"] = _n(limit / safefiles.MB)
        p["limit_kb"] = _n(limit / safefiles.KB)
        p["limit"] = _n(limit)
    if "kind" in p:
        p["kind"] = _kind(p["kind"])
    if p.get("where") == "file":
        p["where"] = _("the file")
    texts = {
        "size": _("the file is larger than %(limit_mb)s MB"),
        "type": _("the content of this file is not %(kind)s"),
        "damaged": _("the file is damaged or not a real %(kind)s file (%(detail)s)"),
        "entries": _("the file holds more than %(limit)s parts"),
        "unpacked": _("the file unpacks to more than %(limit_mb)s MB"),
        "ratio": _("a part of the file is packed more than %(limit)s times (%(part)s)"),
        "part": _("a part of the file unpacks to more than %(limit_mb)s MB (%(part)s)"),
        "rows": _("%(where)s has more than %(limit)s rows (empty rows count too)"),
        "columns": _("%(where)s has more than %(limit)s columns"),
        "cells": _("%(where)s spans more than %(limit)s cells (rows × columns)"),
        "cell_chars": _("%(where)s holds a cell longer than %(limit)s characters"),
        "tag": _("a part of the file has an XML tag longer than %(limit_mb)s MB (%(part)s)"),
        "dtd": _(
            "a part of the file declares a DTD or entities, which workbooks never do (%(part)s)"
        ),
        "seconds": _("reading the file took longer than %(limit)s seconds"),
        "line": _("line %(row)s is longer than %(limit_kb)s KB"),
        "yaml_nodes": _(
            "the YAML text expands to more than %(limit)s values (aliases count in full)"
        ),
        "yaml_depth": _("the YAML text nests more than %(limit)s levels deep"),
    }
    text = texts.get(exc.code)
    if text is None:
        return str(exc)
    try:
        return text % p
    except (KeyError, TypeError, ValueError):
        return str(exc)


def check_received(upload, limits: Limits, *, workbook: bool = True) -> None:
    """What a form checks on a received file before it is stored or queued: its size,
    that its content fits its extension, and for an ``.xlsx`` the zip's central
    directory (parts, declared unpacked sizes, ratios). Raises ``forms.ValidationError``
    with the refusal in the person's language. Reading the sheets checks the rest."""
    try:
        if limits.max_bytes and upload.size > limits.max_bytes:
            raise UnsafeFile("size", limit=limits.max_bytes)
        safefiles.sniff_file(upload.name, upload)
        if workbook and upload.name.lower().endswith((".xlsx", ".xlsm")):
            safefiles.check_zip(upload, limits)
    except UnsafeFile as exc:
        raise forms.ValidationError(message(exc)) from None
