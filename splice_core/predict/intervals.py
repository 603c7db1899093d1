"""Split-conformal intervals: from a prediction and its members' spread to a range that holds a stated share of
measurements (calibrated on dev, checked on test)."""

from dataclasses import dataclass

import numpy as np

COVERAGE = 0.9  # the share of measurements an interval is meant to hold
N_BINS = 4  # calibration bins of the members' spread (equal counts on the calibration rows)


def conformal_quantile(residuals: np.ndarray, coverage: float) -> float:
    """The split-conformal half-width: the ``ceil((n + 1) · coverage)``-th smallest absolute residual (1 past n: inf)."""
    residuals = np.sort(np.abs(np.asarray(residuals, float)))
    rank = int(np.ceil((len(residuals) + 1) * coverage))
    return float(residuals[rank - 1]) if 0 < rank <= len(residuals) else float("inf")


@dataclass
class ConformalIntervals:
    """Half-widths per bin of the members' spread: ``edges`` (inner bin edges, ascending) and ``half_widths``."""

    edges: list[float]
    half_widths: list[float]
    coverage: float = COVERAGE

    def half_width(self, spread: np.ndarray) -> np.ndarray:
        """Half-width ``(N,)`` for members' spreads ``(N,)``."""
        return np.asarray(self.half_widths)[
            np.searchsorted(self.edges, np.asarray(spread, float), side="right")
        ]

    def bounds(self, mean: np.ndarray, spread: np.ndarray, low: float = 0.0, high: float = 1.0):
        """(lower, upper) ``(N,)`` each: ``mean`` ± the half-width, clipped to ``[low, high]``."""
        mean = np.asarray(mean, float)
        width = self.half_width(spread)
        return np.clip(mean - width, low, high), np.clip(mean + width, low, high)

    def to_dict(self) -> dict:
        """JSON-ready fields (for the model card)."""
        return {"edges": list(self.edges), "half_widths": list(self.half_widths), "coverage": self.coverage}

    @classmethod
    def from_dict(cls, fields: dict) -> "ConformalIntervals":
        """The inverse of :meth:`to_dict`."""
        return cls(
            [float(e) for e in fields["edges"]], [float(w) for w in fields["half_widths"]], fields["coverage"]
        )


def fit_intervals(
    mean: np.ndarray,
    spread: np.ndarray,
    measured: np.ndarray,
    coverage: float = COVERAGE,
    n_bins: int = N_BINS,
) -> ConformalIntervals:
    """Calibrate on held-out rows ``(N,)``: bins of equal counts by spread, each with its conformal half-width."""
    spread = np.asarray(spread, float)
    n_bins = max(1, min(n_bins, len(spread) // 20))  # at least 20 rows a bin
    edges = np.unique(np.quantile(spread, np.arange(1, n_bins) / n_bins)) if n_bins > 1 else np.array([])
    bins = np.searchsorted(edges, spread, side="right")
    residuals = np.asarray(measured, float) - np.asarray(mean, float)
    widths = [conformal_quantile(residuals[bins == b], coverage) for b in range(len(edges) + 1)]
    return ConformalIntervals([float(e) for e in edges], widths, coverage)


def coverage_of(
    intervals: ConformalIntervals, mean: np.ndarray, spread: np.ndarray, measured: np.ndarray, **clip
):
    """Share of ``measured`` ``(N,)`` inside the intervals, and their mean width."""
    low, high = intervals.bounds(mean, spread, **clip)
    measured = np.asarray(measured, float)
    return float(np.mean((measured >= low) & (measured <= high))), float(np.mean(high - low))
