"""How far an intron lies from the library's constructs: the Mahalanobis distance of its k-mer profile and length to the
training constructs', and the length range the library holds (a model guesses outside both)."""

from dataclasses import dataclass

import numpy as np

from splice_core.seq.kmers import kmer_count_matrix

PROFILE_K = (1, 2, 3)  # k-mer sizes of the profile: 84 frequencies, beside log length
QUANTILE = 0.95  # an intron is flagged beyond this quantile of held-out constructs' distances
MIN_VARIANCE = 1e-6  # principal directions with less variance than this (profiles sum to 1) are left out


def kmer_profile(introns: list[str]) -> np.ndarray:
    """``(N, 85)``: each intron's frequencies of every 1-, 2- and 3-mer (per size, summing to 1), then log(length)."""
    n = len(introns)
    out = np.zeros((n, sum(4**k for k in PROFILE_K) + 1))
    start = 0
    for k in PROFILE_K:
        counts = kmer_count_matrix(introns, k)
        totals = counts.sum(1, keepdims=True)
        out[:, start : start + 4**k] = np.divide(counts, totals, out=np.zeros(counts.shape), where=totals > 0)
        start += 4**k
    if n:
        out[:, -1] = np.log(np.maximum([len(s) for s in introns], 1))
    return out


@dataclass
class LibraryDistance:
    """A Gaussian of the training constructs' profiles (``mean``, principal ``axes`` ``(D, 85)`` and their ``scales``), the
    flagging ``threshold`` and the training constructs' length range ``[min_length, max_length]``."""

    mean: list[float]
    axes: list[list[float]]
    scales: list[float]
    threshold: float
    min_length: int
    max_length: int

    def distance(self, introns: list[str]) -> np.ndarray:
        """``(N,)`` Mahalanobis distance of each intron's :func:`kmer_profile` to the training constructs'."""
        if not introns:
            return np.zeros(0)
        z = (
            (kmer_profile(introns) - np.asarray(self.mean))
            @ np.asarray(self.axes).T
            / np.asarray(self.scales)
        )
        return np.sqrt((z**2).sum(1) / len(self.scales))

    def reasons(
        self, introns: list[str], long: bool = True, distances: np.ndarray | None = None
    ) -> list[str]:
        """Per intron, why the model is guessing ('' when it is not): a length outside the library's (``long``: also
        when longer, read through views), a profile far from every construct's (``distances``: the introns'
        :meth:`distance`, when already computed)."""
        far = (self.distance(introns) if distances is None else np.asarray(distances)) > self.threshold
        out = []
        for seq, is_far in zip(introns, far):
            why = []
            if len(seq) < self.min_length:
                why.append(f"shorter than any library intron ({self.min_length} nt)")
            elif long and len(seq) > self.max_length:
                why.append(f"longer than any library intron ({self.max_length} nt): read through views")
            if is_far:
                why.append("sequence composition unlike the library's")
            out.append("; ".join(why))
        return out

    def to_dict(self) -> dict:
        """JSON-ready fields (for the model card)."""
        return dict(vars(self))

    @classmethod
    def from_dict(cls, fields: dict) -> "LibraryDistance":
        """The inverse of :meth:`to_dict`."""
        return cls(**fields)


def fit_library_distance(
    introns: list[str], held_out: list[str] | None = None, quantile: float = QUANTILE
) -> LibraryDistance:
    """Fit on the training constructs: their profiles' mean and principal axes; flag beyond the ``quantile`` of the
    ``held_out`` constructs' distances (default: the training constructs' own, which sit closer than new ones)."""
    profiles = kmer_profile(introns)
    mean = profiles.mean(0)
    _, singular, axes = np.linalg.svd(profiles - mean, full_matrices=False)
    variance = singular**2 / max(len(introns) - 1, 1)
    keep = variance > MIN_VARIANCE
    fitted = LibraryDistance(
        mean.tolist(),
        axes[keep].tolist(),
        np.sqrt(variance[keep]).tolist(),
        0.0,
        int(min(map(len, introns))),
        int(max(map(len, introns))),
    )
    fitted.threshold = float(np.quantile(fitted.distance(held_out or introns), quantile))
    return fitted
