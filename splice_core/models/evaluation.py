"""Scoring predictions against measurements: per split part and per library type."""

import numpy as np
import pandas as pd

from splice_core.data.splits import PARTS
from splice_core.models.metrics import pearson, per_library_metrics, regression_metrics


def metrics_by_part(frame: pd.DataFrame, parts: pd.Series, pred: np.ndarray) -> dict[str, dict]:
    """:func:`regression_metrics` of ``pred`` (one per row of ``frame``) on each split part."""
    y = frame["splicing_eff"].to_numpy()
    return {p: regression_metrics(y[(parts == p).to_numpy()], pred[(parts == p).to_numpy()]) for p in PARTS}


def per_library_table(
    frame: pd.DataFrame, parts: pd.Series, pred: np.ndarray, part: str = "test"
) -> pd.DataFrame:
    """Per-library-type metrics of ``pred`` on one split part."""
    mask = (parts == part).to_numpy()
    return per_library_metrics(frame["type"][mask], frame["splicing_eff"].to_numpy()[mask], pred[mask])


def table_to_records(table: pd.DataFrame) -> dict[str, dict]:
    """A per-library table as JSON-ready ``{type: {metric: value}}``."""
    return {str(k): {c: float(v) for c, v in row.items()} for k, row in table.iterrows()}


def other_barcodes_mean(frame: pd.DataFrame) -> np.ndarray:
    """Per row: mean ``splicing_eff`` of the same construct's other rows (other barcodes); NaN for single rows."""
    groups = frame.groupby("construct")["splicing_eff"]
    count, total = groups.transform("size").to_numpy(), groups.transform("sum").to_numpy()
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(count > 1, (total - frame["splicing_eff"].to_numpy()) / (count - 1), np.nan)


def replicate_agreement(frame: pd.DataFrame, parts: pd.Series, pred: np.ndarray) -> dict[str, dict]:
    """Per split part, on rows whose construct was measured with several barcodes: how well the other barcodes' mean
    predicts each measurement (the measurement's own noise) and how well ``pred`` does on the same rows.

    ``{part: {"n": rows, "other_barcodes_pearson": r, "pearson": r of pred}}``.
    """
    others = other_barcodes_mean(frame)
    y = frame["splicing_eff"].to_numpy()
    out = {}
    for part in PARTS:
        rows = (parts == part).to_numpy() & ~np.isnan(others)
        out[part] = {
            "n": int(rows.sum()),
            "other_barcodes_pearson": pearson(y[rows], others[rows]) if rows.sum() > 2 else float("nan"),
            "pearson": pearson(y[rows], np.asarray(pred)[rows]) if rows.sum() > 2 else float("nan"),
        }
    return out
