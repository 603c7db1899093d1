"""Core library for predicting yeast intron splicing efficiency from sequence.

Arrays of sequences are one-hot encoded with shape ``(N, L, 4)``, channels last,
channel order A, C, G, T.
"""

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("TF_FORCE_GPU_ALLOW_GROWTH", "true")  # the app and a training process share one GPU

__version__ = "0.1.0"
