"""Lineage files: the format, every bad input named by file, row and column."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from dxscore import lineage as ln

D = dt.date(2025, 7, 1)


def write(tmp_path: Path, text: str, name: str = "lineage.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def problems(tmp_path: Path, text: str) -> list[tuple[str, str]]:
    path = write(tmp_path, text)
    with pytest.raises(ln.LineageError) as caught:
        ln.read(path)
    assert str(path) in str(caught.value)  # the message names the file
    return caught.value.problems


def test_the_minimal_format_date_from_to_share(tmp_path):
    lineage = ln.read(write(tmp_path, "date,from,to,share\n2025-07-01,10,15,\n2025-07-01,15,15,\n"))
    old, new = lineage.units_of("15")
    assert (old.end, new.start) == (dt.date(2025, 6, 30), D)
    assert lineage.unit_at("10", D) is None
    assert [e.kind for e in lineage.events] == ["merge", "merge"]  # inferred


def test_kinds_are_inferred_from_the_shape_of_the_rows(tmp_path):
    text = (
        "date,from,to,share\n"
        "2025-07-01,A,B,0.4\n"
        "2025-07-01,A,C,0.6\n"  # A has two successors: a split
        "2025-07-01,X,Y,\n"  # one to one: a rename, the same unit goes on
    )
    lineage = ln.read(write(tmp_path, text))
    assert [e.kind for e in lineage.events] == ["split", "split", "rename"]
    steps, _ = lineage.trace(lineage.unit_at("X", D - dt.timedelta(1)), D - dt.timedelta(1), D)
    assert [(s.unit.code, s.share, s.same) for s in steps] == [("Y", 1.0, True)]


def test_a_lineage_round_trips_through_its_file(tmp_path):
    text = (
        "date,kind,from,to,share,from_name,to_name,level,parent\n"
        ",unit,,P,,,Province,province,\n"
        ",unit,,D1,,,District 1,district,P\n"
        "2025-07-01,merge,A,B,,Old A,New B,commune,P\n"
        "2025-07-01,abolish,,,,,,district,\n"
    )
    lineage = ln.read(write(tmp_path, text))
    out = tmp_path / "out.csv"
    ln.write(lineage, out)
    again = ln.read(out)
    assert ln.to_frame(again).equals(ln.to_frame(lineage))
    assert again.unit_at("B", D).name == "New B"


def test_every_row_problem_names_its_row_and_column(tmp_path):
    found = problems(
        tmp_path,
        "date,kind,from,to,share\n"
        "2025-13-01,,A,B,\n"
        "2025-07-01,swap,A,B,\n"
        "2025-07-01,,A,B,1.5\n"
        "2025-07-01,,A,B,lots\n"
        ",merge,A,B,\n"
        "2025-07-01,transfer,A,,0.5\n",
    )
    assert (
        "row 2, column 'date'",
        "'2025-13-01' is not a date (use YYYY-MM-DD, e.g. 2025-07-01)",
    ) in found
    wheres = [w for w, _ in found]
    assert "row 3, column 'kind'" in wheres
    assert "row 4, column 'share'" in wheres
    assert "row 5, column 'share'" in wheres
    assert "row 6, column 'date'" in wheres
    assert "row 7, column 'to'" in wheres


def test_unknown_and_missing_columns(tmp_path):
    found = problems(tmp_path, "date,from,share,colour\n2025-07-01,A,1,red\n")
    assert ("column 'to'", "required column is missing") in found
    assert any(w == "column 'colour'" for w, _ in found)


def test_shares_of_a_split_must_add_up_to_one(tmp_path):
    found = problems(tmp_path, "date,from,to,share\n2025-07-01,A,B,0.5\n2025-07-01,A,C,0.3\n")
    assert found == [
        (
            "rows 2, 3",
            "the shares of unit 'A' on 2025-07-01 add up to 0.8, not 1 (a part that moves "
            "while the unit goes on is a 'transfer')",
        )
    ]


def test_two_successors_without_shares(tmp_path):
    found = problems(tmp_path, "date,from,to,share\n2025-07-01,A,B,\n2025-07-01,A,C,\n")
    assert len(found) == 1
    where, message = found[0]
    assert where == "rows 2, 3"
    assert "unit 'A' has 2 successors on 2025-07-01 ('B', 'C') without shares" in message


def test_a_unit_that_ends_twice(tmp_path):
    found = problems(tmp_path, "date,from,to,share\n2025-07-01,A,B,\n2026-01-01,A,C,\n")
    assert found[0][0] == "rows 2, 3"
    assert "unit 'A' ends twice: it ended on 2025-06-30 (row 2)" in found[0][1]


def test_a_unit_abolished_and_merged_on_one_day_ends_twice(tmp_path):
    found = problems(tmp_path, "date,kind,from,to\n2025-07-01,abolish,A,\n2025-07-01,merge,A,B\n")
    assert any("unit 'A' ends twice on 2025-07-01" in m for _, m in found)


def test_overlapping_validities_of_one_code(tmp_path):
    # the new 15 begins while the old 15 (declared in row 2) goes on: two units, one code
    found = problems(
        tmp_path, "date,kind,from,to\n,unit,,15\n2025-07-01,merge,10,15\n2025-07-01,merge,11,15\n"
    )
    assert len(found) == 1
    where, message = found[0]
    assert where == "rows 2, 3"
    assert "overlapping validities of code '15'" in message
    assert "list it among the predecessors" in message


def test_a_code_reused_after_its_unit_ended_is_fine(tmp_path):
    lineage = ln.read(write(tmp_path, "date,from,to\n2020-01-01,A,B\n2025-07-01,C,A\n"))
    first, second = lineage.units_of("A")
    assert first.end == dt.date(2019, 12, 31) and second.start == D


def test_cycles_in_the_parents_are_refused(tmp_path):
    found = problems(
        tmp_path,
        "date,kind,from,to,parent\n,unit,,A,\n,unit,,B,A\n2025-07-01,reparent,A,,B\n",
    )
    assert found == [("rows 3, 4", "cycle in the units' parents on 2025-07-01: 'A' in 'B' in 'A'")]


def test_codes_exchanged_on_one_day_are_not_a_cycle(tmp_path):
    # old A becomes the new B and old B the new A (the 2025 communes have such chains)
    lineage = ln.read(write(tmp_path, "date,from,to\n2025-07-01,A,B\n2025-07-01,B,A\n"))
    before = D - dt.timedelta(1)
    steps, _ = lineage.trace(lineage.unit_at("A", before), before, D)
    assert [s.unit.key for s in steps] == ["B@2025-07-01"]


def test_a_transfer_more_than_the_whole_and_into_itself(tmp_path):
    found = problems(
        tmp_path,
        "date,kind,from,to,share\n2025-07-01,transfer,A,B,0.7\n2025-07-01,transfer,A,C,0.6\n"
        "2025-07-01,transfer,X,X,0.1\n",
    )
    messages = " | ".join(m for _, m in found)
    assert "unit 'A' transfers 1.3 of itself on 2025-07-01, more than all of it" in messages
    assert "unit 'X' transfers a part to itself" in messages


def test_a_rename_is_one_to_one(tmp_path):
    found = problems(
        tmp_path, "date,kind,from,to,share\n2025-07-01,rename,A,B,0.5\n2025-07-01,rename,A,C,0.5\n"
    )
    assert ("row 2", "a rename has one predecessor and one successor") in found


def test_all_problems_are_reported_at_once_and_nothing_is_built(tmp_path):
    found = problems(
        tmp_path,
        "date,from,to,share\n2025-07-01,A,B,\n2025-07-01,A,C,\n2025-07-01,D,E,0.5\n",
    )
    assert len(found) == 2


def test_unknown_builtin_or_missing_file():
    with pytest.raises(ln.LineageError, match="no built-in lineage"):
        ln.load("nowhere.csv")
    assert ln.builtin_ids() == ["vn-2025"]
