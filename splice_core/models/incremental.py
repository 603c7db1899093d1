"""Incremental in-silico mutagenesis for the site-aware CNN: each variant recomputes only what its change reaches.

A variant ``V`` is scored against two references already computed in full: ``A``, equal to ``V`` before
position ``lo``, and ``B``, of ``V``'s length and equal to ``V`` from position ``hi`` on (a substitution: both
the wild type; a deletion: the wild type and the wild type without its first base; an insertion: the wild type
and the wild type behind one more base). A convolution's output at a position depends only on its input within
the kernel, so at every layer ``V``'s map equals ``A``'s left of the change's reach and ``B``'s right of it;
only the window between is computed, from ``V``'s own bases, layer by layer (stem, max-pool, residual blocks,
the 1x1 read), and the heads (5' and 3' reads, masked pooling, length, k-mer counts) then read the joined maps.
The arithmetic is that of the Keras layers in float32 (batch norm folded into its convolution), so the result
equals scoring ``V`` on its own to float rounding. The work per variant grows with the receptive field, not
with the intron (fastISM, Nair et al. 2022, does the same for Keras models in general). References are computed
in numpy, the windows of many variants at once in one traced TensorFlow function (:class:`WindowGraph`).

:func:`incremental_model` reads a model's layer graph: it takes a ``site_aware_cnn`` member (any ``pool``
dividing :data:`~splice_core.predict.predictor.CROP_STEP`, ``kmers``, ``n_blocks``, ``kernel``, ``filters``, read
spans, sigmoid or relu output, with or without the cryptic head) or a stack of them, and returns None for
any other model, whose variants are then scored as before.
"""

import copy
import functools
import json
from dataclasses import dataclass

import keras
import numpy as np
import tensorflow as tf
from scipy.special import erf
from threadpoolctl import ThreadpoolController

from splice_core.models.architectures import (
    BRANCH,
    SITE3,
    SITE5,
    EndAlign,
    KmerCounts,
    MaskedPooling,
    efficiency_only,
    has_cryptic_split,
    is_site_gated,
    site_aware_cnn,
    with_cryptic_head,
)

GATE_PREFIX = "gate_"  # names of the site gates' layers
STEM_KERNEL = 9
NARROW = 16
ROWS = 512  # variants per window call: its maps for 512 variants x 4 members take a few MB each
CHECK_LENGTHS = (40, 130)  # random sequences the engine is checked on against Keras when it is built
TOLERANCE = 1e-5
ROW_STEP = 64
WIDTH_STEP = 8


@dataclass(frozen=True)
class GateWeights:
    """The site gates' weights (:func:`~splice_core.models.architectures.site_gates`), stacked on the member axis ``K``."""

    five: tuple[np.ndarray, np.ndarray]  # (K, 24, 1), (K, 1, 1)
    three: tuple[np.ndarray, np.ndarray]  # (K, 12, 1), (K, 1, 1)
    branch_filter: tuple[np.ndarray, np.ndarray]  # (K, 7 * 4, 1), (K, 1, 1)
    branch: tuple[np.ndarray, np.ndarray]  # (K, 2, 1), (K, 1, 1): the filter's masked mean and peak


@dataclass(frozen=True)
class SiteAwareWeights:
    """Every member's weights, stacked on a leading member axis ``K`` (batch norm folded into its convolution)."""

    stem: tuple[np.ndarray, np.ndarray]  # (K, 9 * 4, F), (K, 1, F)
    blocks: tuple[tuple[np.ndarray, np.ndarray], ...]  # (K, kernel * F, F), (K, 1, F) each
    kernel: int
    pool: int
    narrow: tuple[np.ndarray, np.ndarray]  # (K, F, 16), (K, 1, F)
    five: int  # pooled positions read at the 5' end
    three: int  # pooled positions read at the 3' end
    scale: float  # the length read's rescaling: 1 / the builder's input length
    kmer: tuple[np.ndarray, np.ndarray] | None  # (K, 340, 64), (K, 1, 64)
    hidden: tuple[
        np.ndarray, np.ndarray, np.ndarray
    ]  # layer norm folded in: kernel (K, D, 64), its sums, bias
    epsilon: float  # the layer norm's
    outputs: tuple[tuple[np.ndarray, np.ndarray, str], ...]  # efficiency, then spliced with the cryptic head
    gates: GateWeights | None = None  # a site-gated member's (``site_aware_cnn(gates=True)``)

    @property
    def margin(self) -> int:
        """Pooled positions kept as zeros on both sides of a reference's maps: more than any window reaches out."""
        return len(self.blocks) * (self.kernel - 1) + STEM_KERNEL // self.pool + 2


def normalised_config(model: keras.Model) -> str:
    """A model's graph config with layer names replaced by their order and dropout rates left out (JSON)."""
    config = copy.deepcopy(model.get_config())
    names = {layer["name"]: f"#{i}" for i, layer in enumerate(config["layers"])}

    def clean(value):
        if isinstance(value, dict):
            return {
                key: clean(item)
                for key, item in value.items()
                if key not in ("name", "rate", "seed", "trainable")
            }
        if isinstance(value, list | tuple):
            return [clean(item) for item in value]
        return names.get(value, value) if isinstance(value, str) else value

    return json.dumps(clean({key: config[key] for key in ("layers", "input_layers", "output_layers")}))


def site_aware_settings(member: keras.Model) -> dict | None:
    """The ``site_aware_cnn`` arguments (and ``cryptic``) a member was built with, None when it is not one."""
    kinds = [type(layer) for layer in member.layers]
    convs = tower_convs(member)
    reshapes = [
        layer
        for layer in member.layers
        if isinstance(layer, keras.layers.Reshape) and not layer.name.startswith(GATE_PREFIX)
    ]
    outputs = [layer for layer in member.layers if layer.name == "efficiency"]
    if (
        EndAlign not in kinds
        or MaskedPooling not in kinds
        or len(convs) < 3
        or len(reshapes) < 2
        or not outputs
    ):
        return None
    pools = [layer.pool_size[0] for layer in member.layers if isinstance(layer, keras.layers.MaxPooling1D)]
    pool = pools[0] if pools else 1
    return {
        "input_length": int(member.input_shape[1]),
        "filters": convs[0].filters,
        "n_blocks": kinds.count(keras.layers.BatchNormalization),
        "kernel": convs[1].kernel_size[0],
        "head5": reshapes[0].target_shape[0] // NARROW * pool,
        "head3": reshapes[1].target_shape[0] // NARROW * pool,
        "kmers": KmerCounts in kinds,
        "pool": pool,
        "output": keras.activations.serialize(outputs[0].activation),
        "gates": is_site_gated(member),
        "cryptic": has_cryptic_split(member),
    }


def tower_convs(member: keras.Model) -> list[keras.layers.Conv1D]:
    """A member's convolutions but the branch gate's filter: the stem, the blocks' and the 1x1 read, in order."""
    return [
        layer
        for layer in member.layers
        if isinstance(layer, keras.layers.Conv1D) and layer.name != "branch_filter"
    ]


def is_site_aware(member: keras.Model, settings: dict) -> bool:
    """True when ``member``'s graph is exactly ``site_aware_cnn(**settings)``'s (names and dropout rates aside)."""
    arguments = {key: value for key, value in settings.items() if key != "cryptic"}
    try:
        built = site_aware_cnn(**arguments)
    except (ValueError, TypeError):
        return False
    if settings["cryptic"]:
        built = efficiency_only(with_cryptic_head(built))
    return normalised_config(built) == normalised_config(member)


def ensemble_members(model: keras.Model) -> list[keras.Model]:
    """The members of a stacked ensemble (:func:`~splice_core.models.training.stack_members`), or the model itself."""
    nested = [layer for layer in model.layers if isinstance(layer, keras.Model)]
    rest = [layer for layer in model.layers if not isinstance(layer, keras.Model | keras.layers.InputLayer)]
    if nested and all(isinstance(layer, keras.layers.Concatenate) for layer in rest) and len(rest) <= 1:
        return nested
    return [model]


def folded_block(
    conv: keras.layers.Conv1D, norm: keras.layers.BatchNormalization
) -> tuple[np.ndarray, np.ndarray]:
    """A convolution and the batch norm after it as one convolution: kernel ``(k * F_in, F)``, bias ``(F,)``."""
    kernel, bias = conv.get_weights()
    gamma, beta, mean, variance = norm.get_weights()
    scale = gamma / np.sqrt(variance + norm.epsilon)
    return (kernel * scale).reshape(-1, kernel.shape[-1]), (bias - mean) * scale + beta


def member_weights(member: keras.Model, settings: dict) -> dict:
    """One member's weights by part (see :class:`SiteAwareWeights`)."""
    layers = member.layers
    convs = tower_convs(member)
    norms = [layer for layer in layers if isinstance(layer, keras.layers.BatchNormalization)]
    dense = {layer.name: layer for layer in layers if isinstance(layer, keras.layers.Dense)}
    by_type = {type(layer): layer for layer in layers}
    kmer = [d for d in dense.values() if d.input.shape[-1] == 340 and settings["kmers"]]
    hidden = [
        d
        for d in dense.values()
        if d.name not in ("efficiency", "spliced") and d not in kmer and not d.name.startswith(GATE_PREFIX)
    ]
    heads = [dense["efficiency"], *([dense["spliced"]] if settings["cryptic"] else [])]
    stem_kernel, stem_bias = convs[0].get_weights()
    norm = by_type[keras.layers.LayerNormalization]
    return {
        "stem": (stem_kernel.reshape(-1, stem_kernel.shape[-1]), stem_bias),
        "blocks": [folded_block(conv, bn) for conv, bn in zip(convs[1:-1], norms)],
        "narrow": tuple(w.reshape(-1, NARROW) if w.ndim > 1 else w for w in convs[-1].get_weights()),
        "kmer": tuple(kmer[0].get_weights()) if kmer else None,
        "hidden": normed_dense(*norm.get_weights(), *hidden[0].get_weights()),
        "epsilon": float(norm.epsilon),
        "outputs": [(*d.get_weights(), keras.activations.serialize(d.activation)) for d in heads],
        "scale": float(by_type[keras.layers.Rescaling].scale),
        "gates": gate_weights(member) if settings["gates"] else None,
    }


def gate_weights(member: keras.Model) -> tuple[tuple[np.ndarray, np.ndarray], ...]:
    """One site-gated member's gate weights: 5', 3', branch filter (flattened), branch unit."""
    branch_kernel, branch_bias = member.get_layer("branch_filter").get_weights()
    return (
        tuple(member.get_layer("gate_5ss").get_weights()),
        tuple(member.get_layer("gate_3ss").get_weights()),
        (branch_kernel.reshape(-1, 1), branch_bias),
        tuple(member.get_layer("gate_branch").get_weights()),
    )


def normed_dense(
    gamma: np.ndarray, beta: np.ndarray, kernel: np.ndarray, bias: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A dense layer after a layer norm's scale and shift, as one: kernel ``(D, U)``, its column sums, bias ``(U,)``.

    ``dense(gamma * z + beta) = z @ (gamma * kernel) + beta @ kernel + bias`` with ``z`` the normalised input
    ``(x - mean) / std``, and ``z @ k = (x @ k - mean * sum(k)) / std``: no normalised copy of ``x`` is made.
    """
    folded = gamma[:, None] * kernel
    return folded, folded.sum(0), beta @ kernel + bias


def stacked(arrays: list[np.ndarray]) -> np.ndarray:
    """Member arrays stacked on a leading axis, biases ``(F,)`` as ``(K, 1, F)``, in float32."""
    out = np.stack([np.asarray(a, np.float32) for a in arrays])
    return out[:, None, :] if out.ndim == 2 else out


def pair_stack(parts: list[tuple]) -> tuple[np.ndarray, np.ndarray]:
    """(kernels, biases) of every member, stacked."""
    return stacked([p[0] for p in parts]), stacked([p[1] for p in parts])


def stacked_weights(members: list[dict], settings: dict) -> SiteAwareWeights:
    """Every member's weights stacked on the member axis."""
    pool = settings["pool"]
    return SiteAwareWeights(
        stem=pair_stack([m["stem"] for m in members]),
        blocks=tuple(pair_stack([m["blocks"][b] for m in members]) for b in range(settings["n_blocks"])),
        kernel=settings["kernel"],
        pool=pool,
        narrow=pair_stack([m["narrow"] for m in members]),
        five=settings["head5"] // pool,
        three=settings["head3"] // pool,
        scale=members[0]["scale"],
        kmer=pair_stack([m["kmer"] for m in members]) if settings["kmers"] else None,
        hidden=tuple(stacked([m["hidden"][i] for m in members]) for i in range(3)),
        epsilon=members[0]["epsilon"],
        outputs=tuple(
            (*pair_stack([m["outputs"][i] for m in members]), members[0]["outputs"][i][2])
            for i in range(len(members[0]["outputs"]))
        ),
        gates=GateWeights(*(pair_stack([m["gates"][i] for m in members]) for i in range(4)))
        if settings["gates"]
        else None,
    )


def sigmoid(x: np.ndarray) -> np.ndarray:
    """The logistic function, as Keras' sigmoid."""
    return 1.0 / (1.0 + np.exp(-x))


def gate_values(gates: GateWeights | None, x: np.ndarray) -> np.ndarray:
    """``(N, K)``: every member's product of its three site gates on one-hot ``x`` ``(N, L, 4)`` (1 without gates).

    As :func:`~splice_core.models.architectures.site_gates`: the first 5' bases, the last 3' bases (end-aligned
    as :class:`EndAlign` rolls them), and the branch filter ('same' padded, zeroed past the length) pooled over
    the intron's positions.
    """
    n, size = x.shape[:2]
    if gates is None:
        return np.ones((n, 1), np.float32)
    lengths = sequence_lengths(base_codes(x))
    ends = np.mod(np.arange(size - SITE3, size)[None] + lengths[:, None] - size, size)
    three = x[np.arange(n)[:, None], ends].reshape(n, -1)
    half = (BRANCH - 1) // 2
    padded = np.pad(x, ((0, 0), (half, BRANCH - 1 - half), (0, 0)))[None]
    branch = conv_valid(padded, *gates.branch_filter, BRANCH)[..., 0]  # (K, N, L)
    inside = np.arange(size)[None, None] < lengths[None, :, None]
    mean = np.where(inside, branch, 0.0).sum(-1) / np.maximum(lengths, 1)
    peak = np.where(lengths > 0, np.where(inside, branch, np.finfo(np.float32).min).max(-1), 0.0)
    pooled = np.stack([mean, peak], -1).astype(np.float32)  # (K, N, 2)
    product = np.ones((len(gates.five[0]), n), np.float32)
    for (kernel, bias), read in (
        (gates.five, x[:, :SITE5].reshape(n, -1)),
        (gates.three, three),
        (gates.branch, pooled),
    ):
        product *= sigmoid(np.matmul(read, kernel) + bias)[..., 0]
    return product.T


def conv_valid(x: np.ndarray, kernel: np.ndarray, bias: np.ndarray, width: int) -> np.ndarray:
    """Valid convolution of maps ``(K or 1, N, W, C)`` with kernels ``(K, width * C, F)``: ``(K, N, W - width + 1, F)``."""
    _, n, w, c = x.shape
    windows = np.lib.stride_tricks.sliding_window_view(x, width, axis=2)  # (K, N, W', C, width)
    columns = windows.transpose(0, 1, 2, 4, 3).reshape(x.shape[0], n * (w - width + 1), width * c)
    out = np.matmul(columns, kernel) + bias
    return out.reshape(len(out), n, w - width + 1, -1)


def positions_mask(start: np.ndarray, width: int, length: np.ndarray) -> np.ndarray:
    """``(1, N, width, 1)``: True at the window positions ``start + 0..width-1`` inside ``[0, length)`` of each row."""
    at = start[:, None] + np.arange(width)
    return ((at >= 0) & (at < length[:, None]))[None, :, :, None]


def pooled(stem: np.ndarray, pool: int) -> np.ndarray:
    """Max-pool ``(K, N, W, F)`` by ``pool`` (``W`` a multiple of it)."""
    if pool == 1:
        return stem
    k, n, w, f = stem.shape
    return stem.reshape(k, n, w // pool, pool, f).max(axis=3)


def gelu(x: np.ndarray) -> np.ndarray:
    """Keras' exact GELU."""
    return (0.5 * x * (1.0 + erf(x / np.float32(np.sqrt(2.0))))).astype(np.float32)


def activation(x: np.ndarray, name: str) -> np.ndarray:
    """A Dense layer's activation by its Keras name."""
    if name == "sigmoid":
        return (1.0 / (1.0 + np.exp(-x))).astype(np.float32)
    if name == "relu":
        return np.maximum(x, 0.0)
    if name == "gelu":
        return gelu(x)
    if name == "linear":
        return x
    raise ValueError(f"no numpy form of activation {name!r}")


def kmer_counts(codes: np.ndarray) -> np.ndarray:
    """Counts ``(N, 340)`` of every 1- to 4-mer, as :class:`~splice_core.models.architectures.KmerCounts`, from base codes
    ``(N, L)`` (0..3 for A, C, G, T; -1 elsewhere)."""
    n, length = codes.shape
    out = []
    for k in (1, 2, 3, 4):
        if length < k:
            out.append(np.zeros((n, 4**k), np.float32))
            continue
        index = np.zeros((n, length - k + 1), np.int64)
        valid = np.ones((n, length - k + 1), bool)
        for j in range(k):
            part = codes[:, j : length - k + 1 + j]
            index = index * 4 + np.maximum(part, 0)
            valid &= part >= 0
        flat = (np.arange(n)[:, None] * 4**k + index)[valid]
        out.append(np.bincount(flat, minlength=n * 4**k).reshape(n, 4**k).astype(np.float32))
    return np.concatenate(out, axis=1)


def base_codes(x: np.ndarray) -> np.ndarray:
    """Base codes ``(N, L)`` of one-hot ``(N, L, 4)``: 0..3, -1 at empty positions."""
    return np.where(x.any(-1), x.argmax(-1), -1).astype(np.int8)


def sequence_lengths(codes: np.ndarray) -> np.ndarray:
    """Last non-empty position + 1 of each row ``(N,)`` (0 when empty), as :class:`SequenceLength`."""
    present = codes >= 0
    return np.where(present.any(1), codes.shape[1] - present[:, ::-1].argmax(1), 0)


@dataclass
class References:
    """Every layer's map of reference sequences, computed in full: padded by the weights' margin with zeros."""

    maps: list[np.ndarray]  # block inputs, each (K, R, Lq + 2M, F)
    narrow: np.ndarray  # the 1x1 read of the tower's map (K, R, Lq, 16)
    sums: np.ndarray  # sums of the tower's map over positions before q, q = 0..Lq: (K, R, Lq + 1, F)
    before_max: np.ndarray  # its maximum before q (0 for none; the map is >= 0): (K, R, Lq + 1, F)
    after_max: np.ndarray  # its maximum from q on: (K, R, Lq + 1, F)
    lengths: np.ndarray  # (R,) bases
    codes: np.ndarray  # (R, L) base codes
    members: np.ndarray  # (R, K) predictions


def running_max(tower: np.ndarray) -> np.ndarray:
    """``(K, R, Lq + 1, F)``: the maximum of a map ``(K, R, Lq, F)`` over positions before each q (0 before the first)."""
    return np.maximum.accumulate(np.pad(tower, ((0, 0), (0, 0), (1, 0), (0, 0))), axis=2)


class IncrementalCNN:
    """The site-aware CNN ensemble in numpy: references in full, variants through the window their change reaches."""

    def __init__(self, weights: SiteAwareWeights):
        self.w = weights

    @property
    def n_members(self) -> int:
        """K, the number of members."""
        return self.w.stem[0].shape[0]

    def reads(self, length: int) -> bool:
        """True when inputs of ``length`` positions (a crop) pool whole and hold both read spans."""
        return length % self.w.pool == 0 and length // self.w.pool >= max(self.w.five, self.w.three)

    def window_growth(self, width: np.ndarray) -> np.ndarray:
        """Pooled positions of the tower's map that changes of ``width`` bases ``(N,)`` can reach."""
        return self.stem_count(width) + len(self.w.blocks) * (self.w.kernel - 1)

    def stem_count(self, width: int | np.ndarray) -> int | np.ndarray:
        """Pooled positions of the stem's map that a change of ``width`` bases can reach (pool windows whole)."""
        return -(-(width + STEM_KERNEL + self.w.pool - 2) // self.w.pool)

    def stem(self, x: np.ndarray, start: np.ndarray, width: int, lengths: np.ndarray) -> np.ndarray:
        """The stem's map over positions ``start + 0..width-1`` of each row of one-hot ``x`` ``(N, L, 4)``, masked."""
        pad = self.w.margin * self.w.pool + STEM_KERNEL
        padded = np.pad(x, ((0, 0), (pad, pad), (0, 0)))
        at = start[:, None] - (STEM_KERNEL - 1) // 2 + pad + np.arange(width + STEM_KERNEL - 1)
        windows = padded[np.arange(len(x))[:, None], at][None]
        out = np.maximum(conv_valid(windows, self.w.stem[0], self.w.stem[1], STEM_KERNEL), 0.0)
        return out * positions_mask(start, width, lengths)

    def block(self, index: int, context: np.ndarray, start: np.ndarray, lengths: np.ndarray) -> np.ndarray:
        """A residual block's map over a context ``(K, N, W, F)`` starting at pooled ``start``: ``W - kernel + 1``
        positions starting at ``start + left``, masked by pooled ``lengths``."""
        k = self.w.kernel
        left = (k - 1) // 2
        kernel, bias = self.w.blocks[index]
        y = np.maximum(conv_valid(context, kernel, bias, k), 0.0)
        out = context[:, :, left : left + y.shape[2]] + y
        return out * positions_mask(start + left, y.shape[2], lengths)

    def narrow(self, tower: np.ndarray) -> np.ndarray:
        """The 1x1 read ``(K, N, W, 16)`` of a tower map ``(K, N, W, F)``."""
        return np.maximum(np.matmul(tower, self.w.narrow[0][:, None]) + self.w.narrow[1][:, None], 0.0)

    def three_positions(self, lengths: np.ndarray, size: int) -> np.ndarray:
        """``(N, three)``: the pooled positions :class:`EndAlign` puts in the 3' read (wrapping as it does)."""
        plen = -(-lengths // self.w.pool)
        return (plen[:, None] - self.w.three + np.arange(self.w.three)) % size

    def references(self, x: np.ndarray) -> References:
        """Every map of one-hot sequences ``(R, L, 4)`` computed in full, and their predictions."""
        codes = base_codes(x)
        lengths = sequence_lengths(codes)
        pool, margin, k = self.w.pool, self.w.margin, self.w.kernel
        left = (k - 1) // 2
        zero = np.zeros(len(x), int)
        pooled_lengths = -(-lengths // pool)
        level = pooled(self.stem(x, zero, x.shape[1], lengths), pool)
        maps = []
        for b in range(len(self.w.blocks)):
            padded = np.pad(level, ((0, 0), (0, 0), (margin, margin), (0, 0)))
            maps.append(padded)
            context = padded[:, :, margin - left : margin + level.shape[2] + k - 1 - left]
            level = self.block(b, context, zero - left, pooled_lengths)
        narrow = self.narrow(level)
        rows = np.arange(len(x))[:, None]
        three = narrow[:, rows, self.three_positions(lengths, level.shape[2])]
        count = np.maximum(pooled_lengths, 1).astype(np.float32)[None, :, None]
        peak = level.max(axis=2)  # maps are >= 0 and zero past the length, as MaskedPooling's masked maximum
        members = self.head(
            narrow[:, :, : self.w.five], three, level.sum(axis=2) / count, peak, codes, lengths
        )
        sums = np.cumsum(np.pad(level, ((0, 0), (0, 0), (1, 0), (0, 0))), axis=2)
        after = running_max(level[:, :, ::-1])[:, :, ::-1]
        return References(maps, narrow, sums, running_max(level), after, lengths, codes, members)

    def head(
        self,
        five: np.ndarray,
        three: np.ndarray,
        mean: np.ndarray,
        peak: np.ndarray,
        codes: np.ndarray,
        lengths: np.ndarray,
    ) -> np.ndarray:
        """Predictions ``(N, K)`` from the 5' and 3' reads ``(K, N, P, 16)``, the masked mean and maximum of the
        tower's map ``(K, N, F)``, base codes ``(N, L)`` (k-mer counts) and lengths ``(N,)``."""
        w = self.w
        k, n = mean.shape[:2]
        size_read = np.broadcast_to(
            (lengths.astype(np.float32) * np.float32(w.scale))[None, :, None], (k, n, 1)
        )
        reads = [five.reshape(k, n, -1), three.reshape(k, n, -1), size_read, mean, peak]
        if w.kmer is not None:
            counts = np.log1p(kmer_counts(codes))
            reads.append(gelu(np.matmul(np.broadcast_to(counts, (k, *counts.shape)), w.kmer[0]) + w.kmer[1]))
        features = np.concatenate(reads, axis=-1).astype(np.float32)
        kernel, sums, bias = w.hidden
        mean = features.mean(-1, keepdims=True)
        spread = np.einsum("kni,kni->kn", features, features)[..., None] / features.shape[-1] - mean**2
        scale = 1.0 / np.sqrt(np.maximum(spread, 0.0) + np.float32(w.epsilon))
        hidden = gelu((np.matmul(features, kernel) - mean * sums) * scale + bias)
        out = [activation(np.matmul(hidden, kernel) + bias, name)[..., 0] for kernel, bias, name in w.outputs]
        return (out[0] * out[1] if len(out) > 1 else out[0]).T

    @functools.cached_property
    def graph(self) -> "WindowGraph":
        """The window path as a traced TensorFlow function over this engine's weights."""
        return WindowGraph(self.w)

    def variants(
        self,
        x: np.ndarray,
        refs: References,
        ref_a: np.ndarray,
        ref_b: np.ndarray,
        lo: np.ndarray,
        width: int,
    ) -> np.ndarray:
        """Predictions ``(N, K)`` of one-hot variants ``x`` ``(N, L, 4)`` equal to reference ``ref_a[n]`` before
        ``lo[n]`` and to reference ``ref_b[n]`` (of their length) from ``lo[n] + width`` on."""
        w, pool = self.w, self.w.pool
        codes = base_codes(x)
        lengths = sequence_lengths(codes)
        start = (lo - (STEM_KERNEL - 1 - (STEM_KERNEL - 1) // 2)) // pool
        count = self.stem_count(width)
        pad = w.margin * pool + STEM_KERNEL
        at = start[:, None] * pool - (STEM_KERNEL - 1) // 2 + pad + np.arange(count * pool + STEM_KERNEL - 1)
        stem_input = np.pad(x, ((0, 0), (pad, pad), (0, 0)))[np.arange(len(x))[:, None], at]
        counts = np.log1p(kmer_counts(codes)) if w.kmer is not None else np.zeros((len(x), 0), np.float32)
        rows = -(-len(x) // ROW_STEP) * ROW_STEP  # few row counts reach the traced function (kept kernels)
        extra = rows - len(x)

        def padded(value: np.ndarray, dtype=tf.int32) -> tf.Tensor:
            return tf.constant(np.concatenate([value, np.repeat(value[-1:], extra, axis=0)]), dtype)

        out = self.graph.members(
            padded(stem_input, tf.float32),
            padded(start),
            padded(lengths),
            padded(ref_a),
            padded(ref_b),
            padded(counts, tf.float32),
            padded(self.three_positions(lengths, refs.narrow.shape[2])),
            tf.constant(count, tf.int32),
            [tf.constant(level) for level in refs.maps],
            *(tf.constant(a) for a in (refs.narrow, refs.sums, refs.before_max, refs.after_max)),
        )
        return np.asarray(out)[: len(x)]

    def members_near(
        self, x: np.ndarray, ref_x: np.ndarray, candidates: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """(predictions ``(N, K)``, done ``(N,)``) of one-hot ``x`` ``(N, L, 4)``, each scored from the two of its
        candidate references (``(N, C)`` rows of ``ref_x`` ``(R, L, 4)``, -1 for none) that leave the narrowest window.

        A row is not done (left for the caller) when no candidate of its length leaves a window narrower than the
        map; a row equal to a reference is that reference's prediction. References are computed in numpy on one
        core's BLAS (the two cores' BLAS threads, on a shared machine, spent most of their time waiting for each
        other), windows in a traced TensorFlow function (a third of numpy's CPU time, and it shares the cores well).
        """
        plan = window_plan(base_codes(x), base_codes(ref_x), candidates)
        usable = plan.usable & (self.window_growth(bucketed(plan.width)) <= x.shape[1] // self.w.pool // 2)
        with blas_controller().limit(limits=1):
            return self.scored(x, ref_x, plan, usable) * gate_values(self.w.gates, x), usable | plan.equal

    def scored(self, x: np.ndarray, ref_x: np.ndarray, plan: "WindowPlan", usable: np.ndarray) -> np.ndarray:
        """Predictions ``(N, K)`` of the rows ``plan`` scores (the rest 0): references' own, or through windows."""
        refs = self.references(ref_x)
        out = np.zeros((len(x), self.n_members), np.float32)
        out[plan.equal] = refs.members[plan.twin[plan.equal]]
        width = bucketed(plan.width)
        lo = np.minimum(
            plan.lo, x.shape[1] - width
        )  # a wider window starts earlier: the bases it adds are A's
        for n in np.unique(width[usable]).tolist():
            group = np.flatnonzero(usable & (width == n))
            for chunk in np.array_split(group, -(-len(group) // ROWS)):
                out[chunk] = self.variants(x[chunk], refs, plan.ref_a[chunk], plan.ref_b[chunk], lo[chunk], n)
        return out


def bucketed(width: np.ndarray) -> np.ndarray:
    """Window widths: 1 for 0 or 1 (deletions, substitutions), else a power of two from :data:`WIDTH_STEP` (a few
    calls, not one per width; a wider window is exact, its extra bases being the references')."""
    wide = WIDTH_STEP * 2 ** np.ceil(np.log2(np.maximum(width, 1) / WIDTH_STEP)).clip(0).astype(int)
    return np.where(width <= 1, 1, wide)


@functools.cache
def blas_controller() -> ThreadpoolController:
    """The process's BLAS thread pools (inspected once)."""
    return ThreadpoolController()


@dataclass(frozen=True)
class WindowPlan:
    """How each variant is scored: the references left and right of its window, the window, or its twin."""

    ref_a: np.ndarray  # (N,) reference equal to the variant before lo
    ref_b: np.ndarray  # (N,) reference of its length equal to it from lo + width on
    lo: np.ndarray  # (N,) window start (bases)
    width: np.ndarray  # (N,) window width (bases)
    usable: np.ndarray  # (N,) True when the two references frame the window
    equal: np.ndarray  # (N,) True when the variant equals a reference
    twin: np.ndarray  # (N,) that reference


def window_plan(codes: np.ndarray, ref_codes: np.ndarray, candidates: np.ndarray) -> WindowPlan:
    """The narrowest window of each variant (base codes ``(N, L)``) between two of its candidate references."""
    n, size = codes.shape
    present = candidates >= 0
    lengths, ref_lengths = sequence_lengths(codes), sequence_lengths(ref_codes)
    safe = np.maximum(candidates, 0)
    differs = codes[:, None, :] != ref_codes[safe]  # (N, C, L)
    changed = differs.any(-1)
    prefix = np.where(present, np.where(changed, differs.argmax(-1), size), -1)
    same = present & (ref_lengths[safe] == lengths[:, None])
    suffix = np.where(same, np.where(changed, size - differs[..., ::-1].argmax(-1), 0), size + 1)
    rows = np.arange(n)
    ref_a = candidates[rows, prefix.argmax(1)] if n and candidates.shape[1] else np.zeros(n, int)
    ref_b = candidates[rows, suffix.argmin(1)] if n and candidates.shape[1] else np.zeros(n, int)
    hi = suffix.min(1) if candidates.shape[1] else np.full(n, size + 1)
    lo = np.minimum(prefix.max(1) if candidates.shape[1] else np.zeros(n, int), hi)
    equal = (~changed & present).any(1)
    twin = candidates[rows, (~changed & present).argmax(1)] if candidates.shape[1] else np.zeros(n, int)
    usable = ~equal & (hi <= size) & (lo >= 0) & (lo <= ref_lengths[np.maximum(ref_a, 0)])
    return WindowPlan(ref_a, ref_b, lo, hi - lo, usable, equal, twin)


def tf_gelu(x: tf.Tensor) -> tf.Tensor:
    """Keras' exact GELU."""
    return 0.5 * x * (1.0 + tf.math.erf(x / np.float32(np.sqrt(2.0))))


def tf_activation(x: tf.Tensor, name: str) -> tf.Tensor:
    """A Dense layer's activation by its Keras name (those :func:`activation` knows)."""
    return {"sigmoid": tf.sigmoid, "relu": tf.nn.relu, "gelu": tf_gelu, "linear": tf.identity}[name](x)


def tf_mask(start: tf.Tensor, width: tf.Tensor, lengths: tf.Tensor) -> tf.Tensor:
    """``(1, N, width, 1)``: 1 at the window positions ``start + 0..width-1`` inside ``[0, length)`` of each row."""
    at = start[:, None] + tf.range(width)[None]
    return tf.cast((at >= 0) & (at < lengths[:, None]), tf.float32)[None, :, :, None]


def at_rows(maps: tf.Tensor, rows: tf.Tensor, positions: tf.Tensor) -> tf.Tensor:
    """``(K, N, P, C)``: maps ``(K, R, Q, C)`` of reference ``rows[n]`` ``(N,)`` at ``positions`` ``(N, P)``."""
    flat = tf.reshape(maps, (tf.shape(maps)[0], -1, maps.shape[-1]))
    return tf.gather(flat, rows[:, None] * tf.shape(maps)[2] + positions, axis=1)


class WindowGraph:
    """:meth:`IncrementalCNN.variants`' window path in TensorFlow (the same arithmetic as the numpy references)."""

    def __init__(self, weights: SiteAwareWeights):
        self.w = weights
        k = weights.kernel
        self.stem = (
            tf.constant(weights.stem[0].reshape(self.n_members, STEM_KERNEL, 4, -1)),
            tf.constant(weights.stem[1]),
        )
        self.blocks = [
            (tf.constant(kernel.reshape(self.n_members, k, -1, kernel.shape[-1])), tf.constant(bias))
            for kernel, bias in weights.blocks
        ]
        filters = weights.stem[0].shape[-1]
        rows, ints = (None,), tf.TensorSpec((None,), tf.int32)
        maps = tf.TensorSpec((self.n_members, None, None, filters))
        self.members = tf.function(  # traced once, for any rows and width
            self.window_members,
            input_signature=[
                tf.TensorSpec((None, None, 4)),
                ints,
                ints,
                ints,
                ints,
                tf.TensorSpec((*rows, None)),
                tf.TensorSpec((None, None), tf.int32),
                tf.TensorSpec((), tf.int32),
                [maps] * len(weights.blocks),
                tf.TensorSpec((self.n_members, None, None, NARROW)),
                maps,
                maps,
                maps,
            ],
        ).get_concrete_function()  # called directly: the signature check took ~5 ms a call

    @property
    def n_members(self) -> int:
        """K."""
        return self.w.stem[0].shape[0]

    def conv(self, x: tf.Tensor, kernel: tf.Tensor, bias: tf.Tensor) -> tf.Tensor:
        """Valid convolution of each member's maps ``(K or 1, N, W, C)``: ``(K, N, W - k + 1, F)``."""
        one = x.shape[0] == 1
        return (
            tf.stack([tf.nn.conv1d(x[0 if one else m], kernel[m], 1, "VALID") for m in range(self.n_members)])
            + bias[:, None]
        )

    def window_members(
        self,
        stem_input: tf.Tensor,
        start: tf.Tensor,
        lengths: tf.Tensor,
        ref_a: tf.Tensor,
        ref_b: tf.Tensor,
        counts: tf.Tensor,
        three_at: tf.Tensor,
        count: tf.Tensor,
        maps: list[tf.Tensor],
        narrow: tf.Tensor,
        sums: tf.Tensor,
        before_max: tf.Tensor,
        after_max: tf.Tensor,
    ) -> tf.Tensor:
        """Predictions ``(N, K)``: the stem over ``stem_input`` ``(N, count * pool + 8, 4)`` (the variants' bases
        around pooled window ``start``), then each block between references ``ref_a`` and ``ref_b``, then the heads."""
        w, k, pool = self.w, self.w.kernel, self.w.pool
        left = (k - 1) // 2
        members, rows = self.n_members, tf.shape(stem_input)[0]
        plen = (lengths + pool - 1) // pool
        stem = tf.nn.relu(self.conv(stem_input[None], *self.stem)) * tf_mask(
            start * pool, count * pool, lengths
        )
        window = tf.reduce_max(tf.reshape(stem, (members, rows, count, pool, stem.shape[-1])), axis=3)
        width = count
        for (kernel, bias), level in zip(self.blocks, maps):
            reach = tf.range(k - 1)[None]
            before = at_rows(level, ref_a, start[:, None] - (k - 1) + w.margin + reach)
            after = at_rows(level, ref_b, start[:, None] + width + w.margin + reach)
            context = tf.concat([before, window, after], axis=2)
            y = tf.nn.relu(self.conv(context, kernel, bias))
            start, width = start - (k - 1) + left, width + k - 1
            window = (context[:, :, left : left + width] + y) * tf_mask(start, width, plen)
        size = tf.shape(narrow)[2]
        first, end = tf.clip_by_value(start, 0, size), tf.clip_by_value(start + width, 0, size)

        def point(maps: tf.Tensor, refs: tf.Tensor, at: tf.Tensor) -> tf.Tensor:
            return at_rows(maps, refs, at[:, None])[:, :, 0]

        total = (
            point(sums, ref_a, first)
            + tf.reduce_sum(window, 2)
            + point(sums, ref_b, tf.fill(tf.shape(end), size))
        )
        total -= point(sums, ref_b, end)
        peak = tf.maximum(
            tf.maximum(point(before_max, ref_a, first), tf.reduce_max(window, 2)),
            point(after_max, ref_b, end),
        )
        window_narrow = tf.nn.relu(tf.einsum("knwf,kfg->knwg", window, w.narrow[0]) + w.narrow[1][:, None])

        def joined(at: tf.Tensor) -> tf.Tensor:  # the variant's 1x1 read at positions (N, P)
            outside = tf.where(
                (at < start[:, None])[None, :, :, None],
                at_rows(narrow, ref_a, at),
                at_rows(narrow, ref_b, at),
            )
            inside = tf.clip_by_value(at - start[:, None], 0, width - 1)
            flat = tf.reshape(window_narrow, (members, -1, NARROW))
            within = tf.gather(flat, tf.range(rows)[:, None] * width + inside, axis=1)
            return tf.where(
                ((at >= start[:, None]) & (at < start[:, None] + width))[None, :, :, None], within, outside
            )

        five = joined(tf.broadcast_to(tf.range(w.five)[None], (rows, w.five)))
        size_read = tf.cast(lengths, tf.float32) * np.float32(w.scale)
        reads = [
            tf.reshape(five, (members, rows, w.five * NARROW)),
            tf.reshape(joined(three_at), (members, rows, w.three * NARROW)),
            tf.broadcast_to(size_read[None, :, None], (members, rows, 1)),
            total / tf.cast(tf.maximum(plen, 1), tf.float32)[None, :, None],
            peak,
        ]
        if w.kmer is not None:
            reads.append(tf_gelu(tf.einsum("ni,kio->kno", counts, w.kmer[0]) + w.kmer[1]))
        features = tf.concat(reads, axis=-1)
        kernel, sums_of_kernel, bias = w.hidden
        mean, variance = tf.nn.moments(features, [-1], keepdims=True)
        hidden = tf_gelu(
            (tf.einsum("kni,kio->kno", features, kernel) - mean * sums_of_kernel)
            * tf.math.rsqrt(variance + np.float32(w.epsilon))
            + bias
        )
        out = [
            tf_activation(tf.einsum("kni,kio->kno", hidden, k_) + b_, name)[..., 0]
            for k_, b_, name in w.outputs
        ]
        return tf.transpose(out[0] * out[1] if len(out) > 1 else out[0])


def incremental_model(model: keras.Model) -> IncrementalCNN | None:
    """The numpy engine of a site-aware CNN (or a stack of them), None for any other model.

    The graph must be exactly what ``site_aware_cnn`` builds (every member alike), and the engine must give
    Keras' predictions on random sequences within :data:`TOLERANCE`.
    """
    members = ensemble_members(model)
    settings = [site_aware_settings(member) for member in members]
    if (
        settings[0] is None
        or any(s != settings[0] for s in settings)
        or not is_site_aware(members[0], settings[0])
    ):
        return None
    reference = normalised_config(members[0])
    if any(normalised_config(member) != reference for member in members[1:]):
        return None
    engine = IncrementalCNN(stacked_weights([member_weights(m, settings[0]) for m in members], settings[0]))
    return engine if agrees_with(engine, model) else None


def agrees_with(engine: IncrementalCNN, model: keras.Model) -> bool:
    """True when the engine predicts as ``model`` does on random sequences of :data:`CHECK_LENGTHS`."""
    length = int(model.input_shape[1])
    rng = np.random.default_rng(0)
    codes = [rng.integers(0, 4, min(n, length)) for n in CHECK_LENGTHS]
    x = np.zeros((len(codes), length, 4), np.float32)
    for row, c in enumerate(codes):
        x[row, np.arange(len(c)), c] = 1.0
    want = np.asarray(model(x, training=False)).reshape(len(x), -1)
    crop = next((n for n in range(max(map(len, codes)), length + 1) if engine.reads(n)), None)
    if crop is None or want.shape[1] != engine.n_members:
        return False
    got = engine.references(x[:, :crop]).members * gate_values(engine.w.gates, x[:, :crop])
    return bool(np.abs(got - want).max() <= TOLERANCE)
