"""features: k-mer counts, site features and RNAfold energies of bare introns, exact on tiny inputs."""

import numpy as np
import pytest

from splice_core.data.pwm import sites_to_pwm
from splice_core.models.features import folding_energy, intron_features, kmer_counts, site_features

PWMS = {"ss5": sites_to_pwm(["GTATGT"]), "branch": sites_to_pwm(["TACTAACA"]), "ss3": sites_to_pwm(["TAG"])}


def test_kmer_counts_exact():
    counts = kmer_counts(["AAAC", "ACGN"], 2)
    assert counts.shape == (2, 16)
    assert counts.loc[0, "k_AA"] == 2 and counts.loc[0, "k_AC"] == 1 and counts.loc[0].sum() == 3
    assert (
        counts.loc[1, "k_AC"] == 1 and counts.loc[1, "k_CG"] == 1 and counts.loc[1].sum() == 2
    )  # GN skipped


def test_folding_energy_of_a_hairpin_is_negative_and_empty_is_zero():
    assert folding_energy("GGGGGGAAAACCCCCC") < -5
    assert folding_energy("AAAAAAAAAA") == 0
    assert folding_energy("") == 0


def test_site_features_find_planted_sites():
    intron = "GTATGT" + "C" * 30 + "TACTAACA" + "C" * 20 + "TAG"
    f = site_features([intron], PWMS).iloc[0]
    assert f["branch_pos"] == 36 and f["branch_to_3"] == len(intron) - 36
    assert f["length"] == len(intron)
    assert f["ss5_score"] == pytest.approx(np.log2(PWMS["ss5"].max(1) / 0.25).sum())
    assert f["u_near_3"] == pytest.approx(("C" * 20 + "TAG")[-23:-3].count("T") / 20)


def test_intron_features_uses_only_the_sequence():
    introns = ["GTATGT" + "A" * 40 + "TACTAACA" + "T" * 20 + "TAG"] * 2
    f = intron_features(introns, PWMS)
    assert len(f) == 2 and f.shape[1] == 8 + 4 + 16 + 64 + 256 + 4
    assert (f.iloc[0] == f.iloc[1]).all()
    assert intron_features(introns, PWMS, fold=False).shape[1] == f.shape[1] - 4
