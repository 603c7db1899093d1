"""Shared Streamlit state for every page: cached model and data loaders, the sidebar."""

import contextlib
import ctypes
import hashlib
import tempfile
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import TypeVar

import keras
import numpy as np
import pandas as pd
import streamlit as st

from app_loading import MODEL_READY
from splice_core.analysis.native import SUMMARY_FILE, read_native_summary, score_native
from splice_core.data.contexts import OligoTemplate, library_to_template
from splice_core.data.library import (
    WILDTYPE_FILE,
    DataFileError,
    Reporter,
    data_dir,
    library_path,
    read_library,
    read_reporter,
    read_wildtype,
    usable_rows,
)
from splice_core.data.oligo_template import template_inputs
from splice_core.data.pwm import wildtype_pwms
from splice_core.data.sites import natural_sites
from splice_core.models.lightgbm_peer import PEER_FILE, GradientBoostingPeer, peer_beside
from splice_core.models.store import (
    MODEL_FILE,
    PRETRAINED_DIR,
    ModelDirError,
    active_choices,
    active_model_path,
    is_collapsed_version,
    read_card,
    set_active_model,
)
from splice_core.predict.predictor import Predictor, load_predictor
from splice_core.seq.entropy import position_entropy

T = TypeVar("T")


SCRATCH_SECONDS = 24 * 3600
CHOICE_KEY = "active_model_choice"
M_ARENA_MAX = -8  # glibc's mallopt parameter
ARENAS = 2


def skip_keras_reset(*args, **kwargs) -> None:
    """Stands in for ``keras.backend.clear_session`` in the app process (see :func:`keep_compiled_models`)."""


def glibc() -> ctypes.CDLL | None:
    """The C library when it is glibc (for its allocator controls), else None."""
    try:
        libc = ctypes.CDLL("libc.so.6")
        return libc if hasattr(libc, "malloc_trim") and hasattr(libc, "mallopt") else None
    except OSError:
        return None


def bound_native_memory() -> None:
    """Keep the allocator from holding memory that finished script runs freed.

    Every browser session runs its script in its own thread, and glibc gives each thread its own heap (arena):
    eight sessions pasting at once left eight arenas full of freed blocks that were never given back (about
    320 MB, ``benchmarks/bench_sessions.py``). Two arenas are shared by all threads, and after every run the
    freed memory is returned to the system.
    """
    libc = glibc()
    if libc is not None:
        libc.mallopt(M_ARENA_MAX, ARENAS)


def release_freed_memory() -> None:
    """Return freed heap memory to the system (end of a script run; a few milliseconds)."""
    libc = glibc()
    if libc is not None:
        libc.malloc_trim(0)


def keep_compiled_models() -> None:
    """Keep TensorFlow's compiled inference kernels from one script run to the next.

    After every run Streamlit calls ``keras.backend.clear_session()`` (for apps that build models per run), which
    clears TensorFlow's kernel cache, so each run would re-instantiate every traced function: about 1 s per paste
    on the Predict page. This app builds no model in its own process (training runs in a spawned process), so
    the reset is skipped there; ``keras.utils.clear_session`` still works.
    """
    keras.backend.clear_session = skip_keras_reset


LOADS: dict[tuple[str, float], Future] = {}  # models being read in the background, until the cache holds them
LOADER = ThreadPoolExecutor(max_workers=1, thread_name_prefix="model-load")
LOADS_LOCK = threading.Lock()


def model_key(path: Path) -> tuple[str, float]:
    """(path, modification time of its model file) that a loaded predictor is kept under."""
    model_file = Path(path) / MODEL_FILE
    return str(path), model_file.stat().st_mtime if model_file.is_file() else 0.0


def model_loading(path: str, mtime: float) -> Future:
    """The background read of a model directory: started once per (path, modification time), shared by every caller."""
    with LOADS_LOCK:
        if (path, mtime) not in LOADS:
            LOADS[(path, mtime)] = LOADER.submit(load_predictor, path)
        return LOADS[(path, mtime)]


@st.cache_resource(show_spinner="Loading model…", max_entries=4)
def cached_predictor(path: str, mtime: float) -> Predictor:
    """The predictor of a model directory, loaded once per (path, modification time) (its load may have begun already)."""
    try:
        return model_loading(path, mtime).result()
    finally:
        with LOADS_LOCK:
            LOADS.pop((path, mtime), None)  # the cache holds it now; a failed read may be tried again


def model_predictor(path: Path) -> Predictor:
    """The cached predictor of a model directory (ModelDirError when it is missing or corrupt)."""
    predictor = cached_predictor(*model_key(path))
    MODEL_READY.set()
    return predictor


def start_loading_the_active_model() -> None:
    """Begin reading the active model in the background (when this module is first imported, with the server's first
    visit), so that the page asking for it waits less; a model that cannot be read is left for the page to report."""
    with contextlib.suppress(OSError, ValueError):
        model_loading(*model_key(active_model_path()))


start_loading_the_active_model()


def is_shipped(path: Path) -> bool:
    """True for the shipped model's directory."""
    return Path(path).resolve() == PRETRAINED_DIR.resolve()


def fall_back_to_shipped(path: Path, err: Exception) -> None:
    """Make the shipped model active again because ``path`` cannot be used, and say why on the page."""
    set_active_model(PRETRAINED_DIR)
    st.warning(
        f"The chosen model {model_label(path)} cannot be used: {err}. The shipped model is active instead."
    )


def active_or_shipped(load: Callable[[Path], T]) -> T:
    """``load`` of the active model's directory; a version that cannot be read gives way to the shipped model (with a warning)."""
    path = active_model_path()
    try:
        return load(path)
    except ModelDirError as err:
        if is_shipped(path):
            raise
        fall_back_to_shipped(path, err)
        return load(PRETRAINED_DIR)


def active_predictor() -> Predictor:
    """The active model's predictor (the shipped one when the chosen version cannot be loaded)."""
    return active_or_shipped(model_predictor)


def active_card() -> dict:
    """The active model's card (the shipped one's when the chosen version's card is corrupt)."""
    return active_or_shipped(read_card)


def active_predictor_or_stop() -> Predictor:
    """The active model's predictor; when not even the shipped model loads, one error on the page and the page stops."""
    try:
        return active_predictor()
    except (OSError, ValueError, KeyError) as err:
        st.error(f"The active model cannot be loaded: {err}")
        st.stop()


@st.cache_resource(show_spinner="Reading the library…", max_entries=2)
def cached_library(path: str, mtime: float) -> pd.DataFrame:
    """The validated library table, read once per (path, modification time) and shared by every session.

    A resource, not data: ``st.cache_data`` would unpickle a fresh copy for every call in every session.
    Callers must not modify it (``usable_rows`` and the analyses return new tables).
    """
    return read_library(path)


def library_or_none() -> tuple[pd.DataFrame | None, str | None]:
    """(library, None) when the data directory has a usable library, else (None, reason)."""
    path = library_path()
    if path is None:
        return (
            None,
            f"No library in the data directory {data_dir()} (run `python -m splice_core fetch` or set SPLICE_DATA_DIR).",
        )
    try:
        return cached_library(str(path), path.stat().st_mtime), None
    except DataFileError as err:
        return None, str(err)


@st.cache_data(show_spinner=False, max_entries=4)
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


def template_inputs_or_stop(predictor: Predictor) -> dict[str, object]:
    """The design inputs (``template``, ``reporter``) the model needs; one error on the page and a stop when missing."""
    try:
        return template_inputs(
            predictor.context, {"template": template_or_none, "reporter": reporter_or_none}
        )
    except DataFileError as err:
        st.error(f"The active model cannot score bare introns here: {err}.")
        st.stop()


def scratch_output_path(model_path: str, raw: bytes, name: str) -> Path:
    """A file for a scored upload in the app's scratch folder; files older than a day there are removed first."""
    folder = Path(tempfile.gettempdir()) / "splice_batch"
    folder.mkdir(exist_ok=True)
    for old in folder.glob("*.csv"):
        if time.time() - old.stat().st_mtime > SCRATCH_SECONDS:
            old.unlink(missing_ok=True)
    key = hashlib.sha256(model_path.encode() + b"\0" + name.encode() + b"\0" + raw).hexdigest()[:24]
    return folder / f"{key}.csv"


@st.cache_resource(show_spinner=False, max_entries=2)
def cached_template(path: str, mtime: float) -> OligoTemplate:
    """The library's oligo design, found once per library file."""
    return library_to_template(cached_library(path, mtime))


def from_library_or_none(cached: Callable[[str, float], T]) -> T | None:
    """``cached(path, mtime)`` of the data directory's library file; None when it has no usable library."""
    frame, _ = library_or_none()
    if frame is None:
        return None
    path = library_path()
    return cached(str(path), path.stat().st_mtime)


def template_or_none() -> OligoTemplate | None:
    """The library's oligo design around an intron, when the data directory has the library."""
    return from_library_or_none(cached_template)


@st.cache_data(show_spinner=False, max_entries=4)
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


@st.cache_data(show_spinner="Scoring every annotated intron…", max_entries=4)
def cached_native_table(
    directory: str, data_mtime: float, model_path: str, model_mtime: float, _predictor: Predictor
) -> pd.DataFrame:
    """Every annotated intron of the data directory scored by a model, once per (data, model) version."""
    return score_native(_predictor, read_wildtype(directory))


def native_table_or_none() -> tuple[pd.DataFrame | None, str | None]:
    """(scored native introns, None) when the data directory has the wild-type table, else (None, reason)."""
    path = data_dir() / WILDTYPE_FILE
    if not path.is_file():
        return (
            None,
            f"No {WILDTYPE_FILE} in the data directory {data_dir()} (run `python -m splice_core fetch` or set SPLICE_DATA_DIR).",
        )
    predictor = active_predictor()
    model_mtime = (Path(predictor.path) / MODEL_FILE).stat().st_mtime
    try:
        return cached_native_table(
            str(data_dir()), path.stat().st_mtime, predictor.path, model_mtime, predictor
        ), None
    except DataFileError as err:
        return None, str(err)


@st.cache_data(show_spinner=False, max_entries=8)
def cached_native_summary(directory: str, mtime: float) -> dict | None:
    """The native-intron aggregates stored in a model directory."""
    return read_native_summary(directory)


def native_summary_or_none() -> dict | None:
    """The active model's native-intron aggregates, else the shipped model's, else None."""
    for directory in (active_model_path(), PRETRAINED_DIR):
        path = Path(directory) / SUMMARY_FILE
        if path.is_file():
            return cached_native_summary(str(directory), path.stat().st_mtime)
    return None


def model_label(path: Path) -> str:
    """A readable name for a model directory (a collapsed one says so)."""
    if is_shipped(path):
        return "shipped model (pretrained/)"
    return Path(path).name + (" (collapsed)" if is_collapsed_version(path) else "")


def on_model_choice() -> None:
    """The chooser's callback: persist the version the user picked as the active model."""
    chosen = next(p for p in active_choices() if model_label(p) == st.session_state[CHOICE_KEY])
    set_active_model(chosen)


def render_sidebar() -> None:
    """The shared sidebar: data directory status and the active-model chooser (persisted)."""
    with st.sidebar:
        card = active_card()  # a damaged card gives way to the shipped model before the chooser is drawn
        labels = [model_label(p) for p in active_choices()]  # a collapsed version is never offered
        st.session_state[CHOICE_KEY] = model_label(
            active_model_path()
        )  # show the persisted choice, whoever changed it
        st.selectbox("Active model", labels, key=CHOICE_KEY, on_change=on_model_choice)
        test = card.get("metrics", {}).get("test", {})
        if test:
            st.caption(
                f"{card.get('name', '')} · test Pearson {test.get('pearson', float('nan')):.3f} · balanced MSE {test.get('balanced_mse', float('nan')):.3f}"
            )
        path = library_path()
        st.caption(
            f"Data: {path}" if path else f"Data: none in {data_dir()} (the app runs from the shipped model)"
        )


@st.cache_resource(show_spinner="Loading the gradient-boosting peer…", max_entries=2)
def cached_peer(model_dir: str, mtime: float) -> GradientBoostingPeer | None:
    """The peer saved beside a model (for the Design page's check), None when it has none."""
    return peer_beside(model_dir, read_card(model_dir))


def peer_or_none(predictor: Predictor) -> GradientBoostingPeer | None:
    """The active model's peer, None when its directory holds none."""
    path = Path(predictor.path) / PEER_FILE
    return cached_peer(predictor.path, path.stat().st_mtime) if path.is_file() else None


def natural_sites_or_none() -> dict[str, tuple[str, ...]] | None:
    """The library's site variants that splice (ss5, branch, ss3), None without data."""
    frame, _ = library_or_none()
    return natural_sites(usable_rows(frame)) if frame is not None else None


PREDICT_PAGE = "app_pages/predict.py"


def open_on_predict(intron: str, wildtype: str = "") -> None:
    """Put an intron (and a wild type, or none) into the Predict page's boxes, start a fresh undo history, and go there."""
    for key, value in (("intron_text", intron), ("wildtype_text", wildtype)):
        st.session_state[key] = st.session_state[f"kept_{key}"] = value
    st.session_state["undo_stack"] = []
    st.switch_page(PREDICT_PAGE)


def chosen_to_open(labels: list[str], prompt: str, button: str, key: str) -> int | None:
    """A chooser of ``labels`` and a button beside it; the chosen index when the button was pressed, else None."""
    choose, go = st.columns([3, 1], vertical_alignment="bottom")
    choice = choose.selectbox(
        prompt, range(len(labels)), format_func=labels.__getitem__, key=key, disabled=not labels
    )
    return choice if go.button(button, disabled=not labels) else None


def selected_row(view: pd.DataFrame, column_config: dict, key: str) -> int | None:
    """A sortable table whose rows can be selected one at a time; the selected row's position, else None."""
    event = st.dataframe(
        view,
        hide_index=True,
        column_config=column_config,
        on_select="rerun",
        selection_mode="single-row",
        key=key,
    )
    rows = event.selection.rows if event is not None else []
    return rows[0] if rows else None
