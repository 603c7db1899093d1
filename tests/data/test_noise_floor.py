"""Tests for splice_core.data.noise_floor: a perfect model's expected figures, from literal replicated designs."""

import numpy as np
import pandas as pd
import pytest

from splice_core.data.noise_floor import (
    bootstrap_weights,
    explained_share,
    floor_metrics,
    interval_95,
    noise_by_type,
    noise_floor,
    noise_variances,
    replicate_rows,
)

# Design "a" (type x): barcodes 0.0, 0.0, 0.6 (mean 0.2). Design "b" (type w): 0.6, 0.8.
# Designs "c" and "d" (type z) are measured once.
FRAME = pd.DataFrame(
    {
        "construct": ["a", "a", "a", "b", "b", "c", "d"],
        "type": ["x", "x", "x", "w", "w", "z", "z"],
        "splicing_eff": [0.0, 0.0, 0.6, 0.6, 0.8, 0.05, 1.0],
    }
)
PARTS = pd.Series(["test", "test", "test", "train", "train", "test", "test"])


def test_replicate_rows_keep_designs_with_several_barcodes():
    rows = replicate_rows(FRAME)
    assert rows["type"].tolist() == ["x", "x", "x", "w", "w"] and rows["n"].tolist() == [3, 3, 3, 2, 2]
    assert rows["low"].tolist() == [True, True, False, False, False]
    np.testing.assert_allclose(rows["sq_mean"], [0.06, 0.06, 0.24, 0.02, 0.02])  # (y - mean)^2 * n / (n - 1)
    np.testing.assert_allclose(rows["sq_others"], [0.09, 0.09, 0.36, 0.04, 0.04])
    np.testing.assert_allclose(
        rows["var_others"], [0.18, 0.18, 0.0, np.nan, np.nan]
    )  # sample variance of the others


def test_a_design_is_counted_within_its_type():
    frame = pd.DataFrame({"construct": ["a", "a"], "type": ["x", "y"], "splicing_eff": [0.0, 1.0]})
    assert replicate_rows(frame).empty


def test_noise_variances_by_hand():
    per_type, per_class, pooled = noise_variances(replicate_rows(FRAME))
    assert per_type.to_dict() == pytest.approx({"x": 0.12, "w": 0.02})
    assert pooled == pytest.approx(0.4 / 5)
    # classes: designs of 3 or more barcodes only; the others' own noise (their variance / 2) comes off
    assert per_class.to_dict() == pytest.approx({("x", True): 0.09 - 0.18 / 2, ("x", False): 0.36})


def test_noise_by_type_falls_back_to_the_pooled_noise():
    assert noise_by_type(FRAME, replicate_rows(FRAME)) == pytest.approx({"w": 0.02, "x": 0.12, "z": 0.08})
    assert noise_by_type(FRAME[FRAME["type"] == "z"], replicate_rows(FRAME[FRAME["type"] == "z"])) == {}


def test_floor_metrics_by_hand():
    test = floor_metrics(FRAME, PARTS, *noise_variances(replicate_rows(FRAME)))["test"]
    assert test["n"] == 5
    assert test["mse"] == pytest.approx((3 * 0.12 + 2 * 0.08) / 5)  # type z has no replicates: pooled 0.08
    assert test["balanced_mse"] == pytest.approx(((0 + 0 + 0.08) / 3 + (0.36 + 0.08) / 2) / 2)
    y = np.array([0.0, 0.0, 0.6, 0.05, 1.0])
    assert test["pearson"] == pytest.approx(np.sqrt(1 - 0.104 / y.var()))


def test_class_estimates_hold_where_the_noise_grows_with_the_true_mean():
    rng = np.random.default_rng(0)
    mu = np.repeat(rng.uniform(0, 1, 3000), 4)
    noise = rng.normal(0, 0.3 * mu)
    frame = pd.DataFrame(
        {"construct": np.repeat(np.arange(3000), 4), "type": "x", "splicing_eff": mu + noise}
    )
    per_type, per_class, _ = noise_variances(replicate_rows(frame))
    low = frame["splicing_eff"].to_numpy() < 0.1
    assert per_type["x"] == pytest.approx(np.mean(noise**2), rel=0.05)
    assert per_class[("x", True)] == pytest.approx(np.mean(noise[low] ** 2), rel=0.1)
    assert per_class[("x", False)] == pytest.approx(np.mean(noise[~low] ** 2), rel=0.05)


def test_bootstrap_weights_resample_designs_within_each_type():
    replicates = replicate_rows(
        pd.DataFrame(
            {
                "construct": ["a", "a", "b", "b", "c", "c", "e", "e"],
                "type": ["x"] * 6 + ["w"] * 2,
                "splicing_eff": [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.9],
            }
        )
    )
    rng = np.random.default_rng(1)
    for _ in range(20):
        weights = bootstrap_weights(replicates, rng)
        per_design = pd.Series(weights).groupby(replicates["group"]).first()
        assert per_design.sum() == 4 and weights[-1] == weights[-2] == 1  # 3 designs of x, the one of w


def test_bootstrap_weights_count_a_design_as_often_as_drawn():
    frame = pd.DataFrame(
        {"construct": ["a", "a", "b", "b"], "type": ["x"] * 4, "splicing_eff": [0.2, 0.4, 0.6, 0.6]}
    )
    per_type, _, _ = noise_variances(replicate_rows(frame), np.array([2.0, 2.0, 1.0, 1.0]))
    assert per_type["x"] == pytest.approx((2 * 0.02 + 2 * 0.02) / 6)  # design a twice, b (no noise) once


def test_noise_floor_without_noise_is_perfect():
    frame = pd.DataFrame(
        {"construct": ["a", "a", "b", "b", "c"], "type": ["x"] * 5, "splicing_eff": [0.2, 0.2, 0.7, 0.7, 0.0]}
    )
    parts = pd.Series(["train", "train", "test", "test", "test"])
    floor = noise_floor(frame, parts, replicate_rows(frame), draws=20)
    assert set(floor) == {"train", "test"}
    assert floor["test"]["mse"] == 0 and floor["test"]["balanced_mse"] == 0 and floor["test"]["pearson"] == 1
    assert floor["test"]["pearson_interval"] == [1.0, 1.0]


def test_noise_floor_intervals_hold_the_estimate():
    rng = np.random.default_rng(0)
    mu = np.repeat(rng.uniform(0, 1, 60), 3)
    frame = pd.DataFrame(
        {"construct": np.repeat(np.arange(60), 3), "type": "x", "splicing_eff": mu + rng.normal(0, 0.1, 180)}
    )
    test = noise_floor(frame, pd.Series(["test"] * 180), replicate_rows(frame), draws=100)["test"]
    for key in ("mse", "balanced_mse", "pearson"):
        low, high = test[f"{key}_interval"]
        assert low < test[key] < high


def test_noise_floor_is_empty_without_replicated_designs():
    frame = pd.DataFrame({"construct": ["a", "b"], "type": ["x", "x"], "splicing_eff": [0.1, 0.9]})
    assert noise_floor(frame, pd.Series(["test", "test"]), replicate_rows(frame)) == {}


def test_interval_95_skips_undefined_values():
    assert np.isnan(interval_95([float("nan")] * 3)).all()
    assert interval_95([1.0, float("nan"), 1.0]) == [1.0, 1.0]
    assert interval_95(list(np.arange(1001.0))) == pytest.approx([25.0, 975.0])


def test_explained_share_is_r_squared_over_a_perfect_models():
    assert explained_share(0.6, 0.8) == pytest.approx(0.5625)
    assert explained_share(0.8, 0.8) == 1.0
