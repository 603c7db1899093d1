"""Site gates fitted on a trained site-aware member: its tower frozen, three gates (the 5' site, the 3' site and the
branch heptamer, :func:`~splice_core.models.architectures.site_gates`) fitted to the member's own predictions.

Trained together with the tower, the gates either stayed where they started (open, at random: the tower learnt the
sites first and left them no gradient) or cost library accuracy (started from the consensus). Fitted afterwards on
the library's train part and the backed knock-outs of its natural introns, with the member's prediction ``p`` held
fixed, they close where the tower had not learnt a site (a natural intron's branch A) and leave the library's
figures as they were: the gated member predicts ``p × gate_5ss × gate_3ss × gate_branch``.
"""

import keras
import numpy as np

from splice_core.models.architectures import (
    SequenceLength,
    efficiency_only,
    site_aware_cnn,
    site_gates,
    with_cryptic_head,
)
from splice_core.models.incremental import is_site_aware, site_aware_settings
from splice_core.models.recipe_options import LOSSES

GATE_LAYERS = ("gate_5ss", "gate_3ss", "branch_filter", "gate_branch")  # the layers a fit changes
GATE_LEARNING_RATE = 1e-2
GATE_BATCH = 256


def weighted_layers(model: keras.Model, skip: tuple[str, ...] = ()) -> list[keras.layers.Layer]:
    """The model's layers that hold weights, in order, but those named in ``skip``."""
    return [layer for layer in model.layers if layer.weights and layer.name not in skip]


def gated_copy(member: keras.Model) -> keras.Model:
    """A site-gated copy ``(N, L, 4) -> (N, 1)`` of a plain site-aware member (built with any settings, with or without
    its cryptic split): the member's weights, the gates at their consensus start."""
    settings = site_aware_settings(member)
    if settings is None or settings["gates"] or not is_site_aware(member, settings):
        raise ValueError("site gates are fitted on a plain site-aware CNN member")
    gated = site_aware_cnn(**{k: v for k, v in settings.items() if k not in ("gates", "cryptic")}, gates=True)
    if settings["cryptic"]:
        gated = efficiency_only(with_cryptic_head(gated))
    for a, b in zip(weighted_layers(member), weighted_layers(gated, GATE_LAYERS), strict=True):
        b.set_weights(a.get_weights())
    gated.name = member.name
    return gated


def plain_copy(gated: keras.Model) -> keras.Model:
    """The member ``(N, L, 4) -> (N, 1)`` a site-gated member multiplies by its gates: its weights but the gates', so
    that its gates can be fitted again (:func:`fit_site_gates`)."""
    settings = site_aware_settings(gated)
    if settings is None or not settings["gates"]:
        raise ValueError("a plain copy is made of a site-gated member")
    plain = site_aware_cnn(**{k: v for k, v in settings.items() if k not in ("gates", "cryptic")})
    if settings["cryptic"]:
        plain = efficiency_only(with_cryptic_head(plain))
    for a, b in zip(weighted_layers(gated, GATE_LAYERS), weighted_layers(plain), strict=True):
        b.set_weights(a.get_weights())
    plain.name = gated.name
    return plain


def gate_fitting_model(input_length: int) -> keras.Model:
    """``[x (N, L, 4), p (N, 1)] -> p × the three site gates of x`` ``(N, 1)``: what a gate fit trains."""
    x, p = keras.Input((input_length, 4)), keras.Input((1,))
    gates = site_gates(x, SequenceLength()(x))
    return keras.Model([x, p], keras.layers.Multiply()([p, *gates]), name="gate_fit")


def fit_site_gates(
    member: keras.Model, x: np.ndarray, y: np.ndarray, weight: np.ndarray, epochs: int, seed: int = 0
) -> keras.Model:
    """A :func:`gated_copy` of ``member`` whose gates are fitted for ``epochs`` on one-hot ``x`` ``(N, L, 4)``, labels
    ``y`` ``(N,)`` and loss weights ``weight`` ``(N,)`` (cross-entropy), the member's own prediction held fixed."""
    p = np.asarray(member.predict(x, batch_size=1024, verbose=0), np.float32).reshape(-1, 1)
    keras.utils.set_random_seed(seed)
    fitting = gate_fitting_model(x.shape[1])
    fitting.compile(keras.optimizers.Adam(GATE_LEARNING_RATE), LOSSES["bce"])
    fitting.fit(
        [x, p], y, sample_weight=weight, batch_size=GATE_BATCH, epochs=epochs, shuffle=True, verbose=0
    )
    gated = gated_copy(member)
    for name in GATE_LAYERS:
        gated.get_layer(name).set_weights(fitting.get_layer(name).get_weights())
    return gated
