"""Public-service measures from dossier records (no Django).

- ``schema``: the dossier record format; ``profiles``: mappings from other systems.
- ``Store``: a folder with a Parquet dataset; ``Store.import_files`` validates and
  imports CSV, JSON Lines, Parquet and Excel files as one transaction.
- ``compute_measures``: the measures per unit (or unit and procedure) and period, as
  Ibis expressions run on DuckDB (default) or Spark.
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
    from dxscore.dossiers.periods import GRAINS, PeriodError
    from dxscore.dossiers.profiles import ProfileError, builtin_profiles, load_profile
    from dxscore.dossiers.readers import FileError
    from dxscore.dossiers.store import ImportResult, Store, StoreError
    from dxscore.dossiers.units import UnitsError, read_units

_WHERE = {
    "Measures": "engines",
    "compute_measures": "engines",
    "CATALOGUE_MEASURES": "measures",
    "MEASURES": "measures",
    "MeasureError": "measures",
    "keys_of": "measures",
    "to_long": "measures",
    "GRAINS": "periods",
    "PeriodError": "periods",
    "ProfileError": "profiles",
    "builtin_profiles": "profiles",
    "load_profile": "profiles",
    "FileError": "readers",
    "ImportResult": "store",
    "Store": "store",
    "StoreError": "store",
    "UnitsError": "units",
    "read_units": "units",
}

__all__ = [
    "CATALOGUE_MEASURES",
    "GRAINS",
    "MEASURES",
    "FileError",
    "ImportResult",
    "MeasureError",
    "Measures",
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
    value = getattr(importlib.import_module(f"dxscore.dossiers.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *_WHERE])
