"""The in-silico mutagenesis heatmap (plotly) and reading a click on it back as a mutation."""

import numpy as np
import plotly.graph_objects as go

from .clickable_heatmap import click_layer, diverging_heatmap
from .encoding import ALPHABET
from .mutagenesis import mutation_label
from .sites import SITE_COLORS

ROWS = (*ALPHABET, "del")
SITE_SHORT = {"ss5": "5'SS", "branch": "BP", "ss3": "3'SS"}


def effect_matrix(subs: np.ndarray, dels: np.ndarray) -> np.ndarray:
    """Deltas ``(5, L)``: rows A, C, G, T substitutions then the deletion."""
    return np.vstack([np.asarray(subs, float).T, np.asarray(dels, float)[None]])


def mutation_cells(intron: str, matrix: np.ndarray) -> tuple[list[int], list[str], list[list]]:
    """x, y and customdata ``[position, mutant, label, delta]`` of every cell that is a mutation."""
    xs, ys, data = [], [], []
    for i, wild in enumerate(intron):
        for row, name in enumerate(ROWS):
            if name != wild:
                mutant = "-" if name == "del" else name
                xs.append(i + 1)
                ys.append(name)
                data.append([i + 1, mutant, mutation_label(intron, i + 1, mutant), float(matrix[row, i])])
    return xs, ys, data


def mutagenesis_heatmap(
    intron: str, subs: np.ndarray, dels: np.ndarray, spans: dict[str, tuple[int, int]]
) -> go.Figure:
    """Heatmap of the predicted change for every substitution and deletion; wild-type bases marked (●), sites boxed.

    A transparent marker layer over the cells carries the hover text and makes each cell clickable.
    """
    matrix = effect_matrix(subs, dels)
    positions = np.arange(1, len(intron) + 1)
    marks = [["●" if name == wild else "" for wild in intron] for name in ROWS]
    fig = diverging_heatmap(matrix, positions, list(ROWS), "Δ efficiency", text=marks, texttemplate="%{text}")
    fig.add_trace(
        click_layer(
            *mutation_cells(intron, matrix),
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
            annotation_text=SITE_SHORT[name],
            annotation_position="top left",
        )
    fig.update_layout(
        height=300,
        margin=dict(l=40, r=10, t=30, b=40),
        clickmode="event+select",
        dragmode=False,
        xaxis=dict(title="intron position (nt)", range=[0.5, len(intron) + 0.5]),
        yaxis=dict(title="mutant", autorange="reversed", categoryorder="array", categoryarray=list(ROWS)),
    )
    return fig


def point_to_mutation(point: dict) -> tuple[int, str] | None:
    """(1-based position, mutant base or ``-``) of a clicked heatmap point, None for a cell that is no mutation."""
    data = point.get("customdata")
    if isinstance(data, (list, tuple)) and len(data) >= 2 and data[1] in (*ALPHABET, "-"):
        return int(data[0]), str(data[1])
    return None
