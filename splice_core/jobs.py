"""Background training jobs: one child process per run, followed by a thread into a plain object; a registry.

Nothing here touches Streamlit: a page starts a job, reads its fields and sets its cancel flag.
Training runs in a spawned process, out of reach of Streamlit's per-rerun ``keras.backend.clear_session()``
(which resets Keras layer naming for every thread) and of the app's interpreter lock.
A finished run is saved atomically into a fresh model version folder; pretrained/ is never written.

Every job keeps a journal, ``<models root>/.jobs/<id>.json`` (recipe, epochs, status), written by the app when the job
starts and by the training process after each epoch and at its end. A training process ends with the app that
started it (a watchdog thread notices when its parent is gone, even after ``kill -9``, and marks the job
``interrupted``), so no run goes on unseen; after a restart the registry reads the journal and shows every job again.
"""

import dataclasses
import json
import multiprocessing
import os
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
from .model_store import is_model_dir, models_root, new_version_path, save_model_dir
from .training import PAIRS_STAGE, TrainConfig, TrainingCancelled, device_name

RUNNING, DONE, CANCELLED, FAILED, INTERRUPTED = "running", "done", "cancelled", "failed", "interrupted"
SPAWN = multiprocessing.get_context("spawn")
POLL_SECONDS = 0.5
JOURNAL_DIR = ".jobs"
KEPT_JOURNALS = 50
INTERRUPTED_TEXT = "the app that started this run ended before it finished; nothing was saved"


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


def journal_path(models_dir: str | os.PathLike, job_id: str) -> Path:
    """Where a job's journal entry lives."""
    return Path(models_dir) / JOURNAL_DIR / f"{job_id}.json"


def write_journal(path: Path, entry: dict) -> None:
    """Write a journal entry atomically."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}")
    tmp.write_text(json.dumps(entry, default=float))
    os.replace(tmp, path)


def read_journal(path: Path) -> dict | None:
    """A journal entry, or None when it cannot be read (a damaged entry is skipped, not fatal)."""
    try:
        entry = json.loads(path.read_text())
    except (OSError, ValueError):
        return None
    return entry if isinstance(entry, dict) and {"id", "config", "status"} <= entry.keys() else None


class ChildJournal:
    """The training process's side of a job's journal: epochs and the end, written as they happen."""

    def __init__(self, path: Path | None):
        self.path, self.lock = path, threading.Lock()
        self.entry = (read_journal(path) or {}) if path else {}
        self.update(pid=os.getpid(), pid_start=process_start_time(os.getpid()))

    def update(self, **fields) -> None:
        """Set fields and rewrite the entry (no-op without a journal)."""
        if self.path is None:
            return
        with self.lock:
            self.entry.update(fields)
            write_journal(self.path, self.entry)

    def add_record(self, record: dict) -> None:
        """Append one epoch record."""
        self.update(records=[*self.entry.get("records", []), record])

    def end(self, status: str, saved_path: str | None = None, error: str = "") -> None:
        """Mark the run ended."""
        self.update(status=status, saved_path=saved_path, error=error, finished=time.time())


def parent_alive(parent_pid: int) -> bool:
    """True while the process that started this one is still its parent (an orphan is adopted by another)."""
    return os.getppid() == parent_pid


def watch_parent(
    parent_pid: int, journal: ChildJournal, version_path: Path | None = None, period: float = POLL_SECONDS
) -> None:
    """In the training process: end it as soon as the app that started it is gone (journal: interrupted, or done
    when the version was saved just before)."""

    def watch():
        while parent_alive(parent_pid):
            time.sleep(period)
        journal.end(*end_on_disk(version_path))
        os._exit(3)

    threading.Thread(target=watch, name="parent-watchdog", daemon=True).start()


def train_in_child(
    config: TrainConfig,
    data_dir: Path,
    version_path: Path,
    events: Queue,
    cancel: ProcessEvent,
    journal: Path | None = None,
    parent_pid: int | None = None,
) -> None:
    """Child-process entry: train, save the version, report ``(kind, value)`` events to the parent and the journal.

    With ``parent_pid`` the process ends (journal: interrupted) once that parent is gone.
    """
    log = ChildJournal(journal)
    if parent_pid is not None:
        watch_parent(parent_pid, log, version_path)

    def on_epoch(record: dict) -> None:
        events.put(("epoch", record))
        log.add_record(record)

    try:
        model, card = run_training(config, data_dir, on_epoch_end=on_epoch, should_stop=cancel.is_set)
        if cancel.is_set():
            raise TrainingCancelled("training cancelled")
        saved = str(save_model_dir(version_path, model, card))
        log.end(DONE, saved_path=saved)
        events.put((DONE, saved))
    except TrainingCancelled:
        log.end(CANCELLED)
        events.put((CANCELLED, ""))
    except Exception as err:  # noqa: BLE001 - a background run reports every failure on the page
        message = f"{type(err).__name__}: {err}"
        log.end(FAILED, error=message)
        events.put((FAILED, message))


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
    if kind == FAILED and saved_version(job.version_path):  # it died after saving, before saying so
        kind, value = DONE, str(job.version_path)
    if kind == DONE:
        job.saved_path = Path(value)
    job.error = value if kind == FAILED else ""
    job.finished = time.time()
    job.status = kind
    write_journal(journal_path(job.models_dir, job.id), job.to_journal())
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


def process_start_time(pid: int) -> int | None:
    """When process ``pid`` started, in clock ticks since boot (``/proc/<pid>/stat`` field 22), or None if unknown."""
    try:
        return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[19])
    except (OSError, IndexError, ValueError):
        return None


def saved_version(path: Path | None) -> Path | None:
    """``path`` when a run's version folder is on disk (it appears whole: saving ends with one rename), else None."""
    return path if path is not None and is_model_dir(path) else None


def end_on_disk(version_path: Path | None) -> tuple[str, str | None, str]:
    """(status, saved path, error) of a run whose process is gone, decided from the disk: done when its version is there."""
    saved = saved_version(version_path)
    return (DONE, str(saved), "") if saved else (INTERRUPTED, None, INTERRUPTED_TEXT)


def process_alive(pid: int | None, start: int | None = None) -> bool:
    """True when a process with this id exists and has not exited (a zombie awaiting its reaper counts as gone).

    With ``start`` (see :func:`process_start_time`), a process that now holds the id but started at another time (a
    reused pid) counts as gone.
    """
    if pid is None:
        return False
    if start is not None and process_start_time(pid) not in (start, None):
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return True


def job_from_journal(entry: dict) -> TrainingJob:
    """A job read back from its journal entry (not owned by this app).

    A run whose process is gone (or whose id a newer process holds) is done when its version folder is on disk,
    else interrupted; the journal is corrected to match the disk.
    """
    job = TrainingJob(
        config=recipe_from_card(entry),
        data_dir=Path(entry.get("data_dir", "")),
        models_dir=Path(entry.get("models_dir", "")),
        device=entry.get("device", "CPU"),
        id=entry["id"],
        status=entry["status"],
        records=list(entry.get("records", [])),
        started=float(entry.get("started") or 0.0),
        finished=entry.get("finished"),
        saved_path=Path(entry["saved_path"]) if entry.get("saved_path") else None,
        version_path=Path(entry["version_path"]) if entry.get("version_path") else None,
        error=entry.get("error", ""),
        pid=entry.get("pid"),
        pid_start=entry.get("pid_start"),
        owned=False,
        cancel_requested=threading.Event(),
    )
    gone = job.status == RUNNING and not process_alive(job.pid, job.pid_start)
    if gone or (job.status == INTERRUPTED and saved_version(job.version_path)):  # the disk decides
        job.status, saved, job.error = end_on_disk(job.version_path)
        job.saved_path = Path(saved) if saved else None
        job.finished = job.finished or time.time()
        write_journal(journal_path(job.models_dir, job.id), job.to_journal())
    if job.status != RUNNING:
        job.ended.set()
    return job


def prune_journal(models_dir: Path, keep: int = KEPT_JOURNALS) -> None:
    """Remove the oldest journal entries beyond ``keep`` (by modification time)."""
    entries = sorted(
        (Path(models_dir) / JOURNAL_DIR).glob("*.json"), key=lambda p: p.stat().st_mtime, reverse=True
    )
    for path in entries[keep:]:
        path.unlink(missing_ok=True)


class JobRegistry:
    """Every training job of this process, shared by all browser sessions."""

    def __init__(self) -> None:
        self._jobs: dict[str, TrainingJob] = {}
        self._lock = threading.Lock()

    def start(
        self, config: TrainConfig, data_dir: str | Path, models_dir: str | Path | None = None
    ) -> TrainingJob:
        """Register a job, start its training process and the thread that follows it.

        Models go to a new version folder under ``models_dir`` (default: the models root).
        Raises DataFileError at once when ``data_dir`` holds no library.
        """
        if library_path(data_dir) is None:
            raise DataFileError(f"{data_dir}: no library file in the data directory, nothing to train on")
        job = TrainingJob(
            config=config, data_dir=Path(data_dir), models_dir=models_root(models_dir), device=device_name()
        )
        events = SPAWN.Queue()
        version_path = job.version_path = new_version_path(job.models_dir, version_name(job))
        journal = journal_path(job.models_dir, job.id)
        prune_journal(job.models_dir)
        write_journal(journal, job.to_journal())
        process = SPAWN.Process(
            target=train_in_child,
            args=(config, job.data_dir, version_path, events, job.cancel_requested, journal, os.getpid()),
            name=f"training-{job.id}",
            daemon=True,
        )
        process.start()
        job.pid, job.pid_start = process.pid, process_start_time(process.pid)
        write_journal(journal, job.to_journal())  # its process named at once, not only once it has started up
        with self._lock:
            self._jobs[job.id] = job
        threading.Thread(
            target=follow, args=(job, process, events), name=f"follow-{job.id}", daemon=True
        ).start()
        return job

    def jobs(self, models_dir: str | Path | None = None) -> list[TrainingJob]:
        """Every job of this app and every job in the journal under ``models_dir`` (default: the models root), newest first."""
        with self._lock:
            self._read_journal(models_root(models_dir))
            return sorted(self._jobs.values(), key=lambda j: j.started, reverse=True)

    def _read_journal(self, models_dir: Path) -> None:
        """Add (or refresh, while running) the jobs in the journal that this app did not start."""
        for path in sorted((models_dir / JOURNAL_DIR).glob("*.json")):
            known = self._jobs.get(path.stem)
            if known is not None and (known.owned or not known.active):
                continue
            entry = read_journal(path)
            if entry is not None and entry["id"] == path.stem:
                self._jobs[path.stem] = job_from_journal(entry)


REGISTRY = JobRegistry()
