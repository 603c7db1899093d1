"""Batch scoring: predictions for a FASTA or CSV/xlsx file of introns, with bad rows reported."""
import plotly.express as px
import streamlit as st

from app_state import active_predictor_or_stop, reporter_or_none, template_or_none
from splice_core.batch import MEASURED_COLUMN, bad_rows, read_batch_input, score_frame, scored_metrics
from splice_core.contexts import DesignTemplate
from splice_core.intron_input import MAX_INTRON
from splice_core.intron_view import READING_NOTE
from splice_core.library import DataFileError, Reporter
from splice_core.predictor import Predictor

FILE_TYPES = ["fa", "fasta", "fna", "txt", "csv", "xlsx"]


@st.cache_data(show_spinner="Scoring…", max_entries=8)
def cached_scores(model_path: str, raw: bytes, name: str, template: DesignTemplate | None, reporter: Reporter | None, _predictor: Predictor):
    """The scored table of an uploaded file (raises DataFileError for an unreadable file)."""
    return score_frame(_predictor, read_batch_input(raw, name), template, reporter)


def main() -> None:
    """The page."""
    st.title("Batch scoring")
    st.markdown(
        "Upload a **FASTA** file of introns, or a **CSV/xlsx** table with an `intron_seq` (or `intron`, `sequence`) column. "
        "Each intron is written 5' splice site first, 3' splice site last; other columns are kept. "
        f"Rows that cannot be scored are listed with the reason; the rest are scored. A `{MEASURED_COLUMN}` column, "
        f"when present, is compared with the predictions. Introns of up to {MAX_INTRON:,} nt are taken. {READING_NOTE}"
    )
    uploaded = st.file_uploader("Introns to score", type=FILE_TYPES, key="batch_file")
    if uploaded is None:
        st.info("Upload a file to score it.")
        st.stop()
    predictor = active_predictor_or_stop()
    template = template_or_none() if predictor.needs_design else None
    reporter = reporter_or_none() if predictor.context == "full" else None
    try:
        scored = cached_scores(predictor.path, uploaded.getvalue(), uploaded.name, template, reporter, predictor)
    except (DataFileError, ValueError) as err:
        st.error(str(err))
        st.stop()

    bad = bad_rows(scored)
    total, failed = len(scored), len(bad)
    left, middle, right = st.columns(3)
    left.metric("Rows", f"{total:,}")
    middle.metric("Scored", f"{total - failed:,}")
    right.metric("Not scored", f"{failed:,}")
    if failed:
        st.warning(f"{failed:,} of {total:,} rows could not be scored (listed below); the other rows were scored.")
        st.dataframe(bad, hide_index=True, key="bad_rows")
    metrics = scored_metrics(scored)
    if metrics:
        st.caption(f"Against `{MEASURED_COLUMN}` ({metrics['n']:,} rows): Pearson {metrics['pearson']:.3f} · Spearman {metrics['spearman']:.3f} · MSE {metrics['mse']:.4f}")

    st.subheader("Predictions")
    st.dataframe(
        scored, hide_index=True, key="scores",
        column_config={
            "predicted_eff": st.column_config.NumberColumn("predicted_eff", format="%.3f"),
            "predicted_sd": st.column_config.NumberColumn("predicted_sd", format="%.3f"),
        },
    )
    st.download_button("Download predictions (CSV)", scored.to_csv(index=False), file_name="predictions.csv", mime="text/csv")
    if total - failed > 1:
        figure = px.histogram(scored.dropna(subset=["predicted_eff"]), x="predicted_eff", nbins=40, labels={"predicted_eff": "predicted splicing efficiency"})
        figure.update_layout(height=280, margin=dict(l=10, r=10, t=10, b=10))
        st.plotly_chart(figure, key="histogram")


main()
