"""k-mer counts of many introns at once: every window of k bases counted for its intron, with no loop over positions."""

from itertools import product

import numpy as np

BASE_CODES = np.full(256, -1, np.int64)  # byte -> 0..3 for A, C, G, T; -1 for anything else
BASE_CODES[np.frombuffer(b"ACGT", np.uint8)] = np.arange(4)
SEPARATOR = "\n"  # joins the introns; no window holding it is counted


def kmer_names(k: int) -> list[str]:
    """The ``4**k`` k-mers in counting order (A, C, G, T; the last base fastest)."""
    return ["".join(p) for p in product("ACGT", repeat=k)]


def kmer_count_matrix(introns: list[str], k: int) -> np.ndarray:
    """``(N, 4**k)`` counts of every k-mer (in :func:`kmer_names` order) in each intron; a window holding anything but
    upper-case A, C, G, T is not counted."""
    n = len(introns)
    if not n:
        return np.zeros((0, 4**k), np.int64)
    joined = np.frombuffer(SEPARATOR.join(introns).encode("ascii", "replace"), np.uint8)
    codes = BASE_CODES[joined]
    rows = np.repeat(np.arange(n), [len(s) + 1 for s in introns])[: len(codes)]  # each position's intron
    if len(codes) < k:
        return np.zeros((n, 4**k), np.int64)
    windows = np.lib.stride_tricks.sliding_window_view(codes, k)
    keep = (windows >= 0).all(1)
    words = windows[keep] @ (4 ** np.arange(k - 1, -1, -1))
    return np.bincount(rows[: len(keep)][keep] * 4**k + words, minlength=n * 4**k).reshape(n, 4**k)
