"""Native introns: every annotated S. cerevisiae intron scored by the active model; one click opens it on Predict."""

import pandas as pd
import streamlit as st

from app_state import (
    active_predictor_or_stop,
    chosen_to_open,
    native_summary_or_none,
    native_table_or_none,
    open_on_predict,
    selected_row,
)
from splice_core.analysis.native import filter_native, summary_matches
from splice_core.plot.native_plots import length_scatter, summary_histogram, table_histogram
from splice_core.predict.predictor import Predictor
from splice_core.seq.intron_text import TRAINED_MAX

VIEWS_NOTE = (
    f"The training library held no intron over {TRAINED_MAX} nt: a longer intron is read as 16 views of {TRAINED_MAX} nt "
    "(its 5' end, a window of its middle, its branch site to 3' end) and its prediction is their mean."
)
SHOWN = {
    "gene": "gene",
    "chromosome": "chromosome",
    "length": "length (nt)",
    "ss5": "5'SS",
    "branch_site": "branch site",
    "ss3": "3'SS",
    "predicted_eff": "prediction",
    "predicted_sd": "± spread",
    "interval_low": "interval from",
    "interval_high": "interval to",
    "guessing": "the model is guessing",
}


def show_filters(table: pd.DataFrame) -> pd.DataFrame:
    """Gene, length and prediction filters; the rows that pass them."""
    gene, length, predicted = st.columns([2, 3, 3])
    query = gene.text_input("Gene contains", key="native_gene")
    low, high = int(table["length"].min()), int(table["length"].max())
    lengths = length.slider("Length (nt)", low, high, (low, high), key="native_length")
    values = predicted.slider("Prediction", 0.0, 1.0, (0.0, 1.0), step=0.01, key="native_predicted")
    return filter_native(table, query, lengths, values)


def show_table(table: pd.DataFrame, shown: pd.DataFrame) -> None:
    """The sortable table (select a row to open it on Predict), and a gene chooser that does the same."""
    st.caption(
        f"{len(shown)} of {len(table)} introns. Click a column header to sort; select a row to open that intron on the Predict page."
    )
    view = shown[[c for c in SHOWN if c in shown.columns]].rename(columns=SHOWN)
    number = {
        "prediction": st.column_config.NumberColumn(format="%.3f"),
        "± spread": st.column_config.NumberColumn(format="%.3f"),
    }
    row = selected_row(view, number, "native_table")
    if row is not None:
        open_on_predict(shown["sequence"].iloc[row])
    labels = [f"{g} ({n} nt)" for g, n in zip(shown["gene"], shown["length"])]
    choice = chosen_to_open(labels, "Or choose an intron", "Open on Predict page", "native_choice")
    if choice is not None:
        open_on_predict(shown["sequence"].iloc[choice])


def show_full(table: pd.DataFrame) -> None:
    """The page with the data directory: figures, distribution, filters, table."""
    views = int((table["length"] > TRAINED_MAX).sum())
    count, median, long = st.columns(3)
    count.metric("Introns scored", f"{int(table['predicted_eff'].notna().sum())} of {len(table)}")
    median.metric("Median prediction", f"{table['predicted_eff'].median():.3f}")
    long.metric(f"Longer than {TRAINED_MAX} nt (read through views)", views)
    shown = show_filters(table)
    left, right = st.columns(2)
    left.plotly_chart(table_histogram(shown), key="native_histogram")
    right.plotly_chart(length_scatter(shown), key="native_scatter")
    show_table(table, shown)


def show_summary(summary: dict | None, predictor: Predictor, reason: str) -> None:
    """The page without data: the shipped aggregates of the model's own predictions."""
    if summary is None:
        st.warning(
            f"{reason} No native-intron summary ships with the model either: run `python -m splice_core native --model DIR` with the data directory."
        )
        return
    st.info(
        f"{reason} Shown instead: aggregates of the model's own predictions on the {summary['n_introns']} annotated introns, "
        "shipped with the model (no sequences). Add the data directory for the full, sortable table."
    )
    if not summary_matches(summary, predictor):
        st.caption(
            f"These aggregates come from {summary['model'] or 'another model'} (not the active model's file)."
        )
    stats = summary["stats"]
    count, median, spread = st.columns(3)
    count.metric("Introns scored", f"{summary['n_scored']} of {summary['n_introns']}")
    median.metric(
        "Median prediction",
        f"{stats['median']:.3f}",
        help=f"quartiles {stats['q25']:.3f}–{stats['q75']:.3f}; mean {stats['mean']:.3f}",
    )
    spread.metric("Mean ensemble spread", f"± {stats['mean_spread']:.3f}")
    st.plotly_chart(summary_histogram(summary), key="native_summary_histogram")
    bands = pd.DataFrame(summary["bands"])[["band", "n", "mean", "median", "mean_spread"]]
    st.dataframe(
        bands.rename(
            columns={
                "n": "introns",
                "mean": "mean prediction",
                "median": "median prediction",
                "mean_spread": "mean spread",
            }
        ),
        hide_index=True,
    )


def main() -> None:
    """The page."""
    st.title("Native introns")
    st.caption(
        "Every annotated *S. cerevisiae* intron (`wildtype_introns.csv`) scored by the active model: prediction ± the ensemble members' spread. "
        + VIEWS_NOTE
    )
    predictor = active_predictor_or_stop()
    table, reason = native_table_or_none()
    if table is None:
        show_summary(native_summary_or_none(), predictor, reason)
    else:
        show_full(table)


main()
