"""The lollipop plot of scored VCF variants along one intron: change in predicted efficiency at each position."""

import pandas as pd
import plotly.graph_objects as go

from splice_core.data.sites import SITE_COLORS, SITE_NAMES, site_spans
from splice_core.variants.alleles import NO_SITE, SITE_CODES

OTHER_COLOR = "#7f7f7f"
SITE_OF_CODE = {code: name for name, code in SITE_CODES.items()}


def site_color(site: str) -> str:
    """The colour of a variant's first site hit (grey for none)."""
    first = str(site).split("&")[0]
    return SITE_COLORS[SITE_OF_CODE[first]] if first in SITE_OF_CODE else OTHER_COLOR


def lollipop_figure(variants: pd.DataFrame, length: int, branch: int, title: str = "") -> go.Figure:
    """Stems from 0 to each variant's ``change`` at its ``intron_position`` (1-based), coloured by the site hit;
    the 5'SS, branch site (when ``branch`` >= 0) and 3'SS shaded."""
    shown = variants.dropna(subset=["change", "intron_position"])
    x, y = shown["intron_position"].astype(int).tolist(), shown["change"].astype(float).tolist()
    stems_x = [v for p in x for v in (p, p, None)]
    stems_y = [v for c in y for v in (0.0, c, None)]
    fig = go.Figure(
        go.Scatter(
            x=stems_x, y=stems_y, mode="lines", line=dict(color="#bbbbbb"), hoverinfo="skip", showlegend=False
        )
    )
    hover = [
        f"{row.intron_change} ({row.chrom}:{row.pos} {row.ref}>{row.alt})<br>change {row.change:+.3f} ± {row.change_sd:.3f}"
        for row in shown.itertuples()
    ]
    fig.add_trace(
        go.Scatter(
            x=x,
            y=y,
            mode="markers",
            marker=dict(
                size=10, color=[site_color(s) for s in shown["site"]], line=dict(width=1, color="white")
            ),
            text=hover,
            hovertemplate="%{text}<extra></extra>",
            showlegend=False,
        )
    )
    for name, (start, end) in site_spans(length, max(branch, 0)).items():
        if name != "branch" or branch >= 0:
            fig.add_vrect(
                x0=start + 0.5,
                x1=end + 0.5,
                fillcolor=SITE_COLORS[name],
                opacity=0.15,
                line_width=0,
                annotation_text=SITE_NAMES[name],
                annotation_position="top left",
            )
    fig.add_hline(y=0, line_color="#444444", line_width=1)
    fig.update_layout(
        title=title,
        xaxis=dict(title="intron position (nt, 5' to 3')", range=[0, length + 1]),
        yaxis_title="change in predicted efficiency",
        height=340,
        margin=dict(t=40 if title else 20, b=40),
    )
    return fig


def sites_legend() -> str:
    """What the marker colours mean (for a caption)."""
    names = [f"{SITE_NAMES[name]}: {SITE_COLORS[name]}" for name in SITE_COLORS]
    return "; ".join(names) + f"; no site ({NO_SITE}): {OTHER_COLOR}"
