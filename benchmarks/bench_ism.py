"""Incremental in-silico mutagenesis beside today's batched path and the naive way, alternated in one process.

Figures (shipped model, made-up 150-nt intron): the Predict page's mutagenesis (its central 148-nt view: every
substitution and deletion); the double-mutant scan of the whole intron (every pair of changes, read through its
views, as ``scan --pairs`` and the page's epistasis map run it); design's edit search (beam 2, 1..5 substitutions
or deletions, sites kept). "incremental" tells the predictor each variant's parent (the default everywhere now);
"batched" scores every variant whole, as before; "naive" is one ``model.predict`` call per variant (sampled and
scaled). Each figure alternates incremental and batched ``--rounds`` times and reports medians of wall and
process CPU time, and the load average, since the machine is shared.

    python benchmarks/bench_ism.py [--rounds 5] [--pairs-rounds 1] [--pairs-length 150] [--naive-sample 40] [--no-pairs]
        [--model DIR]

It ends with where a paste's work goes on the Predict page (prediction, mutagenesis both ways, heatmap,
SmoothGrad, the logo's figure and PNG).
"""

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests"), str(ROOT / "benchmarks")]

from bench_design import edit_request  # noqa: E402
from bench_interactive import made_up_intron, per_call_naive_ms  # noqa: E402

from splice_core.analysis.double_mutants import change_pairs, pair_effects, single_changes  # noqa: E402
from splice_core.analysis.mutagenesis import deletion_variants, mutagenesis_effects, substitution_variants  # noqa: E402
from splice_core.design.search import EditState, design  # noqa: E402
from splice_core.models.store import PRETRAINED_DIR  # noqa: E402
from splice_core.predict.predictor import Predictor, load_predictor  # noqa: E402
from splice_core.seq.mutations import mutated_at  # noqa: E402  # noqa: E402
from splice_core.seq.views import central_view  # noqa: E402

TARGETS_S = {"mutagenesis": 0.030, "double mutants": 15.0, "edit search": 0.5}


def batched_means(predictor: Predictor) -> Callable:
    """Today's path for mutagenesis and pairs: ``predict(introns, branch)`` told nothing of each variant's parent."""
    return lambda introns, branch: predictor.predict_introns(introns, branch)


def batched_members(predictor: Predictor) -> Callable:
    """Today's path for design: every member's prediction, told nothing of each variant's parent."""
    return lambda introns, branch: predictor.intron_members(introns, branch)


def alternated(runs: dict[str, Callable[[], object]], rounds: int) -> dict[str, tuple[float, float]]:
    """(median wall s, median CPU s) of each run, the runs alternated ``rounds`` times after one warm-up each."""
    for run in runs.values():
        run()
    times: dict[str, list[tuple[float, float]]] = {name: [] for name in runs}
    for _ in range(rounds):
        for name, run in runs.items():
            wall, cpu = time.perf_counter(), time.process_time()
            run()
            times[name].append((time.perf_counter() - wall, time.process_time() - cpu))
    return {
        name: (statistics.median(w for w, _ in t), statistics.median(c for _, c in t))
        for name, t in times.items()
    }


def figure_line(name: str, timed: dict[str, tuple[float, float]], naive: tuple[float, str]) -> str:
    """One printed figure: incremental and batched wall (CPU) seconds, the naive way, the target."""
    new, old = timed["incremental"], timed["batched"]
    target = TARGETS_S[name]
    return (
        f"{name:16s} incremental {new[0]:8.3f} s ({new[1]:.3f} CPU)  batched {old[0]:8.3f} s ({old[1]:.3f} CPU)  "
        f"x{old[0] / new[0]:.1f}  naive {naive[0]:8.1f} s ({naive[1]})  target {target} s: "
        f"{'met' if new[0] <= target else 'NOT met'}"
    )


def paste_parts(predictor: Predictor, introns: list[str]) -> dict[str, tuple[float, float]]:
    """Median (wall s, CPU s) of each of the Predict page's core calls for a pasted intron (as ``bench_sessions``)."""
    from splice_core.analysis.saliency import intron_saliency
    from splice_core.data.sites import site_spans
    from splice_core.plot.logo import figure_png, saliency_logo
    from splice_core.plot.mutagenesis_map import mutagenesis_heatmap

    times: dict[str, list[tuple[float, float]]] = {}

    def timed(name: str, run: Callable[[], object]):
        wall, cpu = time.perf_counter(), time.process_time()
        result = run()
        times.setdefault(name, []).append((time.perf_counter() - wall, time.process_time() - cpu))
        return result

    for intron in introns:
        timed("prediction", partial(predictor.intron_members, [intron]))
        _, subs, dels = timed(
            "mutagenesis (incremental)", partial(mutagenesis_effects, predictor.predict_introns, intron)
        )
        timed("mutagenesis (batched, before)", partial(mutagenesis_effects, batched_means(predictor), intron))
        spans = site_spans(len(intron), int(predictor.branch_starts([intron])[0]))
        heatmap = timed("heatmap", partial(mutagenesis_heatmap, intron, subs, dels, spans))
        timed("heatmap JSON", heatmap.to_json)
        saliency = timed("SmoothGrad", partial(intron_saliency, predictor, intron))
        figure = timed("logo figure", partial(saliency_logo, saliency, spans))
        timed("logo PNG", partial(figure_png, figure))
    return {
        name: tuple(statistics.median(t[i] for t in runs) for i in (0, 1)) for name, runs in times.items()
    }


def main() -> None:
    """Print every figure."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--pairs-rounds", type=int, default=1)
    parser.add_argument("--pairs-length", type=int, default=150)
    parser.add_argument("--naive-sample", type=int, default=40)
    parser.add_argument("--no-pairs", action="store_true", help="skip the double-mutant scan (minutes)")
    parser.add_argument(
        "--model", type=Path, default=PRETRAINED_DIR, help="model directory (default: the shipped one)"
    )
    args = parser.parse_args()
    predictor = load_predictor(args.model)
    print(
        f"incremental engine: {type(predictor.incremental).__name__}; load average {os.getloadavg()[0]:.1f}"
    )
    rng = np.random.default_rng(0)
    intron = made_up_intron(rng, 150)
    lines = []

    view = central_view(predictor.intron_view_sets([intron])[0]).sequence
    timed = alternated(
        {
            "incremental": partial(mutagenesis_effects, predictor.predict_introns, view),
            "batched": partial(mutagenesis_effects, batched_means(predictor), view),
        },
        args.rounds,
    )
    variants = [view, *substitution_variants(view), *deletion_variants(view)]
    naive_ms, how = per_call_naive_ms(predictor, variants, args.naive_sample)
    lines.append(figure_line("mutagenesis", timed, (naive_ms / 1000, how)))
    print(lines[-1], f"load average {os.getloadavg()[0]:.1f}", flush=True)

    request = edit_request(predictor, intron, beam=2)
    timed = alternated(
        {
            "incremental": partial(design, predictor.intron_members, request),
            "batched": partial(design, batched_members(predictor), request),
        },
        args.rounds,
    )
    children = [c.sequence for c in EditState(request.intron).children(request)]
    naive_ms, how = per_call_naive_ms(predictor, children * 2 * request.max_edits, args.naive_sample)
    lines.append(figure_line("edit search", timed, (naive_ms / 1000, how)))
    print(lines[-1], f"load average {os.getloadavg()[0]:.1f}", flush=True)

    pair_intron = made_up_intron(rng, args.pairs_length)
    timed = (
        {}
        if args.no_pairs
        else alternated(
            {
                "incremental": partial(pair_effects, predictor.predict_introns, pair_intron),
                "batched": partial(pair_effects, batched_means(predictor), pair_intron),
            },
            args.pairs_rounds,
        )
    )
    if timed:
        positions, mutants = single_changes(pair_intron)
        first, second = change_pairs(positions)
        step = max(1, len(first) // args.naive_sample)
        sample = [
            mutated_at(pair_intron, [(positions[a], mutants[a]), (positions[b], mutants[b])])
            for a, b in zip(first[::step].tolist(), second[::step].tolist())
        ]
        naive_ms, how = per_call_naive_ms(predictor, sample, None)
        scaled = naive_ms * len(first) / len(sample) / 1000
        lines.append(figure_line("double mutants", timed, (scaled, f"{how}, scaled to {len(first)} pairs")))
        print(lines[-1], f"load average {os.getloadavg()[0]:.1f}", flush=True)

    print(
        "\nwhere a paste's work goes (the Predict page's core calls, 148-nt introns; median wall s, CPU s):"
    )
    paste_parts(predictor, [made_up_intron(rng, 148)])  # warm-up: SmoothGrad's first call traces its function
    parts = paste_parts(predictor, [made_up_intron(rng, 148) for _ in range(args.rounds)])
    for name, (wall, cpu) in parts.items():
        print(f"  {name:32s} {wall:7.3f} s  {cpu:7.3f} CPU")

    print(f"\n{os.cpu_count()} CPU cores, load average {os.getloadavg()[0]:.1f} at the end")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
