import numpy as np
import pytest

from splice_core.predict.library_distance import fit_library_distance, kmer_profile


def test_kmer_profile_of_a_literal():
    profile = kmer_profile(["ACGT"])[0]
    assert profile[:4].tolist() == [0.25] * 4
    assert profile[4 + 1] == profile[4 + 6] == profile[4 + 11] == pytest.approx(1 / 3)  # AC, CG, GT
    assert profile[20 + 6] == profile[20 + 27] == 0.5  # ACG, CGT
    assert profile[-1] == pytest.approx(np.log(4))


def random_introns(n: int, seed: int, low: int = 60, high: int = 120) -> list[str]:
    rng = np.random.default_rng(seed)
    return ["GT" + "".join(rng.choice(list("ACGT"), rng.integers(low, high))) + "AG" for _ in range(n)]


def test_far_and_out_of_range_introns_are_flagged_with_their_reason():
    introns = random_introns(400, 0)
    library = fit_library_distance(introns, held_out=random_introns(200, 4))
    assert (
        (library.min_length, library.max_length)
        == (min(map(len, introns)), max(map(len, introns)))
        == (64, 123)
    )
    alike = library.distance(random_introns(200, 1))
    assert np.mean(alike > library.threshold) < 0.1  # about 5% by construction
    polya = "GT" + "A" * 90 + "AG"
    assert library.distance([polya])[0] > 3 * library.threshold
    reasons = library.reasons([random_introns(1, 2)[0], polya, "GTAAG", random_introns(1, 3, 300, 301)[0]])
    assert reasons[1] == "sequence composition unlike the library's"
    assert reasons[2].startswith("shorter than any library intron (64 nt)")
    assert reasons[3].startswith("longer than any library intron (123 nt): read through views")


def test_library_distance_survives_the_card():
    library = fit_library_distance(random_introns(50, 0))
    again = type(library).from_dict(library.to_dict())
    assert again.distance(["GTACGTAG"]) == pytest.approx(library.distance(["GTACGTAG"]))
