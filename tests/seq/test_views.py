"""intron_view: the fixed-size views through which a model reads an intron longer than the library's longest."""

import numpy as np
import pytest
from toy_model import expected_members, toy_predictor, toy_weights

from splice_core.seq.intron_text import TRAINED_MAX
from splice_core.seq.views import (
    N_VIEWS,
    IntronView,
    central_view,
    column_positions,
    far_branch_piece,
    intron_view_set,
    intron_view_sets,
    long_intron_indices,
    mean_over_views,
    piece_joins,
    position_ticks,
    scan_in_chunks,
    three_region_length,
    view_layout,
)

LAYOUT = view_layout()


def made_up_intron(rng: np.random.Generator, length: int, to_end: int = 30) -> str:
    """A made-up intron: consensus 5' site, AT-rich random body, TACTAAC ending ``to_end`` nt before the end, TAG."""
    body = "".join(rng.choice(list("ACGT"), length - 6 - 7 - to_end, p=(0.35, 0.15, 0.15, 0.35)))
    tail = "".join(rng.choice(list("ACGT"), to_end - 3, p=(0.35, 0.15, 0.15, 0.35)))
    return "GTATGT" + body + "TACTAAC" + tail + "TAG"


def neutral(rng: np.random.Generator, length: int) -> str:
    """AT-rich random sequence without a branch-site core (ACTAA), GT or AG: no splice signal."""
    while True:
        piece = "".join(rng.choice(list("ACT"), length, p=(0.4, 0.2, 0.4)))
        if "ACTAA" not in piece:
            return piece


def test_layout_is_148_nt_and_scales_for_shorter_models():
    assert (
        LAYOUT.length,
        LAYOUT.five,
        LAYOUT.three_min,
        LAYOUT.three_max,
        LAYOUT.margin,
        LAYOUT.n_views,
    ) == (148, 50, 64, 80, 10, 16)
    small = view_layout(40)
    assert (small.length, small.five, small.three_min, small.three_max, small.margin) == (40, 13, 17, 21, 2)


def test_an_intron_that_fits_is_its_own_single_view():
    intron = "GTATGT" + "A" * (TRAINED_MAX - 9) + "TAG"
    (view,) = intron_view_set(intron, 100, LAYOUT)
    assert view.sequence == intron and view.pieces == ((0, TRAINED_MAX),)
    assert view.describe() == f"1–{TRAINED_MAX}"


def test_three_region_runs_from_before_the_branch_site_within_bounds():
    assert three_region_length(600, 560, LAYOUT) == 64
    assert three_region_length(600, 600 - 60, LAYOUT) == 70
    assert three_region_length(600, 100, LAYOUT) == 80


def test_a_long_intron_is_read_as_16_views_of_its_ends_and_evenly_spread_middle_windows():
    rng = np.random.default_rng(0)
    intron = made_up_intron(rng, 700, to_end=60)
    branch = 700 - 60
    views = intron_view_set(intron, branch, LAYOUT)
    three = 70
    size = 148 - 50 - three
    assert len(views) == N_VIEWS
    starts = [view.pieces[1][0] for view in views]
    assert starts[0] == 50 and starts[-1] == 700 - three - size
    assert np.all(np.diff(starts) > 0) and np.ptp(np.diff(starts)) <= 1
    for view in views:
        assert len(view.sequence) == TRAINED_MAX
        assert view.sequence.startswith(intron[:50]) and view.sequence.endswith(intron[-three:])
        assert view.sequence == "".join(intron[i] for i in view.positions())
        assert view.position_of(branch) == 50 + size + 10
    middle = central_view(views)
    assert (
        middle is views[8]
        and middle.describe() == f"1–50, {starts[8] + 1}–{starts[8] + size} and {700 - three + 1}–700"
    )
    assert middle.position_of(51 if starts[8] > 51 else 700 - three - 1) is None


def test_a_branch_site_beyond_the_3_region_is_a_piece_of_every_view():
    rng = np.random.default_rng(2)
    intron = made_up_intron(rng, 700, to_end=400)
    branch = 700 - 400 - 7
    views = intron_view_set(intron, branch, LAYOUT)
    assert len(views) == N_VIEWS and {len(view.sequence) for view in views} == {TRAINED_MAX}
    for view in views:
        (_, five), (start, end), site, three = view.pieces
        assert five == 50 and end - start == 148 - 50 - 27 - 64 and end <= 283
        assert site == (283, 310) and three == (636, 700)
        assert view.position_of(branch) == 50 + 7 + 10
        assert view.sequence[67:74] == "TACTAAC" and view.sequence == "".join(
            intron[i] for i in view.positions()
        )
    assert [view.pieces[1][0] for view in views][::15] == [50, 283 - 7]


def test_a_far_branch_piece_keeps_to_where_it_is_needed_and_fits():
    assert far_branch_piece(700, 300, LAYOUT) == (290, 317)
    assert far_branch_piece(700, 700 - 71, LAYOUT) == (
        619,
        636,
    )  # just beyond the 3' region: it meets the last 64 nt
    assert far_branch_piece(700, 700 - 70, LAYOUT) is None  # the 3' region reaches it (80 nt)
    assert far_branch_piece(700, 30, LAYOUT) is None  # inside the 5' region
    assert far_branch_piece(400, 100, view_layout(40)) is None  # a 40-nt view has no room for it


def test_a_slightly_long_intron_has_as_many_views_as_distinct_windows():
    intron = "GT" + "ACGT" * 36 + "TAG"  # 149 nt: two windows
    views = intron_view_set(intron, 120, LAYOUT)
    assert [view.pieces[1][0] for view in views] == [50, 51]


def test_neutral_sequence_in_the_middle_leaves_the_views_ends_and_length_alone():
    rng = np.random.default_rng(1)
    intron = made_up_intron(rng, 500)
    longer = intron[:250] + neutral(rng, 700) + intron[250:]
    for short_view, long_view in zip(
        intron_view_set(intron, 470, LAYOUT), intron_view_set(longer, 1170, LAYOUT)
    ):
        assert len(short_view.sequence) == len(long_view.sequence) == TRAINED_MAX
        assert (
            short_view.sequence[:50] == long_view.sequence[:50]
            and short_view.sequence[-64:] == long_view.sequence[-64:]
        )


def test_homopolymer_middle_of_any_length_gives_the_same_prediction_on_a_toy_model():
    predictor = toy_predictor(40)
    ends5, ends3 = "GTATGTCCGG", "TTTACTAACGCGTAG"
    short, longer = ends5 + "A" * 60 + ends3, ends5 + "A" * 1500 + ends3
    view = intron_view_set(short, len(short) - 12, view_layout(40))[0].sequence
    want = expected_members([view], toy_weights(40))
    np.testing.assert_allclose(predictor.intron_members([short, longer]), np.vstack([want, want]), atol=1e-6)


def test_a_long_introns_members_are_the_mean_over_its_views_on_a_toy_model():
    rng = np.random.default_rng(2)
    predictor = toy_predictor(40)
    introns = [made_up_intron(rng, 30, to_end=12), made_up_intron(rng, 300)]
    branch = np.array([14, 270])
    views = [v.sequence for v in intron_view_set(introns[1], 270, view_layout(40))]
    want = np.vstack(
        [expected_members(introns[:1], toy_weights(40)), expected_members(views, toy_weights(40)).mean(0)]
    )
    np.testing.assert_allclose(predictor.intron_members(introns, branch), want, atol=1e-6)
    reads, _, owner = predictor.model_reads(introns, branch)
    assert reads == introns[:1] + views and owner.tolist() == [0] + [1] * len(views)


def test_branch_defaults_to_the_pwm_match_for_long_introns_only():
    rng = np.random.default_rng(3)
    predictor = toy_predictor(40)
    intron = made_up_intron(rng, 200, to_end=10)  # TACTAAC starts at 183
    (sets,) = predictor.intron_view_sets([intron])
    assert sets[0].pieces[2] == (181, 200)  # 2 nt (the 40-nt layout's margin) before the branch site
    assert predictor.view_length() == 40 and long_intron_indices(["A" * 40, "A" * 41]).tolist() == []
    assert long_intron_indices(["A" * 40, "A" * 41], 40).tolist() == [1]


def test_mean_over_views_and_chunked_scans():
    values = np.array([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])
    np.testing.assert_array_equal(mean_over_views(values, np.array([0, 1, 1]), 2), [[1.0, 2.0], [4.0, 5.0]])
    found = scan_in_chunks(["A"] * 600, lambda chunk: np.full(len(chunk), len(chunk)))
    assert found.tolist() == [256] * 512 + [88] * 88 and scan_in_chunks([], len).tolist() == []


def test_view_positions_map_back_to_the_intron():
    view = IntronView("AACCGG", ((0, 2), (10, 12), (20, 22)))
    assert view.positions().tolist() == [0, 1, 10, 11, 20, 21] and view.position_of(11) == 3


def test_a_span_moves_to_the_view_only_when_the_view_holds_it_whole():
    view = IntronView("AACCGGTT", ((0, 2), (10, 14), (20, 22)))
    assert view.span_of(10, 14) == (2, 6) and view.span_of(11, 13) == (3, 5)
    assert view.span_of(12, 16) is None and view.span_of(1, 3) is None and view.span_of(5, 7) is None
    assert view.span_of(1, 11) is None  # both ends in the view, the middle not
    spans = {"ss5": (0, 2), "branch": (15, 18), "ss3": (19, 22)}
    assert view.spans_in_view(spans) == {"ss5": (0, 2)}


def test_ticks_name_intron_positions_at_each_pieces_start_and_round_positions():
    assert position_ticks(np.arange(1, 40)) == ([1, 10, 20, 30], ["1", "10", "20", "30"])
    positions = np.concatenate([np.arange(1, 51), np.arange(301, 319), np.arange(509, 589)])
    columns, labels = position_ticks(positions)
    assert labels == [
        "1",
        "10",
        "20",
        "30",
        "40",
        "301",
        "310",
        "509",
        "520",
        "530",
        "540",
        "550",
        "560",
        "570",
        "580",
    ]
    assert (
        columns[:7] == [1, 10, 20, 30, 40, 51, 60] and columns[7] == 69
    )  # 50 is 1 column before 301: left out
    assert all(str(positions[c - 1]) == label for c, label in zip(columns, labels))


@pytest.fixture(scope="module")
def shipped():
    from splice_core.models.store import PRETRAINED_DIR
    from splice_core.predict.predictor import load_predictor

    return load_predictor(PRETRAINED_DIR)


@pytest.mark.slow
def test_shipped_prediction_stays_stable_when_neutral_sequence_is_added_to_the_middle(shipped):
    rng = np.random.default_rng(0)
    introns = [made_up_intron(rng, int(n)) for n in rng.integers(300, 1200, 12)]
    longer = [i[: len(i) // 2] + neutral(rng, 300) + i[len(i) // 2 :] for i in introns]
    change = np.abs(shipped.predict_introns(introns) - shipped.predict_introns(longer))
    assert change.mean() <= 0.05 and change.max() <= 0.15, change


def test_columns_show_1_to_l_or_the_views_positions_and_joins_lie_between_pieces():
    assert column_positions(3).tolist() == [1, 2, 3]
    assert column_positions(3, np.array([5, 6, 40])).tolist() == [5, 6, 40]
    assert piece_joins(np.array([1, 2, 3, 10, 11, 30])).tolist() == [3.5, 5.5]
    assert piece_joins(np.arange(1, 6)).tolist() == []


def test_window_starts_are_numpys_evenly_spaced_rounded_points():
    from splice_core.seq.views import window_starts

    for first, last, count in [(50, 52, 16), (50, 1234, 16), (7, 7, 3), (3, 40, 1), (0, 5, 2)]:
        want = np.unique(np.linspace(first, last, count).round().astype(int)).tolist()
        assert window_starts(first, last, count) == want
