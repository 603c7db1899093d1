"""Model page: the active model beside the PWM baseline, the reference study's Table 1, training curves, versions."""

from pathlib import Path

import pandas as pd
import plotly.express as px
import streamlit as st

from app_state import active_predictor, library_or_none, model_label
from splice_core.data.library import DataFileError, data_dir
from splice_core.models.store import active_model_path, list_versions, version_collapse_note
from splice_core.plot.count_heatmap import count_heatmap
from splice_core.plot.type_colors import type_colors
from splice_core.predict.predictor import Predictor
from splice_core.reports import model_tables as mr
from splice_core.reports.shipped_report import blend_text

THREE_DECIMAL_COLUMN = st.column_config.NumberColumn(format="%.3f")
THREE_DECIMALS = {c: THREE_DECIMAL_COLUMN for c in ("mse", "balanced_mse", "pearson", "spearman")}


@st.cache_data(show_spinner="Scoring the test split…", max_entries=4)
def cached_test_predictions(
    model_path: str, model_mtime: float, library_sha: str, _predictor: Predictor, _frame: pd.DataFrame
) -> pd.DataFrame:
    """Test-split predictions, computed once per (model file, library file)."""
    return mr.test_split_predictions(_predictor, _frame, data_dir())


def scored_test_split_or_none(predictor: Predictor) -> tuple[pd.DataFrame | None, str]:
    """(test-split predictions, "") from the data directory, else (None, why the card's counts are shown)."""
    frame, problem = library_or_none()
    if frame is None:
        return None, f"{problem} Showing the test counts stored in the model card."
    try:
        model_file = Path(predictor.path) / "model.keras"
        table = cached_test_predictions(
            predictor.path, model_file.stat().st_mtime, frame.attrs["sha256"], predictor, frame
        )
    except (DataFileError, ValueError) as err:
        return (
            None,
            f"Cannot score the data directory with this model ({err}). Showing the card's test counts.",
        )
    if table.empty:
        return (
            None,
            "None of this model's test constructs are in the data directory. Showing the card's test counts.",
        )
    return table, ""


def render_table_section(table: pd.DataFrame | None, title: str, caption: str, decimals: int = 3) -> None:
    """A subheader, a caption and the table with its decimal numbers to ``decimals`` places; nothing for a card
    without the table."""
    if table is None:
        return
    st.subheader(title)
    st.caption(caption)
    column = st.column_config.NumberColumn(format=f"%.{decimals}f")
    st.dataframe(
        table,
        hide_index=True,
        column_config={c: column for c in table.select_dtypes("float").columns},
    )


def render_predicted_vs_measured(predictor: Predictor) -> None:
    """A scatter of the test split from the data, else a heatmap of the card's counts."""
    st.subheader("Predicted vs measured (test split)")
    table, note = scored_test_split_or_none(predictor)
    if table is None:
        st.info(note)
        st.plotly_chart(
            count_heatmap(
                mr.scatter_count_grid(predictor.card), "predicted (bin centre)", "measured (bin centre)"
            ),
            key="model_heatmap",
        )
        return
    st.caption(f"{len(table):,} test constructs scored from the data directory.")
    figure = px.scatter(
        table,
        x="measured",
        y="predicted",
        color="type",
        color_discrete_map=type_colors(table["type"]),
        opacity=0.6,
        range_x=(-0.02, 1.02),
        range_y=(-0.02, 1.02),
    )
    figure.add_shape(type="line", x0=0, y0=0, x1=1, y1=1, line={"dash": "dot", "color": "grey"})
    st.plotly_chart(figure, key="model_scatter")


def render_table1() -> None:
    """The reference study's reported Table 1 beside every reproduce table found."""
    st.subheader("The reference study's Table 1 and its reproduction")
    tables = mr.reproduce_tables()
    if not tables:
        st.caption(
            "No reproduction yet: run `python -m splice_core reproduce --out runs` to fill this table. The study's figures:"
        )
        st.dataframe(mr.study_table1(), hide_index=True)
    for path, table in tables.items():
        st.caption(
            f"`{path}` (this project) with the reference study's reported figures (study_*) beside it:"
        )
        st.dataframe(mr.beside_study(table), hide_index=True)


def render_versions() -> None:
    """Side-by-side card metrics of chosen model versions."""
    st.subheader("Compare model versions")
    versions = list_versions()
    labels = [model_label(p) for p in versions]
    active = model_label(active_model_path())
    chosen = st.multiselect(
        "Versions", labels, default=sorted({labels[0], active}, key=labels.index), key="model_versions"
    )
    if chosen:
        st.dataframe(mr.versions_table([versions[labels.index(c)] for c in chosen]))
    st.caption("Choose the active model (used on every page) in the sidebar.")
    for path in versions:
        note = version_collapse_note(path)
        if note:
            st.warning(f"`{path.name}` {note}.")


st.title("Model")
predictor = active_predictor()
card = predictor.card
st.caption(
    f"Active model: **{model_label(active_model_path())}** · {card['name']} · "
    f"{card['parameters']:,} parameters · trained on {card['device']}"
)
if "peer_blend" in card:
    st.caption(blend_text(card["peer_blend"]).strip())

st.subheader("Overall figures")
st.dataframe(mr.overall_metrics(card), hide_index=True, column_config=THREE_DECIMALS)

render_table_section(
    mr.target_table(card),
    "Targets",
    "Each of the predictor's targets as this model reaches it: the library and the pairs on the test split, the biology "
    "check's knock-outs (the variants the library backs as non-splicing), branch heptamer and neutral indels per "
    "intron length, and the intervals' coverage on test.",
    decimals=mr.TARGET_DECIMALS,
)
render_table_section(
    mr.replicate_table(card),
    "Against the measurement's own noise",
    "Rows whose design was measured with several barcodes: Pearson r of each measurement against the mean of the "
    "design's other barcodes (a repeat of the experiment), and of the predictions on the same rows.",
)
render_table_section(
    mr.noise_floor_table(card),
    "Against a perfect model",
    "What a model that predicted every design's true mean would be expected to score, given how much a design's "
    "barcodes disagree (estimated per library type from the designs measured with several barcodes). r² share: the "
    "model's r² over a perfect model's, the share of the explainable variance it explains.",
)

render_table_section(
    mr.variant_effect_table(card),
    "Variant effects: mutant against wild type",
    "Pairs of a mutant design and its wild type as the library names them, in the mutant's split part: predicted "
    "against measured change (mutant − wild type) on design means. Sign: share of pairs whose measured change exceeds "
    "0.05 where the prediction has its sign. Intervals: 1,000 resamples of the pairs (model), or of the barcode noise "
    "(perfect model: one predicting each pair's true change).",
)
render_table_section(
    mr.knockout_table(card),
    "Knock-outs of natural introns",
    "The library's wild-type natural introns with one splice-site base (or the branch A) substituted or deleted (only "
    "where the library's own constructs show the base now there as non-splicing): mean prediction, beside those "
    "constructs' measured mean.",
)
render_table_section(
    mr.biology_table(card),
    "Biology check: the annotated yeast introns",
    "Every canonical annotated intron with each splice-site base substituted and deleted, its branch heptamer deleted, "
    "and indels of 1-6 nt in its middle (mostly neutral: median |change|), beside what the library's own constructs "
    "with that base there measure (— where it has none), and the mean over the variants those constructs show as "
    "non-splicing (≤ 0.05: the knock-outs the library backs). Longer introns than the library's are read through views.",
)
render_table_section(
    mr.interval_table(card),
    "Intervals: do they hold what they say?",
    "Split-conformal intervals fitted on dev (per bin of the members' spread), and the share of test measurements "
    "inside them.",
)
render_table_section(
    mr.guessing_table(card),
    "Where the model is guessing",
    "Test rows flagged as unlike the library (length outside the library's, or a k-mer profile farther from the "
    "training designs than 95% of dev designs) against the rest: mean absolute error.",
)

render_table_section(
    mr.held_out_agreement_table(card),
    "The held-out member on the library's own rows",
    "Designs are checked by the member left out of their search (within ±0.1 of the target). The same check on dev "
    "and test rows whose other members predict within 0.1 of each target: how often the last member agrees.",
)

st.subheader("Test MSE per library type")
st.caption(
    "Perfect model (expected): what a model predicting each design's true mean would score, given the type's barcode noise."
)
st.plotly_chart(
    px.bar(
        mr.per_library_mse(card),
        x="label",
        y="mse",
        color="predictor",
        barmode="group",
        hover_data=["constructs"],
        labels={"label": "library type (test constructs)", "mse": "test MSE"},
    ),
    key="model_per_library",
)
render_predicted_vs_measured(predictor)

st.subheader("Training curves")
st.plotly_chart(
    px.line(
        mr.history_frame(mr.card_history(card)),
        x="epoch",
        y="loss",
        color="seed",
        line_dash="curve",
        markers=True,
        labels={"loss": mr.loss_label(card["config"])},
    ),
    key="model_curves",
)
render_table1()
render_versions()
