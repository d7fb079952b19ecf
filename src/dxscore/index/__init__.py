"""The composite-index engine: methodology files in, explainable scores and ranks out.

No Django, no database: a methodology (``load``) and a table of raw values
(``load_dataset``) go in; ``compute`` returns a ``Result`` with every node's score and
rank for every unit and period, and ``Result.explain`` traces one score to its raw values.

The names below are imported on first use (PEP 562), so that ``import dxscore.index``
and reading a methodology do not load pandas and SciPy (the CLI starts in a fraction
of a second).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from dxscore.index.data import (
        Dataset,
        Problem,
        dataset_from_frame,
        load_dataset,
        load_datasets,
        read_units,
    )
    from dxscore.index.errors import DataError, EngineError, MethodologyError
    from dxscore.index.methodology import (
        CompiledMethodology,
        builtin_ids,
        load,
        loads,
    )
    from dxscore.index.pipeline import compute
    from dxscore.index.result import Result

_WHERE = {
    "Dataset": "data",
    "Problem": "data",
    "dataset_from_frame": "data",
    "load_dataset": "data",
    "load_datasets": "data",
    "read_units": "data",
    "DataError": "errors",
    "EngineError": "errors",
    "MethodologyError": "errors",
    "CompiledMethodology": "methodology",
    "builtin_ids": "methodology",
    "load": "methodology",
    "loads": "methodology",
    "compute": "pipeline",
    "Result": "result",
}

__all__ = [
    "DataError",
    "Dataset",
    "EngineError",
    "CompiledMethodology",
    "MethodologyError",
    "Problem",
    "Result",
    "builtin_ids",
    "compute",
    "dataset_from_frame",
    "load",
    "load_dataset",
    "load_datasets",
    "loads",
    "read_units",
]


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:  # a submodule (``ix.steps``), imported on first use as well
        try:
            return importlib.import_module(f"dxscore.index.{name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"dxscore.index.{name}":
                raise  # a submodule's own import failed
            raise AttributeError(f"module 'dxscore.index' has no attribute '{name}'") from None
    value = getattr(importlib.import_module(f"dxscore.index.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *_WHERE])
