"""Regression metrics of predicted vs measured splicing efficiency."""

import numpy as np
import pandas as pd
from scipy import stats

from splice_core.data.splits import LOW_HIGH_THRESHOLD


def mse(y: np.ndarray, pred: np.ndarray) -> float:
    """Mean squared error."""
    return float(np.mean((np.asarray(y) - np.asarray(pred)) ** 2)) if len(y) else float("nan")


def balanced_mse(y: np.ndarray, pred: np.ndarray, threshold: float = LOW_HIGH_THRESHOLD) -> float:
    """Mean of the MSEs on ``y < threshold`` and ``y >= threshold`` (NaN-free where one side is empty)."""
    y, pred = np.asarray(y), np.asarray(pred)
    low = y < threshold
    parts = [mse(y[m], pred[m]) for m in (low, ~low) if m.any()]
    return float(np.mean(parts)) if parts else float("nan")


def pearson(y: np.ndarray, pred: np.ndarray) -> float:
    """Pearson correlation (NaN when either side is constant)."""
    if len(y) < 2 or np.std(y) == 0 or np.std(pred) == 0:
        return float("nan")
    return float(stats.pearsonr(y, pred)[0])


def spearman(y: np.ndarray, pred: np.ndarray) -> float:
    """Spearman rank correlation (NaN when either side is constant)."""
    if len(y) < 2 or np.std(y) == 0 or np.std(pred) == 0:
        return float("nan")
    return float(stats.spearmanr(y, pred)[0])


def regression_metrics(y: np.ndarray, pred: np.ndarray) -> dict[str, float]:
    """MSE, balanced MSE, Pearson, Spearman and count."""
    return {
        "mse": mse(y, pred),
        "balanced_mse": balanced_mse(y, pred),
        "pearson": pearson(y, pred),
        "spearman": spearman(y, pred),
        "n": int(len(y)),
    }


def per_library_metrics(types: pd.Series, y: np.ndarray, pred: np.ndarray) -> pd.DataFrame:
    """One row of :func:`regression_metrics` per library type, sorted by type."""
    types = np.asarray(types)
    rows = {
        t: regression_metrics(np.asarray(y)[types == t], np.asarray(pred)[types == t])
        for t in sorted(set(types))
    }
    return pd.DataFrame.from_dict(rows, orient="index").rename_axis("type")
