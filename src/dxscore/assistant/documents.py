"""Attached documents (guides, forms, legal texts) as passages that keep their heading
and page: PDF (pypdf), DOCX (python-docx), HTML (the standard library's parser) and TXT
or Markdown. Each file is checked by ``dxscore.safefiles`` before a parser reads it.

A document belongs to the procedure whose code starts its file name
(``1.000001-huong-dan.pdf``) or that a line "Mã thủ tục: 1.000001" (or "Procedure code:")
names; ``read_document(..., procedure=...)`` says it outright. Passages are about
``PASSAGE_CHARS`` characters, cut at paragraph ends, never across a heading or a page.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

from dxscore import safefiles
from dxscore.errors import Problems

DOCUMENT_SUFFIXES = (".pdf", ".docx", ".html", ".htm", ".txt", ".md")
PASSAGE_CHARS = 700
MAX_DOCUMENT_CHARS = 5_000_000
_CODE_PREFIX = re.compile(r"^([0-9]+(?:\.[0-9A-Za-z]+)+)[ _\-]")
_CODE_LINE = re.compile(
    r"(?:m[aã]\s+(?:th[uủ]\s+t[uụ]c|tthc)|procedure\s+code)\s*:\s*([0-9A-Za-z.\-_/]+)", re.I
)
_HEADING = re.compile(
    r"^(?:#{1,6}\s+.+|(?:[IVX]+|[0-9]+(?:\.[0-9]+)*|[A-Z])[.)]\s+\S.{0,100}|"
    r"(?:Điều|Chương|Mục|Phần|Article|Chapter|Section)\s+[0-9IVX]+.{0,100})$"
)


class DocumentError(Problems):
    """A document that cannot be read; nothing of it is stored."""


@dataclass
class Block:
    text: str
    heading: str
    page: int | None


@dataclass
class Document:
    name: str
    procedure: str
    scope: str
    title: str
    blocks: list[Block]


def is_document(path: Path) -> bool:
    return Path(path).suffix.lower() in DOCUMENT_SUFFIXES


def _looks_like_heading(line: str) -> bool:
    s = line.strip()
    if not s or len(s) > 120:
        return False
    if _HEADING.match(s):
        return True
    letters = [c for c in s if c.isalpha()]
    return len(letters) >= 4 and all(c.isupper() for c in letters) and not s.endswith(".")


def _lines_to_blocks(lines: list[tuple[str, int | None]]) -> list[Block]:
    """Lines (with their page) to paragraphs under their heading."""
    blocks: list[Block] = []
    heading = ""
    paragraph: list[str] = []
    page: int | None = None

    def flush() -> None:
        if paragraph:
            blocks.append(Block(" ".join(paragraph), heading, page))
            paragraph.clear()

    for line, line_page in lines:
        s = line.strip()
        if line_page != page:
            flush()
            page = line_page
        if not s:
            flush()
        elif _looks_like_heading(s):
            flush()
            heading = s.lstrip("#").strip()
        else:
            paragraph.append(s)
    flush()
    return blocks


def _pdf(path: Path) -> list[Block]:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(path)
        lines: list[tuple[str, int | None]] = []
        for number, page in enumerate(reader.pages, 1):
            text = page.extract_text() or ""
            lines += [(line, number) for line in text.splitlines()]
            lines.append(("", number))
    except (PdfReadError, ValueError, KeyError, TypeError) as exc:
        raise DocumentError([(path.name, f"not a readable PDF ({exc})")]) from None
    return _lines_to_blocks(lines)


def _docx(path: Path) -> list[Block]:
    safefiles.check_zip(path, safefiles.UPLOADS, kind="a Word document (.docx)")
    import docx

    try:
        document = docx.Document(str(path))
    except (ValueError, KeyError) as exc:
        raise DocumentError([(path.name, f"not a readable Word document ({exc})")]) from None
    blocks: list[Block] = []
    heading = ""
    for paragraph in document.paragraphs:
        text = paragraph.text.strip()
        if not text:
            continue
        style = (paragraph.style.name if paragraph.style is not None else "") or ""
        if style.lower().startswith(("heading", "title")) or _looks_like_heading(text):
            heading = text
        else:
            blocks.append(Block(text, heading, None))
    for table in document.tables:
        for row in table.rows:
            text = " | ".join(cell.text.strip() for cell in row.cells if cell.text.strip())
            if text:
                blocks.append(Block(text, heading, None))
    return blocks


class _HTML(HTMLParser):
    BLOCK = {"p", "li", "div", "tr", "br", "section", "article", "td", "dd", "dt"}
    SKIP = {"script", "style", "head", "nav", "footer"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lines: list[tuple[str, int | None]] = []
        self.current: list[str] = []
        self.skip = 0
        self.in_heading = False

    def _end_line(self) -> None:
        text = " ".join("".join(self.current).split())
        self.current = []
        if text:
            self.lines.append((("# " + text) if self.in_heading else text, None))
            if not self.in_heading:
                self.lines.append(("", None))

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.SKIP:
            self.skip += 1
        elif re.fullmatch(r"h[1-6]", tag):
            self._end_line()
            self.in_heading = True
        elif tag in self.BLOCK:
            self._end_line()

    def handle_endtag(self, tag: str) -> None:
        if tag in self.SKIP:
            self.skip = max(0, self.skip - 1)
        elif re.fullmatch(r"h[1-6]", tag):
            self._end_line()
            self.in_heading = False
        elif tag in self.BLOCK:
            self._end_line()

    def handle_data(self, data: str) -> None:
        if not self.skip:
            self.current.append(data)


def _html(text: str) -> list[Block]:
    parser = _HTML()
    parser.feed(text)
    parser.close()
    parser._end_line()
    return _lines_to_blocks(parser.lines)


def _text(path: Path) -> str:
    raw = path.read_bytes()
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise DocumentError([(path.name, "the text is not UTF-8")]) from None


def procedure_of(name: str, text: str) -> str:
    """The procedure code a document names in its file name or a "Mã thủ tục:" line."""
    match = _CODE_PREFIX.match(name)
    if match:
        return match.group(1)
    line = _CODE_LINE.search(text[:5000])
    return line.group(1).rstrip(".") if line else ""


def read_document(
    path: Path, procedure: str | None = None, scope: str = "", name: str | None = None
) -> Document:
    """One document's blocks (paragraphs with their heading and page)."""
    path = Path(path)
    name = name or path.name
    suffix = path.suffix.lower()
    if suffix not in DOCUMENT_SUFFIXES:
        raise DocumentError([(name, "a document is a PDF, DOCX, HTML, TXT or MD file")])
    try:
        with path.open("rb") as f:
            head = f.read(1024)
        safefiles.sniff(name, head if suffix not in (".html", ".htm", ".md") else head)
        if suffix in (".html", ".htm", ".md") and safefiles.binary_format(head):
            raise safefiles.UnsafeFile("type", kind="a text file")
        limit = safefiles.UPLOADS.max_bytes
        if limit and path.stat().st_size > limit * 5:
            raise safefiles.UnsafeFile("size", limit=limit * 5)
        if suffix == ".pdf":
            blocks = _pdf(path)
        elif suffix == ".docx":
            blocks = _docx(path)
        elif suffix in (".html", ".htm"):
            blocks = _html(_text(path))
        else:
            blocks = _lines_to_blocks([(line, None) for line in _text(path).splitlines()])
    except safefiles.UnsafeFile as exc:
        raise DocumentError([(name, str(exc))]) from None
    total = sum(len(b.text) for b in blocks)
    if total > MAX_DOCUMENT_CHARS:
        raise DocumentError([(name, f"more than {MAX_DOCUMENT_CHARS:,} characters of text")])
    if not blocks:
        raise DocumentError([(name, "no text found (a scanned PDF needs OCR first)")])
    full = "\n".join(b.heading + "\n" + b.text for b in blocks[:50])
    code = procedure if procedure is not None else procedure_of(name, full)
    title = next((b.heading for b in blocks if b.heading), Path(name).stem)
    return Document(name, code, scope, title, blocks)


def passages(document: Document, size: int = PASSAGE_CHARS) -> list[Block]:
    """Blocks joined to about ``size`` characters, never across a heading or a page;
    a long paragraph is cut at sentence ends."""
    out: list[Block] = []
    for block in document.blocks:
        pieces = [block.text]
        if len(block.text) > size * 1.5:
            sentences = re.split(r"(?<=[.;:!?])\s+", block.text)
            pieces, current = [], ""
            for s in sentences:
                if current and len(current) + len(s) > size:
                    pieces.append(current)
                    current = ""
                current = f"{current} {s}".strip()
            if current:
                pieces.append(current)
        for piece in pieces:
            last = out[-1] if out else None
            if (
                last is not None
                and last.heading == block.heading
                and last.page == block.page
                and len(last.text) + len(piece) < size
            ):
                last.text = f"{last.text}\n{piece}"
            else:
                out.append(Block(piece, block.heading, block.page))
    return out
