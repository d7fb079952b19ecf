"""Hostile workbooks, built in the tests themselves: small on disk, written as streams
(``zipfile`` entries opened for writing), so that building one never holds its unpacked
content in memory."""

from __future__ import annotations

import io
import struct
import zipfile
from collections.abc import Iterable, Iterator
from pathlib import Path

MAIN = "application/vnd.openxmlformats-officedocument.spreadsheetml"
CONTENT_TYPES = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">
<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>
<Default Extension="xml" ContentType="application/xml"/>
<Override PartName="/xl/workbook.xml" ContentType="{MAIN}.sheet.main+xml"/>
<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{MAIN}.worksheet+xml"/>
<Override PartName="/xl/sharedStrings.xml" ContentType="{MAIN}.sharedStrings+xml"/>
</Types>"""
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
RELS = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="{R}/officeDocument" Target="xl/workbook.xml"/>
</Relationships>"""
WORKBOOK = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"
 xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">
<sheets><sheet name="{name}" sheetId="1" r:id="rId1"/></sheets></workbook>"""
WORKBOOK_RELS = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="{R}/worksheet" Target="worksheets/sheet1.xml"/>
<Relationship Id="rId2" Type="{R}/sharedStrings" Target="sharedStrings.xml"/>
</Relationships>"""
SHEET_HEAD = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
)
SHEET_TAIL = b"</sheetData></worksheet>"
CHUNK = 1 << 20


def text_cell(ref: str, text: str) -> bytes:
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'.encode()


def header_row(columns: Iterable[str]) -> bytes:
    cells = b"".join(text_cell(f"{chr(65 + i)}1", c) for i, c in enumerate(columns))
    return b'<row r="1">' + cells + b"</row>"


def repeat(piece: bytes, times: int) -> Iterator[bytes]:
    """``piece`` ``times`` times, in chunks of about a megabyte."""
    per = max(1, CHUNK // len(piece))
    block = piece * per
    while times >= per:
        yield block
        times -= per
    if times:
        yield piece * times


def workbook(
    target: str | Path | io.BytesIO,
    rows: Iterable[bytes],
    *,
    strings: Iterable[bytes] | None = None,
    sheet: str = "values",
    level: int = 9,
    head: bytes = SHEET_HEAD,
) -> None:
    """A workbook of one sheet whose ``<sheetData>`` content is ``rows`` (streamed) and,
    if given, a shared-strings part whose ``<si>`` items are ``strings`` (streamed)."""
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as zf:
        zf.writestr("[Content_Types].xml", CONTENT_TYPES)
        zf.writestr("_rels/.rels", RELS)
        zf.writestr("xl/workbook.xml", WORKBOOK.format(name=sheet))
        zf.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
        with zf.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as part:
            part.write(head)
            for chunk in rows:
                part.write(chunk)
            part.write(SHEET_TAIL)
        with zf.open("xl/sharedStrings.xml", "w", force_zip64=True) as part:
            part.write(
                b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
                b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
            )
            for chunk in strings or ():
                part.write(chunk)
            part.write(b"</sst>")


def to_bytes(rows: Iterable[bytes], **kw) -> bytes:
    out = io.BytesIO()
    workbook(out, rows, **kw)
    return out.getvalue()


VALUES = ("unit", "period", "indicator", "value")


def empty_rows(n: int, columns=VALUES) -> Iterator[bytes]:
    """A header, then ``n`` empty rows (``<row/>``, as a spreadsheet keeps formatted rows)."""
    yield header_row(columns)
    yield from repeat(b"<row/>", n)


def gap_rows(last: int, columns=VALUES) -> Iterator[bytes]:
    """A header and one value in row ``last``: readers report every row in between."""
    yield header_row(columns)
    yield f'<row r="{last}"><c r="A{last}"><v>1</v></c></row>'.encode()


def huge_cell(chars: int, columns=VALUES) -> Iterator[bytes]:
    """A header, then one row whose first cell holds ``chars`` characters."""
    yield header_row(columns)
    yield b'<row r="2"><c r="A2" t="inlineStr"><is><t>'
    yield from repeat(b"A", chars)
    yield b"</t></is></c></row>"


def far_cell(columns=VALUES) -> Iterator[bytes]:
    """A header and one cell in the last row and column Excel has (XFD1048576)."""
    yield header_row(columns)
    yield b'<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>'


def strings_bomb(n: int, length: int = 16) -> dict:
    """Keyword arguments of ``workbook``: ``n`` shared strings, each ``length``
    characters, and a sheet that uses the first."""
    rows = [header_row(VALUES), b'<row r="2"><c r="A2" t="s"><v>0</v></c></row>']
    return {"rows": rows, "strings": repeat(b"<si><t>" + b"x" * length + b"</t></si>", n)}


def declare_size(data: bytes, part: str, size: int) -> bytes:
    """``data`` (a zip) with ``part``'s uncompressed size declared as ``size`` (in its
    local header and the central directory), the content left as it is."""
    buf = bytearray(data)
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        info = zf.getinfo(part)
    # local header: uncompressed size at offset 22; central directory entry: at 24
    struct.pack_into("<I", buf, info.header_offset + 22, size)
    name = part.encode()
    position = 0
    while True:
        position = bytes(buf).find(b"PK\x01\x02", position)
        if position < 0:
            raise AssertionError(f"{part} not in the central directory")
        length = struct.unpack_from("<H", buf, position + 28)[0]
        if bytes(buf[position + 46 : position + 46 + length]) == name:
            struct.pack_into("<I", buf, position + 24, size)
            break
        position += 4
    return bytes(buf)


def plain_workbook(rows: list[list], sheet: str = "values") -> bytes:
    """A small, honest workbook written by openpyxl."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = sheet
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
