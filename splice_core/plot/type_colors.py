"""One colour per library type, the same on every page and under every filter."""

from collections.abc import Iterable

from plotly.colors import qualitative

# 24 distinct colours: the library has 12 types, plotly's default palette only 10 (two pairs of types shared one).
PALETTE = qualitative.Dark24


def type_colors(types: Iterable[str]) -> dict[str, str]:
    """Colour of each library type: the types in sorted order take the palette's colours in turn."""
    return {name: PALETTE[i % len(PALETTE)] for i, name in enumerate(sorted(set(types)))}
