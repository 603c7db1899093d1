"""One mutation model for the whole package: a change (a base, or ``-`` that deletes) at a 0-based index of an intron.

Negative indices count from the 3' end (-1 is the last base). Several changes at once are given on the wild type's
indices. A person's 1-based position appears only in labels (``A15G``, ``delA15``) and in messages.
"""

from collections.abc import Iterable

from splice_core.seq.encoding import ALPHABET

GAP = "-"  # the change that deletes a base


def mutated(intron: str, index: int, change: str) -> str:
    """``intron`` with ``change`` (a base, or ``-`` to delete) at 0-based ``index`` (negative: from the 3' end)."""
    i = index % len(intron)
    return intron[:i] + change.replace(GAP, "") + intron[i + 1 :]


def mutated_at(intron: str, changes: Iterable[tuple[int, str]]) -> str:
    """``intron`` with every ``(index, change)`` applied, each index a 0-based one of the wild type."""
    for index, change in sorted(((i % len(intron), c) for i, c in changes), reverse=True):
        intron = mutated(intron, index, change)
    return intron


def checked_mutated(intron: str, index: int, change: str) -> str:
    """:func:`mutated` for a change a person asked for (0-based ``index``, no wrap-around): ValueError, in 1-based
    positions, for an index outside the intron, an unknown change, or the base already there (no change)."""
    if not 0 <= index < len(intron):
        raise ValueError(f"position {index + 1} is outside the intron (1..{len(intron)})")
    if change != GAP and change not in ALPHABET:
        raise ValueError(f"mutant base must be one of A, C, G, T or '-', got {change!r}")
    if intron[index] == change:
        raise ValueError(
            f"{change_label(change, index + 1, change)} changes nothing: position {index + 1} already holds {change}. "
            "Choose another base."
        )
    return mutated(intron, index, change)


def checked_mutated_at(intron: str, changes: Iterable[tuple[int, str]]) -> str:
    """:func:`mutated_at` with each change checked as :func:`checked_mutated` checks it, on the wild type."""
    changes = list(changes)
    for index, change in changes:
        checked_mutated(intron, index, change)
    return mutated_at(intron, changes)


def change_label(wild: str, position: int, change: str) -> str:
    """A readable name of a change of base ``wild`` at a 1-based position: ``A15G`` or ``delA15``."""
    return f"del{wild}{position}" if change == GAP else f"{wild}{position}{change}"


def mutation_label(intron: str, index: int, change: str) -> str:
    """A readable name of a change at 0-based ``index`` of an intron: ``A15G`` or ``delA15`` (1-based in the name)."""
    return change_label(intron[index], index + 1, change)
