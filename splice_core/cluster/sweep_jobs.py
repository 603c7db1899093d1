"""Sweeps (or single runs) sent from the app to a Ray cluster: one child process each, followed by a thread; a registry.

Nothing here touches Streamlit or imports Ray: the child process joins the cluster and runs
:func:`splice_core.cluster.sweep.run_sweep`, sending the trials table as it changes; the page reads the job's fields.
"""

import os
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from splice_core.cluster.sweep_spec import SweepSpec
from splice_core.data.library import checked_library_dir
from splice_core.models.store import models_root
from splice_core.runs.job_state import CANCELLED, DONE, FAILED, RUNNING, JobStatus
from splice_core.runs.journal import ChildJournal
from splice_core.runs.processes import start_followed
from splice_core.runs.training_process import next_event, watch_parent


@dataclass
class SweepJob(JobStatus):
    """One sweep on a cluster: its spec, the cluster, the live trials table, status and the saved best version."""

    spec: SweepSpec
    address: str
    data_dir: Path
    models_dir: Path
    id: str = field(default_factory=lambda: uuid.uuid4().hex[:8])
    status: str = RUNNING
    trials: pd.DataFrame = field(default_factory=pd.DataFrame)
    started: float = field(default_factory=time.time)
    finished: float | None = None
    saved_path: Path | None = None
    error: str = ""
    ended: threading.Event = field(default_factory=threading.Event, repr=False)


def sweep_in_child(
    events, spec: SweepSpec, address: str, data_dir: Path, out: Path, models_dir: Path, parent_pid: int
) -> None:
    """Child-process entry: join the cluster, run the sweep, report ``("trials", table)`` events and the saved version.

    The process ends as soon as the app that started it is gone (its trials on the cluster end with it).
    """
    watch_parent(parent_pid, ChildJournal(None))
    try:
        from splice_core.cluster.connection import connect
        from splice_core.cluster.sweep import run_sweep

        connect(address)
        result = run_sweep(
            spec, data_dir, out, models_dir, on_update=lambda table: events.put(("trials", table))
        )
        events.put(("trials", result.table))
        events.put(
            (DONE, str(result.saved)) if result.saved else (FAILED, "no trial finished: nothing was saved")
        )
    except Exception as err:  # noqa: BLE001 - a background sweep reports every failure on the page
        events.put((FAILED, f"{type(err).__name__}: {err}"))


def follow(job: SweepJob, process, events) -> None:
    """Copy the child's trials tables into the job until its final event, then mark the job ended."""
    kind, value = next_event(events, process)
    while kind == "trials":
        job.trials = value
        kind, value = next_event(events, process)
    process.join()
    job.saved_path = Path(value) if kind == DONE else None
    job.error = value if kind == FAILED else ""
    job.finished = time.time()
    job.status = kind if kind in (DONE, FAILED, CANCELLED) else FAILED
    job.ended.set()


class SweepRegistry:
    """Every sweep this app sent to a cluster, shared by all browser sessions."""

    def __init__(self) -> None:
        self._jobs: dict[str, SweepJob] = {}
        self._lock = threading.Lock()

    def start(
        self,
        spec: SweepSpec,
        address: str,
        data_dir: str | Path,
        models_dir: str | Path | None = None,
        out: str | Path = "runs",
    ) -> SweepJob:
        """Start a sweep on the cluster at ``address`` in a child process; DataFileError at once without a library."""
        checked_library_dir(data_dir)
        job = SweepJob(
            spec=spec, address=address, data_dir=Path(data_dir).resolve(), models_dir=models_root(models_dir)
        )
        start_followed(
            f"sweep-{job.id}",
            sweep_in_child,
            spec,
            address,
            job.data_dir,
            Path(out).resolve(),
            job.models_dir,
            os.getpid(),
            follow=lambda process, events: follow(job, process, events),
        )
        with self._lock:
            self._jobs[job.id] = job
        return job

    def jobs(self) -> list[SweepJob]:
        """Every sweep, newest first."""
        with self._lock:
            return sorted(self._jobs.values(), key=lambda j: j.started, reverse=True)


SWEEPS = SweepRegistry()
