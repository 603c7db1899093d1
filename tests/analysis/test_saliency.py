"""SmoothGrad: the batched map, its agreement with tf-keras-vis on the same noise, gradient x input."""

import numpy as np
import pytest
import tensorflow as tf
from toy_model import GuanineShare, linear_model, sqrt_model, toy_card, toy_predictor, toy_weights

from splice_core.analysis.saliency import (
    attribution_scope,
    finite_sample_mean,
    gradient_times_input,
    intron_saliency,
    intron_saliency_kept,
    smoothgrad,
    smoothgrad_noise,
    smoothgrad_tf_keras_vis,
)
from splice_core.models.architectures import build_model
from splice_core.models.peer_blend import PeerBlend
from splice_core.models.store import PRETRAINED_DIR
from splice_core.predict.predictor import ROW_BUCKETS, Predictor, load_predictor
from splice_core.seq.encoding import strings_to_one_hot

INTRONS = ["GTATGTAAAATACTAACTTTTAG", "GTACGTCCCCCCTACTAACAAACAG"]


def test_noise_is_scaled_by_each_sequences_range():
    x = strings_to_one_hot(INTRONS, 30) * np.array([1.0, 3.0])[:, None, None]
    noise = smoothgrad_noise(x, 400, 0.1, seed=0)
    assert noise.shape == (400, 2, 30, 4) and noise.dtype == np.float32
    assert noise[:, 0].std() == pytest.approx(0.1, rel=0.05)
    assert noise[:, 1].std() == pytest.approx(0.3, rel=0.05)
    np.testing.assert_array_equal(noise, smoothgrad_noise(x, 400, 0.1, seed=0))


def test_a_linear_models_smoothgrad_is_its_mean_weights():
    weights = toy_weights(30)
    x = strings_to_one_hot(INTRONS, 30)
    grads = smoothgrad(linear_model(weights), x, n_samples=7, noise_level=0.2, seed=3)[0]
    np.testing.assert_allclose(grads, np.broadcast_to(weights.mean(2), x.shape), atol=1e-6)


def test_batched_smoothgrad_averages_per_sample_gradients_of_the_given_noise():
    model = linear_model(toy_weights(30) * 40, nonlinear=True)
    x = strings_to_one_hot(INTRONS, 30)
    noise = np.random.default_rng(1).normal(0, 0.1, (5, *x.shape)).astype(np.float32)
    per_sample = []
    for sample in noise:
        inputs = tf.constant(x + sample)
        with tf.GradientTape() as tape:
            tape.watch(inputs)
            score = tf.reduce_mean(model(inputs), axis=-1)
        per_sample.append(tape.gradient(score, inputs).numpy())
    np.testing.assert_allclose(smoothgrad(model, x, noise=noise)[0], np.mean(per_sample, 0), atol=1e-6)


def test_smoothgrad_calls_its_traced_gradients_with_bucketed_row_counts():
    model = linear_model(toy_weights(30))
    x = strings_to_one_hot(INTRONS, 30)
    smoothgrad(model, x, n_samples=1)  # traces the gradient function
    seen, gradients = [], model._splice_gradients
    model._splice_gradients = lambda batch: seen.append(len(batch)) or gradients(batch)
    for n_samples in (3, 25, 50, 77, 100):
        grads = smoothgrad(model, x, n_samples=n_samples, noise_level=0.2)[0]
        np.testing.assert_allclose(grads, np.broadcast_to(toy_weights(30).mean(2), x.shape), atol=1e-6)
    assert seen == [8, 64, 128, 192, 256] and set(seen) <= set(ROW_BUCKETS)


@pytest.mark.filterwarnings("ignore:The structure of `inputs` doesn't match")
def test_batched_smoothgrad_matches_tf_keras_vis_on_the_same_noise():
    model = linear_model(toy_weights(30) * 40, nonlinear=True)
    x = strings_to_one_hot(INTRONS, 30)
    ours = smoothgrad(model, x, n_samples=20, noise_level=0.2, seed=5)[0]
    theirs = smoothgrad_tf_keras_vis(model, x, n_samples=20, noise_level=0.2, seed=5)
    assert np.abs(ours).max() > 1e-3
    np.testing.assert_allclose(ours, theirs, atol=1e-6)
    other_noise = smoothgrad(model, x, n_samples=20, noise_level=0.2, seed=6)[0]
    assert np.abs(other_noise - theirs).max() > 1e-5


def test_gradient_times_input_keeps_only_observed_bases():
    weights = toy_weights(30)
    x = strings_to_one_hot(INTRONS, 30)
    attribution = gradient_times_input(linear_model(weights), x, n_samples=3)
    np.testing.assert_allclose(attribution, x * weights.mean(2), atol=1e-6)


def test_intron_saliency_is_cut_to_the_intron():
    predictor = toy_predictor(30)
    attribution = intron_saliency(predictor, INTRONS[0], n_samples=4)
    want = strings_to_one_hot(INTRONS[:1])[0] * toy_weights(30).mean(2)[: len(INTRONS[0])]
    np.testing.assert_allclose(attribution, want, atol=1e-6)


def test_intron_saliency_refuses_other_contexts():
    predictor = Predictor(model=linear_model(toy_weights(120)), card=toy_card("windows"))
    with pytest.raises(ValueError, match="intron-context"):
        intron_saliency(predictor, INTRONS[0])


@pytest.mark.slow
def test_smoothgrad_of_a_padding_masking_model_adds_noise_to_the_sequence_only():
    model = build_model("site_aware_cnn", 200)
    # 90 nt, cropped to 96: off one-hot, a noisy last base above 1 pairs with the padding as a 2-mer, so the crop
    # keeps padding after it as the full input does
    x = strings_to_one_hot(["GTATGT" + "A" * 60 + "TACTAAC" + "C" * 14 + "TAG"], 200)
    noise = smoothgrad_noise(x, 4, 0.2, seed=0)
    masked = noise * x.any(-1, keepdims=True)
    ours = smoothgrad(model, x, noise=noise)[0]
    assert np.all(ours[:, 96:] == 0) and np.isfinite(ours).all()
    per_sample = []
    for sample in masked:
        inputs = tf.constant(x + sample)
        with tf.GradientTape() as tape:
            tape.watch(inputs)
            score = tf.reduce_mean(model(inputs, training=False), -1)
        per_sample.append(tape.gradient(score, inputs).numpy())
    np.testing.assert_allclose(ours[:, :96], np.mean(per_sample, 0)[:, :96], atol=1e-5)


def test_finite_sample_mean_leaves_out_samples_with_any_non_finite_gradient():
    grads = np.array([[[[1.0, 2.0]]], [[[np.nan, 4.0]]], [[[3.0, 6.0]]]])  # (S=3, N=1, L=1, 2)
    mean, kept = finite_sample_mean(grads)
    np.testing.assert_array_equal(mean, [[[2.0, 4.0]]])
    np.testing.assert_array_equal(kept, [2])
    mean, kept = finite_sample_mean(np.full((2, 1, 1, 2), np.inf))
    assert np.isnan(mean).all() and kept.tolist() == [0]


def test_smoothgrad_drops_the_noisy_copies_whose_gradients_are_not_finite_and_counts_the_rest():
    x = strings_to_one_hot(
        ["GTAAG"], 8
    )  # sum(x) = 5: sqrt(5 - 4.75) = 1/2, gradient 1/(2 * 1/2) = 1 per cell
    noise = np.zeros((3, 1, 8, 4), np.float32)
    noise[1] = -1 / 16  # sum 5 - 2 = 3 < 4.75: NaN
    grads, kept = smoothgrad(sqrt_model(8, -4.75), x, noise=noise)
    np.testing.assert_array_equal(kept, [2])
    np.testing.assert_allclose(grads, np.ones_like(x), atol=1e-6)


def test_intron_saliency_reports_the_samples_it_kept():
    predictor = Predictor(
        model=sqrt_model(8, -5.0), card=toy_card()
    )  # sqrt(0) on the intron: infinite gradient
    attribution, kept = intron_saliency_kept(predictor, "GTAAG", n_samples=4, noise_level=0.0)
    assert kept == 0 and np.isnan(attribution).all()
    attribution, kept = intron_saliency_kept(
        Predictor(model=sqrt_model(8, -4.75), card=toy_card()), "GTAAG", n_samples=4, noise_level=0.0
    )
    assert kept == 4
    np.testing.assert_allclose(attribution, strings_to_one_hot(["GTAAG"])[0], atol=1e-6)


G_POOR = "GTATGTTTACTTATTCATTACTATTTTTACTTATTCATTACTATTTTTACTTATTCATTACTATTTTACTAACATTCATTATTTTTTTTTTTTTCAG"


@pytest.mark.slow
def test_the_shipped_models_saliency_of_a_g_poor_intron_is_finite_from_every_sample():
    """Noisy copies once drove the model's k-mer counts below -1 into log1p: NaN in 1 sample made the logo blank."""
    predictor = load_predictor(PRETRAINED_DIR)
    attribution, kept = intron_saliency_kept(predictor, G_POOR, n_samples=50, noise_level=0.1)
    assert kept == 50 and attribution.shape == (len(G_POOR), 4)
    assert np.isfinite(attribution).all() and np.abs(attribution).max() > 0


def test_the_logo_says_it_attributes_the_cnns_share_only_when_a_peer_is_blended_in():
    plain = toy_predictor(30)
    assert attribution_scope(plain) == "SmoothGrad gradient × input of the predicted efficiency"
    blended = Predictor(plain.model, plain.card, blend=PeerBlend(GuanineShare(), 0.75, (0.02, 0.1)))
    words = attribution_scope(blended)
    assert "CNN members' share" in words and "weighing 25% where the members predict ≥ 0.1" in words
