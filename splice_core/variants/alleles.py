"""A VCF allele applied to an annotated intron: strand-aware, REF checked, the splice sites it touches.

Genomic positions are 0-based in code (a VCF record at 1-based ``POS`` starts at ``POS - 1``). An allele is first
trimmed to the bases it changes (common suffix, then common prefix of REF and ALT), so ``A -> AT`` is an insertion
of ``T`` after the ``A``. The change is then read in the intron's own coordinates, 5'->3' (reverse-complemented on
the minus strand).
"""

import re
from dataclasses import dataclass

from splice_core.data.sites import site_spans
from splice_core.seq.intron_text import MAX_INTRON
from splice_core.variants.annotation import branch_in_range, reverse_complement

SITE_CODES = {"ss5": "5SS", "branch": "BP", "ss3": "3SS"}
NO_SITE = "."
_BASES = re.compile("[ACGTN]+")

# Reasons an allele of a record that overlaps an intron is not scored (written as they are, VCF-safe).
REF_MISMATCH = "REF_MISMATCH"
CROSSES_BOUNDARY = "CROSSES_INTRON_BOUNDARY"
NOT_A_SEQUENCE = "SYMBOLIC_OR_NON_ACGTN_ALT"
TOO_LONG = f"INTRON_OVER_{MAX_INTRON}_NT"
CONFLICT = "OVERLAPPING_ALLELES"


@dataclass(frozen=True)
class Change:
    """An allele trimmed to what it changes: genomic ``[start, end)`` replaced by ``alt`` (``start == end``: insertion)."""

    start: int
    end: int
    alt: str

    @property
    def kind(self) -> str:
        """``SNV``, ``MNV`` (several bases substituted), ``insertion``, ``deletion`` or ``delins``."""
        removed, added = self.end - self.start, len(self.alt)
        if removed == added:
            return "SNV" if removed == 1 else "MNV"
        return "insertion" if removed == 0 else "deletion" if added == 0 else "delins"


def trimmed_change(start: int, ref: str, alt: str) -> Change:
    """The change of REF -> ALT at 0-based genomic ``start``, without the bases both share at either end."""
    suffix = 0
    while suffix < min(len(ref), len(alt)) and ref[-1 - suffix] == alt[-1 - suffix]:
        suffix += 1
    ref, alt = ref[: len(ref) - suffix], alt[: len(alt) - suffix]
    prefix = 0
    while prefix < min(len(ref), len(alt)) and ref[prefix] == alt[prefix]:
        prefix += 1
    return Change(start + prefix, start + len(ref), alt[prefix:])


def genomic_bases(sequence: str, strand: str) -> str:
    """An intron's bases on the genome's plus strand."""
    return reverse_complement(sequence) if strand == "-" else sequence


def ref_matches(start: int, ref: str, intron_start: int, plus_bases: str) -> bool:
    """True when the REF bases inside the intron are the intron's own (bases outside it cannot be checked here)."""
    first, last = max(start, intron_start), min(start + len(ref), intron_start + len(plus_bases))
    return ref[first - start : last - start].upper() == plus_bases[first - intron_start : last - intron_start]


@dataclass(frozen=True)
class IntronEdit:
    """A change in intron coordinates (5'->3'): ``[start, end)`` replaced by ``alt`` (already on the intron's strand)."""

    start: int
    end: int
    alt: str

    def label(self, intron: str) -> str:
        """The edit named in 1-based intron positions, as on the Predict page: ``A15G``, ``delA15``, ``15_16insTT``,
        ``del15_17``, ``15_16delinsTT``."""
        first, last = self.start + 1, self.end
        if self.start == self.end:
            return f"{self.start}_{self.start + 1}ins{self.alt}"
        if not self.alt:
            return f"del{intron[self.start]}{first}" if first == last else f"del{first}_{last}"
        if len(self.alt) == 1 == last - self.start:
            return f"{intron[self.start]}{first}{self.alt}"
        return f"{first}_{last}delins{self.alt}"


def intron_edit(change: Change, intron_start: int, intron_end: int, strand: str) -> IntronEdit | None:
    """The change in the intron's coordinates; None when it changes no intron base (an exon base, an insertion at a
    junction). Raises ValueError (:data:`CROSSES_BOUNDARY`) when it changes bases on both sides of a junction."""
    if change.start == change.end:
        if not intron_start < change.start < intron_end:
            return None
    elif change.end <= intron_start or change.start >= intron_end:
        return None
    elif change.start < intron_start or change.end > intron_end:
        raise ValueError(CROSSES_BOUNDARY)
    if strand == "-":
        return IntronEdit(intron_end - change.end, intron_end - change.start, reverse_complement(change.alt))
    return IntronEdit(change.start - intron_start, change.end - intron_start, change.alt)


def applied(sequence: str, edits: list[IntronEdit]) -> str:
    """The intron with its edits applied (they must not overlap; raises ValueError :data:`CONFLICT`)."""
    out, last = sequence, None
    for edit in sorted(edits, key=lambda e: (e.start, e.end), reverse=True):
        if last is not None and (edit.end > last.start or (edit.end == last.start == edit.start)):
            raise ValueError(CONFLICT)
        out, last = out[: edit.start] + edit.alt + out[edit.end :], edit
    if len(out) > MAX_INTRON:
        raise ValueError(TOO_LONG)
    return out


def sites_hit(edit: IntronEdit, length: int, branch: int) -> str:
    """The splice sites an edit changes (``5SS``, ``BP``, ``3SS`` joined by ``&``), ``.`` for none.

    An insertion hits a site when it falls between two of the site's bases; the branch site counts only where one
    is given (``branch`` < 0: none).
    """
    spans = site_spans(length, branch if branch_in_range(branch, length) else 0)
    if not branch_in_range(branch, length):
        spans.pop("branch")
    hit = [
        SITE_CODES[name]
        for name, (start, end) in spans.items()
        if (start < edit.start < end if edit.start == edit.end else edit.start < end and edit.end > start)
    ]
    return "&".join(hit) or NO_SITE


def checked_alt(alt: str | None) -> str:
    """An ALT as bases (upper case); raises ValueError (:data:`NOT_A_SEQUENCE`) for a symbolic, missing or other ALT."""
    text = (alt or "").upper()
    if not _BASES.fullmatch(text):
        raise ValueError(NOT_A_SEQUENCE)
    return text
