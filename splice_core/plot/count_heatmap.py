"""A grid of counts as a heatmap: log colour scale (one crowded cell would wash out the rest), empty cells blank."""

import numpy as np
import pandas as pd
import plotly.graph_objects as go


def log_counts(grid: pd.DataFrame) -> np.ndarray:
    """log10 of each count ``(rows, columns)``; NaN where the count is 0 (drawn blank)."""
    counts = grid.to_numpy(float)
    return np.log10(np.where(counts > 0, counts, np.nan))


def count_heatmap(grid: pd.DataFrame, x_title: str, y_title: str, what: str = "constructs") -> go.Figure:
    """Heatmap of ``grid`` (rows bottom to top, columns left to right): colour on a log scale, the count written
    in every non-empty cell, a colour bar labelled in counts."""
    z = log_counts(grid)
    top = int(np.ceil(np.nanmax(z))) if np.isfinite(z).any() else 1
    ticks = list(range(top + 1))
    text = np.where(np.isfinite(z), grid.to_numpy().astype(int).astype(str), "")
    return go.Figure(
        go.Heatmap(
            z=z,
            x=list(grid.columns),
            y=list(grid.index),
            text=text,
            texttemplate="%{text}",
            colorscale="Blues",
            colorbar=dict(title=what, tickvals=ticks, ticktext=[f"{10**t:,}" for t in ticks]),
            hovertemplate=f"{x_title} %{{x}}, {y_title} %{{y}}: %{{text}} {what}<extra></extra>",
        ),
        layout=dict(xaxis_title=x_title, yaxis_title=y_title),
    )
