"""Sequence-logo figures of per-base attributions (logomaker's glyphs), with the splice sites shaded."""

import functools
import io

import numpy as np
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.patches import PathPatch
from matplotlib.path import Path
from matplotlib.textpath import TextPath

from splice_core.data.sites import SITE_COLORS, SITE_NAMES
from splice_core.seq.encoding import ALPHABET
from splice_core.seq.views import column_positions, piece_joins, position_ticks

WIDTH_PER_NT = 0.09
X_MARGIN = 0.75  # nt beyond the first and last cells, so their letters' outlines are not clipped
BASE_COLORS = {"A": "green", "C": "blue", "G": "orange", "T": "red"}  # logomaker's "classic" scheme
GLYPH_WIDTH = 0.95  # of a position, as logomaker draws them
WIDEST = "E"  # a letter is stretched no wider than this one would be (logomaker's ``dont_stretch_more_than``)


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


@functools.cache
def unit_glyph(letter: str) -> tuple[np.ndarray, np.ndarray, float]:
    """(vertices ``(V, 2)`` scaled to a unit box, path codes, width share) of a bold sans letter, made once.

    The width share is the letter's width over the widest letter's (:data:`WIDEST`) when narrower, else 1: as
    logomaker's ``Glyph``, a narrow letter is centred, not stretched to the full width.
    """
    font = FontProperties(family="sans", weight="bold")
    path = TextPath((0, 0), letter, size=1, prop=font)
    box, widest = path.get_extents(), TextPath((0, 0), WIDEST, size=1, prop=font).get_extents()
    vertices = (path.vertices - [box.xmin, box.ymin]) / [box.width, box.height]
    return vertices, path.codes, min(1.0, box.width / widest.width)


def glyph_patch(position: float, letter: str, floor: float, ceiling: float) -> PathPatch:
    """The patch of ``letter`` filling ``[floor, ceiling]`` at x = ``position`` (as logomaker's ``Glyph`` draws it)."""
    vertices, codes, share = unit_glyph(letter)
    width = GLYPH_WIDTH * share
    placed = vertices * [width, ceiling - floor] + [position - width / 2, floor]
    return PathPatch(Path(placed, codes), facecolor=BASE_COLORS[letter], edgecolor="black", linewidth=0.0)


def draw_logo(ax, values: np.ndarray) -> None:
    """Draw ``(L, 4)`` values as upright letters at x = 1..L, creating glyphs for non-zero cells only.

    The letters are logomaker's (bold sans, 0.95 wide, no wider than an E), each placed from one path of its
    letter made once: logomaker's ``Glyph`` lays out the letter's text path anew for every glyph, which took
    most of the time of a paste on the Predict page (0.3 s CPU of a 148-nt logo). They are added as artists, not
    with ``add_patch``, which would compute each letter's curves' extent for data limits set below anyway.
    """
    for position, base, floor, ceiling in glyph_spans(values):
        ax.add_artist(glyph_patch(position + 1, ALPHABET[base], min(floor, ceiling), max(floor, ceiling)))
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
