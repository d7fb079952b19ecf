"""Public-service measures from dossier records (no Django).

- ``schema``: the dossier record format; ``profiles``: mappings from other systems.
- ``Store``: a folder with a Parquet dataset; ``Store.import_files`` validates and
  imports CSV, JSON Lines, Parquet and Excel files as one transaction.
- ``compute_measures``: the measures per unit (or unit and procedure) and period, as
  Ibis expressions run on DuckDB (default) or Spark.
- ``OnMap``: with a ``dxscore.lineage.Lineage``, records read on the map of their
  received date and measures counted on the map of each period or of a day.
- ``synth``: realistic synthetic dossiers for demos, tests and benchmarks.
"""

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
