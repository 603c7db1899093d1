"""The saliency logo figure."""

import numpy as np

from splice_core.data.sites import site_spans
from splice_core.plot.logo import figure_png, glyph_patch, glyph_spans, saliency_logo


def attribution(length: int) -> np.ndarray:
    """An (L, 4) attribution with one non-zero base per position."""
    values = np.zeros((length, 4))
    values[np.arange(length), np.arange(length) % 4] = np.linspace(-1, 1, length)
    return values


def test_logo_has_one_letter_per_base_and_shaded_sites():
    figure = saliency_logo(attribution(30), site_spans(30, 12))
    (ax,) = figure.axes
    assert ax.get_xlim() == (-0.25, 31.25)  # 0.75 nt beyond the first and last cells
    shaded = [p for p in ax.patches if p.get_label() in ("5' splice site", "branch site", "3' splice site")]
    assert sorted((round(p.get_x(), 1), round(p.get_width(), 1)) for p in shaded) == [
        (0.5, 6.0),
        (12.5, 8.0),
        (27.5, 3.0),
    ]


def test_entropy_track_is_drawn_below():
    entropy = np.full(30, 1.5)
    figure = saliency_logo(attribution(30), site_spans(30, 12), entropy)
    assert len(figure.axes) == 2
    (track,) = [
        p
        for p in figure.axes[1].patches
        if p.get_label() not in ("5' splice site", "branch site", "3' splice site")
    ]
    data = track.get_data()
    np.testing.assert_array_equal(data.values, entropy)
    np.testing.assert_array_equal(data.edges, np.arange(31) + 0.5)


def test_png_bytes():
    assert figure_png(saliency_logo(attribution(10), site_spans(10, 2))).startswith(b"\x89PNG")


def test_glyph_spans_stack_outwards_from_zero_smallest_first():
    values = np.array([[0.5, 0.0, 0.25, -1.0], [0.0, 0.0, 0.0, 0.0]])
    assert glyph_spans(values) == [(0, 2, 0.0, 0.25), (0, 0, 0.25, 0.75), (0, 3, 0.0, -1.0)]


def test_logo_draws_one_glyph_per_non_zero_cell():
    figure = saliency_logo(attribution(30), site_spans(30, 12))
    glyphs = [p for p in figure.axes[0].patches if not p.get_label()]
    assert len(glyphs) == np.count_nonzero(attribution(30))


def test_a_views_logo_ticks_name_intron_positions_and_mark_the_joins():
    positions = np.concatenate([np.arange(1, 11), np.arange(301, 311), np.arange(581, 591)])
    figure = saliency_logo(attribution(30), {}, None, positions)
    (ax,) = figure.axes
    assert [t.get_text() for t in ax.get_xticklabels()] == ["1", "301", "581", "590"]
    assert list(ax.get_xticks()) == [1, 11, 21, 30]
    assert [line.get_xdata()[0] for line in ax.lines if line.get_linestyle() == "--"] == [10.5, 20.5]


def test_the_first_and_last_letters_lie_inside_the_axes():
    values = np.zeros((12, 4))
    values[[0, 11], [2, 1]] = 1.0  # a G at 1 and a C at 12: the widest letters
    figure = saliency_logo(values, site_spans(12, 3))
    figure_png(figure)  # draws it
    ax = figure.axes[0]
    box = ax.get_window_extent()
    glyphs = [p.get_window_extent() for p in ax.patches if not p.get_label()]
    quarter_nt = 0.25 * box.width / np.ptp(ax.get_xlim())  # clear of the spines, not just touching them
    assert len(glyphs) == 2 and all(g.x0 - box.x0 > quarter_nt and box.x1 - g.x1 > quarter_nt for g in glyphs)


def test_a_glyph_fills_its_cell_as_logomaker_draws_it():
    for letter in "ACGT":  # all four are at least as wide as an E: none is narrowed
        box = glyph_patch(3, letter, -0.25, 1.5).get_path().get_extents()
        assert (round(box.ymin, 9), round(box.ymax, 9)) == (-0.25, 1.5)
        assert (round(box.xmin, 9), round(box.xmax, 9)) == (2.525, 3.475)
