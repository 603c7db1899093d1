"""SmoothGrad saliency of a Keras model on ``(N, L, 4)`` one-hot inputs, target = mean member output."""

import keras
import numpy as np
import tensorflow as tf
from tf_keras_vis.saliency import Saliency

from splice_core.models.architectures import reads_any_length
from splice_core.predict.predictor import Predictor, call_traced, crop_padding, model_input_spec


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


def finite_sample_mean(grads: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(mean ``(N, L, 4)`` over the samples whose gradients are all finite, kept samples ``(N,)``) of ``(S, N, L, 4)``.

    A sequence with no finite sample gets NaN.
    """
    finite = np.isfinite(grads).all(axis=(2, 3))
    kept = finite.sum(0)
    total = np.where(finite[..., None, None], grads, 0.0).sum(0)
    with np.errstate(invalid="ignore", divide="ignore"):
        return total / kept[:, None, None], kept


def smoothgrad(
    model: keras.Model,
    x: np.ndarray,
    n_samples: int = 50,
    noise_level: float = 0.1,
    seed: int = 0,
    noise: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """(SmoothGrad ``(N, L, 4)``, samples kept per sequence ``(N,)``): gradients averaged over noisy copies, one batch.

    A noisy copy whose gradients are not all finite (a model can leave its domain off one-hot input) is left out
    of its sequence's mean and not counted as kept. ``noise`` ``(n_samples, N, L, 4)`` overrides the generated
    noise (to compare with tf-keras-vis). For a model that masks padding, noise is added to the sequences' own
    positions only (noise in the padding would read as a longer sequence) and the batch is cropped to them;
    gradients in the padding are zero.
    """
    x = np.asarray(x, np.float32)
    noise = smoothgrad_noise(x, n_samples, noise_level, seed) if noise is None else noise
    if reads_any_length(model):
        noise = noise * x.any(axis=-1, keepdims=True)
    noisy = (x[None] + noise).reshape(-1, *x.shape[1:])
    cropped = crop_padding(noisy, model)
    grads = np.zeros_like(noisy)
    grads[:, : cropped.shape[1]] = call_traced(_gradients_function(model), cropped)
    return finite_sample_mean(grads.reshape(noise.shape))


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
    return smoothgrad(model, x, n_samples, noise_level, seed)[0] * np.asarray(x, np.float32)


def intron_saliency_kept(
    predictor: Predictor, intron: str, n_samples: int = 50, noise_level: float = 0.1, seed: int = 0
) -> tuple[np.ndarray, int]:
    """(SmoothGrad x input ``(len(intron), 4)`` of one intron under an intron-context model, samples kept)."""
    if predictor.context != "intron":
        raise ValueError(
            f"saliency is drawn per intron base for intron-context models, not {predictor.context!r}"
        )
    if len(intron) > predictor.view_length():
        raise ValueError(
            f"a {len(intron)}-nt intron is read through views: draw the saliency of one of them (Predictor.intron_view_sets)"
        )
    x = predictor.introns_to_one_hot([intron])
    grads, kept = smoothgrad(predictor.model, x, n_samples, noise_level, seed)
    return (grads * x)[0, : len(intron)], int(kept[0])


def intron_saliency(
    predictor: Predictor, intron: str, n_samples: int = 50, noise_level: float = 0.1, seed: int = 0
) -> np.ndarray:
    """SmoothGrad x input ``(len(intron), 4)`` of one intron (:func:`intron_saliency_kept` without the count)."""
    return intron_saliency_kept(predictor, intron, n_samples, noise_level, seed)[0]


def attribution_scope(predictor: Predictor) -> str:
    """What a saliency logo of ``predictor`` attributes, in words: the whole prediction, or the CNN members' share only
    where a gradient-boosting peer (no gradients) is blended in."""
    if predictor.blend is None:
        return "SmoothGrad gradient × input of the predicted efficiency"
    low, high = predictor.blend.ramp
    return (
        "SmoothGrad gradient × input of the CNN members' share of the predicted efficiency only: the gradient-boosting "
        f"peer blended into the prediction (weighing {1 - predictor.blend.weight:.0%} where the members predict "
        f"≥ {high:g}, nothing below {low:g}) has no gradients"
    )
