"""The training process's entry: it reports epochs then the saved version, a cancel saves nothing, a failure or a
silent death is reported."""

import queue
import threading
import time
from pathlib import Path

import pytest
from conftest import tiny_recipe

from splice_core.models.store import is_model_dir
from splice_core.models.training import TrainConfig
from splice_core.runs import job_state, journal, processes, training_process

pytestmark = pytest.mark.slow  # see pytest.ini: the quick tier leaves these out

TINY = tiny_recipe()


def child_events(
    config: TrainConfig, data_dir: Path, version_path: Path, cancelled: bool = False
) -> list[tuple]:
    """The events the child-process entry reports, run in this process with a plain queue."""
    events, cancel = queue.Queue(), threading.Event()
    if cancelled:
        cancel.set()
    training_process.train_in_child(events, config, data_dir, version_path, cancel)
    return [events.get_nowait() for _ in range(events.qsize())]


def test_child_reports_epochs_then_the_saved_version(tiny_data_dir, tmp_path):
    events = child_events(TINY, tiny_data_dir, tmp_path / "v1")
    assert [kind for kind, _ in events] == ["epoch", "epoch", job_state.DONE]
    assert events[-1][1] == str(tmp_path / "v1") and is_model_dir(tmp_path / "v1")


def test_child_cancelled_before_training_saves_nothing(tiny_data_dir, tmp_path):
    assert child_events(TINY, tiny_data_dir, tmp_path / "models" / "v1", cancelled=True) == [
        (job_state.CANCELLED, "")
    ]
    versions = [p for p in (tmp_path / "models").glob("*") if p.name != journal.JOURNAL_DIR]
    assert versions == []  # no model version saved; only the jobs' journal


def test_child_failure_is_reported_with_its_error(tmp_path):
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "splicing_library.csv").write_text("type,BC\nsynthetic,ACGT\n")
    ((kind, message),) = child_events(TINY, tmp_path / "data", tmp_path / "v1")
    assert kind == job_state.FAILED and message.startswith("DataFileError: ") and "missing column" in message
    assert not (tmp_path / "v1").exists()


def test_a_training_process_that_dies_without_a_word_counts_as_failed():
    process = processes.SPAWN.Process(target=time.sleep, args=(0,))
    process.start()
    process.join()
    assert training_process.next_event(processes.SPAWN.Queue(), process) == (
        job_state.FAILED,
        "training process exited with code 0",
    )
