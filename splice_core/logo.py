"""Sequence-logo figures of per-base attributions (logomaker), with the splice sites shaded."""

import io

import logomaker
import numpy as np
from matplotlib.figure import Figure

from .encoding import ALPHABET
from .intron_view import column_positions, piece_joins, position_ticks
from .sites import SITE_COLORS, SITE_NAMES

WIDTH_PER_NT = 0.09
X_MARGIN = 0.75  # nt beyond the first and last cells, so their letters' outlines are not clipped
BASE_COLORS = {"A": "green", "C": "blue", "G": "orange", "T": "red"}  # logomaker's "classic" scheme


def glyph_spans(values: np.ndarray) -> list[tuple[int, int, float, float]]:
    """``(position, base, floor, ceiling)`` of every non-zero cell of ``(L, 4)`` values, stacked from 0 outwards.

    Positive values stack upwards and negative ones downwards, smallest magnitude nearest the axis.
    """
    spans = []
    for position, row in enumerate(values):
        for sign in (1, -1):
            floor = 0.0
            for base in sorted(np.flatnonzero(sign * row > 0), key=lambda b: abs(row[b])):
                spans.append((position, int(base), floor, floor + row[base]))
                floor += row[base]
    return spans


def draw_logo(ax, values: np.ndarray) -> None:
    """Draw ``(L, 4)`` values as upright logomaker glyphs at x = 1..L, creating glyphs for non-zero cells only."""
    for position, base, floor, ceiling in glyph_spans(values):
        letter = ALPHABET[base]
        logomaker.Glyph(
            position + 1, letter, min(floor, ceiling), max(floor, ceiling), ax=ax, color=BASE_COLORS[letter]
        )
    low, high = (
        min(0.0, values.clip(max=0).sum(1).min(initial=0)),
        max(0.0, values.clip(min=0).sum(1).max(initial=0)),
    )
    pad = 0.05 * (high - low) or 1.0
    ax.set_ylim(low - pad, high + pad)


def shade_sites(ax, spans: dict[str, tuple[int, int]]) -> None:
    """Shade each 0-based ``[start, end)`` site span on an axis whose x is the 1-based position."""
    for name, (start, end) in spans.items():
        ax.axvspan(
            start + 0.5,
            end + 0.5,
            color=SITE_COLORS[name],
            alpha=0.18,
            lw=0,
            zorder=-3,
            label=SITE_NAMES[name],
        )


def saliency_logo(
    attribution: np.ndarray,
    spans: dict[str, tuple[int, int]],
    entropy: np.ndarray | None = None,
    positions: np.ndarray | None = None,
) -> Figure:
    """Logo of an ``(L, 4)`` attribution (x = 1-based column), sites shaded; library entropy below when given.

    ``positions`` ``(L,)``: the 1-based intron position of each column (a view of a longer intron); the ticks
    then name intron positions and a dashed line marks each join between the view's pieces.
    """
    length = len(attribution)
    rows = 2 if entropy is not None else 1
    width = max(6.0, WIDTH_PER_NT * length)
    fig = Figure(figsize=(width, 2.4 * rows))
    fig.subplots_adjust(
        left=0.8 / width,
        right=1 - 0.15 / width,
        bottom=0.45 / (2.4 * rows),
        top=1 - 0.35 / (2.4 * rows),
        hspace=0.08,
    )
    axes = np.atleast_1d(fig.subplots(rows, 1, sharex=True, height_ratios=[2, 1][:rows]))
    draw_logo(axes[0], np.asarray(attribution, float))
    axes[0].set_ylabel("gradient × input")
    axes[0].axhline(0, color="grey", lw=0.5)
    shade_sites(axes[0], spans)
    if spans:
        axes[0].legend(loc="lower right", bbox_to_anchor=(1, 1), fontsize=7, ncols=3, frameon=False)
    if entropy is not None:
        axes[1].stairs(np.nan_to_num(entropy), np.arange(length + 1) + 0.5, fill=True, color="grey")
        axes[1].set_ylim(0, 2)
        axes[1].set_ylabel("library\nentropy (bits)")
        shade_sites(axes[1], spans)
    at = column_positions(length, positions)
    for ax in axes:
        for join in piece_joins(at):
            ax.axvline(join, color="black", lw=0.8, ls="--")
    axes[-1].set_xticks(*position_ticks(at))
    axes[-1].set_xlabel("intron position (nt)")
    axes[-1].set_xlim(0.5 - X_MARGIN, length + 0.5 + X_MARGIN)
    return fig


def figure_png(fig: Figure, dpi: int = 100) -> bytes:
    """A Matplotlib figure as PNG bytes."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi)
    return buffer.getvalue()
