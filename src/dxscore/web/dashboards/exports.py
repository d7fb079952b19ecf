"""Downloads of a page's table: CSV, JSON and a formatted Excel workbook (the table, the
methodology, and where the numbers come from). No cell of a download is a formula:
CSV and XLSX go through ``dxscore.tables`` (``docs/security.md``)."""

from __future__ import annotations

import datetime as dt
import io
import json

from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment
from openpyxl.utils import get_column_letter

from dxscore import figures
from dxscore.tables import append, csv_writer, workbook_bytes
from dxscore.web.dashboards.tables import CHANGE, DAYS, DELTA, RANK, Table, figure_kind
from dxscore.web.sheets import style_header

FORMATS = ("csv", "xlsx", "json")


def csv_bytes(table: Table) -> bytes:
    out = io.StringIO()
    writer = csv_writer(out, lineterminator="\n")
    writer.writerow([c.key for c in table.columns])
    for row in table.rows:
        writer.writerow([_text(v) for v in _cells(table, row)])
    return ("\ufeff" + out.getvalue()).encode("utf-8")  # the BOM lets Excel read UTF-8


def _local(value):
    """A moment as the workspace's clock read it (``TIME_ZONE``), without a zone: Excel
    has none, and a CSV or workbook reader takes the time as written."""
    if isinstance(value, dt.datetime) and timezone.is_aware(value):
        return timezone.localtime(value).replace(tzinfo=None)
    return value


def _cells(table: Table, row: dict) -> list:
    return [_local(v) for v in table.values(row)]


def _text(value):
    """A CSV cell: dates and times in ISO 8601 (to the minute), numbers as Python writes
    them (a point as decimal separator), nothing for a missing value."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return f"{value:%Y-%m-%d %H:%M}"
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _json_default(value):
    if isinstance(value, dt.datetime) and timezone.is_aware(value):
        return timezone.localtime(value).isoformat()  # with the workspace's offset
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON")


def json_bytes(table: Table) -> bytes:
    payload = {
        "title": table.title,
        "meta": table.meta,
        "columns": [{"key": c.key, "label": str(c.label), "kind": c.kind} for c in table.columns],
        "rows": [{c.key: row.get(c.key) for c in table.columns} for row in table.rows],
    }
    return json.dumps(payload, ensure_ascii=False, indent=1, default=_json_default).encode("utf-8")


def _score_format(decimals: int) -> str:
    return figures.excel_format(figures.SCORE, decimals)


def number_format(kind: str | None, decimals: int = 4) -> str | None:
    """The Excel number format of a cell of a column (or row) kind: the figure's rule
    (``dxscore.figures.excel_format``: ``0.0%`` for a rate, the methodology's decimals for
    a score), the cell keeping the real number; ``None`` for text."""
    if kind == DELTA:
        return "+" + _score_format(decimals) + ";-" + _score_format(decimals)
    if kind == RANK:
        return "0"
    if kind == CHANGE:
        return "+0;-0;0"
    if kind == DAYS:
        return "0.0"
    if kind == "datetime":
        return "yyyy-mm-dd hh:mm"
    shown = figure_kind(kind)
    if shown is None:
        return None
    return figures.excel_format(shown, decimals if shown == figures.SCORE else None)


def xlsx_bytes(table: Table, methodology=None, decimals: int = 4, notes: list[str] = ()) -> bytes:
    """The table on a formatted first sheet (header row, frozen, filters, number
    formats, widths); then the methodology's nodes and the run's provenance."""
    wb = Workbook()
    ws = wb.active
    ws.title = table.name.split("-")[0][:31] or "table"
    append(ws, [str(c.label) for c in table.columns])
    for cell in ws[1]:
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for row in table.rows:
        append(ws, _cells(table, row))
    for j, col in enumerate(table.columns, start=1):
        letter = get_column_letter(j)
        column_format = number_format(col.kind, decimals)
        for (cell,), row in zip(
            ws.iter_rows(min_row=2, min_col=j, max_col=j), table.rows, strict=True
        ):
            own = row.get(f"{col.key}_kind")  # a cell of its own kind (a raw value)
            fmt = number_format(own, decimals) if own else column_format
            if fmt:
                cell.number_format = fmt
        width = max(
            [len(str(col.label))]
            + [
                len(str(v or ""))
                for v in (r.get(col.key) for r in table.rows[:200])
                if not isinstance(v, float)
            ]
        )
        ws.column_dimensions[letter].width = min(max(8, width + 2), 40)
    style_header(ws, width=None)
    if table.rows:
        ws.auto_filter.ref = f"A1:{get_column_letter(len(table.columns))}{len(table.rows) + 1}"

    if methodology is not None:
        ms = wb.create_sheet(_("methodology")[:31])
        append(
            ms,
            [
                _("Code"),
                _("Name"),
                _("Kind"),
                _("Parent"),
                _("Weight"),
                _("Maximum points"),
                _("Normalisation"),
                _("Aggregation"),
                _("Description"),
            ],
        )
        for code, node in methodology.nodes.items():
            spec = node.spec
            norm = getattr(spec, "normalisation", None)
            agg = getattr(spec, "aggregation", None)
            append(
                ms,
                [
                    code,
                    node.name,
                    "index" if node.parent is None and code == "index" else node.kind,
                    node.parent
                    or ", ".join(p for p, n in methodology.nodes.items() if code in n.children),
                    spec.weight,
                    spec.max_points,
                    getattr(norm, "method", "") if norm is not None else "",
                    getattr(agg, "method", "") if agg is not None else "",
                    node.help,
                ],
            )
        widths = dict(zip("ABCDEFGHI", (22, 44, 11, 22, 8, 9, 14, 12, 60), strict=True))
        style_header(ms, width=None, widths=widths)

    about = wb.create_sheet(_("about")[:31])
    append(about, [_("Title"), table.title])
    for key, value in table.meta.items():
        append(
            about,
            [
                key,
                json.dumps(value, ensure_ascii=False) if isinstance(value, dict | list) else value,
            ],
        )
    for note in notes:
        append(about, [_("Note"), note])
    about.column_dimensions["A"].width = 22
    about.column_dimensions["B"].width = 90
    return workbook_bytes(wb)


CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "json": "application/json",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def download(table: Table, fmt: str, methodology=None, decimals: int = 4, notes=()) -> HttpResponse:
    if fmt == "csv":
        body = csv_bytes(table)
    elif fmt == "json":
        body = json_bytes(table)
    else:
        body = xlsx_bytes(table, methodology, decimals, notes)
    response = HttpResponse(body, content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="{table.name}.{fmt}"'
    return response
