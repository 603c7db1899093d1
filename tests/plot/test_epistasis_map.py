"""Tests of the epistasis map (tiny literal pair tables)."""

import numpy as np
import pandas as pd

from splice_core.plot.epistasis_map import epistasis_heatmap, epistasis_matrix, point_to_pair, strongest_pairs


def pair_table() -> pd.DataFrame:
    """Three pairs at positions (1, 2), one at (1, 3), with hand-picked effects and epistasis."""
    return pd.DataFrame(
        {
            "position_1": [1, 1, 1, 1],
            "position_2": [2, 2, 3, 2],
            "mutation": ["1A 2C", "1A 2G", "1C 3T", "1G 2T"],
            "effect": [0.5, -0.25, 0.125, -0.5],
            "epistasis": [0.25, -0.75, 0.5, 0.0],
        }
    )


def test_strongest_pairs_keeps_the_largest_epistasis_per_pair_of_positions_and_its_row():
    cells = strongest_pairs(pair_table())
    assert cells[["position_1", "position_2", "pair"]].values.tolist() == [[1, 2, 1], [1, 3, 2]]
    assert cells["epistasis"].tolist() == [-0.75, 0.5]


def test_epistasis_matrix_puts_each_pair_below_the_diagonal():
    matrix = epistasis_matrix(strongest_pairs(pair_table()), 3)
    assert matrix[1, 0] == -0.75 and matrix[2, 0] == 0.5
    assert np.isnan(matrix).sum() == 7


def test_the_map_is_centred_on_zero_and_each_cell_clicks_back_to_its_pair():
    fig = epistasis_heatmap(pair_table(), 3, {"ss5": (1, 2)})
    heat, layer = fig.data
    assert (heat.zmin, heat.zmax) == (-0.75, 0.75)
    points = [{"customdata": list(data)} for data in layer.customdata]
    assert [point_to_pair(point) for point in points] == [1, 2]
    assert point_to_pair({"customdata": [True]}) is None and point_to_pair({}) is None


def test_an_empty_scan_draws_an_empty_map():
    fig = epistasis_heatmap(pair_table().iloc[:0], 3, {})
    assert np.isnan(np.asarray(fig.data[0].z, float)).all()
    assert fig.data[1].customdata is None or len(fig.data[1].customdata) == 0


def test_square_cells_shrink_the_plot_area_not_widen_the_axes_past_the_intron():
    layout = epistasis_heatmap(pair_table(), 39, {"ss3": (36, 39)}).layout
    assert tuple(layout.xaxis.range) == tuple(layout.yaxis.range) == (0.5, 39.5)
    assert layout.yaxis.scaleanchor == "x" and layout.xaxis.constrain == layout.yaxis.constrain == "domain"
    assert max(shape.x1 for shape in layout.shapes if shape.xref == "x") <= 39.5
