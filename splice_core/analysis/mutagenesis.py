"""In-silico mutagenesis of an intron: every single-base substitution and deletion.

Analyses take ``predict(introns, branch)``, a function from intron strings and their 0-based branch-site
starts (or None: the model's default) to ``(N,)`` predictions, such as ``Predictor.predict_introns``. When it
also takes ``parents`` and ``parent_branch`` (the intron each variant was made from, and its branch start), it is
told them, so that a model may compute only what each change reaches (:mod:`splice_core.models.incremental`).
"""

import inspect
from collections.abc import Callable

import numpy as np
import pandas as pd

from splice_core.seq.encoding import ALPHABET
from splice_core.seq.mutations import change_label
from splice_core.seq.views import column_positions

PredictIntrons = Callable[[list[str], np.ndarray | None], np.ndarray]


def substitution_variants(intron: str) -> list[str]:
    """All ``4 * L`` single-base variants, position-major, base order A, C, G, T (wild-type base included)."""
    return [intron[:i] + b + intron[i + 1 :] for i in range(len(intron)) for b in ALPHABET]


def deletion_variants(intron: str) -> list[str]:
    """The ``L`` single-base deletions, in position order."""
    return [intron[:i] + intron[i + 1 :] for i in range(len(intron))]


def variant_branch_starts(length: int, branch: int) -> np.ndarray:
    """Branch starts of ``[intron, substitutions..., deletions...]``: a deletion upstream shifts the site by -1."""
    deletions = np.where(np.arange(length) < branch, branch - 1, branch)
    return np.concatenate([np.full(1 + 4 * length, branch), deletions])


def distinct_variants(
    variants: list[str], starts: np.ndarray | None
) -> tuple[list[str], np.ndarray | None, np.ndarray]:
    """(distinct variants, their branch starts, index of each input variant among them), first occurrence order."""
    keys = zip(variants, starts.tolist() if starts is not None else [None] * len(variants))
    first: dict[tuple[str, int | None], int] = {}
    inverse = np.array([first.setdefault(key, len(first)) for key in keys])
    unique_starts = None if starts is None else np.array([start for _, start in first], int)
    return [variant for variant, _ in first], unique_starts, inverse


def predict_near(
    predict: Callable,
    introns: list[str],
    starts: np.ndarray | None,
    parents: list[str],
    parent_branch: np.ndarray | None,
) -> np.ndarray:
    """``predict(introns, starts)``, told each variant's parent (and the parents' branch starts) when it takes them."""
    if "parents" in inspect.signature(predict).parameters:
        return np.asarray(predict(introns, starts, parents=parents, parent_branch=parent_branch))
    return np.asarray(predict(introns, starts))


def mutagenesis_effects(
    predict: PredictIntrons, intron: str, branch: int | None = None
) -> tuple[float, np.ndarray, np.ndarray]:
    """(reference, substitution deltas ``(L, 4)``, deletion deltas ``(L,)``) in one batched call.

    The call predicts each distinct variant once (the wild-type base's substitution is the intron itself, and
    deletions within a run of one base are the same sequence). Deltas are variant minus reference; the wild-type
    base's own cell is exactly 0. ``branch`` (0-based) keeps the user's branch site in every variant; None lets
    ``predict`` place it.
    """
    n = len(intron)
    variants = [intron, *substitution_variants(intron), *deletion_variants(intron)]
    starts = None if branch is None else variant_branch_starts(n, branch)
    unique, unique_starts, inverse = distinct_variants(variants, starts)
    parent_branch = None if branch is None else np.full(len(unique), branch)
    preds = np.asarray(
        predict_near(predict, unique, unique_starts, [intron] * len(unique), parent_branch), float
    )
    preds = preds[inverse]
    reference = float(preds[0])
    subs = preds[1 : 1 + 4 * n].reshape(n, 4) - reference
    wild = np.array([ALPHABET.find(b) for b in intron])
    known = np.flatnonzero(wild >= 0)
    subs[known, wild[known]] = 0.0
    return reference, subs, preds[1 + 4 * n :] - reference


def effects_to_table(
    sequence: str, subs: np.ndarray, dels: np.ndarray, positions: np.ndarray | None = None
) -> pd.DataFrame:
    """Long table of every mutation: position (1-based), wild-type, mutant (``-`` = deletion), delta.

    ``positions`` ``(L,)``: the 1-based intron position of each base when ``sequence`` is a view of a longer
    intron (positions and labels then name the intron's bases); default 1..L.
    """
    at = column_positions(len(sequence), positions)
    rows = [
        (int(at[i]), sequence[i], b, change_label(sequence[i], int(at[i]), b), subs[i, j])
        for i in range(len(sequence))
        for j, b in enumerate(ALPHABET)
        if b != sequence[i]
    ]
    rows += [
        (int(at[i]), sequence[i], "-", change_label(sequence[i], int(at[i]), "-"), dels[i])
        for i in range(len(sequence))
    ]
    return pd.DataFrame(rows, columns=["position", "wild_type", "mutant", "mutation", "delta"])


def strongest_effects(table: pd.DataFrame, n: int = 10) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The ``n`` strongest losses (most negative delta first) and gains (most positive first) of a table."""
    ordered = table.sort_values("delta", kind="stable")
    losses = ordered[ordered["delta"] < 0].head(n)
    gains = ordered[ordered["delta"] > 0].iloc[::-1].head(n)
    return losses.reset_index(drop=True), gains.reset_index(drop=True)
