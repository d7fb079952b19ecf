"""The statistical audit of a score run (``dxscore.index.audit``) for staff: computed by
the engine from the run's stored inputs and methodology version on each request (it
takes well under a second), shown as one table per section and downloadable as a
workbook with one sheet per section."""

from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook

from dxscore.index.audit import Audit, audit
from dxscore.tables import append, workbook_bytes
from dxscore.web.scores import runs
from dxscore.web.scores.models import ScoreRun
from dxscore.web.sheets import style_header

SECTIONS = {
    "units": (
        gettext_lazy("Data availability per unit"),
        gettext_lazy(
            "Share of the indicators with a reported value; units below the threshold are "
            "flagged (COINr and the JRC screen them out)."
        ),
    ),
    "indicators": (
        gettext_lazy("Data availability per indicator"),
        gettext_lazy("Share of the units with a reported value, and values equal to zero."),
    ),
    "correlations": (
        gettext_lazy("Correlations"),
        gettext_lazy(
            "Pearson and Spearman correlations of the scores: the children of each aggregate "
            "pair by pair, and each child with the aggregates above it. A negative "
            "correlation, or children so correlated that they repeat each other, is flagged."
        ),
    ),
    "cronbach": (
        gettext_lazy("Cronbach's alpha"),
        gettext_lazy(
            "Internal consistency of each aggregate's children (units with all of them); "
            "0.7 or more is usually read as consistent."
        ),
    ),
    "pca": (
        gettext_lazy("Principal components"),
        gettext_lazy(
            "Principal component analysis of each aggregate's standardised children: the "
            "share of their variance the first component explains; several eigenvalues "
            "above 1 suggest the aggregate measures more than one thing."
        ),
    ),
    "remove_one": (
        gettext_lazy("Remove one indicator"),
        gettext_lazy(
            "The index recomputed without each indicator in turn (the others of its "
            "aggregate share its weight, as for a missing value) and the rank shifts of "
            "the units."
        ),
    ),
}

COLUMNS = {
    "unit": gettext_lazy("Unit"),
    "name": gettext_lazy("Name"),
    "available": gettext_lazy("With a value"),
    "indicators": gettext_lazy("Indicators"),
    "share": gettext_lazy("Share"),
    "zeros": gettext_lazy("Zeros"),
    "below_threshold": gettext_lazy("Below the threshold"),
    "indicator": gettext_lazy("Indicator"),
    "parent": gettext_lazy("Aggregate"),
    "units": gettext_lazy("Units"),
    "kind": gettext_lazy("Pair"),
    "aggregate": gettext_lazy("Aggregate"),
    "a": gettext_lazy("Node"),
    "b": gettext_lazy("With"),
    "pearson": gettext_lazy("Pearson"),
    "spearman": gettext_lazy("Spearman"),
    "flag": gettext_lazy("Flag"),
    "children": gettext_lazy("Children"),
    "alpha": gettext_lazy("Alpha"),
    "first_share": gettext_lazy("First component's share"),
    "eigenvalues_above_1": gettext_lazy("Eigenvalues above 1"),
    "eigenvalues": gettext_lazy("Eigenvalues"),
    "median_abs_shift": gettext_lazy("Median rank shift"),
    "mean_abs_shift": gettext_lazy("Mean rank shift"),
    "max_abs_shift": gettext_lazy("Largest rank shift"),
    "units_moved": gettext_lazy("Units that move"),
}

WORDS = {
    "within": gettext_lazy("within the aggregate"),
    "across": gettext_lazy("with an aggregate above"),
    "negative": gettext_lazy("negative"),
    "collinear": gettext_lazy("collinear"),
    "several eigenvalues > 1": gettext_lazy("several eigenvalues above 1"),
}

NUMBERS = {"share", "pearson", "spearman", "alpha", "first_share", "mean_abs_shift"}
SHEET_NAMES = {
    "units": gettext_lazy("units"),
    "indicators": gettext_lazy("indicators"),
    "correlations": gettext_lazy("correlations"),
    "cronbach": gettext_lazy("alpha"),
    "pca": gettext_lazy("components"),
    "remove_one": gettext_lazy("remove one"),
}


@dataclass
class Section:
    key: str
    title: str
    help: str
    header: list[str]
    rows: list[list[object]]  # cells as shown (text, numbers rounded for the page)
    flagged: list[bool]  # per row: a flag or a unit/indicator below the threshold
    values: list[list[object]]  # cells for the workbook (numbers unrounded)
    numeric: list[bool]  # per column: numbers (right-aligned on the page)

    @property
    def lines(self) -> list[tuple[list[tuple[object, bool]], bool]]:
        """Per row: its cells, each with whether it is a number; and the row's flag."""
        return [
            (list(zip(row, self.numeric, strict=True)), flag)
            for row, flag in zip(self.rows, self.flagged, strict=True)
        ]

    @property
    def columns(self) -> list[tuple[str, bool]]:
        return list(zip(self.header, self.numeric, strict=True))


def run_audit(run: ScoreRun) -> Audit:
    result = runs.recompute_from_inputs(run)
    return audit(result.methodology, result.data, run.period.code)


def _word(value: object) -> object:
    if isinstance(value, str) and value:
        return ", ".join(str(WORDS.get(part, part)) for part in value.split(", "))
    return value


def _cell(value: object) -> object:
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, bool):
        return _("yes") if value else ""
    if hasattr(value, "item"):  # NumPy scalars
        return _cell(value.item())
    return _word(value)


def sections(result: Audit) -> list[Section]:
    out = []
    for key, frame in result.sections().items():
        title, help_text = SECTIONS[key]
        values = [[_cell(v) for v in row] for row in frame.itertuples(index=False)]
        shown = [
            [
                round(v, 3) if col in NUMBERS and isinstance(v, float) else v
                for col, v in zip(frame.columns, row, strict=True)
            ]
            for row in values
        ]
        if "flag" in frame.columns:
            flagged = [bool(f) for f in frame["flag"]]
        elif "below_threshold" in frame.columns:
            flagged = [bool(f) for f in frame["below_threshold"]]
        else:
            flagged = [False] * len(frame)
        header = [str(COLUMNS.get(c, c)) for c in frame.columns]
        numeric = [
            pd.api.types.is_numeric_dtype(frame[c]) and not pd.api.types.is_bool_dtype(frame[c])
            for c in frame.columns
        ]
        out.append(
            Section(key, str(title), str(help_text), header, shown, flagged, values, numeric)
        )
    return out


def workbook(run: ScoreRun, result: Audit) -> bytes:
    """One sheet per section, translated headers, numbers unrounded; and an about sheet."""
    wb = Workbook()
    first = wb.active
    for section in sections(result):
        ws = wb.create_sheet(str(SHEET_NAMES[section.key])[:31])
        append(ws, section.header)
        for row in section.values:
            append(ws, row)
        style_header(ws, 18)
    about = wb.create_sheet(_("about")[:31])
    append(about, [_("Methodology"), f"{run.methodology.heading} ({result.methodology})"])
    append(about, [_("Period"), result.period])
    append(about, [_("Run"), run.number])
    append(about, [_("Input hash"), run.input_hash])
    append(about, [_("Availability threshold"), result.threshold])
    append(about, [_("Collinear above"), result.collinear])
    about.column_dimensions["A"].width = 24
    about.column_dimensions["B"].width = 80
    if first is not None:
        wb.remove(first)
    return workbook_bytes(wb)
