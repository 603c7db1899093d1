"""Scoring files of introns: library-format CSV/xlsx (measured columns optional) or FASTA."""
import io
import os
from pathlib import Path

import numpy as np
import pandas as pd

from .intron_input import check_intron
from .library import DataFileError, fasta_records
from .predictor import Predictor

INTRON_COLUMNS = ("intron_seq", "intron", "sequence")
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


def score_frame(predictor: Predictor, frame: pd.DataFrame) -> pd.DataFrame:
    """The input rows in order plus ``predicted_eff``, ``predicted_sd`` and ``error`` (bad rows are not scored)."""
    checks = [check_intron("" if pd.isna(v) else str(v), predictor.input_length) for v in intron_column(frame)]
    good = np.array([c.ok for c in checks])
    mean = np.full(len(frame), np.nan)
    spread = np.full(len(frame), np.nan)
    if good.any():
        members = predictor.members(predictor.introns_to_one_hot([c.sequence for c, g in zip(checks, good) if g]))
        mean[good], spread[good] = members.mean(1), members.std(1)
    out = frame.copy()
    out["predicted_eff"] = mean
    out["predicted_sd"] = spread
    out["error"] = ["; ".join(c.errors) for c in checks]
    out["warning"] = ["; ".join(c.warnings) for c in checks]
    return out
