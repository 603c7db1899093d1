"""The mutagenesis heatmap and reading a click back as a mutation."""

import numpy as np

from splice_core.data.sites import site_spans
from splice_core.plot.mutagenesis_map import (
    ROWS,
    effect_matrix,
    mutagenesis_heatmap,
    mutation_cells,
    point_to_mutation,
)

INTRON = "GTAAG"


def effects() -> tuple[np.ndarray, np.ndarray]:
    """Made-up deltas: substitution (i, j) = i + j/10 (wild-type cells 0), deletion i = -i."""
    subs = np.arange(5)[:, None] + np.arange(4)[None] / 10
    subs[np.arange(5), ["ACGT".index(b) for b in INTRON]] = 0
    return subs, -np.arange(5.0)


def test_matrix_rows_are_acgt_then_deletion():
    subs, dels = effects()
    matrix = effect_matrix(subs, dels)
    assert matrix.shape == (5, 5) and matrix[1, 3] == 3.1 and matrix[4, 2] == -2.0


def test_every_mutation_is_a_clickable_cell_and_wild_type_is_not():
    subs, dels = effects()
    xs, ys, data = mutation_cells(INTRON, effect_matrix(subs, dels))
    assert len(data) == 5 * 4
    assert (1, "G") not in zip(xs, ys) and (1, "A") in zip(xs, ys)
    assert data[0] == [1, "A", "G1A", 0.0] and [3, "-", "delA3", -2.0] in data
    assert [2, "C", "T2C", 1.1] in data


def test_figure_marks_wild_type_and_boxes_sites():
    subs, dels = effects()
    figure = mutagenesis_heatmap(INTRON, subs, dels, site_spans(5, 1))
    heat, cells = figure.data
    assert list(heat.y) == list(ROWS) and heat.text[2][0] == "●" and heat.text[0][0] == ""
    assert heat.zmid == 0 and len(cells.customdata) == 20
    assert [(s.x0, s.x1) for s in figure.layout.shapes] == [(0.5, 5.5), (1.5, 5.5), (2.5, 5.5)]


def test_a_clicked_point_becomes_a_mutation():
    assert point_to_mutation({"x": 3, "y": "del", "customdata": [3, "-", "delA3", -2.0]}) == (3, "-")
    assert point_to_mutation({"x": 2, "y": "C", "customdata": [2, "C", "T2C", 1.1]}) == (2, "C")
    assert point_to_mutation({"x": 2, "y": "C", "z": 0.5}) is None


def test_a_views_cells_ticks_and_joins_give_intron_positions():
    subs, dels = effects()
    positions = np.array([1, 2, 41, 42, 90])  # a view: intron 1-2, 41-42 and 90
    xs, _, data = mutation_cells(INTRON, effect_matrix(subs, dels), positions)
    assert max(xs) == 5 and [42, "C", "A42C", 3.1] in data and [90, "-", "delG90", -4.0] in data
    assert point_to_mutation({"customdata": [90, "-", "delG90", -4.0]}) == (90, "-")
    figure = mutagenesis_heatmap(INTRON, subs, dels, {}, positions)
    assert [c[0] for c in figure.data[1].customdata] == [p for p in positions.tolist() for _ in range(4)]
    assert list(figure.layout.xaxis.tickvals) == [1, 3, 5]
    assert list(figure.layout.xaxis.ticktext) == ["1", "41", "90"]
    assert figure.layout.xaxis.title.text == "intron position (nt)"
    assert [s.x0 for s in figure.layout.shapes if s.line.dash == "dash"] == [2.5, 4.5]


def test_site_labels_sit_above_the_plot_area_centred_on_their_sites():
    subs, dels = effects()
    layout = mutagenesis_heatmap(INTRON, subs, dels, site_spans(5, 1)).layout
    labels = {a.text: a for a in layout.annotations}
    assert set(labels) == {"5'SS", "BP", "3'SS"}
    assert all(a.yref == "paper" and a.y == 1 and a.yanchor == "bottom" for a in labels.values())
    assert labels["5'SS"].x == 3.0 and labels["3'SS"].x == 4.0  # 5'SS spans 1-5, 3'SS 3-5
