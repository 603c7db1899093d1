"""Sequence rules for designs: GC, forbidden motifs, homopolymer cap, fixed positions, constrained random sequences."""

import numpy as np
import pytest

from splice_core.design.constraints import (
    DesignInputError,
    SequenceRules,
    check_rules,
    clean_motifs,
    gc_share,
    longest_run,
    parse_positions,
    random_constrained,
)


def test_rules_name_every_violation():
    rules = SequenceRules(gc=(0.4, 0.6), forbidden=("GAATTC",), max_run=3)
    assert rules.violations("GAATTCAAAAT") == [
        "GC 18% outside 40%–60%",
        "contains GAATTC",
        "a run of 4 identical bases (cap 3)",
    ]
    assert rules.allows("GACTGCATGC") and not rules.allows("GGGG" + "ATAT")


def test_gc_and_runs():
    assert gc_share("GCAT") == 0.5 and gc_share("") == 0.0
    assert longest_run("ACCCGTTA") == 3 and longest_run("NNNNNA") == 1  # N, an undecided letter, breaks runs


def test_local_check_looks_only_around_a_change():
    rules = SequenceRules(forbidden=("GAATTC",), max_run=3)
    assert not rules.local_ok("TTGAATTCTT", 4, 5)
    assert rules.local_ok("GAATTCAAAAAAACGTACGTACGT", 20, 21)


def test_motifs_and_positions_are_read_from_text():
    assert clean_motifs("gaattc, GGUCTC;  ") == ("GAATTC", "GGTCTC")
    with pytest.raises(DesignInputError, match="may only hold A, C, G, T: GAXTC"):
        clean_motifs("GAXTC")
    assert parse_positions("1-3, 7 ;9", 10) == frozenset({0, 1, 2, 6, 8})
    with pytest.raises(DesignInputError, match="outside the intron"):
        parse_positions("8-12", 10)
    with pytest.raises(DesignInputError, match="cannot read 'a-b'"):
        parse_positions("a-b", 10)


@pytest.mark.parametrize(
    "rules, message",
    [
        (SequenceRules(gc=(0.6, 0.4)), "GC range"),
        (SequenceRules(gc=(-0.1, 0.4)), "GC range"),
        (SequenceRules(max_run=0), "homopolymer cap"),
        (SequenceRules(forbidden=("A", "C", "G", "T")), "every single base is forbidden"),
    ],
)
def test_contradicting_rules_are_refused(rules, message):
    with pytest.raises(DesignInputError, match=message):
        check_rules(rules)


def test_random_constrained_keeps_fixed_letters_and_rules():
    rules = SequenceRules(gc=(0.45, 0.55), forbidden=("GAATTC", "GGTCTC", "CCCC"), max_run=3)
    template = "GTATGT" + "N" * 60 + "TACTAAC" + "N" * 20 + "TAG"
    rng = np.random.default_rng(0)
    for _ in range(20):
        seq = random_constrained(rng, template, rules)
        assert rules.allows(seq) and len(seq) == len(template)
        assert all(s == t for s, t in zip(seq, template) if t != "N")


def test_random_constrained_says_when_no_sequence_can_keep_the_rules():
    with pytest.raises(DesignInputError, match="fixed sites themselves break the rules: contains TACT"):
        random_constrained(np.random.default_rng(0), "GTNNTACTNN", SequenceRules(forbidden=("TACT",)))
    with pytest.raises(DesignInputError, match="no sequence of 10 nt"):
        random_constrained(np.random.default_rng(0), "GTNNNNNNAG", SequenceRules(gc=(1.0, 1.0)), attempts=3)
