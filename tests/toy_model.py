"""Hand-set toy models for exact tests: a linear ensemble whose predictions are sums of dyadic weights."""

from pathlib import Path

import keras
import numpy as np

from splice_core.data.pwm import sites_to_pwm
from splice_core.models.store import save_model_dir, set_active_model
from splice_core.predict.predictor import Predictor
from splice_core.seq.encoding import strings_to_one_hot

BIAS = np.array([0.25, 0.3125])
BRANCH_PWM = sites_to_pwm(["TACTAACA"] * 20)


def toy_weights(length: int, members: int = 2, seed: int = 0) -> np.ndarray:
    """Weights ``(length, 4, members)``, multiples of 1/1024 so float32 sums are exact."""
    return np.random.default_rng(seed).integers(-8, 9, (length, 4, members)) / 1024


def linear_model(weights: np.ndarray, bias: np.ndarray = BIAS, nonlinear: bool = False) -> keras.Model:
    """``(N, L, 4) -> (N, K)``: ``sum(x * weights) + bias`` per member (tanh of it when ``nonlinear``)."""
    length, _, members = weights.shape
    inputs = keras.Input((length, 4))
    dense = keras.layers.Dense(members, activation="tanh" if nonlinear else None)
    model = keras.Model(inputs, dense(keras.layers.Flatten()(inputs)))
    dense.set_weights([weights.reshape(length * 4, members).astype(np.float32), bias.astype(np.float32)])
    return model


@keras.saving.register_keras_serializable(package="toy_model")
def toy_sqrt(x):
    """``sqrt(x)``: NaN below 0 and an infinite gradient at 0 (registered, so a saved toy model loads)."""
    return keras.ops.sqrt(x)


def sqrt_model(length: int, bias: float) -> keras.Model:
    """``(N, L, 4) -> (N, 2)``: ``sqrt(sum(x) + bias)`` per member; one-hot input of ``n`` bases gives ``sqrt(n + bias)``.

    The gradient is ``1 / (2 sqrt(sum(x) + bias))`` at every cell; a noisy copy whose sum drops below ``-bias``
    gives NaN.
    """
    linear = linear_model(np.ones((length, 4, 2)), np.full(2, bias))
    return keras.Model(linear.input, keras.layers.Activation(toy_sqrt)(linear.output))


class GuanineShare:
    """A toy gradient-boosting peer: each intron's share of G."""

    def predict_introns(self, introns: list[str]) -> np.ndarray:
        """``(N,)`` share of G in each intron."""
        return np.array([s.count("G") / len(s) for s in introns])


def toy_card(context: str = "intron") -> dict:
    """A minimal model card for a toy model."""
    return {
        "name": "toy linear",
        "config": {"context": context},
        "pwm_baseline": {"pwms": {"branch": BRANCH_PWM.tolist()}},
        "metrics": {},
    }


def toy_predictor(length: int = 40, context: str = "intron", seed: int = 0) -> Predictor:
    """A Predictor over the linear toy model."""
    return Predictor(model=linear_model(toy_weights(length, seed=seed)), card=toy_card(context))


def expected_members(introns: list[str], weights: np.ndarray, bias: np.ndarray = BIAS) -> np.ndarray:
    """The toy model's member outputs ``(N, K)`` computed with numpy."""
    x = strings_to_one_hot(introns, len(weights)).astype(float)
    return np.einsum("nlc,lck->nk", x, weights) + bias


def install_toy_model(root: Path, length: int = 200, seed: int = 0) -> Path:
    """Save the toy model under ``root/models`` and make it the active model there; returns its directory."""
    path = save_model_dir(root / "models" / "toy", linear_model(toy_weights(length, seed=seed)), toy_card())
    set_active_model(path, root / "models")
    return path


def toy_page(page: Path, tmp_path: Path, monkeypatch, length: int = 200):
    """An AppTest of one page over the toy model (active under tmp_path/models), with no data directory."""
    from streamlit.testing.v1 import AppTest

    monkeypatch.syspath_prepend(str(page.parent.parent))
    monkeypatch.setenv("SPLICE_MODELS_DIR", str(tmp_path / "models"))
    monkeypatch.setenv("SPLICE_DATA_DIR", str(tmp_path / "no_data"))
    install_toy_model(tmp_path, length)
    return AppTest.from_file(str(page), default_timeout=90)
