"""A loaded model ready for fast inference: compiled ``tf.function``, member mean and spread."""

import functools
import os
import threading
from dataclasses import dataclass
from pathlib import Path

import keras
import numpy as np
import pandas as pd
import tensorflow as tf

from splice_core.data.contexts import (
    CONTEXTS_NEEDING_TEMPLATE,
    OligoTemplate,
    constructs_to_one_hot,
    introns_to_constructs,
    library_to_one_hot,
)
from splice_core.data.library import Reporter
from splice_core.data.pwm import branch_scan
from splice_core.models.architectures import HEAD3, HEAD5, reads_any_length
from splice_core.models.incremental import IncrementalCNN, incremental_model
from splice_core.models.peer_blend import PeerBlend, load_blend
from splice_core.models.store import card_context, load_model, read_card
from splice_core.seq.encoding import strings_to_one_hot
from splice_core.seq.intron_text import TRAINED_MAX
from splice_core.seq.views import (
    IntronView,
    intron_view_sets,
    long_intron_indices,
    mean_over_views,
    scan_in_chunks,
)

# Rows per model call: on CPU as fast as 1024, whose activations peak ~150 MB higher (4096: ~0.7 GB).
BATCH = 256
# Cropped lengths are multiples of this, so few input shapes reach a traced function (see ROW_BUCKETS).
CROP_STEP = 32
# Row counts a traced function is called with (see padded_rows); each new input shape costs about 1 MB of kernels
# that TensorFlow's oneDNN caches keep for the life of the process.
ROW_BUCKETS = (1, 2, 4, 8, 16, 32, 64, 96, 128, 192, BATCH)
# One model call at a time in a process: concurrent calls (the app's browser sessions) kept TensorFlow memory
# that serial calls reuse (8 threads calling at once, 40 times: +90 MB and still growing; one at a time: +24 MB).
MODEL_CALLS = threading.Lock()


def model_input_spec(model: keras.Model) -> tf.TensorSpec:
    """Input signature ``(None, L, 4)`` of a model; ``(None, None, 4)`` when it masks padding (any length)."""
    if reads_any_length(model):
        return tf.TensorSpec((None, None, 4), tf.float32)
    return tf.TensorSpec((None, *model.input_shape[1:]), tf.float32)


def cropped_length(*inputs: np.ndarray) -> int:
    """Length that holds every non-empty position of ``(N, L, 4)`` inputs (rounded up) and the model's read spans."""
    ends = [int(np.flatnonzero(x.any(axis=(0, 2)))[-1]) + 1 for x in inputs if x.any()]
    return min(inputs[0].shape[1], max(HEAD5, HEAD3, -(-max(ends, default=0) // CROP_STEP) * CROP_STEP))


def crop_padding(x: np.ndarray, model: keras.Model) -> np.ndarray:
    """``(N, L, 4)`` cut after the batch's last non-empty position (rounded up) when the model masks padding.

    The cut keeps at least the model's read spans, so the output is the same as on the padded input.
    """
    return x[:, : cropped_length(x)] if reads_any_length(model) else x


def bucket_rows(n: int) -> int:
    """The smallest of ``ROW_BUCKETS`` that holds ``n`` rows; beyond them, ``n`` rounded up to a multiple of ``BATCH``."""
    return next((rows for rows in ROW_BUCKETS if rows >= n), -(-n // BATCH) * BATCH)


def padded_rows(x: np.ndarray) -> np.ndarray:
    """``(bucket_rows(N), L, 4)``: ``x`` with copies of its last row appended (drop them from the output).

    A traced function is instantiated for every new input shape, and those kernels are kept for good: with
    every batch size its own shape, 240 calls with random batch sizes grew the process by 230 MB.
    """
    extra = bucket_rows(len(x)) - len(x)
    return np.concatenate([x, np.repeat(x[-1:], extra, axis=0)]) if extra and len(x) else x


def call_traced(function, x: np.ndarray) -> np.ndarray:
    """``function`` (traced) on ``(N, L, 4)`` inputs padded to a bucketed row count, one call at a time: ``(N, ...)``."""
    with MODEL_CALLS:
        return np.asarray(function(tf.constant(padded_rows(x), tf.float32)))[: len(x)]


@dataclass
class Predictor:
    """Model ``(N, L, 4) -> (N, K)`` (K ensemble members) with its card, a traced inference function and the peer
    blended into its members' predictions of bare introns where the model ships one (:mod:`~splice_core.models.peer_blend`)."""

    model: keras.Model
    card: dict
    path: str = ""
    blend: PeerBlend | None = None

    def __post_init__(self):
        self._call = tf.function(
            lambda x: self.model(x, training=False), input_signature=[model_input_spec(self.model)]
        )

    @property
    def context(self) -> str:
        """The sequence context the model reads."""
        return card_context(self.card)

    @property
    def n_members(self) -> int:
        """K, the number of ensemble members (1 for a single model)."""
        return int(np.prod(self.model.output_shape[1:]))

    @property
    def input_length(self) -> int:
        """Length L of the model's ``(N, L, 4)`` input."""
        return int(self.model.input_shape[1])

    @property
    def needs_template(self) -> bool:
        """True when bare introns must be placed in the library's oligo design (a template) first."""
        return self.context in CONTEXTS_NEEDING_TEMPLATE

    def max_intron_length(self, template: OligoTemplate | None = None) -> int:
        """Longest intron the model can read (the input length, or what fits the template's oligo)."""
        if self.needs_template and template is not None:
            return template.max_intron_length()
        return self.input_length

    def view_length(self, template: OligoTemplate | None = None) -> int:
        """Longest intron the model reads whole: the library's longest, or less when the model reads less."""
        return min(TRAINED_MAX, self.max_intron_length(template))

    def intron_view_sets(
        self, introns: list[str], branch: np.ndarray | None = None, template: OligoTemplate | None = None
    ) -> list[list[IntronView]]:
        """What the model reads of each intron (:mod:`splice_core.seq.views`); ``branch`` defaults to the PWM's best match."""
        length = self.view_length(template)
        starts = np.zeros(len(introns), int) if branch is None else np.array(branch, int)
        long = long_intron_indices(introns, length)
        if branch is None and long.size:
            starts[long] = scan_in_chunks([introns[i] for i in long], self.branch_starts)
        return intron_view_sets(introns, starts, length)

    def model_reads(
        self, introns: list[str], branch: np.ndarray | None = None, template: OligoTemplate | None = None
    ) -> tuple[list[str], np.ndarray | None, np.ndarray]:
        """(sequences the model reads, their branch starts, the index of each one's intron).

        An intron over :meth:`view_length` becomes its views; a branch start a view leaves out is placed at the
        view's best PWM match. Introns that fit are read as they are, one sequence each.
        """
        if not long_intron_indices(introns, self.view_length(template)).size:
            return introns, branch, np.arange(len(introns))
        sets = self.intron_view_sets(introns, branch, template)
        owner = np.repeat(np.arange(len(introns)), [len(views) for views in sets])
        views = [view for views in sets for view in views]
        reads = [view.sequence for view in views]
        if branch is None:
            return reads, None, owner
        starts = [view.position_of(int(np.asarray(branch)[i])) for view, i in zip(views, owner)]
        missing = [i for i, start in enumerate(starts) if start is None]
        for i, start in zip(missing, self.branch_starts([reads[i] for i in missing]) if missing else []):
            starts[i] = int(start)
        return reads, np.array(starts, int), owner

    def branch_starts(self, introns: list[str]) -> np.ndarray:
        """0-based branch-site starts: best match to the branch PWM stored in the card."""
        return branch_scan(introns, np.asarray(self.card["pwm_baseline"]["pwms"]["branch"]))[0]

    def members(self, x: np.ndarray) -> np.ndarray:
        """Each member's prediction for ``(N, L, 4)`` inputs: ``(N, K)``."""
        if len(x) == 0:
            return np.zeros((0, self.n_members), np.float32)
        out = [
            call_traced(self._call, crop_padding(x[i : i + BATCH], self.model))
            for i in range(0, len(x), BATCH)
        ]
        return np.concatenate(out).reshape(len(x), -1)

    @functools.cached_property
    def incremental(self) -> IncrementalCNN | None:
        """The model's incremental engine (:mod:`splice_core.models.incremental`), None when the model is of another kind."""
        return incremental_model(self.model)

    def members_near(self, x: np.ndarray, ref_x: np.ndarray, candidates: np.ndarray) -> np.ndarray:
        """Each member's prediction ``(N, K)`` of inputs ``x`` close to references ``ref_x`` ``(R, L, 4)``.

        ``candidates`` ``(N, C)``: the reference rows each input may be close to (-1 for none). Inputs are scored
        incrementally where the model allows it, the rest batched as :meth:`members` does; the result is the same.
        """
        engine = self.incremental
        length = cropped_length(x, ref_x) if len(x) else 0
        if engine is None or not len(x) or not engine.reads(length):
            return self.members(x)
        with MODEL_CALLS:
            out, done = engine.members_near(x[:, :length], ref_x[:, :length], candidates)
        if not done.all():
            out[~done] = self.members(x[~done])
        return out

    def blended(self, members: np.ndarray, reads: list[str]) -> np.ndarray:
        """Members' predictions ``(N, K)`` of the sequences the model reads ``(N,)``, blended with the peer where the model
        ships one (else as they are)."""
        return members if self.blend is None else self.blend.members(members, reads)

    def predict(self, x: np.ndarray) -> np.ndarray:
        """Mean prediction over the CNN members (no peer: it reads strings) for ``(N, L, 4)`` inputs: ``(N,)``."""
        return self.members(x).mean(1)

    def library_members(self, frame: pd.DataFrame, reporter: Reporter | None = None) -> np.ndarray:
        """Each member's prediction ``(N, K)`` of library rows read in the model's context, blended with the peer (which
        reads each row's bare intron) where the model ships one."""
        x = library_to_one_hot(frame, self.context, reporter)
        return self.blended(self.members(x), frame["intron_seq"].astype(str).tolist())

    def predict_library(self, frame: pd.DataFrame, reporter: Reporter | None = None) -> np.ndarray:
        """Mean prediction ``(N,)`` of library rows (:meth:`library_members`)."""
        return self.library_members(frame, reporter).mean(1)

    def introns_to_one_hot(
        self,
        introns: list[str],
        branch: np.ndarray | None = None,
        template: OligoTemplate | None = None,
        reporter: Reporter | None = None,
    ) -> np.ndarray:
        """The model's ``(N, L, 4)`` input for bare introns of at most :meth:`view_length` nt (longer: :meth:`model_reads`).

        Contexts other than ``intron`` need the library's oligo ``template`` (and ``full`` the reporter);
        ``branch`` (0-based starts) defaults to the best branch-PWM match in each intron.
        """
        if self.needs_template and template is None:
            raise ValueError(
                f"a {self.context!r} model needs the library's oligo design (data directory) for bare introns"
            )
        if not self.needs_template:
            return strings_to_one_hot(introns, self.input_length)
        branch = self.branch_starts(introns) if branch is None else branch
        constructs = introns_to_constructs(introns, branch, template)
        return constructs_to_one_hot(constructs, self.context, reporter)

    def intron_members(
        self,
        introns: list[str],
        branch: np.ndarray | None = None,
        parents: list[str] | None = None,
        parent_branch: np.ndarray | None = None,
        **design,
    ) -> np.ndarray:
        """Each member's prediction ``(N, K)`` for bare intron strings (``design``: template, reporter), blended with the
        peer where the model ships one (:meth:`blended`).

        An intron longer than :meth:`view_length` gets each member's mean over its views. ``parents`` ``(N,)``: the
        intron each one was made from by a change or two (``parent_branch``: their branch starts), so that only what
        the change reaches is computed (:meth:`members_near`); the predictions are the same without them.
        """
        reads, read_branch, owner = self.model_reads(introns, branch, design.get("template"))
        if parents is None or self.incremental is None:
            members = self.read_members(reads, read_branch, **design)
        else:
            ref_x, candidates = self.parent_inputs(parents, parent_branch, design)
            x = self.introns_to_one_hot(reads, read_branch, **design)
            members = self.blended(self.members_near(x, ref_x, candidates[owner]), reads)
        return members if len(reads) == len(introns) else mean_over_views(members, owner, len(introns))

    def read_members(self, reads: list[str], branch: np.ndarray | None = None, **design) -> np.ndarray:
        """Each member's prediction ``(N, K)`` of sequences the model reads whole (an intron or one view; ``branch``
        and ``design`` as :meth:`introns_to_one_hot` takes them), blended with the peer where the model ships one."""
        return self.blended(self.members(self.introns_to_one_hot(reads, branch, **design)), reads)

    def parent_inputs(
        self, parents: list[str], parent_branch: np.ndarray | None, design: dict
    ) -> tuple[np.ndarray, np.ndarray]:
        """(references ``(R, L, 4)``, candidates ``(N, C)``): every read of each parent, of the parent less its first
        base and of the parent behind one more base (deletions and insertions), and the rows of each intron's."""
        distinct, index = np.unique(np.array(parents, dtype=object).astype(str), return_inverse=True)
        shifted = [version for p in distinct.tolist() for version in (p, p[1:], "A" + p)]
        starts = None
        if parent_branch is not None:
            first = np.zeros(len(distinct), int)
            first[index] = np.asarray(parent_branch, int)
            starts = np.maximum((first[:, None] + np.array([0, -1, 1])).ravel(), 0)
        reads, read_branch, owner = self.model_reads(shifted, starts, design.get("template"))
        parent = owner // 3
        by_parent = np.full((len(distinct), np.bincount(parent).max()), -1)
        order = np.argsort(parent, kind="stable")
        rank = np.arange(len(parent)) - np.searchsorted(parent[order], parent[order])
        by_parent[parent[order], rank] = order
        return self.introns_to_one_hot(reads, read_branch, **design), by_parent[index]

    def predict_introns(
        self,
        introns: list[str],
        branch: np.ndarray | None = None,
        parents: list[str] | None = None,
        **options,
    ) -> np.ndarray:
        """Mean prediction ``(N,)`` for bare intron strings (``options``: parent_branch, template, reporter; see
        :meth:`intron_members`)."""
        return self.intron_members(introns, branch, parents, **options).mean(1)


def mean_and_spread(members: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Ensemble mean and standard deviation ``(N,)`` of member predictions ``(N, K)``."""
    return members.mean(1), members.std(1)


def prediction_text(mean: float, spread: float, n_members: int, signed: bool = False) -> str:
    """A prediction as the app shows it: ``0.254 ± 0.012`` (the members' SD), or says a single model has no spread;
    ``signed`` shows the sign of a change (``+0.254``)."""
    value = f"{mean:+.3f}" if signed else f"{mean:.3f}"
    return f"{value} ± {spread:.3f}" if n_members > 1 else f"{value} (no ensemble spread)"


def spread_help(n_members: int) -> str:
    """What the ± of :func:`prediction_text` means for a model of ``n_members`` members."""
    if n_members > 1:
        return f"± is the spread (SD) of the {n_members} ensemble members' predictions"
    return "A single model: there is no ensemble spread to show how sure it is."


def load_predictor(path: str | os.PathLike) -> Predictor:
    """A :class:`Predictor` for a model directory, its traced function run once (its ~2 s start-up happens at load)."""
    card = read_card(path)
    predictor = Predictor(
        model=load_model(path), card=card, path=str(Path(path)), blend=load_blend(path, card)
    )
    predictor.members(np.zeros((1, predictor.input_length, 4), np.float32))
    return predictor
