"""How a model reads an intron longer than any intron the library held: fixed-size views of it.

The library held no intron over 148 nt, so a model has never seen a longer one: its length, its k-mer counts
and its pooled features would all lie outside training. An intron longer than the view's length (148 nt for
the shipped model) is read as 16 views of exactly that length, and its prediction is the mean over them
(per ensemble member, so the spread stays the members' spread). Each view joins three pieces:

- the 5' region: the first 50 nt (the 5' splice site and what a model reads at fixed offsets from the 5' end);
- the 3' region: from 10 nt before the branch site to the 3' end, 64 to 80 nt;
- a window of the middle, of the size left over (18 to 34 nt); the 16 views' windows are spread evenly from
  the middle's start to its end.

A branch site farther from the 3' end than that (15 of the 297 annotated introns) gets a piece of its own, the
heptamer with 10 nt on each side, placed before the last 64 nt; the middle windows (7 nt) then come from before
it. Without that piece the views held no branch site at all, and a model that reads one (the shipped model's
branch gate) took the intron for one without.

The views stand for the middle by a fixed number of samples of it, so neither the model's input nor the work
per intron grows with length, and added neutral sequence moves the mean little (see the README for figures).
Piece sizes scale with the view's length for models that read fewer than 148 nt.
"""

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from splice_core.seq.intron_text import TRAINED_MAX

FIVE, THREE_MIN, THREE_MAX, BRANCH_MARGIN = 50, 64, 80, 10  # piece sizes of a TRAINED_MAX-nt view
HEPTAMER = 7  # the branch site's length, which a far branch site's piece holds whole
N_VIEWS = 16
READING_NOTE = (
    f"The training library held no intron over {TRAINED_MAX} nt. A longer intron is read as {N_VIEWS} views of {TRAINED_MAX} nt, "
    f"each its first {FIVE} nt, a window of its middle and its 3' end from {BRANCH_MARGIN} nt before the branch site "
    f"({THREE_MIN}–{THREE_MAX} nt; a branch site farther from the end is a piece of its own, before the last {THREE_MIN} nt), "
    "and its prediction is the mean over the views."
)
SCAN_CHUNK = 256  # introns per branch-site scan (the scan pads to the longest intron of a chunk)


@dataclass(frozen=True)
class ViewLayout:
    """Sizes of a view: its length, the 5' region, the 3' region's bounds, the margin kept before the branch site."""

    length: int
    five: int
    three_min: int
    three_max: int
    margin: int
    n_views: int = N_VIEWS


def view_layout(length: int = TRAINED_MAX) -> ViewLayout:
    """The layout of ``length``-nt views: the 148-nt sizes scaled to ``length``."""
    return ViewLayout(
        *(size * length // TRAINED_MAX for size in (TRAINED_MAX, FIVE, THREE_MIN, THREE_MAX, BRANCH_MARGIN))
    )


@dataclass(frozen=True)
class IntronView:
    """One sequence a model reads of an intron: the intron's ``[start, end)`` pieces joined in order."""

    sequence: str
    pieces: tuple[tuple[int, int], ...]

    def positions(self) -> np.ndarray:
        """0-based intron position of each position of the view ``(len(sequence),)``."""
        return np.concatenate([np.arange(start, end) for start, end in self.pieces])

    def position_of(self, intron_position: int) -> int | None:
        """0-based view position of a 0-based intron position, None when the view leaves it out."""
        hit = np.flatnonzero(self.positions() == intron_position)
        return int(hit[0]) if hit.size else None

    def span_of(self, start: int, end: int) -> tuple[int, int] | None:
        """View ``[start, end)`` of an intron span ``[start, end)`` (0-based), None unless the view holds it whole in one piece."""
        first = self.position_of(start)
        if first is None or end <= start or self.position_of(end - 1) != first + end - start - 1:
            return None
        return first, first + end - start

    def spans_in_view(self, spans: dict[str, tuple[int, int]]) -> dict[str, tuple[int, int]]:
        """Named intron spans (e.g. the sites) moved to view positions; those the view does not hold whole are left out."""
        moved = {name: self.span_of(*span) for name, span in spans.items()}
        return {name: span for name, span in moved.items() if span is not None}

    def describe(self) -> str:
        """The pieces in 1-based intron positions, e.g. ``1–50, 301–318 and 430–509``."""
        spans = [f"{start + 1}–{end}" for start, end in self.pieces]
        return spans[0] if len(spans) == 1 else ", ".join(spans[:-1]) + " and " + spans[-1]


def three_region_length(length: int, branch: int, layout: ViewLayout) -> int:
    """Length of the 3' region: from ``margin`` nt before the branch start to the end, within the layout's bounds."""
    return min(max(length - max(branch - layout.margin, 0), layout.three_min), layout.three_max)


def window_starts(first: int, last: int, count: int) -> list[int]:
    """The distinct rounded values of ``count`` evenly spaced points from ``first`` to ``last``, in order.

    As ``np.unique(np.linspace(first, last, count).round())``, in plain Python: it ran once per intron, and for
    the double-mutant scan's 500,000 views its NumPy calls took a third of the time.
    """
    if count == 1:
        return [first]
    step = (last - first) / (count - 1)
    points = [i * step + first for i in range(count - 1)] + [last]
    return sorted({round(p) for p in points})


def far_branch_piece(length: int, branch: int, layout: ViewLayout) -> tuple[int, int] | None:
    """The intron span ``[start, end)`` of a branch site that the 3' region cannot reach: ``margin`` nt before its start
    to ``margin`` after its heptamer, ending where the last ``three_min`` nt start; None when the 3' region holds the
    site, when the site lies in the 5' region, or when the view has no room for the piece and a middle window."""
    start = max(branch - layout.margin, 0)
    end = min(branch + HEPTAMER + layout.margin, length - layout.three_min)
    room = layout.length - layout.five - layout.three_min - (end - start)
    if length - start <= layout.three_max or start < layout.five or room < 1:
        return None
    return start, end


def intron_view_set(intron: str, branch: int, layout: ViewLayout) -> list[IntronView]:
    """The views of one intron, middle windows in order (the intron itself when it fits); ``branch``: 0-based start."""
    n = len(intron)
    if n <= layout.length:
        return [IntronView(intron, ((0, n),))]
    far = far_branch_piece(n, int(branch), layout)
    three = layout.three_min if far else three_region_length(n, int(branch), layout)
    fixed = ((n - three, n),) if far is None else (far, (n - three, n))
    size = layout.length - layout.five - sum(end - start for start, end in fixed)
    starts = window_starts(layout.five, fixed[0][0] - size, layout.n_views)
    return [
        IntronView(
            "".join(intron[a:b] for a, b in pieces),
            pieces,
        )
        for pieces in (((0, layout.five), (s, s + size), *fixed) for s in starts)
    ]


def central_view(views: list[IntronView]) -> IntronView:
    """The view whose middle window lies nearest the middle's centre (the one the app explains)."""
    return views[len(views) // 2]


def long_intron_indices(introns: list[str], length: int = TRAINED_MAX) -> np.ndarray:
    """Indices of the introns longer than the views' ``length`` (those read through views)."""
    return np.flatnonzero(np.array([len(i) > length for i in introns], bool))


def intron_view_sets(
    introns: list[str], branch: np.ndarray, length: int = TRAINED_MAX
) -> list[list[IntronView]]:
    """The ``length``-nt views of each intron (an intron that fits is its own one view); ``branch``: 0-based ``(N,)``."""
    layout = view_layout(length)
    return [intron_view_set(intron, b, layout) for intron, b in zip(introns, np.asarray(branch).tolist())]


def scan_in_chunks(introns: list[str], find_branch: Callable[[list[str]], np.ndarray]) -> np.ndarray:
    """``find_branch(introns) -> (N,)`` branch starts run on chunks of :data:`SCAN_CHUNK` introns (bounded memory)."""
    if not introns:
        return np.zeros(0, int)
    return np.concatenate(
        [np.asarray(find_branch(introns[i : i + SCAN_CHUNK])) for i in range(0, len(introns), SCAN_CHUNK)]
    )


def mean_over_views(values: np.ndarray, owner: np.ndarray, n: int) -> np.ndarray:
    """Per-intron mean ``(n, K)`` of per-view values ``(V, K)``; ``owner`` ``(V,)``: each view's intron index."""
    counts = np.bincount(owner, minlength=n).astype(values.dtype)
    sums = np.zeros((n, values.shape[1]), values.dtype)
    np.add.at(sums, owner, values)
    return sums / np.maximum(counts, 1)[:, None]


def column_positions(length: int, positions: np.ndarray | None = None) -> np.ndarray:
    """1-based intron position of each of ``length`` columns ``(L,)``: ``positions`` when given (a view's), else 1..L."""
    return np.arange(1, length + 1) if positions is None else np.asarray(positions, int)


def piece_joins(positions: np.ndarray) -> np.ndarray:
    """x of each join between a view's pieces on an axis of 1-based columns showing ``positions`` ``(L,)``.

    A join lies halfway between two neighbouring columns whose intron positions are not consecutive.
    """
    return np.flatnonzero(np.diff(positions) != 1) + 1.5


def position_ticks(positions: np.ndarray, step: int = 10) -> tuple[list[int], list[str]]:
    """(1-based columns, labels) for an axis whose columns show 1-based intron ``positions`` ``(L,)``, in order.

    Ticks go at the first column of each run of consecutive positions (a view's pieces) and at the positions
    that are multiples of ``step``, except those less than ``step / 2`` columns from a run's first column.
    """
    positions = np.asarray(positions, int)
    columns = np.arange(len(positions))
    firsts = np.flatnonzero(np.diff(positions, prepend=positions[:1] - 2) != 1)
    nearest = np.abs(columns[:, None] - firsts[None, :]).min(axis=1)
    shown = np.isin(columns, firsts) | ((positions % step == 0) & (nearest >= step / 2))
    return (columns[shown] + 1).tolist(), [str(p) for p in positions[shown]]
