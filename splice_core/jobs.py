"""Background training jobs: one worker thread per run, plain progress records, a process-wide registry.

Nothing here touches Streamlit: a page starts a job, reads its fields and sets its cancel flag.
A finished run is saved atomically into a fresh model version folder; pretrained/ is never written.
"""
import dataclasses
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from .experiment import run_training
from .model_store import models_root, new_version_path, save_model_dir
from .training import TrainConfig, TrainingCancelled, device_name

RUNNING, DONE, CANCELLED, FAILED = "running", "done", "cancelled", "failed"


@dataclass
class TrainingJob:
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
    cancel_requested: threading.Event = field(default_factory=threading.Event, repr=False)
    ended: threading.Event = field(default_factory=threading.Event, repr=False)

    @property
    def active(self) -> bool:
        """True while the worker is still running."""
        return self.status == RUNNING

    def cancel(self) -> None:
        """Ask the worker to stop at its next training batch (nothing is saved)."""
        self.cancel_requested.set()

    def wait(self, timeout: float | None = None) -> bool:
        """Block until the job has ended (or ``timeout`` seconds); True when it ended."""
        return self.ended.wait(timeout)

    def fraction(self) -> float:
        """Share of the planned epochs (all seeds) done, 0..1 (1 once saved)."""
        return 1.0 if self.status == DONE else self.last_fraction()

    def last_fraction(self) -> float:
        """Share of planned epochs reached by the last finished epoch."""
        if not self.records:
            return 0.0
        last = self.records[-1]
        return min(1.0, (last["seed_index"] + last["epoch"] / last["epochs"]) / last["n_seeds"])

    def elapsed(self) -> float:
        """Seconds since the job started (until it ended)."""
        return (self.finished or time.time()) - self.started

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


def run_job(job: TrainingJob) -> None:
    """Train the job's recipe and save it as a new model version; record a cancel or a failure instead."""
    try:
        model, card = run_training(job.config, job.data_dir, on_epoch_end=job.records.append, should_stop=job.cancel_requested.is_set)
        if job.cancel_requested.is_set():
            raise TrainingCancelled("training cancelled")
        job.saved_path = save_model_dir(new_version_path(job.models_dir, version_name(job)), model, card)
        status = DONE
    except TrainingCancelled:
        status = CANCELLED
    except Exception as err:  # noqa: BLE001 - a background run reports every failure on the page
        job.error = f"{type(err).__name__}: {err}"
        status = FAILED
    job.finished = time.time()
    job.status = status
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
        """Register a job and start its worker thread (models go to ``models_dir`` or the models root)."""
        job = TrainingJob(config=config, data_dir=Path(data_dir), models_dir=models_root(models_dir), device=device_name())
        with self._lock:
            self._jobs[job.id] = job
        threading.Thread(target=run_job, args=(job,), name=f"training-{job.id}", daemon=True).start()
        return job

    def jobs(self) -> list[TrainingJob]:
        """Every job, newest first."""
        with self._lock:
            return sorted(self._jobs.values(), key=lambda j: j.started, reverse=True)


REGISTRY = JobRegistry()
