"""What a prediction comes with: its calibrated interval, and why the model is guessing (if it is), read from the
model card (:mod:`splice_core.analysis.calibration` writes them)."""

import numpy as np
import pandas as pd

from splice_core.predict.intervals import ConformalIntervals
from splice_core.predict.library_distance import LibraryDistance
from splice_core.seq.intron_text import TRAINED_MAX

TRUST_COLUMNS = ("interval_low", "interval_high", "library_distance", "guessing")


def row_intervals(card: dict) -> ConformalIntervals | None:
    """The card's intervals for predictions (None for a model calibrated before they existed)."""
    return ConformalIntervals.from_dict(card["intervals"]) if "intervals" in card else None


def change_intervals(card: dict) -> ConformalIntervals | None:
    """The card's intervals for changes (mutant − wild type), or None."""
    return ConformalIntervals.from_dict(card["change_intervals"]) if "change_intervals" in card else None


def library_distance(card: dict) -> LibraryDistance | None:
    """The card's library-distance score, or None."""
    fields = card.get("library_distance")
    return (
        LibraryDistance.from_dict({k: v for k, v in fields.items() if k != "test_errors"}) if fields else None
    )


def guessing_reasons(card: dict, introns: list[str], long: bool = True) -> list[str]:
    """Per intron, why the model is guessing ('' when it is not); without a fitted score, long introns only.
    ``long`` False leaves out that an intron is read through views (for a page that says so already)."""
    distance = library_distance(card)
    if distance is not None:
        return distance.reasons(introns, long)
    if not long:
        return [""] * len(introns)
    return [
        f"longer than any library intron ({TRAINED_MAX} nt): read through views"
        if len(s) > TRAINED_MAX
        else ""
        for s in introns
    ]


def trust_table(card: dict, introns: list[str], mean: np.ndarray, spread: np.ndarray) -> pd.DataFrame:
    """:data:`TRUST_COLUMNS` for predictions ``mean`` ± ``spread`` ``(N,)`` of ``introns`` (NaN where not fitted)."""
    intervals, distance = row_intervals(card), library_distance(card)
    low, high = intervals.bounds(mean, spread) if intervals else (np.full(len(mean), np.nan),) * 2
    distances = distance.distance(introns) if distance else np.full(len(introns), np.nan)
    return pd.DataFrame(
        {
            "interval_low": low,
            "interval_high": high,
            "library_distance": distances,
            "guessing": distance.reasons(introns, distances=distances)
            if distance
            else guessing_reasons(card, introns),
        }
    )


def interval_text(card: dict, mean: float, spread: float, change: bool = False) -> str:
    """``90% interval 0.41–0.77`` for one prediction (``change``: a mutant − wild-type change); '' when not fitted."""
    intervals = change_intervals(card) if change else row_intervals(card)
    if intervals is None:
        return ""
    bounds = (-1.0, 1.0) if change else (0.0, 1.0)
    low, high = (float(v[0]) for v in intervals.bounds([mean], [spread], *bounds))
    form = "{:+.2f}" if change else "{:.2f}"
    return f"{intervals.coverage:.0%} interval {form.format(low)} to {form.format(high)}"
