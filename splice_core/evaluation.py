"""Scoring predictions against measurements: per split part and per library type."""
import numpy as np
import pandas as pd

from .metrics import per_library_metrics, regression_metrics
from .splits import PARTS


def metrics_by_part(frame: pd.DataFrame, parts: pd.Series, pred: np.ndarray) -> dict[str, dict]:
    """:func:`regression_metrics` of ``pred`` (one per row of ``frame``) on each split part."""
    y = frame["splicing_eff"].to_numpy()
    return {p: regression_metrics(y[(parts == p).to_numpy()], pred[(parts == p).to_numpy()]) for p in PARTS}


def per_library_table(frame: pd.DataFrame, parts: pd.Series, pred: np.ndarray, part: str = "test") -> pd.DataFrame:
    """Per-library-type metrics of ``pred`` on one split part."""
    mask = (parts == part).to_numpy()
    return per_library_metrics(frame["type"][mask], frame["splicing_eff"].to_numpy()[mask], pred[mask])


def table_to_records(table: pd.DataFrame) -> dict[str, dict]:
    """A per-library table as JSON-ready ``{type: {metric: value}}``."""
    return {str(k): {c: float(v) for c, v in row.items()} for k, row in table.iterrows()}
