"""In-silico mutagenesis: variants, one batched call, exact deltas, tables and applying a mutation."""

import numpy as np
import pandas as pd
import pytest
from toy_model import expected_members, toy_predictor, toy_weights

from splice_core.analysis.mutagenesis import (
    deletion_variants,
    distinct_variants,
    effects_to_table,
    mutagenesis_effects,
    strongest_effects,
    substitution_variants,
    variant_branch_starts,
)

INTRON = "GTATGTAACTAACTTTAG"


class LinearPredict:
    """A numpy linear model over introns that records its calls."""

    def __init__(self, length: int = 30):
        self.weights = toy_weights(length)
        self.calls: list[tuple[list[str], np.ndarray | None]] = []

    def __call__(self, introns: list[str], branch: np.ndarray | None) -> np.ndarray:
        self.calls.append((introns, branch))
        return expected_members(introns, self.weights).mean(1)


def test_variants_are_position_major_in_acgt_order():
    subs = substitution_variants("GTA")
    assert len(subs) == 12 and subs[:4] == ["ATA", "CTA", "GTA", "TTA"] and subs[-1] == "GTT"
    assert deletion_variants("GTA") == ["TA", "GA", "GT"]


def test_effects_are_exact_deltas_from_one_batched_call():
    predict = LinearPredict()
    reference, subs, dels = mutagenesis_effects(predict, INTRON)
    distinct = {INTRON, *substitution_variants(INTRON), *deletion_variants(INTRON)}
    assert len(predict.calls) == 1 and predict.calls[0][1] is None
    assert sorted(predict.calls[0][0]) == sorted(distinct) and len(distinct) < 1 + 5 * len(INTRON)
    mean_weights = predict.weights.mean(2)
    ref = expected_members([INTRON], predict.weights).mean()
    assert reference == pytest.approx(ref, abs=1e-12)
    for i, wild in enumerate(INTRON):
        for j, _base in enumerate("ACGT"):
            assert subs[i, j] == pytest.approx(
                mean_weights[i, j] - mean_weights[i, "ACGT".index(wild)], abs=1e-12
            )
        deleted = INTRON[:i] + INTRON[i + 1 :]
        assert dels[i] == pytest.approx(expected_members([deleted], predict.weights).mean() - ref, abs=1e-12)
    wild_cells = subs[np.arange(len(INTRON)), ["ACGT".index(b) for b in INTRON]]
    assert (wild_cells == 0).all()


def test_distinct_variants_keep_first_occurrence_order_and_map_back():
    unique, starts, inverse = distinct_variants(["AA", "CA", "AA", "CA"], np.array([1, 1, 1, 2]))
    assert unique == ["AA", "CA", "CA"] and starts.tolist() == [1, 1, 2] and inverse.tolist() == [0, 1, 0, 2]
    unique, starts, inverse = distinct_variants(["AA", "CA", "AA"], None)
    assert unique == ["AA", "CA"] and starts is None and inverse.tolist() == [0, 1, 0]


def test_a_predictor_fits_the_predict_signature():
    predictor = toy_predictor(30)
    reference, subs, dels = mutagenesis_effects(predictor.predict_introns, INTRON)
    want_reference, want_subs, want_dels = mutagenesis_effects(LinearPredict(), INTRON)
    assert reference == pytest.approx(want_reference, abs=1e-6)
    np.testing.assert_allclose(subs, want_subs, atol=1e-6)
    np.testing.assert_allclose(dels, want_dels, atol=1e-6)


def test_the_users_branch_site_follows_each_variant():
    starts = variant_branch_starts(4, 2)
    np.testing.assert_array_equal(starts, [2] * 17 + [1, 1, 2, 2])
    predict = LinearPredict()
    mutagenesis_effects(predict, INTRON, branch=7)
    variants = [INTRON, *substitution_variants(INTRON), *deletion_variants(INTRON)]
    sent = list(zip(predict.calls[0][0], predict.calls[0][1].tolist()))
    wanted = set(zip(variants, variant_branch_starts(len(INTRON), 7).tolist()))
    assert len(sent) == len(wanted) and set(sent) == wanted


def test_table_lists_every_mutation_once():
    subs = np.arange(12, dtype=float).reshape(3, 4)
    table = effects_to_table("GTA", subs, np.array([-1.0, -2.0, -3.0]))
    assert len(table) == 3 * 3 + 3
    assert table["mutation"].tolist()[:3] == ["G1A", "G1C", "G1T"]
    assert table.loc[table["mutation"] == "T2G", "delta"].item() == 6.0
    assert table["mutation"].tolist()[-3:] == ["delG1", "delT2", "delA3"]
    assert table.columns.tolist() == ["position", "wild_type", "mutant", "mutation", "delta"]


def test_strongest_losses_and_gains_are_ordered():
    table = pd.DataFrame({"mutation": list("abcde"), "delta": [0.1, -0.5, 0.0, 0.3, -0.2]})
    losses, gains = strongest_effects(table, n=5)
    assert losses["mutation"].tolist() == ["b", "e"] and gains["mutation"].tolist() == ["d", "a"]
    assert strongest_effects(table, n=1)[0]["mutation"].tolist() == ["b"]


def test_a_views_table_names_intron_positions():
    subs = np.zeros((3, 4))
    table = effects_to_table("GTA", subs, np.array([-1.0, -2.0, -3.0]), np.array([1, 300, 588]))
    assert table["position"].tolist() == [1] * 3 + [300] * 3 + [588] * 3 + [1, 300, 588]
    assert table["mutation"].tolist()[3:6] == ["T300A", "T300C", "T300G"]
    assert table["mutation"].tolist()[-1] == "delA588" and table["delta"].iloc[-1] == -3.0
