"""The mutation model: changes at 0-based indices (negative from the 3' end), several at once on the wild type's indices,
labels and messages in 1-based positions."""

import pytest

from splice_core.seq.mutations import checked_mutated, checked_mutated_at, mutated, mutated_at, mutation_label


def test_a_change_counts_negative_indices_from_the_3_end():
    assert mutated("GTAAG", -1, "C") == "GTAAC" and mutated("GTAAG", -2, "-") == "GTAG"
    assert mutated("GTAAG", 0, "A") == "ATAAG"


def test_several_changes_are_given_on_the_wild_types_indices():
    assert mutated_at("GTACAG", [(0, "-"), (2, "G")]) == "TGCAG"
    assert mutated_at("GTACAG", [(2, "G"), (0, "-")]) == mutated_at("GTACAG", [(0, "-"), (2, "G")])
    assert mutated_at("GTACAG", [(1, "-"), (-1, "-")]) == "GACA"
    with pytest.raises(ValueError, match="T2T changes nothing"):
        checked_mutated_at("GTACAG", [(0, "A"), (1, "T")])
    assert checked_mutated_at("GTACAG", [(0, "A"), (1, "-")]) == "AACAG"


def test_a_checked_change_substitutes_or_deletes_a_0_based_index_and_says_why_not_in_1_based_positions():
    assert checked_mutated("GTAAG", 2, "C") == "GTCAG"
    assert checked_mutated("GTAAG", 0, "-") == "TAAG"
    assert checked_mutated("GTAAG", 4, "-") == "GTAA"
    with pytest.raises(ValueError, match="outside the intron"):
        checked_mutated("GTAAG", 5, "A")
    with pytest.raises(ValueError, match="mutant base"):
        checked_mutated("GTAAG", 1, "X")
    with pytest.raises(ValueError, match="A3A changes nothing: position 3 already holds A"):
        checked_mutated("GTAAG", 2, "A")


def test_mutation_labels():
    assert mutation_label("GTAAG", 2, "C") == "A3C"
    assert mutation_label("GTAAG", 0, "-") == "delG1"
