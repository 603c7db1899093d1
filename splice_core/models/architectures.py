"""Keras model builders: the reference study's Table 1 architectures and the project's dilated ResNet and site-aware CNN.

Every builder takes ``(input_length, output=...)`` and returns an uncompiled model mapping
``(N, L, 4)`` one-hot sequences to ``(N, 1)`` splicing efficiency.
"""

from collections.abc import Callable

import keras
import numpy as np
from keras import layers, ops

from splice_core.models.recipe_options import OUTPUTS
from splice_core.seq.encoding import ALPHABET

HEAD5, HEAD3 = 16, 64  # positions the site-aware model reads from the 5' and 3' ends
SITE5, SITE3 = 6, 3  # bases the site gates read: the 5' site's first 6, the 3' site's last 3
BRANCH = 7  # the branch gate's filter: a heptamer
GATE_OPEN = 4.0  # a gate starts at sigmoid(4) = 0.98 on its consensus site
BRANCH_SLOPE = 1.5  # the branch gate's initial slope on its filter's peak
IUPAC = {"Y": "CT"}
GATED_OUTPUT = "site_gated"  # the layer multiplying a site-gated member's prediction by its gates


def consensus_weights(motif: str, weights: tuple[float, ...]) -> np.ndarray:
    """``(len(motif), 4)`` weights: each position's weight on its consensus base(s) (IUPAC Y for C or T), 0 elsewhere."""
    out = np.zeros((len(motif), len(ALPHABET)), np.float32)
    for row, (letter, weight) in enumerate(zip(motif, weights, strict=True)):
        for base in IUPAC.get(letter, letter):
            out[row, ALPHABET.index(base)] = weight
    return out


# The gates start from yeast's consensus sites, each base weighted by how much the library's constructs lose
# without it (a branch site TACTAGC measures 0.000, GACTAAC 0.28 beside TACTAAC's 0.24): a consensus site gives
# sigmoid(GATE_OPEN), one of its heavy bases broken about sigmoid(-2) = 0.12. Training moves them from there.
FIVE_START = consensus_weights("GTATGT", (6, 6, 1, 1, 2, 1))
THREE_START = consensus_weights("YAG", (1, 6, 6))
BRANCH_START = consensus_weights("TACTAAC", (1, 2, 2, 3, 3, 4, 3))


def output_layer(x, output: str):
    """The final unit: ``sigmoid`` (default, bounded 0..1) or the reference study's ``relu`` (can collapse to 0)."""
    if output not in OUTPUTS:
        raise ValueError(f"unknown output {output!r}; choose one of {', '.join(OUTPUTS)}")
    return layers.Dense(1, activation=output, name="efficiency")(x)


def with_cryptic_head(model: keras.Model) -> keras.Model:
    """Outputs (efficiency, cryptic) ``(N, 1)`` each: splicing at any site split between the designed and other sites.

    A sigmoid unit ``spliced`` beside the model's ``efficiency`` unit reads the same layer; the model's own output
    becomes the designed site's share of splicing, so efficiency = spliced × share and cryptic = spliced − efficiency.
    A construct whose designed 3' site is broken can then be well spliced (at a cryptic site) with no efficiency.
    """
    features = model.get_layer("efficiency").input
    spliced = layers.Dense(1, activation="sigmoid", name="spliced")(features)
    efficiency = layers.Multiply(name="designed_site")([spliced, model.outputs[0]])
    return keras.Model(
        model.input, [efficiency, layers.Subtract(name="cryptic")([spliced, efficiency])], name=model.name
    )


def has_cryptic_split(model: keras.Model) -> bool:
    """True when a model's efficiency is the designed site's share of splicing (:func:`with_cryptic_head`)."""
    return any(layer.name == "designed_site" for layer in model.layers)


def efficiency_only(model: keras.Model) -> keras.Model:
    """The model cut to its first output ``(N, 1)`` (drops what only the other outputs use)."""
    return keras.Model(model.input, model.outputs[0], name=model.name)


def residual_block(x, filters: int, kernel: int, dilation: int = 1, dropout: float = 0.0):
    """Conv + batch norm + ReLU, added to the input (projected by a 1x1 conv when widths differ)."""
    shortcut = x if x.shape[-1] == filters else layers.Conv1D(filters, 1)(x)
    y = layers.Conv1D(filters, kernel, padding="same", dilation_rate=dilation)(x)
    y = layers.BatchNormalization()(y)
    y = layers.Activation("relu")(y)
    if dropout:
        y = layers.Dropout(dropout)(y)
    return layers.Add()([shortcut, y])


def study_cnn(
    input_length: int, n_blocks: int = 1, conv_after: bool = False, output: str = "sigmoid"
) -> keras.Model:
    """The reference study's CNN: conv stem, ``n_blocks`` residual blocks, optional conv, max-pool, dense ReLU layers."""
    inputs = keras.Input((input_length, 4))
    x = layers.Conv1D(32, 9, padding="same", activation="relu")(inputs)
    for _ in range(n_blocks):
        x = residual_block(x, 32, 9)
    if conv_after:
        x = layers.Conv1D(16, 5, padding="same", activation="relu")(x)
    x = layers.MaxPooling1D(8)(x)
    x = layers.Flatten()(x)
    x = layers.Dense(16, activation="relu")(x)
    return keras.Model(
        inputs, output_layer(x, output), name=f"cnn_res{n_blocks}{'_conv' if conv_after else ''}"
    )


def study_stacked_cnn(input_length: int, output: str = "sigmoid") -> keras.Model:
    """The reference study's plain CNN: three stacked convs with max-pooling, then dense ReLU layers."""
    inputs = keras.Input((input_length, 4))
    x = inputs
    for filters in (32, 32, 16):
        x = layers.Conv1D(filters, 7, padding="same", activation="relu")(x)
        x = layers.MaxPooling1D(2)(x)
    x = layers.Flatten()(x)
    x = layers.Dense(16, activation="relu")(x)
    return keras.Model(inputs, output_layer(x, output), name="cnn_stacked")


def study_bilstm(input_length: int, output: str = "sigmoid") -> keras.Model:
    """The reference study's BiLSTM: conv 64 (k 15, stride 4), dropout, 2 bidirectional LSTMs with dropout + BN, dense ReLU."""
    inputs = keras.Input((input_length, 4))
    x = layers.Conv1D(64, 15, strides=4, activation="relu")(inputs)
    x = layers.Dropout(0.2)(x)
    x = layers.Bidirectional(layers.LSTM(64, return_sequences=True, dropout=0.2))(x)
    x = layers.BatchNormalization()(x)
    x = layers.Bidirectional(layers.LSTM(64, return_sequences=True, dropout=0.2))(x)
    x = layers.BatchNormalization()(x)
    x = layers.Flatten()(x)
    x = layers.Dense(16, activation="relu")(x)
    x = layers.Dense(16, activation="relu")(x)
    return keras.Model(inputs, output_layer(x, output), name="bilstm")


def dilated_resnet(
    input_length: int,
    filters: int = 48,
    n_blocks: int = 5,
    kernel: int = 5,
    dropout: float = 0.1,
    output: str = "sigmoid",
) -> keras.Model:
    """Project model: wide stem, dilated residual blocks (receptive field spans the intron), avg+max pooling."""
    inputs = keras.Input((input_length, 4))
    x = layers.Conv1D(filters, 11, padding="same", activation="relu")(inputs)
    for i in range(n_blocks):
        x = residual_block(x, filters, kernel, dilation=2 ** (i % 4), dropout=dropout)
    pooled = layers.Concatenate()([layers.GlobalAveragePooling1D()(x), layers.GlobalMaxPooling1D()(x)])
    x = layers.Dropout(0.2)(pooled)
    x = layers.Dense(64, activation="relu")(x)
    return keras.Model(inputs, output_layer(x, output), name="dilated_resnet")


@keras.saving.register_keras_serializable(package="splice_core")
class SequenceLength(layers.Layer):
    """Length of each left-aligned sequence in ``(N, L, 4)`` one-hot: last non-zero position + 1, shape ``(N,)``.

    With ``pool`` > 1, the length in positions of a map pooled by ``pool`` (rounded up).
    """

    def __init__(self, pool: int = 1, **kwargs):
        super().__init__(**kwargs)
        self.pool = pool

    def call(self, onehot):
        present = ops.cast(ops.max(onehot, axis=-1) > 0, "int32")
        from_end = ops.cast(ops.argmax(ops.flip(present, axis=1), axis=1), "int32")
        bases = ops.where(ops.any(present > 0, axis=1), ops.shape(onehot)[1] - from_end, 0)
        return (bases + self.pool - 1) // self.pool

    def get_config(self):
        return {**super().get_config(), "pool": self.pool}


@keras.saving.register_keras_serializable(package="splice_core")
class EndAlign(layers.Layer):
    """Rolls each feature map ``(N, L, C)`` so that its sequence's last base sits at position L - 1."""

    def call(self, features, lengths):
        size = ops.shape(features)[1]
        index = ops.mod(ops.arange(size)[None, :] + ops.cast(lengths, "int32")[:, None] - size, size)
        return ops.take_along_axis(features, ops.broadcast_to(index[..., None], ops.shape(features)), axis=1)


def within_length(features, lengths):
    """``(N, L)``: True at the positions of a feature map ``(N, L, C)`` before each sequence's length ``(N,)``."""
    return ops.arange(ops.shape(features)[1])[None, :] < ops.cast(lengths, "int32")[:, None]


@keras.saving.register_keras_serializable(package="splice_core")
class PaddingMask(layers.Layer):
    """Zeroes a feature map ``(N, L, C)`` at positions at or beyond each sequence's length ``(N,)``."""

    def call(self, features, lengths):
        return features * ops.cast(within_length(features, lengths), features.dtype)[..., None]


@keras.saving.register_keras_serializable(package="splice_core")
class MaskedPooling(layers.Layer):
    """Mean and max of a feature map ``(N, L, C)`` over each sequence's own positions: ``(N, 2C)``."""

    def call(self, features, lengths):
        keep = within_length(features, lengths)[..., None]
        count = ops.cast(ops.maximum(lengths, 1), features.dtype)[:, None]
        mean = ops.sum(ops.where(keep, features, 0.0), axis=1) / count
        peak = ops.max(ops.where(keep, features, float(np.finfo(np.float32).min)), axis=1)
        return ops.concatenate([mean, ops.where(lengths[:, None] > 0, peak, 0.0)], axis=-1)


@keras.saving.register_keras_serializable(package="splice_core")
def log_count(x):
    """``log(1 + x)`` of counts, clamped at 0 first (registered by name, so saved models load this code).

    On one-hot input a count is never negative and the clamp changes nothing; off it (SmoothGrad's noisy copies),
    a "count" below -1 would make ``log1p`` NaN and poison the whole forward pass.
    """
    return ops.log1p(ops.maximum(x, 0.0))


@keras.saving.register_keras_serializable(package="splice_core")
class KmerCounts(layers.Layer):
    """Counts of every 1-, 2-, 3- and 4-mer in one-hot ``(N, L, 4)``: ``(N, 340)``, k-mers in lexicographic order.

    2-mer indicators come from a fixed width-2 convolution; 3- and 4-mer counts are sums over positions of
    products of shifted indicators (batched matrix products), so they stay differentiable (saliency flows
    through them) at a small fraction of a conv's cost. Written in ``keras.ops``, like every layer here, so
    the models train on any Keras backend (TensorFlow, JAX, PyTorch).
    """

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        pairs = np.zeros((2, 4, 16), np.float32)
        for j in range(16):
            pairs[0, j // 4, j] = pairs[1, j % 4, j] = 1.0
        self.pairs = pairs

    def call(self, onehot):
        two = ops.relu(
            ops.conv(onehot, ops.convert_to_tensor(self.pairs, onehot.dtype), 1, "valid") - 1.0
        )  # (N, L-1, 16)
        three = ops.matmul(ops.transpose(two[:, :-1], (0, 2, 1)), onehot[:, 2:])  # (N, 16, 4)
        four = ops.matmul(ops.transpose(two[:, :-2], (0, 2, 1)), two[:, 2:])  # (N, 16, 16)
        return ops.concatenate(
            [ops.sum(onehot, 1), ops.sum(two, 1), ops.reshape(three, (-1, 64)), ops.reshape(four, (-1, 256))],
            axis=-1,
        )

    def compute_output_shape(self, input_shape):
        return (input_shape[0], 340)


def gate_unit(x, name: str, kernel: np.ndarray, open_at: float):
    """A sigmoid unit ``(N, 1)``, how intact one splicing signal is: starts at ``kernel``, open (sigmoid of
    :data:`GATE_OPEN`) where its read ``x @ kernel`` reaches ``open_at``."""
    return layers.Dense(
        1,
        activation="sigmoid",
        kernel_initializer=keras.initializers.Constant(kernel.reshape(-1, 1)),
        bias_initializer=keras.initializers.Constant(GATE_OPEN - open_at),
        name=name,
    )(x)


def site_gates(inputs, lengths):
    """Three gates ``(N, 1)`` read from one-hot ``(N, L, 4)``: the 5' site, the 3' site and the best branch heptamer.

    The 5' gate is a learnt weight matrix over the first :data:`SITE5` bases, the 3' gate one over the last
    :data:`SITE3`, and the branch gate reads the mean and the peak of a learnt heptamer filter over the intron's own
    positions. Each is a position weight matrix with a sigmoid, started from the consensus (:data:`FIVE_START`,
    :data:`THREE_START`, :data:`BRANCH_START`), so a broken site closes its gate whatever the rest of the sequence
    says. (Started open and at random, the gates stayed there: the tower learnt the sites and left them no gradient.)
    """
    five = layers.Reshape((SITE5 * 4,), name="gate_5ss_read")(inputs[:, :SITE5])
    three = layers.Reshape((SITE3 * 4,), name="gate_3ss_read")(EndAlign()(inputs, lengths)[:, -SITE3:])
    branch_filter = layers.Conv1D(
        1,
        BRANCH,
        padding="same",
        kernel_initializer=keras.initializers.Constant(BRANCH_START[..., None]),
        name="branch_filter",
    )
    branch = MaskedPooling()(PaddingMask()(branch_filter(inputs), lengths), lengths)  # (N, 2): mean, peak
    return [
        gate_unit(five, "gate_5ss", FIVE_START, FIVE_START.max(1).sum()),
        gate_unit(three, "gate_3ss", THREE_START, THREE_START.max(1).sum()),
        gate_unit(
            branch, "gate_branch", np.array([0.0, BRANCH_SLOPE]), BRANCH_SLOPE * BRANCH_START.max(1).sum()
        ),
    ]


def site_aware_cnn(
    input_length: int,
    filters: int = 32,
    n_blocks: int = 4,
    kernel: int = 5,
    dropout: float = 0.15,
    head5: int = HEAD5,
    head3: int = HEAD3,
    kmers: bool = True,
    pool: int = 1,
    gates: bool = False,
    output: str = "sigmoid",
) -> keras.Model:
    """Project model for left-aligned introns: residual tower read at fixed offsets from both ends.

    The tower's map is read over the first ``head5`` positions (5' splice site side) and, after
    :class:`EndAlign`, over the last ``head3`` positions (branch site and 3' splice site side), beside
    pooling over the sequence, its length and (``kmers``) a dense layer on its log k-mer counts. Every map is zeroed beyond the sequence
    (:class:`PaddingMask`), so the output does not depend on the padding: the model may be called on
    inputs cropped to any length of at least ``max(head5, head3)`` that holds every sequence (a multiple of
    ``pool``). With ``pool`` > 1 the stem's map is max-pooled by ``pool`` before the tower, which then runs on
    ``L / pool`` positions (``head5`` and ``head3`` count bases); the default, 1, pools nothing: a pooled map's phase
    moves with every indel of odd size, which moved predictions by about 0.1 wherever the indel was. The tower's convolutions are not dilated: TensorFlow runs
    dilated convolutions on CPU at about twice the cost, and on this library they were no more accurate.
    """
    inputs = keras.Input((input_length, 4))
    lengths = SequenceLength()(inputs)
    pooled_lengths = SequenceLength(pool)(inputs)
    x = PaddingMask()(layers.Conv1D(filters, 9, padding="same", activation="relu")(inputs), lengths)
    if pool > 1:
        x = layers.MaxPooling1D(pool, padding="same")(x)
    for _i in range(n_blocks):
        x = PaddingMask()(residual_block(x, filters, kernel, dropout=dropout), pooled_lengths)
    narrow = layers.Conv1D(16, 1, activation="relu")(x)
    five, three = head5 // pool, head3 // pool
    five = layers.Reshape((five * 16,))(narrow[:, :five])  # Reshape, not Flatten: static width at any L
    three = layers.Reshape((three * 16,))(EndAlign()(narrow, pooled_lengths)[:, -three:])
    size = layers.Reshape((1,))(layers.Rescaling(1.0 / input_length)(ops.cast(lengths, "float32")))
    reads = [five, three, size, MaskedPooling()(x, pooled_lengths)]
    if kmers:
        reads.append(layers.Dense(64, activation="gelu")(layers.Activation(log_count)(KmerCounts()(inputs))))
    x = layers.Concatenate()(reads)
    x = layers.LayerNormalization()(x)
    x = layers.Dropout(0.3)(x)
    x = layers.Dense(64, activation="gelu")(
        x
    )  # GELU: no dead units, so the head cannot collapse to a constant
    if not gates:
        return keras.Model(inputs, output_layer(x, output), name="site_aware_cnn")
    gated = layers.Multiply(name=GATED_OUTPUT)([output_layer(x, output), *site_gates(inputs, lengths)])
    return keras.Model(inputs, gated, name="site_gated_cnn")


def is_site_gated(model: keras.Model) -> bool:
    """True when a member multiplies its prediction by site gates (:func:`site_gates`)."""
    return any(layer.name == GATED_OUTPUT for layer in model.layers)


def reads_any_length(model: keras.Model) -> bool:
    """True when the model (or each ensemble member) masks its padding, so inputs may be cropped."""
    nested = [layer for layer in model.layers if isinstance(layer, keras.Model)]
    if nested:
        return all(reads_any_length(member) for member in nested)
    return any(isinstance(layer, PaddingMask) for layer in model.layers)


BUILDERS: dict[str, Callable[..., keras.Model]] = {
    "bilstm": study_bilstm,
    "cnn_res1": lambda n, output="sigmoid": study_cnn(n, 1, False, output),
    "cnn_res1_conv": lambda n, output="sigmoid": study_cnn(n, 1, True, output),
    "cnn_res4": lambda n, output="sigmoid": study_cnn(n, 4, False, output),
    "cnn_res4_conv": lambda n, output="sigmoid": study_cnn(n, 4, True, output),
    "cnn_stacked": study_stacked_cnn,
    "dilated_resnet": dilated_resnet,
    "site_aware_cnn": site_aware_cnn,
    "site_gated_cnn": lambda n, output="sigmoid": site_aware_cnn(n, gates=True, output=output),
}


def build_model(architecture: str, input_length: int, output: str = "sigmoid") -> keras.Model:
    """An uncompiled model of a registered architecture for inputs ``(N, input_length, 4)``."""
    if architecture not in BUILDERS:
        raise ValueError(f"unknown architecture {architecture!r}; choose one of {', '.join(BUILDERS)}")
    return BUILDERS[architecture](input_length, output=output)
