"""The Predictor: member outputs, mean and spread, bare introns to model inputs, loading."""

from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest
from conftest import make_library
from toy_model import (
    BRANCH_PWM,
    GuanineShare,
    expected_members,
    linear_model,
    toy_card,
    toy_predictor,
    toy_weights,
)

import splice_core.predict.predictor as predictor_module
from splice_core.data.contexts import INTRON_LENGTH, OligoTemplate, introns_to_constructs, site_windows
from splice_core.data.pwm import branch_scan
from splice_core.models.architectures import build_model
from splice_core.models.peer_blend import PeerBlend, blended_members
from splice_core.models.store import save_model_dir
from splice_core.models.training import stack_members
from splice_core.predict.predictor import (
    BATCH,
    MODEL_CALLS,
    ROW_BUCKETS,
    Predictor,
    bucket_rows,
    crop_padding,
    load_predictor,
    mean_and_spread,
    padded_rows,
)
from splice_core.seq.encoding import strings_to_one_hot

INTRONS = ["GTATGTAAAATACTAACTTTTAG", "GTACGTCCCCCCTACTAACAAACAG", "GCATGTTTTTTTTTTTTTTTTAG"]
TEMPLATE = OligoTemplate(prefix="C" * 47, exon="G" * 150, homology="T" * 30)


def test_members_and_mean_match_the_linear_formula():
    predictor = toy_predictor(40)
    x = strings_to_one_hot(INTRONS, 40)
    want = expected_members(INTRONS, toy_weights(40))
    np.testing.assert_allclose(predictor.members(x), want, atol=1e-7)
    np.testing.assert_allclose(predictor.predict(x), want.mean(1), atol=1e-7)
    np.testing.assert_allclose(predictor.predict_introns(INTRONS), want.mean(1), atol=1e-7)
    np.testing.assert_allclose(predictor.intron_members(INTRONS), want, atol=1e-7)


def test_a_shipped_peer_blend_moves_the_members_predictions_of_bare_introns_and_library_rows():
    plain = toy_predictor(INTRON_LENGTH)
    ramp = (0.25, 0.75)
    blended = Predictor(plain.model, plain.card, blend=PeerBlend(GuanineShare(), 0.5, ramp))
    peer = GuanineShare().predict_introns(INTRONS)
    want = blended_members(plain.intron_members(INTRONS), peer, 0.5, ramp)
    assert not np.allclose(want, plain.intron_members(INTRONS))  # the toy members lie on the ramp
    np.testing.assert_allclose(blended.intron_members(INTRONS), want, atol=1e-7)
    x = strings_to_one_hot(INTRONS, INTRON_LENGTH)
    np.testing.assert_allclose(blended.members(x), plain.members(x))  # one-hot inputs: the CNN alone
    frame = make_library(6)
    rows = blended_members(
        plain.members(strings_to_one_hot(frame["intron_seq"].tolist(), INTRON_LENGTH)),
        GuanineShare().predict_introns(frame["intron_seq"].tolist()),
        0.5,
        ramp,
    )
    np.testing.assert_allclose(blended.library_members(frame), rows, atol=1e-6)
    np.testing.assert_allclose(blended.predict_library(frame), rows.mean(1), atol=1e-6)


def test_a_long_introns_views_are_each_blended_before_their_mean():
    plain = toy_predictor(INTRON_LENGTH)
    blended = Predictor(plain.model, plain.card, blend=PeerBlend(GuanineShare(), 0.5, (0.25, 0.75)))
    long = INTRONS[0][:12] + "ACGTTGCA" * 40 + INTRONS[0][12:]
    reads, _, owner = plain.model_reads([long])
    assert len(reads) > 1 and set(owner) == {0}
    views = plain.members(strings_to_one_hot(reads, INTRON_LENGTH))
    want = blended_members(views, GuanineShare().predict_introns(reads), 0.5, (0.25, 0.75)).mean(0)
    np.testing.assert_allclose(blended.intron_members([long])[0], want, atol=1e-6)


def test_members_are_batched_without_changing_results(monkeypatch):
    predictor = toy_predictor(40)
    x = strings_to_one_hot(INTRONS * 3, 40)
    whole = predictor.members(x)
    monkeypatch.setattr(predictor_module, "BATCH", 2)
    np.testing.assert_array_equal(predictor.members(x), whole)
    assert predictor.members(x[:0]).shape == (0, 2)


def test_row_counts_are_rounded_up_to_few_buckets():
    assert [bucket_rows(n) for n in (1, 3, 64, 65, 97, 200, 256, 257, 700)] == [
        1,
        4,
        64,
        96,
        128,
        256,
        256,
        512,
        768,
    ]
    x = np.arange(3 * 2 * 4, dtype=np.float32).reshape(3, 2, 4)
    padded = padded_rows(x)
    assert padded.shape == (4, 2, 4)
    np.testing.assert_array_equal(padded[:3], x)
    np.testing.assert_array_equal(padded[3], x[2])
    assert padded_rows(x[:0]).shape == (0, 2, 4)


def shapes_seen(predictor: Predictor) -> set[tuple[int, ...]]:
    """The input shapes of every later call of the predictor's traced function (it is wrapped to record them)."""
    seen, call = set(), predictor._call
    predictor._call = lambda x: seen.add(tuple(x.shape)) or call(x)
    return seen


def test_any_number_of_rows_reaches_the_traced_function_in_a_few_shapes_with_the_same_results():
    predictor = toy_predictor(40)
    seen = shapes_seen(predictor)
    introns = INTRONS * 700
    for n in range(1, 2 * BATCH + 200, 41):
        np.testing.assert_allclose(
            predictor.intron_members(introns[:n]), expected_members(introns[:n], toy_weights(40)), atol=1e-6
        )
    assert {rows for rows, _, _ in seen} <= set(ROW_BUCKETS)
    assert len(seen) <= len(ROW_BUCKETS)


def test_model_calls_from_concurrent_threads_run_one_at_a_time():
    predictor = toy_predictor(40)
    active, overlaps, call = [], [], predictor._call

    def one_call(x):
        active.append(x)
        overlaps.append(len(active) > 1 or not MODEL_CALLS.locked())
        try:
            return call(x)
        finally:
            active.remove(x)

    predictor._call = one_call
    x = strings_to_one_hot(INTRONS, 40)
    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(predictor.members, [x] * 16))
    assert len(overlaps) == 16 and not any(overlaps)
    for result in results:
        np.testing.assert_allclose(result, expected_members(INTRONS, toy_weights(40)), atol=1e-7)


@pytest.mark.slow
def test_introns_of_every_length_reach_a_padding_masking_model_in_a_few_shapes():
    model = stack_members([build_model("site_aware_cnn", 200), build_model("site_aware_cnn", 200)])
    predictor = Predictor(model=model, card=toy_card())
    seen = shapes_seen(predictor)
    rng = np.random.default_rng(0)
    for length in range(60, 201, 7):
        intron = "GTATGT" + "".join(rng.choice(list("ACGT"), length - 9)) + "TAG"
        predictor.intron_members([intron] * int(rng.integers(1, 300)))
    assert {length for _, length, _ in seen} <= {64, 96, 128, 160, 192, 200}
    assert {rows for rows, _, _ in seen} <= set(ROW_BUCKETS)


def test_mean_and_spread_are_the_ensemble_mean_and_sd():
    mean, sd = mean_and_spread(np.array([[0.25, 0.75], [0.5, 0.5]]))
    np.testing.assert_array_equal(mean, [0.5, 0.5])
    np.testing.assert_array_equal(sd, [0.25, 0.0])


def test_intron_context_pads_introns_on_the_right():
    predictor = toy_predictor(40)
    x = predictor.introns_to_one_hot(INTRONS)
    assert x.shape == (3, 40, 4) and predictor.input_length == 40 and predictor.context == "intron"
    np.testing.assert_array_equal(x, strings_to_one_hot(INTRONS, 40))
    assert not predictor.needs_template and predictor.max_intron_length(TEMPLATE) == 40


def test_design_contexts_need_a_template():
    predictor = Predictor(model=linear_model(toy_weights(120)), card=toy_card("windows"))
    assert predictor.needs_template
    with pytest.raises(ValueError, match="needs the library's oligo design"):
        predictor.introns_to_one_hot(INTRONS)
    assert predictor.max_intron_length(TEMPLATE) == 230 - 47 - 30


def test_design_contexts_place_the_branch_at_the_pwm_match_by_default():
    predictor = Predictor(model=linear_model(toy_weights(120)), card=toy_card("windows"))
    starts = branch_scan(INTRONS, BRANCH_PWM)[0]
    np.testing.assert_array_equal(predictor.branch_starts(INTRONS), starts)
    want = strings_to_one_hot(site_windows(introns_to_constructs(INTRONS, starts, TEMPLATE)), 120)
    np.testing.assert_array_equal(predictor.introns_to_one_hot(INTRONS, template=TEMPLATE), want)
    moved = predictor.introns_to_one_hot(INTRONS, np.array([3, 3, 3]), TEMPLATE)
    assert not np.array_equal(moved, want)


def test_full_context_without_reporter_is_a_clear_error():
    predictor = Predictor(model=linear_model(toy_weights(1615)), card=toy_card("full"))
    with pytest.raises(ValueError, match="reporter"):
        predictor.introns_to_one_hot(INTRONS, template=TEMPLATE)


def test_load_predictor_reads_a_saved_model_directory(tmp_path):
    path = save_model_dir(tmp_path / "toy", linear_model(toy_weights(40)), toy_card())
    predictor = load_predictor(path)
    assert predictor.path == str(path) and predictor.card["name"] == "toy linear"
    np.testing.assert_allclose(
        predictor.predict_introns(INTRONS), expected_members(INTRONS, toy_weights(40)).mean(1), atol=1e-7
    )


def test_padding_masking_models_are_called_on_cropped_inputs_with_the_same_result():
    model = stack_members([build_model("site_aware_cnn", 200), build_model("site_aware_cnn", 200)])
    x = strings_to_one_hot(["GTATGT" + "A" * 60 + "TACTAAC" + "C" * 20 + "TAG"] * 2, 200)
    assert crop_padding(x, model).shape == (2, 96, 4)
    assert crop_padding(x[:, :10], model).shape == (2, 10, 4)
    assert crop_padding(x, build_model("dilated_resnet", 200)).shape == x.shape
    predictor = Predictor(model=model, card=toy_card())
    np.testing.assert_allclose(predictor.members(x), np.asarray(model(x, training=False)), atol=1e-5)


def test_prediction_text_gives_the_spread_only_for_an_ensemble():
    from splice_core.predict.predictor import prediction_text, spread_help

    assert prediction_text(0.25390625, 0.0117, 4) == "0.254 ± 0.012"
    assert prediction_text(0.25390625, 0.0, 1) == "0.254 (no ensemble spread)"
    assert "4 ensemble members" in spread_help(4) and "no ensemble spread" in spread_help(1)


def test_n_members_counts_the_ensemble():
    from toy_model import linear_model, toy_weights

    assert (
        Predictor(
            linear_model(toy_weights(8, members=3), bias=np.zeros(3)), {"config": {"context": "intron"}}
        ).n_members
        == 3
    )
