"""Plots of the native introns' predictions: from the scored table, or from the shipped aggregates alone."""

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from splice_core.analysis.native import HISTOGRAM_EDGES, LENGTH_BANDS, band_label
from splice_core.seq.intron_text import TRAINED_MAX

AXIS = "predicted splicing efficiency"


def band_order() -> list[str]:
    """The length bands' labels, shortest first."""
    return [band_label(low, high) for low, high in LENGTH_BANDS]


def table_histogram(table: pd.DataFrame) -> go.Figure:
    """Stacked histogram of the predictions, one colour per length band (the summary's bins)."""
    fig = go.Figure()
    for band in band_order():
        part = table.loc[table["band"] == band, "predicted_eff"]
        if len(part):
            fig.add_trace(
                go.Histogram(
                    x=part, name=band, xbins=dict(start=0.0, end=1.0, size=float(HISTOGRAM_EDGES[1]))
                )
            )
    fig.update_layout(
        barmode="stack",
        xaxis_title=AXIS,
        yaxis_title="introns",
        legend_title="length",
        height=320,
        margin=dict(t=20, b=40),
    )
    return fig


def summary_histogram(summary: dict) -> go.Figure:
    """Bar chart of the shipped histogram of predictions."""
    edges = np.asarray(summary["histogram"]["edges"], float)
    fig = go.Figure(
        go.Bar(x=(edges[:-1] + edges[1:]) / 2, y=summary["histogram"]["counts"], width=np.diff(edges) * 0.95)
    )
    fig.update_layout(
        xaxis_title=AXIS, yaxis_title="introns", xaxis_range=[0, 1], height=320, margin=dict(t=20, b=40)
    )
    return fig


def length_scatter(table: pd.DataFrame) -> go.Figure:
    """Prediction against intron length (log axis), ensemble spread as error bars, gene on hover."""
    fig = go.Figure(
        go.Scatter(
            x=table["length"],
            y=table["predicted_eff"],
            mode="markers",
            text=table["gene"],
            error_y=dict(type="data", array=table["predicted_sd"], thickness=0.6, width=0),
            hovertemplate="%{text}: %{x} nt, %{y:.3f}<extra></extra>",
        )
    )
    fig.add_vline(x=TRAINED_MAX, line_dash="dot")
    # On a log axis an annotation's x is in log10 units (a line's is not): 148 would stand at 10^148.
    fig.add_annotation(
        x=np.log10(TRAINED_MAX),
        y=1,
        yref="paper",
        text=f"longest library intron ({TRAINED_MAX} nt)",
        showarrow=False,
        xanchor="left",
        yanchor="bottom",
    )
    fig.update_layout(
        xaxis_type="log",
        xaxis_title="intron length (nt)",
        yaxis_title=AXIS,
        height=320,
        margin=dict(t=20, b=40),
    )
    return fig
