"""Design-grouped train/dev/test splits within each library type, and training rebalancing."""

import hashlib

import numpy as np
import pandas as pd

PARTS = ("train", "dev", "test")
LOW_HIGH_THRESHOLD = 0.1


def split_constructs(
    frame: pd.DataFrame, fractions: tuple[float, float, float] = (0.9, 0.05, 0.05), seed: int = 0
) -> pd.Series:
    """Part name (train/dev/test) of every row: constructs are split within each ``type``, never across parts.

    A construct seen in several library types is assigned once, in the type where it first appears.
    """
    if not np.isclose(sum(fractions), 1.0):
        raise ValueError(f"split fractions must sum to 1, got {fractions}")
    rng = np.random.default_rng(seed)
    first_type = frame.groupby("construct", sort=False)["type"].first()
    assignment: dict[str, str] = {}
    for library_type in sorted(first_type.unique()):
        constructs = first_type.index[first_type == library_type].to_numpy()
        constructs = constructs[rng.permutation(len(constructs))]
        n_dev = int(round(fractions[1] * len(constructs)))
        n_test = int(round(fractions[2] * len(constructs)))
        n_train = len(constructs) - n_dev - n_test
        for part, chunk in zip(PARTS, np.split(constructs, [n_train, n_train + n_dev])):
            assignment.update(dict.fromkeys(chunk, part))
    return frame["construct"].map(assignment).rename("part")


def barcode_keys(barcodes: pd.Series) -> pd.Series:
    """A short SHA-256 key per barcode: saved splits name rows without copying the data."""
    return barcodes.astype(str).map(lambda bc: hashlib.sha256(bc.encode()).hexdigest()[:16])


def split_to_barcodes(frame: pd.DataFrame, parts: pd.Series) -> dict[str, list[str]]:
    """The barcode keys (:func:`barcode_keys`) of each part, to save the split with a result."""
    keys = barcode_keys(frame["BC"])
    return {part: sorted(keys[parts == part]) for part in PARTS}


def barcodes_to_split(frame: pd.DataFrame, barcodes: dict[str, list[str]]) -> pd.Series:
    """Part name of every row from a saved split (rows whose barcode is not listed get NaN)."""
    lookup = {key: part for part, keys in barcodes.items() for key in keys}
    return barcode_keys(frame["BC"]).map(lookup).rename("part")


def balance_weights(y: np.ndarray, threshold: float = LOW_HIGH_THRESHOLD) -> np.ndarray:
    """Sample weights (mean 1) so that ``y < threshold`` and ``y >= threshold`` weigh equally."""
    low = y < threshold
    n_low, n_high = int(low.sum()), int((~low).sum())
    if n_low == 0 or n_high == 0:
        return np.ones(len(y), dtype=np.float32)
    weights = np.where(low, len(y) / (2 * n_low), len(y) / (2 * n_high))
    return weights.astype(np.float32)


def construct_mean_labels(frame: pd.DataFrame, column: str = "splicing_eff") -> np.ndarray:
    """``(N,)`` values of ``column`` with each row's replaced by the mean over its construct's rows (missing ones skipped).

    A construct measured with several barcodes is one intron measured several times; barcodes are no model
    input, so the mean is the less noisy label. Constructs never straddle parts, so no label crosses a split.
    """
    return frame.groupby("construct", sort=False)[column].transform("mean").to_numpy(np.float32)
