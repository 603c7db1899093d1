"""Keeping the optional packages that TensorFlow and Keras import, and scoring never uses, out of a process.

When installed, ``import tensorflow`` pulls in JAX (through ``tf.lite``) and ``import keras`` pulls in
scikit-learn, IPython and matplotlib (wrappers, the saving file editor, visualisation). Each import is guarded
by its package (it is skipped when the package is missing), and together they hold about 160 MB that a batch
scoring process never uses. Only a process that owns its interpreter (the ``predict`` command) should skip them:
a skipped package cannot be imported later in the same process. JAX is kept when it is Keras's backend.
"""

import json
import os
import sys
from pathlib import Path

UNUSED_BY_SCORING = ("jax", "sklearn", "IPython", "matplotlib")


def keras_backend() -> str:
    """The backend Keras will load: ``$KERAS_BACKEND``, else the one in Keras's config file, else tensorflow."""
    if "KERAS_BACKEND" in os.environ:
        return os.environ["KERAS_BACKEND"]
    config = Path(os.environ.get("KERAS_HOME", Path.home() / ".keras")) / "keras.json"
    try:
        return json.loads(config.read_text()).get("backend", "tensorflow")
    except (OSError, ValueError, AttributeError):
        return "tensorflow"


def skip_unused_imports(names: tuple[str, ...] = UNUSED_BY_SCORING) -> list[str]:
    """Make ``import NAME`` fail for each of ``names`` not yet imported and not Keras's backend; the names skipped."""
    skipped = [name for name in names if name not in sys.modules and name != keras_backend()]
    for name in skipped:
        sys.modules[name] = None  # the import system's own marker for "not importable"
    return skipped
