"""Hand-computed unit tests of every pipeline step in ``dxscore.index.steps``.

Arrays are ``(P, U)`` (periods by units) for indicator steps and ``(..., C)`` (children
last) for aggregation; every expected number is worked out in a comment next to it.
"""

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from pydantic import TypeAdapter
from scipy import stats

from dxscore.index import methods as m
from dxscore.index import steps

nan = np.nan
SCALE = (0.0, 100.0)
_NORM = TypeAdapter(m.Normalisation)


def arr(*rows) -> np.ndarray:
    return np.array(rows, dtype=float)


def norm(x, method, direction=1, scale=SCALE, indicator_target=None, **params):
    spec = _NORM.validate_python({"method": method, **params})
    return steps.normalise(np.asarray(x, dtype=float), spec, scale, direction, indicator_target)


def agg(scores, weights, method="arithmetic", scale=SCALE, **kw):
    p = kw.pop("p", None)
    spec = m.Aggregation(method=method, p=p)
    return steps.aggregate(
        np.asarray(scores, dtype=float), np.asarray(weights, dtype=float), spec, scale, **kw
    )


# --- denomination ----------------------------------------------------------------------


def test_denominate_divides_and_multiplies_by_per():
    # 10 / 2 * 1000 = 5000; 30 / 60 * 1000 = 500
    out = steps.denominate(arr([10, 30]), arr([2, 60]), per=1000)
    assert_allclose(out, [[5000.0, 500.0]])


def test_denominate_with_zero_or_missing_denominator_gives_missing():
    # 1/0 = inf -> missing; 0/0 -> missing; x/NaN -> missing; NaN/2 -> missing; 6/3 = 2
    out = steps.denominate(arr([1, 0, 5, nan, 6]), arr([0, 0, nan, 2, 3]))
    assert_array_equal(out, [[nan, nan, nan, nan, 2.0]])


# --- imputation --------------------------------------------------------------------------

# two periods, four units; unit 3 has no row in period 0 (absent, not missing)
X_IMP = arr([1, nan, 3, nan], [nan, 5, nan, 7])
PRESENT = np.array([[True, True, True, False], [True, True, True, True]])


def test_impute_none_leaves_missing_values_and_flags_nothing():
    out, mask = steps.impute(X_IMP, PRESENT, m.Imputation(method="none"))
    assert_array_equal(out, X_IMP)
    assert not mask.any()
    assert out is not X_IMP


def test_impute_zero_fills_present_units_only():
    out, mask = steps.impute(X_IMP, PRESENT, m.Imputation(method="zero"))
    # unit 3 in period 0 is absent: it stays missing and is not flagged
    assert_array_equal(out, [[1, 0, 3, nan], [0, 5, 0, 7]])
    assert_array_equal(mask, [[False, True, False, False], [True, False, True, False]])


def test_impute_constant_fills_the_given_value():
    out, mask = steps.impute(X_IMP, PRESENT, m.Imputation(method="constant", value=2.5))
    assert_array_equal(out, [[1, 2.5, 3, nan], [2.5, 5, 2.5, 7]])
    assert mask.sum() == 3


def test_impute_mean_over_all_units_of_the_same_period():
    out, mask = steps.impute(X_IMP, PRESENT, m.Imputation(method="mean"))
    # period 0: (1 + 3) / 2 = 2; period 1: (5 + 7) / 2 = 6
    assert_array_equal(out, [[1, 2, 3, nan], [6, 5, 6, 7]])
    assert_array_equal(mask, [[False, True, False, False], [True, False, True, False]])


def test_impute_median_over_all_units_differs_from_the_mean():
    x = arr([1, 2, 12, nan])
    present = np.ones_like(x, dtype=bool)
    med, _ = steps.impute(x, present, m.Imputation(method="median"))
    mean, _ = steps.impute(x, present, m.Imputation(method="mean"))
    assert med[0, 3] == 2.0  # median of 1, 2, 12
    assert mean[0, 3] == 5.0  # (1 + 2 + 12) / 3


def test_impute_mean_and_median_over_a_group():
    x = arr([1, nan, 4, 8, 30, nan], [nan, 3, nan, nan, nan, nan])
    present = np.ones_like(x, dtype=bool)
    labels = np.array(["a", "a", "b", "b", "b", "b"], dtype=object)
    out, mask = steps.impute(x, present, m.Imputation(method="mean", group="a"), labels)
    # period 0: group a -> 1; group b -> (4 + 8 + 30) / 3 = 14
    assert_array_equal(out[0], [1, 1, 4, 8, 30, 14])
    # period 1: group a -> 3; group b has no value in that period: stays missing, not flagged
    assert_array_equal(out[1], [3, 3, nan, nan, nan, nan])
    assert_array_equal(mask[1], [True, False, False, False, False, False])
    out, _ = steps.impute(x, present, m.Imputation(method="median", group="a"), labels)
    assert out[0, 5] == 8.0  # median of 4, 8, 30


# four periods, three units
X_TIME = arr(
    [1, nan, 0],
    [nan, 2, nan],
    [nan, nan, 10],
    [4, nan, nan],
)


def test_impute_locf_carries_the_last_observation_forward():
    present = np.ones_like(X_TIME, dtype=bool)
    out, mask = steps.impute(X_TIME, present, m.Imputation(method="locf"))
    # unit 1 has nothing before period 1: period 0 stays missing and is not flagged
    assert_array_equal(out, [[1, nan, 0], [1, 2, 0], [1, 2, 10], [4, 2, 10]])
    assert_array_equal(
        mask,
        [[False, False, False], [True, False, True], [True, True, False], [False, True, True]],
    )


def test_impute_linear_interpolates_in_time_and_leaves_the_edges_missing():
    present = np.ones_like(X_TIME, dtype=bool)
    out, mask = steps.impute(X_TIME, present, m.Imputation(method="linear"))
    # unit 0: 1 .. 4 over three steps -> 2, 3; unit 2: 0 .. 10 over two steps -> 5
    # unit 1: nothing before period 1 and nothing after it -> no interpolation
    # unit 2 period 3: nothing after -> stays missing (no extrapolation)
    assert_array_equal(out, [[1, nan, 0], [2, 2, 5], [3, nan, 10], [4, nan, nan]])
    assert_array_equal(mask.sum(axis=0), [2, 0, 1])


def test_impute_in_time_does_not_fill_absent_units():
    present = np.ones_like(X_TIME, dtype=bool)
    present[1, 2] = False  # unit 2 has no row in period 1
    for method in ("locf", "linear"):
        out, mask = steps.impute(X_TIME, present, m.Imputation(method=method))
        assert np.isnan(out[1, 2]) and not mask[1, 2], method
        assert out[1, 0] == (1.0 if method == "locf" else 2.0)


# --- outlier treatment -------------------------------------------------------------------


def test_sample_skew_and_kurtosis_are_excel_skew_and_kurt():
    x = np.array([1.0, 2.0, 3.0, 10.0])
    # mean 4; deviations -3 -2 -1 6; sum d^2 = 50, s^2 = 50/3
    # SKEW = n/((n-1)(n-2)) * sum d^3 / s^3 = 4/6 * 180 / (50/3)^1.5 = 1.76363...
    skew = 4 / 6 * 180 / (50 / 3) ** 1.5
    # KURT = n(n+1)/((n-1)(n-2)(n-3)) * sum d^4 / s^4 - 3(n-1)^2/((n-2)(n-3))
    #      = 20/6 * 1394 / (50/3)^2 - 27/2 = 3.228
    kurt = 20 / 6 * 1394 / (50 / 3) ** 2 - 13.5
    assert skew == pytest.approx(1.7636317)
    assert kurt == pytest.approx(3.228)
    assert steps.sample_skew(x) == pytest.approx(skew, rel=1e-12)
    assert steps.sample_kurtosis(x) == pytest.approx(kurt, rel=1e-12)
    y = np.array([3.0, 7.0, 1.0, 40.0, 2.0, 5.0, 11.0])
    assert steps.sample_skew(y) == pytest.approx(stats.skew(y, bias=False), rel=1e-12)
    assert steps.sample_kurtosis(y) == pytest.approx(
        stats.kurtosis(y, fisher=True, bias=False), rel=1e-12
    )


def test_skew_and_kurtosis_of_too_few_or_constant_values_are_zero():
    assert steps.sample_skew(np.array([1.0, 5.0])) == 0.0
    assert steps.sample_kurtosis(np.array([1.0, 5.0, 9.0])) == 0.0
    assert steps.sample_skew(np.full(6, 3.0)) == 0.0
    assert steps.sample_kurtosis(np.full(6, 3.0)) == 0.0


WINSOR = m.Outliers(method="winsorise", skew=2.0, kurtosis=3.5, max_winsorised=5)


def test_series_that_passes_the_test_is_untouched():
    x = np.array([1.0, 2.0, 3.0, 4.0, 5.0, nan])  # skew 0: passes
    out, info = steps.treat_outliers(x, WINSOR)
    assert_array_equal(out, x)
    assert info.winsorised == 0 and not info.log and info.describe() == ""


def test_outlier_method_none_never_changes_values():
    x = np.array([1, 2, 3, 4, 5, 6, 7, 8, 9, 100.0])
    out, info = steps.treat_outliers(x, m.Outliers(method="none"))
    assert_array_equal(out, x)
    assert info.winsorised == 0 and not info.log and info.describe() == ""


def test_winsorisation_moves_the_highest_value_to_the_next_one():
    x = np.array([1, 2, 3, 4, 5, 6, 7, 8, 9, 100.0, nan])
    # skew 3.12 >= 2 and kurtosis 9.80 >= 3.5: fails; 100 -> 9 leaves skew -0.15: passes
    assert steps.sample_skew(x[:-1]) == pytest.approx(3.1188957, rel=1e-6)
    out, info = steps.treat_outliers(x, WINSOR)
    assert_array_equal(out, [1, 2, 3, 4, 5, 6, 7, 8, 9, 9, nan])
    assert info.winsorised == 1 and not info.log
    assert info.describe() == "winsorised (1 value(s) moved)"


def test_winsorisation_of_negative_skew_moves_the_lowest_value_up():
    x = np.array([5, -100, 1, 2, 3, 4, 6, 7, 8, 9.0])
    out, info = steps.treat_outliers(x, WINSOR)
    assert_array_equal(out, [5, 1, 1, 2, 3, 4, 6, 7, 8, 9])  # -100 -> 1
    assert info.winsorised == 1


# 1..20, 60, 80, 100: skew 2.38, kurtosis 5.07 -> fails
# k = 1: 100 -> 80 gives skew 2.17, kurtosis 3.78 -> still fails
# k = 2: the two highest take the third highest, 60: skew 1.91 -> passes
TWO_OUTLIERS = np.r_[np.arange(1.0, 21.0), 60.0, 80.0, 100.0]


def test_winsorisation_moves_the_k_most_extreme_values_to_the_k_plus_first():
    out, info = steps.treat_outliers(TWO_OUTLIERS, WINSOR)
    assert_array_equal(out, np.r_[np.arange(1.0, 21.0), 60.0, 60.0, 60.0])
    assert info.winsorised == 2 and not info.log
    assert info.skew == pytest.approx(steps.sample_skew(out))


def test_log_fallback_when_max_winsorised_is_reached():
    spec = m.Outliers(method="winsorise", max_winsorised=1, log_fallback=True)
    out, info = steps.treat_outliers(TWO_OUTLIERS, spec)
    # the original values are log-transformed: log(x - min + 0.01 (max - min))
    assert_allclose(out, np.log(TWO_OUTLIERS - 1.0 + 0.99))
    assert info.log and info.winsorised == 0 and info.describe() == "log-transformed"


def test_without_log_fallback_the_partly_winsorised_values_are_kept():
    spec = m.Outliers(method="winsorise", max_winsorised=1, log_fallback=False)
    out, info = steps.treat_outliers(TWO_OUTLIERS, spec)
    assert_array_equal(out, np.r_[np.arange(1.0, 21.0), 60.0, 80.0, 80.0])
    assert info.winsorised == 1 and not info.log
    assert info.skew == pytest.approx(2.1749154, rel=1e-6)  # still failing


def test_log_method_transforms_a_failing_series_straight_away_keeping_the_order():
    x = np.array([1, 2, 3, 4, 5, 6, 7, 8, 9, 100.0, nan])
    out, info = steps.treat_outliers(x, m.Outliers(method="log"))
    assert info.log
    assert_allclose(out[:-1], np.log(x[:-1] - 1 + 0.99))  # shift 0.01 * (100 - 1)
    assert np.isnan(out[-1])
    # negative skew: -log(max - x + shift), which keeps the order of the values
    y = np.array([-100, 1, 2, 3, 4, 5, 6, 7, 8, 9.0])
    out, info = steps.treat_outliers(y, m.Outliers(method="log"))
    assert_allclose(out, -np.log(9 - y + 1.09))
    assert np.all(np.diff(out) > 0)


# --- normalisation -----------------------------------------------------------------------


def test_identity_keeps_the_values():
    assert_array_equal(norm([[3.5, nan, -2]], "identity", range=(0, 1)), [[3.5, nan, -2]])


def test_minmax_to_a_custom_range():
    # shares (x - 2) / 8: 0, 0.25, 1 -> 1 + 6 * share
    assert_allclose(norm([[2, 4, 10, nan]], "minmax", range=(1, 7)), [[1, 2.5, 7, nan]])


def test_minmax_defaults_to_the_output_scale_and_turns_lower_is_better():
    assert_allclose(norm([[2, 4, 10]], "minmax"), [[0, 25, 100]])
    # direction -1: (max - x) / (max - min) = 1, 0.75, 0
    assert_allclose(norm([[2, 4, 10]], "minmax", direction=-1), [[100, 75, 0]])


def test_minmax_with_constant_column_gives_upper_bound():
    assert_array_equal(norm([[5, 5, nan]], "minmax", range=(1, 7)), [[7, 7, nan]])


def test_minmax_per_period_versus_pooled():
    x = [[0, 10], [10, 20]]
    assert_allclose(norm(x, "minmax"), [[0, 100], [0, 100]])
    # pooled: min 0, max 20 over both periods
    assert_allclose(norm(x, "minmax", pooled=True), [[0, 50], [50, 100]])


def test_goalposts_truncates_outside_values():
    # (x - 0) / 50 -> -0.2, 0, 0.5, 1, 1.6 -> clipped to [0, 1]
    x = [[-10, 0, 25, 50, 80, nan]]
    assert_allclose(norm(x, "goalposts", lower=0, upper=50), [[0, 0, 50, 100, 100, nan]])


def test_goalposts_without_truncation_extrapolates():
    x = [[-10, 0, 25, 50, 80]]
    out = norm(x, "goalposts", lower=0, upper=50, truncate=False)
    assert_allclose(out, [[-20, 0, 50, 100, 160]])


def test_goalposts_with_direction_minus_one_scores_the_lower_goalpost_best():
    # 1 - x / 50 -> 1.2, 1, 0.5, 0, -0.6 -> clipped
    x = [[-10, 0, 25, 50, 80]]
    out = norm(x, "goalposts", direction=-1, lower=0, upper=50, range=(0, 1))
    assert_allclose(out, [[1, 1, 0.5, 0, 0]])


def test_goalposts_do_not_depend_on_other_units():
    a = norm([[20, 30]], "goalposts", lower=0, upper=40)
    b = norm([[20, 400]], "goalposts", lower=0, upper=40, truncate=False)
    assert a[0, 0] == b[0, 0] == 50.0


def test_zscore_with_custom_mean_and_sd():
    # mean 4, sample sd 2 -> z = -1, 0, 1 -> 50 + 10 z
    assert_allclose(norm([[2, 4, 6, nan]], "zscore", mean=50, sd=10), [[40, 50, 60, nan]])
    assert_allclose(norm([[2, 4, 6]], "zscore", direction=-1), [[1, 0, -1]])


def test_zscore_of_constant_column_is_the_mean():
    assert_array_equal(norm([[3, 3, 3]], "zscore", mean=100, sd=15), [[100, 100, 100]])


def test_zscore_pooled_uses_mean_and_sd_of_all_periods():
    # values 1, 3, 5, 7: mean 4, sample variance (9 + 1 + 1 + 9) / 3 = 20/3
    sd = (20 / 3) ** 0.5
    expected = (np.array([[1, 3], [5, 7]]) - 4) / sd
    assert_allclose(norm([[1, 3], [5, 7]], "zscore", pooled=True), expected)
    assert_allclose(norm([[1, 3], [5, 7]], "zscore"), [[-(0.5**0.5), 0.5**0.5]] * 2)


def test_rank_gives_average_ranks_from_the_worst():
    assert_array_equal(norm([[10, 30, 20, 30, nan]], "rank"), [[1, 3.5, 2, 3.5, nan]])
    assert_array_equal(norm([[10, 30, 20, 30]], "rank", direction=-1), [[4, 1.5, 3, 1.5]])


def test_rank_pooled_ranks_all_periods_together():
    assert_array_equal(norm([[5, 1], [3, 9]], "rank", pooled=True), [[3, 1], [2, 4]])


def test_percentile_rank():
    # (rank - 1) / (n - 1) with n = 5
    assert_allclose(norm([[50, 10, 40, 20, 30]], "percentile_rank"), [[100, 0, 75, 25, 50]])
    # ties take the average rank; n = 4 valued units: ranks 1, 3.5, 2, 3.5
    out = norm([[10, 30, 20, 30, nan]], "percentile_rank", range=(0, 1))
    assert_allclose(out, [[0, 2.5 / 3, 1 / 3, 2.5 / 3, nan]])


def test_percentile_rank_of_a_single_unit_is_the_upper_bound():
    assert_array_equal(norm([[7, nan]], "percentile_rank"), [[100, nan]])


def test_target_with_cap():
    # x / 80: 0.5, 1, 1.25 -> capped at 1
    assert_allclose(norm([[40, 80, 100]], "target", target=80), [[50, 100, 100]])
    assert_allclose(norm([[40, 80, 100]], "target", target=80, cap=False), [[50, 100, 125]])
    # below the baseline is always 0
    assert_allclose(norm([[-8]], "target", target=80, cap=False), [[0]])


def test_target_defaults_to_the_indicators_target():
    assert_allclose(norm([[30, 60]], "target", indicator_target=60), [[50, 100]])
    # the method's own target wins over the indicator's
    assert_allclose(norm([[30, 60]], "target", indicator_target=60, target=120), [[25, 50]])


def test_target_with_baseline_observed():
    # baseline = min = 20, target 100: (x - 20) / 80 = 0, 0.375, 0.75
    out = norm([[20, 50, 80]], "target", target=100, baseline="observed")
    assert_allclose(out, [[0, 37.5, 75]])


def test_target_lower_is_better():
    # observed baseline is the max (10), target 0: (x - 10) / (0 - 10) = 0.8, 0.5, 0
    out = norm([[2, 5, 10]], "target", direction=-1, target=0, baseline="observed")
    assert_allclose(out, [[80, 50, 0]])
    # fixed baseline 9 above the target 1: (x - 9) / (1 - 9) = 1.125 -> 1, 0.5, 0, -0.375 -> 0
    out = norm([[0, 5, 9, 12]], "target", direction=-1, target=1, baseline=9)
    assert_allclose(out, [[100, 50, 0, 0]])


def test_distance_to_max_higher_is_better():
    # x / max: 0.2, 0.5, 1
    assert_allclose(norm([[2, 5, 10, nan]], "distance_to_max"), [[20, 50, 100, nan]])


def test_distance_to_max_lower_is_better():
    # min / x: 1, 0.4, 0.2
    assert_allclose(norm([[2, 5, 10]], "distance_to_max", direction=-1), [[100, 40, 20]])


def test_distance_to_max_best_unit_at_zero_scores_the_upper_bound():
    # lower is better and the best value is 0: the best unit scores 1, the others 0 / x = 0
    assert_allclose(norm([[0, 2, 4]], "distance_to_max", direction=-1), [[100, 0, 0]])
    # all zero, higher is better: everyone is at the maximum
    assert_allclose(norm([[0, 0, nan]], "distance_to_max"), [[100, 100, nan]])


def test_distance_to_max_pooled():
    # max over both periods is 20
    out = norm([[5, 10], [20, 15]], "distance_to_max", pooled=True)
    assert_allclose(out, [[25, 50], [100, 75]])


BANDS = [{"threshold": 80, "share": 1.0}, {"threshold": 50, "share": 0.5}]


def test_bands_higher_is_better_take_the_best_band_reached():
    out = norm([[10, 50, 79, 80, 95, nan]], "bands", bands=BANDS)
    assert_array_equal(out, [[0, 50, 50, 100, 100, nan]])
    out = norm([[10, 50]], "bands", bands=BANDS, below=0.1, range=(0, 10))
    assert_allclose(out, [[1, 5]])


def test_bands_lower_is_better_reach_a_band_at_or_below_its_threshold():
    bands = [{"threshold": 20, "share": 0.5}, {"threshold": 10, "share": 1.0}]
    out = norm([[5, 10, 15, 20, 25]], "bands", direction=-1, bands=bands, below=0.2)
    assert_allclose(out, [[100, 100, 50, 50, 20]])


# --- aggregation -------------------------------------------------------------------------


def test_arithmetic_weighted_mean():
    # (60 * 1 + 80 * 2 + 100 * 3) / 6 = 520 / 6
    score, points = agg([[60, 80, 100]], [1, 2, 3])
    assert_allclose(score, [520 / 6])
    assert np.isnan(points).all()


def test_arithmetic_missing_child_is_skipped_and_its_weight_shared():
    # (60 * 1 + 100 * 3) / 4 = 90
    score, _ = agg([[60, nan, 100]], [1, 2, 3])
    assert_allclose(score, [90])


def test_all_children_missing_gives_missing():
    for method in ("arithmetic", "geometric", "harmonic", "minimum", "points"):
        score, _ = agg([[nan, nan]], [1, 1], method)
        assert np.isnan(score).all(), method


def test_geometric_weighted_mean():
    # sqrt(4 * 16) = 8; weights 1, 3: 4^(1/4) * 16^(3/4) = 2^0.5 * 2^3 = 2^3.5
    assert_allclose(agg([[4, 16]], [1, 1], "geometric")[0], [8])
    assert_allclose(agg([[4, 16, nan]], [1, 3, 5], "geometric")[0], [2**3.5])


def test_geometric_mean_with_a_zero_child_is_zero():
    assert_array_equal(agg([[0, 50, 80]], [1, 1, 1], "geometric")[0], [0])
    # ... unless that child has no weight
    assert_allclose(agg([[0, 4, 16]], [0, 1, 1], "geometric")[0], [8])


def test_harmonic_weighted_mean():
    # 2 / (1/2 + 1/6) = 3; weights 1, 2: 3 / (1/2 + 2/6) = 3.6
    assert_allclose(agg([[2, 6]], [1, 1], "harmonic")[0], [3])
    assert_allclose(agg([[2, 6, nan]], [1, 2, 1], "harmonic")[0], [3.6])


def test_harmonic_mean_with_a_zero_child_is_zero():
    assert_array_equal(agg([[0, 6]], [1, 1], "harmonic")[0], [0])


def test_generalised_mean_with_p_2_is_the_quadratic_mean():
    # sqrt((30^2 + 40^2) / 2) = sqrt(1250); weights 1, 3: sqrt((900 + 3 * 1600) / 4)
    assert_allclose(agg([[30, 40]], [1, 1], "generalised", p=2)[0], [1250**0.5])
    assert_allclose(agg([[30, 40]], [1, 3], "generalised", p=2)[0], [1425**0.5])


def test_generalised_mean_with_p_0_is_the_geometric_mean():
    assert_allclose(agg([[4, 16]], [1, 1], "generalised", p=0)[0], [8])


def test_generalised_mean_with_p_1_and_minus_1_is_arithmetic_and_harmonic():
    assert_allclose(agg([[2, 6]], [1, 1], "generalised", p=1)[0], [4])
    assert_allclose(agg([[2, 6]], [1, 1], "generalised", p=-1)[0], [3])


def test_generalised_mean_with_negative_p_skips_a_missing_child():
    # the missing child must not turn 0 ** -1 = inf into a missing score: 2 / (1/2 + 1/6)
    assert_allclose(agg([[2, 6, nan]], [1, 1, 1], "generalised", p=-1)[0], [3])
    assert_allclose(agg([[2, 6, 0]], [1, 1, 0], "generalised", p=-1)[0], [3])
    # a present zero child with weight pulls a negative-p mean to 0, as in the harmonic mean
    assert_allclose(agg([[2, 6, 0]], [1, 1, 1], "generalised", p=-1)[0], [0])


def test_minimum_takes_the_lowest_weighted_available_child():
    assert_array_equal(agg([[70, 40, nan, 90]], [1, 1, 1, 1], "minimum")[0], [40])
    assert_array_equal(agg([[70, 40, nan, 90]], [1, 0, 1, 1], "minimum")[0], [70])


def test_points_sum_each_childs_share_of_its_max_points():
    # scale [0, 1]: 0.5 * 100 + 1.0 * 200 + 0.25 * 100 = 275 of 400
    score, points = agg([[0.5, 1.0, 0.25]], [100, 200, 100], "points", scale=(0, 1))
    assert_allclose(points, [275])
    assert_allclose(score, [275 / 400])
    # scale [0, 100]: 50 is half of the child's 40 points; 20 + 60 = 80 of 100
    score, points = agg([[50, 100]], [40, 60], "points")
    assert_allclose(score, [80])
    assert_allclose(points, [80])


def test_points_missing_child_earns_zero_points():
    # 0.5 * 100 + 0 + 0.25 * 100 = 75 of 400 (not skipped: the total stays 400)
    score, points = agg([[0.5, nan, 0.25]], [100, 200, 100], "points", scale=(0, 1))
    assert_allclose(points, [75])
    assert_allclose(score, [75 / 400])


def test_points_are_capped_at_max_points():
    w = [100, 200, 100]
    # 100 + 200 + 50 = 350 points, capped at the node's 250 -> score 1
    score, points = agg([[1.0, 1.0, 0.5]], w, "points", scale=(0, 1), max_points=250)
    assert_allclose(points, [250])
    assert_allclose(score, [1.0])
    # 50 + 100 + 50 = 200 of 250 -> 0.8
    score, points = agg([[0.5, 0.5, 0.5]], w, "points", scale=(0, 1), max_points=250)
    assert_allclose(points, [200])
    assert_allclose(score, [0.8])


def test_min_coverage_threshold():
    scores = [[60, nan, nan], [60, 90, nan]]
    score, _ = agg(scores, [1, 1, 1], min_coverage=0.5)
    # coverage 1/3 < 0.5 -> missing; 2/3 -> (60 + 90) / 2 = 75
    assert_array_equal(score, [nan, 75])
    # exactly at the threshold is enough: 2 of 4 children with min_coverage 0.5
    score, _ = agg([[60, 90, nan, nan]], [1, 1, 1, 1], min_coverage=0.5)
    assert_array_equal(score, [75])
    score, points = agg([[1.0, nan, nan]], [10, 10, 10], "points", (0, 1), min_coverage=0.5)
    assert np.isnan(score).all() and np.isnan(points).all()


def test_aggregation_broadcasts_over_leading_axes():
    scores = np.array([[[60, 80], [20, 40]], [[0, 100], [nan, 10]]])  # (2, 2, 2)
    score, _ = agg(scores, [1, 3])
    # (60 + 240) / 4 = 75; (20 + 120) / 4 = 35; 300 / 4 = 75; 10
    assert_allclose(score, [[75, 35], [75, 10]])


def test_negative_inputs_flags_rows_a_mean_cannot_take():
    x = np.array([[1.0, -0.5], [1.0, nan], [0.0, 2.0]])
    for method in ("geometric", "harmonic"):
        assert_array_equal(steps.negative_inputs(x, m.Aggregation(method=method)), [1, 0, 0])
    assert_array_equal(
        steps.negative_inputs(x, m.Aggregation(method="generalised", p=2)), [1, 0, 0]
    )
    assert not steps.negative_inputs(x, m.Aggregation(method="arithmetic")).any()


def test_rescale_minmax_per_period():
    out = steps.rescale_minmax(arr([10, 20, 30, nan], [5, 5, 5, 5]), (0, 1))
    assert_allclose(out, [[0, 0.5, 1, nan], [1, 1, 1, 1]])


# --- ranking -----------------------------------------------------------------------------


def test_competition_rank_ties_share_the_smallest_rank():
    assert_array_equal(steps.competition_rank(arr([90, 80, 80, 70])), [[1, 2, 2, 4]])
    assert_array_equal(steps.competition_rank(arr([5, 5, 5, 9])), [[2, 2, 2, 1]])


def test_competition_rank_leaves_missing_scores_unranked():
    assert_array_equal(steps.competition_rank(arr([nan, 50, 60, nan])), [[nan, 2, 1, nan]])


def test_competition_rank_rounds_before_ranking():
    x = arr([80.004, 80.001, 79.996, 79.994])
    assert_array_equal(steps.competition_rank(x), [[1, 2, 3, 4]])
    # to 2 decimals: 80.00, 80.00, 80.00, 79.99
    assert_array_equal(steps.competition_rank(x, decimals=2), [[1, 1, 1, 4]])


def test_competition_rank_ranks_each_period_separately():
    assert_array_equal(steps.competition_rank(arr([1, 2], [4, 3])), [[2, 1], [1, 2]])


def test_rank_change_is_places_gained_since_the_previous_period():
    ranks = arr([1, 2, 3, nan], [2, 1, 3, 1], [3, 1, 1, 2])
    # period 1: 1 -> 2 lost a place (-1), 2 -> 1 gained one, unchanged 0, unranked before
    assert_array_equal(
        steps.rank_change(ranks), [[nan, nan, nan, nan], [-1, 1, 0, nan], [-1, 0, 2, -1]]
    )
