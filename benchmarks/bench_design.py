"""Design speed (warm, shipped model) beside the naive way, measured in the same run.

Figures:
- best designs for 1..5 edits (substitutions and deletions, sites kept) of a made-up 150-nt intron, as high as
  possible. Ours: the beam search (every one-edit child of the kept states in one batched call per step).
  Naive: the same greedy search with one ``model.predict`` call per candidate (timed on ``--naive-sample``
  calls and scaled to the search's candidate count, or all with ``--naive-full``), and random sampling of
  5-edit variants with as many (batched) predictions as ours used.
- 10 from-scratch designs within ±0.05 of their targets (one target, and targets spread over 0.2–0.8).
  Ours: in-silico evolution. Naive: random sampling of constrained introns (batched), until every target has
  a design or ``--random-budget`` predictions are spent.
- The design trust check: 30 from-scratch designs for each of the targets 0.3, 0.5 and 0.9 as ``design scratch
  --target T --n 30 --seed S`` makes them (the card's library distance in the loss), for each of ``--trust-seeds``:
  the time, the held-out member's agreement within ±0.1 (blended with the peer, as shipped, and its CNN alone), the
  folding peer's agreement and the share flagged as guessing.

    python benchmarks/bench_design.py [--repeats 3] [--naive-sample 60] [--naive-full] [--random-budget 50000]
        [--trust-seeds 7,8,9,10]
"""

import argparse
import os
import statistics
import sys
import time
from functools import partial
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "benchmarks")]

from bench_interactive import made_up_intron, per_call_naive_ms  # noqa: E402

from splice_core.data.sites import find_branch_start, site_positions  # noqa: E402
from splice_core.design.constraints import SequenceRules  # noqa: E402
from splice_core.design.library_agreement import DESIGN_TARGETS  # noqa: E402
from splice_core.design.requests import CONSENSUS, scratch_request  # noqa: E402
from splice_core.design.search import (  # noqa: E402
    AGREEMENT,
    SCRATCH_LENGTHS,
    EditRequest,
    EditState,
    Goal,
    ScratchRequest,
    design,
    search_members,
    site_template,
)
from splice_core.models.lightgbm_peer import GradientBoostingPeer, peer_beside  # noqa: E402
from splice_core.models.store import PRETRAINED_DIR  # noqa: E402
from splice_core.predict.predictor import Predictor, load_predictor  # noqa: E402

TRUST_DESIGNS = 30

EDITS = 5
N_DESIGNS = 10
TOLERANCE = 0.05


class CountingPredict:
    """``predict(introns, branch, parents, parent_branch) -> (N, K)`` counting what it scores (incremental, as the page)."""

    def __init__(self, predictor: Predictor):
        self.predictor, self.count = predictor, 0

    def __call__(
        self,
        introns: list[str],
        branch: np.ndarray | None,
        parents: list[str] | None = None,
        parent_branch: np.ndarray | None = None,
    ) -> np.ndarray:
        self.count += len(introns)
        return self.predictor.intron_members(introns, branch, parents, parent_branch)


def timed(fn, repeats: int):
    """(median wall seconds, median process CPU seconds, last result) of ``fn`` after one warm-up call."""
    result = fn()
    walls, cpus = [], []
    for _ in range(repeats):
        wall, cpu = time.perf_counter(), time.process_time()
        result = fn()
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    return statistics.median(walls), statistics.median(cpus), result


def library_agreement_text(card: dict, target: float) -> str:
    """The card's held-out member agreement on test rows predicted near ``target`` (the reference for designs)."""
    for record in card.get("held_out_agreement", []):
        if record["part"] == "test" and record["target"] == target and record["agreement"] is not None:
            return f" (on the {record['rows']} test rows the others predict near {target}: {record['agreement']:.0%})"
    return ""


def load_text() -> str:
    """The machine's 1-minute load average (figures on a shared machine move with it)."""
    return f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores"


def edit_request(predictor: Predictor, intron: str, beam: int) -> EditRequest:
    """As high as possible with at most 5 substitutions or deletions, the three sites kept."""
    branch = find_branch_start(intron, np.asarray(predictor.card["pwm_baseline"]["pwms"]["branch"]))
    return EditRequest(
        intron, Goal("high"), EDITS, site_positions(len(intron), branch), deletions=True, beam=beam
    )


def naive_greedy_seconds(
    predictor: Predictor, request: EditRequest, n_candidates: int, sample: int | None
) -> tuple[float, str]:
    """Seconds of a greedy search with one ``model.predict`` call per candidate (sampled and scaled unless ``sample`` is None)."""
    children = [c.sequence for c in EditState(request.intron).children(request)]
    candidates = (children * (n_candidates // len(children) + 1))[:n_candidates]
    milliseconds, how = per_call_naive_ms(predictor, candidates, sample)
    return milliseconds / 1000, how


def random_edits_best(predictor: Predictor, request: EditRequest, budget: int, seed: int = 0) -> float:
    """Best searched-member mean among ``budget`` random variants with 5 edits each (a fifth deletions; batched)."""
    rng = np.random.default_rng(seed)
    free = [i for i in range(len(request.intron)) if i not in request.fixed]
    variants = []
    for _ in range(budget):
        letters = list(request.intron)
        for position in sorted(rng.choice(free, EDITS, replace=False), reverse=True):
            if rng.random() < 0.2:
                del letters[position]
            else:
                letters[position] = str(rng.choice([b for b in "ACGT" if b != request.intron[position]]))
        variants.append("".join(letters))
    members = predictor.intron_members(variants)
    return float(members[:, : search_members(members.shape[1], True)].mean(1).max())


def random_introns(rng: np.random.Generator, request: ScratchRequest, count: int) -> list[str]:
    """Random introns on the request's site layouts (no sequence rules: the benchmark's request has none)."""
    introns = []
    for _ in range(count):
        template = site_template(rng, request)
        free = np.array(list(template)) == "N"
        letters = np.array(list(template))
        letters[free] = rng.choice(list("ACGT"), int(free.sum()))
        introns.append("".join(letters))
    return introns


def targets_met(predicted: np.ndarray, targets: np.ndarray) -> int:
    """How many targets get their own prediction within ±0.05 (greedy matching in sorted order, optimal here)."""
    pool, met, used = np.sort(predicted), 0, 0
    for target in np.sort(targets):
        while used < len(pool) and pool[used] < target - TOLERANCE:
            used += 1
        if used < len(pool) and pool[used] <= target + TOLERANCE:
            met, used = met + 1, used + 1
    return met


def random_scratch(
    predictor: Predictor, request: ScratchRequest, targets: np.ndarray, budget: int, batch: int = 2000
) -> tuple[float, int, int]:
    """(seconds, targets met, predictions spent) of random sampling until each target has its own design within ±0.05."""
    rng = np.random.default_rng(request.seed)
    predicted = np.zeros(0)
    start = time.perf_counter()
    while targets_met(predicted, targets) < len(targets) and len(predicted) < budget:
        members = predictor.intron_members(random_introns(rng, request, batch))
        predicted = np.concatenate([predicted, members[:, : search_members(members.shape[1], True)].mean(1)])
    return time.perf_counter() - start, targets_met(predicted, targets), len(predicted)


def trust_row(
    predictor: Predictor, plain: Predictor, peer: GradientBoostingPeer | None, target: float, seed: int
) -> dict:
    """Trust figures of ``design scratch --target T --n 30 --seed S`` (``plain``: the CNN unblended; ``peer``: folding)."""
    request = scratch_request(
        Goal("target", target),
        TRUST_DESIGNS,
        None,
        SCRATCH_LENGTHS,
        CONSENSUS,
        SequenceRules(),
        predictor.max_intron_length(),
        seed=seed,
        card=predictor.card,
    )
    start = time.perf_counter()
    designs = design(predictor.intron_members, request)
    seconds = time.perf_counter() - start
    sequences = [d.sequence for d in designs]
    plain_held_out = plain.intron_members(sequences)[:, -1]
    distance = request.library
    return {
        "seconds": seconds,
        "within": np.mean([abs(d.search_mean - target) <= request.tolerance for d in designs]),
        "held_out": np.mean([d.held_out_agrees for d in designs]),
        "plain": np.mean(np.abs(plain_held_out - target) <= AGREEMENT),
        "peer": np.nan
        if peer is None
        else np.mean(np.abs(peer.predict_introns(sequences) - target) <= AGREEMENT),
        "guessing": np.nan
        if distance is None
        else np.mean(distance.distance(sequences) > distance.threshold),
    }


def print_trust(predictor: Predictor, seeds: list[int]) -> None:
    """The design trust check per target and seed, and each target's mean over the seeds."""
    plain = Predictor(predictor.model, predictor.card, predictor.path)
    peer = peer_beside(PRETRAINED_DIR, predictor.card)
    print(
        f"\n## Design trust: {TRUST_DESIGNS} from-scratch designs per target (design scratch --target T --n {TRUST_DESIGNS} --seed S); "
        "held-out member within ±0.1 of T on ≥ 60%, in < 10 s"
    )
    for target in DESIGN_TARGETS:
        rows = [trust_row(predictor, plain, peer, target, seed) for seed in seeds]
        for seed, row in zip(seeds, rows):
            print(
                f"T {target}, seed {seed}: {row['seconds']:.1f} s; {row['within']:.0%} within the tolerance; held-out member "
                f"{row['held_out']:.0%} (its CNN alone {row['plain']:.0%}); folding peer {row['peer']:.0%}; guessing {row['guessing']:.0%}"
            )
        if len(rows) > 1:
            mean = {key: np.mean([row[key] for row in rows]) for key in rows[0]}
            print(
                f"T {target}, mean of {len(rows)} seeds ({TRUST_DESIGNS * len(rows)} designs): {mean['seconds']:.1f} s; "
                f"{mean['within']:.0%} within the tolerance; held-out member {mean['held_out']:.0%} (its CNN alone "
                f"{mean['plain']:.0%}); folding peer {mean['peer']:.0%}; guessing {mean['guessing']:.0%}"
            )


def main() -> None:
    """Print every figure beside its naive way."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--naive-sample", type=int, default=60)
    parser.add_argument("--naive-full", action="store_true")
    parser.add_argument("--random-budget", type=int, default=50_000)
    parser.add_argument(
        "--trust-seeds", default="7,8,9,10", help="seeds of the design trust check, comma-separated"
    )
    args = parser.parse_args()
    predictor = load_predictor(PRETRAINED_DIR)
    intron = made_up_intron(np.random.default_rng(0), 150)
    print(
        f"model: {predictor.card.get('name', PRETRAINED_DIR)}; members: {predictor.model.output_shape[-1]}; intron: 150 nt made up; "
        f"{load_text()}"
    )

    print(
        f"\n## Best designs for 1..{EDITS} edits (substitutions + deletions, sites kept, as high as possible); target 2 s"
    )
    for beam in (1, 2):
        counting = CountingPredict(predictor)
        request = edit_request(predictor, intron, beam)
        seconds, cpu, designs = timed(partial(design, counting, request), args.repeats)
        scored = counting.count // (args.repeats + 1)
        path = " → ".join(f"{d.search_mean:.3f}" for d in designs)
        print(
            f"ours, beam {beam}: {seconds:.2f} s wall, {cpu:.2f} s CPU ({scored} predictions); best by edits (search members) {path}; "
            f"held-out at {EDITS}: {designs[-1].held_out:.3f}"
        )
        if beam == 1:
            greedy_predictions = scored
    naive, how = naive_greedy_seconds(
        predictor, request, greedy_predictions, None if args.naive_full else args.naive_sample
    )
    print(f"naive greedy, one model.predict per candidate: {naive:.1f} s ({how})")
    best = random_edits_best(predictor, request, scored)
    print(f"naive random sampling of {EDITS}-edit variants, {scored} predictions: best {best:.3f}")

    print(
        f"\n## {N_DESIGNS} from-scratch designs within ±{TOLERANCE} of the target (search members; 80–148 nt, consensus sites); target 10 s"
    )
    for low, high in ((0.5, None), (0.2, 0.8), (0.9, None)):
        counting = CountingPredict(predictor)
        request = ScratchRequest(Goal("target", low), N_DESIGNS, high)
        seconds, cpu, designs = timed(partial(design, counting, request), args.repeats)
        targets = np.array([d.goal.target for d in designs])
        within = sum(abs(d.search_mean - d.goal.target) <= TOLERANCE for d in designs)
        agree = np.mean([d.held_out_agrees for d in designs])
        label = f"target {low}" if high is None else f"targets {low}–{high}"
        print(
            f"ours, {label}: {seconds:.2f} s wall, {cpu:.2f} s CPU ({counting.count // (args.repeats + 1)} predictions); {within}/{N_DESIGNS} within ±{TOLERANCE}; "
            f"held-out member within ±0.1 on {agree:.0%}{library_agreement_text(predictor.card, low) if high is None else ''}; "
            f"mean spread {np.mean([d.spread for d in designs]):.3f}"
        )
        r_seconds, met, spent = random_scratch(predictor, request, np.sort(targets), args.random_budget)
        print(
            f"naive random sampling, {label}: {r_seconds:.2f} s; {met}/{N_DESIGNS} targets met with {spent} predictions"
        )
    print_trust(predictor, [int(seed) for seed in args.trust_seeds.split(",")])
    print(f"\nat the end: {load_text()}")


if __name__ == "__main__":
    main()
