"""Plots of a design table (plotly): prediction against the number of edits, or against each design's target."""

import pandas as pd
import plotly.graph_objects as go


def add_held_out(figure: go.Figure, x: pd.Series, table: pd.DataFrame) -> None:
    """The held-out member's predictions as open markers, when there is one."""
    if table["held_out"].notna().any():
        figure.add_scatter(
            x=x,
            y=table["held_out"],
            mode="markers",
            name="held-out member",
            marker={"symbol": "circle-open", "size": 10},
        )


def edits_figure(table: pd.DataFrame) -> go.Figure:
    """Prediction ± member spread against the number of edits (0 = the intron as given), the target as a line."""
    figure = go.Figure()
    figure.add_scatter(
        x=table["n_edits"],
        y=table["predicted"],
        error_y={"array": table["spread"]},
        mode="lines+markers",
        name="design",
        customdata=table[["edits"]],
        hovertemplate="%{x} edits: %{y:.3f}<br>%{customdata[0]}<extra></extra>",
    )
    add_held_out(figure, table["n_edits"], table)
    target = table["target"].dropna()
    if len(target):
        figure.add_hline(y=float(target.iloc[0]), line_dash="dot", annotation_text="target")
    figure.update_layout(
        xaxis={"title": "number of edits", "dtick": 1},
        yaxis={"title": "predicted efficiency", "range": [0, 1]},
        height=360,
        margin={"t": 30},
    )
    return figure


def targets_figure(table: pd.DataFrame) -> go.Figure:
    """Each from-scratch design's prediction ± spread against its target, with the ±0.05 band around y = x."""
    figure = go.Figure()
    line = [0, 1]
    figure.add_scatter(
        x=line, y=[0.05, 1.05], mode="lines", line={"width": 0}, showlegend=False, hoverinfo="skip"
    )
    figure.add_scatter(
        x=line,
        y=[-0.05, 0.95],
        mode="lines",
        line={"width": 0},
        fill="tonexty",
        name="target ± 0.05",
        fillcolor="rgba(100,100,100,0.15)",
        hoverinfo="skip",
    )
    figure.add_scatter(
        x=table["target"],
        y=table["predicted"],
        error_y={"array": table["spread"]},
        mode="markers",
        name="design",
        text=table["design"],
        hovertemplate="%{text}: %{y:.3f}<extra></extra>",
    )
    add_held_out(figure, table["target"], table)
    figure.update_layout(
        xaxis={"title": "target", "range": [0, 1]},
        yaxis={"title": "predicted efficiency", "range": [0, 1]},
        height=360,
        margin={"t": 30},
    )
    return figure
