"""The two checked Decision 766 numbers of reference/vn-766.md, from dossier records
built to have exactly the reference counts, through import and measures."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from dxscore.dossiers import Store, compute_measures

DAY = 86400
JULY_1 = 1719766800  # 2024-07-01 00:00 in Hanoi, as UTC epoch seconds


def dossier_table(n: int, unit, procedure, channel, level, received, due, finished) -> pa.Table:
    ts = pa.timestamp("s", tz="UTC")

    def stamps(values):
        values = np.broadcast_to(np.asarray(values, dtype=np.int64), (n,))
        return pa.array(values, ts, mask=values < 0)

    finished = np.broadcast_to(np.asarray(finished, dtype=np.int64), (n,))
    return pa.table(
        {
            "dossier_id": pa.array(np.arange(n).astype(str)),
            "unit": pa.array(np.broadcast_to(np.asarray(unit, dtype=object), (n,)), pa.string()),
            "procedure": pa.array(
                np.broadcast_to(np.asarray(procedure, dtype=object), (n,)), pa.string()
            ),
            "service_level": pa.array(np.broadcast_to(np.asarray(level, dtype=object), (n,))),
            "channel": pa.array(np.broadcast_to(np.asarray(channel, dtype=object), (n,))),
            "received_at": stamps(received),
            "due_at": stamps(due),
            "finished_at": stamps(finished),
            "status": pa.array(np.where(finished >= 0, "finished", "in_progress")),
        }
    )


@pytest.mark.slow
def test_timeliness_reproduces_the_decision_766_example(tmp_path):
    """597,918 dossiers received or processed, 528,684 on time: 88.42%, 17.68 / 20."""
    received, due = JULY_1 + DAY, JULY_1 + 20 * DAY
    long_ago = JULY_1 - 150 * DAY
    groups = [  # (count, received, due, finished); -1: none
        (500_000, received, due, received + 5 * DAY),  # finished on time in July
        (60_000, received, due, received + 25 * DAY),  # finished late in July
        (28_684, received, due + 30 * DAY, -1),  # open at the end of July, not yet due
        (9_234, long_ago, long_ago + 10 * DAY, -1),  # open and overdue
    ]
    tables = []
    for i, (n, group_received, group_due, finished) in enumerate(groups):
        t = dossier_table(n, "T", "P", "online", "full", group_received, group_due, finished)
        tables.append(t.set_column(0, "dossier_id", pa.array([f"{i}-{j}" for j in range(n)])))
    pq.write_table(pa.concat_tables(tables), tmp_path / "dossiers.parquet")
    Store(tmp_path / "store", create=True).import_files([tmp_path / "dossiers.parquet"])

    m = compute_measures(tmp_path / "store", "month", start="2024-07", end="2024-07").frame
    (july,) = m.itertuples()
    assert july.finished + july.open_at_end == 597_918
    assert july.finished_on_time + july.open_at_end - july.open_overdue == 528_684
    assert round(july.timeliness_rate * 100, 2) == 88.42
    assert round(july.timeliness_points, 2) == 17.68


@pytest.mark.slow
def test_online_service_points_reproduce_the_decision_766_example(tmp_path):
    """89 procedures, 52 online (21 full + 31 partial); 449 of 1,884 online services
    used; 435,258 of 440,558 dossiers online: 1.46 + 0.95 + 6 = 8.41 / 12."""
    units = [f"U{i:02d}" for i in range(1, 38)]
    procedures = [f"P{i:02d}" for i in range(1, 90)]
    level = {
        p: "full" if i < 21 else "partial" if i < 52 else "offline"
        for i, p in enumerate(procedures)
    }
    services = [(p, u) for u in units for p in procedures[:52]][:1884]
    catalogue = services + [(p, "U01") for p in procedures[52:]]
    with (tmp_path / "catalogue.csv").open("w", encoding="utf-8") as f:
        f.write("procedure,unit,service_level\n")
        f.writelines(f"{p},{u},{level[p]}\n" for p, u in catalogue)
    (tmp_path / "units.csv").write_text(
        "code,parent\nT,\n" + "".join(f"{u},T\n" for u in units), encoding="utf-8"
    )
    used = services[:449]
    n_online = 435_258
    pick = np.arange(n_online) % len(used)
    online = dossier_table(
        n_online,
        np.array([u for _, u in used], dtype=object)[pick],
        np.array([p for p, _ in used], dtype=object)[pick],
        "online",
        np.array([level[p] for p, _ in used], dtype=object)[pick],
        JULY_1 + DAY,
        -1,
        JULY_1 + 2 * DAY,
    )
    in_person = dossier_table(5_300, "U01", "P60", "in_person", "offline", JULY_1 + DAY, -1, -1)
    in_person = in_person.set_column(0, "dossier_id", pa.array([f"p{j}" for j in range(5_300)]))
    pq.write_table(pa.concat_tables([online, in_person]), tmp_path / "dossiers.parquet")
    store = Store(tmp_path / "store", create=True)
    store.import_files([tmp_path / "dossiers.parquet"])
    store.import_catalogue([tmp_path / "catalogue.csv"])

    m = compute_measures(tmp_path / "store", "year", units=tmp_path / "units.csv").frame
    province = m.set_index("unit").loc["T"]
    assert province.received == 440_558 and province.received_online == 435_258
    assert province.online_procedure_share == pytest.approx(52 / 89)
    assert province.online_service_use_share == pytest.approx(449 / 1884)
    assert round(min(2, 2 * province.online_procedure_share / 0.8), 2) == 1.46
    assert round(4 * province.online_service_use_share, 2) == 0.95
    assert round(province.online_service_points, 2) == 8.41
