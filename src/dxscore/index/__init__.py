"""The composite-index engine: methodology files in, explainable scores and ranks out.

No Django, no database: a methodology (``load``) and a table of raw values
(``load_dataset``) go in; ``compute`` returns a ``Result`` with every node's score and
rank for every unit and period, and ``Result.explain`` traces one score to its raw values.
"""

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
