"""The demo's assistant library: the catalogue of Lạng Sơn's 240 demo procedures (the
common ones with real names and content from ``assistant_data``, the others with their
demo name, agency and level) and the guide documents, imported through the same path
as a person's files (``dxscore.assistant.Library.import_files``)."""

from __future__ import annotations

import tempfile
from collections.abc import Mapping
from pathlib import Path

from dxscore.assistant import Library
from dxscore.assistant.catalogue import COLUMNS
from dxscore.demo import assistant_data as data
from dxscore.tables import csv_writer

N_PROCEDURES = 240


def _tiers() -> dict[str, str]:
    """The tier (province, district, commune) of each demo procedure code, as the
    dossier generator draws them for the demo (seed 49)."""
    import numpy as np

    from dxscore.dossiers.synth import _world

    world = _world(111, np.random.default_rng(49))
    return dict(zip(world.procedures["procedure"], world.procedures["tier"], strict=True))


def catalogue_rows(names: Mapping[str, str] | None = None) -> list[dict[str, str]]:
    """One row per demo procedure, in the catalogue's columns (lists joined by ``; ``).
    ``names`` (code -> name, e.g. the workspace's ``Procedure`` table) names the others."""
    tiers = _tiers()
    rows = []
    for n in range(1, N_PROCEDURES + 1):
        code = f"1.{n:06d}"
        if code in data.PROCEDURES:
            name, agency, level, field, docs, time, fee, basis, steps, result = data.PROCEDURES[
                code
            ]
            rows.append(
                {
                    "code": code,
                    "name": name,
                    "agency": agency,
                    "level": level,
                    "field": field,
                    "documents": "; ".join(docs),
                    "processing_time": time,
                    "fee": fee,
                    "legal_basis": "; ".join(basis),
                    "steps": "; ".join(steps),
                    "result": result,
                }
            )
        else:
            agency, level = data.AGENCY_BY_TIER[tiers.get(code, "province")]
            name = (names or {}).get(code) or f"Thủ tục {code}"
            rows.append({"code": code, "name": name, "agency": agency, "level": level})
    return rows


def write_sources(folder: Path, names: Mapping[str, str] | None = None) -> list[Path]:
    """The catalogue as CSV and the guides as files in ``folder``; returns their paths."""
    folder.mkdir(parents=True, exist_ok=True)
    catalogue = folder / "catalogue.csv"
    with catalogue.open("w", encoding="utf-8", newline="") as f:
        writer = csv_writer(f)  # never a formula (dxscore.tables)
        writer.writerow(list(COLUMNS))
        for row in catalogue_rows(names):
            writer.writerow([row.get(c, "") for c in COLUMNS])
    paths = [catalogue]
    for name, _scope, content in data.GUIDES:
        path = folder / name
        path.write_text(content, encoding="utf-8")
        paths.append(path)
    return paths


def build_library(store: Path, names: Mapping[str, str] | None = None) -> Library:
    """Import the demo library into the store folder ``store`` (re-import replaces)."""
    library = Library.open(store, create=True)
    with tempfile.TemporaryDirectory() as tmp:
        paths = write_sources(Path(tmp), names)
        scopes = {name: scope for name, scope, _content in data.GUIDES}
        procedures, documents = library.read_files([p for p in paths if not scopes.get(p.name)])
        for path in paths:
            if scopes.get(path.name):
                documents += library.read_files([path], scope=scopes[path.name])[1]
        library.commit(procedures, documents)  # one generation: embeddings computed once
    return library
