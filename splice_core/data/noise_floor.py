"""What a perfect model would score on a split part, given how much a construct's barcodes disagree.

A construct measured with several barcodes is one intron measured several times. From those constructs, per library
type, the variance of one measurement around its construct's true mean is estimated. A perfect model, one that
predicted every construct's true mean, would still meet that noise on every row. No model can expect a lower MSE
or a higher Pearson r than it. The balanced MSE weighs rows by their measured class, so a model tilted toward
that weighting can score below a perfect model on it. Assumes that barcodes' errors are independent and have
mean zero, and that constructs measured once are as noisy as the replicated constructs of their library type.
"""

import numpy as np
import pandas as pd

from splice_core.data.splits import LOW_HIGH_THRESHOLD, PARTS

BOOTSTRAP_DRAWS = 200
FLOOR_METRICS = ("mse", "balanced_mse", "pearson")


def replicate_rows(frame: pd.DataFrame) -> pd.DataFrame:
    """Rows of constructs measured with several barcodes, a construct counted within its library type.

    Columns: ``group`` (one id per construct and type), ``type``, ``low`` (measured < 0.1), barcode count ``n``,
    ``sq_mean`` = (y − group mean)² · n / (n − 1), ``sq_others`` = (y − other barcodes' mean)² and
    ``var_others`` = the other barcodes' sample variance (NaN where n < 3).
    """
    y = frame["splicing_eff"].to_numpy(float)
    group = frame.groupby(["construct", "type"], sort=False).ngroup().to_numpy()
    n = np.bincount(group)[group]
    total, squares = np.bincount(group, y)[group], np.bincount(group, y * y)[group]
    with np.errstate(invalid="ignore", divide="ignore"):
        others = (total - y) / (n - 1)
        var_others = np.where(n > 2, np.maximum(squares - y * y - (n - 1) * others**2, 0) / (n - 2), np.nan)
    table = pd.DataFrame(
        {
            "group": group,
            "type": frame["type"].astype(str).to_numpy(),
            "low": y < LOW_HIGH_THRESHOLD,
            "n": n,
            "sq_mean": (y - total / n) ** 2 * n / np.maximum(n - 1, 1),
            "sq_others": (y - others) ** 2,
            "var_others": var_others,
        }
    )
    return table[n > 1].reset_index(drop=True)


def weighted_means(values: np.ndarray, keys: list[np.ndarray], weights: np.ndarray) -> pd.Series:
    """Weighted mean of ``values`` per group of the ``keys`` arrays; groups whose weights sum to 0 are left out."""
    sums = pd.DataFrame({"wv": values * weights, "w": weights}).groupby(keys).sum()
    sums = sums[sums["w"] > 0]
    return sums["wv"] / sums["w"]


def noise_variances(
    replicates: pd.DataFrame, weights: np.ndarray | None = None
) -> tuple[pd.Series, pd.Series, float]:
    """Noise of one measurement: its variance per library type, its mean square per (type, low) class, and pooled.

    The variance per type is unbiased. Within a class, only constructs with at least 3 barcodes count:
    (y − other barcodes' mean)² − their sample variance / (n − 1) has the expectation (y − true mean)² given y,
    even where the noise depends on the true mean. ``weights`` (one per replicate row) serve the bootstrap.
    """
    w = np.ones(len(replicates)) if weights is None else np.asarray(weights, float)
    types, low, n = replicates["type"].to_numpy(), replicates["low"].to_numpy(), replicates["n"].to_numpy()
    sq_mean = replicates["sq_mean"].to_numpy()
    per_type = weighted_means(sq_mean, [types], w)
    rich = (n > 2) & (w > 0)
    own = replicates["sq_others"].to_numpy()[rich] - replicates["var_others"].to_numpy()[rich] / (n[rich] - 1)
    per_class = weighted_means(own, [types[rich], low[rich]], w[rich]).clip(lower=0)
    return per_type, per_class, float(np.sum(w * sq_mean) / np.sum(w))


def floor_metrics(
    frame: pd.DataFrame, parts: pd.Series, per_type: pd.Series, per_class: pd.Series, pooled: float
) -> dict[str, dict]:
    """Per split part, the expected MSE, balanced MSE and Pearson r of a model that predicts each construct's true mean.

    Rows take their type's noise (``pooled`` for a type without replicates), and their class's for the balanced
    MSE (their type's where the class has no estimate). Pearson r = sqrt(1 − MSE / variance of the measurements).
    """
    y = frame["splicing_eff"].to_numpy(float)
    types = frame["type"].astype(str)
    low = y < LOW_HIGH_THRESHOLD
    variance = types.map(per_type).fillna(pooled).to_numpy()
    in_class = per_class.reindex(pd.MultiIndex.from_arrays([types.to_numpy(), low])).to_numpy()
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


def bootstrap_weights(replicates: pd.DataFrame, rng: np.random.Generator) -> np.ndarray:
    """Per replicate row, how often its construct was drawn when each type's constructs are resampled with replacement."""
    constructs = replicates.drop_duplicates("group")
    draws = np.concatenate(
        [rng.choice(groups.to_numpy(), len(groups)) for _, groups in constructs.groupby("type")["group"]]
    )
    return replicates["group"].map(pd.Series(draws).value_counts()).fillna(0).to_numpy()


def noise_floor(
    frame: pd.DataFrame,
    parts: pd.Series,
    replicates: pd.DataFrame,
    draws: int = BOOTSTRAP_DRAWS,
    seed: int = 0,
) -> dict[str, dict]:
    """Per split part, :func:`floor_metrics` with a 95% interval for each (``"<metric>_interval"``); ``{}`` when no
    construct has replicates. ``replicates``: :func:`replicate_rows` of ``frame``.

    The intervals are the 2.5th and 97.5th percentiles over ``draws`` resamples of the replicated constructs within
    each type: they hold the uncertainty of the noise estimate, for the part's rows as they are.
    """
    if replicates.empty:
        return {}
    point = floor_metrics(frame, parts, *noise_variances(replicates))
    rng = np.random.default_rng(seed)
    resampled = [
        floor_metrics(frame, parts, *noise_variances(replicates, bootstrap_weights(replicates, rng)))
        for _ in range(draws)
    ]
    for part, metrics in point.items():
        for key in FLOOR_METRICS:
            metrics[f"{key}_interval"] = interval_95([r[part][key] for r in resampled])
    return point


def noise_by_type(frame: pd.DataFrame, replicates: pd.DataFrame) -> dict[str, float]:
    """Per library type, a perfect model's expected MSE on its rows: the type's noise variance (pooled over all
    replicated constructs for a type without replicates); ``{}`` when no construct has replicates. ``replicates``:
    :func:`replicate_rows` of ``frame``."""
    if replicates.empty:
        return {}
    per_type, _, pooled = noise_variances(replicates)
    return {t: float(per_type.get(t, pooled)) for t in sorted(frame["type"].astype(str).unique())}


def explained_share(pearson: float, perfect_pearson: float) -> float:
    """A model's share of the variance a perfect model would explain: (r / r_perfect)²; NaN when a perfect model's r
    is not positive (the noise is as large as the measurements' spread)."""
    return (pearson / perfect_pearson) ** 2 if perfect_pearson > 0 else float("nan")


def interval_95(values: list[float]) -> list[float]:
    """The 2.5th and 97.5th percentiles of the finite ``values``; NaNs when there are none."""
    finite = np.asarray(values, float)[np.isfinite(values)]
    return np.percentile(finite, [2.5, 97.5]).tolist() if finite.size else [float("nan")] * 2
