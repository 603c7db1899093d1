"""Shared Streamlit state for every page: cached model and data loaders, the sidebar."""
from pathlib import Path

import keras
import numpy as np
import pandas as pd
import streamlit as st

from splice_core.contexts import DesignTemplate, design_template
from splice_core.design_trust import LibraryNeighbourhood
from splice_core.entropy import position_entropy
from splice_core.library import (
    DataFileError,
    Reporter,
    data_dir,
    library_path,
    read_library,
    read_reporter,
    read_wildtype,
    usable_rows,
)
from splice_core.model_store import PRETRAINED_DIR, active_model_path, list_versions, read_card, set_active_model
from splice_core.predictor import Predictor, load_predictor
from splice_core.pwm import wildtype_pwms
from splice_core.sites import natural_sites


def skip_keras_reset(*args, **kwargs) -> None:
    """Stands in for ``keras.backend.clear_session`` in the app process (see :func:`keep_compiled_models`)."""


def keep_compiled_models() -> None:
    """Keep TensorFlow's compiled inference kernels from one script run to the next.

    After every run Streamlit calls ``keras.backend.clear_session()`` (for apps that build models per run), which
    clears TensorFlow's kernel cache, so each run would re-instantiate every traced function: about 1 s per paste
    on the Predict page. This app builds no model in its own process (training runs in a spawned process), so
    the reset is skipped there; ``keras.utils.clear_session`` still works.
    """
    keras.backend.clear_session = skip_keras_reset


@st.cache_resource(show_spinner="Loading model…")
def cached_predictor(path: str, mtime: float) -> Predictor:
    """The predictor of a model directory, loaded once per (path, modification time)."""
    return load_predictor(path)


def active_predictor() -> Predictor:
    """The active model's predictor (the shipped one unless the user chose another)."""
    path = active_model_path()
    return cached_predictor(str(path), (path / "model.keras").stat().st_mtime)


def active_predictor_or_stop() -> Predictor:
    """The active model's predictor; when it cannot be loaded, one error on the page and the page stops."""
    try:
        return active_predictor()
    except (OSError, ValueError, KeyError) as err:
        st.error(f"The active model cannot be loaded: {err}")
        st.stop()


@st.cache_data(show_spinner="Reading the library…")
def cached_library(path: str, mtime: float) -> pd.DataFrame:
    """The validated library table, read once per (path, modification time)."""
    return read_library(path)


def library_or_none() -> tuple[pd.DataFrame | None, str | None]:
    """(library, None) when the data directory has a usable library, else (None, reason)."""
    path = library_path()
    if path is None:
        return None, f"No library in the data directory {data_dir()} (run `python -m splice_core fetch` or set SPLICE_DATA_DIR)."
    try:
        return cached_library(str(path), path.stat().st_mtime), None
    except DataFileError as err:
        return None, str(err)


@st.cache_data(show_spinner=False)
def cached_branch_pwm(directory: str) -> np.ndarray | None:
    """The wild-type branch-site PWM ``(8, 4)`` from the data directory, or None without data."""
    try:
        return wildtype_pwms(read_wildtype(directory))["branch"]
    except DataFileError:
        return None


def branch_pwm() -> np.ndarray:
    """The branch-site PWM: from the data directory, else the one stored in the active model's card."""
    pwm = cached_branch_pwm(str(data_dir()))
    if pwm is None:
        pwm = np.asarray(active_predictor().card["pwm_baseline"]["pwms"]["branch"])
    return pwm


def template_or_none() -> DesignTemplate | None:
    """The library's oligo design around an intron, when the data directory has the library."""
    frame, _ = library_or_none()
    return design_template(frame) if frame is not None else None


@st.cache_data(show_spinner=False)
def cached_reporter(directory: str) -> Reporter | None:
    """The reporter sequences of the data directory, or None without them."""
    try:
        return read_reporter(directory)
    except DataFileError:
        return None


def reporter_or_none() -> Reporter | None:
    """The reporter around the oligo (needed by ``full``-context models), when the data directory has it."""
    return cached_reporter(str(data_dir()))


@st.cache_data(show_spinner=False, max_entries=64)
def cached_entropy(path: str, mtime: float, length: int, align: str) -> np.ndarray:
    """Per-position entropy of the library's measured introns (see :func:`position_entropy`)."""
    introns = usable_rows(cached_library(path, mtime))["intron_seq"].tolist()
    return position_entropy(introns, length, align)


def library_entropy_or_none(length: int, align: str) -> np.ndarray | None:
    """Per-position entropy ``(length,)`` of the training library's introns, None without data."""
    frame, _ = library_or_none()
    if frame is None:
        return None
    path = library_path()
    return cached_entropy(str(path), path.stat().st_mtime, length, align)


def model_label(path: Path) -> str:
    """A readable name for a model directory."""
    if Path(path).resolve() == PRETRAINED_DIR.resolve():
        return "shipped model (pretrained/)"
    return Path(path).name


def render_sidebar() -> None:
    """The shared sidebar: data directory status and the active-model chooser (persisted)."""
    with st.sidebar:
        versions = list_versions()
        active = active_model_path()
        labels = [model_label(p) for p in versions]
        index = next((i for i, p in enumerate(versions) if Path(p).resolve() == Path(active).resolve()), 0)
        choice = st.selectbox("Active model", labels, index=index, key="active_model_choice")
        chosen = versions[labels.index(choice)]
        if Path(chosen).resolve() != Path(active).resolve():
            set_active_model(chosen)
            st.rerun()
        card = read_card(chosen)
        test = card.get("metrics", {}).get("test", {})
        if test:
            st.caption(f"{card.get('name', '')} · test Pearson {test.get('pearson', float('nan')):.3f} · balanced MSE {test.get('balanced_mse', float('nan')):.3f}")
        path = library_path()
        st.caption(f"Data: {path}" if path else f"Data: none in {data_dir()} (the app runs from the shipped model)")


@st.cache_resource(show_spinner="Placing the library in k-mer space…")
def cached_neighbourhood(path: str, mtime: float) -> LibraryNeighbourhood:
    """The library's introns in k-mer space (for the Design page's 'far from the library' warning)."""
    return LibraryNeighbourhood(usable_rows(cached_library(path, mtime))["intron_seq"].tolist())


def library_neighbourhood_or_none() -> LibraryNeighbourhood | None:
    """The library's k-mer neighbourhood, None without data."""
    frame, _ = library_or_none()
    if frame is None:
        return None
    path = library_path()
    return cached_neighbourhood(str(path), path.stat().st_mtime)


def natural_sites_or_none() -> dict[str, tuple[str, ...]] | None:
    """The library's site variants that splice (ss5, branch, ss3), None without data."""
    frame, _ = library_or_none()
    return natural_sites(usable_rows(frame)) if frame is not None else None
