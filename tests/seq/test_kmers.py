"""kmers: counts by hand on tiny introns, windows never cross introns, anything but ACGT is not counted."""

from collections import Counter

import numpy as np

from splice_core.seq.kmers import kmer_count_matrix, kmer_names


def counted(introns: list[str], k: int) -> np.ndarray:
    """The same counts from Python's Counter of every window (the reference)."""
    tallies = [Counter(s[i : i + k] for i in range(len(s) - k + 1)) for s in introns]
    return np.array([[t[m] for m in kmer_names(k)] for t in tallies], np.int64).reshape(len(introns), 4**k)


def test_counts_by_hand():
    counts = kmer_count_matrix(["GTAAG", "AA"], 2)
    names = kmer_names(2)
    assert names[:4] == ["AA", "AC", "AG", "AT"] and len(names) == 16
    first = dict(zip(names, counts[0]))
    assert first["GT"] == first["TA"] == first["AA"] == first["AG"] == 1 and counts[0].sum() == 4
    assert counts[1].tolist() == [1] + [0] * 15  # "AA" only: no window runs from one intron into the next


def test_short_empty_and_odd_letters_count_nothing_wrong():
    introns = ["", "A", "ANA", "acgt", "GT-AG", "ÅAA", "TTTT"]
    for k in (1, 2, 3):
        np.testing.assert_array_equal(kmer_count_matrix(introns, k), counted(introns, k))
    assert kmer_count_matrix([], 2).shape == (0, 16) and kmer_count_matrix(["A"], 3).sum() == 0


def test_many_random_introns_match_a_counter_of_every_window():
    rng = np.random.default_rng(0)
    introns = ["".join(rng.choice(list("ACGTN"), rng.integers(0, 60))) for _ in range(200)]
    for k in (1, 2, 3, 4):
        np.testing.assert_array_equal(kmer_count_matrix(introns, k), counted(introns, k))
