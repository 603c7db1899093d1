"""One training run end to end: data, split, arrays, seeds, evaluation and the model card."""
import platform
import time
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version

import keras
import numpy as np
import pandas as pd

from .contexts import library_to_constructs, library_to_one_hot
from .evaluation import metrics_by_part, per_library_table, replicate_agreement, table_to_records
from .library import DataFileError, Reporter, read_library, read_reporter, read_wildtype, usable_rows
from .pwm import PWMBaseline, fit_pwm_baseline
from .splits import PARTS, design_mean_labels, split_designs, split_to_barcodes
from .training import ProgressCallback, StopCheck, TrainConfig, device_name, stack_members, train_seeds

PACKAGES = ("tensorflow", "keras", "numpy", "pandas", "scikit-learn", "lightgbm")
HISTOGRAM_BINS = np.linspace(0, 1, 21)
CRYPTIC_COLUMN = "cryptic_splicing_eff"


@dataclass
class PreparedData:
    """Usable library rows, their split part, the reporter and the fitted PWM baseline."""

    frame: pd.DataFrame
    parts: pd.Series
    reporter: Reporter | None
    baseline: PWMBaseline


def sample_designs(frame: pd.DataFrame, max_rows: int, seed: int = 0) -> pd.DataFrame:
    """About ``max_rows`` rows made of whole designs, sampled within library types (for quick runs)."""
    designs = frame["design"].unique()
    keep = set(np.random.default_rng(seed).permutation(designs)[: max(1, int(len(designs) * max_rows / len(frame)))])
    return frame[frame["design"].isin(keep)].reset_index(drop=True)


def prepare_data(data_dir=None, split_seed: int = 0, max_rows: int | None = None) -> PreparedData:
    """Read the data directory, keep usable rows, split by design and fit the PWM baseline on train."""
    frame = read_library(data_dir)
    attrs = dict(frame.attrs)
    frame = usable_rows(frame)
    if max_rows is not None and max_rows < len(frame):
        frame = sample_designs(frame, max_rows, split_seed)
    frame.attrs.update(attrs)
    parts = split_designs(frame, seed=split_seed)
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


def cryptic_targets(data: PreparedData, design_means: bool) -> tuple[np.ndarray, np.ndarray]:
    """(train, dev) cryptic splicing efficiencies ``(N,)``, missing ones 0; train holds design means when ``design_means``."""
    if CRYPTIC_COLUMN not in data.frame:
        raise DataFileError(f"the library has no {CRYPTIC_COLUMN} column, which the cryptic head trains on")
    measured = data.frame[CRYPTIC_COLUMN].to_numpy(np.float32)
    train_values = design_mean_labels(data.frame, CRYPTIC_COLUMN) if design_means else measured
    return np.nan_to_num(train_values[(data.parts == "train").to_numpy()]), np.nan_to_num(measured[(data.parts == "dev").to_numpy()])


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
            np.clip(data.frame["splicing_eff"].to_numpy()[test], 0, 1), np.clip(np.asarray(pred)[test], 0, 1), [HISTOGRAM_BINS, HISTOGRAM_BINS]
        )[0].astype(int).tolist(),
        "histograms": {
            "bins": HISTOGRAM_BINS.tolist(),
            "measured": efficiency_histograms(data.frame["type"], data.frame["splicing_eff"].to_numpy()),
            "predicted": efficiency_histograms(data.frame["type"], np.asarray(pred)),
        },
    }


def run_training(
    config: TrainConfig,
    data_dir=None,
    on_epoch_end: ProgressCallback | None = None,
    should_stop: StopCheck | None = None,
    data: PreparedData | None = None,
) -> tuple[keras.Model, dict]:
    """Train ``config`` on the data directory; the model outputs ``(N, K)`` (K = 1, or n_seeds if ensemble)."""
    start = time.monotonic()
    data = data or prepare_data(data_dir, config.split_seed, config.max_rows)
    x = library_to_one_hot(data.frame, config.context, data.reporter)
    arrays = part_arrays(data, x)
    if config.design_mean_labels:
        arrays["train"] = (arrays["train"][0], design_mean_labels(data.frame)[(data.parts == "train").to_numpy()])
    cryptic = cryptic_targets(data, config.design_mean_labels) if config.cryptic_weight > 0 else None
    runs = train_seeds(*arrays["train"], *arrays["dev"], config, on_epoch_end, should_stop, cryptic)
    kept = ([r for r in runs if not r.collapsed] or runs[:1]) if config.ensemble else runs[:1]
    model = stack_members([r.model for r in kept])
    members = np.asarray(model.predict(x, batch_size=1024, verbose=0)).reshape(len(x), -1)
    pred = members.mean(1)
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
        "parameters": int(runs[0].model.count_params()),
        "seeds": [
            {"seed": r.seed, "rebalanced": r.rebalanced, "dev": r.dev, "history": r.history, "in_model": any(r is k for k in kept)}
            for r in runs
        ],
        "members_test": [metrics_by_part(data.frame, data.parts, members[:, k])["test"] for k in range(members.shape[1])],
        "device": device_name(),
        "seconds": time.monotonic() - start,
        "packages": package_versions(),
        "pwm_baseline": data.baseline.to_dict(),
        **evaluation_card(data, pred),
    }
    return model, card
