"""Scoring files of introns of any size in chunks: CSV/xlsx tables (measured columns optional) or FASTA.

A file is read, scored and written a chunk of rows at a time, so memory stays bounded whatever its length;
rows keep their order and every other column. A row that cannot be scored keeps its place with an ``error``.
"""

import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from splice_core.data.contexts import OligoTemplate
from splice_core.data.library import Reporter
from splice_core.predict.tables import (
    CHUNK_ROWS,
    MEASURED_COLUMN,
    ScoredWriter,
    Source,
    input_chunks,
    intron_column,
    matching_column,
)
from splice_core.predict.trust import TRUST_COLUMNS, trust_table
from splice_core.seq.intron_text import check_intron

# The predictor imports TensorFlow; a Ray driver that only reads and writes chunks never needs it.
if TYPE_CHECKING:
    from splice_core.predict.predictor import Predictor


SCORE_COLUMNS = ("predicted_eff", "predicted_sd", *TRUST_COLUMNS, "error", "warning")
LISTED_BAD_ROWS = 1_000
PREVIEW_ROWS = 1_000
ProgressFn = Callable[[float, int], None]


def score_frame(
    predictor: "Predictor",
    frame: pd.DataFrame,
    template: OligoTemplate | None = None,
    reporter: Reporter | None = None,
) -> pd.DataFrame:
    """The input rows in order plus ``predicted_eff``, ``predicted_sd``, the :data:`~splice_core.predict.trust.TRUST_COLUMNS`
    (interval, library distance, why the model is guessing), ``error`` and ``warning``.

    Rows with an error are not scored (digits inside a sequence are an error here: a table cell holds bases only);
    ``template`` (and ``reporter``) are needed by models that read the oligo.
    """
    from splice_core.predict.predictor import mean_and_spread

    checks = [check_intron("" if pd.isna(v) else str(v), strip_digits=False) for v in intron_column(frame)]
    good = np.array([c.ok for c in checks], bool)
    mean = np.full(len(frame), np.nan)
    spread = np.full(len(frame), np.nan)
    trust = {
        c: np.full(len(frame), "" if c == "guessing" else np.nan, object if c == "guessing" else float)
        for c in TRUST_COLUMNS
    }
    if good.any():
        introns = [c.sequence for c, g in zip(checks, good) if g]
        members = predictor.intron_members(introns, template=template, reporter=reporter)
        mean[good], spread[good] = mean_and_spread(members)
        for column, values in trust_table(predictor.card, introns, mean[good], spread[good]).items():
            trust[column][good] = values.to_numpy()
    out = frame.copy()
    out["predicted_eff"] = mean
    out["predicted_sd"] = spread
    for column, values in trust.items():
        out[column] = values
    out["error"] = [" ".join(c.errors) for c in checks]  # each problem is a sentence
    out["warning"] = [" ".join(c.warnings) for c in checks]
    return out


def bad_rows(scored: pd.DataFrame) -> pd.DataFrame:
    """The rows of a scored table that have an error: 1-based row number, id when present, and the error."""
    bad = scored[scored["error"] != ""]
    columns = [c for c in ("id",) if c in bad.columns]
    out = bad[columns + ["error"]].copy()
    out.insert(0, "row", bad.index.to_numpy() + 1)
    return out.reset_index(drop=True)


def measured_metrics(measured: np.ndarray, predicted: np.ndarray) -> dict[str, float] | None:
    """Metrics of predictions ``(N,)`` against measured values ``(N,)`` over rows with both, else None (< 3 rows).

    ``outside``: how many of those measured values lie outside 0..1 (an efficiency is a share; they are used as given).
    """
    from splice_core.models.metrics import (
        regression_metrics,  # SciPy, imported only when a file has measured values
    )

    both = np.isfinite(measured) & np.isfinite(predicted)
    if both.sum() < 3:
        return None
    values = measured[both].astype(float)
    outside = int(((values < 0) | (values > 1)).sum())
    return {**regression_metrics(values, predicted[both].astype(float)), "outside": outside}


@dataclass
class BatchSummary:
    """What a scored file holds: counts, the first bad rows, every prediction and measurement (float32), a preview."""

    n_rows: int = 0
    n_bad: int = 0
    bad: list[pd.DataFrame] = field(default_factory=list)
    predicted: list[np.ndarray] = field(default_factory=list)
    measured: list[np.ndarray] = field(default_factory=list)
    preview: list[pd.DataFrame] = field(default_factory=list)

    @property
    def n_scored(self) -> int:
        """Rows that have a prediction."""
        return self.n_rows - self.n_bad

    def add(self, scored: pd.DataFrame) -> None:
        """Count and keep the bounded parts of one scored chunk."""
        bad = bad_rows(scored)
        listed = sum(len(b) for b in self.bad)
        if listed < LISTED_BAD_ROWS:
            self.bad.append(bad.head(LISTED_BAD_ROWS - listed))
        shown = sum(len(p) for p in self.preview)
        if shown < PREVIEW_ROWS:
            self.preview.append(scored.head(PREVIEW_ROWS - shown))
        self.n_rows += len(scored)
        self.n_bad += len(bad)
        self.predicted.append(scored["predicted_eff"].to_numpy(np.float32))
        measured = matching_column(scored.columns, (MEASURED_COLUMN,))
        if measured is not None:
            self.measured.append(pd.to_numeric(scored[measured], errors="coerce").to_numpy(np.float32))

    def bad_table(self) -> pd.DataFrame:
        """The first :data:`LISTED_BAD_ROWS` rows with an error (row, id, error)."""
        return pd.concat(self.bad, ignore_index=True) if self.bad else pd.DataFrame(columns=["row", "error"])

    def preview_table(self) -> pd.DataFrame:
        """The first :data:`PREVIEW_ROWS` scored rows."""
        return pd.concat(self.preview) if self.preview else pd.DataFrame()

    def predictions(self) -> np.ndarray:
        """Every row's prediction ``(n_rows,)`` (NaN where not scored)."""
        return np.concatenate(self.predicted) if self.predicted else np.zeros(0, np.float32)

    def histogram(self, bins: int = 40) -> pd.DataFrame:
        """Counts of the predictions in ``bins`` equal bins over 0..1: ``predicted_eff`` (bin centre) and ``rows``."""
        edges = np.linspace(0, 1, bins + 1)
        predictions = self.predictions()
        counts, _ = np.histogram(np.clip(predictions[np.isfinite(predictions)], 0, 1), edges)
        return pd.DataFrame({"predicted_eff": (edges[:-1] + edges[1:]) / 2, "rows": counts})

    def metrics(self) -> dict[str, float] | None:
        """Metrics against the input's measured ``splicing_eff`` column, when it has one."""
        if len(self.measured) != len(self.predicted) or not self.measured:
            return None
        return measured_metrics(np.concatenate(self.measured), self.predictions())


def score_chunks(
    predictor: "Predictor",
    source: Source,
    name: str | None = None,
    template: OligoTemplate | None = None,
    reporter: Reporter | None = None,
    on_progress: ProgressFn | None = None,
    chunk_rows: int = CHUNK_ROWS,
) -> Iterator[pd.DataFrame]:
    """Scored chunks of an input file in order (see :func:`score_frame`); ``on_progress(fraction, rows)`` after each."""
    rows = 0
    for frame, fraction in input_chunks(source, name, chunk_rows):
        scored = score_frame(predictor, frame, template, reporter)
        rows += len(scored)
        yield scored
        if on_progress:
            on_progress(fraction, rows)


def score_file(
    predictor: "Predictor",
    source: Source,
    output: str | os.PathLike,
    name: str | None = None,
    template: OligoTemplate | None = None,
    reporter: Reporter | None = None,
    on_progress: ProgressFn | None = None,
    chunk_rows: int = CHUNK_ROWS,
) -> BatchSummary:
    """Score an input file into ``output`` (CSV, xlsx or FASTA by its suffix) chunk by chunk; its summary."""
    writer = ScoredWriter(output)
    summary = BatchSummary()
    try:
        for scored in score_chunks(predictor, source, name, template, reporter, on_progress, chunk_rows):
            writer.write(scored)
            summary.add(scored)
        writer.close()  # a full disk may fail here too: then nothing is left under either name
    except BaseException as err:
        writer.abandon(err)
        raise
    return summary
