from pathlib import Path

import pytest

from dxscore.assistant import Library
from dxscore.demo.assistant import write_sources

HERE = Path(__file__).parent


@pytest.fixture(scope="session")
def demo_sources(tmp_path_factory) -> list[Path]:
    return write_sources(tmp_path_factory.mktemp("sources"))


@pytest.fixture(scope="session")
def lexical_library(tmp_path_factory, demo_sources) -> Library:
    """The demo library with lexical retrieval only (no embedding model: fast)."""
    lib = Library.open(tmp_path_factory.mktemp("lib"), create=True, embedder=None)
    lib.import_files([p for p in demo_sources if "noi-bo" not in p.name])
    lib.import_files([p for p in demo_sources if "noi-bo" in p.name], scope="20-D05")
    return lib
