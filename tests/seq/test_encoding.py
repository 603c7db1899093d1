"""Tests for splice_core.seq.encoding: one-hot (N, L, 4) arrays, channels A, C, G, T."""

import time

import numpy as np
import pytest

from splice_core.seq.encoding import one_hot_to_strings, string_to_one_hot, strings_to_one_hot

A, C, G, T = np.eye(4, dtype=np.float32)
Z = np.zeros(4, dtype=np.float32)


def test_acgt_channels_in_order():
    x = strings_to_one_hot(["ACGT"])
    assert x.shape == (1, 4, 4)
    assert x.dtype == np.float32
    np.testing.assert_array_equal(x[0], np.eye(4))


def test_lower_case_and_u_as_t():
    np.testing.assert_array_equal(strings_to_one_hot(["acgu"])[0], [A, C, G, T])
    np.testing.assert_array_equal(strings_to_one_hot(["UuTt"])[0], [T, T, T, T])


def test_other_letters_are_all_zero():
    x = strings_to_one_hot(["ANRX-.?é*G"])
    np.testing.assert_array_equal(x[0], [A, Z, Z, Z, Z, Z, Z, Z, Z, G])


def test_string_to_one_hot_single():
    np.testing.assert_array_equal(string_to_one_hot("GAN"), [G, A, Z])


def test_left_alignment_pads_and_truncates_at_the_end():
    x = strings_to_one_hot(["AC", "GTACG"], length=4)
    np.testing.assert_array_equal(x[0], [A, C, Z, Z])
    np.testing.assert_array_equal(x[1], [G, T, A, C])


def test_right_alignment_pads_and_truncates_at_the_start():
    x = strings_to_one_hot(["AC", "GTACG"], length=4, align="right")
    np.testing.assert_array_equal(x[0], [Z, Z, A, C])
    np.testing.assert_array_equal(x[1], [T, A, C, G])


def test_default_length_is_the_longest():
    x = strings_to_one_hot(["A", "CGT", ""])
    assert x.shape == (3, 3, 4)
    np.testing.assert_array_equal(x[2], np.zeros((3, 4)))


def test_empty_inputs():
    assert strings_to_one_hot([]).shape == (0, 0, 4)
    assert strings_to_one_hot([], length=5).shape == (0, 5, 4)
    assert strings_to_one_hot(["ACG"], length=0).shape == (1, 0, 4)
    assert strings_to_one_hot(["ACG"], length=0, align="right").shape == (1, 0, 4)


def test_unknown_alignment_raises():
    with pytest.raises(ValueError, match="align"):
        strings_to_one_hot(["ACG"], align="centre")


def test_round_trip_to_strings():
    seqs = ["ACGTN", "TTAGC", "GGNNA"]
    assert one_hot_to_strings(strings_to_one_hot(seqs)) == seqs
    assert one_hot_to_strings(strings_to_one_hot(["AC"], length=4, align="right")) == ["NNAC"]


def test_vectorised_on_a_large_batch():
    rng = np.random.default_rng(0)
    seqs = ["".join(rng.choice(list("ACGT"), 1615))] * 5000
    start = time.perf_counter()
    x = strings_to_one_hot(seqs, length=1615)
    seconds = time.perf_counter() - start
    assert x.shape == (5000, 1615, 4)
    np.testing.assert_array_equal(x.sum(-1), 1.0)
    assert seconds < 3.0, f"8M bases took {seconds:.2f} s: encoding is not vectorised"
