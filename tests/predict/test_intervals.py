import numpy as np
import pytest

from splice_core.predict.intervals import ConformalIntervals, conformal_quantile, coverage_of, fit_intervals


def test_conformal_quantile_is_the_ceil_n_plus_1_order_statistic():
    assert (
        conformal_quantile(np.array([-0.4, 0.1, 0.3, -0.2]), 0.5) == 0.3
    )  # ceil(5 × 0.5) = 3rd smallest |r|
    assert conformal_quantile(np.array([0.1, 0.2]), 0.9) == np.inf  # ceil(3 × 0.9) = 3 > n


def test_half_widths_follow_the_spread_bins():
    spread = np.r_[np.full(20, 0.01), np.full(20, 0.2)]
    residual = np.r_[np.linspace(-0.05, 0.05, 20), np.linspace(-0.5, 0.5, 20)]
    intervals = fit_intervals(np.full(40, 0.5), spread, 0.5 + residual, coverage=0.5, n_bins=4)
    assert len(intervals.half_widths) == 2  # 40 rows hold two bins of 20
    narrow, wide = intervals.half_widths
    assert narrow == pytest.approx(np.sort(np.abs(residual[:20]))[10]) and wide > 5 * narrow
    low, high = intervals.bounds(np.array([0.02, 0.5]), np.array([0.01, 0.3]))
    assert low[0] == 0.0 and high[0] == pytest.approx(0.02 + narrow)  # clipped at 0
    assert (low[1], high[1]) == (pytest.approx(0.5 - wide), pytest.approx(0.5 + wide))


def test_intervals_cover_their_share_of_new_draws_and_survive_the_card():
    rng = np.random.default_rng(0)
    spread = rng.uniform(0.01, 0.2, 4000)
    measured = rng.normal(0.5, spread)  # errors grow with the spread
    intervals = fit_intervals(np.full(2000, 0.5), spread[:2000], measured[:2000], coverage=0.9)
    covered, width = coverage_of(
        intervals, np.full(2000, 0.5), spread[2000:], measured[2000:], low=-9, high=9
    )
    assert 0.88 <= covered <= 0.92 and width > 0
    again = ConformalIntervals.from_dict(intervals.to_dict())
    assert again == intervals
