"""Core library for predicting yeast intron splicing efficiency from sequence.

Arrays of sequences are one-hot encoded with shape ``(N, L, 4)``, channels last,
channel order A, C, G, T.
"""

import os
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("TF_FORCE_GPU_ALLOW_GROWTH", "true")  # the app and a training process share one GPU

__version__ = "0.2.0"  # the one version source: pyproject.toml reads it, CHANGELOG.md names it
PACKAGE_DIR = Path(__file__).resolve().parent  # splice_core itself (what Ray ships to its workers)
CLONE_ROOT = PACKAGE_DIR.parent  # in a clone: the repository (pretrained/, data/, models/)
