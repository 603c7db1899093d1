"""The epistasis map of a double-mutant scan (plotly): one cell per pair of positions, each linked to its pair."""

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from splice_core.data.sites import SITE_COLORS
from splice_core.plot.clickable_heatmap import click_layer, diverging_heatmap

MAX_MAP_LENGTH = 150


def strongest_pairs(table: pd.DataFrame) -> pd.DataFrame:
    """One row of a :func:`~splice_core.analysis.double_mutants.pair_effects` table per pair of positions: the largest |epistasis|.

    The row keeps its index in ``table`` (``pair`` column), so a cell can be traced back to its pair.
    """
    order = table["epistasis"].abs().to_numpy().argsort(kind="stable")[::-1]
    ranked = table.iloc[order].assign(pair=order)
    return (
        ranked.drop_duplicates(["position_1", "position_2"])
        .sort_values(["position_1", "position_2"])
        .reset_index(drop=True)
    )


def epistasis_matrix(cells: pd.DataFrame, length: int) -> np.ndarray:
    """Epistasis ``(L, L)`` at ``[position_2 - 1, position_1 - 1]`` (below the diagonal), NaN elsewhere."""
    matrix = np.full((length, length), np.nan)
    matrix[cells["position_2"].to_numpy() - 1, cells["position_1"].to_numpy() - 1] = cells[
        "epistasis"
    ].to_numpy()
    return matrix


def epistasis_heatmap(table: pd.DataFrame, length: int, spans: dict[str, tuple[int, int]]) -> go.Figure:
    """Heatmap of the strongest epistasis per pair of positions; a transparent marker per cell makes it clickable."""
    cells = strongest_pairs(table)
    matrix = epistasis_matrix(cells, length)
    fig = diverging_heatmap(matrix, np.arange(1, length + 1), np.arange(1, length + 1), "epistasis")
    fig.add_trace(
        click_layer(
            cells["position_1"].tolist(),
            cells["position_2"].tolist(),
            cells[["pair", "mutation", "effect", "epistasis"]].to_numpy(object).tolist(),
            name="pairs",
            size=4,
            hovertemplate="%{customdata[1]}: pair Δ %{customdata[2]:+.3f}, epistasis %{customdata[3]:+.3f}<extra>click for the pair</extra>",
        )
    )
    for name, (start, end) in spans.items():
        for rect in (fig.add_vrect, fig.add_hrect):
            rect(
                start + 0.5,
                end + 0.5,
                line=dict(color=SITE_COLORS[name], width=1),
                fillcolor=SITE_COLORS[name],
                opacity=0.1,
                layer="below",
            )
    fig.update_layout(
        height=560,
        margin=dict(l=50, r=10, t=20, b=40),
        clickmode="event+select",
        dragmode=False,
        # square cells: the plot area shrinks to fit (constrain="domain"), the axes stay on the intron
        xaxis=dict(title="first change (nt)", range=[0.5, length + 0.5], constrain="domain"),
        yaxis=dict(
            title="second change (nt)", range=[0.5, length + 0.5], scaleanchor="x", constrain="domain"
        ),
    )
    return fig


def point_to_pair(point: dict) -> int | None:
    """The pair table's row index of a clicked map cell, None for a point that is no pair."""
    data = point.get("customdata")
    if (
        isinstance(data, (list, tuple))
        and data
        and isinstance(data[0], (int, float))
        and not isinstance(data[0], bool)
    ):
        return int(data[0])
    return None
