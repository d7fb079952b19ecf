"""The Spark engine runs the same Ibis expressions and gives the same numbers as DuckDB."""

from __future__ import annotations

import pandas as pd

from dxscore.dossiers import Store, compute_measures
from dxscore.dossiers.synth import synth

from .test_measures import import_rows


def test_spark_engine_gives_the_same_measures_as_duckdb(tmp_path, spark_backend):
    made = synth(
        tmp_path / "synth", rows=3_000, units=12, start="2024-05-01", end="2024-09-30", seed=7
    )
    store = tmp_path / "store"
    import_rows(
        store,
        [  # edge cases on top of the synthetic records
            dict(
                unit="T01",
                received_at="2024-07-31 23:30",
                due_at="2024-08-01",
                status="in_progress",
                supplement_days=0.5,
            ),
            dict(
                unit="T01",
                received_at="2024-07-31T20:00:00Z",
                finished_at="2024-09-01",
                status="returned",
                rating=2,
            ),
        ],
    )
    s = Store(store)
    s.import_files(made.files)
    s.import_catalogue([made.catalogue_file])
    cases = [  # each Spark query takes seconds even on small data: three cover every path
        dict(kind="month", units=made.units_file, start="2024-06", end="2024-10"),
        dict(kind="quarter", use_catalogue=False),
        dict(kind="year", units=made.units_file, by_procedure=True),
    ]
    for case in cases:
        duck = compute_measures(store, **case).frame
        spark = compute_measures(store, engine="spark", backend=spark_backend, **case).frame
        assert len(duck) > 0
        pd.testing.assert_frame_equal(duck, spark, check_dtype=False, rtol=1e-9, obj=str(case))
