"""Tests for splice_core.models.training: one-epoch runs, progress/cancel callbacks, early stopping, determinism."""

import numpy as np
import pytest

from splice_core.data.contexts import context_length
from splice_core.data.published import STUDY_TABLE1
from splice_core.models.training import (
    COLLAPSE_PEARSON,
    SeedRun,
    TrainConfig,
    TrainingCancelled,
    device_name,
    gated_where_they_apply,
    seed_rebalances,
    stack_members,
    train_one_seed,
    train_seeds,
)

pytestmark = pytest.mark.slow  # see pytest.ini: the quick tier leaves these out

RECORD_KEYS = {"seed", "seed_index", "n_seeds", "epoch", "epochs", "loss", "val_loss", "seconds"}
SHORT_LENGTHS = {
    "full": 160
}  # the BiLSTM reads the 1,615-nt transcript; a shorter input keeps the test quick


def sample(n: int, length: int, seed: int = 0, y: float | None = None) -> tuple[np.ndarray, np.ndarray]:
    """``n`` random one-hot sequences and efficiencies (uniform, or all ``y``)."""
    rng = np.random.default_rng(seed)
    x = np.eye(4, dtype=np.float32)[rng.integers(0, 4, (n, length))]
    targets = rng.uniform(0, 1, n) if y is None else np.full(n, y)
    return x, targets.astype(np.float32)


def dev_bce(run, x_dev: np.ndarray, y_dev: np.ndarray) -> float:
    """Binary cross-entropy of a run's efficiency on dev, by hand (predictions clipped like Keras's)."""
    pred = np.clip(np.asarray(run.model(x_dev, training=False))[:, 0], 1e-7, 1 - 1e-7)
    return float(-np.mean(y_dev * np.log(pred) + (1 - y_dev) * np.log(1 - pred)))


def config(**changes) -> TrainConfig:
    """A one-epoch, one-seed recipe on tiny batches."""
    return TrainConfig(**{"architecture": "cnn_res1", "epochs": 1, "n_seeds": 1, "batch_size": 16, **changes})


@pytest.mark.parametrize(("architecture", "context"), [(a, c) for a, c, _ in STUDY_TABLE1])
def test_every_study_architecture_trains_one_epoch(architecture, context):
    length = SHORT_LENGTHS.get(context, context_length(context))
    x, y = sample(32, length)
    x_dev, y_dev = sample(16, length, seed=1)
    records = []
    runs = train_seeds(
        x, y, x_dev, y_dev, config(architecture=architecture, context=context), on_epoch_end=records.append
    )
    assert len(runs) == 1
    run = runs[0]
    assert run.model.output_shape == (None, 1)
    assert len(run.history) == 1 and records == run.history
    assert np.isfinite(run.history[0]["loss"]) and np.isfinite(run.history[0]["val_loss"])
    assert run.dev["n"] == 16 and np.isfinite(run.dev["mse"])


def test_on_epoch_end_records_and_stacked_members():
    x, y = sample(32, 120)
    x_dev, y_dev = sample(16, 120, seed=1)
    records = []
    runs = train_seeds(
        x, y, x_dev, y_dev, config(epochs=2, n_seeds=2, first_seed=5, patience=5), on_epoch_end=records.append
    )
    assert len(records) == 4
    for record in records:
        assert set(record) == RECORD_KEYS
    assert [(r["seed"], r["seed_index"], r["epoch"]) for r in records] == [
        (5, 0, 1),
        (5, 0, 2),
        (6, 1, 1),
        (6, 1, 2),
    ]
    assert all(r["n_seeds"] == 2 and r["epochs"] == 2 and r["seconds"] >= 0 for r in records)
    assert records[1]["seconds"] >= records[0]["seconds"]
    assert [run.dev["balanced_mse"] for run in runs] == sorted(
        run.dev["balanced_mse"] for run in runs
    )  # rebalanced
    assert {run.seed for run in runs} == {5, 6}
    stacked = stack_members([r.model for r in runs])
    out = np.asarray(stacked(x_dev, training=False))
    assert out.shape == (16, 2)
    members = [np.asarray(run.model(x_dev, training=False))[:, 0] for run in runs]
    for k, member in enumerate(members):
        np.testing.assert_allclose(out[:, k], member, rtol=1e-5, atol=1e-6)
    assert not np.allclose(members[0], members[1]), "different seeds gave the same model"


def test_should_stop_cancels():
    x, y = sample(64, 120)
    x_dev, y_dev = sample(16, 120, seed=1)
    calls, records = [], []

    def should_stop() -> bool:
        calls.append(1)
        return len(calls) >= 2

    with pytest.raises(TrainingCancelled):
        train_seeds(
            x,
            y,
            x_dev,
            y_dev,
            config(epochs=3, n_seeds=2),
            on_epoch_end=records.append,
            should_stop=should_stop,
        )
    assert len(calls) == 2  # checked after every batch, stopped at the second
    assert records == []  # the cancelled epoch is not reported


def test_early_stopping_restores_the_best_weights():
    # train targets are all 1, dev targets all 0: every epoch moves predictions away from dev
    x, y = sample(64, 120, y=1.0)
    x_dev, y_dev = sample(32, 120, seed=1, y=0.0)
    run = train_one_seed(
        x, y, x_dev, y_dev, config(epochs=6, patience=1, learning_rate=1e-2, rebalance=False), seed=0
    )
    val = [r["val_loss"] for r in run.history]
    assert len(val) == 2, "patience 1 stops after the first epoch without improvement"
    assert val[1] > val[0]
    assert run.dev["mse"] == pytest.approx(val[0], rel=1e-4)


def test_same_seed_same_result():
    x, y = sample(32, 120)
    x_dev, y_dev = sample(16, 120, seed=1)
    first, again = (train_one_seed(x, y, x_dev, y_dev, config(), seed=3) for _ in range(2))
    np.testing.assert_allclose(
        np.asarray(first.model(x_dev, training=False)),
        np.asarray(again.model(x_dev, training=False)),
        rtol=1e-6,
        atol=1e-7,
    )
    assert first.history[0]["loss"] == pytest.approx(again.history[0]["loss"], rel=1e-6)
    assert first.dev == pytest.approx(again.dev, rel=1e-6)


def test_device_name():
    name = device_name()
    assert name == "CPU" or name.startswith("GPU: ")


def test_config_to_dict():
    assert config(epochs=3).to_dict()["epochs"] == 3
    assert set(TrainConfig().to_dict()) >= {
        "architecture",
        "context",
        "rebalance",
        "epochs",
        "n_seeds",
        "ensemble",
        "max_rows",
    }


def test_mixed_weighting_alternates_rebalanced_and_unweighted_seeds():
    mixed = config(mixed_weighting=True)
    assert [seed_rebalances(mixed, i) for i in range(4)] == [True, False, True, False]
    assert [seed_rebalances(config(), i) for i in range(2)] == [True, True]
    assert [seed_rebalances(config(rebalance=False, mixed_weighting=True), i) for i in range(2)] == [
        False,
        False,
    ]
    # the dev loss of an unweighted seed is the plain mean: targets 0.05 (low) and 0.9 (high), 3 to 1
    x, y = sample(16, 120)
    x_dev = sample(4, 120, seed=1)[0]
    y_dev = np.array([0.05, 0.05, 0.05, 0.9], np.float32)
    runs = [
        train_one_seed(x, y, x_dev, y_dev, config(mixed_weighting=True), seed=0, seed_index=i) for i in (0, 1)
    ]
    assert [run.rebalanced for run in runs] == [True, False]
    for run in runs:
        pred = np.asarray(run.model(x_dev, training=False))[:, 0]
        err = (pred - y_dev) ** 2
        want = 0.5 * err[:3].mean() + 0.5 * err[3] if run.rebalanced else err.mean()
        assert run.history[0]["val_loss"] == pytest.approx(want, rel=1e-3)


def test_bce_loss_is_binary_cross_entropy_and_needs_the_sigmoid_output():
    x, y = sample(16, 120)
    x_dev = sample(4, 120, seed=1)[0]
    y_dev = np.array([0.0, 0.25, 0.5, 1.0], np.float32)
    run = train_one_seed(x, y, x_dev, y_dev, config(loss="bce", rebalance=False), seed=0)
    assert run.history[0]["val_loss"] == pytest.approx(dev_bce(run, x_dev, y_dev), rel=1e-3)
    with pytest.raises(ValueError, match="sigmoid"):
        train_one_seed(x, y, x_dev, y_dev, config(loss="bce", output="relu"), seed=0)
    with pytest.raises(ValueError, match="unknown loss"):
        train_one_seed(x, y, x_dev, y_dev, config(loss="huber"), seed=0)


def test_a_run_that_predicts_next_to_a_constant_counts_as_collapsed():
    def run_with(pearson: float) -> SeedRun:
        return SeedRun(seed=0, model=None, dev={"pearson": pearson})

    assert run_with(float("nan")).collapsed
    assert run_with(COLLAPSE_PEARSON / 2).collapsed
    assert not run_with(0.7).collapsed


def test_cryptic_head_adds_its_weighted_loss_and_is_dropped_after_training():
    x, y = sample(16, 120)
    x_dev, y_dev = sample(4, 120, seed=1)
    cryptic = (np.full(16, 0.5, np.float32), np.full(4, 0.5, np.float32))  # BCE against 0.5 is at least ln 2
    recipe = config(loss="bce", rebalance=False, cryptic_weight=0.5)
    run = train_one_seed(x, y, x_dev, y_dev, recipe, seed=0, cryptic=cryptic)
    assert run.model.output_shape == (None, 1) and "cryptic" not in [layer.name for layer in run.model.layers]
    extra = run.history[0]["val_loss"] - dev_bce(run, x_dev, y_dev)
    assert 0.5 * np.log(2) - 1e-3 <= extra < 0.5 * 2.0


@pytest.mark.parametrize(
    ("weight", "with_targets", "output", "message"),
    [
        (0.5, False, "sigmoid", "cryptic targets"),
        (0.0, True, "sigmoid", "cryptic targets"),
        (-1.0, True, "sigmoid", "cryptic_weight"),
        (0.5, True, "relu", "sigmoid output"),
    ],
)
def test_cryptic_head_needs_targets_exactly_when_weighted_and_the_sigmoid_output(
    weight, with_targets, output, message
):
    x, y = sample(8, 120)
    cryptic = (np.zeros(8, np.float32), np.zeros(8, np.float32)) if with_targets else None
    with pytest.raises(ValueError, match=message):
        train_one_seed(x, y, x, y, config(cryptic_weight=weight, output=output), seed=0, cryptic=cryptic)


def test_pair_model_returns_both_values_and_their_difference_from_shared_weights():
    from toy_model import linear_model, toy_weights

    from splice_core.models.training import pair_model
    from splice_core.seq.encoding import strings_to_one_hot

    member = linear_model(toy_weights(12, members=1), np.array([0.25]))
    paired = pair_model(member)
    a, b = strings_to_one_hot(["GTAAGTACTAAC"], 12), strings_to_one_hot(["ATAAGTACTAAC"], 12)
    mutant, wild, change = (np.asarray(v) for v in paired.predict([a, b], verbose=0))
    assert (
        mutant == member.predict(a, verbose=0)
        and wild == member.predict(b, verbose=0)
        and change == mutant - wild
    )
    assert len(paired.trainable_weights) == len(member.trainable_weights)  # one network, not two


def test_site_gates_stay_on_where_they_apply_and_go_off_elsewhere():
    gated = TrainConfig(architecture="site_aware_cnn", context="intron", gate_epochs=40)
    assert gated_where_they_apply(gated) == gated
    for architecture, context in (("cnn_res1_conv", "intron"), ("site_aware_cnn", "windows")):
        other = TrainConfig(architecture=architecture, context=context, gate_epochs=40)
        assert gated_where_they_apply(other) == TrainConfig(architecture=architecture, context=context)
