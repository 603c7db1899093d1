"""Tests of the count heatmap (tiny literal grids)."""

import numpy as np
import pandas as pd

from splice_core.plot.count_heatmap import count_heatmap, log_counts


def grid() -> pd.DataFrame:
    """Two measured bins by two predicted bins, one of them empty."""
    return pd.DataFrame([[100, 0], [1, 10]], index=["0.25", "0.75"], columns=["0.25", "0.75"])


def test_counts_are_coloured_on_a_log_scale_and_empty_cells_are_blank():
    z = log_counts(grid())
    assert z[0, 0] == 2 and z[1, 0] == 0 and z[1, 1] == 1 and np.isnan(z[0, 1])


def test_each_non_empty_cell_shows_its_count_and_the_colour_bar_reads_in_counts():
    fig = count_heatmap(grid(), "predicted", "measured")
    heat = fig.data[0]
    assert [list(row) for row in heat.text] == [["100", ""], ["1", "10"]]
    assert list(heat.colorbar.tickvals) == [0, 1, 2] and list(heat.colorbar.ticktext) == ["1", "10", "100"]
    assert fig.layout.xaxis.title.text == "predicted" and list(heat.y) == ["0.25", "0.75"]


def test_an_all_empty_grid_draws_without_error():
    fig = count_heatmap(pd.DataFrame([[0]], index=["a"], columns=["b"]), "x", "y")
    assert np.isnan(np.asarray(fig.data[0].z, float)).all()
