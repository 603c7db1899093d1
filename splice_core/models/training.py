"""Training Keras models on one-hot arrays ``(N, L, 4)`` with plain progress and cancel callbacks."""

import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace

import keras
import numpy as np

from splice_core.data.splits import balance_weights
from splice_core.models.architectures import OUTPUTS, build_model, efficiency_only, with_cryptic_head
from splice_core.models.metrics import regression_metrics
from splice_core.models.recipe_options import LOSSES

ProgressCallback = Callable[[dict], None]
StopCheck = Callable[[], bool]
COLLAPSE_PEARSON = 0.2  # a run whose dev Pearson is below this (or undefined) predicts next to a constant
COLLAPSE_SPREAD = 0.01  # ... and so does one whose dev predictions spread (SD) less than this
# The ``stage`` of a progress record from pair fine-tuning (training records have none).
PAIRS_STAGE = "pairs"


class TrainingCancelled(RuntimeError):
    """Raised when ``should_stop`` returned True during training; nothing is kept."""


# recipe keys renamed since, as model cards saved before then spell them: old name -> TrainConfig field
RENAMED_FIELDS = {"design_mean_labels": "construct_mean_labels"}  # 0.2.0


@dataclass
class TrainConfig:
    """One training recipe; defaults are the reference study's (Adam 1e-3, inverse-time decay 0.01, batch 64, MSE).

    ``loss`` is ``mse`` or ``bce`` (binary cross-entropy against the 0..1 efficiency: its gradient does not
    vanish when the sigmoid saturates, so runs do not collapse to a constant). With ``mixed_weighting``,
    every second seed trains unweighted while the others are rebalanced, so an ensemble mixes both. With
    ``construct_mean_labels``, training rows are labelled with their construct's mean over its barcodes (dev and
    test keep the measured values). With ``cryptic_weight`` > 0, each model also predicts the construct's
    cryptic splicing efficiency (multi-task, :func:`~splice_core.models.architectures.with_cryptic_head`: splicing at
    any site, split between the designed site and the others; the cryptic loss weighs ``cryptic_weight``
    against the efficiency's), and the cryptic output is dropped once trained: the kept model predicts
    efficiency only. With ``pair_epochs`` > 0, each kept member is then fine-tuned (:func:`tune_on_pairs`) at
    ``pair_learning_rate`` on mutant/wild-type pairs, the loss on their change weighing ``change_weight`` (each
    backed knock-out site of a natural intron weighs ``knockout_weight`` pairs). With ``gate_epochs`` > 0 (a site-aware
    CNN on bare introns), each member's site gates are then fitted for that many epochs with the member frozen
    (:mod:`~splice_core.models.gate_fitting`), on the train rows and the same backed knock-outs, a branch A's weighing
    ``branch_knockout_weight`` times as much (the other sites' gates were closed already; heavier knock-outs at every site
    cost more library accuracy for the same branch gate, ``benchmarks/study_gate_knockouts.py``). With
    ``peer_label_weight`` > 0, every training label is blended with the gradient-boosting peer's out-of-fold
    prediction of its row, the peer weighing ``peer_label_weight`` (:mod:`~splice_core.models.peer_distillation`).
    """

    architecture: str = "cnn_res1_conv"
    context: str = "windows"
    rebalance: bool = True
    epochs: int = 20
    n_seeds: int = 5
    learning_rate: float = 1e-3
    lr_decay: float = 0.01
    batch_size: int = 64
    output: str = "sigmoid"
    patience: int = 2
    min_delta: float = 0.001
    split_seed: int = 0
    first_seed: int = 0
    ensemble: bool = False
    clipnorm: float | None = None
    max_rows: int | None = None
    loss: str = "mse"
    mixed_weighting: bool = False
    construct_mean_labels: bool = False
    cryptic_weight: float = 0.0
    pair_epochs: int = 0
    pair_learning_rate: float = 1e-4
    change_weight: float = 1.0
    knockout_weight: float = 1.0
    gate_epochs: int = 0
    branch_knockout_weight: float = 1.0
    peer_label_weight: float = 0.0

    def to_dict(self) -> dict:
        """JSON-ready fields."""
        return asdict(self)


def gates_apply(config: TrainConfig) -> bool:
    """True when site gates can be fitted on the recipe's members: site-aware CNNs reading bare introns."""
    return config.architecture == "site_aware_cnn" and config.context == "intron"


def gated_where_they_apply(config: TrainConfig) -> TrainConfig:
    """``config`` with its site gates (``gate_epochs``) off where they cannot be fitted (:func:`gates_apply`)."""
    return config if gates_apply(config) else replace(config, gate_epochs=0)


@dataclass
class SeedRun:
    """One seed's trained model, per-epoch history and dev metrics."""

    seed: int
    model: keras.Model
    history: list[dict] = field(default_factory=list)
    dev: dict = field(default_factory=dict)
    rebalanced: bool = True

    @property
    def collapsed(self) -> bool:
        """True when the model predicts next to a constant on dev (see :func:`is_collapsed`); left out of an ensemble."""
        return is_collapsed(self.dev.get("pearson", np.nan))


def is_collapsed(pearson: float, spread: float = np.inf) -> bool:
    """True for dev predictions next to a constant: Pearson r undefined (a constant) or below ``COLLAPSE_PEARSON``,
    or an SD below ``COLLAPSE_SPREAD``."""
    return bool(np.isnan(pearson) or pearson < COLLAPSE_PEARSON or spread < COLLAPSE_SPREAD)


def device_name() -> str:
    """Name of the device Keras trains on: the first GPU's, else ``CPU`` (any Keras backend)."""
    backend = keras.backend.backend()
    if backend == "tensorflow":
        import tensorflow as tf

        gpus = tf.config.list_physical_devices("GPU")
        return (
            f"GPU: {tf.config.experimental.get_device_details(gpus[0]).get('device_name', gpus[0].name)}"
            if gpus
            else "CPU"
        )
    if backend == "jax":
        import jax

        return next((f"GPU: {d.device_kind}" for d in jax.devices() if d.platform == "gpu"), "CPU")
    if backend == "torch":
        import torch

        return f"GPU: {torch.cuda.get_device_name(0)}" if torch.cuda.is_available() else "CPU"
    return "CPU"


def make_optimizer(config: TrainConfig) -> keras.optimizers.Optimizer:
    """Adam (β1 0.9, β2 0.999) with the reference study's per-step inverse-time learning-rate decay, optional clipping."""
    rate = config.learning_rate
    if config.lr_decay:
        rate = keras.optimizers.schedules.InverseTimeDecay(
            config.learning_rate, decay_steps=1, decay_rate=config.lr_decay
        )
    return keras.optimizers.Adam(learning_rate=rate, beta_1=0.9, beta_2=0.999, clipnorm=config.clipnorm)


class _Progress(keras.callbacks.Callback):
    """Forwards epoch ends to ``on_epoch_end`` and stops at the next batch once ``should_stop`` says so."""

    def __init__(
        self, seed: int, seed_index: int, config: TrainConfig, on_epoch_end, should_stop, history: list
    ):
        super().__init__()
        self.seed, self.seed_index, self.config = seed, seed_index, config
        self.on_epoch, self.should_stop, self.history = on_epoch_end, should_stop, history
        self.start = time.monotonic()
        self.cancelled = False

    def on_train_batch_end(self, batch, logs=None):
        if self.should_stop is not None and self.should_stop():
            self.cancelled = True
            self.model.stop_training = True

    def on_epoch_end(self, epoch, logs=None):
        if self.cancelled:
            return
        record = {
            "seed": self.seed,
            "seed_index": self.seed_index,
            "n_seeds": self.config.n_seeds,
            "epoch": epoch + 1,
            "epochs": self.config.epochs,
            "loss": float(logs["loss"]),
            "val_loss": float(logs.get("val_loss", np.nan)),
            "seconds": time.monotonic() - self.start,
        }
        self.history.append(record)
        if self.on_epoch is not None:
            self.on_epoch(record)


def loss_weights(y: np.ndarray, rebalance: bool) -> np.ndarray:
    """Per-sample loss weights ``(N,)``: :func:`balance_weights` when rebalancing, else ones."""
    return balance_weights(y) if rebalance else np.ones(len(y), np.float32)


def seed_rebalances(config: TrainConfig, seed_index: int) -> bool:
    """Whether the ``seed_index``-th seed trains rebalanced: every seed, or every other one with ``mixed_weighting``."""
    return config.rebalance and not (config.mixed_weighting and seed_index % 2 == 1)


def compile_model(model: keras.Model, config: TrainConfig) -> None:
    """Compile with the recipe's optimizer and loss (per output, the cryptic head's weighted by ``cryptic_weight``).

    ``bce`` needs the bounded sigmoid output.
    """
    if config.loss not in LOSSES:
        raise ValueError(f"unknown loss {config.loss!r}; choose one of {', '.join(LOSSES)}")
    if config.loss == "bce" and config.output != OUTPUTS[0]:
        raise ValueError("the bce loss needs the sigmoid output (efficiency in 0..1)")
    if len(model.outputs) == 1:
        model.compile(optimizer=make_optimizer(config), loss=LOSSES[config.loss])
    else:
        model.compile(
            optimizer=make_optimizer(config),
            loss=[LOSSES[config.loss]] * 2,
            loss_weights=[1.0, config.cryptic_weight],
        )


def training_model(config: TrainConfig, input_length: int) -> keras.Model:
    """The uncompiled model a seed trains: the architecture, plus the cryptic head when ``cryptic_weight`` > 0."""
    if config.cryptic_weight < 0:
        raise ValueError(f"cryptic_weight must be 0 (off) or positive, not {config.cryptic_weight}")
    if config.cryptic_weight > 0 and config.output != OUTPUTS[0]:
        raise ValueError("the cryptic head needs the sigmoid output (the designed site's share of splicing)")
    model = build_model(config.architecture, input_length, config.output)
    return with_cryptic_head(model) if config.cryptic_weight > 0 else model


def train_one_seed(
    x_train: np.ndarray,
    y_train: np.ndarray,
    x_dev: np.ndarray,
    y_dev: np.ndarray,
    config: TrainConfig,
    seed: int,
    seed_index: int = 0,
    on_epoch_end: ProgressCallback | None = None,
    should_stop: StopCheck | None = None,
    cryptic: tuple[np.ndarray, np.ndarray] | None = None,
) -> SeedRun:
    """Train one model from ``(N, L, 4)`` arrays; early stopping on dev loss restores the best weights.

    When the seed rebalances (:func:`seed_rebalances`), training and dev losses weigh [0, 0.1) and [0.1, 1] equally.
    ``cryptic`` holds the (train, dev) cryptic splicing targets ``(N,)`` that ``cryptic_weight`` > 0 needs.
    """
    if (config.cryptic_weight > 0) != (cryptic is not None):
        raise ValueError("cryptic targets are needed exactly when cryptic_weight > 0")
    keras.utils.set_random_seed(seed)
    model = training_model(config, x_train.shape[1])
    compile_model(model, config)
    rebalance = seed_rebalances(config, seed_index)
    history: list[dict] = []
    progress = _Progress(seed, seed_index, config, on_epoch_end, should_stop, history)
    stopper = keras.callbacks.EarlyStopping(
        monitor="val_loss", min_delta=config.min_delta, patience=config.patience, restore_best_weights=True
    )
    targets, dev_targets = (
        (y_train, y_dev) if cryptic is None else ((y_train, cryptic[0]), (y_dev, cryptic[1]))
    )
    model.fit(
        x_train,
        targets,
        sample_weight=loss_weights(y_train, rebalance),
        validation_data=(x_dev, dev_targets, loss_weights(y_dev, rebalance)),
        batch_size=config.batch_size,
        epochs=config.epochs,
        shuffle=True,
        callbacks=[progress, stopper],
        verbose=0,
    )
    if progress.cancelled:
        raise TrainingCancelled("training cancelled")
    model = efficiency_only(model) if cryptic is not None else model
    dev_pred = model.predict(x_dev, batch_size=1024, verbose=0)[:, 0]
    return SeedRun(
        seed=seed, model=model, history=history, dev=regression_metrics(y_dev, dev_pred), rebalanced=rebalance
    )


def train_seeds(
    x_train: np.ndarray,
    y_train: np.ndarray,
    x_dev: np.ndarray,
    y_dev: np.ndarray,
    config: TrainConfig,
    on_epoch_end: ProgressCallback | None = None,
    should_stop: StopCheck | None = None,
    cryptic: tuple[np.ndarray, np.ndarray] | None = None,
) -> list[SeedRun]:
    """One :class:`SeedRun` per seed ``first_seed .. first_seed + n_seeds - 1``, best first.

    Best is the lowest dev balanced MSE when training is rebalanced, else the lowest dev MSE. ``cryptic``: see
    :func:`train_one_seed`.
    """
    runs = [
        train_one_seed(
            x_train,
            y_train,
            x_dev,
            y_dev,
            config,
            config.first_seed + i,
            i,
            on_epoch_end,
            should_stop,
            cryptic,
        )
        for i in range(config.n_seeds)
    ]
    key = "balanced_mse" if config.rebalance else "mse"
    return sorted(runs, key=lambda r: r.dev[key])


def stack_members(models: list[keras.Model]) -> keras.Model:
    """One model whose output ``(N, K)`` holds each of the K members' predictions."""
    inputs = keras.Input(models[0].input_shape[1:])
    for i, member in enumerate(models):
        member.name = f"member_{i}"
    outputs = [m(inputs) for m in models]
    stacked = outputs[0] if len(outputs) == 1 else keras.layers.Concatenate(name="members")(outputs)
    return keras.Model(inputs, stacked, name="ensemble")


@dataclass
class PairArrays:
    """Training pairs: mutant and wild-type inputs ``(P, L, 4)``, their labels ``(P,)`` and per-pair loss weights."""

    mutant: np.ndarray
    wild_type: np.ndarray
    mutant_y: np.ndarray
    wild_type_y: np.ndarray
    weight: np.ndarray


def pair_model(member: keras.Model) -> keras.Model:
    """``[mutant, wild type] -> [mutant, wild type, mutant − wild type]`` of one member, sharing its weights."""
    mutant, wild_type = keras.Input(member.input_shape[1:]), keras.Input(member.input_shape[1:])
    a, b = member(mutant), member(wild_type)
    return keras.Model([mutant, wild_type], [a, b, keras.layers.Subtract()([a, b])])


def tune_on_pairs(
    member: keras.Model,
    rows: tuple[np.ndarray, np.ndarray],
    pairs: PairArrays,
    config: TrainConfig,
    seed: int,
    rebalance: bool,
    on_epoch_end: ProgressCallback | None = None,
    seed_index: int = 0,
    n_members: int = 1,
) -> keras.Model:
    """Fine-tune a trained efficiency model in place: each of ``pair_epochs`` rounds is one epoch on the library
    ``rows`` (x ``(N, L, 4)``, y ``(N,)``; cross-entropy, rebalanced when ``rebalance``), then one on ``pairs``
    (cross-entropy on both values plus ``change_weight`` × the squared error of their difference). Progress records
    are :func:`train_one_seed`'s, with ``stage`` ``pairs`` and the pair epoch's ``pair_loss``."""
    keras.utils.set_random_seed(seed)

    def optimizer():
        return keras.optimizers.Adam(config.pair_learning_rate, clipnorm=config.clipnorm)

    member.compile(optimizer=optimizer(), loss=LOSSES["bce"])
    paired = pair_model(member)
    paired.compile(
        optimizer=optimizer(),
        loss=[LOSSES["bce"], LOSSES["bce"], "mse"],
        loss_weights=[1.0, 1.0, config.change_weight],
    )
    x, y = rows
    change = pairs.mutant_y - pairs.wild_type_y
    start = time.monotonic()
    for epoch in range(config.pair_epochs):
        fitted = member.fit(
            x,
            y,
            sample_weight=loss_weights(y, rebalance),
            batch_size=config.batch_size,
            epochs=1,
            shuffle=True,
            verbose=0,
        )
        tuned = paired.fit(
            [pairs.mutant, pairs.wild_type],
            [pairs.mutant_y, pairs.wild_type_y, change],
            sample_weight=pairs.weight,
            batch_size=config.batch_size,
            epochs=1,
            shuffle=True,
            verbose=0,
        )
        if on_epoch_end is not None:
            on_epoch_end(
                {
                    "seed": seed,
                    "seed_index": seed_index,
                    "n_seeds": n_members,
                    "epoch": epoch + 1,
                    "epochs": config.pair_epochs,
                    "loss": float(fitted.history["loss"][-1]),
                    "val_loss": float("nan"),
                    "pair_loss": float(tuned.history["loss"][-1]),
                    "seconds": time.monotonic() - start,
                    "stage": PAIRS_STAGE,
                }
            )
    return member
