"""How far to trust a trained ensemble, for its card: intervals for predictions and for changes calibrated on dev and
checked on test, the library-distance score with the test errors of the rows it flags, and the biology check."""

import numpy as np
import pandas as pd

from splice_core.analysis.biology_check import biology_check, canonical_introns
from splice_core.analysis.variant_effects import PredictIntrons, knockout_references
from splice_core.predict.intervals import coverage_of, fit_intervals
from splice_core.predict.library_distance import fit_library_distance

CHANGE_BINS = 1  # the library's dev pairs (about a hundred) calibrate one bin


def spread_bin_coverage(intervals, mean, spread, measured, **clip) -> list[dict]:
    """Coverage and mean width per spread bin of the intervals, on held-out rows."""
    bins = np.searchsorted(intervals.edges, spread, side="right")
    out = []
    for b in range(len(intervals.half_widths)):
        rows = bins == b
        if rows.any():
            covered, width = coverage_of(intervals, mean[rows], spread[rows], measured[rows], **clip)
            out.append({"bin": b, "n": int(rows.sum()), "coverage": covered, "width": width})
    return out


def row_interval_card(members: np.ndarray, measured: np.ndarray, parts: np.ndarray) -> dict:
    """Intervals for predictions: fitted on the dev rows' errors, with their coverage on test (overall and by bin)."""
    mean, spread = members.mean(1), members.std(1)
    dev, test = parts == "dev", parts == "test"
    intervals = fit_intervals(mean[dev], spread[dev], measured[dev])
    covered, width = coverage_of(intervals, mean[test], spread[test], measured[test])
    return {
        **intervals.to_dict(),
        "test": {"n": int(test.sum()), "coverage": covered, "width": width},
        "test_by_bin": spread_bin_coverage(intervals, mean[test], spread[test], measured[test]),
    }


def pair_changes(predict: PredictIntrons, pairs: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Each pair's predicted change (mean over members of mutant − wild type) and the members' SD of it."""
    introns = list(pd.unique(pd.concat([pairs["mutant"], pairs["wild_type"]])))
    members = dict(zip(introns, np.asarray(predict(introns), float).reshape(len(introns), -1)))
    deltas = np.array([members[m] - members[w] for m, w in zip(pairs["mutant"], pairs["wild_type"])])
    return deltas.mean(1), deltas.std(1)


def change_interval_card(predict: PredictIntrons, pairs: pd.DataFrame) -> dict | None:
    """Intervals for changes: fitted on the dev pairs' measured changes, with their coverage on the test pairs (None
    without pairs in both)."""
    dev, test = (pairs["part"] == "dev").to_numpy(), (pairs["part"] == "test").to_numpy()
    if not (dev.any() and test.any()):
        return None
    delta, spread = pair_changes(predict, pairs)
    measured = (pairs["mutant_mean"] - pairs["wild_type_mean"]).to_numpy(float)
    intervals = fit_intervals(delta[dev], spread[dev], measured[dev], n_bins=CHANGE_BINS)
    covered, width = coverage_of(intervals, delta[test], spread[test], measured[test], low=-1.0, high=1.0)
    return {**intervals.to_dict(), "test": {"n": int(test.sum()), "coverage": covered, "width": width}}


def library_distance_card(frame: pd.DataFrame, parts: np.ndarray, pred: np.ndarray) -> dict:
    """The library distance fitted on the train constructs (threshold from dev's), and the test rows' mean absolute
    error where it flags them and where it does not."""
    introns = frame["intron_seq"].astype(str).to_numpy()
    distance = fit_library_distance(
        list(pd.unique(introns[parts == "train"])), list(pd.unique(introns[parts == "dev"]))
    )
    test = parts == "test"
    flagged = np.array([bool(r) for r in distance.reasons(list(introns[test]))])
    errors = np.abs(frame["splicing_eff"].to_numpy(float)[test] - pred[test])
    by_flag = {
        name: {"n": int(rows.sum()), "mean_abs_error": float(errors[rows].mean()) if rows.any() else None}
        for name, rows in (("flagged", flagged), ("not_flagged", ~flagged))
    }
    return {**distance.to_dict(), "test_errors": by_flag}


def biology_card(predict: PredictIntrons, wildtype: pd.DataFrame, library: pd.DataFrame) -> list[dict]:
    """:func:`~splice_core.analysis.biology_check.biology_check` on the canonical annotated introns, against ``library``."""
    introns, branch = canonical_introns(wildtype)
    return biology_check(predict, introns, branch, knockout_references(library))
