"""Public-service measures from dossier records (no Django).

- ``schema``: the dossier record format; ``profiles``: mappings from other systems.
- ``Store``: a folder with a Parquet dataset; ``Store.import_files`` validates and
  imports CSV, JSON Lines, Parquet and Excel files as one transaction.
- ``compute_measures``: the measures per unit (or unit and procedure) and period, as
  Ibis expressions run on DuckDB (default) or Spark.
- ``OnMap``: with a ``dxscore.lineage.Lineage``, records read on the map of their
  received date and measures counted on the map of each period or of a day.
- ``synth``: realistic synthetic dossiers for demos, tests and benchmarks.

The names below are imported on first use (PEP 562): the CLI starts without loading
Ibis, DuckDB and PyArrow.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from dxscore.dossiers.engines import Measures, compute_measures
    from dxscore.dossiers.measures import (
        CATALOGUE_MEASURES,
        MEASURES,
        MeasureError,
        keys_of,
        to_long,
    )
    from dxscore.dossiers.profiles import ProfileError, builtin_profiles, load_profile
    from dxscore.dossiers.readers import FileError
    from dxscore.dossiers.reform import OnMap
    from dxscore.dossiers.store import ImportResult, Store, StoreError
    from dxscore.dossiers.units import UnitsError, read_units
    from dxscore.periods import KINDS, PeriodError

_WHERE = {  # name -> the module it is loaded from on first use
    "Measures": "dxscore.dossiers.engines",
    "compute_measures": "dxscore.dossiers.engines",
    "CATALOGUE_MEASURES": "dxscore.dossiers.measures",
    "MEASURES": "dxscore.dossiers.measures",
    "MeasureError": "dxscore.dossiers.measures",
    "keys_of": "dxscore.dossiers.measures",
    "to_long": "dxscore.dossiers.measures",
    "ProfileError": "dxscore.dossiers.profiles",
    "builtin_profiles": "dxscore.dossiers.profiles",
    "load_profile": "dxscore.dossiers.profiles",
    "FileError": "dxscore.dossiers.readers",
    "OnMap": "dxscore.dossiers.reform",
    "ImportResult": "dxscore.dossiers.store",
    "Store": "dxscore.dossiers.store",
    "StoreError": "dxscore.dossiers.store",
    "UnitsError": "dxscore.dossiers.units",
    "read_units": "dxscore.dossiers.units",
    "KINDS": "dxscore.periods",
    "PeriodError": "dxscore.periods",
}

__all__ = [
    "CATALOGUE_MEASURES",
    "MEASURES",
    "KINDS",
    "FileError",
    "ImportResult",
    "MeasureError",
    "Measures",
    "OnMap",
    "PeriodError",
    "ProfileError",
    "Store",
    "StoreError",
    "UnitsError",
    "builtin_profiles",
    "compute_measures",
    "keys_of",
    "load_profile",
    "read_units",
    "to_long",
]


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:  # a submodule (``ix.steps``), imported on first use as well
        try:
            return importlib.import_module(f"dxscore.dossiers.{name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"dxscore.dossiers.{name}":
                raise  # a submodule's own import failed
            raise AttributeError(f"module 'dxscore.dossiers' has no attribute '{name}'") from None
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *_WHERE])
