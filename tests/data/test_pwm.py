"""Tests for splice_core.data.pwm: wild-type site PWMs, branch scanning and the reference study's PWM baseline."""

import json

import numpy as np
import pytest
from conftest import make_wildtype

from splice_core.data.contexts import Constructs
from splice_core.data.library import read_wildtype
from splice_core.data.pwm import (
    PWMBaseline,
    branch_scan,
    fit_pwm_baseline,
    heuristic_predictions,
    pwm_scores,
    sites_to_pwm,
    wildtype_pwms,
    wildtype_sites,
)
from splice_core.seq.encoding import strings_to_one_hot

BRANCH_PWM = sites_to_pwm(["TACTAACA"] * 9 + ["GACTAACA"])
GOOD = "GTATGT" + "C" * 50 + "TACTAACA" + "C" * 20 + "TAG"  # 87 nt, branch site at 56


def constructs(introns: list[str]) -> Constructs:
    """Constructs carrying only introns (all the baseline reads)."""
    zeros = np.zeros(len(introns), int)
    return Constructs(oligos=[""] * len(introns), introns=introns, ss5=zeros, branch=zeros, ss3=zeros)


def toy_baseline() -> PWMBaseline:
    """A hand-set baseline: consensus sites score 6 (5'SS), 8 (branch) and log2(9.375) (TAG)."""
    return PWMBaseline(
        pwms={
            "ss5": sites_to_pwm(["GTATGT"]).tolist(),
            "branch": sites_to_pwm(["TACTAACA"]).tolist(),
            "ss3": sites_to_pwm(["TAG", "CAG"]).tolist(),
        },
        score_min={"ss5": 5.0, "branch": 5.0, "ss3": 1.0},
        intron_length_range=(60.0, 300.0),
        branch_to_3_range=(10.0, 60.0),
        mean_spliced=0.42,
    )


def test_pwm_from_literal_sites():
    pwm = sites_to_pwm(["ACG", "ACG", "ACT", "tcg"], pseudocount=0.5)
    expected = np.array([[7, 1, 1, 3], [1, 9, 1, 1], [1, 1, 7, 3]]) / 12
    np.testing.assert_allclose(pwm, expected)
    np.testing.assert_allclose(sites_to_pwm(["AC"], pseudocount=0), [[1, 0, 0, 0], [0, 1, 0, 0]])


def test_log_odds_scores_by_hand():
    pwm = sites_to_pwm(["ACG", "ACG", "ACT", "TCG"], pseudocount=0.5)
    scores = pwm_scores(strings_to_one_hot(["ACG", "TCT", "NNN"]), pwm)
    np.testing.assert_allclose(scores, [np.log2(49 / 3), np.log2(3), 0.0], rtol=1e-6)


def test_branch_scan_finds_a_planted_site():
    rng = np.random.default_rng(0)
    filler = "".join(rng.choice(list("GC"), 100))
    intron = filler[:40] + "TACTAACA" + filler[48:]
    best, score = branch_scan([intron], BRANCH_PWM)
    assert best[0] == 40
    assert score[0] == pytest.approx(np.log2(BRANCH_PWM.max(1) / 0.25).sum())


def test_branch_scan_respects_the_scanned_range():
    filler = "G" * 60
    early = "GTA" + "TACTAACA" + filler  # site at 3 < min_start
    late = filler + "TACTAACA" + "GGG"  # start = len - 11 > len - min_to_end
    inside = filler + "TACTAACA" + "GGGG"  # start = len - 12, the last one scanned
    best, _ = branch_scan([early, late, inside], BRANCH_PWM)
    assert best[0] != 3 and 10 <= best[0] <= len(early) - 12
    assert best[1] != 60 and best[1] <= len(late) - 12
    assert best[2] == 60
    assert branch_scan([early], BRANCH_PWM, min_start=0)[0][0] == 3


def test_branch_scan_batches_mixed_lengths():
    introns = ["C" * 20 + "TACTAACA" + "C" * 30, "C" * 70 + "TACTAACA" + "C" * 120]
    best, scores = branch_scan(introns, BRANCH_PWM)
    np.testing.assert_array_equal(best, [20, 70])
    assert scores[0] == pytest.approx(scores[1])


def test_branch_scan_short_intron_scans_everything():
    best, _ = branch_scan(["TACTAACAGG"], BRANCH_PWM)
    assert best[0] == 0


def test_baseline_features_by_hand():
    features = toy_baseline().features(constructs([GOOD]))
    assert list(features.columns) == ["ss5", "branch", "ss3", "intron_length", "branch_to_3"]
    row = features.iloc[0]
    assert row["ss5"] == pytest.approx(6.0)
    assert row["branch"] == pytest.approx(8.0)
    assert row["ss3"] == pytest.approx(np.log2(1.5 * 2.5 * 2.5))
    assert row["intron_length"] == 87
    assert (
        row["branch_to_3"] == 87 - 56 - 6
    )  # nucleotides after the branch-point A, as in the wild-type table


def test_baseline_predicts_mean_within_range_and_zero_outside():
    introns = [
        GOOD,
        "CTATGT" + GOOD[6:],  # weak 5'SS: 5 + log2(2/3) < 5
        GOOD[:-3] + "TCC",  # broken 3'SS
        "GTATGT" + "C" * 10 + "TACTAACA" + "C" * 13 + "TAG",  # 40 nt: shorter than 60
        "GTATGT" + "C" * 20 + "TACTAACA" + "C" * 80 + "TAG",  # branch to 3'SS 85 > 60
        "GTATGT" + "C" * 50 + "TCCTTTCA" + "C" * 20 + "TAG",  # no branch site
    ]
    baseline = toy_baseline()
    np.testing.assert_array_equal(baseline.within_wildtype(constructs(introns)), [True] + [False] * 5)
    np.testing.assert_array_equal(baseline.predict(constructs(introns)), [0.42, 0, 0, 0, 0, 0])


def test_baseline_ranges_are_inclusive():
    baseline = toy_baseline()
    baseline.branch_to_3_range = (25.0, 25.0)
    baseline.intron_length_range = (87.0, 87.0)
    assert baseline.predict(constructs([GOOD]))[0] == 0.42


def test_baseline_to_dict_is_json_ready():
    data = json.loads(json.dumps(toy_baseline().to_dict()))
    assert PWMBaseline(**data).predict(constructs([GOOD]))[0] == 0.42


def test_fit_on_made_up_wildtype():
    wildtype = make_wildtype()
    baseline = fit_pwm_baseline(wildtype, np.array([0.0, 0.0005, 0.5, 0.7]))
    assert baseline.mean_spliced == pytest.approx(0.6)
    lengths = wildtype["Length (bp)"].astype(float)
    assert baseline.intron_length_range == pytest.approx((lengths.quantile(0.025), lengths.quantile(0.975)))
    assert baseline.branch_to_3_range == (30.0, 30.0)
    np.testing.assert_allclose(baseline.pwms["branch"], sites_to_pwm(["TACTAACA"] * len(wildtype)))
    assert baseline.score_min["branch"] == pytest.approx(
        8 * np.log2(40.5 / 42 / 0.25)
    )  # 40 sites + 4 x 0.5 pseudocounts
    assert fit_pwm_baseline(wildtype, np.array([0.0, 0.0])).mean_spliced == 0.0


def test_wildtype_sites_keep_full_length_sites():
    wildtype = make_wildtype(n=3)
    wildtype["BP"] = ["TACTAAC", "tactaaca", "GACTAACA"]
    assert wildtype_sites(wildtype, "branch") == ["TACTAACA", "GACTAACA"]


def test_heuristics():
    np.testing.assert_array_equal(heuristic_predictions(3, "zeros"), [0, 0, 0])
    random = heuristic_predictions(1000, "random", seed=1)
    assert random.shape == (1000,)
    assert random.min() >= 0 and random.max() < 1
    np.testing.assert_array_equal(random, heuristic_predictions(1000, "random", seed=1))
    assert not np.array_equal(random, heuristic_predictions(1000, "random", seed=2))
    with pytest.raises(ValueError, match="unknown heuristic"):
        heuristic_predictions(3, "mean")


def test_real_wildtype_pwms(real_data_dir):
    wildtype = read_wildtype(real_data_dir)
    pwms = wildtype_pwms(wildtype)
    assert {k: v.shape for k, v in pwms.items()} == {"ss5": (6, 4), "branch": (8, 4), "ss3": (3, 4)}
    for pwm in pwms.values():
        np.testing.assert_allclose(pwm.sum(1), 1.0)
    assert "".join("ACGT"[i] for i in pwms["ss5"].argmax(1)) == "GTATGT"
    assert "".join("ACGT"[i] for i in pwms["branch"].argmax(1)) == "TACTAACA"
    assert "".join("ACGT"[i] for i in pwms["ss3"].argmax(1)) == "TAG"


def test_real_wildtype_baseline(real_data_dir):
    wildtype = read_wildtype(real_data_dir)
    baseline = fit_pwm_baseline(wildtype, np.array([0.0, 0.3, 0.9]))
    for name, pwm in baseline.pwms.items():
        np.testing.assert_allclose(np.sum(pwm, 1), 1.0)
        scores = pwm_scores(strings_to_one_hot(wildtype_sites(wildtype, name)), np.asarray(pwm))
        assert np.mean(scores >= baseline.score_min[name]) >= 0.9, name
    introns = constructs(wildtype["sequence"].str.upper().tolist())
    features = baseline.features(introns)
    # the scanned branch site's distance to the 3' end uses the table's own convention
    assert np.mean(features["branch_to_3"].to_numpy() == wildtype["BP to 3'SS (bp)"].to_numpy()) >= 0.9
    assert np.mean(baseline.within_wildtype(introns)) >= 0.7
    assert set(np.unique(baseline.predict(introns))) == {0.0, 0.6}
