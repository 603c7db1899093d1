"""Native introns of any length: how many score, how long scoring all takes, how stable a long intron's prediction is.

Needs the data directory (``wildtype_introns.csv``). With the shipped model (or ``--model DIR``) it prints

- how many of the annotated introns score, and the warm time to score them all (ours: batched views) beside one
  call per intron;
- stability: for every intron longer than 148 nt, the change of its prediction when neutral sequence (AT-rich,
  no G, so no GT/AG, and no branch-site core ACTAA) is inserted at its centre, read through the views (ours)
  beside the model reading the whole intron (it masks padding, so it can; the naive way).

    python benchmarks/bench_long_introns.py [--model DIR] [--repeats 3]
"""

import argparse
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "benchmarks")]

from bench_interactive import median_ms  # noqa: E402

from splice_core.analysis.native import score_native  # noqa: E402
from splice_core.data.library import read_wildtype  # noqa: E402
from splice_core.models.store import PRETRAINED_DIR  # noqa: E402
from splice_core.predict.predictor import load_predictor  # noqa: E402
from splice_core.seq.encoding import strings_to_one_hot  # noqa: E402
from splice_core.seq.intron_text import TRAINED_MAX  # noqa: E402

INSERTS = (100, 300, 1000)


def neutral(rng: np.random.Generator, length: int) -> str:
    """AT-rich random sequence without G (no GT/AG) and without the branch-site core ACTAA."""
    while True:
        piece = "".join(rng.choice(list("ACT"), length, p=(0.4, 0.2, 0.4)))
        if "ACTAA" not in piece:
            return piece


def change_line(label: str, before: np.ndarray, after: np.ndarray) -> str:
    """Median, 90th percentile and largest absolute change."""
    change = np.abs(after - before)
    return f"{label:34s} {np.median(change):8.3f} {np.quantile(change, 0.9):8.3f} {change.max():8.3f}"


def main() -> None:
    """Print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, default=PRETRAINED_DIR)
    parser.add_argument("--data-dir", type=Path, default=None)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    predictor = load_predictor(args.model)
    wildtype = read_wildtype(args.data_dir)
    table = score_native(predictor, wildtype)
    introns = table["sequence"].tolist()
    print(f"model {args.model} ({predictor.card.get('name', '')})")
    print(
        f"scored {int(table['predicted_eff'].notna().sum())} of {len(table)} introns "
        f"({table['length'].min()}–{table['length'].max()} nt; {int((table['length'] > TRAINED_MAX).sum())} longer than {TRAINED_MAX} nt)"
    )
    ours = median_ms(lambda: score_native(predictor, wildtype), args.repeats) / 1000
    naive = (
        median_ms(
            lambda: [predictor.intron_members([intron]) for intron in introns], max(1, args.repeats // 2)
        )
        / 1000
    )
    print(f"time to score all (warm): {ours:.2f} s batched; {naive:.2f} s with one call per intron")

    rng = np.random.default_rng(0)
    long = [intron for intron in introns if len(intron) > TRAINED_MAX]
    cnn = replace(
        predictor, blend=None
    )  # both readings by the CNN alone: the peer reads no one-hot whole intron
    views_before = cnn.predict_introns(long)
    whole_before = cnn.predict(strings_to_one_hot(long))
    print(
        f"\nstability of the {len(long)} introns over {TRAINED_MAX} nt: |change| when neutral sequence is inserted at the centre"
    )
    print(f"{'insert, read as':34s} {'median':>8s} {'p90':>8s} {'max':>8s}")
    for size in INSERTS:
        longer = [
            intron[: len(intron) // 2] + neutral(rng, size) + intron[len(intron) // 2 :] for intron in long
        ]
        print(change_line(f"{size:,} nt, views (ours)", views_before, cnn.predict_introns(longer)))
        print(
            change_line(
                f"{size:,} nt, whole intron (naive)",
                whole_before,
                cnn.predict(strings_to_one_hot(longer)),
            )
        )
    spread = table.loc[table["length"] > TRAINED_MAX, "predicted_sd"].mean()
    print(f"\nfor scale: the members' mean spread on these introns is {spread:.3f}")


if __name__ == "__main__":
    main()
