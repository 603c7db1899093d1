"""Scoring files of introns: library-format CSV/xlsx (measured columns optional) or FASTA."""
import io
import os
from pathlib import Path

import numpy as np
import pandas as pd

from .contexts import DesignTemplate
from .intron_input import check_intron
from .library import DataFileError, Reporter, fasta_records
from .metrics import regression_metrics
from .predictor import Predictor, mean_and_spread

INTRON_COLUMNS = ("intron_seq", "intron", "sequence")
MEASURED_COLUMN = "splicing_eff"
MAX_ROWS = 200_000


def fasta_text_to_frame(text: str, source: str = "FASTA") -> pd.DataFrame:
    """FASTA text as a table with ``id`` and ``intron_seq`` columns."""
    return pd.DataFrame(fasta_records(text, source), columns=["id", "intron_seq"])


def read_batch_input(source: str | os.PathLike | bytes, name: str | None = None) -> pd.DataFrame:
    """A table with the input's rows in order; ``source`` is a path or the file's bytes (``name`` gives the type)."""
    name = str(name or source)
    suffix = Path(name).suffix.lower()
    raw = source if isinstance(source, bytes) else Path(source).read_bytes()
    try:
        if suffix in (".fa", ".fasta", ".fna", ".txt"):
            frame = fasta_text_to_frame(raw.decode("utf-8", "replace"), name)
        elif suffix in (".xlsx", ".xls"):
            book = pd.read_excel(io.BytesIO(raw), sheet_name=None)
            frame = book.get("Data", next(iter(book.values())))
        else:
            frame = pd.read_csv(io.BytesIO(raw))
    except DataFileError:
        raise
    except (ValueError, UnicodeDecodeError, pd.errors.ParserError) as err:
        raise DataFileError(f"{name}: cannot read the file ({err})") from err
    if len(frame) == 0:
        raise DataFileError(f"{name}: no rows")
    if len(frame) > MAX_ROWS:
        raise DataFileError(f"{name}: {len(frame)} rows; at most {MAX_ROWS} per file")
    if not any(c in frame.columns for c in INTRON_COLUMNS):
        raise DataFileError(f"{name}: needs an intron column ({' or '.join(INTRON_COLUMNS)}) or FASTA records")
    return frame


def intron_column(frame: pd.DataFrame) -> pd.Series:
    """The first intron column present in a batch table."""
    return frame[next(c for c in INTRON_COLUMNS if c in frame.columns)]


def score_frame(predictor: Predictor, frame: pd.DataFrame, template: DesignTemplate | None = None, reporter: Reporter | None = None) -> pd.DataFrame:
    """The input rows in order plus ``predicted_eff``, ``predicted_sd``, ``error`` and ``warning``.

    Rows with an error are not scored; ``template`` (and ``reporter``) are needed by models that read the oligo.
    """
    checks = [check_intron("" if pd.isna(v) else str(v)) for v in intron_column(frame)]
    good = np.array([c.ok for c in checks])
    mean = np.full(len(frame), np.nan)
    spread = np.full(len(frame), np.nan)
    if good.any():
        members = predictor.intron_members([c.sequence for c, g in zip(checks, good) if g], template=template, reporter=reporter)
        mean[good], spread[good] = mean_and_spread(members)
    out = frame.copy()
    out["predicted_eff"] = mean
    out["predicted_sd"] = spread
    out["error"] = ["; ".join(c.errors) for c in checks]
    out["warning"] = ["; ".join(c.warnings) for c in checks]
    return out


def bad_rows(scored: pd.DataFrame) -> pd.DataFrame:
    """The rows of a scored table that have an error: 1-based row number, id when present, and the error."""
    bad = scored[scored["error"] != ""]
    columns = [c for c in ("id",) if c in bad.columns]
    out = bad[columns + ["error"]].copy()
    out.insert(0, "row", bad.index.to_numpy() + 1)
    return out.reset_index(drop=True)


def scored_metrics(scored: pd.DataFrame) -> dict[str, float] | None:
    """Metrics of the predictions against a measured ``splicing_eff`` column (rows with both), else None."""
    if MEASURED_COLUMN not in scored.columns:
        return None
    measured = pd.to_numeric(scored[MEASURED_COLUMN], errors="coerce")
    both = measured.notna() & scored["predicted_eff"].notna()
    if both.sum() < 3:
        return None
    return regression_metrics(measured[both].to_numpy(float), scored.loc[both, "predicted_eff"].to_numpy(float))
