"""The explanation page's table of raw values ("All raw values of this unit in this run")
and its downloads: one row per run input with where it came from (``selectors.Source``),
the same rows and words on the page, in the CSV and in the workbook. No cell is a
formula: CSV and XLSX go through ``dxscore.tables`` (``docs/security.md``)."""

from __future__ import annotations

import datetime as dt
import io

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook

from dxscore import figures
from dxscore.tables import append, csv_writer, workbook_bytes
from dxscore.web.scores.models import ScoreRun
from dxscore.web.scores.selectors import Source
from dxscore.web.sheets import style_header

FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}

# (key: the CSV header, label: the workbook's header)
COLUMNS = [
    ("unit", gettext_lazy("Unit code")),
    ("unit_name", gettext_lazy("Unit")),
    ("period", gettext_lazy("Period")),
    ("indicator", gettext_lazy("Indicator code")),
    ("indicator_name", gettext_lazy("Indicator")),
    ("value", gettext_lazy("Value in the run")),
    ("origin", gettext_lazy("Came from")),
    ("entered_by", gettext_lazy("Entered by")),
    ("entered_at", gettext_lazy("Entered at")),
    ("approved_by", gettext_lazy("Approved by")),
    ("approved_at", gettext_lazy("Approved at")),
    ("now", gettext_lazy("Today")),
    ("changed", gettext_lazy("Changed since the run")),
]

DATETIME = "yyyy-mm-dd hh:mm"


def _local(moment: dt.datetime | None) -> dt.datetime | None:
    """A moment in the workspace's time zone, to the minute, without its zone (what a
    spreadsheet holds)."""
    if moment is None:
        return None
    if timezone.is_aware(moment):
        moment = timezone.localtime(moment)
    return moment.replace(second=0, microsecond=0, tzinfo=None)


def row(source: Source) -> dict:
    """One input's cells, as the page shows them (people as ``Actor`` words)."""
    i = source.input
    return {
        "unit": i.unit.code,
        "unit_name": i.unit.name,
        "period": i.period.code,
        "indicator": i.indicator,
        "indicator_name": source.name,
        "value": i.value,
        "origin": source.origin,
        "entered_by": str(source.entered_by) if source.entered_by else "",
        "entered_at": _local(source.entered_at),
        "approved_by": str(source.approved_by) if source.approved_by else "",
        "approved_at": _local(source.approved_at),
        "now": source.now,
        "changed": _("yes") if source.changed else _("no"),
    }


def csv_bytes(sources: list[Source]) -> bytes:
    out = io.StringIO()
    writer = csv_writer(out, lineterminator="\n")
    writer.writerow([key for key, _label in COLUMNS])
    for source in sources:
        cells = row(source)
        writer.writerow(
            [
                "" if v is None else f"{v:%Y-%m-%d %H:%M}" if isinstance(v, dt.datetime) else v
                for v in (cells[key] for key, _label in COLUMNS)
            ]
        )
    return ("\ufeff" + out.getvalue()).encode("utf-8")  # the BOM lets Excel read UTF-8


def xlsx_bytes(run: ScoreRun, unit, sources: list[Source]) -> bytes:
    """The values on a first sheet; the run they were used by on a second."""
    wb = Workbook()
    ws = wb.active
    ws.title = _("values")[:31]
    append(ws, [str(label) for _key, label in COLUMNS])
    value_column = [key for key, _label in COLUMNS].index("value") + 1
    for n, source in enumerate(sources, start=2):
        cells = row(source)
        append(ws, [cells[key] for key, _label in COLUMNS])
        # the real number, shown by its kind (a rate as 96.8%: ``dxscore.figures``)
        fmt = figures.excel_format(source.figure)
        if fmt != "General":
            ws.cell(row=n, column=value_column).number_format = fmt
    for column in ws.iter_cols(min_row=2):
        for cell in column:
            if isinstance(cell.value, dt.datetime):
                cell.number_format = DATETIME
    style_header(ws, width=18, widths={"E": 36, "G": 32, "H": 36, "J": 36, "L": 32})
    about = wb.create_sheet(_("run")[:31])
    m = run.methodology
    for label, value in [
        (_("Unit"), f"{unit.name} ({unit.code})"),
        (_("Methodology"), f"{m.heading} ({m.code} v{m.version})"),
        (_("Period"), run.period.code),
        (_("Run"), run.number),
        (_("Methodology digest"), run.methodology_digest),
        (_("Input hash"), run.input_hash),
        (_("Computed at"), _local(run.created_at)),
        (_("Published at"), _local(run.published_at) if run.published_at else ""),
        (_("Note"), immutable_note()),
    ]:
        append(about, [label, value])
    for (cell,) in about.iter_rows(min_col=2, max_col=2):
        if isinstance(cell.value, dt.datetime):
            cell.number_format = DATETIME
    about.column_dimensions["A"].width = 22
    about.column_dimensions["B"].width = 90
    return workbook_bytes(wb)


def immutable_note() -> str:
    return _(
        "A run never changes: it keeps the numbers it was computed from. A value changed "
        "and approved again after the run is used by the next run, not by this one."
    )


def filename(run: ScoreRun, unit, fmt: str) -> str:
    stem = f"values-{run.methodology.code}-{run.period.code}-{run.number}-{unit.code}"
    return "".join(c if c.isascii() and (c.isalnum() or c in "._-") else "_" for c in stem) + (
        f".{fmt}"
    )
