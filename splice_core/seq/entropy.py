"""Per-position sequence entropy of a set of introns (how freely the library varies each position)."""

import numpy as np

from splice_core.seq.encoding import strings_to_one_hot


def position_entropy(introns: list[str], length: int, align: str = "left") -> np.ndarray:
    """Shannon entropy in bits ``(length,)`` of the base at each position, over the introns covering it.

    ``align`` ``left`` counts positions from the 5' end, ``right`` from the 3' end (position ``length`` = last
    base); positions no intron covers are NaN.
    """
    counts = strings_to_one_hot(introns, length, align).sum(0).astype(float)
    totals = counts.sum(1, keepdims=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        p = counts / totals
        terms = np.where(p > 0, -p * np.log2(p), 0.0)
    return np.where(totals[:, 0] > 0, terms.sum(1), np.nan)
