"""The biology check: every canonical annotated yeast intron with each splice-site base substituted and deleted, the
branch heptamer deleted, and indels of 1-6 nt in its middle (mostly neutral) beside the same number of bases substituted
there (as much changed sequence, without a shift), predicted beside what the library's own constructs measure for the
same kind of change."""

import numpy as np
import pandas as pd

from splice_core.analysis.variant_effects import (
    BRANCH_A,
    KNOCKED_SITES,
    NON_SPLICING,
    PredictIntrons,
    ReferenceLookup,
    deletion_moves_in,
    mean_predictions,
    reference_lookup,
    site_context,
    site_index,
)
from splice_core.seq.encoding import ALPHABET
from splice_core.seq.intron_text import TRAINED_MAX
from splice_core.seq.mutations import GAP, mutated

BP_COLUMN = "5'SS to BP (bp)"  # minus 1: the 0-based index of the branch A
INDEL_SIZES = (1, 2, 3, 4, 5, 6)
MARGIN = 10  # middle indels keep this far from the 5' site and the branch heptamer
SEED = 0  # the inserted bases
SUBSTITUTION_SEED = 1  # the substituted middle bases (their own generator: the inserted bases stay)
HEPTAMER_DELETED = "branch heptamer deleted"  # the class of the whole branch heptamer deleted
SUBSTITUTED, DELETED = "substituted", "deleted"  # what a knock-out does to its site's base


def knockout_class(site: str, kind: str) -> str:
    """The class of one base of ``site`` substituted or deleted (``kind``: :data:`SUBSTITUTED` or :data:`DELETED`)."""
    return f"{site} {kind}"


KNOCKOUT_CLASSES = frozenset(
    knockout_class(site, kind) for site, _, _ in KNOCKED_SITES for kind in (SUBSTITUTED, DELETED)
)


def canonical_introns(wildtype: pd.DataFrame) -> tuple[list[str], list[int]]:
    """The annotated introns that start GT and end AG with an A at their annotated branch point, and that branch A's
    0-based index (``wildtype``: :func:`~splice_core.data.library.read_wildtype`; none without its branch column)."""
    introns, branch = [], []
    if BP_COLUMN not in wildtype:
        return introns, branch
    for seq, to_bp in zip(wildtype["sequence"].astype(str).str.upper(), wildtype[BP_COLUMN]):
        a = int(to_bp) - 1
        if seq.startswith("GT") and seq.endswith("AG") and 0 < a < len(seq) and seq[a] == "A":
            introns.append(seq)
            branch.append(a)
    return introns, branch


def middle_index(intron: str, branch_a: int) -> int:
    """The position halfway between the 5' site and the branch heptamer (at least :data:`MARGIN` from each)."""
    low, high = MARGIN, max(MARGIN, branch_a - BRANCH_A - MARGIN)
    return (low + high) // 2


def site_changes(intron: str, branch_a: int, lookup: ReferenceLookup) -> list[tuple[str, str, float]]:
    """(class, variant, the library's figure or NaN) for each site's substitutions and deletion of one intron (figures
    looked up as for training: ``lookup`` from :func:`~splice_core.analysis.variant_effects.reference_lookup`)."""

    def figure(site: str, base: str, variant: str, position: int | None) -> float:
        found = lookup(site, base, site_context(variant, position))
        return np.nan if found is None else found[0]

    out = []
    for site, position, natural in KNOCKED_SITES:
        index = site_index(intron, position, branch_a)
        for base in ALPHABET:
            if base != natural:
                variant = mutated(intron, index, base)
                out.append(
                    (knockout_class(site, SUBSTITUTED), variant, figure(site, base, variant, position))
                )
        moved = deletion_moves_in(intron, index, position is not None and position < 0)
        variant = mutated(intron, index, GAP)
        out.append((knockout_class(site, DELETED), variant, figure(site, moved, variant, position)))
    start = branch_a - BRANCH_A
    out.append((HEPTAMER_DELETED, intron[:start] + intron[start + 7 :], np.nan))
    return out


def middle_class(size: int, change: str) -> str:
    """The class of a ``size``-nt ``change`` (deletion, insertion or substitution) at the intron's middle."""
    return f"{size}-nt {change} in the middle"


INDEL_CLASSES = frozenset(middle_class(size, c) for size in INDEL_SIZES for c in ("deletion", "insertion"))


def indel_changes(intron: str, branch_a: int, rng: np.random.Generator) -> list[tuple[str, str, float]]:
    """(class, variant, NaN) for deletions and insertions of each of :data:`INDEL_SIZES` at the intron's middle."""
    i = middle_index(intron, branch_a)
    out = []
    for size in INDEL_SIZES:
        inserted = "".join(rng.choice(list("ACGT"), size))
        out.append((middle_class(size, "deletion"), intron[:i] + intron[i + size :], np.nan))
        out.append((middle_class(size, "insertion"), intron[:i] + inserted + intron[i:], np.nan))
    return out


def substitution_changes(
    intron: str, branch_a: int, rng: np.random.Generator
) -> list[tuple[str, str, float]]:
    """(class, variant, NaN) for each of :data:`INDEL_SIZES` bases at the intron's middle substituted, each by another
    base: the control for an indel of that size (as much changed sequence, nothing shifted)."""
    i = middle_index(intron, branch_a)
    out = []
    for size in INDEL_SIZES:
        bases = "".join(rng.choice([b for b in ALPHABET if b != base]) for base in intron[i : i + size])
        out.append((middle_class(size, "substitution"), intron[:i] + bases + intron[i + size :], np.nan))
    return out


def length_group(intron: str) -> str:
    """Whether the model reads an intron whole (at most the library's longest) or through views."""
    return f"≤ {TRAINED_MAX} nt" if len(intron) <= TRAINED_MAX else f"> {TRAINED_MAX} nt (views)"


def biology_variants(introns: list[str], branch: list[int], references: pd.DataFrame) -> pd.DataFrame:
    """Every change of every intron: columns ``intron``, ``class``, ``variant``, ``library_measured``, ``length``
    (:func:`length_group`)."""
    rng, lookup = np.random.default_rng(SEED), reference_lookup(references)
    substitutions = np.random.default_rng(SUBSTITUTION_SEED)
    rows = [
        (seq, name, variant, figure)
        for seq, a in zip(introns, branch)
        for name, variant, figure in (
            *site_changes(seq, a, lookup),
            *indel_changes(seq, a, rng),
            *substitution_changes(seq, a, substitutions),
        )
    ]
    frame = pd.DataFrame(rows, columns=["intron", "class", "variant", "library_measured"])
    return frame.assign(length=frame["intron"].map(length_group))


def biology_check(
    predict: PredictIntrons, introns: list[str], branch: list[int], references: pd.DataFrame
) -> list[dict]:
    """Per class of change and :func:`length_group`: introns, mean predicted, share predicted ≤ :data:`NON_SPLICING`, the wild types' mean, the
    median |change|, the library's constructs' mean for the same change where the library has them
    (``references``: :func:`~splice_core.analysis.variant_effects.knockout_references`), and the variants whose own
    constructs measure ≤ :data:`NON_SPLICING` (the knock-outs the library backs: a 3' A deleted after another A
    leaves an AG, which the library does not call non-splicing) with their mean prediction."""
    variants = biology_variants(introns, branch, references)
    if variants.empty:
        return []
    distinct = list(pd.unique(pd.concat([variants["intron"], variants["variant"]])))
    pred = dict(zip(distinct, mean_predictions(predict, distinct)))
    variants = variants.assign(
        predicted=variants["variant"].map(pred), wild_type=variants["intron"].map(pred)
    )
    out = []
    for (name, length), group in variants.groupby(["class", "length"], sort=False):
        measured = group["library_measured"].dropna()
        backed = group.loc[group["library_measured"] <= NON_SPLICING, "predicted"]
        out.append(
            {
                "class": name,
                "length": length,
                "introns": int(group["intron"].nunique()),
                "predicted": float(group["predicted"].mean()),
                "share_non_splicing": float((group["predicted"] <= NON_SPLICING).mean()),
                "wild_type_predicted": float(group["wild_type"].mean()),
                "median_abs_change": float((group["predicted"] - group["wild_type"]).abs().median()),
                "library_measured": float(measured.mean()) if len(measured) else None,
                "backed_variants": int(len(backed)),
                "backed_predicted": float(backed.mean()) if len(backed) else None,
            }
        )
    return out
