"""SmoothGrad saliency of a Keras model on ``(N, L, 4)`` one-hot inputs, target = mean member output."""

import keras
import numpy as np
import tensorflow as tf
from tf_keras_vis.saliency import Saliency

from .architectures import reads_any_length
from .predictor import Predictor, call_traced, crop_padding, model_input_spec


def smoothgrad_noise(x: np.ndarray, n_samples: int, noise_level: float, seed: int) -> np.ndarray:
    """Gaussian noise ``(n_samples, N, L, 4)`` scaled as tf-keras-vis does (level x per-sequence range)."""
    tiled = np.broadcast_to(x, (n_samples, *x.shape))
    sigma = noise_level * (tiled.max(axis=(2, 3), keepdims=True) - tiled.min(axis=(2, 3), keepdims=True))
    return np.random.RandomState(seed).normal(0.0, sigma, tiled.shape).astype(np.float32)


def mean_output_score(output: tf.Tensor) -> tf.Tensor:
    """Score of each sequence: the mean over ensemble members, shape ``(N,)``."""
    return tf.reduce_mean(output, axis=-1)


def _gradients_function(model: keras.Model):
    """A traced function returning d(mean member output)/d(input) for ``(M, L, 4)`` batches."""
    cached = getattr(model, "_splice_gradients", None)
    if cached is not None:
        return cached

    @tf.function(input_signature=[model_input_spec(model)])
    def gradients(x):
        with tf.GradientTape() as tape:
            tape.watch(x)
            score = mean_output_score(model(x, training=False))
        return tape.gradient(score, x)

    model._splice_gradients = gradients
    return gradients


def smoothgrad(
    model: keras.Model,
    x: np.ndarray,
    n_samples: int = 50,
    noise_level: float = 0.1,
    seed: int = 0,
    noise: np.ndarray | None = None,
) -> np.ndarray:
    """SmoothGrad ``(N, L, 4)``: gradients averaged over noisy copies, all samples in one batch.

    ``noise`` ``(n_samples, N, L, 4)`` overrides the generated noise (to compare with tf-keras-vis). For a model
    that masks padding, noise is added to the sequences' own positions only (noise in the padding would read
    as a longer sequence) and the batch is cropped to them; gradients in the padding are zero.
    """
    x = np.asarray(x, np.float32)
    noise = smoothgrad_noise(x, n_samples, noise_level, seed) if noise is None else noise
    if reads_any_length(model):
        noise = noise * x.any(axis=-1, keepdims=True)
    noisy = (x[None] + noise).reshape(-1, *x.shape[1:])
    cropped = crop_padding(noisy, model)
    grads = np.zeros_like(noisy)
    grads[:, : cropped.shape[1]] = call_traced(_gradients_function(model), cropped)
    return grads.reshape(noise.shape).mean(0)


def smoothgrad_tf_keras_vis(
    model: keras.Model, x: np.ndarray, n_samples: int = 50, noise_level: float = 0.1, seed: int = 0
) -> np.ndarray:
    """The same map from tf-keras-vis's Saliency (samples run one by one), ``(N, L, 4)``."""
    np.random.seed(seed)
    return Saliency(model, clone=False)(
        mean_output_score,
        np.asarray(x, np.float32),
        smooth_samples=n_samples,
        smooth_noise=noise_level,
        keepdims=True,
        normalize_map=False,
        gradient_modifier=None,
    )


def gradient_times_input(
    model: keras.Model, x: np.ndarray, n_samples: int = 50, noise_level: float = 0.1, seed: int = 0
) -> np.ndarray:
    """SmoothGrad x input ``(N, L, 4)``: the attribution of each observed base (zero elsewhere)."""
    return smoothgrad(model, x, n_samples, noise_level, seed) * np.asarray(x, np.float32)


def intron_saliency(
    predictor: Predictor, intron: str, n_samples: int = 50, noise_level: float = 0.1, seed: int = 0
) -> np.ndarray:
    """SmoothGrad x input of one intron under an intron-context model, ``(len(intron), 4)``."""
    if predictor.context != "intron":
        raise ValueError(
            f"saliency is drawn per intron base for intron-context models, not {predictor.context!r}"
        )
    if len(intron) > predictor.view_length():
        raise ValueError(
            f"a {len(intron)}-nt intron is read through views: draw the saliency of one of them (Predictor.intron_view_sets)"
        )
    x = predictor.introns_to_one_hot([intron])
    return gradient_times_input(predictor.model, x, n_samples, noise_level, seed)[0, : len(intron)]
