"""Sequence rules a designed intron must keep: GC range, forbidden motifs, homopolymer cap, fixed positions.

Also the random constrained sequences that from-scratch designs start from.
"""

import re
from dataclasses import dataclass

import numpy as np

from splice_core.seq.encoding import ALPHABET


class DesignInputError(ValueError):
    """A design request that cannot be run (bad target, impossible constraints); its message says why."""


@dataclass(frozen=True)
class SequenceRules:
    """What every design must satisfy: GC share in ``gc`` (inclusive), none of ``forbidden``, runs <= ``max_run``."""

    gc: tuple[float, float] = (0.0, 1.0)
    forbidden: tuple[str, ...] = ()
    max_run: int | None = None

    def violations(self, seq: str, check_gc: bool = True) -> list[str]:
        """Every rule ``seq`` breaks, as readable phrases (empty when it keeps them all)."""
        found = []
        if check_gc and len(seq):
            share = gc_share(seq)
            if not self.gc[0] - 1e-9 <= share <= self.gc[1] + 1e-9:
                found.append(f"GC {share:.0%} outside {self.gc[0]:.0%}–{self.gc[1]:.0%}")
        found += [f"contains {motif}" for motif in self.forbidden if motif in seq]
        if self.max_run is not None and longest_run(seq) > self.max_run:
            found.append(f"a run of {longest_run(seq)} identical bases (cap {self.max_run})")
        return found

    def allows(self, seq: str) -> bool:
        """True when ``seq`` keeps every rule."""
        return not self.violations(seq)

    def reach(self) -> int:
        """How far a change can reach into a forbidden motif or an over-long run."""
        return max([len(m) for m in self.forbidden] + [(self.max_run or 0) + 1, 1])

    def local_ok(self, seq: str, start: int, end: int) -> bool:
        """True when the window around ``seq[start:end]`` holds no forbidden motif and no over-long run."""
        reach = self.reach()
        window = seq[max(0, start - reach + 1) : end + reach - 1]
        return not self.violations(window, check_gc=False)


def gc_share(seq: str) -> float:
    """Share of G and C in ``seq`` (0 for an empty string)."""
    return (seq.count("G") + seq.count("C")) / len(seq) if seq else 0.0


def longest_run(seq: str) -> int:
    """Length of the longest run of one base (N, an undecided letter, breaks runs)."""
    return max((len(m.group(0)) for m in re.finditer(r"([ACGT])\1*", seq)), default=0)


def clean_motifs(text: str) -> tuple[str, ...]:
    """Motifs from text like ``GAATTC, GGTCTC`` (upper case, U to T); DesignInputError on other letters."""
    motifs = tuple(m.upper().replace("U", "T") for m in re.split(r"[\s,;]+", text or "") if m)
    bad = [m for m in motifs if set(m) - set(ALPHABET)]
    if bad:
        raise DesignInputError(f"forbidden motifs may only hold A, C, G, T: {', '.join(bad)}")
    return motifs


def parse_positions(text: str, length: int) -> frozenset[int]:
    """0-based positions from 1-based text like ``1-6, 40, 95-98``; DesignInputError when malformed or outside."""
    positions: set[int] = set()
    for part in re.split(r"[\s,;]+", text or ""):
        if not part:
            continue
        match = re.fullmatch(r"(\d+)(?:-(\d+))?", part)
        if not match:
            raise DesignInputError(f"fixed positions: cannot read {part!r} (write e.g. 1-6, 40, 95-98)")
        first, last = int(match.group(1)), int(match.group(2) or match.group(1))
        if not 1 <= first <= last <= length:
            raise DesignInputError(f"fixed positions: {part} is outside the intron (1..{length})")
        positions.update(range(first - 1, last))
    return frozenset(positions)


def check_rules(rules: SequenceRules) -> None:
    """DesignInputError when the rules contradict themselves (any sequence would break them)."""
    low, high = rules.gc
    if not 0 <= low <= high <= 1:
        raise DesignInputError(f"the GC range must lie within 0..1 with minimum <= maximum, got {low}–{high}")
    if rules.max_run is not None and rules.max_run < 1:
        raise DesignInputError(f"the homopolymer cap must be at least 1, got {rules.max_run}")
    single = [m for m in rules.forbidden if len(m) == 1]
    if len(set(single)) == 4:
        raise DesignInputError("every single base is forbidden: no sequence can be built")


def random_constrained(
    rng: np.random.Generator, template: str, rules: SequenceRules, attempts: int = 200
) -> str:
    """A random sequence keeping ``template``'s fixed letters (``N`` = free) and every rule.

    Free positions are drawn left to right among the bases that start no forbidden motif and no over-long run,
    with the GC share steered into range; DesignInputError when ``attempts`` draws all fail.
    """
    fixed_breaks = rules.violations(template, check_gc=False)
    if fixed_breaks:
        raise DesignInputError(f"the fixed sites themselves break the rules: {'; '.join(fixed_breaks)}")
    free = [i for i, b in enumerate(template) if b == "N"]
    target_gc = (rules.gc[0] + rules.gc[1]) / 2
    local = bool(rules.forbidden) or rules.max_run is not None
    reach = rules.reach()
    for _ in range(attempts):
        seq = list(template)
        gc_left = target_gc * len(template) - sum(b in "GC" for b in template if b != "N")
        keys = rng.random((len(free), 4)).tolist()
        for n_done, i in enumerate(free):
            want_gc = min(max(gc_left / max(len(free) - n_done, 1), 0.02), 0.98)
            weights = ((1 - want_gc) / 2, want_gc / 2, want_gc / 2, (1 - want_gc) / 2)
            order = sorted(
                range(4), key=lambda j: -(keys[n_done][j] ** (1 / weights[j]))
            )  # weighted draw without replacement
            for j in order:
                seq[i] = ALPHABET[j]
                if not local or not rules.violations(
                    "".join(seq[max(0, i - reach + 1) : i + reach]), check_gc=False
                ):
                    break
            gc_left -= seq[i] in "GC"
        text = "".join(seq)
        if rules.allows(text):
            return text
    raise DesignInputError(
        f"no sequence of {len(template)} nt with these sites keeps the rules ({'; '.join(rules.violations(text))})"
    )
