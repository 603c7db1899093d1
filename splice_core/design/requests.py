"""Design requests from what a user types (the Design page and the CLI): texts, ranges and switches."""

from splice_core.data.sites import site_positions
from splice_core.design.constraints import (
    DesignInputError,
    SequenceRules,
    clean_motifs,
    parse_positions,
)
from splice_core.design.search import EditRequest, Goal, ScratchRequest
from splice_core.predict.trust import library_distance
from splice_core.seq.intron_text import clean_intron_text

CONSENSUS = {"ss5": ("GTATGT",), "branch": ("TACTAAC",), "ss3": ("TAG",)}


def goal_of(direction: str, target: float | None) -> Goal:
    """The goal: ``target`` (with a value) or ``high`` / ``low``."""
    return Goal(direction, target if direction == "target" else None)


def rules_of(gc: tuple[float, float], forbidden_text: str, max_run: int | None) -> SequenceRules:
    """Sequence rules from a GC range, motif text (``GAATTC, GGTCTC``) and a homopolymer cap (None or 0: none)."""
    return SequenceRules(gc=tuple(gc), forbidden=clean_motifs(forbidden_text), max_run=max_run or None)


def site_list(text: str, name: str) -> tuple[str, ...]:
    """Site variants from text like ``GTATGT, GTACGT``; DesignInputError when empty or not DNA."""
    variants = tuple(clean_intron_text(v) for v in text.replace(";", ",").split(",") if v.strip())
    if not variants:
        raise DesignInputError(f"give at least one {name}")
    return variants


def edit_request(
    intron_text: str,
    goal: Goal,
    max_edits: int,
    fixed_text: str,
    keep_sites: bool,
    branch_start: int,
    deletions: bool,
    insertions: bool,
    rules: SequenceRules,
    max_length: int,
    beam: int = 2,
) -> EditRequest:
    """An edit request for pasted intron text; ``keep_sites`` fixes the 5'SS, the branch site at ``branch_start``
    (0-based) and the 3'SS beside the 1-based ``fixed_text`` positions."""
    intron = clean_intron_text(intron_text)
    fixed = parse_positions(fixed_text, len(intron))
    if keep_sites:
        fixed |= site_positions(len(intron), branch_start)
    return EditRequest(intron, goal, int(max_edits), fixed, deletions, insertions, rules, beam, max_length)


def scratch_request(
    goal: Goal,
    n: int,
    target_high: float | None,
    lengths: tuple[int, int],
    sites: dict[str, tuple[str, ...]],
    rules: SequenceRules,
    max_length: int,
    tolerance: float = 0.05,
    seed: int = 0,
    card: dict | None = None,
) -> ScratchRequest:
    """A from-scratch request; ``sites`` maps ss5 / branch / ss3 to the variants each design draws from; the model
    ``card``'s library distance (if fitted) keeps the search where the model is not guessing."""
    return ScratchRequest(
        goal,
        int(n),
        target_high,
        (int(lengths[0]), int(lengths[1])),
        sites["ss5"],
        sites["branch"],
        sites["ss3"],
        rules=rules,
        tolerance=tolerance,
        seed=seed,
        max_length=max_length,
        library=library_distance(card or {}),
    )
