"""Tests for splice_core.models.evaluation: metrics per split part and per library type."""

import json

import numpy as np
import pandas as pd
import pytest

from splice_core.models.evaluation import (
    metrics_by_part,
    other_barcodes_mean,
    per_library_table,
    replicate_agreement,
    table_to_records,
)

FRAME = pd.DataFrame(
    {
        "type": ["x", "y", "x", "y", "x", "y"],
        "splicing_eff": [0.0, 1.0, 0.5, 0.5, 0.2, 0.8],
    }
)
PARTS = pd.Series(["train", "train", "dev", "test", "test", "test"])
PRED = np.array([0.0, 1.0, 0.3, 0.4, 0.2, 0.6])


def test_metrics_by_part():
    result = metrics_by_part(FRAME, PARTS, PRED)
    assert set(result) == {"train", "dev", "test"}
    assert result["train"]["mse"] == 0.0 and result["train"]["n"] == 2
    assert result["dev"]["mse"] == pytest.approx(0.04) and result["dev"]["n"] == 1
    assert result["test"]["mse"] == pytest.approx((0.01 + 0.0 + 0.04) / 3)
    assert result["test"]["n"] == 3


def test_per_library_table_on_test_part():
    table = per_library_table(FRAME, PARTS, PRED)
    assert list(table.index) == ["x", "y"]
    assert table.loc["x", "n"] == 1 and table.loc["x", "mse"] == 0.0
    assert table.loc["y", "n"] == 2 and table.loc["y", "mse"] == pytest.approx((0.01 + 0.04) / 2)
    dev = per_library_table(FRAME, PARTS, PRED, part="dev")
    assert list(dev.index) == ["x"]


def test_table_to_records_is_json_ready():
    records = table_to_records(per_library_table(FRAME, PARTS, PRED))
    assert set(records) == {"x", "y"}
    assert records["y"]["mse"] == pytest.approx(0.025)
    assert records["y"]["n"] == 2.0
    assert json.loads(json.dumps(records))["x"]["n"] == 1.0


def test_other_barcodes_mean_on_literals():
    frame = pd.DataFrame({"construct": ["a", "a", "a", "b"], "splicing_eff": [0.0, 0.3, 0.6, 0.9]})
    np.testing.assert_allclose(other_barcodes_mean(frame), [0.45, 0.3, 0.15, np.nan])


def test_replicate_agreement_scores_the_other_barcodes_and_the_prediction_on_the_same_rows():
    frame = pd.DataFrame(
        {
            "construct": ["a", "a", "b", "b", "c", "c", "d"],
            "splicing_eff": [0.1, 0.2, 0.5, 0.7, 0.9, 0.8, 0.4],
        }
    )
    parts = pd.Series(["test"] * 7)
    pred = np.array([0.1, 0.2, 0.5, 0.7, 0.9, 0.8, 0.0])
    test = replicate_agreement(frame, parts, pred)["test"]
    assert test["n"] == 6
    assert test["pearson"] == pytest.approx(1.0)
    others = [0.2, 0.1, 0.7, 0.5, 0.8, 0.9]
    assert test["other_barcodes_pearson"] == pytest.approx(
        np.corrcoef(frame["splicing_eff"][:6], others)[0, 1]
    )
    assert replicate_agreement(frame, parts, pred)["dev"]["n"] == 0
