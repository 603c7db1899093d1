"""How far to trust a design: distance from the library in k-mer space, member spread, the held-out member."""

import numpy as np

from .design import Design
from .encoding import string_to_one_hot
from .ensemble_spread import SPREAD_WARNING

K = 4
LIBRARY_QUANTILE = 0.99  # a design farther from the library than this share of library introns is 'far'


def kmer_profiles(sequences: list[str], k: int = K) -> np.ndarray:
    """``(N, 4**k)`` k-mer frequencies of each sequence (rows sum to 1; zero rows for sequences shorter than k)."""
    out = np.zeros((len(sequences), 4**k))
    powers = 4 ** np.arange(k - 1, -1, -1)
    for row, seq in enumerate(sequences):
        codes = string_to_one_hot(seq).argmax(1)
        if len(codes) >= k:
            windows = np.lib.stride_tricks.sliding_window_view(codes, k) @ powers
            out[row] = np.bincount(windows, minlength=4**k) / len(windows)
    return out


def nearest_distances(
    profiles: np.ndarray, library: np.ndarray, skip: np.ndarray | None = None
) -> np.ndarray:
    """``(N,)`` Euclidean distance from each profile to its nearest library profile ``(M, 4**k)``.

    ``skip`` ``(N,)``: a library row each profile may not use (its own row, when profiles come from the library).
    """
    squared = (profiles**2).sum(1)[:, None] + (library**2).sum(1)[None] - 2 * profiles @ library.T
    if skip is not None:
        squared[np.arange(len(profiles)), skip] = np.inf
    return np.sqrt(np.maximum(squared.min(1), 0))


class LibraryNeighbourhood:
    """The library's introns in k-mer space and how far its own introns lie from their nearest neighbour."""

    def __init__(self, introns: list[str], sample: int = 1000, seed: int = 0):
        self.profiles = kmer_profiles(sorted(set(introns)))
        rng = np.random.default_rng(seed)
        chosen = rng.choice(len(self.profiles), min(sample, len(self.profiles)), replace=False)
        inner = (
            nearest_distances(self.profiles[chosen], self.profiles, skip=chosen)
            if len(chosen) > 1
            else np.array([np.inf])
        )
        self.threshold = float(np.quantile(inner, LIBRARY_QUANTILE))

    def distances(self, sequences: list[str]) -> np.ndarray:
        """``(N,)`` k-mer distance of each sequence to its nearest library intron."""
        return nearest_distances(kmer_profiles(sequences), self.profiles)


def design_warnings(
    design: Design, distance: float | None = None, threshold: float | None = None
) -> list[str]:
    """Why a design may not splice as predicted: members disagree, the held-out member disagrees, far from the library."""
    found = []
    if design.spread > SPREAD_WARNING:
        found.append(f"members disagree (spread {design.spread:.2f})")
    if design.held_out_agrees is False:
        found.append(
            f"held-out member predicts {design.held_out:.2f}, more than 0.1 from "
            f"{'the target' if design.goal.direction == 'target' else 'the searched members'} {design.held_out_aim:.2f}"
        )
    if distance is not None and threshold is not None and distance > threshold:
        found.append(
            f"far from the library (4-mer distance {distance:.3f}, library's own {LIBRARY_QUANTILE:.0%} reach {threshold:.3f})"
        )
    return found
