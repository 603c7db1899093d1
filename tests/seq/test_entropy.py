"""Per-position entropy of a set of introns."""

import numpy as np

from splice_core.seq.entropy import position_entropy


def test_entropy_in_bits_over_the_introns_covering_each_position():
    entropy = position_entropy(["ACGT", "AAGG", "AC"], 5)
    np.testing.assert_allclose(
        entropy[:4], [0.0, -(1 / 3) * np.log2(1 / 3) - (2 / 3) * np.log2(2 / 3), 0.0, 1.0]
    )
    assert np.isnan(entropy[4])


def test_right_alignment_counts_from_the_3_prime_end():
    entropy = position_entropy(["AC", "GTA"], 4, align="right")
    assert np.isnan(entropy[0])
    np.testing.assert_allclose(entropy[1:], [0.0, 1.0, 1.0])


def test_four_equal_bases_give_two_bits():
    assert position_entropy(["A", "C", "G", "T"], 1)[0] == 2.0
