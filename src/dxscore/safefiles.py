"""Safety checks for files people send in, before any parser reads them (no Django).

An ``.xlsx`` is a zip of XML parts: a file of a few hundred kilobytes can unpack to
gigabytes, declare a hundred million empty rows, hold one cell of a gigabyte, or place a
single cell so far out that a reader which loads a whole sheet allocates terabytes. Every
reader of a sent-in file checks it here first, with the same rules: the site's values and
plans workbooks (``dxscore.web``) and the dossier readers (``dxscore.dossiers.readers``,
which ``dxscore dossiers import`` and the site's worker use).

- ``Limits``: the bounds. ``upload_limits`` (the site's spreadsheets) and
  ``dossier_limits`` (dossier files, which may hold millions of rows) give the defaults,
  each settable by the environment variable named in ``UPLOAD_ENV`` / ``DOSSIER_ENV``.
- ``check_zip``: the central directory only (fast, for a form): a zip, not too many
  entries, declared unpacked sizes and compression ratios within bounds, an OOXML
  workbook part.
- ``check_xlsx``: ``check_zip``, then every part is unpacked once as a stream (its real
  size must be the declared one) and the sheets that will be read are scanned with a
  streaming XML parser: rows as read (empty rows and gaps between row numbers count),
  columns, cells, cell length, tag length, no DTD; all within a time budget. Memory
  stays flat whatever the file holds, and nothing else parses the file before this.
- ``sniff``: the content matches the extension (a zip for ``.xlsx``, ``PAR1`` for
  Parquet, ``%PDF`` for a PDF, no binary format for text).
- ``check_yaml``: a YAML text without alias bombs or runaway nesting.

Every refusal is an ``UnsafeFile`` whose ``code`` names the limit, with its parameters
and an English message; the site translates it by its code.
"""

from __future__ import annotations

import dataclasses
import io
import os
import posixpath
import struct
import time
import zipfile
import zlib
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO
from xml.parsers import expat

KB, MB = 1 << 10, 1 << 20


@dataclass(frozen=True)
class Limits:
    """Bounds for reading one sent-in file. ``max_bytes`` is checked where a file is
    received (the site's forms), not by the readers; ``max_seconds`` 0 or None means no
    time budget; ``rejects_per_reason`` 0 keeps every problem."""

    max_bytes: int | None = 10 * MB  # the file as sent
    max_unpacked_bytes: int = 100 * MB  # all parts of a zip together, unpacked
    max_ratio: float = 100.0  # unpacked / packed size of one part (parts above 1 MB)
    max_entries: int = 1000  # parts in a zip
    max_rows: int = 100_000  # rows of a sheet as read: the header and empty rows count
    max_columns: int = 100  # columns of a sheet or a file
    max_cells: int | None = None  # rows x columns of a sheet (readers that load a sheet)
    max_cell_chars: int = 32_767  # characters in one cell (Excel's own maximum)
    max_line_bytes: int = 1 * MB  # one line of a JSON Lines file
    max_seconds: float | None = 60.0  # reading one file
    rejects_per_reason: int = 1000  # examples kept per problem in a rejects file

    def replace(self, **changes) -> Limits:
        return dataclasses.replace(self, **changes)

    def budget(self) -> Budget:
        return Budget(self.max_seconds)


UPLOADS = Limits()
DOSSIERS = Limits(
    max_bytes=200 * MB,
    max_unpacked_bytes=1024 * MB,
    max_rows=1_048_576,  # Excel's own maximum
    max_columns=500,
    max_cells=30_000_000,  # the Excel reader holds a whole sheet: about 1 GB
    max_seconds=3600.0,
)

# field -> (environment variable, unit); the site's settings and the dossier readers
# read the same variables, so the worker and `dxscore dossiers import` agree.
UPLOAD_ENV: dict[str, tuple[str, int]] = {
    "max_bytes": ("DXSCORE_MAX_UPLOAD_MB", MB),
    "max_unpacked_bytes": ("DXSCORE_UPLOAD_MAX_UNPACKED_MB", MB),
    "max_ratio": ("DXSCORE_UPLOAD_MAX_RATIO", 1),
    "max_entries": ("DXSCORE_UPLOAD_MAX_ENTRIES", 1),
    "max_rows": ("DXSCORE_UPLOAD_MAX_ROWS", 1),
    "max_columns": ("DXSCORE_UPLOAD_MAX_COLUMNS", 1),
    "max_cell_chars": ("DXSCORE_UPLOAD_MAX_CELL_CHARS", 1),
    "max_seconds": ("DXSCORE_UPLOAD_MAX_SECONDS", 1),
}
DOSSIER_ENV: dict[str, tuple[str, int]] = {
    "max_bytes": ("DXSCORE_MAX_DOSSIER_UPLOAD_MB", MB),
    "max_unpacked_bytes": ("DXSCORE_DOSSIER_MAX_UNPACKED_MB", MB),
    "max_ratio": ("DXSCORE_DOSSIER_MAX_RATIO", 1),
    "max_entries": ("DXSCORE_DOSSIER_MAX_ENTRIES", 1),
    "max_rows": ("DXSCORE_DOSSIER_MAX_ROWS", 1),
    "max_columns": ("DXSCORE_DOSSIER_MAX_COLUMNS", 1),
    "max_cells": ("DXSCORE_DOSSIER_MAX_CELLS", 1),
    "max_cell_chars": ("DXSCORE_DOSSIER_MAX_CELL_CHARS", 1),
    "max_line_bytes": ("DXSCORE_DOSSIER_MAX_LINE_KB", KB),
    "max_seconds": ("DXSCORE_DOSSIER_MAX_SECONDS", 1),
    "rejects_per_reason": ("DXSCORE_REJECTS_PER_REASON", 1),
}
_MAY_BE_ZERO = {"max_seconds", "rejects_per_reason"}


class SettingError(ValueError):
    """An environment variable of a limit that is not a number (or not above 0)."""


def _from_env(base: Limits, names: dict[str, tuple[str, int]], env: Mapping[str, str]) -> Limits:
    changes = {}
    for name, (var, unit) in names.items():
        text = env.get(var, "").strip()
        if not text:
            continue
        try:
            number = float(text)
        except ValueError:
            raise SettingError(f"{var}={text!r}: expected a number") from None
        if number < 0 or (number == 0 and name not in _MAY_BE_ZERO):
            raise SettingError(f"{var}={text!r}: expected a number above 0")
        changes[name] = number if name in ("max_ratio", "max_seconds") else int(number * unit)
    return base.replace(**changes)


def upload_limits(env: Mapping[str, str] | None = None) -> Limits:
    """The bounds of the site's spreadsheet uploads (values, targets and tasks)."""
    return _from_env(UPLOADS, UPLOAD_ENV, os.environ if env is None else env)


def dossier_limits(env: Mapping[str, str] | None = None) -> Limits:
    """The bounds of dossier files (site uploads, the worker, ``dxscore dossiers import``)."""
    return _from_env(DOSSIERS, DOSSIER_ENV, os.environ if env is None else env)


# --- refusals ------------------------------------------------------------------------

MESSAGES = {
    "size": "the file is larger than {limit_mb} MB",
    "type": "the content of this file is not {kind}",
    "damaged": "the file is damaged or not a real {kind} file ({detail})",
    "entries": "the file holds more than {limit} parts",
    "unpacked": "the file unpacks to more than {limit_mb} MB",
    "ratio": "a part of the file is packed more than {limit} times ({part})",
    "part": "a part of the file unpacks to more than {limit_mb} MB ({part})",
    "rows": "{where} has more than {limit} rows (empty rows count too)",
    "columns": "{where} has more than {limit} columns",
    "cells": "{where} spans more than {limit} cells (rows × columns)",
    "cell_chars": "{where} holds a cell longer than {limit} characters",
    "tag": "a part of the file has an XML tag longer than {limit_mb} MB ({part})",
    "dtd": "a part of the file declares a DTD or entities, which workbooks never do ({part})",
    "seconds": "reading the file took longer than {limit} seconds",
    "line": "line {row} is longer than {limit_kb} KB",
    "yaml_nodes": "the YAML text expands to more than {limit} values (aliases count in full)",
    "yaml_depth": "the YAML text nests more than {limit} levels deep",
}


def _number(value) -> str:
    if isinstance(value, float) and not value.is_integer():
        return f"{value:,.3g}"
    return f"{int(value):,}"


class UnsafeFile(ValueError):
    """A file refused before (or while) it is read; ``code`` names the limit."""

    def __init__(self, code: str, **params):
        self.code = code
        self.params = params
        shown = {k: _number(v) if isinstance(v, int | float) else v for k, v in params.items()}
        if "limit" in params and isinstance(params["limit"], int | float):
            shown["limit_mb"] = _number(params["limit"] / MB)
            shown["limit_kb"] = _number(params["limit"] / KB)
        super().__init__(MESSAGES[code].format_map(_Blank(shown)))


class _Blank(dict):
    def __missing__(self, key):
        return "?"


class Budget:
    """A time budget for reading one file; ``check`` raises once it is spent."""

    def __init__(self, seconds: float | None):
        self.seconds = seconds
        self.deadline = time.monotonic() + seconds if seconds else None

    def check(self) -> None:
        if self.deadline is not None and time.monotonic() > self.deadline:
            raise UnsafeFile("seconds", limit=self.seconds)


# --- content types -------------------------------------------------------------------

MAGIC = {  # formats a text file must not be
    b"PK\x03\x04": "a zip archive (an Excel or Word file?)",
    b"PK\x05\x06": "a zip archive",
    b"%PDF": "a PDF document",
    b"\x89PNG": "a PNG image",
    b"\xff\xd8\xff": "a JPEG image",
    b"GIF8": "a GIF image",
    b"PAR1": "a Parquet file",
    b"\xd0\xcf\x11\xe0": "an old Office file (.xls, .doc)",
    b"\x7fELF": "a program",
    b"\x1f\x8b": "a gzip archive",
    **{b"BZh%d" % n: "a bzip2 archive" for n in range(1, 10)},
    b"7z\xbc\xaf": "a 7-Zip archive",
    b"\xfd7zXZ": "an xz archive",
}
ZIP_TYPES = (".xlsx", ".xlsm", ".docx", ".odt", ".ods")
TEXT_TYPES = (".csv", ".txt", ".tsv", ".jsonl", ".ndjson", ".yaml", ".yml")
KINDS = {
    ".xlsx": "an Excel workbook (.xlsx)",
    ".xlsm": "an Excel workbook (.xlsm)",
    ".docx": "a Word document (.docx)",
    ".odt": "an OpenDocument text (.odt)",
    ".ods": "an OpenDocument spreadsheet (.ods)",
    ".pdf": "a PDF document",
    ".png": "a PNG image",
    ".jpg": "a JPEG image",
    ".jpeg": "a JPEG image",
    ".parquet": "a Parquet file",
    ".xls": "an Excel 97-2003 workbook (.xls)",
}


def kind_of(name: str) -> str:
    suffix = Path(name).suffix.lower()
    return KINDS.get(suffix, "a text file" if suffix in TEXT_TYPES else f"a {suffix} file")


def binary_format(head: bytes) -> str | None:
    """The binary format ``head`` starts like, if any (text files must not)."""
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):  # UTF-16 text
        return None
    if head.startswith(b"MZ") and b"\x00" in head[:64]:  # a DOS header, not a word "MZ..."
        return "a Windows program"
    return next((what for magic, what in MAGIC.items() if head.startswith(magic)), None)


def sniff(name: str, head: bytes) -> None:
    """Refuse a file whose first bytes do not fit its extension. Types without a
    signature (text) must not look like a binary format."""
    suffix = Path(name).suffix.lower()
    ok = True
    if suffix in ZIP_TYPES:
        ok = head.startswith(b"PK\x03\x04")
    elif suffix == ".pdf":
        ok = b"%PDF-" in head[:1024]
    elif suffix == ".png":
        ok = head.startswith(b"\x89PNG\r\n\x1a\n")
    elif suffix in (".jpg", ".jpeg"):
        ok = head.startswith(b"\xff\xd8\xff")
    elif suffix == ".parquet":
        ok = head.startswith(b"PAR1")  # a cut-off end is the reader's to report
    elif suffix == ".xls":
        ok = head.startswith(b"\xd0\xcf\x11\xe0")
    elif suffix in TEXT_TYPES:
        ok = binary_format(head) is None
    if not ok:
        raise UnsafeFile("type", kind=kind_of(name))


def sniff_file(name: str, f: BinaryIO) -> None:
    """``sniff`` on an open file (its position is kept)."""
    with _rewound(f) as g:
        sniff(name, g.read(1024))


# --- zip -----------------------------------------------------------------------------

RATIO_FLOOR = 1 * MB  # parts smaller than this are not held to the ratio
MAX_PART = 16 * MB  # XML parts that are neither sheets nor the shared strings
MAX_TAG = 1 * MB  # one XML tag (a start tag with its attributes, a comment)
CHUNK = 1 << 16
_EOCD = b"PK\x05\x06"
_WORKBOOK_TYPES = (
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
    "application/vnd.ms-excel.sheet.macroEnabled.main+xml",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.template.main+xml",
    "application/vnd.ms-excel.template.macroEnabled.main+xml",
)
_STRINGS_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"
_WORKSHEET_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"


@contextmanager
def _rewound(f: BinaryIO) -> Iterator[BinaryIO]:
    position = f.tell()
    try:
        f.seek(0)
        yield f
    finally:
        f.seek(position)


@contextmanager
def _binary(source) -> Iterator[BinaryIO]:
    """``source`` (bytes, a path or a seekable binary file) as a binary file."""
    if isinstance(source, bytes | bytearray | memoryview):
        yield io.BytesIO(source)
    elif isinstance(source, str | os.PathLike):
        with open(source, "rb") as f:
            yield f
    else:
        with _rewound(source) as f:
            yield f


def _declared_entries(f: BinaryIO, size: int) -> tuple[int, int]:
    """(entries, central directory bytes) from the end-of-central-directory record,
    read before zipfile builds one object per entry."""
    f.seek(max(0, size - (1 << 16) - 22))
    tail = f.read()
    at = tail.rfind(_EOCD)
    if at < 0 or len(tail) - at < 22:
        raise UnsafeFile("damaged", kind="zip", detail="no end of central directory")
    entries, cd_size = struct.unpack("<HI", tail[at + 10 : at + 16])
    if (entries == 0xFFFF or cd_size == 0xFFFFFFFF) and at >= 20:
        locator = tail[at - 20 : at]
        if locator[:4] == b"PK\x06\x07":
            (offset,) = struct.unpack("<Q", locator[8:16])
            f.seek(offset)
            record = f.read(56)
            if record[:4] == b"PK\x06\x06" and len(record) == 56:
                entries, cd_size = struct.unpack("<QQ", record[32:48])
    return entries, cd_size


def check_zip(source, limits: Limits, kind: str = "an Excel workbook (.xlsx)") -> list[str]:
    """Check a zip from its central directory (nothing large is unpacked): size, number
    of entries, declared unpacked sizes and ratios, and for a workbook that it has one.
    Returns the entry names. Fast enough for a form."""
    with _binary(source) as f:
        zf = _zip(f, limits, kind)
        try:
            infos = {i.filename: i for i in zf.infolist()}
            if kind.startswith("an Excel"):
                _workbook_part(f, infos, kind, limits.budget())
            return list(infos)
        finally:
            zf.close()


def _zip(f: BinaryIO, limits: Limits, kind: str) -> zipfile.ZipFile:
    size = f.seek(0, io.SEEK_END)
    if limits.max_bytes and size > limits.max_bytes:
        raise UnsafeFile("size", limit=limits.max_bytes)
    f.seek(0)
    if f.read(4) != b"PK\x03\x04":
        raise UnsafeFile("type", kind=kind)
    entries, cd_size = _declared_entries(f, size)
    if entries > limits.max_entries or cd_size > limits.max_entries * KB + MB:
        raise UnsafeFile("entries", limit=limits.max_entries)
    try:
        zf = zipfile.ZipFile(f)
    except (zipfile.BadZipFile, ValueError, OSError, EOFError) as exc:
        raise UnsafeFile("damaged", kind="zip", detail=str(exc)) from None
    infos = zf.infolist()
    if len(infos) > limits.max_entries:
        raise UnsafeFile("entries", limit=limits.max_entries)
    total = 0
    for info in infos:
        total += info.file_size
        if total > limits.max_unpacked_bytes:
            raise UnsafeFile("unpacked", limit=limits.max_unpacked_bytes)
        if info.file_size > RATIO_FLOOR and info.file_size > limits.max_ratio * max(
            info.compress_size, 1
        ):
            raise UnsafeFile("ratio", limit=limits.max_ratio, part=info.filename)
        if info.flag_bits & 0x1:
            raise UnsafeFile("damaged", kind="zip", detail=f"{info.filename} is encrypted")
    return zf


def _damaged(detail: str) -> UnsafeFile:
    return UnsafeFile("damaged", kind="zip", detail=detail)


def _stream(f: BinaryIO, info: zipfile.ZipInfo, budget: Budget) -> Iterator[bytes]:
    """The unpacked bytes of one entry, checked as they come: never more than its
    declared size, exactly that size at the end, and the right CRC. (zipfile stops at
    the declared size; other readers of the same file may not, so it must be true.)"""
    name = info.filename
    f.seek(info.header_offset)
    header = f.read(zipfile.sizeFileHeader)
    if len(header) != zipfile.sizeFileHeader or header[:4] != b"PK\x03\x04":
        raise _damaged(f"{name}: bad local header")
    fields = struct.unpack(zipfile.structFileHeader, header)
    f.seek(fields[zipfile._FH_FILENAME_LENGTH] + fields[zipfile._FH_EXTRA_FIELD_LENGTH], 1)
    if info.compress_type == zipfile.ZIP_STORED:
        inflate = None
        if info.compress_size != info.file_size:
            raise _damaged(f"{name}: sizes differ")
    elif info.compress_type == zipfile.ZIP_DEFLATED:
        inflate = zlib.decompressobj(-zlib.MAX_WBITS)
    else:
        raise _damaged(f"{name}: unusual compression method")
    left, done, crc = info.compress_size, 0, 0

    def counted(data: bytes) -> bytes:
        nonlocal done, crc
        done += len(data)
        if done > info.file_size:
            raise _damaged(f"{name}: larger than it declares")
        crc = zlib.crc32(data, crc)
        return data

    while True:
        budget.check()
        if inflate is not None and inflate.unconsumed_tail:
            raw = inflate.unconsumed_tail
        elif left > 0:
            raw = f.read(min(CHUNK, left))
            if not raw:
                raise _damaged(f"{name}: cut short")
            left -= len(raw)
        else:
            break
        data = counted(raw if inflate is None else inflate.decompress(raw, CHUNK))
        if data:
            yield data
        if inflate is not None and inflate.eof:
            break  # anything after the end of the stream is not part of the entry
    if inflate is not None:
        data = counted(inflate.flush())
        if data:
            yield data
        if not inflate.eof:
            raise _damaged(f"{name}: cut short")
    if done != info.file_size or crc != info.CRC:
        raise _damaged(f"{name}: size or checksum does not match")


# --- XML -----------------------------------------------------------------------------


def _parse(chunks: Iterable[bytes], part: str, start=None, end=None, text=None, ns=False):
    """Stream ``chunks`` through expat with the given handlers; no DTD, no huge tag (the
    bytes expat holds back unparsed, waiting for the end of a token, stay under MAX_TAG)."""
    parser = expat.ParserCreate(namespace_separator=" " if ns else None)
    parser.buffer_text = False

    def refuse(*_args):
        raise UnsafeFile("dtd", part=part)

    if start is not None:
        parser.StartElementHandler = start
    if end is not None:
        parser.EndElementHandler = end
    if text is not None:
        parser.CharacterDataHandler = text
    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse
    fed = 0
    try:
        for chunk in chunks:
            parser.Parse(chunk, False)
            fed += len(chunk)
            if fed - parser.CurrentByteIndex > MAX_TAG:
                raise UnsafeFile("tag", limit=MAX_TAG, part=part)
        parser.Parse(b"", True)
    except expat.ExpatError as exc:
        raise UnsafeFile("damaged", kind="XML", detail=f"{part}: {exc}") from None


def _local(name: str) -> str:
    return name.rpartition(" ")[2].rpartition(":")[2]


_REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_COLUMNS: dict[str, int] = {}


def _column(ref: str) -> int:
    """The column number of a cell reference ('B7' -> 2)."""
    letters = ref.rstrip("0123456789$")
    n = _COLUMNS.get(letters)
    if n is None:
        n = 0
        for ch in letters.upper()[:4]:
            n = n * 26 + (ord(ch) - 64 if "A" <= ch <= "Z" else 0)
        if len(_COLUMNS) < 20_000:
            _COLUMNS[letters] = n
    return n


def _letters(n: int) -> str:
    out = ""
    while n > 0:
        n, r = divmod(n - 1, 26)
        out = chr(65 + r) + out
    return out


class _SheetScan:
    """Counts a worksheet's rows and columns as a reader sees them and measures cells."""

    def __init__(self, sheet: str, limits: Limits):
        self.sheet, self.limits = sheet, limits
        self.rows = self.columns = 0
        self.row = self.col = 0
        self.chars = self.formula = 0
        self.counting: str | None = None

    def start(self, name, attrs):
        if ":" in name:
            name = _local(name)
        self.counting = name if name in ("v", "t", "f") else None
        if name == "c":
            ref = attrs.get("r")
            self.col = _column(ref) if ref else self.col + 1
            self.chars = self.formula = 0
            if self.col > self.columns:
                self.columns = self.col
                if self.col > self.limits.max_columns:
                    where = f"sheet '{self.sheet}'"
                    raise UnsafeFile("columns", where=where, limit=self.limits.max_columns)
                self._area()
        elif name == "row":
            ref = attrs.get("r", "")
            self.row = int(ref) if ref.isdigit() else self.row + 1
            self.col = 0
            if self.row > self.rows:
                self.rows = self.row
                if self.row > self.limits.max_rows:
                    raise UnsafeFile(
                        "rows", where=f"sheet '{self.sheet}'", limit=self.limits.max_rows
                    )
                self._area()

    def _area(self):
        cells = self.limits.max_cells
        if cells and self.rows * self.columns > cells:
            raise UnsafeFile("cells", where=f"sheet '{self.sheet}'", limit=cells)

    def text(self, data):  # text after </v> until the next tag counts too: harmless
        if self.counting is None:
            return
        if self.counting == "f":
            self.formula += len(data)
            n = self.formula
        else:
            self.chars += len(data)
            n = self.chars
        if n > self.limits.max_cell_chars:
            where = f"sheet '{self.sheet}', cell {_letters(self.col)}{self.row}"
            raise UnsafeFile("cell_chars", where=where, limit=self.limits.max_cell_chars)


class _StringsScan:
    """Measures each shared string (the text of all its runs)."""

    def __init__(self, limits: Limits):
        self.limits = limits
        self.count = self.chars = 0
        self.inside = False

    def start(self, name, attrs):
        local = _local(name)
        if local == "si":
            self.count += 1
            self.chars = 0
        elif local == "t":
            self.inside = True

    def end(self, name):
        if _local(name) == "t":
            self.inside = False

    def text(self, data):
        if self.inside:
            self.chars += len(data)
            if self.chars > self.limits.max_cell_chars:
                where = f"shared string {self.count:,}"
                raise UnsafeFile("cell_chars", where=where, limit=self.limits.max_cell_chars)


@dataclass
class SheetSize:
    rows: int
    columns: int


def _small(f: BinaryIO, info: zipfile.ZipInfo, budget: Budget) -> bytes:
    if info.file_size > MAX_PART:
        raise UnsafeFile("part", limit=MAX_PART, part=info.filename)
    return b"".join(_stream(f, info, budget))


def _rels_of(part: str) -> str:
    folder, name = posixpath.split(part)
    return posixpath.join(folder, "_rels", name + ".rels")


def _target(base: str, target: str) -> str:
    if target.startswith("/"):
        return posixpath.normpath(target.lstrip("/"))
    return posixpath.normpath(posixpath.join(posixpath.dirname(base), target))


def _relationships(f, infos, part: str, budget) -> dict[str, tuple[str, str]]:
    """id -> (type, target part) of ``part``'s internal relationships ("" is the package)."""
    info = infos.get(_rels_of(part))
    found: dict[str, tuple[str, str]] = {}
    if info is None:
        return found

    def start(name, attrs):
        if _local(name) == "Relationship" and attrs.get("TargetMode") != "External":
            found[attrs.get("Id", "")] = (
                attrs.get("Type", ""),
                _target(part, attrs.get("Target", "")),
            )

    _parse([_small(f, info, budget)], info.filename, start=start)
    return found


def _workbook_part(f, infos, kind: str, budget: Budget) -> tuple[str, dict[str, str]]:
    """The workbook part named by ``[Content_Types].xml`` and the content types of parts."""
    info = infos.get("[Content_Types].xml")
    if info is None:
        raise UnsafeFile("type", kind=kind)
    overrides: dict[str, str] = {}

    def start(name, attrs):
        if _local(name) == "Override":
            overrides[attrs.get("PartName", "").lstrip("/")] = attrs.get("ContentType", "")

    _parse([_small(f, info, budget)], info.filename, start=start)
    main = next((p for p, t in overrides.items() if t in _WORKBOOK_TYPES), None)
    if main is None or main not in infos:
        raise UnsafeFile("type", kind=kind)
    return main, overrides


Pick = Callable[[list[str]], Iterable[str]]


def check_xlsx(
    source, limits: Limits, sheets: Pick | None = None, budget: Budget | None = None
) -> dict[str, SheetSize]:
    """Check an ``.xlsx`` before any reader sees it (see the module doc). ``sheets``
    picks, from the worksheet names in workbook order, those that will be read (default:
    all); their sizes are returned. Raises ``UnsafeFile``."""
    budget = budget or limits.budget()
    kind = "an Excel workbook (.xlsx)"
    with _binary(source) as f:
        zf = _zip(f, limits, kind)
        try:
            return _scan(f, {i.filename: i for i in zf.infolist()}, limits, sheets, budget, kind)
        finally:
            zf.close()


def _scan(f, infos, limits, sheets, budget, kind) -> dict[str, SheetSize]:
    main, overrides = _workbook_part(f, infos, kind, budget)
    named: list[tuple[str, str]] = []  # (sheet name, relationship id), in workbook order

    def on_sheet(name, attrs):
        if _local(name) == "sheet":
            rid = attrs.get(f"{_REL_NS} id") or next(
                (v for k, v in attrs.items() if _local(k) == "id"), ""
            )
            named.append((attrs.get("name", ""), rid))

    _parse([_small(f, infos[main], budget)], main, start=on_sheet, ns=True)
    rels = _relationships(f, infos, main, budget)
    worksheets = [
        (n, rels[r][1]) for n, r in named if r in rels and rels[r][0].endswith("/worksheet")
    ]
    names = [n for n, _p in worksheets]
    wanted = set(sheets(names) if sheets else names)
    read = {p: n for n, p in worksheets if n in wanted}
    strings = {p for t, p in rels.values() if t.endswith("/sharedStrings")}
    strings |= {p for p, t in overrides.items() if t == _STRINGS_TYPE}
    # Parts other readers parse whole (styles, workbook, properties...) stay small; only
    # sheets and shared strings, read as streams, may be large.
    large = {p for _n, p in worksheets} | strings
    whole = {p for t, p in rels.values() if not t.endswith(("/worksheet", "/sharedStrings"))}
    whole |= {p for p, t in overrides.items() if t not in (_WORKSHEET_TYPE, _STRINGS_TYPE)}
    whole |= {p for _t, p in _relationships(f, infos, "", budget).values()}
    whole |= {"[Content_Types].xml", "_rels/.rels", main}
    sizes: dict[str, SheetSize] = {}
    for name, info in infos.items():
        xml = name.lower().endswith((".xml", ".rels", ".vml")) or "." not in name
        if xml and info.file_size > MAX_PART and (name not in large or name in whole):
            raise UnsafeFile("part", limit=MAX_PART, part=name)
        chunks = _stream(f, info, budget)
        if name in read:
            scan = _SheetScan(read[name], limits)
            _parse(chunks, name, scan.start, None, scan.text)
            sizes[read[name]] = SheetSize(scan.rows, scan.columns)
        elif name in strings:
            scan = _StringsScan(limits)
            _parse(chunks, name, scan.start, scan.end, scan.text)
        else:
            for _chunk in chunks:  # unpacked once: its real size must be the declared one
                pass
    return sizes


# --- YAML ----------------------------------------------------------------------------

YAML_MAX_NODES = 100_000
YAML_MAX_DEPTH = 64


def check_yaml(text: str, max_nodes: int = YAML_MAX_NODES, max_depth: int = YAML_MAX_DEPTH):
    """Refuse a YAML text that would expand to more than ``max_nodes`` values once its
    aliases are resolved (a "billion laughs"), or nests deeper than ``max_depth``.
    Counted on the parser's events, so nothing is expanded. Syntax errors are left to
    the loader, which reports them with their place."""
    import yaml

    anchors: dict[str, int] = {}
    stack: list[list] = []  # [values so far, anchor] per open collection
    total = 0

    def add(n: int) -> None:
        nonlocal total
        total += n
        if total > max_nodes:
            raise UnsafeFile("yaml_nodes", limit=max_nodes)
        if stack:
            stack[-1][0] += n

    try:
        for event in yaml.parse(text, Loader=yaml.SafeLoader):
            if isinstance(event, yaml.CollectionStartEvent):
                add(1)
                stack.append([1, event.anchor])
                if len(stack) > max_depth:
                    raise UnsafeFile("yaml_depth", limit=max_depth)
            elif isinstance(event, yaml.CollectionEndEvent):
                count, anchor = stack.pop()
                if anchor:
                    anchors[anchor] = count
                if stack:
                    stack[-1][0] += count - 1  # its first value was added at its start
            elif isinstance(event, yaml.ScalarEvent):
                add(1)
                if event.anchor:
                    anchors[event.anchor] = 1
            elif isinstance(event, yaml.AliasEvent):
                add(anchors.get(event.anchor, 1))
    except yaml.YAMLError:
        return


__all__ = [
    "DOSSIERS",
    "DOSSIER_ENV",
    "UPLOADS",
    "UPLOAD_ENV",
    "Budget",
    "Limits",
    "SettingError",
    "SheetSize",
    "UnsafeFile",
    "binary_format",
    "check_xlsx",
    "check_yaml",
    "check_zip",
    "dossier_limits",
    "kind_of",
    "sniff",
    "sniff_file",
    "upload_limits",
]
