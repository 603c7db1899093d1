"""Dataset page: splicing efficiency overall and per library type, from the data or the shipped card."""

import pandas as pd
import plotly.express as px
import streamlit as st

from app_state import library_or_none
from splice_core.models.store import PRETRAINED_DIR, read_card
from splice_core.plot.type_colors import type_colors
from splice_core.reports import dataset_tables as ds

EFFICIENCY = "splicing efficiency"
LOG_COUNTS, PANELS, LINEAR_COUNTS = "log count axis", "one panel per library type", "linear count axis"


def histogram_view() -> str:
    """How to draw the efficiency histogram: most constructs lie below 0.1, so a linear axis hides the rest."""
    return st.radio(
        "Histogram",
        [LOG_COUNTS, PANELS, LINEAR_COUNTS],
        horizontal=True,
        key="dataset_histogram_view",
        help="Most constructs splice below 0.1: on a linear count axis that bar hides the rest of the distribution.",
    )


def distribution_figure(histograms: pd.DataFrame, view: str, colors: dict[str, str]):
    """Efficiency histogram per type: lines on a log count axis (stacked bars misread there), panels, or stacked bars."""
    shared = dict(
        color="type", color_discrete_map=colors, labels={"bin_centre": EFFICIENCY, "count": "constructs"}
    )
    if view == LOG_COUNTS:
        return px.line(
            histograms.assign(count=histograms["count"].where(histograms["count"] > 0)),
            x="bin_centre",
            y="count",
            markers=True,
            log_y=True,
            **shared,
        ).update_xaxes(range=(0, 1))
    if view == PANELS:
        return (
            px.bar(
                histograms,
                x="bin_centre",
                y="count",
                facet_col="type",
                facet_col_wrap=4,
                height=720,
                **shared,
            )
            .update_yaxes(matches=None, showticklabels=True)
            .for_each_annotation(lambda a: a.update(text=a.text.split("=")[-1]))
        )
    return px.bar(histograms, x="bin_centre", y="count", **shared).update_xaxes(range=(0, 1))


@st.cache_data(show_spinner=False, max_entries=2)
def cached_explorer_table(library_sha: str, _frame: pd.DataFrame) -> pd.DataFrame:
    """The library's usable rows with lengths and site sequences, built once per library file."""
    return ds.explorer_table(_frame)


def render_summary(summary: pd.DataFrame) -> None:
    """The per-type summary table (constructs, mean, share below 0.1)."""
    st.subheader("Constructs per library type")
    st.dataframe(
        summary,
        column_config={
            "constructs": st.column_config.NumberColumn(format="localized"),
            "mean": st.column_config.NumberColumn(format="%.3f"),
            ds.SHARE_LOW: st.column_config.NumberColumn(format="%.3f"),
        },
    )


def data_filters(table: pd.DataFrame) -> ds.LibraryFilter:
    """Filter widgets for library type, intron length and site sequences."""
    with st.expander("Filters", expanded=True):
        types = st.multiselect(
            "Library types (none = all)", sorted(table["type"].unique()), key="dataset_types"
        )
        low, high = int(table["intron_length"].min()), int(table["intron_length"].max())
        length = st.slider(
            "Intron length (nt)", low, max(high, low + 1), (low, max(high, low + 1)), key="dataset_length"
        )
        columns = st.columns(3)
        sites = {
            site: column.multiselect(
                f"{label} (none = all)", ds.site_options(table, site), key=f"dataset_{site}"
            )
            for column, (site, label) in zip(columns, ds.SITE_LABELS.items())
        }
    return ds.LibraryFilter(
        types=tuple(types), length_range=length, **{k: tuple(v) for k, v in sites.items()}
    )


def render_data_view(frame: pd.DataFrame) -> None:
    """Distributions and other measured columns from the library rows."""
    table = cached_explorer_table(frame.attrs["sha256"], frame)
    rows = ds.filter_rows(table, data_filters(table))
    st.caption(
        f"{len(rows):,} of {len(table):,} constructs with a measured splicing efficiency ({frame.attrs.get('path', '')})."
    )
    if rows.empty:
        st.warning("No construct passes these filters.")
        return
    render_summary(ds.efficiency_summary(rows))
    st.subheader("Distribution")
    colors = type_colors(table["type"])
    st.plotly_chart(
        distribution_figure(ds.row_histograms(rows), histogram_view(), colors), key="dataset_histogram"
    )
    st.plotly_chart(
        px.violin(
            rows,
            x="type",
            y="splicing_eff",
            color="type",
            color_discrete_map=colors,
            box=True,
            labels={"splicing_eff": EFFICIENCY},
        )
        .update_traces(spanmode="hard")
        .update_layout(showlegend=False),
        key="dataset_violins",
    )
    st.subheader("Other measured columns")
    column = st.selectbox("Column", ds.numeric_columns(rows), key="dataset_column")
    if column:
        st.plotly_chart(
            px.scatter(
                rows,
                x=column,
                y="splicing_eff",
                color="type",
                color_discrete_map=colors,
                opacity=0.5,
                render_mode="webgl",
                labels={"splicing_eff": EFFICIENCY},
            ),
            key="dataset_scatter",
        )


def render_card_view(reason: str) -> None:
    """Distributions from the shipped model card's aggregate histograms (no rows needed)."""
    card = read_card(PRETRAINED_DIR)
    st.info(
        f"{reason} Showing the aggregate histograms stored in the shipped model card instead "
        "(filtering by intron length or site sequence needs the data)."
    )
    all_types = tuple(t for t in card["histograms"]["measured"] if t != "all")
    types = tuple(st.multiselect("Library types (none = all)", sorted(all_types), key="dataset_types"))
    render_summary(ds.histogram_summary(card, types))
    histograms = ds.card_histograms(card, types)
    st.subheader("Distribution")
    colors = type_colors(all_types)
    st.plotly_chart(distribution_figure(histograms, histogram_view(), colors), key="dataset_histogram")
    st.plotly_chart(
        px.line(
            histograms,
            x="bin_centre",
            y="share",
            color="type",
            color_discrete_map=colors,
            markers=True,
            labels={"bin_centre": EFFICIENCY, "share": "share of the type's constructs"},
        ),
        key="dataset_shares",
    )


st.title("Dataset")
library, problem = library_or_none()
if library is None:
    render_card_view(problem)
else:
    render_data_view(library)
