"""A library on disk: a folder with the catalogue, the documents' passages and the dense
vectors, swapped whole by one manifest.

::

    DIR/manifest.json              {"format": 1, "generation": 7, "files": {...}}
    DIR/procedures-7.json          the catalogue (one object per procedure)
    DIR/documents-7.json           documents with their passages (heading, page, scope)
    DIR/dense-7.npy                procedure vectors of the embedder named in the manifest

An import reads and checks every file first; only then are the new generation's files
written and the manifest replaced (``os.replace``), so a failed import changes nothing
and readers see the old library or the new one, never a mix. Re-importing a procedure
code or a document name replaces it in place.
"""

from __future__ import annotations

import json
import os
import tempfile
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from dxscore.assistant import catalogue as cat
from dxscore.assistant import documents as docs
from dxscore.assistant.embeddings import Embedder, default_embedder
from dxscore.assistant.retrieval import Passage, Retriever, Weights, summary
from dxscore.errors import Problems

FORMAT = 1

FIELD_LABELS = {
    "documents": "Thành phần hồ sơ",
    "processing_time": "Thời hạn giải quyết",
    "fee": "Phí, lệ phí",
    "legal_basis": "Căn cứ pháp lý",
    "steps": "Trình tự thực hiện",
    "result": "Kết quả thực hiện",
}


class StoreError(Problems):
    """A store folder that cannot be used (missing, damaged)."""


@dataclass
class StoredDocument:
    name: str
    procedure: str
    scope: str
    title: str
    passages: list[dict[str, Any]]  # {"heading", "page", "text"}


@dataclass
class ImportSummary:
    added: list[str] = field(default_factory=list)  # procedure codes
    updated: list[str] = field(default_factory=list)
    documents: list[str] = field(default_factory=list)  # document names
    passages: int = 0
    warnings: list[tuple[str, str]] = field(default_factory=list)


def procedure_passages(p: cat.Procedure) -> list[Passage]:
    """A procedure's catalogue fields as passages (the answer to a field question)."""
    head = f"{p.name} (mã {p.code})"
    about = [head]
    if p.agency:
        about.append(f"Cơ quan thực hiện: {p.agency}")
    if p.level:
        about.append(f"Cấp thực hiện: {p.level}")
    if p.field:
        about.append(f"Lĩnh vực: {p.field}")
    out = [Passage(p.code, "name", ". ".join(about) + ".", heading=p.name)]
    for key, label in FIELD_LABELS.items():
        value = getattr(p, key)
        shown = "; ".join(value) if isinstance(value, list) else value
        if shown:
            out.append(Passage(p.code, key, f"{label}: {shown}", heading=label))
    return out


def _atomic_write(path: Path, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=path.suffix)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


class Library:
    """The procedures and documents of one store folder, and the retriever over them."""

    def __init__(self, folder: Path, embedder: Embedder | None | str = "default"):
        self.folder = Path(folder)
        self._embedder_choice = embedder
        self.procedures: dict[str, cat.Procedure] = {}
        self.documents: dict[str, StoredDocument] = {}
        self.generation = 0
        self.dense_model: str | None = None
        self._dense: np.ndarray | None = None
        self._retriever: Retriever | None = None
        self._lock = threading.Lock()
        self.weights = Weights()

    # --- opening ----------------------------------------------------------------------

    @classmethod
    def open(
        cls, folder: Path, create: bool = False, embedder: Embedder | None | str = "default"
    ) -> Library:
        lib = cls(folder, embedder)
        manifest = lib.folder / "manifest.json"
        if not manifest.exists():
            if not create:
                raise StoreError([(str(folder), "no assistant library here (import first)")])
            return lib
        try:
            data = json.loads(manifest.read_text(encoding="utf-8"))
            files = data["files"]
            lib.generation = int(data["generation"])
            rows = json.loads((lib.folder / files["procedures"]).read_text(encoding="utf-8"))
            lib.procedures = {r["code"]: cat.Procedure.from_dict(r) for r in rows}
            stored = json.loads((lib.folder / files["documents"]).read_text(encoding="utf-8"))
            lib.documents = {d["name"]: StoredDocument(**d) for d in stored}
            dense = files.get("dense")
            if dense:
                lib.dense_model = dense["model"]
                lib._dense = np.load(lib.folder / dense["file"])
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise StoreError([(str(manifest), f"damaged store ({exc})")]) from None
        return lib

    @property
    def embedder(self) -> Embedder | None:
        if self._embedder_choice == "default":
            self._embedder_choice = default_embedder()
        return self._embedder_choice if not isinstance(self._embedder_choice, str) else None

    # --- reading files ----------------------------------------------------------------

    def read_files(
        self,
        paths: Sequence[Path],
        mapping: Path | None = None,
        procedure: str | None = None,
        scope: str = "",
        names: Sequence[str] | None = None,
    ) -> tuple[list[cat.Procedure], list[StoredDocument]]:
        """Read and check every file; all problems of all files together, or the
        procedures and documents they hold."""
        problems: list[tuple[str, str]] = []
        columns = None
        if mapping is not None:
            try:
                columns = cat.read_mapping(Path(mapping))
            except cat.CatalogueError as exc:
                raise cat.CatalogueError(exc.problems) from None
        procedures: list[cat.Procedure] = []
        stored: list[StoredDocument] = []
        seen: dict[str, str] = {}
        for k, path in enumerate(paths):
            path = Path(path)
            shown = names[k] if names else path.name
            if not path.is_file():
                problems.append((shown, "no such file"))
                continue
            if path.suffix.lower() == ".json" or cat.is_catalogue(path):
                try:
                    for p in cat.read_catalogue(path, columns):
                        p.source = shown
                        if p.code in seen:
                            problems.append((f"{shown} code {p.code}", f"also in {seen[p.code]}"))
                        seen[p.code] = shown
                        procedures.append(p)
                except Problems as exc:
                    problems += [(w.replace(path.name, shown, 1), m) for w, m in exc.problems]
            elif docs.is_document(path):
                try:
                    d = docs.read_document(path, procedure, scope, name=shown)
                except Problems as exc:
                    problems += exc.problems
                    continue
                blocks = docs.passages(d)
                stored.append(
                    StoredDocument(
                        d.name,
                        d.procedure,
                        d.scope,
                        d.title,
                        [{"heading": b.heading, "page": b.page, "text": b.text} for b in blocks],
                    )
                )
            else:
                problems.append(
                    (
                        shown,
                        "expected a catalogue (.csv, .xlsx, .json) or a document "
                        "(.pdf, .docx, .html, .txt, .md)",
                    )
                )
        if problems:
            raise Problems(problems)
        return procedures, stored

    def preview(
        self, procedures: Iterable[cat.Procedure], stored: Iterable[StoredDocument]
    ) -> ImportSummary:
        """What committing would change (nothing is written)."""
        summary_ = ImportSummary()
        known = set(self.procedures)
        new_codes = set()
        for p in procedures:
            (summary_.updated if p.code in known else summary_.added).append(p.code)
            new_codes.add(p.code)
        for d in stored:
            summary_.documents.append(d.name)
            summary_.passages += len(d.passages)
            if d.procedure and d.procedure not in known | new_codes:
                summary_.warnings.append(
                    (d.name, f"procedure {d.procedure} is not in the catalogue")
                )
            elif not d.procedure:
                summary_.warnings.append((d.name, "names no procedure (a general document)"))
        return summary_

    def import_files(
        self,
        paths: Sequence[Path],
        mapping: Path | None = None,
        procedure: str | None = None,
        scope: str = "",
        names: Sequence[str] | None = None,
    ) -> ImportSummary:
        procedures, stored = self.read_files(paths, mapping, procedure, scope, names)
        return self.commit(procedures, stored)

    # --- writing ----------------------------------------------------------------------

    def commit(
        self, procedures: Iterable[cat.Procedure], stored: Iterable[StoredDocument]
    ) -> ImportSummary:
        """Store procedures and documents (replacing those of the same code or name) as a
        new generation, all or nothing."""
        procedures, stored = list(procedures), list(stored)
        result = self.preview(procedures, stored)
        with self._lock:
            merged = dict(self.procedures)
            merged.update({p.code: p for p in procedures})
            documents = dict(self.documents)
            documents.update({d.name: d for d in stored})
            self._write(merged, documents)
        return result

    def remove_document(self, name: str) -> None:
        with self._lock:
            documents = {k: v for k, v in self.documents.items() if k != name}
            self._write(dict(self.procedures), documents)

    def _write(
        self, procedures: dict[str, cat.Procedure], documents: dict[str, StoredDocument]
    ) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        generation = self.generation + 1
        files: dict[str, Any] = {
            "procedures": f"procedures-{generation}.json",
            "documents": f"documents-{generation}.json",
            "dense": None,
        }
        ordered = sorted(procedures.values(), key=lambda p: p.code)
        dense = self._dense_for(ordered)
        _atomic_write(
            self.folder / files["procedures"],
            json.dumps([p.to_dict() for p in ordered], ensure_ascii=False).encode(),
        )
        _atomic_write(
            self.folder / files["documents"],
            json.dumps(
                [asdict(d) for d in sorted(documents.values(), key=lambda d: d.name)],
                ensure_ascii=False,
            ).encode(),
        )
        embedder = self.embedder
        if dense is not None and embedder is not None:
            files["dense"] = {"file": f"dense-{generation}.npy", "model": embedder.name}
            path = self.folder / files["dense"]["file"]
            with open(path, "wb") as f:
                np.save(f, dense)
        manifest = {"format": FORMAT, "generation": generation, "files": files}
        _atomic_write(self.folder / "manifest.json", json.dumps(manifest).encode())
        old = self.generation
        self.procedures = {p.code: p for p in ordered}
        self.documents = documents
        self.generation = generation
        self._dense = dense
        self.dense_model = embedder.name if dense is not None and embedder else None
        self._retriever = None
        for pattern in (f"procedures-{old}.json", f"documents-{old}.json", f"dense-{old}.npy"):
            (self.folder / pattern).unlink(missing_ok=True)

    def _dense_for(self, ordered: list[cat.Procedure]) -> np.ndarray | None:
        """Procedure vectors, reusing those of unchanged summaries."""
        embedder = self.embedder
        if embedder is None:
            return None
        old: dict[str, np.ndarray] = {}
        if self._dense is not None and self.dense_model == embedder.name:
            for row, p in zip(
                self._dense, sorted(self.procedures.values(), key=lambda p: p.code), strict=False
            ):
                old[summary(p)] = row
        texts = [summary(p) for p in ordered]
        missing = [t for t in dict.fromkeys(texts) if t not in old]
        if missing:
            for t, v in zip(missing, embedder.embed(missing, query=False), strict=True):
                old[t] = v
        if not texts:
            return np.zeros((0, 384), dtype=np.float32)
        return np.stack([old[t] for t in texts]).astype(np.float32)

    # --- retrieval ----------------------------------------------------------------------

    def use(self, retrieval: str) -> None:
        """Answer with one of ``retrieval.RETRIEVALS`` (``lexical``, ``dense``, ``hybrid``,
        ``rrf``) from now on; ``hybrid`` is the default."""
        from dataclasses import replace

        from dxscore.assistant.retrieval import RETRIEVALS

        if retrieval not in RETRIEVALS:
            raise StoreError([("retrieval", f"expected one of {', '.join(RETRIEVALS)}")])
        weights, dense = RETRIEVALS[retrieval]
        if not dense:
            self._embedder_choice = None
        elif self.embedder is None:
            raise StoreError(
                [("retrieval", f"{retrieval} needs the embeddings (DXSCORE_ASSISTANT_EMBEDDINGS)")]
            )
        with self._lock:
            self.weights = replace(weights)
            self._retriever = None

    def passages(self) -> list[Passage]:
        out: list[Passage] = []
        for p in self.procedures.values():
            out += procedure_passages(p)
        for d in self.documents.values():
            for row in d.passages:
                out.append(
                    Passage(
                        d.procedure,
                        "document",
                        row["text"],
                        document=d.name,
                        heading=row.get("heading") or "",
                        page=row.get("page"),
                        scope=d.scope,
                    )
                )
        return out

    def retriever(self) -> Retriever:
        with self._lock:
            if self._retriever is None:
                embedder = self.embedder
                dense = self._dense if embedder and self.dense_model == embedder.name else None
                self._retriever = Retriever(
                    list(self.procedures.values()),
                    self.passages(),
                    embedder=embedder,
                    dense=dense,
                    weights=self.weights,
                )
            return self._retriever

    def ask(
        self,
        question: str,
        k: int = 3,
        can_see: Callable[[str], bool] | None = None,
        threshold: float | None = None,
    ) -> Any:
        from dxscore.assistant.answers import answer

        return answer(self, question, k=k, can_see=can_see, threshold=threshold)
