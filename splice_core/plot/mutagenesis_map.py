"""The in-silico mutagenesis heatmap (plotly) and reading a click on it back as a mutation."""

import numpy as np
import plotly.graph_objects as go

from splice_core.data.sites import SITE_COLORS
from splice_core.plot.clickable_heatmap import click_layer, diverging_heatmap
from splice_core.seq.encoding import ALPHABET
from splice_core.seq.mutations import change_label
from splice_core.seq.views import column_positions, piece_joins, position_ticks

ROWS = (*ALPHABET, "del")
SITE_SHORT = {"ss5": "5'SS", "branch": "BP", "ss3": "3'SS"}


def effect_matrix(subs: np.ndarray, dels: np.ndarray) -> np.ndarray:
    """Deltas ``(5, L)``: rows A, C, G, T substitutions then the deletion."""
    return np.vstack([np.asarray(subs, float).T, np.asarray(dels, float)[None]])


def mutation_cells(
    sequence: str, matrix: np.ndarray, positions: np.ndarray | None = None
) -> tuple[list[int], list[str], list[list]]:
    """x (column), y and customdata ``[intron position, mutant, label, delta]`` of every cell that is a mutation.

    ``positions`` ``(L,)``: the 1-based intron position of each column (a view of a longer intron); default 1..L.
    """
    at = column_positions(len(sequence), positions)
    xs, ys, data = [], [], []
    for i, wild in enumerate(sequence):
        for row, name in enumerate(ROWS):
            if name != wild:
                mutant = "-" if name == "del" else name
                xs.append(i + 1)
                ys.append(name)
                data.append(
                    [int(at[i]), mutant, change_label(wild, int(at[i]), mutant), float(matrix[row, i])]
                )
    return xs, ys, data


def mutagenesis_heatmap(
    sequence: str,
    subs: np.ndarray,
    dels: np.ndarray,
    spans: dict[str, tuple[int, int]],
    positions: np.ndarray | None = None,
) -> go.Figure:
    """Heatmap of the predicted change for every substitution and deletion; wild-type bases marked (●), sites boxed.

    ``spans`` are 0-based column spans. ``positions`` ``(L,)``: the 1-based intron position of each column when
    ``sequence`` is a view of a longer intron; the axis ticks, hover labels and click data then give intron
    positions, and a dashed line marks each join between the view's pieces. A transparent marker layer over the
    cells carries the hover text and makes each cell clickable.
    """
    matrix = effect_matrix(subs, dels)
    at = column_positions(len(sequence), positions)
    marks = [["●" if name == wild else "" for wild in sequence] for name in ROWS]
    columns = np.arange(1, len(sequence) + 1)
    fig = diverging_heatmap(matrix, columns, list(ROWS), "Δ efficiency", text=marks, texttemplate="%{text}")
    fig.add_trace(
        click_layer(
            *mutation_cells(sequence, matrix, at),
            name="mutations",
            size=10,
            hovertemplate="%{customdata[2]}: Δ %{customdata[3]:+.3f}<extra>click to apply</extra>",
        )
    )
    for name, (start, end) in spans.items():
        fig.add_vrect(
            x0=start + 0.5,
            x1=end + 0.5,
            line=dict(color=SITE_COLORS[name], width=2),
            fillcolor=SITE_COLORS[name],
            opacity=0.15,
            layer="above",
        )
        fig.add_annotation(  # above the plot area, not over the cells
            x=(start + end + 1) / 2,
            y=1,
            xref="x",
            yref="paper",
            yanchor="bottom",
            text=SITE_SHORT[name],
            showarrow=False,
            font=dict(color=SITE_COLORS[name], size=11),
        )
    for join in piece_joins(at):
        fig.add_vline(x=join, line=dict(color="black", width=1, dash="dash"))
    tickvals, ticktext = position_ticks(at)
    fig.update_layout(
        height=300,
        margin=dict(l=40, r=10, t=36, b=40),
        clickmode="event+select",
        dragmode=False,
        xaxis=dict(
            title="intron position (nt)",
            range=[0.5, len(sequence) + 0.5],
            tickmode="array",
            tickvals=tickvals,
            ticktext=ticktext,
        ),
        yaxis=dict(title="mutant", autorange="reversed", categoryorder="array", categoryarray=list(ROWS)),
    )
    return fig


def point_to_mutation(point: dict) -> tuple[int, str] | None:
    """(1-based intron position, mutant base or ``-``) of a clicked heatmap point, None for a cell that is no mutation."""
    data = point.get("customdata")
    if isinstance(data, (list, tuple)) and len(data) >= 2 and data[1] in (*ALPHABET, "-"):
        return int(data[0]), str(data[1])
    return None
