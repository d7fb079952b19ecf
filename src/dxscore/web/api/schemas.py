"""What the API reads and writes. Field names are the platform's concepts (unit, period,
indicator, value, ...); units, periods and indicators are named by their codes."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from ninja import Field, Schema
from pydantic import BeforeValidator, ConfigDict, create_model

from dxscore import periods

MAX_BATCH = 10_000
CODE = r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$"
UnitCode = Annotated[str, Field(min_length=1, max_length=40, pattern=CODE)]
PeriodCode = Annotated[str, Field(max_length=10, pattern=periods.PATTERN.pattern)]
IndicatorCode = Annotated[str, Field(min_length=1, max_length=80)]


def _written_date(value):
    """Dates and times come written out (``2025-07-01``, ISO 8601): a bare number is not
    read as seconds since 1970, so ``valid_on=0`` is an error instead of 1970-01-01."""
    text = value.strip() if isinstance(value, str) else value
    if isinstance(text, int | float) and not isinstance(text, bool):
        raise ValueError("write the date out, such as 2025-07-01 (a number is not a date)")
    if isinstance(text, str) and text.lstrip("+-").replace(".", "", 1).isdigit():
        raise ValueError("write the date out, such as 2025-07-01 (a number is not a date)")
    return value


Day = Annotated[dt.date, BeforeValidator(_written_date)]
Moment = Annotated[dt.datetime, BeforeValidator(_written_date)]


class Strict(Schema):
    """Input schemas refuse fields they do not know: a typo is an error, not a no-op."""

    model_config = ConfigDict(extra="forbid")


def page_of(item: type[Schema], name: str) -> type[Schema]:
    """``{count, limit, offset, next, items}`` around ``item``."""
    return create_model(
        name,
        __base__=Schema,
        count=(int, Field(..., description="Items matching the filters, on all pages.")),
        limit=(int, ...),
        offset=(int, ...),
        next=(str | None, Field(None, description="Address of the next page, if any.")),
        items=(list[item], ...),
    )


# --- reference data ----------------------------------------------------------------------


class UnitFlowOut(Schema):
    key: str = Field(description="The other unit's key.")
    code: str
    name: str
    date: dt.date = Field(description="The effective date (first day of the new map).")
    kind: str = Field(description="merge, split, transfer, rename, reparent.")
    share: float = Field(description="The share of the earlier unit that went into the later.")


class UnitOut(Schema):
    code: str
    key: str = Field(
        description="Unique for all time: the code, with @first day for a unit that began "
        "on a recorded day (15@2025-07-01)."
    )
    name: str
    level: str
    parent: str | None = Field(None, description="Code of the parent unit.")
    parent_key: str | None = Field(None, description="Key of the parent unit.")
    depth: int
    valid_from: dt.date | None = None
    valid_to: dt.date | None = None
    predecessors: list[str] = Field(default_factory=list, description="Codes of replaced units.")
    successors: list[str] = Field(
        default_factory=list, description="Codes of the units this one went into."
    )
    came_from: list[UnitFlowOut] = Field(
        default_factory=list, description="Where its territory came from, with shares."
    )
    went_to: list[UnitFlowOut] = Field(
        default_factory=list, description="Where its territory went, with shares."
    )


class PeriodOut(Schema):
    code: str
    kind: Kind
    start: dt.date
    end: dt.date
    deadline: dt.date | None = None


class IndicatorOut(Schema):
    code: str
    name: str
    measure: str = Field(description="Unit of measure.")
    source: str


class MethodologyOut(Schema):
    id: int
    code: str
    version: str
    title: str
    purpose: str
    active: bool
    builtin: bool
    digest: str
    reporting_level: str | None = None
    uploaded_at: dt.datetime


class InputOut(Schema):
    code: str
    name: str
    measure: str
    low: float | None = None
    high: float | None = None
    required: bool
    kind: Literal["indicator", "denominator"]


class MethodologyDetail(MethodologyOut):
    inputs: list[InputOut]
    text: str = Field(description="The methodology file (YAML).")


# --- values ---------------------------------------------------------------------------


class ValueOut(Schema):
    unit: str
    indicator: str
    period: str
    value: float | None = None
    status: Literal["draft", "submitted", "approved", "returned"]
    comment: str
    evidence_link: str
    return_reason: str
    updated_at: dt.datetime
    updated_by: str | None = None
    submitted_at: dt.datetime | None = None
    submitted_by: str | None = None
    approved_at: dt.datetime | None = None
    approved_by: str | None = None


class ValueIn(Strict):
    unit: str = Field(max_length=40, description="Unit code.")
    indicator: str = Field(max_length=80, description="Indicator code.")
    period: str = Field(max_length=10, description="Period code: 2024, 2024Q3 or 2024-07.")
    value: float | None = Field(description="The number; null empties the value.")
    comment: str | None = Field(
        None, max_length=5000, description="Left as it is when absent; '' clears it."
    )
    evidence_link: str | None = Field(
        None, max_length=500, description="Left as it is when absent; '' clears it."
    )


class ValueBatch(Strict):
    methodology: str = Field(
        max_length=80,
        description="Methodology code: its active version (else its newest) checks the "
        "indicators and their valid ranges.",
    )
    version: str | None = Field(None, max_length=40, description="A specific version.")
    items: list[ValueIn] = Field(max_length=MAX_BATCH)


class ValueResult(Schema):
    index: int
    unit: str
    indicator: str
    period: str
    result: Literal["created", "updated", "unchanged"]
    status: str | None = Field(None, description="The value's status now (none: not stored).")


class ValueBatchResult(Schema):
    created: int
    updated: int
    unchanged: int
    items: list[ValueResult]


class WorkflowIn(Strict):
    methodology: str = Field(max_length=80)
    version: str | None = Field(None, max_length=40)
    period: str = Field(max_length=10)
    unit: str = Field(max_length=40)
    reason: str = Field("", max_length=2000, description="Required to return or reopen.")


class WorkflowResult(Schema):
    changed: int = Field(description="How many values changed status.")


# --- dossiers ----------------------------------------------------------------------------


class DossierStoreResult(Schema):
    batch: int | None = Field(None, description="The store's import number (lineage).")
    received: int
    new: int
    updated: int
    unchanged: int
    stale: int = Field(description="Older (updated_at) than what is stored: ignored.")
    duplicates: int = Field(description="Earlier versions of a dossier within the batch.")
    already_imported: bool = Field(description="The same batch was stored before: nothing changed.")
    warned: int = Field(0, description="Records stored with a warning (docs/dossiers.md).")
    warnings: dict[str, int] = Field(default_factory=dict, description="Records per warning.")


class DossierOut(Schema):
    dossier_id: str
    unit: str
    procedure: str
    service_level: str
    channel: str
    received_at: dt.datetime
    due_at: dt.datetime | None = None
    finished_at: dt.datetime | None = None
    status: str
    supplement_days: float
    has_fee: bool
    paid_online: bool
    result_electronic: bool
    digitised: bool
    reused_data: bool
    rating: int | None = None
    updated_at: dt.datetime | None = None


# --- public-service measures ---------------------------------------------------------------

Kind = Literal["month", "quarter", "year"]  # a period's kind (dxscore.periods.KINDS)


class MeasureOut(Schema):
    unit: str
    period: str = Field(description="Period code: 2024, 2024Q3 or 2024-07.")
    kind: Kind = Field(description="The period's kind: month, quarter or year.")
    measure: str = Field(description="The measure's code, e.g. received or on_time_rate.")
    value: float | None = Field(None, description="Null when the measure has no value.")


class ProcedureMeasureOut(Schema):
    unit: str
    procedure: str = Field(description="Procedure code.")
    procedure_name: str = Field(description="From the procedure catalogue; '' when unknown.")
    period: str = Field(description="Period code: 2024, 2024Q3 or 2024-07.")
    kind: Kind = Field(description="The period's kind: month, quarter or year.")
    received: int
    received_online: int
    finished: int
    finished_on_time: int
    open_at_end: int = Field(description="Open at the end of the period.")
    open_overdue: int = Field(description="Open at the end of the period and past due.")
    online_share: float | None = None
    full_online_share: float | None = None
    on_time_rate: float | None = None
    timeliness_rate: float | None = None
    avg_processing_days: float | None = None
    median_processing_days: float | None = None
    paid_online_share: float | None = None
    electronic_result_share: float | None = None
    digitised_share: float | None = None
    reuse_share: float | None = None
    satisfaction: float | None = None
    late: int = Field(
        description="Counted against timeliness: finished - finished_on_time + open_overdue."
    )


# --- score runs ----------------------------------------------------------------------------


class RunCoverageOut(Schema):
    units: int = Field(description="Units the run should rank.")
    complete: int = Field(description="... with a value of every input.")
    partial: int = Field(description="... with some values imputed or missing.")
    without_data: int = Field(description="... without any value (not ranked).")
    share: float = Field(description="Share of the values it should have that it has.")
    imputed_share: float = Field(description="Share of the indicator values ranked imputed.")
    threshold: float
    anyway: bool = Field(description="Published below the threshold.")
    missing_units: list[str] = Field(description="Codes of the units without data.")


class RunOut(Schema):
    id: int
    methodology: str
    methodology_version: str
    methodology_id: int
    period: str
    number: int
    input_hash: str
    methodology_digest: str
    created_at: dt.datetime
    created_by: str | None = None
    published: bool
    published_at: dt.datetime | None = None
    previous: int | None = None
    coverage: str | None = Field(
        None, description="Code of the unit whose subtree the run ranks; null: the whole workspace."
    )
    published_coverage: RunCoverageOut | None = Field(
        None, description="The run's coverage when it was published (null before)."
    )
    withdrawn: bool = Field(
        False, description="Withdrawn after publishing: no public page shows it."
    )
    withdrawn_at: dt.datetime | None = None
    withdrawal_reason: str = ""


class RunPublishIn(Strict):
    anyway: bool = Field(
        False,
        description="Publish although the run's coverage is below the threshold "
        "(DXSCORE_PUBLISH_MIN_COVERAGE); without it such a run is refused (422).",
    )


class RunWithdrawIn(Strict):
    reason: str = Field(min_length=1, max_length=2000, description="Why the run is withdrawn.")


class RunIn(Strict):
    methodology: str = Field(max_length=80)
    version: str | None = Field(None, max_length=40)
    period: str = Field(max_length=10)


class ScoreOut(Schema):
    unit: str
    node: str
    name: str = Field("", description="the node's name in the answer's language (lang)")
    kind: str
    score: float | None = None
    rank: int | None = None
    points: float | None = None


# --- plans ----------------------------------------------------------------------------


class PillarOut(Schema):
    code: str
    name: str
    translations: dict[str, str] = Field({}, description="the name in other languages")


class ResolutionOut(Schema):
    id: int
    unit: str
    code: str
    title: str
    translations: dict[str, str] = Field({}, description="the title in other languages")
    issuer: str
    issued_on: dt.date
    horizon: str
    description: str
    pillars: list[PillarOut]


class TargetOut(Schema):
    id: int
    resolution: int
    number: int
    pillar: str | None = None
    title: str
    translations: dict[str, str] = Field({}, description="the title in other languages")
    unit: str
    indicator: str | None = None
    comparison: str
    value: float | None = None
    deadline: str
    baseline: float | None = None
    baseline_period: str
    status: Literal["met", "on_track", "at_risk", "missed", "no_data"] = Field(
        description="Computed from approved values, never typed in."
    )
    reason: str
    latest_value: float | None = None
    latest_period: str | None = None


class TaskOut(Schema):
    id: int
    resolution: int
    number: int
    title: str
    translations: dict[str, str] = Field({}, description="the title in other languages")
    description: str
    owner: str
    cooperating: list[str]
    assignees: list[str]
    start: dt.date | None = None
    deadline: dt.date
    expected_result: str
    process_notes: str
    targets: list[int]
    percent: int
    status: Literal["not_started", "in_progress", "done", "overdue", "cancelled"]
    done_on: dt.date | None = None
    cancelled_on: dt.date | None = None
    on_time: bool


class ProgressOut(Schema):
    id: int
    task: int
    reported_on: dt.date
    percent: int
    text: str
    evidence_link: str
    reported_by: str | None = None
    created_at: dt.datetime


class ProgressIn(Strict):
    percent: int = Field(ge=0, le=100)
    text: str = Field(min_length=1, max_length=5000, description="What was done.")
    reported_on: Day | None = Field(None, description="Default today; never in the future.")
    evidence_link: str = Field("", max_length=500)


UnitPage = page_of(UnitOut, "UnitPage")
PeriodPage = page_of(PeriodOut, "PeriodPage")
IndicatorPage = page_of(IndicatorOut, "IndicatorPage")
MethodologyPage = page_of(MethodologyOut, "MethodologyPage")
ValuePage = page_of(ValueOut, "ValuePage")
DossierPage = page_of(DossierOut, "DossierPage")
MeasurePage = page_of(MeasureOut, "MeasurePage")
ProcedureMeasurePage = page_of(ProcedureMeasureOut, "ProcedureMeasurePage")
RunPage = page_of(RunOut, "RunPage")
ScorePage = page_of(ScoreOut, "ScorePage")
ResolutionPage = page_of(ResolutionOut, "ResolutionPage")
TargetPage = page_of(TargetOut, "TargetPage")
TaskPage = page_of(TaskOut, "TaskPage")
ProgressPage = page_of(ProgressOut, "ProgressPage")
