"""One training run end to end: data, split, arrays, seeds, evaluation and the model card."""

import platform
import time
from dataclasses import dataclass
from functools import cached_property
from importlib.metadata import PackageNotFoundError, version

import keras
import numpy as np
import pandas as pd

from splice_core.analysis.variant_effects import (
    BRANCH_SITE,
    KNOCKOUT_SOURCE,
    PredictIntrons,
    library_pairs,
    training_pairs,
    variant_card,
)
from splice_core.data.contexts import library_to_constructs, library_to_one_hot
from splice_core.data.library import (
    HISTOGRAM_BINS,
    DataFileError,
    Reporter,
    read_library,
    read_reporter,
    read_wildtype,
    usable_rows,
)
from splice_core.data.noise_floor import noise_by_type, replicate_rows
from splice_core.data.pwm import PWMBaseline, fit_pwm_baseline
from splice_core.data.splits import PARTS, construct_mean_labels, split_constructs, split_to_barcodes
from splice_core.models.architectures import is_site_gated
from splice_core.models.evaluation import (
    metrics_by_part,
    per_library_table,
    replicate_agreement,
    table_to_records,
)
from splice_core.models.features import intron_features
from splice_core.models.gate_fitting import fit_site_gates, plain_copy
from splice_core.models.peer_distillation import blended_labels, out_of_fold_peer
from splice_core.models.training import (
    PairArrays,
    ProgressCallback,
    StopCheck,
    TrainConfig,
    device_name,
    gates_apply,
    is_collapsed,
    loss_weights,
    stack_members,
    train_seeds,
    tune_on_pairs,
)
from splice_core.seq.encoding import strings_to_one_hot

PACKAGES = ("tensorflow", "keras", "numpy", "pandas", "scikit-learn", "lightgbm")
CRYPTIC_COLUMN = "cryptic_splicing_eff"


@dataclass
class PreparedData:
    """Usable library rows, their split part, the reporter and the fitted PWM baseline."""

    frame: pd.DataFrame
    parts: pd.Series
    reporter: Reporter | None
    baseline: PWMBaseline

    @property
    def pwms(self) -> dict[str, np.ndarray]:
        """The PWM baseline's site PWMs (the peers' site features use them)."""
        return {k: np.asarray(v) for k, v in self.baseline.pwms.items()}

    @cached_property
    def peer_features(self) -> tuple[pd.DataFrame, dict[str, np.ndarray]]:
        """The peer's features of every row (:func:`~splice_core.models.features.intron_features`) and the PWMs its
        site features use (:attr:`pwms`): computed once (RNA folding takes minutes on the library)."""
        return intron_features(self.frame["intron_seq"].tolist(), self.pwms), self.pwms


def sample_constructs(frame: pd.DataFrame, max_rows: int, seed: int = 0) -> pd.DataFrame:
    """About ``max_rows`` rows made of whole constructs, sampled within library types (for quick runs)."""
    constructs = frame["construct"].unique()
    keep = set(
        np.random.default_rng(seed).permutation(constructs)[
            : max(1, int(len(constructs) * max_rows / len(frame)))
        ]
    )
    return frame[frame["construct"].isin(keep)].reset_index(drop=True)


def prepare_data(data_dir=None, split_seed: int = 0, max_rows: int | None = None) -> PreparedData:
    """Read the data directory, keep usable rows, split by construct and fit the PWM baseline on train."""
    frame = read_library(data_dir)
    attrs = dict(frame.attrs)
    frame = usable_rows(frame)
    if max_rows is not None and max_rows < len(frame):
        frame = sample_constructs(frame, max_rows, split_seed)
    frame.attrs.update(attrs)
    parts = split_constructs(frame, seed=split_seed)
    try:
        reporter = read_reporter(data_dir)
    except DataFileError:
        reporter = None
    train_y = frame.loc[parts == "train", "splicing_eff"].to_numpy()
    return PreparedData(frame, parts, reporter, fit_pwm_baseline(read_wildtype(data_dir), train_y))


def part_arrays(data: PreparedData, x: np.ndarray) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """``{part: (x (N, L, 4), y (N,))}`` for train, dev and test, from ``x`` of every usable row."""
    y = data.frame["splicing_eff"].to_numpy(np.float32)
    return {p: (x[(data.parts == p).to_numpy()], y[(data.parts == p).to_numpy()]) for p in PARTS}


def cryptic_targets(data: PreparedData, construct_means: bool) -> tuple[np.ndarray, np.ndarray]:
    """(train, dev) cryptic splicing efficiencies ``(N,)``, missing ones 0; train holds construct means when ``construct_means``."""
    if CRYPTIC_COLUMN not in data.frame:
        raise DataFileError(f"the library has no {CRYPTIC_COLUMN} column, which the cryptic head trains on")
    measured = data.frame[CRYPTIC_COLUMN].to_numpy(np.float32)
    train_values = construct_mean_labels(data.frame, CRYPTIC_COLUMN) if construct_means else measured
    return np.nan_to_num(train_values[(data.parts == "train").to_numpy()]), np.nan_to_num(
        measured[(data.parts == "dev").to_numpy()]
    )


def package_versions() -> dict[str, str]:
    """Versions of the installed packages a result depends on, plus Python's and the Keras backend."""
    found = {}
    for name in PACKAGES:
        try:
            found[name] = version(name)
        except PackageNotFoundError:
            continue
    return {"python": platform.python_version(), "keras_backend": keras.backend.backend(), **found}


def efficiency_histograms(types: pd.Series, values: np.ndarray) -> dict[str, list[int]]:
    """Counts of ``values`` in 20 bins over [0, 1], overall and per library type (aggregates only)."""
    out = {"all": np.histogram(np.clip(values, 0, 1), HISTOGRAM_BINS)[0].tolist()}
    for t in sorted(types.unique()):
        out[str(t)] = np.histogram(np.clip(values[(types == t).to_numpy()], 0, 1), HISTOGRAM_BINS)[0].tolist()
    return out


def evaluation_card(data: PreparedData, pred: np.ndarray) -> dict:
    """Metrics of ``pred`` (one per usable row) and of the PWM baseline, overall and per library on test."""
    baseline = data.baseline.predict(library_to_constructs(data.frame))
    test = (data.parts == "test").to_numpy()
    return {
        "metrics": metrics_by_part(data.frame, data.parts, pred),
        "per_library_test": table_to_records(per_library_table(data.frame, data.parts, pred)),
        "replicates": replicate_agreement(data.frame, data.parts, pred),
        "baseline_metrics": metrics_by_part(data.frame, data.parts, baseline),
        "baseline_per_library_test": table_to_records(per_library_table(data.frame, data.parts, baseline)),
        "test_scatter_counts": np.histogram2d(
            np.clip(data.frame["splicing_eff"].to_numpy()[test], 0, 1),
            np.clip(np.asarray(pred)[test], 0, 1),
            [HISTOGRAM_BINS, HISTOGRAM_BINS],
        )[0]
        .astype(int)
        .tolist(),
        "histograms": {
            "bins": HISTOGRAM_BINS.tolist(),
            "measured": efficiency_histograms(data.frame["type"], data.frame["splicing_eff"].to_numpy()),
            "predicted": efficiency_histograms(data.frame["type"], np.asarray(pred)),
        },
    }


def train_pairs(data: PreparedData, config: TrainConfig) -> pd.DataFrame:
    """The train part's mutant/wild-type pairs (:func:`~splice_core.analysis.variant_effects.training_pairs`), its
    natural introns' backed knock-outs weighted as ``config`` says."""
    return training_pairs(data.frame, data.parts, knockout_weight=config.knockout_weight)


def pair_arrays(pairs: pd.DataFrame, length: int) -> PairArrays:
    """:func:`train_pairs` as one-hot arrays of ``length``."""

    def one_hot(column):
        return strings_to_one_hot(pairs[column].tolist(), length)

    return PairArrays(
        one_hot("mutant"),
        one_hot("wild_type"),
        *(pairs[c].to_numpy(np.float32) for c in ("mutant_y", "wild_type_y", "weight")),
    )


def intron_predict(model: keras.Model, length: int):
    """``predict(introns) -> (N, K)`` of an intron-context model, for :mod:`~splice_core.analysis.variant_effects`."""
    return lambda introns: np.asarray(
        model.predict(strings_to_one_hot(list(introns), length), batch_size=1024, verbose=0)
    ).reshape(len(introns), -1)


def predictor_variant_figures(predict: PredictIntrons, data: PreparedData) -> dict:
    """The variant-effect card (:func:`~splice_core.analysis.variant_effects.variant_card`) of ``predict(introns)`` on the
    data's split."""
    pairs = library_pairs(data.frame, data.parts)
    return variant_card(
        predict, data.frame, data.parts, pairs, noise_by_type(data.frame, replicate_rows(data.frame))
    )


def variant_figures(model: keras.Model, data: PreparedData, length: int) -> dict:
    """The model's variant-effect card on the data's split (:func:`predictor_variant_figures`)."""
    return predictor_variant_figures(intron_predict(model, length), data)


def base_members(base: keras.Model, base_card: dict) -> tuple[list[keras.Model], list[dict]]:
    """The members of a saved ensemble, and its card's seed records (in member order first, then the others)."""
    members = [layer for layer in base.layers if layer.name.startswith("member_")] or [base]
    return members, base_card["seeds"]


def collapse_of(dev_predictions: np.ndarray, dev_pearson: float) -> dict | None:
    """The card's ``collapsed`` entry: dev Pearson and SD when the model predicts next to a constant on dev, else None."""
    spread = float(np.std(dev_predictions)) if len(dev_predictions) else 0.0
    if not is_collapsed(float(dev_pearson), spread):
        return None
    return {"dev_pearson": float(dev_pearson), "dev_sd": spread}


def train_rows(data: PreparedData, x: np.ndarray, config: TrainConfig) -> tuple[np.ndarray, np.ndarray]:
    """The train part's inputs ``(N, L, 4)`` and labels ``(N,)``: construct means when ``construct_mean_labels``,
    blended with :func:`peer_labels` when ``peer_label_weight`` > 0."""
    train = (data.parts == "train").to_numpy()
    y = data.frame["splicing_eff"].to_numpy(np.float32)
    labels = (construct_mean_labels(data.frame) if config.construct_mean_labels else y)[train]
    if config.peer_label_weight > 0:
        labels = blended_labels(labels, peer_labels(data), config.peer_label_weight)
    return x[train], labels


def peer_labels(data: PreparedData) -> np.ndarray:
    """The gradient-boosting peer's out-of-fold prediction ``(n_train,)`` of every train row
    (:func:`~splice_core.models.peer_distillation.out_of_fold_peer`, folds grouped by construct)."""
    return out_of_fold_peer(
        data.peer_features[0],
        data.frame["splicing_eff"].to_numpy(),
        data.parts.to_numpy(),
        data.frame["construct"].to_numpy(),
    )


def knockout_pairs(pairs: pd.DataFrame) -> pd.DataFrame:
    """The backed knock-outs of natural introns among :func:`train_pairs`."""
    return pairs[pairs["source"] == KNOCKOUT_SOURCE]


def knockout_mutants(data: PreparedData, config: TrainConfig) -> pd.DataFrame:
    """The train part's natural introns' backed knock-outs (:func:`knockout_pairs` of :func:`train_pairs`), one row per
    distinct mutant."""
    return knockout_pairs(train_pairs(data, config)).drop_duplicates("mutant")


def knockout_rows(pairs: pd.DataFrame, length: int, branch_knockout_weight: float) -> tuple[np.ndarray, ...]:
    """The backed knock-outs of natural introns among :func:`train_pairs`, as the site gates' fit reads them: mutant
    one-hot ``(P, L, 4)``, label and weight ``(P,)``, a branch A knock-out's weight times ``branch_knockout_weight``."""
    knocked = knockout_pairs(pairs)
    branch = (knocked["site"] == BRANCH_SITE[0]).to_numpy()
    return (
        strings_to_one_hot(knocked["mutant"].tolist(), length),
        knocked["mutant_y"].to_numpy(np.float32),
        (knocked["weight"].to_numpy(np.float32) * np.where(branch, branch_knockout_weight, 1.0)).astype(
            np.float32
        ),
    )


def check_gates_apply(config: TrainConfig) -> None:
    """Raise ValueError when ``gate_epochs`` is set on what site gates cannot be fitted to."""
    if config.gate_epochs > 0 and not gates_apply(config):
        raise ValueError(
            "site gates are fitted on site-aware CNN members reading bare introns (the intron context)"
        )


def gated_members(
    models: list[keras.Model],
    seeds: list[dict],
    train: tuple[np.ndarray, np.ndarray],
    knocked: tuple[np.ndarray, ...],
    config: TrainConfig,
) -> list[keras.Model]:
    """Each member with its site gates fitted (:func:`~splice_core.models.gate_fitting.fit_site_gates`) on the train
    rows (:func:`train_rows`, weighted as its seed trained) and the backed knock-outs (:func:`knockout_rows`);
    ``seeds``: the members' seed records, in order."""
    (rows_x, rows_y), (knocked_x, knocked_y, knocked_w) = train, knocked
    fit_x, fit_y = np.concatenate([rows_x, knocked_x]), np.concatenate([rows_y, knocked_y])
    return [
        fit_site_gates(
            member,
            fit_x,
            fit_y,
            np.concatenate([loss_weights(rows_y, seed["rebalanced"]), knocked_w]),
            config.gate_epochs,
            seed["seed"],
        )
        for member, seed in zip(models, seeds, strict=True)
    ]


def member_predictions(model: keras.Model, x: np.ndarray) -> np.ndarray:
    """Every member's prediction ``(N, K)`` of an ensemble on one-hot ``x`` ``(N, L, 4)``."""
    return np.asarray(model.predict(x, batch_size=1024, verbose=0)).reshape(len(x), -1)


def ensemble_figures(
    model: keras.Model, data: PreparedData, x: np.ndarray, members: np.ndarray, context: str
) -> dict:
    """An ensemble's figures for its card from its inputs ``x`` in ``context`` and its :func:`member_predictions`
    ``members`` on them: each member's test metrics, :func:`evaluation_card` of the members' mean and (bare introns)
    the variant-effect card."""
    out = {
        "members_test": [
            metrics_by_part(data.frame, data.parts, members[:, k])["test"] for k in range(members.shape[1])
        ],
        **evaluation_card(data, members.mean(1)),
    }
    if context == "intron":
        out["variant_effects"] = variant_figures(model, data, x.shape[1])
    return out


def stage_figures(models: list[keras.Model], data: PreparedData, x: np.ndarray) -> dict:
    """The metrics and variant effects of the ensemble of ``models`` as they are, before a later step changes them."""
    stacked = stack_members(models)
    pred = member_predictions(stacked, x).mean(1)
    return {
        "metrics": metrics_by_part(data.frame, data.parts, pred),
        "variant_effects": variant_figures(stacked, data, x.shape[1]),
    }


def with_site_gates(
    model: keras.Model, card: dict, data: PreparedData, config: TrainConfig
) -> tuple[keras.Model, dict]:
    """A trained ensemble (and its card) with each member's site gates fitted (:func:`gated_members`; members that
    have gates have them fitted again, from their plain copy): the card's figures are redone, those before the gates
    kept under ``before_site_gates``."""
    check_gates_apply(config)
    x = library_to_one_hot(data.frame, "intron", data.reporter)
    members, seeds = base_members(model, card)
    members = [plain_copy(m) if is_site_gated(m) else m for m in members]
    knocked = knockout_rows(train_pairs(data, config), x.shape[1], config.branch_knockout_weight)
    seeds = [s for s in seeds if s.get("in_model", True)]
    models = gated_members(members, seeds, train_rows(data, x, config), knocked, config)
    gated = stack_members(models)
    return gated, {
        **card,
        "config": {
            **card["config"],
            "gate_epochs": config.gate_epochs,
            "knockout_weight": config.knockout_weight,
            "branch_knockout_weight": config.branch_knockout_weight,
        },
        "parameters": int(models[0].count_params()),
        "before_site_gates": card.get("before_site_gates")
        or {"metrics": card["metrics"], "variant_effects": card.get("variant_effects", {})},
        **ensemble_figures(gated, data, x, member_predictions(gated, x), "intron"),
    }


def run_training(
    config: TrainConfig,
    data_dir=None,
    on_epoch_end: ProgressCallback | None = None,
    should_stop: StopCheck | None = None,
    data: PreparedData | None = None,
    base: tuple[keras.Model, dict] | None = None,
) -> tuple[keras.Model, dict]:
    """Train ``config`` on the data directory; the model outputs ``(N, K)`` (K = 1, or n_seeds if ensemble).

    ``base`` (a saved ensemble and its card, trained with ``config`` on the same split) replaces the seeds' training:
    only the pair fine-tuning (``pair_epochs`` > 0) and the site gates (``gate_epochs`` > 0) run, from its members'
    weights.
    """
    start = time.monotonic()
    if config.pair_epochs > 0 and config.context != "intron":
        raise ValueError("pair fine-tuning reads bare introns: it needs the intron context")
    check_gates_apply(config)
    data = data or prepare_data(data_dir, config.split_seed, config.max_rows)
    x = library_to_one_hot(data.frame, config.context, data.reporter)
    arrays = part_arrays(data, x)
    arrays["train"] = train_rows(data, x, config)
    if base is None:
        cryptic = cryptic_targets(data, config.construct_mean_labels) if config.cryptic_weight > 0 else None
        runs = train_seeds(*arrays["train"], *arrays["dev"], config, on_epoch_end, should_stop, cryptic)
        kept = ([r for r in runs if not r.collapsed] or runs[:1]) if config.ensemble else runs[:1]
        models = [r.model for r in kept]
        seeds = [
            {
                "seed": r.seed,
                "rebalanced": r.rebalanced,
                "dev": r.dev,
                "history": r.history,
                "in_model": any(r is k for k in kept),
            }
            for r in runs
        ]
    else:
        models, seeds = base_members(*base)
    member_seeds = [s for s in seeds if s.get("in_model", True)]
    before = {}
    pairs = train_pairs(data, config) if config.pair_epochs > 0 or config.gate_epochs > 0 else None
    if config.pair_epochs > 0:
        before["before_pair_tuning"] = stage_figures(models, data, x)
        paired = pair_arrays(pairs, x.shape[1])
        for i, (member, seed) in enumerate(zip(models, member_seeds)):
            tune_on_pairs(
                member,
                arrays["train"],
                paired,
                config,
                seed["seed"],
                seed["rebalanced"],
                on_epoch_end,
                i,
                len(models),
            )
    if config.gate_epochs > 0:
        before["before_site_gates"] = stage_figures(models, data, x)
        knocked = knockout_rows(pairs, x.shape[1], config.branch_knockout_weight)
        models = gated_members(models, member_seeds, arrays["train"], knocked, config)
    model = stack_members(models)
    members = member_predictions(model, x)
    figures = ensemble_figures(model, data, x, members, config.context)
    card = {
        "name": f"{config.architecture} on {config.context}",
        "config": config.to_dict(),
        "data": {
            "path": data.frame.attrs.get("path"),
            "sha256": data.frame.attrs.get("sha256"),
            "n_usable": int(len(data.frame)),
            "n_unusable_left_out": data.frame.attrs.get("n_unusable"),
        },
        "split": {"seed": config.split_seed, "barcodes": split_to_barcodes(data.frame, data.parts)},
        "parameters": int(models[0].count_params()),
        "seeds": seeds,
        "device": device_name(),
        "seconds": time.monotonic() - start,
        "packages": package_versions(),
        "pwm_baseline": data.baseline.to_dict(),
        **figures,
        **before,
    }
    dev = (data.parts == "dev").to_numpy()
    collapse = collapse_of(members[dev].mean(1), card["metrics"]["dev"]["pearson"])
    if collapse:
        card["collapsed"] = collapse  # saved, but never made active (model_store)
    return model, card
