"""The dossier record format: columns, their kinds and rules, and the stored Arrow schema.

One table describes every column once; the validator, the store, the docs and the
synthetic generator all read it, so a rule lives in one place.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyarrow as pa

from dxscore.texts import LANGUAGES

SERVICE_LEVELS = ("full", "partial", "offline")
ONLINE_LEVELS = ("full", "partial")
CHANNELS = ("online", "in_person", "post")
STATUSES = ("in_progress", "finished", "returned", "withdrawn")
FINISHED_STATUSES = ("finished", "returned")
TRUE_WORDS = ("true", "1", "yes")
FALSE_WORDS = ("false", "0", "no")

DEFAULT_TZ = "Asia/Ho_Chi_Minh"
# Timestamps outside this range are almost always typing or export errors.
MIN_YEAR, MAX_YEAR = 1970, 2099


@dataclass(frozen=True)
class Column:
    """One column of an input format.

    ``kind`` is one of text, enum, timestamp, number, bool, rating. ``required`` columns
    must be present in the file header and non-empty in every row.
    """

    name: str
    kind: str
    required: bool = False
    choices: tuple[str, ...] = ()
    default: bool | float | str | None = None
    help: str = ""


DOSSIER_COLUMNS: tuple[Column, ...] = (
    Column("dossier_id", "text", True, help="With unit, identifies a dossier."),
    Column("unit", "text", True, help="Code of the receiving unit."),
    Column("procedure", "text", True, help="Procedure code."),
    Column(
        "service_level",
        "enum",
        True,
        SERVICE_LEVELS,
        help="The procedure's online level at filing time.",
    ),
    Column("channel", "enum", True, CHANNELS, help="How the dossier was filed."),
    Column("received_at", "timestamp", True),
    Column("due_at", "timestamp", help="Promised return time; empty = no time limit."),
    Column(
        "finished_at",
        "timestamp",
        help="Required when status is finished or returned, empty when in_progress.",
    ),
    Column("status", "enum", True, STATUSES),
    Column(
        "supplement_days",
        "number",
        default=0.0,
        help="Days the applicant spent supplementing; not counted against the unit.",
    ),
    Column("has_fee", "bool", default=False),
    Column("paid_online", "bool", default=False),
    Column("result_electronic", "bool", default=False, help="An electronic result was issued."),
    Column("digitised", "bool", default=False, help="Input documents and result digitised."),
    Column("reused_data", "bool", default=False, help="A document was replaced by existing data."),
    Column("rating", "rating", help="Satisfaction rating, integer 1-5."),
    Column(
        "updated_at",
        "timestamp",
        help="When a dossier appears more than once, the latest updated_at wins.",
    ),
)

CATALOGUE_COLUMNS: tuple[Column, ...] = (
    Column("procedure", "text", True),
    Column("unit", "text", True, help="A unit whose competence includes the procedure."),
    Column("name", "text"),
    # the name in other languages, shown to readers of that language (dxscore.texts)
    *(Column(f"name_{lang}", "text", help=f"The name in '{lang}'.") for lang in LANGUAGES),
    Column("service_level", "enum", True, SERVICE_LEVELS),
    Column("has_fee", "bool", default=False),
    Column("online_payment_integrated", "bool", default=False),
)

KEY = ("unit", "dossier_id")
BATCH, ROW = "_batch", "_row"  # lineage: which import (file) and which row of it
WARNINGS = "_warnings"  # the codes of the warnings a stored record has (NULL: none)

# Processing or supplement times longer than this are almost always a wrong date.
PLAUSIBLE_DAYS = 730


@dataclass(frozen=True)
class WarningCheck:
    """A check that makes a record doubtful but countable: the record is stored with the
    warning's code (``--strict`` makes it an error in ``column`` instead)."""

    code: str
    column: str
    reason: str
    treatment: str  # how the measures count such a record (docs/dossiers.md)


WARNING_CHECKS: tuple[WarningCheck, ...] = (
    WarningCheck(
        "supplement_exceeds_processing",
        "supplement_days",
        "longer than the time from received_at to finished_at",
        "processing days are never below 0; on time by the rule as written "
        "(finished_at minus supplement_days <= due_at)",
    ),
    WarningCheck(
        "finished_before_received",
        "finished_at",
        "earlier than received_at",
        "processing days are never below 0; finished in the period of finished_at",
    ),
    WarningCheck(
        "due_before_received",
        "due_at",
        "earlier than received_at",
        "on time by the rule as written, so usually late",
    ),
    WarningCheck(
        "finished_in_future",
        "finished_at",
        "later than the time of the import",
        "finished in the period of finished_at; open until then",
    ),
    WarningCheck(
        "paid_online_without_fee",
        "paid_online",
        "paid online, but has_fee is false",
        "not counted as paid online (paid_online_share counts fee-bearing dossiers only)",
    ),
    WarningCheck(
        "processing_too_long",
        "finished_at",
        f"more than {PLAUSIBLE_DAYS} days after received_at",
        "counted as it is",
    ),
    WarningCheck(
        "supplement_too_long",
        "supplement_days",
        f"more than {PLAUSIBLE_DAYS} days",
        "counted as it is (processing days never below 0)",
    ),
)
WARNING_CODES = tuple(w.code for w in WARNING_CHECKS)

_ARROW_TYPES = {
    "text": pa.string(),
    "enum": pa.string(),
    "timestamp": pa.timestamp("us"),  # UTC instants, stored without a zone (see docs)
    "number": pa.float64(),
    "bool": pa.bool_(),
    "rating": pa.int8(),
}

_SQL_TYPES = {
    "text": "VARCHAR",
    "enum": "VARCHAR",
    "timestamp": "TIMESTAMP",
    "number": "DOUBLE",
    "bool": "BOOLEAN",
    "rating": "TINYINT",
}


def arrow_schema(
    columns: tuple[Column, ...], lineage: bool = True, warnings: bool = False
) -> pa.Schema:
    fields = [pa.field(c.name, _ARROW_TYPES[c.kind], nullable=not c.required) for c in columns]
    if lineage:
        fields += [pa.field(BATCH, pa.int32(), False), pa.field(ROW, pa.int64(), False)]
    if warnings:
        fields.append(pa.field(WARNINGS, pa.list_(pa.string())))
    return pa.schema(fields)


def sql_type(column: Column) -> str:
    return _SQL_TYPES[column.kind]


DOSSIER_SCHEMA = arrow_schema(DOSSIER_COLUMNS, warnings=True)
CATALOGUE_SCHEMA = arrow_schema(CATALOGUE_COLUMNS, lineage=False)
COLUMN_NAMES = tuple(c.name for c in DOSSIER_COLUMNS)
