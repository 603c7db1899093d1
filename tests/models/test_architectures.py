"""Tests for splice_core.models.architectures: every registered builder builds and maps (N, L, 4) to (N, 1)."""

import os
import subprocess
import sys
from pathlib import Path

import keras
import numpy as np
import pytest
import tensorflow as tf

from splice_core.data.contexts import context_length
from splice_core.data.published import STUDY_TABLE1
from splice_core.models.architectures import (
    BUILDERS,
    EndAlign,
    KmerCounts,
    MaskedPooling,
    PaddingMask,
    SequenceLength,
    build_model,
    efficiency_only,
    log_count,
    reads_any_length,
    with_cryptic_head,
)
from splice_core.models.training import stack_members
from splice_core.seq.encoding import strings_to_one_hot

pytestmark = pytest.mark.slow  # see pytest.ini: the quick tier leaves these out

STUDY_CONTEXTS = {name: context for name, context, _ in STUDY_TABLE1}
OTHER_CONTEXTS = {"cnn_res4_conv": "windows", "dilated_resnet": "intron"}


def context_of(name: str) -> str:
    """The context an architecture is used with (the reference study's Table 1, else the project's choice)."""
    return STUDY_CONTEXTS.get(name) or OTHER_CONTEXTS.get(name, "intron")


def one_hot_batch(length: int, n: int = 2, seed: int = 0) -> np.ndarray:
    """``n`` random one-hot sequences of ``length``."""
    return np.eye(4, dtype=np.float32)[np.random.default_rng(seed).integers(0, 4, (n, length))]


@pytest.mark.parametrize("name", sorted(BUILDERS))
def test_builder_maps_batch_to_one_output(name):
    length = context_length(context_of(name))
    model = build_model(name, length)
    assert model.input_shape == (None, length, 4)
    assert model.output_shape == (None, 1)
    out = np.asarray(model(one_hot_batch(length), training=False))
    assert out.shape == (2, 1)
    assert np.all((out >= 0) & (out <= 1)), "sigmoid output leaves [0, 1]"
    print(f"{name} ({context_of(name)}, L={length}): {model.count_params():,} parameters")


def test_parameter_counts_match_the_study_size_class():
    rows = []
    for name, context, reported in STUDY_TABLE1:
        count = build_model(name, context_length(context)).count_params()
        rows.append((name, count, reported))
        print(f"{name:14s} {context:8s} ours {count:>8,}  study {reported:>8,}  ratio {count / reported:.3f}")
    for name, count, reported in rows:
        assert 0.5 < count / reported < 2.0, (name, count, reported)


def test_builders_take_any_length():
    for name in ("cnn_res1", "dilated_resnet"):
        assert build_model(name, 64).output_shape == (None, 1)


def test_relu_output_option():
    model = build_model("cnn_res1", 120, output="relu")
    assert model.get_layer("efficiency").activation.__name__ == "relu"
    assert build_model("cnn_res1", 120).get_layer("efficiency").activation.__name__ == "sigmoid"
    out = np.asarray(model(one_hot_batch(120, n=8), training=False))
    assert np.all(out >= 0)


def test_unknown_names_raise():
    with pytest.raises(ValueError, match="unknown architecture 'transformer'"):
        build_model("transformer", 120)
    with pytest.raises(ValueError, match="unknown output 'tanh'"):
        build_model("cnn_res1", 120, output="tanh")


def left_aligned(lengths: list[int], padded: int, seed: int = 0) -> np.ndarray:
    """Random one-hot sequences of the given lengths, left-aligned and zero-padded to ``padded``."""
    x = one_hot_batch(padded, n=len(lengths), seed=seed)
    for row, length in zip(x, lengths):
        row[length:] = 0
    return x


def with_random_batch_norm(model, seed: int = 0):
    """``model`` with non-trivial batch-norm weights and statistics (scales near 1, moving means near 0)."""
    rng = np.random.default_rng(seed)
    for layer in model.layers:
        if layer.__class__.__name__ == "BatchNormalization":
            layer.set_weights(
                [
                    rng.normal(0 if i == 2 else 1, 0.5 if i == 2 else 0.2, w.shape).astype(np.float32)
                    for i, w in enumerate(layer.get_weights())
                ]
            )
    return model


def test_sequence_length_and_end_align_on_literals():
    x = left_aligned([3, 5, 0], 5)
    np.testing.assert_array_equal(np.asarray(SequenceLength()(x)), [3, 5, 0])
    features = np.arange(10, dtype=np.float32).reshape(2, 5, 1)
    rolled = np.asarray(EndAlign()(features, np.array([3, 5])))[..., 0]
    np.testing.assert_array_equal(rolled, [[3, 4, 0, 1, 2], [5, 6, 7, 8, 9]])


def test_padding_mask_and_masked_pooling_on_literals():
    features = np.array([[[1.0, -2.0], [3.0, -4.0], [5.0, 6.0]]], np.float32)
    masked = np.asarray(PaddingMask()(features, np.array([2])))
    np.testing.assert_array_equal(masked, [[[1, -2], [3, -4], [0, 0]]])
    np.testing.assert_array_equal(np.asarray(MaskedPooling()(features, np.array([2]))), [[2, -3, 3, -2]])
    np.testing.assert_array_equal(np.asarray(MaskedPooling()(features, np.array([0]))), [[0, 0, 0, 0]])


def test_site_aware_cnn_output_does_not_depend_on_padding():
    model = with_random_batch_norm(build_model("site_aware_cnn", 200))  # padding would show if it leaked
    x = left_aligned([30, 70, 100], 200)
    full = np.asarray(model(x, training=False))
    any_length = tf.function(
        lambda x: model(x, training=False), input_signature=[tf.TensorSpec((None, None, 4))]
    )
    cropped = np.asarray(any_length(x[:, :104]))
    np.testing.assert_allclose(cropped, full, atol=1e-5)
    assert reads_any_length(model)
    assert reads_any_length(stack_members([model, build_model("site_aware_cnn", 200)]))
    assert not reads_any_length(build_model("dilated_resnet", 200))


def test_kmer_counts_on_a_literal_sequence():
    from itertools import product

    sequence = "ACGTACGA"
    counts = np.asarray(KmerCounts()(strings_to_one_hot([sequence, ""], 10)))
    kmers = ["".join(p) for k in (1, 2, 3, 4) for p in product("ACGT", repeat=k)]
    want = [sum(sequence[i : i + len(m)] == m for i in range(len(sequence) - len(m) + 1)) for m in kmers]
    np.testing.assert_array_equal(counts[0], want)
    np.testing.assert_array_equal(counts[1], 0)


ON_JAX = """
import sys
import keras
import numpy as np
from splice_core.models.store import load_model
from splice_core.models.training import TrainConfig, train_one_seed
x = np.load(sys.argv[1])
np.save(sys.argv[2], np.asarray(load_model(sys.argv[3])(x, training=False)))
run = train_one_seed(x, np.linspace(0, 1, len(x), dtype=np.float32), x, np.linspace(0, 1, len(x), dtype=np.float32),
                     TrainConfig(architecture="site_aware_cnn", epochs=1, n_seeds=1, batch_size=2, loss="bce"), seed=0)
assert np.isfinite(run.history[0]["loss"])
"""


def test_the_project_models_load_predict_and_train_on_the_jax_backend(tmp_path):
    """Every layer is written in keras.ops, so a model saved here runs unchanged on JAX (the GPU route without TF)."""
    pytest.importorskip("jax")
    from splice_core.models.store import save_model_dir

    model = with_random_batch_norm(build_model("site_aware_cnn", 120), seed=1)
    save_model_dir(tmp_path / "model", model, {"config": {}})
    x = left_aligned([40, 90, 120, 61], 120)
    np.save(tmp_path / "x.npy", x)
    env = {**os.environ, "KERAS_BACKEND": "jax"}
    subprocess.run(
        [
            sys.executable,
            "-c",
            ON_JAX,
            str(tmp_path / "x.npy"),
            str(tmp_path / "jax.npy"),
            str(tmp_path / "model"),
        ],
        env=env,
        check=True,
        cwd=Path(__file__).resolve().parents[2],
        timeout=300,
    )
    np.testing.assert_allclose(np.load(tmp_path / "jax.npy"), np.asarray(model(x, training=False)), atol=1e-5)


@pytest.mark.parametrize("name", ["site_aware_cnn", "cnn_res1_conv"])
def test_cryptic_head_splits_splicing_between_the_designed_and_other_sites(name):
    model = build_model(name, context_length(context_of(name)))
    x = one_hot_batch(model.input_shape[1], n=3)
    both = with_cryptic_head(model)
    efficiency, cryptic = (np.asarray(out) for out in both(x, training=False))
    share = np.asarray(model(x, training=False))
    spliced = np.asarray(keras.Model(both.input, both.get_layer("spliced").output)(x, training=False))
    np.testing.assert_allclose(efficiency, spliced * share, rtol=1e-6)
    np.testing.assert_allclose(cryptic, spliced - efficiency, rtol=1e-5, atol=1e-7)
    assert np.all((efficiency > 0) & (cryptic > 0) & (efficiency + cryptic < 1))
    width = model.get_layer("efficiency").input.shape[-1]
    assert both.count_params() == model.count_params() + width + 1
    cut = efficiency_only(both)
    assert cut.count_params() == both.count_params() and cut.output_shape == (None, 1)
    assert "cryptic" not in [layer.name for layer in cut.layers]
    np.testing.assert_array_equal(np.asarray(cut(x, training=False)), efficiency)


def test_log_count_clamps_counts_below_zero():
    np.testing.assert_allclose(np.asarray(log_count(np.array([-3.0, -1.0, 0.0, 3.0]))), [0, 0, 0, np.log(4)])


def test_a_site_aware_model_stays_finite_off_one_hot_input_and_a_saved_one_loads_the_clamp(tmp_path):
    """SmoothGrad's noisy copies can make k-mer "counts" negative: log1p of one below -1 was NaN."""
    from splice_core.models.store import load_model, save_model_dir

    model = build_model("site_aware_cnn", 64)
    x = np.full((1, 64, 4), -0.5, np.float32)  # every 1-mer "count" is -32
    assert np.isfinite(np.asarray(model(x, training=False))).all()
    save_model_dir(tmp_path / "model", model, {"config": {}})
    loaded = load_model(tmp_path / "model")
    np.testing.assert_array_equal(np.asarray(loaded(x, training=False)), np.asarray(model(x, training=False)))


def set_gate(model: keras.Model, name: str, kernel: np.ndarray, bias: float) -> None:
    """Gives one gate unit exact weights."""
    model.get_layer(name).set_weights(
        [kernel.reshape(-1, 1).astype(np.float32), np.array([bias], np.float32)]
    )


def test_site_gates_multiply_the_prediction_and_a_broken_site_closes_its_gate():
    model = build_model("site_gated_cnn", 64)
    ungated = keras.Model(model.input, model.get_layer("efficiency").output)
    five = np.zeros((6, 4))
    five[0, 2] = five[1, 3] = 16.0  # G then T: +32, else at most +16
    set_gate(model, "gate_5ss", five, -24.0)  # GT: sigmoid(8); one of them broken: sigmoid(-8)
    three = np.zeros((3, 4))
    three[1, 0] = three[2, 2] = 16.0  # ...AG at the very end
    set_gate(model, "gate_3ss", three, -24.0)
    set_gate(model, "gate_branch", np.zeros(2), 30.0)  # always open
    intact = "GTATGT" + "C" * 30 + "TACTAAC" + "C" * 10 + "CAG"
    introns = [intact, "GAATGT" + intact[6:], intact[:-1] + "C"]
    x = strings_to_one_hot(introns, 64)
    got, base = np.asarray(model(x))[:, 0], np.asarray(ungated(x))[:, 0]
    open_, shut = 1 / (1 + np.exp(-8.0)), 1 / (1 + np.exp(8.0))
    np.testing.assert_allclose(got, base * [open_**2, shut * open_, open_ * shut], rtol=1e-5)


def test_site_gates_start_open_on_the_consensus_and_shut_where_a_heavy_base_is_broken():
    model = build_model("site_gated_cnn", 64)
    gates = keras.Model(
        model.input, [model.get_layer(n).output for n in ("gate_5ss", "gate_3ss", "gate_branch")]
    )
    wild = "GTATGT" + "C" * 30 + "TACTAAC" + "C" * 10 + "CAG"
    introns = {
        "consensus": wild,
        "5' G1A": "A" + wild[1:],
        "3' AG to AC": wild[:-1] + "C",
        "branch A to G": wild.replace("TACTAAC", "TACTAGC"),
        "branch T1G (tolerated)": wild.replace("TACTAAC", "GACTAAC"),
    }
    got = np.concatenate(
        [np.asarray(g) for g in gates(strings_to_one_hot(list(introns.values()), 64))], axis=1
    )
    open_, shut = (
        1 / (1 + np.exp(-4.0)),
        1 / (1 + np.exp(2.0)),
    )  # consensus: sigmoid(4); a heavy base lost: sigmoid(-2)
    want = [[open_] * 3, [shut, open_, open_], [open_, shut, open_], [open_, open_, shut]]
    np.testing.assert_allclose(got[:4], want, rtol=1e-5)
    assert shut < got[4, 2] < open_ and got[4, 2] > 0.9  # a light base lost: the gate stays nearly open
