"""Methodology files: defaults, references, and errors that name the file and the path."""

import textwrap

import pytest

from dxscore import index as ix

BASE = """
id: demo
version: 1
title: Demo index
scale: [0, 100]
"""


def load(body: str) -> ix.CompiledMethodology:
    return ix.loads(BASE + textwrap.dedent(body), source="demo.yaml")


def problems(body: str) -> list[tuple[str, str]]:
    with pytest.raises(ix.MethodologyError) as info:
        load(body)
    assert str(info.value).startswith("demo.yaml: ")
    return info.value.problems


def test_defaults_apply_per_file_then_per_level_then_node():
    m = load(
        """
        defaults:
          indicator: {normalisation: {method: goalposts, lower: 0, upper: 10}, unit: "%"}
        levels:
          - name: index
          - name: pillar
            aggregate: {aggregation: geometric}
          - name: indicator
            indicator: {normalisation: {upper: 20}}
        tree:
          children:
            - code: p
              children:
                - {code: a}
                - {code: b, normalisation: minmax, unit: people}
            - {code: c}
        """
    )
    a, b, c = (m.nodes[x].spec for x in "abc")
    assert (a.normalisation.method, a.normalisation.lower, a.normalisation.upper) == (
        "goalposts",
        0,
        20,
    )
    assert b.normalisation.method == "minmax" and b.unit == "people"
    assert c.normalisation.upper == 10 and c.unit == "%"  # depth 1: the pillar level has no
    assert m.nodes["p"].spec.aggregation.method == "geometric"
    assert m.nodes["index"].spec.aggregation.method == "arithmetic"
    assert m.nodes["a"].level == "indicator" and m.nodes["p"].level == "pillar"


def test_root_code_defaults_to_index_and_version_is_text():
    m = load("tree: {children: [{code: a}]}")
    assert "index" in m.nodes and m.version == "1"


def test_unknown_key_is_named_with_its_tree_path():
    found = problems("tree: {children: [{code: p, children: [{code: a, wieght: 2}]}]}")
    assert ("tree > index > p > a > wieght", "unknown key") in found


def test_duplicate_code_names_both_places():
    found = problems("tree: {children: [{code: p, children: [{code: a}]}, {code: a}]}")
    assert any("duplicate code 'a'" in msg and "tree > index > p > a" in msg for _, msg in found)


def test_cycle_through_references_is_reported():
    found = problems(
        """
        tree: {children: [{code: a}]}
        nodes:
          - {code: v1, children: [a, v2]}
          - {code: v2, children: [v1]}
        """
    )
    assert any(msg.startswith("cycle: ") for _, msg in found)


def test_negative_weight_is_rejected_at_its_path():
    found = problems("tree: {children: [{code: a, weight: -1}]}")
    assert found[0][0] == "tree > index > a > weight"
    assert "greater than or equal to 0" in found[0][1]


def test_missing_method_parameter_is_reported():
    found = problems("tree: {children: [{code: a, normalisation: goalposts}]}")
    paths = {p for p, _ in found}
    assert "tree > index > a > normalisation.goalposts.lower" in paths
    assert "tree > index > a > normalisation.goalposts.upper" in paths


def test_points_aggregation_requires_max_points_on_children():
    found = problems("tree: {aggregation: points, children: [{code: a}]}")
    assert found == [("tree > index > a", "'index' sums points: 'max_points' missing")]


def test_unknown_reference_and_undeclared_group_are_reported():
    found = problems(
        """
        tree: {children: [{code: a, imputation: {method: mean, group: region}}]}
        nodes: [{code: v, children: [a, zz]}]
        """
    )
    messages = [m for _, m in found]
    assert "unknown child reference 'zz'" in messages
    assert "imputation group 'region' is not in 'groups'" in messages


def test_target_normalisation_needs_a_target():
    found = problems("tree: {children: [{code: a, normalisation: target}]}")
    assert "needs a 'target'" in found[0][1]


def test_identity_cannot_turn_lower_is_better():
    found = problems("tree: {children: [{code: a, direction: -1, normalisation: identity}]}")
    assert "lower-is-better" in found[0][1]


def test_invalid_yaml_names_the_line():
    with pytest.raises(ix.MethodologyError) as info:
        ix.loads("id: x\ntree: [unclosed\n", source="bad.yaml")
    assert info.value.problems[0][0].startswith("line ")


def test_a_key_given_twice_is_an_error():
    with pytest.raises(ix.MethodologyError) as info:
        ix.loads(BASE + "tree: {children: [{code: a}]}\ntitle: again\n", source="dup.yaml")
    assert "duplicate key 'title'" in info.value.problems[0][1]


def test_all_problems_are_reported_at_once():
    found = problems("tree: {children: [{code: a, weight: -1}, {code: b, colour: red}]}")
    assert len(found) == 2


def test_unknown_builtin_lists_the_builtins():
    with pytest.raises(ix.MethodologyError) as info:
        ix.load("vn-dti-2099")
    assert "vn-dti-2022" in info.value.problems[0][1]


def test_digest_changes_with_a_weight_and_not_with_comments():
    body = "tree: {children: [{code: a}, {code: b}]}"
    one, two = load(body), load("# a comment\n" + body)
    three = load("tree: {children: [{code: a, weight: 2}, {code: b}]}")
    assert one.digest == two.digest != three.digest


def test_examples_and_builtins_are_valid():
    from pathlib import Path

    ix.load(Path(__file__).parents[2] / "examples" / "asem" / "methodology.yaml")
    for mid in ix.builtin_ids():
        assert ix.load(mid).id == mid


def test_target_on_the_wrong_side_of_the_baseline_for_the_direction_is_rejected():
    found = problems(
        "tree: {children: [{code: a, direction: -1, normalisation: {method: target, target: 2}}]}"
    )
    assert found == [
        ("tree > index > a", "the target (2) must be below the baseline (0) for direction -1")
    ]
    m = load(
        "tree: {children: [{code: a, direction: -1,"
        " normalisation: {method: target, target: 2, baseline: 10}}]}"
    )
    assert m.nodes["a"].spec.normalisation.baseline == 10


@pytest.mark.parametrize(
    ("indicator", "other_periods"),
    [
        ("{code: a, name: A}", False),
        ("{code: a, name: A, imputation: mean}", False),
        ("{code: a, name: A, imputation: locf}", True),
        ("{code: a, name: A, imputation: linear}", True),
        ("{code: a, name: A, normalisation: {method: minmax, pooled: true}}", True),
    ],
)
def test_a_methodology_says_whether_a_period_depends_on_other_periods(indicator, other_periods):
    m = load(
        f"""
        tree:
          code: index
          name: Index
          children:
            - {indicator}
            - {{code: b, name: B}}
        """
    )
    assert m.uses_other_periods is other_periods


def test_a_node_gives_its_spec_as_the_kind_it_is_and_refuses_the_other():
    m = load("tree: {children: [{code: p, children: [{code: a, unit: '%'}]}]}")
    indicator, aggregate = m.nodes["a"], m.nodes["p"]
    assert indicator.indicator_spec is indicator.spec and indicator.indicator_spec.unit == "%"
    assert aggregate.aggregate_spec is aggregate.spec
    assert aggregate.aggregate_spec.aggregation.method == "arithmetic"
    with pytest.raises(TypeError, match="'p' is an aggregate, not an indicator"):
        _ = aggregate.indicator_spec
    with pytest.raises(TypeError, match="'a' is an indicator, not an aggregate"):
        _ = indicator.aggregate_spec
