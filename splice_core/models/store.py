"""Model directories (``model.keras`` + ``model_card.json``), versions and the active-model choice."""

import json
import os
import shutil
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING

from splice_core import CLONE_ROOT, PACKAGE_DIR

if TYPE_CHECKING:  # Keras imports TensorFlow: only saving and loading a model need it, not cards and versions
    import keras

MODEL_FILE = "model.keras"
CARD_FILE = "model_card.json"
ACTIVE_FILE = "active.json"


def shipped_model_dir() -> Path:
    """The shipped model: ``pretrained/`` in a clone of the repository, else the copy installed in the package."""
    clone = CLONE_ROOT / "pretrained"
    return clone if (clone / MODEL_FILE).is_file() else PACKAGE_DIR / "pretrained"


PRETRAINED_DIR = shipped_model_dir()


def models_root(path: str | os.PathLike | None = None) -> Path:
    """Where retrained model versions live: ``path``, else ``$SPLICE_MODELS_DIR``, else ``models/``."""
    if path is not None:
        return Path(path)
    env = os.environ.get("SPLICE_MODELS_DIR")
    return Path(env) if env else CLONE_ROOT / "models"


def save_model_dir(path: str | os.PathLike, model: "keras.Model", card: dict) -> Path:
    """Write ``model.keras`` and the card into a temporary folder, then move it to ``path`` in one step."""
    path = Path(path)
    if path.exists():
        raise FileExistsError(f"{path} already exists")
    path.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{path.name}.", dir=path.parent))
    try:
        model.save(staging / MODEL_FILE)
        (staging / CARD_FILE).write_text(json.dumps(card, indent=1, default=float))
        if path.exists():  # another save took the name while this one was writing
            raise FileExistsError(f"{path} already exists")
        staging.chmod(0o755)
        os.replace(staging, path)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return path


class ModelDirError(ValueError):
    """A model directory that cannot be used; the message names the file and what is wrong with it."""


def card_context(card: dict) -> str:
    """The sequence context a model reads, from its card."""
    return card["config"]["context"]


def read_card(path: str | os.PathLike) -> dict:
    """The model card of a model directory; ModelDirError when it is missing or is not a JSON object."""
    file = Path(path) / CARD_FILE
    try:
        card = json.loads(file.read_text())
    except FileNotFoundError as err:
        raise ModelDirError(f"{file}: file not found") from err
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        raise ModelDirError(
            f"{file} is corrupt (not valid JSON: {err}); the file may have been cut off or edited"
        ) from err
    if not isinstance(card, dict):
        raise ModelDirError(f"{file} is not a model card (a JSON object)")
    return card


def load_model(path: str | os.PathLike) -> "keras.Model":
    """The Keras model of a model directory, for inference (not compiled); ModelDirError when it is missing or corrupt."""
    import keras

    from splice_core.models import architectures  # noqa: F401  (registers the custom layers that saved models use)

    file = Path(path) / MODEL_FILE
    if not file.is_file():
        raise ModelDirError(f"{file}: file not found")
    try:
        return keras.models.load_model(file, compile=False)
    except Exception as err:  # Keras reports a damaged archive in many ways (even as "File not found")
        raise ModelDirError(
            f"{file} is corrupt: Keras cannot read it ({type(err).__name__}); the file may have been cut off or overwritten"
        ) from err


def is_model_dir(path: str | os.PathLike) -> bool:
    """True when ``path`` holds both a model and its card."""
    return (Path(path) / MODEL_FILE).is_file() and (Path(path) / CARD_FILE).is_file()


def new_version_path(root: str | os.PathLike | None = None, name: str = "model") -> Path:
    """A fresh, unused version folder name under the models root (timestamped)."""
    base = models_root(root)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    candidate = base / f"{stamp}-{name}"
    n = 1
    while candidate.exists():
        n += 1
        candidate = base / f"{stamp}-{name}-{n}"
    return candidate


def list_versions(root: str | os.PathLike | None = None) -> list[Path]:
    """The shipped model followed by every saved version under the models root, newest first."""
    base = models_root(root)
    found = (
        [p for p in base.glob("*") if not p.name.startswith(".") and is_model_dir(p)] if base.is_dir() else []
    )
    versions = sorted(found, reverse=True)
    return [PRETRAINED_DIR, *versions]


def active_model_path(root: str | os.PathLike | None = None) -> Path:
    """The model chosen as active (persisted under the models root), else the shipped one."""
    marker = models_root(root) / ACTIVE_FILE
    try:
        chosen = Path(json.loads(marker.read_text())["path"])
    except (OSError, ValueError, KeyError, TypeError):  # no choice yet, or an unreadable marker
        return PRETRAINED_DIR
    return chosen if is_model_dir(chosen) else PRETRAINED_DIR


def collapse_note(card: dict) -> str | None:
    """Why a model collapsed (its card's ``collapsed`` entry, written by training), or None for a model that did not."""
    collapse = card.get("collapsed")
    if not collapse:
        return None
    return (
        f"collapsed: its predictions on dev are next to a constant (dev Pearson {collapse['dev_pearson']:.3f}, "
        f"SD {collapse['dev_sd']:.4f}); it is kept to look at, but cannot be made active"
    )


def version_collapse_note(path: str | os.PathLike) -> str | None:
    """:func:`collapse_note` of a model directory's card (None also for an unreadable card: that is said elsewhere)."""
    try:
        return collapse_note(read_card(path))
    except ModelDirError:
        return None


def is_collapsed_version(path: str | os.PathLike) -> bool:
    """True when a model directory's card marks it collapsed."""
    return version_collapse_note(path) is not None


def active_choices(root: str | os.PathLike | None = None) -> list[Path]:
    """The versions that may be made active: every one of :func:`list_versions` except collapsed ones."""
    return [p for p in list_versions(root) if not is_collapsed_version(p)]


def set_active_model(path: str | os.PathLike, root: str | os.PathLike | None = None) -> None:
    """Persist ``path`` as the active model (atomic write); ValueError for a collapsed one."""
    if not is_model_dir(path):
        raise ValueError(f"{path} is not a model directory")
    if is_collapsed_version(path):
        raise ValueError(f"{path}: {version_collapse_note(path)}")
    base = models_root(root)
    base.mkdir(parents=True, exist_ok=True)
    tmp = base / f".{ACTIVE_FILE}.{os.getpid()}"
    tmp.write_text(json.dumps({"path": str(Path(path).resolve())}))
    os.replace(tmp, base / ACTIVE_FILE)


def check_model_folder(path: str | os.PathLike) -> None:
    """FileNotFoundError / NotADirectoryError when ``path`` is no model folder (a folder holding a model card)."""
    if Path(path).is_file():
        raise NotADirectoryError(f"{path}: is a file, not a model folder")
    if not Path(path).is_dir():
        raise FileNotFoundError(f"{path}: no such model folder")
    if not (Path(path) / CARD_FILE).is_file():
        raise FileNotFoundError(f"{path}: not a model folder (it has no {CARD_FILE})")
