"""The import's fast paths give exactly what the general ones give: plain-text columns
(no trimming, NFC normalisation or raw checks), UTC timestamps truncated from the
epoch, the rating test without a list, and one staging table written once."""

from __future__ import annotations

import datetime as dt
import random

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from dxscore.dossiers import Store
from dxscore.dossiers.profiles import IDENTITY, resolve_header
from dxscore.dossiers.schema import COLUMN_NAMES, DOSSIER_COLUMNS
from dxscore.dossiers.validate import Validator, plain_text, utc_second


def _plain_by_hand(values: list[str | None], limit: int) -> bool:
    for v in values:
        if v is None:
            continue
        if not v.isascii() or "\x00" in v or len(v) > limit:
            return False
        if v and (v[0] <= " " or v[0] == "\x7f" or v[-1] <= " " or v[-1] == "\x7f"):
            return False
    return True


def test_plain_text_is_exactly_the_values_that_trimming_and_nfc_leave_alone():
    rng = random.Random(7)
    letters = ["a", "B", "1", "-", "~", " ", "\t", "\n", "\x00", "\x7f", "\x1f", "é", "e\u0301"]
    con = duckdb.connect()
    found_plain = 0
    for _ in range(1500):
        values: list[str | None] = []
        for _ in range(rng.randint(0, 6)):
            if rng.random() < 0.15:
                values.append(None)
            else:
                pool = letters if rng.random() < 0.3 else letters[:5]
                values.append("".join(rng.choice(pool) for _ in range(rng.randint(0, 5))))
        limit = rng.choice([3, 100])
        array = pa.array(values, rng.choice([pa.string(), pa.large_string()]))
        if len(array) > 1 and rng.random() < 0.3:  # a slice: offsets not from 0
            array, values = array.slice(1), values[1:]
        half = len(array) // 2
        column = pa.chunked_array([array[:half], array[half:]], type=array.type)
        assert plain_text(column, limit) == _plain_by_hand(values, limit), (values, limit)
        if plain_text(column, limit):
            found_plain += 1
            t = pa.table({"x": column})  # noqa: F841 - read by the query below
            (ok,) = con.execute(
                "SELECT bool_and(nfc_normalize(NULLIF(TRIM(x), '')) IS NOT DISTINCT FROM "
                "NULLIF(x, '')) FROM t"
            ).fetchone() or (None,)
            assert ok in (True, None)
    assert found_plain > 100
    assert not plain_text(pa.chunked_array([pa.array(["a"]).dictionary_encode()]), 10)


def test_utc_seconds_from_the_epoch_equal_the_time_zone_functions():
    rng = random.Random(11)
    micros = [0, 1, -1, 1_500_000, -1_500_000, 2**63 - 1, -(2**63) + 1, 2**63 - 2, None]
    micros += [4102444800000000, 4102444799999999, -30610224000000000, 32503680000000000]
    micros += [rng.randint(-(4 * 10**16), 4 * 10**16) for _ in range(20_000)]
    t = pa.table({"a": pa.array(micros, pa.timestamp("us", tz="UTC"))})  # noqa: F841
    con = duckdb.connect()
    con.execute("SET TimeZone = 'Asia/Ho_Chi_Minh'")
    same = con.execute(
        "SELECT count(*) FILTER (date_trunc('second', timezone('UTC', a)) "
        f"IS NOT DISTINCT FROM {utc_second('a')}) FROM t"
    ).fetchone()
    assert same == (len(micros),)


def _batch() -> pa.Table:
    """Clean records, every text column plain."""
    at = dt.datetime(2024, 7, 1, 1, 2, 3, 456789, tzinfo=dt.UTC)
    n = 50
    return pa.table(
        {
            "dossier_id": [f"D{i}" for i in range(n)],
            "unit": ["A"] * n,
            "procedure": ["P1"] * n,
            "service_level": ["full", "partial"] * (n // 2),
            "channel": ["online", "post"] * (n // 2),
            "received_at": pa.array([at] * n, pa.timestamp("us", tz="UTC")),
            "finished_at": pa.array(
                [at + dt.timedelta(days=i - 3) for i in range(n)], pa.timestamp("us", tz="UTC")
            ),
            "status": ["finished"] * n,
            "has_fee": ["true", "0", "yes", "no", "1"] * (n // 5),
            "rating": ["1", "5", "", "3", "2"] * (n // 5),
            "_row": pa.array(range(2, n + 2), pa.int64()),
        }
    )


def test_plain_and_general_queries_store_the_same_rows():
    table = _batch()
    header = [c for c in table.column_names if c != "_row"]
    mapping, _ = resolve_header(header, DOSSIER_COLUMNS, IDENTITY)
    types = {c: table.schema.field(c).type for c in header}
    now = dt.datetime(2024, 7, 20, tzinfo=dt.UTC)
    v = Validator(DOSSIER_COLUMNS, mapping, types, IDENTITY, "Asia/Ho_Chi_Minh", True, 100, now=now)
    try:
        plain = frozenset(s for s in v.text_sources if plain_text(table.column(s), 100))
        assert plain == set(v.text_sources)  # the fast path is the one tested here
        v.con.register("src", table)
        rows = {}
        for which in (plain, frozenset()):
            checked, _ = v.queries(which)
            rows[which] = v.con.execute(
                f"SELECT * FROM ({checked}) ORDER BY _row", {"batch": 1}
            ).fetchall()
        assert rows[plain] == rows[frozenset()]
        assert all(r[-1] for r in rows[plain])  # every row fine; some with warnings
    finally:
        v.close()


def test_a_store_written_in_one_pass_keeps_the_latest_versions_and_every_column(tmp_path):
    """Duplicates within and across files, accents to normalise, spaces to trim: the
    staging table and its one write give what the rules say."""
    rows = [
        ("D1", " A ", "2024-07-01 08:00", "2024-07-02 08:00"),  # trimmed to A
        ("D1", "A", "2024-07-01 08:00", "2024-07-03 08:00"),  # later: wins
        ("Ha\u0300", "A", "2024-07-01 08:00", "2024-07-02 08:00"),  # NFC: Hà
        ("D2", "A", "2024-07-01 08:00", None),
    ]
    path = tmp_path / "one.csv"
    with path.open("w", encoding="utf-8") as f:
        f.write("dossier_id,unit,procedure,service_level,channel,received_at,status,updated_at\n")
        for d, u, r, up in rows:
            f.write(f"{d},{u},P1,full,online,{r},in_progress,{up or ''}\n")
    second = tmp_path / "two.csv"
    second.write_text(
        "dossier_id,unit,procedure,service_level,channel,received_at,status,updated_at\n"
        "D2,A,P1,full,online,2024-07-01 08:00,in_progress,2024-07-04 08:00\n"
        "D3,A,P1,full,fax,2024-07-01 08:00,in_progress,\n",
        encoding="utf-8",
    )
    result = Store(tmp_path / "s", create=True).import_files([path, second])
    assert (result.new, result.duplicates, result.rejected) == (3, 2, 1)
    stored = pq.read_table(Store(tmp_path / "s").parts()).to_pylist()
    by_id = {r["dossier_id"]: r for r in stored}
    assert sorted(by_id) == ["D1", "D2", "Hà"]
    assert by_id["D1"]["updated_at"] == dt.datetime(2024, 7, 3, 1, 0)  # local +07:00
    assert by_id["D2"]["_batch"] == 2  # the later file's version
    assert {r["unit"] for r in stored} == {"A"}
    assert tuple(pq.read_schema(Store(tmp_path / "s").parts()[0]).names[:17]) == COLUMN_NAMES


@pytest.mark.parametrize("value", ["nan", "inf", "0", "1.5", "6", "-1", "5.0001"])
def test_a_rating_outside_one_to_five_is_still_an_error(tmp_path, value):
    path = tmp_path / "r.csv"
    path.write_text(
        "dossier_id,unit,procedure,service_level,channel,received_at,status,rating\n"
        f"D1,A,P1,full,online,2024-07-01,in_progress,{value}\n"
        "D2,A,P1,full,online,2024-07-01,in_progress,4.0\n",
        encoding="utf-8",
    )
    result = Store(tmp_path / "s", create=True).import_files([path])
    assert (result.new, result.rejected) == (1, 1)
    assert result.rejects_counts[0][1:3] == ("rating", "not a whole number from 1 to 5")


def test_the_staging_memory_is_a_setting_and_spills_beyond_it(tmp_path, monkeypatch):
    path = tmp_path / "m.csv"
    lines = ["dossier_id,unit,procedure,service_level,channel,received_at,status"]
    lines += [f"D{i},A,P1,full,online,2024-07-01,in_progress" for i in range(20_000)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    monkeypatch.setenv("DXSCORE_IMPORT_MEMORY", "lots")
    with pytest.raises(ValueError, match="DXSCORE_IMPORT_MEMORY"):
        Store(tmp_path / "s", create=True).import_files([path])
    monkeypatch.setenv("DXSCORE_IMPORT_MEMORY", "64MB")
    assert Store(tmp_path / "s", create=True).import_files([path]).new == 20_000
