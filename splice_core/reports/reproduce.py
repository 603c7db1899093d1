"""The reference study's Table 1 on one split: heuristics, PWM baseline and every architecture."""

import time
from collections.abc import Callable

import numpy as np
import pandas as pd

from splice_core.data.contexts import library_to_constructs
from splice_core.data.published import STUDY_TABLE1
from splice_core.data.pwm import heuristic_predictions
from splice_core.models.evaluation import metrics_by_part
from splice_core.models.training import ProgressCallback, TrainConfig
from splice_core.runs.experiment import PreparedData, run_training

COLUMNS = (
    "model",
    "context",
    "parameters",
    "study_parameters",
    "train_mse",
    "dev_mse",
    "dev_pearson",
    "test_mse",
    "test_balanced_mse",
    "test_pearson",
    "test_spearman",
    "seconds",
)


def table_row(name: str, context: str, parameters, study_parameters, metrics: dict, seconds: float) -> dict:
    """One row of the reproduction table from :func:`metrics_by_part` output."""
    return {
        "model": name,
        "context": context,
        "parameters": parameters,
        "study_parameters": study_parameters,
        "train_mse": metrics["train"]["mse"],
        "dev_mse": metrics["dev"]["mse"],
        "dev_pearson": metrics["dev"]["pearson"],
        "test_mse": metrics["test"]["mse"],
        "test_balanced_mse": metrics["test"]["balanced_mse"],
        "test_pearson": metrics["test"]["pearson"],
        "test_spearman": metrics["test"]["spearman"],
        "seconds": seconds,
    }


def heuristic_rows(data: PreparedData) -> list[dict]:
    """Rows for all-zeros, uniform random and the PWM baseline."""
    n = len(data.frame)
    rows = []
    for name, make in (
        ("all zeros", lambda: heuristic_predictions(n, "zeros")),
        ("uniform random", lambda: heuristic_predictions(n, "random")),
        ("PWM baseline", lambda: data.baseline.predict(library_to_constructs(data.frame))),
    ):
        start = time.monotonic()
        pred = make()
        rows.append(
            table_row(
                name,
                "sites" if name == "PWM baseline" else "-",
                0,
                0,
                metrics_by_part(data.frame, data.parts, pred),
                time.monotonic() - start,
            )
        )
    return rows


def trained_rows(data: PreparedData, rows=STUDY_TABLE1) -> list[tuple]:
    """The Table 1 rows that can be trained on ``data`` (``full`` needs the reporter)."""
    return [row for row in rows if row[1] != "full" or data.reporter is not None]


def planned_epochs(data: PreparedData, n_seeds: int, epochs: int, rows=STUDY_TABLE1) -> int:
    """Epochs :func:`reproduce_table` trains at most."""
    return len(trained_rows(data, rows)) * n_seeds * epochs


def reproduce_table(
    data: PreparedData,
    n_seeds: int = 5,
    epochs: int = 20,
    rows=STUDY_TABLE1,
    on_row: Callable[[dict], None] | None = None,
    on_epoch_end: ProgressCallback | None = None,
) -> pd.DataFrame:
    """Train and evaluate every Table 1 row (the study's recipe, best of ``n_seeds``) plus the heuristics."""
    table = heuristic_rows(data)
    for row in table:
        if on_row:
            on_row(row)
    for architecture, context, study_parameters in trained_rows(data, rows):
        config = TrainConfig(
            architecture=architecture, context=context, n_seeds=n_seeds, epochs=epochs, split_seed=0
        )
        _, card = run_training(config, data=data, on_epoch_end=on_epoch_end)
        row = table_row(
            architecture, context, card["parameters"], study_parameters, card["metrics"], card["seconds"]
        )
        table.append(row)
        if on_row:
            on_row(row)
    return pd.DataFrame(table, columns=list(COLUMNS))


def table_to_markdown(table: pd.DataFrame, title: str) -> str:
    """A Markdown table of the reproduction with 3-decimal metrics."""
    header = "| " + " | ".join(table.columns) + " |\n|" + "---|" * len(table.columns) + "\n"
    cells = [
        "| " + " | ".join(f"{v:.3f}" if isinstance(v, (float, np.floating)) else str(v) for v in row) + " |"
        for row in table.itertuples(index=False)
    ]
    return f"# {title}\n\n" + header + "\n".join(cells) + "\n"
