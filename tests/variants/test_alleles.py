"""A VCF allele on an intron: trimming, strand, boundaries, REF check, overlapping edits, sites hit, labels."""

import pytest

from splice_core.variants.alleles import (
    CONFLICT,
    CROSSES_BOUNDARY,
    NOT_A_SEQUENCE,
    TOO_LONG,
    IntronEdit,
    applied,
    checked_alt,
    genomic_bases,
    intron_edit,
    ref_matches,
    sites_hit,
    trimmed_change,
)
from splice_core.variants.annotation import reverse_complement

# A made-up 30-nt intron at genomic [100, 130): GTATGT ... TACTAAC at 14 ... TAG
INTRON = "GTATGTAAGCATTCTACTAACAGCTTTTAG"


@pytest.mark.parametrize(
    "ref, alt, start, end, inserted, kind",
    [
        ("A", "C", 10, 11, "C", "SNV"),
        ("AC", "GT", 10, 12, "GT", "MNV"),
        ("A", "ATT", 11, 11, "TT", "insertion"),
        ("T", "AT", 10, 10, "A", "insertion"),
        ("ACG", "A", 11, 13, "", "deletion"),
        ("ACG", "T", 10, 13, "T", "delins"),
    ],
)
def test_an_allele_is_trimmed_to_what_it_changes(ref, alt, start, end, inserted, kind):
    change = trimmed_change(10, ref, alt)
    assert (change.start, change.end, change.alt, change.kind) == (start, end, inserted, kind)


def test_a_change_is_read_5_to_3_on_either_strand():
    plus = intron_edit(trimmed_change(105, "T", "C"), 100, 130, "+")
    minus = intron_edit(trimmed_change(105, "T", "C"), 100, 130, "-")
    assert plus == IntronEdit(5, 6, "C") and minus == IntronEdit(24, 25, "G")
    insertion = intron_edit(trimmed_change(104, "A", "AGC"), 100, 130, "-")
    assert insertion == IntronEdit(25, 25, "GC")
    genomic = genomic_bases(INTRON, "-")
    mutated = genomic[:5] + "GC" + genomic[5:]  # the same insertion on the genome, after genomic base 104
    assert applied(INTRON, [insertion]) == reverse_complement(mutated)


def test_first_and_last_bases_are_inside_and_junctions_are_not():
    assert intron_edit(trimmed_change(100, "G", "A"), 100, 130, "+") == IntronEdit(0, 1, "A")
    assert intron_edit(trimmed_change(129, "G", "A"), 100, 130, "+") == IntronEdit(29, 30, "A")
    assert intron_edit(trimmed_change(99, "C", "CA"), 100, 130, "+") is None  # insertion at the 5' junction
    assert intron_edit(trimmed_change(98, "CGG", "CAG"), 100, 130, "+") is None  # an exon base only
    with pytest.raises(ValueError, match=CROSSES_BOUNDARY):
        intron_edit(trimmed_change(98, "CGG", "C"), 100, 130, "+")


def test_ref_is_checked_on_the_intron_bases_only():
    plus = genomic_bases(INTRON, "+")
    assert ref_matches(100, "GTA", 100, plus) and not ref_matches(100, "GAA", 100, plus)
    assert ref_matches(98, "NNGT", 100, plus)  # the two exon bases cannot be checked here
    assert ref_matches(129, "g", 100, plus)


def test_edits_apply_together_and_overlapping_ones_are_refused():
    edits = [IntronEdit(0, 1, "A"), IntronEdit(10, 12, ""), IntronEdit(20, 20, "TT")]
    want = "A" + INTRON[1:10] + INTRON[12:20] + "TT" + INTRON[20:]
    assert applied(INTRON, edits) == want
    with pytest.raises(ValueError, match=CONFLICT):
        applied(INTRON, [IntronEdit(10, 12, ""), IntronEdit(11, 12, "A")])
    with pytest.raises(ValueError, match=TOO_LONG):
        applied(INTRON, [IntronEdit(5, 5, "A" * 2000)])


def test_sites_hit_and_labels():
    branch = INTRON.index("TACTAAC")
    assert sites_hit(IntronEdit(0, 1, "A"), 30, branch) == "5SS"
    assert sites_hit(IntronEdit(29, 30, "A"), 30, branch) == "3SS"
    assert sites_hit(IntronEdit(branch + 5, branch + 6, "G"), 30, branch) == "BP"
    assert sites_hit(IntronEdit(branch + 5, branch + 6, "G"), 30, -1) == "."
    assert sites_hit(IntronEdit(6, 6, "T"), 30, branch) == "."  # just after the 5'SS
    assert sites_hit(IntronEdit(3, 3, "T"), 30, branch) == "5SS"
    assert sites_hit(IntronEdit(4, 28, ""), 30, branch) == "5SS&BP&3SS"
    assert IntronEdit(0, 1, "A").label(INTRON) == "G1A"
    assert IntronEdit(10, 11, "").label(INTRON) == "delA11"
    assert IntronEdit(10, 12, "").label(INTRON) == "del11_12"
    assert IntronEdit(10, 10, "TT").label(INTRON) == "10_11insTT"
    assert IntronEdit(10, 12, "GG").label(INTRON) == "11_12delinsGG"


@pytest.mark.parametrize("alt", ["<DEL>", "*", ".", "", None, "A,C"])
def test_symbolic_or_missing_alts_are_not_sequences(alt):
    with pytest.raises(ValueError, match=NOT_A_SEQUENCE):
        checked_alt(alt)
