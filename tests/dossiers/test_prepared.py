"""On DuckDB the measures query is compiled once per shape and process and reads each
store through views of fixed names (``engines.Prepared``): reusing it changes no figure."""

from __future__ import annotations

import pandas as pd

from dxscore.dossiers import Store, compute_measures
from dxscore.dossiers.engines import duckdb_backend, prepared
from dxscore.dossiers.synth import synth


def test_a_query_compiled_for_one_store_gives_another_store_its_own_measures(tmp_path):
    stores = []
    for seed, start, end in ((3, "2024-01-01", "2024-06-30"), (4, "2023-05-01", "2024-02-29")):
        made = synth(tmp_path / f"s{seed}", rows=2_000, units=6, start=start, end=end, seed=seed)
        store = Store(tmp_path / f"store{seed}", create=True)
        store.import_files(made.files)
        store.import_catalogue([made.catalogue_file])
        stores.append((store.root, made.units_file))
    local = prepared()
    local.queries.clear()
    cases = [
        dict(kind="month", use_catalogue=False),
        dict(kind="quarter", units="units"),
        dict(kind="month", start="2024-02", end="2024-05"),
        dict(kind="year", units="units", by_procedure=True),
    ]
    for case in cases:
        for root, units_file in stores * 2:  # each store twice, one after the other
            args = {**case, "units": units_file} if "units" in case else case
            cached = compute_measures(root, **args).frame
            fresh = compute_measures(root, backend=duckdb_backend(), **args).frame
            pd.testing.assert_frame_equal(cached, fresh, obj=f"{root.name} {case}")
    # the shapes above, each compiled once (zone, kind, range, tree, catalogue, procedure)
    assert len(local.queries) == len(cases)


def test_counts_summed_into_128_bit_integers_come_out_as_int64_not_decimal_objects():
    import decimal

    import pyarrow as pa
    import pytest

    from dxscore.dossiers.measures import arrow_frame

    # DuckDB's SUM of BIGINT is a HUGEINT, which Arrow carries as decimal128(38, 0)
    raw = (
        prepared()
        .con.con.sql(
            "SELECT 'a' AS unit, SUM(x) AS received, 0.5::DOUBLE AS share FROM range(3) t(x)"
        )
        .to_arrow_table()
    )
    assert pa.types.is_decimal(raw.schema.field("received").type)
    frame = arrow_frame(raw)
    assert str(frame["received"].dtype) == "int64" and frame["received"].tolist() == [3]
    assert str(frame["share"].dtype) == "float64"
    too_big = pa.table({"n": pa.array([decimal.Decimal(2**70)], pa.decimal128(38, 0))})
    with pytest.raises(pa.ArrowInvalid):
        arrow_frame(too_big)  # a checked cast: no silent wrap-around
