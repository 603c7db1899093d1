"""Keras model builders: the seed study's Table 1 architectures and the project's dilated ResNet.

Every builder takes ``(input_length, output=...)`` and returns an uncompiled model mapping
``(N, L, 4)`` one-hot sequences to ``(N, 1)`` splicing efficiency.
"""
from collections.abc import Callable

import keras
import tensorflow as tf
from keras import layers

OUTPUTS = ("sigmoid", "relu")


def output_layer(x, output: str):
    """The final unit: ``sigmoid`` (default, bounded 0..1) or the seed's ``relu`` (can collapse to 0)."""
    if output not in OUTPUTS:
        raise ValueError(f"unknown output {output!r}; choose one of {', '.join(OUTPUTS)}")
    return layers.Dense(1, activation=output, name="efficiency")(x)


def residual_block(x, filters: int, kernel: int, dilation: int = 1, dropout: float = 0.0):
    """Conv + batch norm + ReLU, added to the input (projected by a 1x1 conv when widths differ)."""
    shortcut = x if x.shape[-1] == filters else layers.Conv1D(filters, 1)(x)
    y = layers.Conv1D(filters, kernel, padding="same", dilation_rate=dilation)(x)
    y = layers.BatchNormalization()(y)
    y = layers.Activation("relu")(y)
    if dropout:
        y = layers.Dropout(dropout)(y)
    return layers.Add()([shortcut, y])


def seed_cnn(input_length: int, n_blocks: int = 1, conv_after: bool = False, output: str = "sigmoid") -> keras.Model:
    """Seed CNN: conv stem, ``n_blocks`` residual blocks, optional conv, max-pool, dense ReLU layers."""
    inputs = keras.Input((input_length, 4))
    x = layers.Conv1D(32, 9, padding="same", activation="relu")(inputs)
    for _ in range(n_blocks):
        x = residual_block(x, 32, 9)
    if conv_after:
        x = layers.Conv1D(16, 5, padding="same", activation="relu")(x)
    x = layers.MaxPooling1D(8)(x)
    x = layers.Flatten()(x)
    x = layers.Dense(16, activation="relu")(x)
    return keras.Model(inputs, output_layer(x, output), name=f"cnn_res{n_blocks}{'_conv' if conv_after else ''}")


def seed_stacked_cnn(input_length: int, output: str = "sigmoid") -> keras.Model:
    """Seed plain CNN: three stacked convs with max-pooling, then dense ReLU layers."""
    inputs = keras.Input((input_length, 4))
    x = inputs
    for filters in (32, 32, 16):
        x = layers.Conv1D(filters, 7, padding="same", activation="relu")(x)
        x = layers.MaxPooling1D(2)(x)
    x = layers.Flatten()(x)
    x = layers.Dense(16, activation="relu")(x)
    return keras.Model(inputs, output_layer(x, output), name="cnn_stacked")


def seed_bilstm(input_length: int, output: str = "sigmoid") -> keras.Model:
    """Seed BiLSTM: conv 64 (k 15, stride 4), dropout, 2 bidirectional LSTMs with dropout + BN, dense ReLU."""
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
    input_length: int, filters: int = 48, n_blocks: int = 5, kernel: int = 5, dropout: float = 0.1, output: str = "sigmoid"
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
    """Length of each left-aligned sequence in ``(N, L, 4)`` one-hot: last non-zero position + 1, shape ``(N,)``."""

    def call(self, onehot):
        present = tf.cast(tf.reduce_max(onehot, axis=-1) > 0, tf.int32)
        length = tf.shape(onehot)[1]
        from_end = tf.argmax(tf.reverse(present, axis=[1]), axis=1, output_type=tf.int32)
        return tf.where(tf.reduce_any(present > 0, axis=1), length - from_end, 0)


@keras.saving.register_keras_serializable(package="splice_core")
class EndAlign(layers.Layer):
    """Rolls each feature map ``(N, L, C)`` so that its sequence's last base sits at position L - 1."""

    def call(self, features, lengths):
        size = tf.shape(features)[1]
        index = tf.math.floormod(tf.range(size)[None, :] + lengths[:, None] - size, size)
        return tf.gather(features, index, batch_dims=1)


def site_aware_cnn(
    input_length: int, filters: int = 32, n_blocks: int = 4, kernel: int = 5, dropout: float = 0.15,
    head5: int = 48, head3: int = 64, output: str = "sigmoid",
) -> keras.Model:
    """Project model for left-aligned introns: dilated residual tower read at fixed offsets from both ends.

    The tower's map is read over the first ``head5`` positions (5' splice site side) and, after
    :class:`EndAlign`, over the last ``head3`` positions (branch site and 3' splice site side), beside
    global pooling and the intron length.
    """
    inputs = keras.Input((input_length, 4))
    x = layers.Conv1D(filters, 9, padding="same", activation="relu")(inputs)
    for i in range(n_blocks):
        x = residual_block(x, filters, kernel, dilation=2**i, dropout=dropout)
    lengths = SequenceLength()(inputs)
    narrow = layers.Conv1D(16, 1, activation="relu")(x)
    five = layers.Flatten()(narrow[:, :head5])
    three = layers.Flatten()(EndAlign()(narrow, lengths)[:, -head3:])
    size = layers.Reshape((1,))(layers.Rescaling(1.0 / input_length)(keras.ops.cast(lengths, "float32")))
    pooled = [layers.GlobalAveragePooling1D()(x), layers.GlobalMaxPooling1D()(x)]
    x = layers.Concatenate()([five, three, size, *pooled])
    x = layers.LayerNormalization()(x)
    x = layers.Dropout(0.3)(x)
    x = layers.Dense(64, activation="gelu")(x)  # GELU: no dead units, so the head cannot collapse to a constant
    return keras.Model(inputs, output_layer(x, output), name="site_aware_cnn")


BUILDERS: dict[str, Callable[..., keras.Model]] = {
    "bilstm": seed_bilstm,
    "cnn_res1": lambda n, output="sigmoid": seed_cnn(n, 1, False, output),
    "cnn_res1_conv": lambda n, output="sigmoid": seed_cnn(n, 1, True, output),
    "cnn_res4": lambda n, output="sigmoid": seed_cnn(n, 4, False, output),
    "cnn_res4_conv": lambda n, output="sigmoid": seed_cnn(n, 4, True, output),
    "cnn_stacked": seed_stacked_cnn,
    "dilated_resnet": dilated_resnet,
    "site_aware_cnn": site_aware_cnn,
}

# Seed study's Table 1: (architecture, context, parameter count reported by the seed).
SEED_TABLE1 = (
    ("cnn_res1", "windows", 14424),
    ("cnn_res1_conv", "windows", 16536),
    ("cnn_res4", "windows", 57912),
    ("cnn_stacked", "windows", 15480),
    ("bilstm", "full", 991329),
)


def build_model(architecture: str, input_length: int, output: str = "sigmoid") -> keras.Model:
    """An uncompiled model of a registered architecture for inputs ``(N, input_length, 4)``."""
    if architecture not in BUILDERS:
        raise ValueError(f"unknown architecture {architecture!r}; choose one of {', '.join(BUILDERS)}")
    return BUILDERS[architecture](input_length, output=output)
