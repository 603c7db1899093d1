"""In-silico mutagenesis of an intron: every single-base substitution and deletion.

Analyses take ``predict``, a function from a list of intron strings to ``(N,)`` predictions.
"""
from collections.abc import Callable

import numpy as np
import pandas as pd

from .encoding import ALPHABET

PredictIntrons = Callable[[list[str]], np.ndarray]


def substitution_variants(intron: str) -> list[str]:
    """All ``4 * L`` single-base variants, position-major, base order A, C, G, T (wild-type base included)."""
    return [intron[:i] + b + intron[i + 1 :] for i in range(len(intron)) for b in ALPHABET]


def deletion_variants(intron: str) -> list[str]:
    """The ``L`` single-base deletions, in position order."""
    return [intron[:i] + intron[i + 1 :] for i in range(len(intron))]


def mutagenesis_effects(predict: PredictIntrons, intron: str) -> tuple[float, np.ndarray, np.ndarray]:
    """(reference, substitution deltas ``(L, 4)``, deletion deltas ``(L,)``) in one batched call.

    Deltas are variant minus reference; the wild-type base's own cell is exactly 0.
    """
    n = len(intron)
    preds = np.asarray(predict([intron, *substitution_variants(intron), *deletion_variants(intron)]), float)
    reference = float(preds[0])
    subs = preds[1 : 1 + 4 * n].reshape(n, 4) - reference
    wild = np.array([ALPHABET.find(b) for b in intron])
    known = np.flatnonzero(wild >= 0)
    subs[known, wild[known]] = 0.0
    return reference, subs, preds[1 + 4 * n :] - reference


def effects_to_table(intron: str, subs: np.ndarray, dels: np.ndarray) -> pd.DataFrame:
    """Long table of every mutation: position (1-based), wild-type, mutant (``-`` = deletion), delta."""
    rows = [
        (i + 1, intron[i], b, f"{intron[i]}{i + 1}{b}", subs[i, j])
        for i in range(len(intron))
        for j, b in enumerate(ALPHABET)
        if b != intron[i]
    ]
    rows += [(i + 1, intron[i], "-", f"del{intron[i]}{i + 1}", dels[i]) for i in range(len(intron))]
    return pd.DataFrame(rows, columns=["position", "wild_type", "mutant", "mutation", "delta"])


def apply_mutation(intron: str, position: int, mutant: str) -> str:
    """The intron with a substitution (``mutant`` in ACGT) or deletion (``-``) at a 1-based position."""
    if not 1 <= position <= len(intron):
        raise ValueError(f"position {position} is outside the intron (1..{len(intron)})")
    i = position - 1
    if mutant == "-":
        return intron[:i] + intron[i + 1 :]
    if mutant not in ALPHABET:
        raise ValueError(f"mutant base must be one of A, C, G, T or '-', got {mutant!r}")
    return intron[:i] + mutant + intron[i + 1 :]
