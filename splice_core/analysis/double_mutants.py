"""Double mutants of an intron: every pair of single-base changes at two positions, its effect and its epistasis.

A change is a substitution to another base or a deletion. Analyses take ``predict(introns, branch)`` as in
:mod:`splice_core.analysis.mutagenesis`. Epistasis is the pair's effect minus the sum of its two single effects.
"""

from collections.abc import Callable

import numpy as np
import pandas as pd

from splice_core.analysis.mutagenesis import (
    PredictIntrons,
    distinct_variants,
    mutagenesis_effects,
    predict_near,
)
from splice_core.seq.encoding import ALPHABET
from splice_core.seq.mutations import mutated, mutated_at, mutation_label

CHUNK = 8192
Progress = Callable[[int, int], None]
PAIR_COLUMNS = [
    "position_1",
    "mutant_1",
    "position_2",
    "mutant_2",
    "mutation",
    "effect",
    "effect_1",
    "effect_2",
    "epistasis",
]


def pair_count(length: int) -> int:
    """Double mutants of an ACGT intron of ``length`` nt: 4 changes at each of two positions."""
    return 16 * length * (length - 1) // 2


def single_changes(intron: str) -> tuple[np.ndarray, np.ndarray]:
    """(0-based positions ``(C,)``, mutants ``(C,)``) of every change, position-major: A, C, G, T other than the base, then ``-``."""
    changes = [(i, b) for i, wild in enumerate(intron) for b in (*ALPHABET, "-") if b != wild]
    return np.array([i for i, _ in changes], int), np.array([b for _, b in changes])


def change_pairs(positions: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Index arrays ``(P,)``, ``(P,)`` of every pair of changes at two different positions (first one upstream)."""
    first, second = np.triu_indices(len(positions), 1)
    keep = positions[first] < positions[second]
    return first[keep], second[keep]


def pair_branch_starts(
    branch: int, positions: np.ndarray, mutants: np.ndarray, first: np.ndarray, second: np.ndarray
) -> np.ndarray:
    """Branch starts ``(P,)`` of the double mutants: each deletion upstream of the site shifts it by -1."""
    upstream = (mutants == "-") & (positions < branch)
    return branch - upstream[first].astype(int) - upstream[second].astype(int)


def predict_in_chunks(
    predict: PredictIntrons,
    variants: list[str],
    starts: np.ndarray | None,
    parents: list[str],
    parent_branch: np.ndarray | None,
    on_progress: Progress | None = None,
) -> np.ndarray:
    """Predictions ``(N,)`` of ``variants`` (made from ``parents``, see :func:`~splice_core.analysis.mutagenesis.predict_near`)
    in chunks of :data:`CHUNK`, reporting ``(done, total)`` after each."""
    out = np.empty(len(variants))
    for k in range(0, len(variants), CHUNK):
        part = slice(k, k + CHUNK)
        out[part] = predict_near(
            predict,
            variants[part],
            None if starts is None else starts[part],
            parents[part],
            None if parent_branch is None else parent_branch[part],
        )
        if on_progress is not None:
            on_progress(min(k + CHUNK, len(variants)), len(variants))
    return out


def single_effect_per_change(intron: str, subs: np.ndarray, dels: np.ndarray) -> np.ndarray:
    """The single effect ``(C,)`` of every change of :func:`single_changes`, from mutagenesis deltas."""
    positions, mutants = single_changes(intron)
    columns = np.array([ALPHABET.find(m) for m in mutants])
    return np.where(mutants == "-", dels[positions], subs[positions, np.maximum(columns, 0)])


def pair_effects(
    predict: PredictIntrons, intron: str, branch: int | None = None, on_progress: Progress | None = None
) -> pd.DataFrame:
    """Every double mutant of ``intron`` with its effect, both single effects and the epistasis: ``(P, 9)``.

    ``P = 16 * L * (L - 1) / 2`` for an intron of ``L`` ACGT bases (178,800 for 150 nt). Positions are 1-based;
    effects are predictions minus the intron's. ``branch`` (0-based) keeps the user's branch site in every
    variant (deletions upstream shift it); None lets ``predict`` place it. Each distinct sequence is
    predicted once, in chunks; ``on_progress(done, total)`` follows them.
    """
    reference, subs, dels = mutagenesis_effects(predict, intron, branch)
    singles = single_effect_per_change(intron, subs, dels)
    positions, mutants = single_changes(intron)
    first, second = change_pairs(positions)
    variants = [
        mutated_at(intron, [(positions[a], mutants[a]), (positions[b], mutants[b])])
        for a, b in zip(first.tolist(), second.tolist())
    ]
    starts = None if branch is None else pair_branch_starts(branch, positions, mutants, first, second)
    unique, unique_starts, inverse = distinct_variants(variants, starts)
    made_from = first[np.unique(inverse, return_index=True)[1]]  # each distinct pair's first change
    singles_made = [mutated(intron, p, m) for p, m in zip(positions.tolist(), mutants)]
    parents = [singles_made[c] for c in made_from.tolist()]
    parent_branch = None
    if branch is not None:
        parent_branch = branch - ((mutants == "-") & (positions < branch)).astype(int)[made_from]
    effect = predict_in_chunks(predict, unique, unique_starts, parents, parent_branch, on_progress)[inverse]
    effect = effect - reference
    labels_1 = [mutation_label(intron, p, m) for p, m in zip(positions, mutants)]
    return pd.DataFrame(
        {
            "position_1": positions[first] + 1,
            "mutant_1": mutants[first],
            "position_2": positions[second] + 1,
            "mutant_2": mutants[second],
            "mutation": [f"{labels_1[a]}+{labels_1[b]}" for a, b in zip(first.tolist(), second.tolist())],
            "effect": effect,
            "effect_1": singles[first],
            "effect_2": singles[second],
            "epistasis": effect - singles[first] - singles[second],
        }
    )[PAIR_COLUMNS]
