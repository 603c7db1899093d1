"""Double-mutant scan: every pair of changes, effects against a naive per-variant computation, exact epistasis."""

import numpy as np
import pandas as pd
from toy_model import expected_members, toy_weights

from splice_core.analysis.double_mutants import (
    PAIR_COLUMNS,
    pair_count,
    pair_effects,
    single_changes,
)
from splice_core.seq.mutations import checked_mutated, mutated_at

INTRON = "GTAAGTTACTAACAG"


class ToyPredict:
    """A numpy model over introns (linear, or tanh of linear) that records the branch starts it gets."""

    def __init__(self, nonlinear: bool, length: int = 30):
        self.weights, self.nonlinear, self.starts = toy_weights(length), nonlinear, []

    def __call__(self, introns: list[str], branch: np.ndarray | None) -> np.ndarray:
        self.starts.append(branch)
        out = expected_members(introns, self.weights).mean(1)
        return np.tanh(4 * out) if self.nonlinear else out


def naive(predict: ToyPredict, intron: str, p1: int, m1: str, p2: int, m2: str) -> tuple[float, float, float]:
    """(pair effect, single effect 1, single effect 2) predicted one variant at a time (downstream change first)."""
    ref = predict([intron], None)[0]
    pair = checked_mutated(checked_mutated(intron, p2 - 1, m2), p1 - 1, m1)
    one, two = checked_mutated(intron, p1 - 1, m1), checked_mutated(intron, p2 - 1, m2)
    return tuple(predict([s], None)[0] - ref for s in (pair, one, two))


def test_every_pair_of_changes_at_two_positions_is_listed_once():
    positions, mutants = single_changes("GTA")
    assert positions.tolist() == [0] * 4 + [1] * 4 + [2] * 4
    assert mutants.tolist() == list("ACT-") + list("ACG-") + list("CGT-")
    table = pair_effects(ToyPredict(False), INTRON)
    assert list(table.columns) == PAIR_COLUMNS
    assert len(table) == pair_count(len(INTRON)) == 16 * 15 * 14 // 2
    assert (table["position_1"] < table["position_2"]).all()
    assert not table.duplicated(["position_1", "mutant_1", "position_2", "mutant_2"]).any()
    assert table["mutation"].iloc[0] == "G1A+T2A" and mutated_at("GTAC", [(0, "-"), (2, "G")]) == "TGC"


def test_effects_match_the_naive_way_and_epistasis_is_pair_minus_singles():
    predict = ToyPredict(True)
    table = pair_effects(predict, INTRON)
    rng = np.random.default_rng(0)
    for row in table.iloc[rng.choice(len(table), 40, replace=False)].itertuples():
        pair, one, two = naive(predict, INTRON, row.position_1, row.mutant_1, row.position_2, row.mutant_2)
        np.testing.assert_allclose([row.effect, row.effect_1, row.effect_2], [pair, one, two], atol=1e-12)
        np.testing.assert_allclose(row.epistasis, pair - one - two, atol=1e-12)
    assert table["epistasis"].abs().max() > 1e-3


def test_a_linear_model_has_no_epistasis_between_substitutions():
    table = pair_effects(ToyPredict(False), INTRON)
    substitutions = (table["mutant_1"] != "-") & (table["mutant_2"] != "-")
    np.testing.assert_allclose(table.loc[substitutions, "epistasis"], 0, atol=1e-12)


def test_deletions_upstream_shift_the_given_branch_site_and_progress_is_reported():
    predict, seen = ToyPredict(False), []
    table = pair_effects(
        predict, INTRON, branch=7, on_progress=lambda done, total: seen.append((done, total))
    )
    starts = np.concatenate([s for s in predict.starts[1:]])
    assert set(starts.tolist()) == {5, 6, 7}
    assert seen[-1][0] == seen[-1][1] and len(seen) >= 1
    assert isinstance(table, pd.DataFrame)
