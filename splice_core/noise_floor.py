"""The noise floor: what a perfect model would score on a split part, given how much barcodes disagree.

A design measured with several barcodes is one intron measured several times. From those designs, per library
type, the variance of one measurement around its design's true mean is estimated without bias. A model that
predicted every design's true mean would still meet that noise on every row, so its expected MSE, balanced MSE
and Pearson r are the best any model can expect. Assumes that barcodes' errors are independent, and that
designs measured once are as noisy as the replicated designs of their library type.
"""
import numpy as np
import pandas as pd

from .evaluation import other_barcodes_mean
from .splits import LOW_HIGH_THRESHOLD, PARTS

BOOTSTRAP_DRAWS = 200
FLOOR_METRICS = ("mse", "balanced_mse", "pearson")


def replicate_rows(frame: pd.DataFrame) -> pd.DataFrame:
    """Rows of designs measured with several barcodes, with their ``design``, ``type``, ``low`` (measured < 0.1),
    barcode count ``n``, ``sq_mean`` = (y − design mean)² · n / (n − 1) and ``sq_others`` = (y − other barcodes' mean)².
    """
    y = frame["splicing_eff"].to_numpy(float)
    groups = frame.groupby("design")["splicing_eff"]
    n = groups.transform("size").to_numpy()
    table = pd.DataFrame({
        "design": frame["design"].to_numpy(),
        "type": frame["type"].astype(str).to_numpy(),
        "low": y < LOW_HIGH_THRESHOLD,
        "n": n,
        "sq_mean": (y - groups.transform("mean").to_numpy()) ** 2 * n / np.maximum(n - 1, 1),
        "sq_others": (y - other_barcodes_mean(frame)) ** 2,
    })
    return table[n > 1].reset_index(drop=True)


def weighted_means(values: np.ndarray, keys: list[pd.Series], weights: np.ndarray) -> pd.Series:
    """Weighted mean of ``values`` per group of ``keys``; groups whose weights sum to 0 are left out."""
    frame = pd.DataFrame({"wv": values * weights, "w": weights})
    sums = frame.groupby(keys).sum()
    sums = sums[sums["w"] > 0]
    return sums["wv"] / sums["w"]


def noise_variances(replicates: pd.DataFrame, weights: np.ndarray | None = None) -> tuple[pd.Series, pd.Series, float]:
    """Noise of one measurement: its variance per library type, its mean square per (type, low) class, and pooled.

    Within a class, (y − other barcodes' mean)² − σ²_type / (n − 1) has the expectation (y − true mean)², so the
    class figure is not inflated by the other barcodes' own noise. ``weights`` (one per replicate row) serve the
    bootstrap.
    """
    w = np.ones(len(replicates)) if weights is None else np.asarray(weights, float)
    per_type = weighted_means(replicates["sq_mean"].to_numpy(), [replicates["type"]], w)
    own = replicates["sq_others"].to_numpy() - replicates["type"].map(per_type).to_numpy() / (replicates["n"].to_numpy() - 1)
    per_class = weighted_means(np.nan_to_num(own), [replicates["type"], replicates["low"]], w).clip(lower=0)
    pooled = float(np.sum(w * replicates["sq_mean"].to_numpy()) / np.sum(w))
    return per_type, per_class, pooled


def floor_metrics(frame: pd.DataFrame, parts: pd.Series, per_type: pd.Series, per_class: pd.Series, pooled: float) -> dict[str, dict]:
    """Per split part, the expected MSE, balanced MSE and Pearson r of a model that predicts each design's true mean.

    Rows take their type's noise (``pooled`` for a type without replicates), their class's for the balanced MSE
    (their type's where the class has none); Pearson r = sqrt(1 − MSE / variance of the measurements).
    """
    y = frame["splicing_eff"].to_numpy(float)
    types = frame["type"].astype(str)
    low = y < LOW_HIGH_THRESHOLD
    variance = types.map(per_type).fillna(pooled).to_numpy()
    class_keys = pd.MultiIndex.from_arrays([types, low])
    in_class = per_class.reindex(class_keys).to_numpy()
    in_class = np.where(np.isnan(in_class), variance, in_class)
    out = {}
    for part in PARTS:
        rows = (parts == part).to_numpy()
        if not rows.any():
            continue
        mse = float(variance[rows].mean())
        sides = [in_class[rows & side].mean() for side in (low, ~low) if (rows & side).any()]
        spread = float(y[rows].var())
        out[part] = {
            "n": int(rows.sum()),
            "mse": mse,
            "balanced_mse": float(np.mean(sides)),
            "pearson": float(np.sqrt(max(0.0, 1 - mse / spread))) if spread > 0 else float("nan"),
        }
    return out


def noise_floor(frame: pd.DataFrame, parts: pd.Series, draws: int = BOOTSTRAP_DRAWS, seed: int = 0) -> dict[str, dict]:
    """Per split part, :func:`floor_metrics` with a 95% interval for each (``"<metric>_interval"``: 2.5th and 97.5th
    percentiles over ``draws`` bootstrap resamples of the replicated designs); ``{}`` when no design has replicates.
    """
    replicates = replicate_rows(frame)
    if replicates.empty:
        return {}
    point = floor_metrics(frame, parts, *noise_variances(replicates))
    designs, codes = np.unique(replicates["design"].to_numpy(), return_inverse=True)
    rng = np.random.default_rng(seed)
    resampled = [
        floor_metrics(frame, parts, *noise_variances(replicates, np.bincount(rng.integers(len(designs), size=len(designs)), minlength=len(designs))[codes]))
        for _ in range(draws)
    ]
    for part, metrics in point.items():
        for key in FLOOR_METRICS:
            metrics[f"{key}_interval"] = interval_95([r[part][key] for r in resampled])
    return point


def interval_95(values: list[float]) -> list[float]:
    """The 2.5th and 97.5th percentiles of the finite ``values``; NaNs when there are none."""
    finite = np.asarray(values, float)[np.isfinite(values)]
    return np.percentile(finite, [2.5, 97.5]).tolist() if finite.size else [float("nan")] * 2
