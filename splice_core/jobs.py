"""Background training jobs: one child process per run, followed by a thread into a plain object; a registry.

Nothing here touches Streamlit: a page starts a job, reads its fields and sets its cancel flag.
Training runs in a spawned process, out of reach of Streamlit's per-rerun ``keras.backend.clear_session()``
(which resets Keras layer naming for every thread) and of the app's interpreter lock.
A finished run is saved atomically into a fresh model version folder; pretrained/ is never written.
"""
import dataclasses
import multiprocessing
import queue
import threading
import time
import uuid
from dataclasses import dataclass, field
from multiprocessing.process import BaseProcess
from multiprocessing.queues import Queue
from multiprocessing.synchronize import Event as ProcessEvent
from pathlib import Path

from .experiment import run_training
from .library import DataFileError, library_path
from .model_store import models_root, new_version_path, save_model_dir
from .training import TrainConfig, TrainingCancelled, device_name

RUNNING, DONE, CANCELLED, FAILED = "running", "done", "cancelled", "failed"
SPAWN = multiprocessing.get_context("spawn")
POLL_SECONDS = 0.5


class JobControls:
    """What every background job offers a page: running or not, cancel, wait, elapsed time.

    Needs the attributes ``status``, ``cancel_requested`` and ``ended`` (events), ``started`` and ``finished``.
    """

    @property
    def active(self) -> bool:
        """True until the job has reported its end."""
        return self.status == RUNNING

    def cancel(self) -> None:
        """Ask the job to stop at its next batch."""
        self.cancel_requested.set()

    def wait(self, timeout: float | None = None) -> bool:
        """Block until the job has ended (or ``timeout`` seconds); True when it ended."""
        return self.ended.wait(timeout)

    def elapsed(self) -> float:
        """Seconds since the job started (until it ended)."""
        return (self.finished or time.time()) - self.started


@dataclass
class TrainingJob(JobControls):
    """One background training run: recipe, per-epoch records, status and the saved version folder."""

    config: TrainConfig
    data_dir: Path
    models_dir: Path
    device: str = "CPU"
    id: str = field(default_factory=lambda: uuid.uuid4().hex[:8])
    status: str = RUNNING
    records: list[dict] = field(default_factory=list)
    started: float = field(default_factory=time.time)
    finished: float | None = None
    saved_path: Path | None = None
    error: str = ""
    cancel_requested: ProcessEvent = field(default_factory=SPAWN.Event, repr=False)
    ended: threading.Event = field(default_factory=threading.Event, repr=False)

    def fraction(self) -> float:
        """Share of the planned epochs (all seeds) done, 0..1 (1 once saved)."""
        return 1.0 if self.status == DONE else self.last_fraction()

    def last_fraction(self) -> float:
        """Share of planned epochs reached by the last finished epoch."""
        if not self.records:
            return 0.0
        last = self.records[-1]
        return min(1.0, (last["seed_index"] + last["epoch"] / last["epochs"]) / last["n_seeds"])

    def remaining(self) -> float | None:
        """Estimated seconds left (None before the first epoch ends; 0 once ended)."""
        if not self.active:
            return 0.0
        done = self.last_fraction()
        return self.elapsed() * (1 - done) / done if done > 0 else None

    def progress_text(self) -> str:
        """Where training is, e.g. ``seed 1/2 · epoch 3/20``."""
        if not self.records:
            return "preparing data…" if self.active else "no epoch finished"
        last = self.records[-1]
        return f"seed {last['seed_index'] + 1}/{last['n_seeds']} · epoch {last['epoch']}/{last['epochs']}"


def version_name(job: TrainingJob) -> str:
    """The folder-name stem of a job's model version (unique thanks to the job id)."""
    return f"{job.config.architecture}-{job.config.context}-{job.id}"


def train_in_child(config: TrainConfig, data_dir: Path, version_path: Path, events: Queue, cancel: ProcessEvent) -> None:
    """Child-process entry: train, save the version, and report ``(kind, value)`` events to the parent."""
    try:
        model, card = run_training(config, data_dir, on_epoch_end=lambda record: events.put(("epoch", record)), should_stop=cancel.is_set)
        if cancel.is_set():
            raise TrainingCancelled("training cancelled")
        events.put((DONE, str(save_model_dir(version_path, model, card))))
    except TrainingCancelled:
        events.put((CANCELLED, ""))
    except Exception as err:  # noqa: BLE001 - a background run reports every failure on the page
        events.put((FAILED, f"{type(err).__name__}: {err}"))


def next_event(events: Queue, process: BaseProcess) -> tuple[str, dict | str]:
    """The child's next event; a child that exited without a final event counts as failed."""
    while True:
        try:
            return events.get(timeout=POLL_SECONDS)
        except queue.Empty:
            if not process.is_alive():
                try:
                    return events.get(timeout=POLL_SECONDS)
                except queue.Empty:
                    return FAILED, f"training process exited with code {process.exitcode}"


def follow(job: TrainingJob, process: BaseProcess, events: Queue) -> None:
    """Copy the child's epoch records into the job until its final event, then mark the job ended."""
    kind, value = next_event(events, process)
    while kind == "epoch":
        job.records.append(value)
        kind, value = next_event(events, process)
    process.join()
    if kind == DONE:
        job.saved_path = Path(value)
    job.error = value if kind == FAILED else ""
    job.finished = time.time()
    job.status = kind
    job.ended.set()


def duration_text(seconds: float | None) -> str:
    """Seconds as ``1 h 02 min``, ``3 min 05 s`` or ``42 s`` (``–`` when unknown)."""
    if seconds is None:
        return "–"
    seconds = int(round(seconds))
    if seconds >= 3600:
        return f"{seconds // 3600} h {seconds % 3600 // 60:02d} min"
    if seconds >= 60:
        return f"{seconds // 60} min {seconds % 60:02d} s"
    return f"{seconds} s"


def recipe_from_card(card: dict) -> TrainConfig:
    """The :class:`TrainConfig` a model card was trained with (unknown keys ignored)."""
    names = {f.name for f in dataclasses.fields(TrainConfig)}
    return TrainConfig(**{k: v for k, v in card.get("config", {}).items() if k in names})


class JobRegistry:
    """Every training job of this process, shared by all browser sessions."""

    def __init__(self) -> None:
        self._jobs: dict[str, TrainingJob] = {}
        self._lock = threading.Lock()

    def start(self, config: TrainConfig, data_dir: str | Path, models_dir: str | Path | None = None) -> TrainingJob:
        """Register a job, start its training process and the thread that follows it.

        Models go to a new version folder under ``models_dir`` (default: the models root).
        Raises DataFileError at once when ``data_dir`` holds no library.
        """
        if library_path(data_dir) is None:
            raise DataFileError(f"{data_dir}: no library file in the data directory, nothing to train on")
        job = TrainingJob(config=config, data_dir=Path(data_dir), models_dir=models_root(models_dir), device=device_name())
        events = SPAWN.Queue()
        version_path = new_version_path(job.models_dir, version_name(job))
        process = SPAWN.Process(
            target=train_in_child, args=(config, job.data_dir, version_path, events, job.cancel_requested),
            name=f"training-{job.id}", daemon=True,
        )
        process.start()
        with self._lock:
            self._jobs[job.id] = job
        threading.Thread(target=follow, args=(job, process, events), name=f"follow-{job.id}", daemon=True).start()
        return job

    def jobs(self) -> list[TrainingJob]:
        """Every job, newest first."""
        with self._lock:
            return sorted(self._jobs.values(), key=lambda j: j.started, reverse=True)


REGISTRY = JobRegistry()
