"""Tests for splice_core.models.metrics: regression metrics computed by hand on tiny arrays."""

import numpy as np
import pandas as pd
import pytest

from splice_core.models.metrics import (
    balanced_mse,
    mse,
    pearson,
    per_library_metrics,
    regression_metrics,
    spearman,
)

Y = np.array([0.0, 0.0, 0.0, 1.0])
PRED = np.array([0.1, 0.1, 0.1, 0.5])


def test_mse_by_hand():
    assert mse(Y, PRED) == pytest.approx((3 * 0.01 + 0.25) / 4)
    assert mse([1.0], [1.0]) == 0.0
    assert np.isnan(mse(np.array([]), np.array([])))


def test_balanced_mse_by_hand():
    assert balanced_mse(Y, PRED) == pytest.approx((0.01 + 0.25) / 2)  # low side 0.01, high side 0.25
    y = np.array([0.05, 0.1, 0.6])  # 0.1 belongs to the high side
    assert balanced_mse(y, np.array([0.05, 0.3, 0.6])) == pytest.approx((0.0 + 0.02) / 2)
    assert balanced_mse(y, np.array([0.05, 0.3, 0.6]), threshold=0.2) == pytest.approx((0.04 / 2 + 0.0) / 2)


def test_balanced_mse_one_sided_and_empty():
    assert balanced_mse(np.array([0.5, 0.7]), np.array([0.4, 0.7])) == pytest.approx(0.005)
    assert balanced_mse(np.array([0.0, 0.01]), np.array([0.1, 0.01])) == pytest.approx(0.005)
    assert np.isnan(balanced_mse(np.array([]), np.array([])))


def test_correlations():
    y = np.array([0.1, 0.2, 0.3, 0.4])
    assert pearson(y, 2 * y + 1) == pytest.approx(1.0)
    assert pearson(y, -y) == pytest.approx(-1.0)
    assert pearson(y, np.array([1.0, 2.0, 4.0, 3.0])) == pytest.approx(0.8)
    assert spearman(y, y**3) == pytest.approx(1.0)
    assert pearson(y, y**3) < 1.0
    assert spearman(y, np.array([1.0, 2.0, 4.0, 3.0])) == pytest.approx(0.8)


def test_correlations_undefined():
    y = np.array([0.1, 0.2, 0.3])
    assert np.isnan(pearson(y, np.zeros(3)))
    assert np.isnan(spearman(np.ones(3), y))
    assert np.isnan(pearson(np.array([0.1]), np.array([0.2])))


def test_regression_metrics():
    result = regression_metrics(Y, PRED)
    assert set(result) == {"mse", "balanced_mse", "pearson", "spearman", "n"}
    assert result["mse"] == pytest.approx(0.07)
    assert result["balanced_mse"] == pytest.approx(0.13)
    assert result["pearson"] == pytest.approx(1.0)
    assert result["n"] == 4


def test_per_library_metrics():
    types = pd.Series(["b", "a", "b", "a", "b"])
    y = np.array([0.0, 0.5, 1.0, 0.5, 0.5])
    pred = np.array([0.0, 0.4, 1.0, 0.8, 0.5])
    table = per_library_metrics(types, y, pred)
    assert list(table.index) == ["a", "b"]
    assert table.index.name == "type"
    assert table.loc["a", "mse"] == pytest.approx((0.01 + 0.09) / 2)
    assert table.loc["b", "mse"] == 0.0
    assert table.loc["a", "n"] == 2 and table.loc["b", "n"] == 3
    assert np.isnan(table.loc["a", "pearson"])  # measured values are equal within library a
    assert table.loc["b", "pearson"] == pytest.approx(1.0)
