"""Sequence-logo figures of per-base attributions (logomaker), with the splice sites shaded."""
import io

import logomaker
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from .encoding import ALPHABET
from .sites import SITE_COLORS, SITE_NAMES

WIDTH_PER_NT = 0.09


def shade_sites(ax, spans: dict[str, tuple[int, int]]) -> None:
    """Shade each 0-based ``[start, end)`` site span on an axis whose x is the 1-based position."""
    for name, (start, end) in spans.items():
        ax.axvspan(start + 0.5, end + 0.5, color=SITE_COLORS[name], alpha=0.18, lw=0, zorder=-3, label=SITE_NAMES[name])


def saliency_logo(attribution: np.ndarray, spans: dict[str, tuple[int, int]], entropy: np.ndarray | None = None) -> Figure:
    """Logo of an ``(L, 4)`` attribution (x = 1-based position), sites shaded; library entropy below when given."""
    length = len(attribution)
    rows = 2 if entropy is not None else 1
    fig = Figure(figsize=(max(6.0, WIDTH_PER_NT * length), 2.4 * rows), layout="constrained")
    axes = np.atleast_1d(fig.subplots(rows, 1, sharex=True, height_ratios=[2, 1][:rows]))
    frame = pd.DataFrame(np.asarray(attribution, float), columns=list(ALPHABET), index=np.arange(1, length + 1))
    logomaker.Logo(frame, ax=axes[0], color_scheme="classic")
    axes[0].set_ylabel("gradient × input")
    axes[0].axhline(0, color="grey", lw=0.5)
    shade_sites(axes[0], spans)
    axes[0].legend(loc="lower right", bbox_to_anchor=(1, 1), fontsize=7, ncols=3, frameon=False)
    if entropy is not None:
        axes[1].stairs(np.nan_to_num(entropy), np.arange(length + 1) + 0.5, fill=True, color="grey")
        axes[1].set_ylim(0, 2)
        axes[1].set_ylabel("library\nentropy (bits)")
        shade_sites(axes[1], spans)
    axes[-1].set_xlabel("intron position (nt)")
    axes[-1].set_xlim(0.5, length + 0.5)
    return fig


def figure_png(fig: Figure, dpi: int = 100) -> bytes:
    """A Matplotlib figure as PNG bytes."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi)
    return buffer.getvalue()
