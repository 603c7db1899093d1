"""The training job's child process: training, saving and reporting each epoch to the app and the journal, ending
with the app that started it; and the app's thread that follows it.

Training runs in a spawned process, out of reach of Streamlit's per-rerun ``keras.backend.clear_session()`` (which
resets Keras layer naming for every thread) and of the app's interpreter lock. A finished run is saved atomically into
a fresh model version folder; pretrained/ is never written. A watchdog thread notices when the app is gone (even after
``kill -9``) and ends the run, marked ``interrupted``, so no run goes on unseen.
"""

import os
import queue
import threading
import time
from multiprocessing.process import BaseProcess
from multiprocessing.queues import Queue
from multiprocessing.synchronize import Event as ProcessEvent
from pathlib import Path

from splice_core.models.store import save_model_dir
from splice_core.models.training import TrainConfig, TrainingCancelled
from splice_core.runs.experiment import run_training
from splice_core.runs.job_state import CANCELLED, DONE, FAILED, TrainingJob
from splice_core.runs.journal import ChildJournal, end_on_disk, journal_path, saved_version, write_journal
from splice_core.runs.processes import POLL_SECONDS, parent_alive


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
    events: Queue,
    config: TrainConfig,
    data_dir: Path,
    version_path: Path,
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
