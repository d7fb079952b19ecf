"""Bad input tables: every problem names its row and column; nothing is computed."""

import textwrap

import numpy as np
import pandas as pd
import pytest

from dxscore import index as ix

METHODOLOGY = ix.loads(
    textwrap.dedent(
        """
        id: small
        version: 1
        title: Small
        scale: [0, 1]
        groups: [region]
        denominators: [{code: pop}]
        defaults: {indicator: {normalisation: {method: goalposts, lower: 0, upper: 100}}}
        tree:
          children:
            - {code: a, range: [0, 100]}
            - {code: b, denominator: pop, per: 100, imputation: {method: mean, group: region}}
            - {code: c, required: false}
        """
    ),
    source="small.yaml",
)


def write(tmp_path, text: str, name: str = "data.csv"):
    path = tmp_path / name
    path.write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
    return path


def problems(tmp_path, text: str, units=None) -> list[tuple[str, str]]:
    with pytest.raises(ix.DataError) as info:
        ix.load_dataset(write(tmp_path, text), METHODOLOGY, units=units)
    return info.value.problems


def test_wide_table_loads_with_groups_and_denominators(tmp_path):
    data = ix.load_dataset(
        write(
            tmp_path,
            """
            unit,period,region,a,b,pop,c
            X,2024,north,10,5,50,
            Y,2024,south,20,,80,3
            """,
        ),
        METHODOLOGY,
    )
    assert data.units == ["X", "Y"] and data.periods == ["2024"]
    assert list(data.groups["region"]) == ["north", "south"]
    result = ix.compute(METHODOLOGY, data)
    assert result.stages.denominated["b"][0, 0] == pytest.approx(10.0)  # 5 / 50 * 100


def test_long_table_loads(tmp_path):
    data = ix.load_dataset(
        write(
            tmp_path,
            """
            unit,period,indicator,value,region
            X,2024,a,10,north
            X,2024,b,5,north
            X,2024,pop,50,north
            """,
        ),
        METHODOLOGY,
    )
    assert data.values["a"][0, 0] == 10.0 and data.present.all()


def test_non_numeric_and_out_of_range_values_name_row_and_column(tmp_path):
    found = problems(
        tmp_path,
        """
        unit,period,region,a,b,pop
        X,2024,north,abc,5,50
        Y,2024,south,120,1,80
        """,
    )
    assert ("row 2, column 'a'", "'abc' is not a number") in found
    assert ("row 3, column 'a'", "120 is outside the valid range [0, 100] of 'a'") in found


def test_unknown_column_and_unknown_indicator_are_errors(tmp_path):
    assert ("column 'zz'", "not an indicator, denominator or group of small v1") in problems(
        tmp_path, "unit,period,region,a,zz\nX,2024,n,1,2\n"
    )
    found = problems(tmp_path, "unit,period,indicator,value,region\nX,2024,nope,1,n\n")
    assert found[0] == ("row 2, column 'indicator'", "unknown indicator 'nope' in small v1")


def test_duplicate_rows_point_at_the_first(tmp_path):
    found = problems(
        tmp_path,
        """
        unit,period,indicator,value,region
        X,2024,a,1,n
        X,2024,a,2,n
        """,
    )
    assert found == [("row 3", "duplicate of row 2 (unit 'X', period '2024', 'a')")]


def test_missing_required_indicator_is_an_error_but_imputed_or_optional_are_not(tmp_path):
    found = problems(
        tmp_path,
        """
        unit,period,region,a,b,pop
        X,2024,north,,5,50
        """,
    )
    fix = (
        "to accept it, mark 'a' 'required: false' (aggregation then skips it) or give it an "
        "imputation (e.g. 'imputation: mean') at index > a in small v1"
    )
    assert found == [("indicator 'a'", f"no values at all, and the methodology requires it; {fix}")]
    found = problems(
        tmp_path,
        """
        unit,period,region,a,b,pop
        X,2024,north,,5,50
        Y,2024,north,3,,50
        """,
    )
    assert found == [
        (
            "unit 'X', period '2024'",
            f"no value for 'a', which is required and has no imputation; {fix}",
        )
    ]


def test_bad_period_and_empty_unit(tmp_path):
    found = problems(
        tmp_path,
        """
        unit,period,region,a
        X,24,north,1
        ,2024,north,1
        """,
    )
    assert ("row 2, column 'period'", "'24' is not a period (2024, 2024Q3 or 2024-07)") in found
    assert ("row 3, column 'unit'", "empty unit") in found


def test_units_file_rejects_unknown_units(tmp_path):
    units = pd.DataFrame({"unit": ["X"], "region": ["north"]})
    found = problems(tmp_path, "unit,period,a\nX,2024,1\nQ,2024,2\n", units=units)
    assert found == [("row 3, column 'unit'", "unknown unit 'Q'")]


def test_missing_group_label_is_an_error(tmp_path):
    found = problems(tmp_path, "unit,period,region,a\nX,2024,,1\n")
    assert found == [("unit 'X'", "no 'region' group")]


def test_xlsx_and_parquet_read_like_csv(tmp_path):
    frame = pd.DataFrame(
        {
            "unit": ["X", "Y"],
            "period": [2024, 2024],
            "region": ["n", "s"],
            "a": [1.5, 2.0],
            "b": [1, 2],
            "pop": [10, 20],
        }
    )
    frame.to_excel(tmp_path / "d.xlsx", index=False)
    frame.to_parquet(tmp_path / "d.parquet")
    for name in ("d.xlsx", "d.parquet"):
        data = ix.load_dataset(tmp_path / name, METHODOLOGY)
        assert data.periods == ["2024"] and data.values["a"][0].tolist() == [1.5, 2.0]


def test_missing_markers_mean_no_value_and_inf_is_not_a_number(tmp_path):
    data = ix.load_dataset(
        write(tmp_path, "unit,period,region,a,c\nX,2024,n,1,NA\nY,2024,n,2,-\n"), METHODOLOGY
    )
    assert pd.isna(data.values["c"]).all()
    assert ("row 2, column 'a'", "'inf' is not a number") in problems(
        tmp_path, "unit,period,region,a\nX,2024,n,inf\n"
    )


def test_undecodable_file_is_a_clear_error(tmp_path):
    path = tmp_path / "latin.csv"
    path.write_bytes("unit,period,a\nHà Nội,2024,1\n".encode("utf-16"))
    with pytest.raises(ix.DataError) as info:
        ix.load_dataset(path, METHODOLOGY)
    assert "not UTF-8" in str(info.value) or "cannot read" in str(info.value)


def test_problems_carry_their_row_and_column_as_fields(tmp_path):
    found = problems(tmp_path, "unit,period,region,a\nX,2024,n,abc\n")
    problem = next(p for p in found if p[0].startswith("row"))
    assert (problem.row, problem.column, problem.message) == (2, "a", "'abc' is not a number")


def test_partial_tables_skip_the_required_values_rule(tmp_path):
    path = write(tmp_path, "unit,period,region,b,pop\nX,2024,north,5,50\n")
    with pytest.raises(ix.DataError):
        ix.load_dataset(path, METHODOLOGY)
    frame = pd.read_csv(path, dtype=str)
    data = ix.dataset_from_frame(frame, METHODOLOGY, partial=True)
    assert np.isnan(data.values["a"][0, 0])


def test_ignore_unknown_leaves_out_extra_indicators_and_lists_them(tmp_path):
    path = write(tmp_path, "unit,period,indicator,value,region\nX,2024,a,1,n\nX,2024,extra,9,n\n")
    with pytest.raises(ix.DataError):
        ix.load_dataset(path, METHODOLOGY)
    data = ix.load_dataset(path, METHODOLOGY, ignore_unknown=True)
    assert data.ignored == ["extra"] and data.values["a"][0, 0] == 1.0
    wide = write(tmp_path, "unit,period,region,a,zz\nX,2024,n,1,2\n", "wide.csv")
    assert ix.load_dataset(wide, METHODOLOGY, ignore_unknown=True).ignored == ["zz"]


def test_several_files_combine_and_a_value_given_twice_is_an_error(tmp_path):
    one = write(tmp_path, "unit,period,region,a\nX,2024,n,1\nY,2024,s,2\n", "one.csv")
    two = write(tmp_path, "unit,period,indicator,value\nX,2024,b,5\nX,2024,pop,50\n", "two.csv")
    data = ix.load_datasets([one, two], METHODOLOGY)
    assert data.units == ["X", "Y"]
    assert data.values["a"][0].tolist() == [1.0, 2.0] and data.values["b"][0, 0] == 5.0
    assert list(data.groups["region"]) == ["n", "s"]
    clash = write(tmp_path, "unit,period,indicator,value\nY,2024,a,3\n", "three.csv")
    with pytest.raises(ix.DataError) as info:
        ix.load_datasets([one, clash], METHODOLOGY)
    assert info.value.problems == [
        ("unit 'Y', period '2024'", f"'a' is given in both {one} and {clash}")
    ]


def test_required_values_are_checked_on_the_combined_files(tmp_path):
    one = write(tmp_path, "unit,period,region,b\nX,2024,n,1\n", "one.csv")
    two = write(tmp_path, "unit,period,indicator,value\nY,2024,a,3\n", "two.csv")
    with pytest.raises(ix.DataError) as info:
        ix.load_datasets(
            [one, two], METHODOLOGY, units=pd.DataFrame({"unit": ["X", "Y"], "region": ["n", "s"]})
        )
    assert info.value.problems == [
        (
            "unit 'X', period '2024'",
            "no value for 'a', which is required and has no imputation; to accept it, mark 'a' "
            "'required: false' (aggregation then skips it) or give it an imputation (e.g. "
            "'imputation: mean') at index > a in small v1",
        )
    ]


def test_a_unit_listed_twice_names_its_file_row_whatever_the_files_index(tmp_path):
    write(tmp_path, "unit,name\nX,Ex\nY,Why\nX,Again\n", "units.csv")
    # a Parquet file keeps the index it was written with: rows still count from the file's
    pd.DataFrame({"unit": ["X", "Y", "X"]}, index=[10, 11, 12]).to_parquet(
        tmp_path / "units.parquet"
    )
    for name in ("units.csv", "units.parquet"):
        with pytest.raises(ix.DataError) as info:
            ix.read_units(tmp_path / name)
        assert info.value.problems == [("row 4, column 'unit'", "unit 'X' listed twice")]
        assert info.value.problems[0].row == 4


def test_a_decimal_comma_is_read_and_an_ambiguous_number_refused(tmp_path):
    """Issue 19: "0,6" was read as 6 (the comma dropped as a thousands separator), a
    tenfold value stored without a word. Now a text that reads one way only is read that
    way, and one that reads two ways is an error naming row and column."""
    data = ix.load_dataset(
        write(
            tmp_path,
            """
            unit,period,region,a,b,pop
            X,2024,north,"0,6","1,5","12,345,678"
            Y,2024,south,40,1,80
            """,
        ),
        METHODOLOGY,
    )
    assert data.values["a"][0, 0] == 0.6 and data.values["b"][0, 0] == 1.5
    assert data.values["pop"][0, 0] == 12345678
    found = problems(
        tmp_path,
        """
        unit,period,region,a,b,pop
        X,2024,north,10,5,"1,234"
        """,
    )
    assert (
        "row 2, column 'pop'",
        "'1,234' is ambiguous: 1234 or 1.234; write it without a thousands separator",
    ) in found
