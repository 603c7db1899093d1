"""A diverging plotly heatmap whose cells can be clicked: the figure base of the mutagenesis and epistasis maps."""

import numpy as np
import plotly.graph_objects as go

COLORSCALE = "RdBu"  # low values red, high values blue
NEGATIVE_COLOR, POSITIVE_COLOR = "red", "blue"  # the words captions use for COLORSCALE's two ends


def symmetric_limit(z: np.ndarray) -> float:
    """The largest |value| of ``z`` (NaN ignored), at least 1e-6, so the colour scale is centred on zero."""
    magnitude = np.abs(np.asarray(z, float))
    return max(float(np.nanmax(magnitude)) if np.isfinite(magnitude).any() else 0.0, 1e-6)


def diverging_heatmap(z: np.ndarray, x, y, colorbar_title: str, **heatmap) -> go.Figure:
    """Heatmap of ``z`` ``(len(y), len(x))`` centred on zero (negative red, positive blue); no hover (the click layer carries it)."""
    limit = symmetric_limit(z)
    return go.Figure(
        go.Heatmap(
            z=z,
            x=x,
            y=y,
            zmid=0,
            zmin=-limit,
            zmax=limit,
            colorscale=COLORSCALE,
            colorbar=dict(title=colorbar_title, thickness=12),
            hoverinfo="skip",
            **heatmap,
        )
    )


def click_layer(x: list, y: list, customdata: list, name: str, size: int, hovertemplate: str) -> go.Scatter:
    """Transparent square markers over the cells at ``(x, y)``: they carry the hover text and make cells clickable.

    A click (Streamlit's ``on_select``) reports the marker's ``customdata``; the markers stay invisible when
    selected.
    """
    return go.Scatter(
        x=x,
        y=y,
        customdata=customdata,
        mode="markers",
        showlegend=False,
        name=name,
        marker=dict(symbol="square", size=size, color="rgba(0,0,0,0)"),
        selected=dict(marker=dict(opacity=0)),
        unselected=dict(marker=dict(opacity=0)),
        hovertemplate=hovertemplate,
    )
