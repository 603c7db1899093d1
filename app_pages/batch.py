"""Batch scoring: predictions for a FASTA or CSV/xlsx file of introns (any length, streamed), with bad rows reported."""

import plotly.express as px
import streamlit as st

from app_state import active_predictor_or_stop, scratch_output_path, template_inputs_or_stop
from splice_core.data.contexts import OligoTemplate
from splice_core.data.library import DataFileError, Reporter
from splice_core.predict.batch import LISTED_BAD_ROWS, PREVIEW_ROWS, BatchSummary, score_file
from splice_core.predict.predictor import Predictor, spread_help
from splice_core.predict.tables import MEASURED_COLUMN, check_input
from splice_core.seq.intron_text import MAX_INTRON
from splice_core.seq.views import READING_NOTE

FILE_TYPES = ["fa", "fasta", "fna", "txt", "csv", "xlsx"]
RESULT_TTL = 3600  # seconds a scored file stays cached


@st.cache_data(show_spinner=False, max_entries=4, ttl=RESULT_TTL)
def cached_scores(
    model_path: str,
    raw: bytes,
    name: str,
    template: OligoTemplate | None,
    reporter: Reporter | None,
    _predictor: Predictor,
    _on_progress=None,
) -> tuple[BatchSummary, str]:
    """(summary, path of the scored CSV) of an uploaded file, scored chunk by chunk (raises DataFileError for an unreadable file)."""
    out = scratch_output_path(model_path, raw, name)
    return score_file(_predictor, raw, out, name, template, reporter, on_progress=_on_progress), str(out)


def read_bytes(path: str):
    """A function returning the bytes of ``path`` (the download reads the file only when clicked)."""
    return lambda: open(path, "rb").read()


def main() -> None:
    """The page."""
    st.title("Batch scoring")
    st.markdown(
        "Upload a **FASTA** file of introns, or a **CSV/xlsx** table with an `intron_seq` (or `intron`, `sequence`; any "
        "case) column, separated by commas, semicolons or tabs. "
        "Each intron is written 5' splice site first, 3' splice site last; other columns are kept. Files of any length "
        f"are scored a chunk at a time. Rows that cannot be scored (for example a sequence cell holding a digit) are listed "
        f"with the reason; the rest are scored. A `{MEASURED_COLUMN}` column, when present, is compared with the predictions. "
        f"Introns of up to {MAX_INTRON:,} nt are taken. {READING_NOTE}"
    )
    uploaded = st.file_uploader("Introns to score", type=FILE_TYPES, key="batch_file")
    if uploaded is None:
        st.info("Upload a file to score it.")
        st.stop()
    try:
        check_input(uploaded.getvalue(), uploaded.name)  # named before the model loads
    except DataFileError as err:
        st.error(str(err))
        st.stop()
    predictor = active_predictor_or_stop()
    design = template_inputs_or_stop(predictor)
    bar = st.progress(0.0, text="Scoring…")
    try:
        summary, output = cached_scores(
            predictor.path,
            uploaded.getvalue(),
            uploaded.name,
            design["template"],
            design["reporter"],
            predictor,
            lambda fraction, rows: bar.progress(fraction, text=f"Scoring… {rows:,} rows"),
        )
    except (DataFileError, ValueError) as err:
        bar.empty()
        st.error(str(err))
        st.stop()
    bar.empty()

    total, failed = summary.n_rows, summary.n_bad
    left, middle, right = st.columns(3)
    left.metric("Rows", f"{total:,}")
    middle.metric("Scored", f"{total - failed:,}")
    right.metric("Not scored", f"{failed:,}")
    if failed:
        listed = (
            f" (the first {LISTED_BAD_ROWS:,} are listed below)"
            if failed > LISTED_BAD_ROWS
            else " (listed below)"
        )
        st.warning(f"{failed:,} of {total:,} rows could not be scored{listed}; the other rows were scored.")
        st.dataframe(summary.bad_table(), hide_index=True, key="bad_rows")
    metrics = summary.metrics()
    if metrics:
        st.caption(
            f"Against `{MEASURED_COLUMN}` ({metrics['n']:,} rows): Pearson {metrics['pearson']:.3f} · Spearman {metrics['spearman']:.3f} · MSE {metrics['mse']:.4f}"
        )
        if metrics["outside"]:
            st.warning(
                f"{metrics['outside']:,} of the {metrics['n']:,} measured `{MEASURED_COLUMN}` values lie outside 0..1, "
                "though an efficiency is a share (values in percent?); they are used as given in these figures."
            )

    st.subheader("Predictions")
    if total > PREVIEW_ROWS:
        st.caption(f"The first {PREVIEW_ROWS:,} of {total:,} rows; the download holds them all.")
    st.caption(
        f"predicted_sd: {spread_help(predictor.n_members)}. interval_low..interval_high: a calibrated interval "
        "(its held-out coverage is on the Model page). guessing: why the model is guessing about a row (a length "
        "outside the library's, or a sequence unlike the library's), empty where it is not."
    )
    st.dataframe(
        summary.preview_table(),
        hide_index=True,
        key="scores",
        column_config={
            "predicted_eff": st.column_config.NumberColumn("predicted_eff", format="%.3f"),
            "predicted_sd": st.column_config.NumberColumn("predicted_sd", format="%.3f")
            if predictor.n_members > 1
            else None,
            "interval_low": st.column_config.NumberColumn("interval_low", format="%.3f"),
            "interval_high": st.column_config.NumberColumn("interval_high", format="%.3f"),
            "library_distance": st.column_config.NumberColumn("library_distance", format="%.2f"),
        },
    )
    st.download_button(
        "Download predictions (CSV)", read_bytes(output), file_name="predictions.csv", mime="text/csv"
    )
    if total - failed > 1:
        counts = summary.histogram()
        figure = px.bar(
            counts, x="predicted_eff", y="rows", labels={"predicted_eff": "predicted splicing efficiency"}
        )
        figure.update_traces(width=1 / len(counts))
        figure.update_layout(height=280, margin=dict(l=10, r=10, t=10, b=10), xaxis_range=[0, 1], bargap=0)
        st.plotly_chart(figure, key="histogram")


main()
