"""A background training job as the app sees it: its recipe, status, epoch records, progress and the words for them.

Nothing here touches Streamlit: a page starts a job (:mod:`~splice_core.runs.registry`), reads its fields and sets its
cancel flag.
"""

import dataclasses
import threading
import time
import uuid
from dataclasses import dataclass, field
from multiprocessing.synchronize import Event as ProcessEvent
from pathlib import Path

from splice_core.models.training import PAIRS_STAGE, RENAMED_FIELDS, TrainConfig
from splice_core.runs.processes import SPAWN

RUNNING, DONE, CANCELLED, FAILED, INTERRUPTED = "running", "done", "cancelled", "failed", "interrupted"
INTERRUPTED_TEXT = "the app that started this run ended before it finished; nothing was saved"


class JobStatus:
    """What every background job tells a page: running or not, wait for its end, elapsed time.

    Needs the attributes ``status``, ``ended`` (an event), ``started`` and ``finished``.
    """

    @property
    def active(self) -> bool:
        """True until the job has reported its end."""
        return self.status == RUNNING

    def wait(self, timeout: float | None = None) -> bool:
        """Block until the job has ended (or ``timeout`` seconds); True when it ended."""
        return self.ended.wait(timeout)

    def elapsed(self) -> float:
        """Seconds since the job started (until it ended)."""
        return (self.finished or time.time()) - self.started


class JobControls(JobStatus):
    """A :class:`JobStatus` that can also be cancelled (needs the event ``cancel_requested`` too)."""

    def cancel(self) -> None:
        """Ask the job to stop at its next batch."""
        self.cancel_requested.set()


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
    version_path: Path | None = None  # where the run saves: its presence decides "done" after a crash
    error: str = ""
    pid: int | None = None
    pid_start: int | None = None  # the process's start time (clock ticks since boot): a reused pid is not it
    owned: bool = True  # started by this app process (else read back from the journal)
    cancel_requested: ProcessEvent = field(default_factory=SPAWN.Event, repr=False)
    ended: threading.Event = field(default_factory=threading.Event, repr=False)

    def to_journal(self) -> dict:
        """The job as a journal entry (plain JSON values)."""
        return {
            "id": self.id,
            "config": self.config.to_dict(),
            "data_dir": str(self.data_dir),
            "models_dir": str(self.models_dir),
            "device": self.device,
            "status": self.status,
            "records": self.records,
            "started": self.started,
            "finished": self.finished,
            "saved_path": str(self.saved_path) if self.saved_path else None,
            "version_path": str(self.version_path) if self.version_path else None,
            "error": self.error,
            "pid": self.pid,
            "pid_start": self.pid_start,
        }

    def fraction(self) -> float:
        """Share of the planned epochs (all seeds) done, 0..1 (1 once saved)."""
        return 1.0 if self.status == DONE else self.last_fraction()

    def last_fraction(self) -> float:
        """Share of the planned work reached by the last record: training epochs, then pair fine-tuning rounds."""
        if not self.records:
            return 0.0
        last = self.records[-1]
        stage_done = min(1.0, (last["seed_index"] + last["epoch"] / last["epochs"]) / last["n_seeds"])
        share = training_share(self.config)
        return share + (1 - share) * stage_done if last.get("stage") == PAIRS_STAGE else share * stage_done

    def remaining(self) -> float | None:
        """Estimated seconds left (None before the first epoch ends; 0 once ended)."""
        if not self.active:
            return 0.0
        done = self.last_fraction()
        return self.elapsed() * (1 - done) / done if done > 0 else None

    def progress_text(self) -> str:
        """Where training is, e.g. ``seed 1/2 · epoch 3/20``, then ``pair fine-tuning · member 1/2 · round 1/3``."""
        if not self.records:
            return "preparing data…" if self.active else "no epoch finished"
        last = self.records[-1]
        if self.active and self.last_fraction() >= 1:
            return "evaluating and saving…"
        if last.get("stage") == PAIRS_STAGE:
            return (
                f"pair fine-tuning · member {last['seed_index'] + 1}/{last['n_seeds']} · "
                f"round {last['epoch']}/{last['epochs']}"
            )
        return f"seed {last['seed_index'] + 1}/{last['n_seeds']} · epoch {last['epoch']}/{last['epochs']}"


def plan_text(config: TrainConfig) -> str:
    """A recipe's planned work in words, e.g. ``up to 20 epochs × 2 seeds, then 3 pair fine-tuning rounds``."""

    def counted(n: int, noun: str) -> str:
        return f"{n} {noun}" + ("" if n == 1 else "s")

    plan = f"up to {counted(config.epochs, 'epoch')} × {counted(config.n_seeds, 'seed')}"
    return plan + (
        f", then {counted(config.pair_epochs, 'pair fine-tuning round')}" if config.pair_epochs else ""
    )


def training_share(config: TrainConfig) -> float:
    """The share of a recipe's planned work spent training the seeds (the rest: pair fine-tuning rounds).

    A fine-tuning round is one epoch on the library and one on the pairs, so it counts as two epochs.
    """
    epochs, rounds = config.n_seeds * config.epochs, config.n_seeds * 2 * config.pair_epochs
    return epochs / (epochs + rounds)


def version_name(job: TrainingJob) -> str:
    """The folder-name stem of a job's model version (unique thanks to the job id)."""
    return f"{job.config.architecture}-{job.config.context}-{job.id}"


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
    """The :class:`TrainConfig` a model card was trained with (keys renamed since read by their new name, unknown
    keys ignored)."""
    names = {f.name for f in dataclasses.fields(TrainConfig)}
    config = {RENAMED_FIELDS.get(k, k): v for k, v in card.get("config", {}).items()}
    return TrainConfig(**{k: v for k, v in config.items() if k in names})
