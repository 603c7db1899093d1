"""How should a prediction's interval be binned? One run prints the evidence, on dev only, and the choice's test figures.

Needs the data directory. The shipped predictor (or ``--model DIR``) predicts the library's dev and test rows; for each
level weight w (the bins are of :func:`bin_key`, the members' spread + w · p(1 - p), where the shipped intervals'
are of the spread alone: w = 0) and each number of bins it prints the 90% intervals' coverage and mean width over ``--splits`` random
halvings of the dev constructs (calibrated on one half, measured on the other, both ways). Rule: the narrowest mean width
whose coverage is at least 90%. Then the chosen key's intervals, calibrated on all of dev, on test.

    python benchmarks/study_intervals.py [--model DIR] [--data-dir DIR] [--splits 5]
"""

import argparse
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT)]

from splice_core.models.store import PRETRAINED_DIR  # noqa: E402
from splice_core.predict.intervals import COVERAGE, N_BINS, coverage_of, fit_intervals  # noqa: E402
from splice_core.predict.predictor import load_predictor  # noqa: E402
from splice_core.runs.experiment import prepare_data  # noqa: E402

LEVEL_WEIGHTS = (0.0, 0.25, 0.5, 1.0, 2.0)
BIN_COUNTS = (4, 6, 8)


def bin_key(mean: np.ndarray, spread: np.ndarray, weight: float) -> np.ndarray:
    """What a row's bin is chosen by ``(N,)``: the members' spread plus ``weight`` times ``mean (1 - mean)``."""
    return spread + weight * mean * (1 - mean)


def halving_figures(
    mean, spread, measured, constructs, weight: float, n_bins: int, splits: int
) -> tuple[float, float]:
    """Mean coverage and width ``(2,)`` over ``splits`` halvings of the constructs, calibrated on each half in turn."""
    figures, key = [], bin_key(mean, spread, weight)  # fit_intervals bins by what it is given as the spread
    for seed in range(splits):
        names = np.unique(constructs)
        half = np.isin(constructs, np.random.default_rng(seed).permutation(names)[: len(names) // 2])
        for fit, check in ((half, ~half), (~half, half)):
            intervals = fit_intervals(mean[fit], key[fit], measured[fit], n_bins=n_bins)
            figures.append(coverage_of(intervals, mean[check], key[check], measured[check]))
    return tuple(np.mean(figures, axis=0))


def main(argv: list[str] | None = None) -> int:
    """Print the interval study."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, default=PRETRAINED_DIR)
    parser.add_argument("--data-dir", type=Path, default=ROOT.parent / "shared" / "data")
    parser.add_argument("--splits", type=int, default=5)
    args = parser.parse_args(argv)
    data, predictor = prepare_data(args.data_dir), load_predictor(args.model)
    parts = data.parts.to_numpy()
    rows = np.isin(parts, ("dev", "test"))
    frame = data.frame[rows]
    members = predictor.library_members(frame, data.reporter)
    mean, spread = members.mean(1), members.std(1)
    measured, constructs, parts = (
        frame["splicing_eff"].to_numpy(float),
        frame["construct"].to_numpy(),
        parts[rows],
    )
    dev, test = parts == "dev", parts == "test"
    print(
        f"## {COVERAGE:.0%} intervals on dev, {args.splits} halvings of its constructs: coverage / mean width"
    )
    print("| level weight | " + " | ".join(f"{n} bins" for n in BIN_COUNTS) + " |")
    print("|---|" + "---|" * len(BIN_COUNTS))
    grid = {}
    for weight in LEVEL_WEIGHTS:
        for n_bins in BIN_COUNTS:
            grid[weight, n_bins] = halving_figures(
                mean[dev], spread[dev], measured[dev], constructs[dev], weight, n_bins, args.splits
            )
        cells = [f"{grid[weight, n][0]:.3f} / {grid[weight, n][1]:.3f}" for n in BIN_COUNTS]
        print(f"| {weight:g} | " + " | ".join(cells) + " |")
    held = {key: value for key, value in grid.items() if value[0] >= COVERAGE}
    weight, n_bins = min(held, key=lambda key: held[key][1])
    print(f"\nChosen on dev: level weight {weight:g}, {n_bins} bins.")
    for name, (w, n) in (
        ("chosen", (weight, n_bins)),
        (f"shipped: spread alone, {N_BINS} bins", (0.0, N_BINS)),
    ):
        key = bin_key(mean, spread, w)
        intervals = fit_intervals(mean[dev], key[dev], measured[dev], n_bins=n)
        covered, width = coverage_of(intervals, mean[test], key[test], measured[test])
        print(f"test, {name}: coverage {covered:.3f}, mean width {width:.3f} (n = {int(test.sum())})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
