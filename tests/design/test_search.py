"""Intron design: the beam search finds hand-known best edits; from-scratch designs meet targets and rules."""

import itertools

import numpy as np
import pytest
from toy_model import expected_members, toy_predictor, toy_weights

from splice_core.design.constraints import SequenceRules, gc_share, longest_run
from splice_core.design.search import (
    Design,
    DesignInputError,
    EditRequest,
    EditState,
    Goal,
    ScratchRequest,
    check_request,
    design,
    design_steps,
    edit_name,
)

INTRON = "GTAAGTAAAGTACTAACTAG"
GAINS = {(2, "C"): 0.25, (5, "A"): 0.125, (8, "T"): 0.0625}  # 0-based position, base: gain in every member


def hand_weights(gains: dict = GAINS, length: int = len(INTRON), members: int = 3) -> np.ndarray:
    """Weights ``(length, 4, members)``: zero but for the hand-set gains, the same in every member."""
    weights = np.zeros((length, 4, members))
    for (position, base), gain in gains.items():
        weights[position, "ACGT".index(base)] = gain
    return weights


def linear_predict(weights: np.ndarray):
    """``predict(introns, branch) -> (N, K)`` of the linear toy model (numpy, exact)."""
    return lambda introns, branch: expected_members(introns, weights, np.zeros(weights.shape[2]))


def length_predict(introns, branch):
    """Members that both score length / 100: insertions raise it, deletions lower it."""
    lengths = np.array([len(s) for s in introns], float) / 100
    return np.stack([lengths, lengths], 1)


def test_the_best_edits_for_each_count_are_the_hand_set_gains():
    designs = design(linear_predict(hand_weights()), EditRequest(INTRON, Goal("high"), max_edits=3))
    assert [d.edits for d in designs] == [(), ("A3C",), ("A3C", "T6A"), ("A3C", "T6A", "A9T")]
    assert [d.predicted for d in designs] == [0.0, 0.25, 0.375, 0.4375]
    assert designs[-1].sequence == "GTCAGAAATGTACTAACTAG"
    assert all(d.held_out == d.predicted and d.held_out_agrees and d.spread == 0 for d in designs)


def test_a_beam_of_one_matches_brute_force_on_random_dyadic_weights():
    rng = np.random.default_rng(3)
    weights = rng.integers(-8, 9, (len(INTRON), 4, 3)) / 1024
    predict = linear_predict(weights)
    best = design(predict, EditRequest(INTRON, Goal("low"), max_edits=2, beam=1, spread_weight=0))
    mean = weights[:, :, :2].mean(2)
    wild = mean[np.arange(len(INTRON)), ["ACGT".index(b) for b in INTRON]]
    gains = np.sort(mean.min(1) - wild)[:2]
    reference = best[0].search_mean
    assert best[1].search_mean == pytest.approx(reference + gains[0], abs=1e-12)
    assert best[2].search_mean == pytest.approx(reference + gains.sum(), abs=1e-12)


def test_fixed_positions_never_change():
    designs = design(
        linear_predict(hand_weights()), EditRequest(INTRON, Goal("high"), max_edits=2, fixed=frozenset({2}))
    )
    assert [d.edits for d in designs[1:]] == [("T6A",), ("T6A", "A9T")]
    assert all(d.sequence[2] == "A" for d in designs)


def test_a_target_picks_the_edit_that_lands_on_it():
    designs = design(linear_predict(hand_weights()), EditRequest(INTRON, Goal("target", 0.125), max_edits=1))
    assert designs[1].edits == ("T6A",) and designs[1].predicted == 0.125


def test_the_search_leaves_the_last_member_out_and_reports_it():
    weights = hand_weights()
    weights[5, 0, 2] = -0.5  # the held-out member dislikes T6A
    (_, one) = design(linear_predict(weights), EditRequest(INTRON, Goal("target", 0.125), max_edits=1))
    assert one.edits == ("T6A",) and one.search_mean == 0.125 and one.held_out == -0.5
    assert one.predicted == pytest.approx(np.mean([0.125, 0.125, -0.5]))  # the whole ensemble, as Predict
    assert one.held_out_agrees is False and one.spread == pytest.approx(np.std([0.125, 0.125, -0.5]))
    (_, all_members) = design(
        linear_predict(weights), EditRequest(INTRON, Goal("target", 0.125), max_edits=1), hold_out=False
    )
    assert (
        all_members.held_out is None and all_members.held_out_agrees is None and all_members.edits == ("A9T",)
    )


def test_insertions_and_deletions_are_applied_and_named():
    high = design(
        length_predict,
        EditRequest(INTRON, Goal("high"), max_edits=2, insertions=True, fixed=frozenset(range(4))),
    )
    assert len(high[2].sequence) == 22 and all("ins" in e for e in high[2].edits)
    low = design(
        length_predict,
        EditRequest(INTRON, Goal("low"), max_edits=2, deletions=True, fixed=frozenset(range(4))),
    )
    assert len(low[2].sequence) == 18 and all(e.startswith("del") for e in low[2].edits)
    state = EditState("GTAC", ((1, "del", ""),))
    assert state.sequence == "GTAC" and state.names("GTAC") == ("delT2",)
    assert edit_name("GTAC", 1, "ins", "G") == "2_3insG" and edit_name("GTAC", 3, "sub", "A") == "C4A"


def test_children_apply_each_edit_at_its_original_position():
    request = EditRequest("GTACG", Goal("high"), deletions=True, insertions=True, fixed=frozenset({0, 1}))
    after_deletion = EditState("GTCG", ((2, "del", ""),))
    children = {c.edits[-1]: c.sequence for c in after_deletion.children(request)}
    assert children[(3, "sub", "T")] == "GTTG" and children[(4, "del", "")] == "GTC"
    assert (
        children[(3, "ins", "A")] == "GTCAG"
        and (2, "sub", "A") not in children
        and (0, "sub", "A") not in children
    )
    assert (1, "ins", "A") in children and (0, "ins", "A") not in children  # 0 and 1 are both fixed


def test_the_predictor_fits_the_predict_signature():
    request = EditRequest(INTRON, Goal("high"), max_edits=2)
    designs = design(toy_predictor(40).intron_members, request)
    exact = design(lambda introns, branch: expected_members(introns, toy_weights(40)), request)
    assert [d.edits for d in designs] == [d.edits for d in exact] and len(designs) == 3
    np.testing.assert_allclose([d.members for d in designs], [d.members for d in exact], atol=1e-6)


def gc_predict(introns, branch):
    """Members that score the GC share (the last a little higher)."""
    gc = np.array([gc_share(s) for s in introns])
    return np.stack([gc, gc, gc + 0.03], 1)


RULES = SequenceRules(gc=(0.3, 0.6), forbidden=("GAATTC", "GGTCTC"), max_run=4)


def test_from_scratch_designs_meet_targets_sites_and_rules():
    request = ScratchRequest(
        Goal("target", 0.35),
        n=6,
        target_high=0.55,
        lengths=(60, 80),
        rules=RULES,
        seed=1,
        ss5=("GTATGT", "GTACGT"),
        branch=("TACTAAC",),
        ss3=("TAG", "CAG"),
    )
    designs = design(gc_predict, request)
    assert len(designs) == 6 and sorted(d.goal.target for d in designs) == pytest.approx(
        np.linspace(0.35, 0.55, 6)
    )
    for d in designs:
        seq = d.sequence
        assert abs(d.search_mean - d.goal.target) <= 0.05 and RULES.allows(seq) and longest_run(seq) <= 4
        assert 60 <= len(seq) <= 80 and seq[:6] in ("GTATGT", "GTACGT") and seq[-3:] in ("TAG", "CAG")
        assert (
            "TACTAAC" in seq[-45 : -25 + 7]
            and d.held_out == pytest.approx(d.search_mean + 0.03)
            and d.held_out_agrees
        )
    assert len({d.sequence for d in designs}) == 6


def test_from_scratch_progress_ends_at_one_and_is_reproducible():
    request = ScratchRequest(Goal("target", 0.5), n=3, lengths=(50, 60), seed=4)
    steps = list(design_steps(gc_predict, request))
    assert steps[-1][0] == 1.0 and all(a <= b for (a, _), (b, _) in itertools.pairwise(steps))
    assert [d.sequence for d in design(gc_predict, request)] == [
        d.sequence for _, batch in steps for d in batch
    ]


@pytest.mark.parametrize(
    "request_, message",
    [
        (EditRequest("GTAXGTACTAACTTTTTTAG", Goal("high")), "Only A, C, G, T"),
        (EditRequest(INTRON, Goal("high"), fixed=frozenset(range(20))), "every position is fixed"),
        (EditRequest(INTRON * 3, Goal("high"), max_edits=0), "number of edits"),
        (ScratchRequest(Goal("target", 0.5), lengths=(10, 20)), "cannot hold the sites"),
        (ScratchRequest(Goal("target", 0.5), lengths=(90, 80)), "length range"),
        (ScratchRequest(Goal("target", 0.5), target_high=1.2), "target range"),
        (ScratchRequest(Goal("high")), "need a target"),
        (ScratchRequest(Goal("target", 0.5), rules=SequenceRules(gc=(0.7, 0.5))), "GC range"),
        (ScratchRequest(Goal("target", 0.5), rules=SequenceRules(max_run=0)), "homopolymer cap"),
    ],
)
def test_bad_requests_get_a_clear_message(request_, message):
    with pytest.raises(DesignInputError, match=message):
        check_request(request_)


def test_goals_outside_0_to_1_are_refused_at_once():
    for target in (1.5, -0.1, None):
        with pytest.raises(DesignInputError, match="target efficiency must lie within 0..1"):
            Goal("target", target)
    with pytest.raises(DesignInputError, match="goal must be one of"):
        Goal("sideways")


@pytest.mark.parametrize(
    "rules, message",
    [
        (
            SequenceRules(forbidden=("TATG",)),
            "fixed sites themselves break the rules: every 5' splice site given",
        ),
        (SequenceRules(gc=(0.95, 1.0)), "can reach GC"),
        (SequenceRules(max_run=1), "fixed sites themselves"),
    ],
)
def test_impossible_constraints_are_reported_not_searched(rules, message):
    with pytest.raises(DesignInputError, match=message):
        design(gc_predict, ScratchRequest(Goal("target", 0.5), n=2, lengths=(60, 70), rules=rules))


def test_a_design_reports_the_ensembles_mean_and_spread_the_searched_mean_and_the_held_out_member():
    d = Design("GTAG", (), np.array([0.5, 0.25, 0.75]), 2, Goal("target", 0.375))
    assert d.predicted == 0.5 and d.spread == pytest.approx(
        np.std([0.5, 0.25, 0.75])
    )  # every member, as Predict
    assert d.search_mean == 0.375 and d.held_out == 0.75 and d.held_out_agrees is False
    high = Design("GTAG", (), np.array([0.5, 0.25, 0.4]), 2, Goal("high"))
    assert (
        high.held_out_aim == 0.375 and high.held_out_agrees
    )  # high / low: checked against the searched mean


def test_the_library_penalty_grows_past_the_guessing_threshold():
    from splice_core.design.search import library_penalty
    from splice_core.predict.library_distance import fit_library_distance

    rng = np.random.default_rng(0)
    library = ["GT" + "".join(rng.choice(list("ACGT"), 80)) + "AG" for _ in range(200)]
    fitted = fit_library_distance(library)
    request = ScratchRequest(Goal("target", 0.5), library=fitted, library_weight=2.0)
    far = "GT" + "A" * 80 + "AG"
    penalty = library_penalty(request, [library[0], far])
    assert penalty[0] == 0.0
    assert penalty[1] == pytest.approx(2.0 * (fitted.distance([far])[0] - fitted.threshold))
    assert library_penalty(ScratchRequest(Goal("target", 0.5)), [far]).tolist() == [0.0]
