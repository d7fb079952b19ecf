"""The built-in lineage ``vn-2025`` against the published facts of the reform
(``docs/units.md``), and DTI 2024 computed on the 34 provinces."""

from __future__ import annotations

import datetime as dt
import gzip
import importlib.util
import io
from collections import Counter

import numpy as np
import pandas as pd
import pytest

from dxscore import index as ix
from dxscore import lineage as ln
from dxscore.demo import dti
from dxscore.lineage import vn2025

BEFORE, AFTER = dt.date(2025, 6, 30), dt.date(2025, 7, 1)
# new code: (predecessor codes, the old name of the unit whose code it reuses, new name)
REUSED = {
    "15": (["10", "15"], "Yên Bái", "Lào Cai"),
    "80": (["72", "80"], "Long An", "Tây Ninh"),
    "24": (["24", "27"], "Bắc Giang", "Bắc Ninh"),
    "44": (["44", "45"], "Quảng Bình", "Quảng Trị"),
    "52": (["52", "64"], "Bình Định", "Gia Lai"),
    "82": (["82", "87"], "Tiền Giang", "Đồng Tháp"),
    "91": (["89", "91"], "Kiên Giang", "An Giang"),
}
UNCHANGED = {
    "Hà Nội", "Huế", "Lai Châu", "Điện Biên", "Sơn La", "Lạng Sơn", "Quảng Ninh",
    "Thanh Hóa", "Nghệ An", "Hà Tĩnh", "Cao Bằng",
}  # fmt: skip


@pytest.fixture(scope="module")
def vn() -> ln.Lineage:
    return ln.load("vn-2025")


def provinces(lineage: ln.Lineage, day: dt.date) -> list[ln.Unit]:
    return [u for u in lineage.units_on(day) if u.level == "province"]


def test_63_provinces_became_34(vn):
    assert len(provinces(vn, BEFORE)) == 63
    assert len(provinces(vn, AFTER)) == 34


def test_11_provinces_kept_their_borders_and_52_merged_into_23(vn):
    kept = [u for u in provinces(vn, AFTER) if u.start is None]
    assert {u.name for u in kept} == UNCHANGED
    merged = [u for u in provinces(vn, AFTER) if u.start == AFTER]
    assert len(merged) == 23
    predecessors = {f.source for u in merged for f in vn.predecessors(u)}
    assert len(predecessors) == 52


@pytest.mark.parametrize("code", sorted(REUSED))
def test_new_codes_reuse_the_code_of_another_predecessor(vn, code):
    before, old_name, new_name = REUSED[code]
    assert vn.unit_at(code, BEFORE).name == old_name
    new = vn.unit_at(code, AFTER)
    assert new.name == new_name and new.start == AFTER
    assert sorted(vn.units[f.source].code for f in vn.predecessors(new)) == before
    # the code alone does not identify the unit: two units, one after the other
    first, second = vn.units_of(code)
    assert first.end == BEFORE and second.start == AFTER


def test_the_district_level_is_abolished_and_communes_sit_under_provinces(vn):
    before = Counter(u.level for u in vn.units_on(BEFORE))
    after = Counter(u.level for u in vn.units_on(AFTER))
    assert before == {"province": 63, "district": 696, "commune": 10035}
    assert after == {"province": 34, "commune": 3321}
    codes = {u.code for u in provinces(vn, AFTER)}
    communes = [u for u in vn.units_on(AFTER) if u.level == "commune"]
    assert {vn.parent_on(u, AFTER) for u in communes} == codes
    # Lạng Sơn kept its borders (the same unit, code 20) but lost its districts
    assert vn.unit_at("20", AFTER).start is None
    lang_son = [u for u in communes if vn.parent_on(u, AFTER) == "20"]
    assert lang_son
    old = [u for u in vn.units_on(BEFORE) if u.level == "commune"]
    districts = {u.code for u in vn.units_on(BEFORE) if u.level == "district"}
    assert {vn.parent_on(u, BEFORE) for u in old} <= districts  # under their districts


def test_every_old_commune_goes_into_the_new_map(vn):
    for unit in vn.units_on(BEFORE):
        if unit.level != "commune":
            continue
        steps, lost = vn.trace(unit, BEFORE, AFTER)
        assert lost == 0 and pytest.approx(sum(s.share for s in steps)) == 1
        assert all(s.unit.in_force(AFTER) for s in steps)


def test_the_lineage_is_generated_from_the_pinned_package():
    if importlib.util.find_spec(vn2025.PACKAGE) is None:
        pytest.skip("vietnamadminunits is not installed (the dev extra installs it)")
    with gzip.open(vn2025.OUT, "rt", encoding="utf-8") as f:
        shipped = pd.read_csv(f, dtype=str, keep_default_na=False)
    text = io.StringIO()
    vn2025.rows().to_csv(text, index=False, lineterminator="\n")
    fresh = pd.read_csv(io.StringIO(text.getvalue()), dtype=str, keep_default_na=False)
    pd.testing.assert_frame_equal(shipped, fresh)


# --- DTI 2024 on the 34 provinces -------------------------------------------------------


@pytest.fixture(scope="module")
def dti_2024() -> pd.DataFrame:
    main = dti.build().main_2021_2024
    return main[main["period"] == "2024"].reset_index(drop=True)


def test_dti_2024_on_the_34_provinces_is_the_mean_of_the_predecessors(vn, dti_2024):
    m = ix.load("vn-dti-2022")
    result = ln.compute(m, dti_2024, vn, AFTER)
    assert len(result.data.units) == 34
    old = dti_2024.set_index("unit")
    p = result.data.period_index("2024")
    maxima = {c: m.nodes[c].spec.max_points or 0 for c in m.indicators}
    for new in provinces(vn, AFTER):
        u = result.data.unit_index(new.code)
        sources = [vn.units[f.source].code for f in vn.predecessors(new)] or [new.code]
        for code in m.indicators:
            if code == "smart_city":
                continue
            expected = old.loc[sources, code].mean()
            assert result.data.values[code][p, u] == pytest.approx(expected)
        pdti = sum(result.data.values[c][p, u] * maxima[c] for c in maxima if maxima[c]) / 1000
        assert result.scores["index"][p, u] == pytest.approx(pdti)
    assert result.data.names["15"] == "Lào Cai" and result.data.names["80"] == "Tây Ninh"
    assert result.ranking("2024").iloc[0]["unit"] == "01"


def test_before_the_change_dti_2024_stays_on_the_63(vn, dti_2024):
    m = ix.load("vn-dti-2022")
    plain = ix.compute(m, ix.dataset_from_frame(dti_2024, m))
    on_old = ln.compute(m, dti_2024, vn, BEFORE)
    assert on_old.data.units == plain.data.units and on_old.carried.empty
    np.testing.assert_array_equal(on_old.scores["index"], plain.scores["index"])
    assert on_old.data.names["15"] == "Yên Bái"


def test_explain_shows_the_predecessors_raw_values(vn, dti_2024):
    m = ix.load("vn-dti-2022")
    table = ln.compute(m, dti_2024, vn, AFTER).explain("15", "2024")
    rows = table[(table["kind"] == "predecessor") & (table["node"] == "awareness")]
    old = dti_2024.set_index("unit")
    assert rows["from_unit"].tolist() == ["10", "15"]
    assert rows["name"].tolist() == ["Lào Cai", "Yên Bái"]
    assert rows["raw"].tolist() == [old.loc["10", "awareness"], old.loc["15", "awareness"]]
    indicator = table[(table["kind"] == "indicator") & (table["node"] == "awareness")].iloc[0]
    assert indicator["carried_from"] == "10,15"
    assert indicator["raw"] == pytest.approx(rows["raw"].mean())
    # an unchanged province has no predecessor rows
    assert "predecessor" not in set(
        ln.compute(m, dti_2024, vn, AFTER).explain("01", "2024")["kind"]
    )
