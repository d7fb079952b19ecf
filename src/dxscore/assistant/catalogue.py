"""The procedure catalogue: CSV, XLSX or JSON as exported from a procedures database.

Columns (``COLUMNS``): ``code,name,agency,level,field,documents,processing_time,fee,
legal_basis,steps,result``; ``code`` and ``name`` are required, the list columns
(``LIST_COLUMNS``) hold several items separated by ``; `` (a JSON file may give arrays).
Other columns are kept as extra fields. A mapping file (YAML ``columns: {theirs: ours}``)
renames another system's columns. Every problem names the file, the row and the column,
and a file with a problem gives nothing (``CatalogueError``).
"""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import asdict, dataclass
from dataclasses import field as _field
from pathlib import Path
from typing import Any

from dxscore import safefiles
from dxscore.errors import Problems

COLUMNS = (
    "code",
    "name",
    "agency",
    "level",
    "field",
    "documents",
    "processing_time",
    "fee",
    "legal_basis",
    "steps",
    "result",
)
REQUIRED = ("code", "name")
LIST_COLUMNS = ("documents", "legal_basis", "steps")
CATALOGUE_SUFFIXES = (".csv", ".xlsx", ".json")
CODE = re.compile(r"^[0-9A-Za-z][0-9A-Za-z.\-_/]{0,63}$")
MAX_TEXT = 20_000  # characters of one cell


class CatalogueError(Problems):
    """A catalogue (or mapping) file that cannot be imported; nothing of it is stored."""


@dataclass
class Procedure:
    code: str
    name: str
    agency: str = ""
    level: str = ""
    field: str = ""
    documents: list[str] = _field(default_factory=list)
    processing_time: str = ""
    fee: str = ""
    legal_basis: list[str] = _field(default_factory=list)
    steps: list[str] = _field(default_factory=list)
    result: str = ""
    extra: dict[str, str] = _field(default_factory=dict)
    source: str = ""  # the file it came from

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Procedure:
        return cls(**data)


def read_mapping(path: Path) -> dict[str, str]:
    """A mapping file: ``columns: {their column: our column}``."""
    import yaml

    text = path.read_text(encoding="utf-8")
    try:
        safefiles.check_yaml(text)
    except safefiles.UnsafeFile as exc:
        raise CatalogueError([(path.name, str(exc))]) from None
    try:
        data = yaml.safe_load(text) or {}
    except yaml.YAMLError as exc:
        raise CatalogueError([(path.name, f"not valid YAML: {exc}")]) from None
    columns = data.get("columns") if isinstance(data, dict) else None
    if not isinstance(columns, dict):
        raise CatalogueError([(path.name, "expected 'columns:' mapping their names to ours")])
    problems = []
    for theirs, ours in columns.items():
        if ours not in COLUMNS:
            problems.append((f"{path.name} columns.{theirs}", f"unknown column {ours!r}"))
    if problems:
        raise CatalogueError(problems)
    return {str(k).strip(): str(v) for k, v in columns.items()}


def _rows(path: Path, limits: safefiles.Limits) -> list[dict[str, Any]]:
    """The file's rows as dicts of raw cells (row numbers as a person sees them)."""
    suffix = path.suffix.lower()
    with path.open("rb") as f:
        safefiles.sniff_file(path.name, f)
    if suffix == ".xlsx":
        safefiles.check_xlsx(path, limits, sheets=lambda names: names[:1])
        from openpyxl import load_workbook

        wb = load_workbook(path, read_only=True, data_only=True)
        try:
            sheet = wb.worksheets[0]
            values = list(sheet.iter_rows(values_only=True))
        finally:
            wb.close()
        if not values:
            return []
        header = ["" if v is None else str(v).strip() for v in values[0]]
        return [
            {h: ("" if v is None else v) for h, v in zip(header, row, strict=False) if h}
            for row in values[1:]
        ]
    raw = path.read_bytes()
    text = raw.decode("utf-8-sig")
    if suffix == ".json":
        data = json.loads(text)
        if isinstance(data, dict):
            data = data.get("procedures", data.get("items"))
        if not isinstance(data, list) or not all(isinstance(r, dict) for r in data):
            raise CatalogueError([(path.name, "expected a list of procedures (objects)")])
        return data
    reader = csv.DictReader(io.StringIO(text, newline=""))
    if reader.fieldnames is None:
        return []
    if len(reader.fieldnames) > limits.max_columns:
        raise CatalogueError([(path.name, f"more than {limits.max_columns} columns")])
    rows = []
    for n, row in enumerate(reader):
        if n >= limits.max_rows:
            raise CatalogueError([(path.name, f"more than {limits.max_rows} rows")])
        rows.append({(k or "").strip(): v for k, v in row.items() if k is not None})
    return rows


def _split(value: Any) -> list[str]:
    if isinstance(value, list):
        return [str(v).strip() for v in value if str(v).strip()]
    return [part.strip() for part in str(value).split(";") if part.strip()]


def read_catalogue(
    path: Path,
    mapping: dict[str, str] | None = None,
    limits: safefiles.Limits = safefiles.UPLOADS,
) -> list[Procedure]:
    """Every procedure of one catalogue file, or ``CatalogueError`` with every problem."""
    path = Path(path)
    name = path.name
    if path.suffix.lower() not in CATALOGUE_SUFFIXES:
        raise CatalogueError([(name, "a catalogue is a .csv, .xlsx or .json file")])
    try:
        rows = _rows(path, limits)
    except safefiles.UnsafeFile as exc:
        raise CatalogueError([(name, str(exc))]) from None
    except (UnicodeDecodeError, json.JSONDecodeError, csv.Error) as exc:
        raise CatalogueError([(name, f"cannot be read: {exc}")]) from None
    rename = mapping or {}
    problems: list[tuple[str, str]] = []
    seen: dict[str, int] = {}
    procedures = []
    header_row = 1 if path.suffix.lower() != ".json" else 0
    if rows:
        present = {rename.get(k, k) for k in rows[0]}
        for col in REQUIRED:
            if col not in present:
                problems.append((f"{name} column {col}", "required column is missing"))
        if problems:
            raise CatalogueError(problems)
    for i, raw in enumerate(rows):
        row_no = i + 1 + header_row
        cells = {rename.get(k, k): v for k, v in raw.items()}
        where = f"{name} row {row_no}" if header_row else f"{name} item {row_no}"
        if all(str(v).strip() == "" for v in cells.values()):
            continue  # an empty line
        values: dict[str, Any] = {}
        extra: dict[str, str] = {}
        bad = False
        for key, value in cells.items():
            if value is None:
                value = ""
            if not isinstance(value, str | int | float | list):
                problems.append((f"{where} column {key}", "expected text"))
                bad = True
                continue
            text_len = (
                sum(len(str(v)) for v in value) if isinstance(value, list) else len(str(value))
            )
            if text_len > MAX_TEXT:
                problems.append((f"{where} column {key}", f"longer than {MAX_TEXT} characters"))
                bad = True
                continue
            if key in LIST_COLUMNS:
                values[key] = _split(value)
            elif key in COLUMNS:
                values[key] = str(value).strip()
            elif key:
                extra[key] = str(value).strip()
        code, title = values.get("code", ""), values.get("name", "")
        if not code:
            problems.append((f"{where} column code", "a procedure needs a code"))
            bad = True
        elif not CODE.match(code):
            problems.append((f"{where} column code", f"{code!r} is not a procedure code"))
            bad = True
        elif code in seen:
            problems.append((f"{where} column code", f"{code} is also on row {seen[code]}"))
            bad = True
        else:
            seen[code] = row_no
        if not title:
            problems.append((f"{where} column name", "a procedure needs a name"))
            bad = True
        if not bad:
            procedures.append(Procedure(**values, extra=extra, source=name))
    if problems:
        raise CatalogueError(problems)
    return procedures


def is_catalogue(path: Path) -> bool:
    return Path(path).suffix.lower() in CATALOGUE_SUFFIXES
