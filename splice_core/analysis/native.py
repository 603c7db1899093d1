"""Every annotated S. cerevisiae intron scored by a model, and the aggregates of those scores that may ship.

The table (gene, length, sites, prediction and spread) needs the data directory's ``wildtype_introns.csv``.
The summary holds only aggregates of the model's own predictions (a histogram, counts and means by length
band, summary statistics): no rows, no sequences, no gene names. It is written to
``pretrained/native_summary.json`` by ``python -m splice_core native`` (and by ``ship``).
"""

import json
import os
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from splice_core.data.library import file_sha256
from splice_core.models.store import MODEL_FILE
from splice_core.seq.intron_text import MAX_INTRON, TRAINED_MAX

if TYPE_CHECKING:
    from splice_core.predict.predictor import Predictor

SUMMARY_FILE = "native_summary.json"
HISTOGRAM_EDGES = np.linspace(0.0, 1.0, 21)
LENGTH_BANDS = ((0, TRAINED_MAX), (TRAINED_MAX + 1, 300), (301, 500), (501, 1000), (1001, MAX_INTRON))
TABLE_COLUMNS = {
    "Gene": "gene",
    "Chromosome": "chromosome",
    "Length (bp)": "length",
    "5'SS": "ss5",
    "BP": "branch_site",
    "3'SS": "ss3",
    "5'SS to BP (bp)": "ss5_to_branch",
    "BP to 3'SS (bp)": "branch_to_ss3",
}


def band_label(low: int, high: int) -> str:
    """A length band's name, e.g. ``149–300 nt`` (the first band says it is read whole)."""
    return f"≤{high} nt (read whole)" if low == 0 else f"{low:,}–{high:,} nt"


def length_band(lengths: np.ndarray) -> list[str]:
    """The length band's label of each length ``(N,)``."""
    labels = []
    for n in np.asarray(lengths).tolist():
        low, high = next(((a, b) for a, b in LENGTH_BANDS if a <= n <= b), LENGTH_BANDS[-1])
        labels.append(band_label(low, high))
    return labels


def score_native(predictor: "Predictor", wildtype: pd.DataFrame) -> pd.DataFrame:
    """One row per annotated intron: gene, chromosome, length, sites, length band, ``predicted_eff``, ``predicted_sd``,
    the interval and why the model is guessing (:func:`~splice_core.predict.trust.trust_table`), sequence.

    The branch site the model uses is the branch PWM's best match, as for a pasted intron.
    """
    out = (
        wildtype[[c for c in TABLE_COLUMNS if c in wildtype.columns]]
        .rename(columns=TABLE_COLUMNS)
        .reset_index(drop=True)
    )
    if "gene" not in out.columns:
        out.insert(0, "gene", [f"intron {i + 1}" for i in range(len(out))])
    sequences = wildtype["sequence"].astype(str).str.upper().str.replace("U", "T").tolist()
    out["length"] = [len(s) for s in sequences]
    out["band"] = length_band(out["length"].to_numpy())
    from splice_core.predict.predictor import mean_and_spread
    from splice_core.predict.trust import trust_table

    out["predicted_eff"], out["predicted_sd"] = mean_and_spread(predictor.intron_members(sequences))
    trust = trust_table(
        predictor.card, sequences, out["predicted_eff"].to_numpy(), out["predicted_sd"].to_numpy()
    )
    out[["interval_low", "interval_high", "guessing"]] = trust[["interval_low", "interval_high", "guessing"]]
    out["sequence"] = sequences
    return out


def rounded(value: float) -> float:
    """A figure rounded to 4 decimals for the summary file."""
    return round(float(value), 4)


def band_rows(table: pd.DataFrame) -> list[dict]:
    """Per length band: introns, mean and median prediction, mean spread (bands with no intron are kept, empty)."""
    rows = []
    for low, high in LENGTH_BANDS:
        part = table[table["band"] == band_label(low, high)]
        rows.append(
            {
                "band": band_label(low, high),
                "low": low,
                "high": high,
                "n": int(len(part)),
                "mean": rounded(part["predicted_eff"].mean()) if len(part) else None,
                "median": rounded(part["predicted_eff"].median()) if len(part) else None,
                "mean_spread": rounded(part["predicted_sd"].mean()) if len(part) else None,
            }
        )
    return rows


def model_file(predictor: "Predictor") -> Path | None:
    """The predictor's saved model file, None when it was not loaded from a directory."""
    return Path(predictor.path) / MODEL_FILE if predictor.path else None


def native_summary(table: pd.DataFrame, predictor: "Predictor") -> dict:
    """Aggregates of a scored native table (no rows): histogram, length bands, statistics, the model they came from."""
    pred = table["predicted_eff"].to_numpy(float)
    counts, _ = np.histogram(pred, HISTOGRAM_EDGES)
    saved = model_file(predictor)
    return {
        "model": predictor.card.get("name", ""),
        "model_sha256": file_sha256(saved) if saved and saved.is_file() else None,
        "n_introns": int(len(table)),
        "n_scored": int(np.isfinite(pred).sum()),
        "n_read_through_views": int((table["length"] > TRAINED_MAX).sum()),
        "length_range": [int(table["length"].min()), int(table["length"].max())],
        "stats": {
            "mean": rounded(pred.mean()),
            "sd": rounded(pred.std()),
            "median": rounded(np.median(pred)),
            "q25": rounded(np.quantile(pred, 0.25)),
            "q75": rounded(np.quantile(pred, 0.75)),
            "min": rounded(pred.min()),
            "max": rounded(pred.max()),
            "mean_spread": rounded(table["predicted_sd"].mean()),
            "share_below_0.1": rounded((pred < 0.1).mean()),
        },
        "histogram": {"edges": [rounded(e) for e in HISTOGRAM_EDGES], "counts": counts.astype(int).tolist()},
        "bands": band_rows(table),
    }


def write_native_summary(summary: dict, directory: str | os.PathLike) -> Path:
    """Write the summary as ``native_summary.json`` in a model directory; returns its path."""
    path = Path(directory) / SUMMARY_FILE
    partial = path.with_name(f".{SUMMARY_FILE}.partial")
    try:
        partial.write_text(json.dumps(summary, indent=1) + "\n")
        os.replace(partial, path)  # complete, or the earlier summary kept
    finally:
        partial.unlink(missing_ok=True)
    return path


def read_native_summary(directory: str | os.PathLike) -> dict | None:
    """The summary stored in a model directory, or None when it has none."""
    path = Path(directory) / SUMMARY_FILE
    return json.loads(path.read_text()) if path.is_file() else None


def summary_matches(summary: dict, predictor: "Predictor") -> bool:
    """True when a summary was computed with the predictor's own model file."""
    saved = model_file(predictor)
    return bool(saved and saved.is_file() and summary.get("model_sha256") == file_sha256(saved))


def filter_native(
    table: pd.DataFrame,
    gene: str = "",
    length: tuple[int, int] | None = None,
    predicted: tuple[float, float] | None = None,
) -> pd.DataFrame:
    """Rows whose gene contains ``gene`` (any case), whose length and prediction lie within the given closed ranges."""
    keep = np.ones(len(table), bool)
    if gene.strip():
        keep &= table["gene"].astype(str).str.contains(gene.strip(), case=False, regex=False).to_numpy()
    if length is not None:
        keep &= table["length"].between(*length).to_numpy()
    if predicted is not None:
        keep &= table["predicted_eff"].between(*predicted).to_numpy()
    return table[keep]
