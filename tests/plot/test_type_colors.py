"""Tests of the library-type colours."""

from splice_core.plot.type_colors import PALETTE, type_colors


def test_twelve_types_get_twelve_distinct_colours_in_sorted_order():
    names = [f"type {chr(65 + i)}" for i in range(12)]
    colors = type_colors(reversed(names))
    assert list(colors) == names and len(set(colors.values())) == 12
    assert colors["type A"] == PALETTE[0] and colors["type L"] == PALETTE[11]


def test_colours_depend_on_the_set_of_types_not_their_order_or_repeats():
    every = type_colors(["synthetic", "endogenous", "orthologous"])
    assert type_colors(["synthetic", "endogenous", "orthologous", "synthetic"]) == every
