"""Tests of the diverging heatmap and its click layer (tiny literal matrices)."""

import numpy as np

from splice_core.plot.clickable_heatmap import (
    NEGATIVE_COLOR,
    POSITIVE_COLOR,
    click_layer,
    diverging_heatmap,
    symmetric_limit,
)


def test_symmetric_limit_is_the_largest_magnitude_ignoring_nan():
    assert symmetric_limit(np.array([[0.25, -0.5], [np.nan, 0.125]])) == 0.5


def test_symmetric_limit_of_an_empty_or_all_nan_or_zero_map_is_tiny_not_zero():
    assert symmetric_limit(np.full((2, 2), np.nan)) == 1e-6
    assert symmetric_limit(np.zeros((1, 3))) == 1e-6


def test_diverging_heatmap_is_centred_on_zero_and_leaves_hover_to_the_click_layer():
    fig = diverging_heatmap(np.array([[0.25, -0.75]]), [1, 2], ["A"], "Δ", text=[["●", ""]])
    heat = fig.data[0]
    assert (heat.zmin, heat.zmid, heat.zmax) == (-0.75, 0, 0.75)
    assert heat.colorbar.title.text == "Δ"
    assert heat.hoverinfo == "skip"
    assert [list(row) for row in heat.text] == [["●", ""]]


def test_click_layer_is_invisible_and_carries_each_cells_data():
    layer = click_layer([1, 2], ["A", "C"], [[1, "A"], [2, "C"]], name="cells", size=7, hovertemplate="%{x}")
    assert [list(cell) for cell in layer.customdata] == [[1, "A"], [2, "C"]]
    assert layer.marker.color == "rgba(0,0,0,0)"
    assert layer.marker.size == 7
    assert layer.selected.marker.opacity == 0 and layer.unselected.marker.opacity == 0
    assert layer.name == "cells" and layer.hovertemplate == "%{x}" and not layer.showlegend


def test_the_colour_words_name_the_scales_ends():
    """Captions say which colour is positive from these words: they must match the scale plotly draws."""
    import plotly.colors

    fig = diverging_heatmap(np.array([[0.25, -0.75]]), [1, 2], ["A"], "Δ")
    scale = fig.data[0].colorscale  # plotly expands the name to [(0, low colour), ..., (1, high colour)]
    low, high = (
        plotly.colors.unlabel_rgb(plotly.colors.convert_colors_to_same_type(c)[0][0])
        for c in (scale[0][1], scale[-1][1])
    )
    is_color = {"red": lambda rgb: rgb[0] > rgb[2], "blue": lambda rgb: rgb[2] > rgb[0]}
    assert is_color[NEGATIVE_COLOR](low) and is_color[POSITIVE_COLOR](high)
