"""A loaded model ready for fast inference: compiled ``tf.function``, member mean and spread."""
import os
from dataclasses import dataclass
from pathlib import Path

import keras
import numpy as np
import tensorflow as tf

from .contexts import DesignTemplate, constructs_to_one_hot, introns_to_constructs
from .encoding import strings_to_one_hot
from .model_store import load_model, read_card

BATCH = 4096


@dataclass
class Predictor:
    """Model ``(N, L, 4) -> (N, K)`` (K ensemble members) with its card and a traced inference function."""

    model: keras.Model
    card: dict
    path: str = ""

    def __post_init__(self):
        spec = tf.TensorSpec((None, *self.model.input_shape[1:]), tf.float32)
        self._call = tf.function(lambda x: self.model(x, training=False), input_signature=[spec])

    @property
    def context(self) -> str:
        """The sequence context the model reads."""
        return self.card["config"]["context"]

    @property
    def input_length(self) -> int:
        """Length L of the model's ``(N, L, 4)`` input."""
        return int(self.model.input_shape[1])

    def members(self, x: np.ndarray) -> np.ndarray:
        """Each member's prediction for ``(N, L, 4)`` inputs: ``(N, K)``."""
        out = [np.asarray(self._call(tf.constant(x[i : i + BATCH], tf.float32))) for i in range(0, len(x), BATCH)]
        stacked = np.concatenate(out) if out else np.zeros((0, 1), np.float32)
        return stacked.reshape(len(x), -1)

    def predict(self, x: np.ndarray) -> np.ndarray:
        """Mean prediction over members for ``(N, L, 4)`` inputs: ``(N,)``."""
        return self.members(x).mean(1)

    def introns_to_one_hot(self, introns: list[str], branch: np.ndarray | None = None, template: DesignTemplate | None = None) -> np.ndarray:
        """The model's ``(N, L, 4)`` input for bare introns (contexts other than ``intron`` need a template)."""
        if self.context == "intron":
            return strings_to_one_hot(introns, self.input_length)
        if template is None:
            raise ValueError(f"a {self.context!r} model needs the library's oligo design (data directory) for bare introns")
        constructs = introns_to_constructs(introns, np.zeros(len(introns), int) if branch is None else branch, template)
        return constructs_to_one_hot(constructs, self.context)

    def predict_introns(self, introns: list[str], branch: np.ndarray | None = None, template: DesignTemplate | None = None) -> np.ndarray:
        """Mean prediction ``(N,)`` for bare intron strings."""
        return self.predict(self.introns_to_one_hot(introns, branch, template))


def load_predictor(path: str | os.PathLike) -> Predictor:
    """A :class:`Predictor` for a model directory."""
    return Predictor(model=load_model(path), card=read_card(path), path=str(Path(path)))
