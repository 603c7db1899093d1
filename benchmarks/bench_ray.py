"""Ray figures beside the single-process way, measured in one run on this machine (shipped model, made-up introns).

1. ``predict --ray`` (a local Ray started by the command, all CPUs) against the single-process ``predict`` on the
   same CSV of ``--n`` introns (default 1,000,000): end-to-end wall time of each command (start-up, model loads and
   Ray's start included), introns per second, the ratio, the driver's peak memory (VmHWM of the command's own
   process, polled; Ray's workers are separate processes) and the largest difference between the two outputs.
2. The double-mutant scan of one made-up 150-nt intron (every pair of substitutions and deletions) in one
   process, beside the naive way (one ``predict`` call per double mutant, timed on ``--naive-sample`` of them
   and scaled to the full count).

    python benchmarks/bench_ray.py [--n 1000000] [--naive-sample 200] [--skip-predict] [--skip-scan]
"""

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT)]


def made_up_introns(n: int, seed: int = 0) -> list[str]:
    """``n`` random introns of 60..150 nt with consensus sites (no real sequence)."""
    rng = np.random.default_rng(seed)
    lengths = rng.integers(60, 151, n)
    body = "".join(np.array(list("ACGT"))[rng.integers(0, 4, int(lengths.sum()))])
    out, start = [], 0
    for length in lengths.tolist():
        core = length - 6 - 7 - 3 - 20
        out.append(
            "GTATGT" + body[start : start + core] + "TACTAAC" + body[start + core : start + core + 20] + "TAG"
        )
        start += core + 20
    return out


def peak_mb(pid: int) -> float:
    """Peak resident memory (VmHWM) of a running process since its exec, in MB (0 once it is gone)."""
    try:
        line = next(
            line for line in Path(f"/proc/{pid}/status").read_text().splitlines() if line.startswith("VmHWM:")
        )
    except (OSError, StopIteration):
        return 0.0
    return int(line.split()[1]) / 1024


def timed_command(args: list[str]) -> tuple[float, float]:
    """(wall seconds, peak resident memory in MB of the command's own process) of a command run to its end."""
    start = time.monotonic()
    process = subprocess.Popen(
        [sys.executable, "-m", "splice_core", *args], cwd=ROOT, stdout=subprocess.DEVNULL
    )
    peak = 0.0
    while process.poll() is None:
        peak = max(peak, peak_mb(process.pid))
        time.sleep(0.2)
    if process.returncode != 0:
        raise RuntimeError(f"{' '.join(args)} failed")
    return time.monotonic() - start, peak


def largest_difference(one: Path, other: Path) -> float:
    """Largest absolute difference of ``predicted_eff`` between two scored CSV files (same rows)."""
    worst = 0.0
    for a, b in zip(
        pd.read_csv(one, usecols=["predicted_eff"], chunksize=200_000),
        pd.read_csv(other, usecols=["predicted_eff"], chunksize=200_000),
    ):
        worst = max(
            worst, float(np.nanmax(np.abs(a["predicted_eff"].to_numpy() - b["predicted_eff"].to_numpy())))
        )
    return worst


def bench_predict(n: int, folder: Path) -> None:
    """Single-process ``predict`` against ``predict --ray`` on ``n`` introns."""
    source = folder / "introns.csv"
    pd.DataFrame({"id": np.arange(n), "intron_seq": made_up_introns(n)}).to_csv(source, index=False)
    single = timed_command(["predict", str(source), "-o", str(folder / "single.csv")])
    on_ray = timed_command(["predict", str(source), "-o", str(folder / "ray.csv"), "--ray"])
    print(
        f"\npredict, {n:,} introns ({os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} at the end)"
    )
    print(f"{'path':<28}{'wall s':>9}{'introns/s':>12}{'driver peak MB':>16}")
    for name, (seconds, peak) in (("single process", single), ("--ray (local Ray)", on_ray)):
        print(f"{name:<28}{seconds:>9.1f}{n / seconds:>12,.0f}{peak:>16,.0f}")
    print(
        f"ray / single-process rate: {single[0] / on_ray[0]:.2f}x (target >= 0.8x); "
        f"largest |difference| of predicted_eff: {largest_difference(folder / 'single.csv', folder / 'ray.csv'):.1e}"
    )


def bench_scan(naive_sample: int) -> None:
    """The double-mutant scan of one 150-nt intron, beside one predict call per double mutant (scaled)."""
    import functools

    from splice_core.analysis.double_mutants import change_pairs, pair_effects, single_changes
    from splice_core.models.store import PRETRAINED_DIR
    from splice_core.predict.predictor import load_predictor
    from splice_core.seq.mutations import mutated_at

    predictor = load_predictor(PRETRAINED_DIR)
    intron = made_up_introns(1, seed=7)[0]
    intron = (intron * 2)[: 150 - 3] + "TAG" if len(intron) < 150 else intron[:150]
    predict = functools.partial(predictor.predict_introns)
    predict([intron], None)  # warm
    start = time.monotonic()
    table = pair_effects(predict, intron)
    ours = time.monotonic() - start
    positions, mutants = single_changes(intron)
    first, second = change_pairs(positions)
    picks = np.random.default_rng(0).choice(len(first), naive_sample, replace=False)
    start = time.monotonic()
    for k in picks:
        predictor.model.predict(
            predictor.introns_to_one_hot(
                [
                    mutated_at(
                        intron,
                        [
                            (positions[first[k]], mutants[first[k]]),
                            (positions[second[k]], mutants[second[k]]),
                        ],
                    )
                ]
            ),
            verbose=0,
        )
    naive = (time.monotonic() - start) / naive_sample * len(table)
    print(f"\ndouble-mutant scan of one {len(intron)}-nt intron: {len(table):,} pairs")
    print(f"{'way':<52}{'seconds':>10}")
    print(f"{'pair_effects (distinct variants, batched)':<52}{ours:>10.1f}")
    print(f"{f'naive: one model.predict per pair (scaled from {naive_sample})':<52}{naive:>10.0f}")


def main() -> None:
    """Print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument("--naive-sample", type=int, default=200)
    parser.add_argument("--skip-predict", action="store_true")
    parser.add_argument("--skip-scan", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        if not args.skip_predict:
            bench_predict(args.n, Path(folder))
    if not args.skip_scan:
        bench_scan(args.naive_sample)


if __name__ == "__main__":
    main()
