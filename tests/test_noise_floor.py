"""Tests for splice_core.noise_floor: a perfect model's expected figures, from literal replicated designs."""
import numpy as np
import pandas as pd
import pytest

from splice_core.noise_floor import floor_metrics, interval_95, noise_floor, noise_variances, replicate_rows

# Design "a" (type x) has three barcodes 0.0, 0.0, 0.3 (mean 0.1); design "c" (type z) one barcode.
FRAME = pd.DataFrame({
    "design": ["a", "a", "a", "c"],
    "type": ["x", "x", "x", "z"],
    "splicing_eff": [0.0, 0.0, 0.3, 0.5],
})
PARTS = pd.Series(["test"] * 4)


def test_replicate_rows_keep_designs_with_several_barcodes():
    rows = replicate_rows(FRAME)
    assert rows["design"].tolist() == ["a", "a", "a"]
    assert rows["low"].tolist() == [True, True, False]
    np.testing.assert_allclose(rows["sq_mean"], [0.015, 0.015, 0.06])  # (y - 0.1)^2 * 3/2
    np.testing.assert_allclose(rows["sq_others"], [0.0225, 0.0225, 0.09])


def test_noise_variances_by_hand():
    per_type, per_class, pooled = noise_variances(replicate_rows(FRAME))
    assert per_type["x"] == pytest.approx(0.03)
    assert pooled == pytest.approx(0.03)
    # the other barcodes' own noise, 0.03 / (3 - 1), comes off each squared difference
    assert per_class[("x", True)] == pytest.approx(0.0225 - 0.015)
    assert per_class[("x", False)] == pytest.approx(0.09 - 0.015)


def test_floor_metrics_by_hand():
    test = floor_metrics(FRAME, PARTS, *noise_variances(replicate_rows(FRAME)))["test"]
    assert test["n"] == 4
    assert test["mse"] == pytest.approx(0.03)  # type z has no replicates: the pooled 0.03
    assert test["balanced_mse"] == pytest.approx((0.0075 + (0.075 + 0.03) / 2) / 2)
    assert test["pearson"] == pytest.approx(np.sqrt(1 - 0.03 / 0.045))  # variance of 0, 0, 0.3, 0.5


def test_bootstrap_weights_count_a_design_as_often_as_drawn():
    frame = pd.DataFrame({"design": ["a", "a", "b", "b"], "type": ["x"] * 4, "splicing_eff": [0.2, 0.4, 0.6, 0.6]})
    per_type, _, _ = noise_variances(replicate_rows(frame), np.array([2.0, 2.0, 1.0, 1.0]))
    assert per_type["x"] == pytest.approx((2 * 0.02 + 2 * 0.02) / 6)  # design a twice, b (no noise) once


def test_noise_floor_without_noise_is_perfect_and_its_intervals_hold_the_estimate():
    frame = pd.DataFrame({"design": ["a", "a", "b", "b", "c"], "type": ["x"] * 5, "splicing_eff": [0.2, 0.2, 0.7, 0.7, 0.0]})
    parts = pd.Series(["train", "train", "test", "test", "test"])
    floor = noise_floor(frame, parts, draws=20)
    assert set(floor) == {"train", "test"}
    assert floor["test"]["mse"] == 0 and floor["test"]["balanced_mse"] == 0 and floor["test"]["pearson"] == 1
    assert floor["test"]["pearson_interval"] == [1.0, 1.0]
    noisy = noise_floor(FRAME, PARTS, draws=50)["test"]
    low, high = noisy["mse_interval"]
    assert low <= noisy["mse"] <= high


def test_noise_floor_is_empty_without_replicated_designs():
    frame = pd.DataFrame({"design": ["a", "b"], "type": ["x", "x"], "splicing_eff": [0.1, 0.9]})
    assert noise_floor(frame, pd.Series(["test", "test"])) == {}


def test_interval_95_skips_undefined_values():
    assert np.isnan(interval_95([float("nan")] * 3)).all()
    assert interval_95([1.0, float("nan"), 1.0]) == [1.0, 1.0]
    assert interval_95(list(np.arange(1001.0))) == pytest.approx([25.0, 975.0])
