"""Running a sweep on Ray Tune: each recipe of a :class:`~splice_core.cluster.sweep_spec.SweepSpec` is one trial.

Trials run on the connected Ray cluster (a local Ray without one), one CPU each, or one GPU each when the cluster
has GPUs. Each trial trains with :func:`splice_core.runs.experiment.run_training` and reports its dev metrics (never
test); the best trial on dev is saved as a new model version whose card names the sweep. The table of all
trials is written next to Tune's own records.
"""

import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from ray import tune

from splice_core.cluster.connection import cluster_resources
from splice_core.cluster.sweep_spec import DEV_COLUMNS, SweepSpec, best_trial, spec_to_yaml, trials_markdown
from splice_core.models.store import load_model, models_root, new_version_path, read_card, save_model_dir

TrialsUpdate = Callable[[pd.DataFrame], None]
MODEL_DIR = "model"


@dataclass
class SweepResult:
    """A finished sweep: the trials table, the picked row (None when no trial finished), the saved version, its folder."""

    table: pd.DataFrame
    best: int | None
    saved: Path | None
    folder: Path


def train_trial(params: dict, base: dict, data_dir: str | None) -> None:
    """Tune trainable: train one recipe, report each epoch's losses, then its dev metrics with the model as checkpoint."""
    from splice_core.models.training import TrainConfig
    from splice_core.runs.experiment import run_training

    def on_epoch(record: dict) -> None:
        tune.report(
            {
                "seed": record["seed_index"] + 1,
                "epoch": record["epoch"],
                "loss": record["loss"],
                "dev_loss": record["val_loss"],
            }
        )

    model, card = run_training(
        TrainConfig(**{**base, **params["trial"]["recipe"]}), data_dir, on_epoch_end=on_epoch
    )
    dev = card["metrics"]["dev"]
    with tempfile.TemporaryDirectory() as folder:
        save_model_dir(Path(folder) / MODEL_DIR, model, card)
        tune.report(
            {f"dev_{k}": float(dev[k]) for k in ("pearson", "balanced_mse", "mse")} | {"done": True},
            checkpoint=tune.Checkpoint.from_directory(folder),
        )


def trial_row(index: int, recipe: dict, metrics: dict, status: str, error: str = "") -> dict:
    """One row of the trials table: the trial's recipe fields, status, last epoch, dev metrics, seconds, error."""
    return {
        "trial": index + 1,
        **recipe,
        "status": status,
        "epoch": metrics.get("epoch"),
        **{column: metrics.get(column) for column in DEV_COLUMNS},
        "seconds": metrics.get("time_total_s"),
        "error": error,
    }


class TrialsCallback(tune.Callback):
    """Sends the trials table to ``on_update`` whenever a trial reports, ends or fails."""

    def __init__(self, trials: list[dict], on_update: TrialsUpdate):
        self.recipes, self.on_update, self.rows = trials, on_update, {}

    def __getstate__(self) -> dict:
        """What Tune saves with its experiment state: everything but ``on_update`` (a process queue cannot be saved)."""
        return {**self.__dict__, "on_update": None}

    def update(self, trial, status: str, result: dict | None = None, error: str = "") -> None:
        """Record one trial's state and send the table."""
        index = trial.config["trial"]["index"]
        metrics = result if result is not None else trial.last_result or {}
        self.rows[index] = trial_row(index, self.recipes[index], metrics, status, error)
        if self.on_update is not None:
            self.on_update(pd.DataFrame([self.rows[i] for i in sorted(self.rows)]))

    def on_trial_result(self, iteration, trials, trial, result, **info):
        """A trial reported an epoch or its dev metrics."""
        self.update(trial, "running", result)

    def on_trial_complete(self, iteration, trials, trial, **info):
        """A trial finished."""
        self.update(trial, "done")

    def on_trial_error(self, iteration, trials, trial, **info):
        """A trial failed."""
        self.update(
            trial, "failed", error=str(getattr(trial, "error_msg", "") or "failed").splitlines()[-1][:300]
        )


def results_table(results, spec: SweepSpec) -> pd.DataFrame:
    """The trials table of a finished Tune run, in grid order."""
    trials = spec.trials()
    rows = []
    for result in results:
        index = result.config["trial"]["index"]
        error = (
            ""
            if result.error is None
            else f"{type(result.error).__name__}: {str(result.error).splitlines()[-1][:300]}"
        )
        rows.append(
            trial_row(index, trials[index], result.metrics or {}, "failed" if error else "done", error)
        )
    return pd.DataFrame(rows).sort_values("trial").reset_index(drop=True)


def save_best(
    result, spec: SweepSpec, table: pd.DataFrame, best: int, folder: Path, models_dir: str | Path | None
) -> Path:
    """Save the picked trial's model as a new version; its card records the sweep and the dev metric it was picked on."""
    with result.checkpoint.as_directory() as checkpoint:
        source = Path(checkpoint) / MODEL_DIR
        card = read_card(source)
        card["sweep"] = {
            "name": spec.name,
            "picked_on": f"dev {spec.select}",
            "trial": int(table["trial"][best]),
            "n_trials": len(table),
            "recipe": spec.trials()[best],
            "folder": str(folder),
        }
        return save_model_dir(
            new_version_path(models_root(models_dir), f"sweep-{spec.name}"), load_model(source), card
        )


def run_sweep(
    spec: SweepSpec,
    data_dir: str | Path | None = None,
    out: str | Path = "runs",
    models_dir: str | Path | None = None,
    on_update: TrialsUpdate | None = None,
) -> SweepResult:
    """Run every trial of ``spec`` on the connected Ray cluster; write the trials table; save the best on dev."""
    folder = (Path(out) / f"sweep-{spec.name}-{time.strftime('%Y%m%d-%H%M%S')}").resolve()
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "spec.yaml").write_text(spec_to_yaml(spec))
    trials = spec.trials()
    _, gpus = cluster_resources()
    trainable = tune.with_resources(
        tune.with_parameters(
            train_trial, base=spec.base, data_dir=None if data_dir is None else str(Path(data_dir).resolve())
        ),
        {"cpu": 1, "gpu": 1 if gpus else 0},
    )
    tuner = tune.Tuner(
        trainable,
        param_space={
            "trial": tune.grid_search([{"index": i, "recipe": recipe} for i, recipe in enumerate(trials)])
        },
        run_config=tune.RunConfig(
            name="tune",
            storage_path=str(folder),
            verbose=0,
            callbacks=[TrialsCallback(trials, on_update)] if on_update else [],
        ),
    )
    results = tuner.fit()
    table = results_table(results, spec)
    best = best_trial(table, spec.select)
    saved = None
    if best is not None:
        picked = next(r for r in results if r.config["trial"]["index"] == best)
        saved = save_best(picked, spec, table, best, folder, models_dir)
    table.to_csv(folder / "trials.csv", index=False)
    (folder / "trials.md").write_text(trials_markdown(table, spec, best))
    return SweepResult(table, best, saved, folder)
