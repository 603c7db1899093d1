"""Dataset page tables: rows with their site sequences, filters, and efficiency summaries from rows or a card."""

from dataclasses import dataclass

import numpy as np
import pandas as pd

from splice_core.data.library import HISTOGRAM_BINS, INDEX_COLUMNS, SITE_OFFSET, usable_rows
from splice_core.data.splits import LOW_HIGH_THRESHOLD

SITES = {"ss5": ("SS5_inds", 6), "branch": ("branch_inds", 7), "ss3": ("SS3_inds", 3)}
SITE_LABELS = {"ss5": "5' splice site", "branch": "branch site", "ss3": "3' splice site"}
SHARE_LOW = f"share below {LOW_HIGH_THRESHOLD:g}"
HELPER_COLUMNS = ("splicing_eff", "intron_length", "BC_num", *INDEX_COLUMNS)
# Efficiency histograms everywhere (the model card's, the Dataset page's): 20 bins over [0, 1].


@dataclass(frozen=True)
class LibraryFilter:
    """Which rows to keep; an empty selection keeps every value."""

    types: tuple[str, ...] = ()
    length_range: tuple[int, int] | None = None
    ss5: tuple[str, ...] = ()
    branch: tuple[str, ...] = ()
    ss3: tuple[str, ...] = ()


def site_sequences(frame: pd.DataFrame) -> pd.DataFrame:
    """The 5'SS (6 nt), branch site (7 nt) and 3'SS (3 nt) read from ``seq`` at each row's site index."""
    out = {}
    for site, (column, length) in SITES.items():
        starts = frame[column].to_numpy(int) + SITE_OFFSET
        out[site] = [seq[s : s + length] for seq, s in zip(frame["seq"], starts)]
    return pd.DataFrame(out, index=frame.index)


def explorer_table(frame: pd.DataFrame) -> pd.DataFrame:
    """Usable library rows with ``intron_length`` and the three site sequences added."""
    rows = usable_rows(frame)
    return pd.concat([rows.assign(intron_length=rows["intron_seq"].str.len()), site_sequences(rows)], axis=1)


def site_options(table: pd.DataFrame, site: str) -> list[str]:
    """The distinct sequences of one site in an :func:`explorer_table`, most frequent first."""
    return table[site].value_counts().index.tolist()


def filter_rows(table: pd.DataFrame, selection: LibraryFilter) -> pd.DataFrame:
    """The rows of an :func:`explorer_table` that pass ``selection``."""
    keep = np.ones(len(table), bool)
    if selection.types:
        keep &= table["type"].isin(selection.types).to_numpy()
    if selection.length_range is not None:
        low, high = selection.length_range
        keep &= table["intron_length"].between(low, high).to_numpy()
    for site in SITES:
        chosen = getattr(selection, site)
        if chosen:
            keep &= table[site].isin(chosen).to_numpy()
    return table[keep]


def summary_row(values: np.ndarray) -> dict:
    """Count, mean and share below the low/high threshold of some efficiencies."""
    n = len(values)
    return {
        "constructs": n,
        "mean": float(np.mean(values)) if n else float("nan"),
        SHARE_LOW: float(np.mean(values < LOW_HIGH_THRESHOLD)) if n else float("nan"),
    }


def efficiency_summary(table: pd.DataFrame) -> pd.DataFrame:
    """One summary row for all rows, then one per library type."""
    rows = {"all": summary_row(table["splicing_eff"].to_numpy())}
    for library_type, group in table.groupby("type", sort=True):
        rows[str(library_type)] = summary_row(group["splicing_eff"].to_numpy())
    return pd.DataFrame.from_dict(rows, orient="index").rename_axis("type")


def numeric_columns(table: pd.DataFrame) -> list[str]:
    """The library's other measured numeric columns (not the target, indices or helper columns)."""
    return [c for c in table.select_dtypes("number").columns if c not in HELPER_COLUMNS]


def histogram_rows(bins: np.ndarray, counts: dict[str, np.ndarray]) -> pd.DataFrame:
    """Counts per library type as rows (type, bin_start, bin_end, bin_centre, count, share of the type)."""
    bins = np.asarray(bins, float)
    frames = [
        pd.DataFrame(
            {
                "type": library_type,
                "bin_start": bins[:-1],
                "bin_end": bins[1:],
                "bin_centre": (bins[:-1] + bins[1:]) / 2,
                "count": np.asarray(n, int),
                "share": np.asarray(n) / max(int(np.sum(n)), 1),
            }
        )
        for library_type, n in counts.items()
    ]
    return pd.concat(frames, ignore_index=True)


def card_histograms(card: dict, types: tuple[str, ...] = ()) -> pd.DataFrame:
    """The card's measured-efficiency histograms as :func:`histogram_rows`.

    ``types`` picks library types (empty: every type, without the ``all`` total).
    """
    measured = card["histograms"]["measured"]
    chosen = types or tuple(t for t in measured if t != "all")
    return histogram_rows(card["histograms"]["bins"], {t: measured[t] for t in chosen})


def row_histograms(rows: pd.DataFrame) -> pd.DataFrame:
    """The measured efficiencies of library rows in :data:`HISTOGRAM_BINS` per type, as :func:`histogram_rows`.

    Values outside [0, 1] count in the end bins, as in the model card.
    """
    values = np.clip(rows["splicing_eff"].to_numpy(float), 0, 1)
    types = rows["type"].to_numpy()
    return histogram_rows(
        HISTOGRAM_BINS,
        {t: np.histogram(values[types == t], HISTOGRAM_BINS)[0] for t in sorted(rows["type"].unique())},
    )


def histogram_summary(card: dict, types: tuple[str, ...] = ()) -> pd.DataFrame:
    """Like :func:`efficiency_summary` from the card's histograms (mean from bin centres, so approximate)."""
    table = card_histograms(card, types)
    table["low"] = table["bin_end"] <= LOW_HIGH_THRESHOLD + 1e-9

    def summarise(group: pd.DataFrame) -> dict:
        n = int(group["count"].sum())
        return {
            "constructs": n,
            "mean": float((group["count"] * group["bin_centre"]).sum() / n) if n else float("nan"),
            SHARE_LOW: float(group.loc[group["low"], "count"].sum() / n) if n else float("nan"),
        }

    rows = {"all": summarise(table)}
    rows.update({str(t): summarise(g) for t, g in table.groupby("type", sort=True)})
    return pd.DataFrame.from_dict(rows, orient="index").rename_axis("type")
