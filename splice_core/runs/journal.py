"""Job journals: ``<models root>/.jobs/<id>.json`` (recipe, epochs, status), written by the app when a job starts and
by the training process after each epoch and at its end; read back after a restart, where the disk decides how a run
whose process is gone ended (done when its version folder is there, else interrupted)."""

import json
import os
import threading
import time
from pathlib import Path

from splice_core.models.store import is_model_dir
from splice_core.runs.job_state import (
    DONE,
    INTERRUPTED,
    INTERRUPTED_TEXT,
    RUNNING,
    TrainingJob,
    recipe_from_card,
)
from splice_core.runs.processes import process_alive, process_start_time

JOURNAL_DIR = ".jobs"
KEPT_JOURNALS = 50


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


def saved_version(path: Path | None) -> Path | None:
    """``path`` when a run's version folder is on disk (it appears whole: saving ends with one rename), else None."""
    return path if path is not None and is_model_dir(path) else None


def end_on_disk(version_path: Path | None) -> tuple[str, str | None, str]:
    """(status, saved path, error) of a run whose process is gone, decided from the disk: done when its version is there."""
    saved = saved_version(version_path)
    return (DONE, str(saved), "") if saved else (INTERRUPTED, None, INTERRUPTED_TEXT)


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
