"""The registry of training jobs: every job this app started and every job in the journal, shared by all sessions."""

import os
import threading
from pathlib import Path

from splice_core.data.library import checked_library_dir
from splice_core.models.store import models_root, new_version_path
from splice_core.models.training import TrainConfig, device_name
from splice_core.runs.job_state import TrainingJob, version_name
from splice_core.runs.journal import (
    JOURNAL_DIR,
    job_from_journal,
    journal_path,
    prune_journal,
    read_journal,
    write_journal,
)
from splice_core.runs.processes import process_start_time, start_followed
from splice_core.runs.training_process import follow, train_in_child


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
        checked_library_dir(data_dir)
        job = TrainingJob(
            config=config, data_dir=Path(data_dir), models_dir=models_root(models_dir), device=device_name()
        )
        version_path = job.version_path = new_version_path(job.models_dir, version_name(job))
        journal = journal_path(job.models_dir, job.id)
        prune_journal(job.models_dir)
        write_journal(journal, job.to_journal())
        process = start_followed(
            f"training-{job.id}",
            train_in_child,
            config,
            job.data_dir,
            version_path,
            job.cancel_requested,
            journal,
            os.getpid(),
            follow=lambda process, events: follow(job, process, events),
        )
        job.pid, job.pid_start = process.pid, process_start_time(process.pid)
        write_journal(journal, job.to_journal())  # its process named at once, not only once it has started up
        with self._lock:
            self._jobs[job.id] = job
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
