"""The job registry: concurrent runs save loadable versions, cancel keeps nothing, journals survive the app."""

import os
import signal
import subprocess
import sys
import time

import pytest
from conftest import ROOT, epoch_record, tiny_recipe

from splice_core.data.library import DataFileError
from splice_core.models.store import PRETRAINED_DIR, list_versions, read_card
from splice_core.models.training import TrainConfig
from splice_core.predict.predictor import load_predictor
from splice_core.runs import job_registry, job_state, journal, processes

pytestmark = pytest.mark.slow  # see pytest.ini: the quick tier leaves these out

TINY = tiny_recipe()


def pretrained_state() -> dict[str, float]:
    """Modification times of every file in pretrained/."""
    return {p.name: p.stat().st_mtime for p in PRETRAINED_DIR.iterdir()}


def test_two_concurrent_jobs_both_save_loadable_versions(tiny_data_dir, tmp_path):
    before = pretrained_state()
    registry = job_registry.JobRegistry()
    models = tmp_path / "models"
    started = [registry.start(TINY, tiny_data_dir, models), registry.start(TINY, tiny_data_dir, models)]
    assert registry.jobs() == started[::-1] and all(j.active for j in started)
    assert all(j.wait(300) for j in started)
    assert [j.status for j in started] == [job_state.DONE, job_state.DONE], [j.error for j in started]
    paths = {j.saved_path for j in started}
    assert len(paths) == 2 and {p.parent for p in paths} == {models}
    assert set(list_versions(models)[1:]) == paths
    for job in started:
        predictor = load_predictor(job.saved_path)
        assert predictor.predict_introns(["GTATGTTACTAACTAG"]).shape == (1,)
        assert read_card(job.saved_path)["config"]["architecture"] == "cnn_res1"
        assert [r["epoch"] for r in job.records] == [1, 2]
        assert job.fraction() == 1.0 and job.remaining() == 0.0
    assert pretrained_state() == before


def test_cancel_stops_within_one_epoch_and_saves_nothing(tiny_data_dir, tmp_path):
    config = TrainConfig(architecture="cnn_res1", context="intron", epochs=500, n_seeds=1, patience=1000)
    job = job_registry.JobRegistry().start(config, tiny_data_dir, tmp_path / "models")
    deadline = time.monotonic() + 120
    while not job.records and time.monotonic() < deadline:
        time.sleep(0.05)
    seen = len(job.records)
    assert seen >= 1
    job.cancel()
    assert job.wait(60)
    assert job.status == job_state.CANCELLED
    assert len(job.records) <= seen + 1 < config.epochs
    assert job.saved_path is None
    versions = [p for p in (tmp_path / "models").glob("*") if p.name != journal.JOURNAL_DIR]
    assert versions == []  # no model version saved; only the jobs' journal


def test_starting_without_a_library_fails_at_once(tmp_path):
    registry = job_registry.JobRegistry()
    with pytest.raises(DataFileError, match="no library"):
        registry.start(TINY, tmp_path / "no-data", tmp_path / "models")
    assert registry.jobs() == []


PARENT_SCRIPT = """
import sys, time
from splice_core.runs import job_state, journal, processes, job_registry, training_process
from splice_core.models.training import TrainConfig
config = TrainConfig(architecture="cnn_res1", context="intron", epochs=500, n_seeds=1, patience=1000)
job = job_registry.JobRegistry().start(config, sys.argv[1], sys.argv[2])
while not job.records:
    time.sleep(0.1)
print(job.id, job.pid, flush=True)
time.sleep(600)
"""


def wait_for(condition, timeout: float) -> bool:
    """Poll ``condition`` until it is true or ``timeout`` seconds pass."""
    deadline = time.monotonic() + timeout
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.2)
    return condition()


def test_killing_the_app_ends_its_training_run_which_a_new_app_shows_as_interrupted(tiny_data_dir, tmp_path):
    models = tmp_path / "models"
    parent = subprocess.Popen(
        [sys.executable, "-c", PARENT_SCRIPT, str(tiny_data_dir), str(models)],
        stdout=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )
    try:
        job_id, child_pid = parent.stdout.readline().split()
        assert processes.process_alive(int(child_pid))
        os.kill(parent.pid, signal.SIGKILL)  # the app dies without a word
        parent.wait(30)
        assert wait_for(lambda: not processes.process_alive(int(child_pid)), 60), (
            "the training process outlived the app"
        )
    finally:
        parent.kill()
    time.sleep(1)
    assert list_versions(models)[1:] == [], "an orphaned run saved a version"
    (job,) = job_registry.JobRegistry().jobs(models)  # the restarted app
    assert (job.id, job.status, job.owned, job.active) == (job_id, job_state.INTERRUPTED, False, False)
    assert job.records and job.records[0]["epoch"] == 1 and "app that started this run ended" in job.error


def test_the_journal_shows_finished_and_vanished_runs_and_skips_a_damaged_entry(tmp_path):
    models = tmp_path / "models"
    done = job_state.TrainingJob(
        TINY,
        data_dir=tmp_path,
        models_dir=models,
        status=job_state.DONE,
        saved_path=models / "v1",
        records=[epoch_record(0, 1)],
    )
    vanished = job_state.TrainingJob(
        TINY, data_dir=tmp_path, models_dir=models, pid=2**22 + 12345, started=done.started + 1
    )
    for job in (done, vanished):
        journal.write_journal(journal.journal_path(models, job.id), job.to_journal())
    journal.journal_path(models, "damaged").write_text('{"id": "dam')
    shown = job_registry.JobRegistry().jobs(models)
    assert [(j.id, j.status) for j in shown] == [
        (vanished.id, job_state.INTERRUPTED),
        (done.id, job_state.DONE),
    ]
    assert (
        shown[1].saved_path == models / "v1"
        and shown[1].records == [epoch_record(0, 1)]
        and shown[1].config == TINY
    )
    assert (
        journal.read_journal(journal.journal_path(models, vanished.id))["status"] == job_state.INTERRUPTED
    )  # written back


def test_a_started_job_writes_its_journal_to_the_end(tiny_data_dir, tmp_path):
    registry = job_registry.JobRegistry()
    job = registry.start(TINY, tiny_data_dir, tmp_path / "models")
    assert job.wait(300) and job.status == job_state.DONE
    entry = journal.read_journal(journal.journal_path(tmp_path / "models", job.id))
    assert (
        entry["status"] == job_state.DONE
        and entry["saved_path"] == str(job.saved_path)
        and len(entry["records"]) == 2
    )
    assert registry.jobs(tmp_path / "models") == [job]  # its own job is not read twice


SAVER = """
import os, signal, sys
sys.stdin.readline()  # the journal names this process first
if sys.argv[1] == "rename":
    os.replace(sys.argv[2], sys.argv[3])  # the version folder's final rename ...
os.kill(os.getpid(), signal.SIGKILL)  # ... and the process dies before the journal says "done"
"""


@pytest.mark.parametrize("dies", ["after the rename", "before the rename"])
def test_a_run_that_dies_around_its_final_rename_is_shown_as_the_disk_says(tmp_path, dies):
    """A real process does the version folder's final rename (or not) and is killed before its journal says done."""
    from toy_model import linear_model, toy_card, toy_weights

    from splice_core.models.store import save_model_dir

    models = tmp_path / "models"
    staging = save_model_dir(models / ".staging-x", linear_model(toy_weights(40)), toy_card())
    version = models / "20260101-000000-cnn_res1-intron-x"
    child = subprocess.Popen(
        [
            sys.executable,
            "-c",
            SAVER,
            "rename" if dies.startswith("after") else "no",
            str(staging),
            str(version),
        ],
        stdin=subprocess.PIPE,
        text=True,
    )
    job = job_state.TrainingJob(
        TINY, tmp_path, models, pid=child.pid, pid_start=processes.process_start_time(child.pid)
    )
    job.version_path = version
    journal.write_journal(journal.journal_path(models, job.id), job.to_journal())
    child.communicate("go\n", timeout=60)
    assert child.returncode == -signal.SIGKILL
    (shown,) = job_registry.JobRegistry().jobs(models)  # the restarted app
    written = journal.read_journal(journal.journal_path(models, job.id))
    if dies.startswith("after"):
        assert (shown.status, shown.saved_path, shown.error) == (job_state.DONE, version, "")
        assert list_versions(models)[1:] == [version] and written["status"] == job_state.DONE
        assert written["saved_path"] == str(version)
    else:
        assert (shown.status, shown.saved_path) == (
            job_state.INTERRUPTED,
            None,
        ) and "nothing was saved" in shown.error
        assert list_versions(models)[1:] == [] and written["status"] == job_state.INTERRUPTED


def test_a_journal_that_says_interrupted_beside_a_saved_version_is_corrected(tmp_path):
    """The watchdog may write "interrupted" just as the version's rename lands: the disk wins when read back."""
    models = tmp_path / "models"
    version = models / "20260101-000000-v"
    version.mkdir(parents=True)
    for name in ("model.keras", "model_card.json"):
        (version / name).write_text("{}")
    job = job_state.TrainingJob(
        TINY, tmp_path, models, status=job_state.INTERRUPTED, error=job_state.INTERRUPTED_TEXT
    )
    job.version_path = version
    journal.write_journal(journal.journal_path(models, job.id), job.to_journal())
    (shown,) = job_registry.JobRegistry().jobs(models)
    assert (shown.status, shown.saved_path, shown.error) == (job_state.DONE, version, "")


def test_a_reused_pid_does_not_keep_a_dead_job_running(tmp_path):
    """The journal's pid now belongs to another real process (started later): the job is not running."""
    other = subprocess.Popen(["sleep", "60"])
    try:
        start = processes.process_start_time(other.pid)
        assert start and processes.process_alive(other.pid, start)
        models = tmp_path / "models"
        for pid_start, expected in (
            (start - 1, job_state.INTERRUPTED),
            (start, job_state.RUNNING),
            (None, job_state.RUNNING),
        ):
            job = job_state.TrainingJob(TINY, tmp_path, models, pid=other.pid, pid_start=pid_start)
            journal.write_journal(journal.journal_path(models, job.id), job.to_journal())
            shown = next(j for j in job_registry.JobRegistry().jobs(models) if j.id == job.id)
            assert shown.status == expected, (pid_start, start)
        assert not processes.process_alive(other.pid, start + 1)
    finally:
        other.kill()
        other.wait()
    assert not processes.process_alive(other.pid, start)


def test_a_started_job_records_its_process_start_time_and_version_path(tiny_data_dir, tmp_path):
    job = job_registry.JobRegistry().start(TINY, tiny_data_dir, tmp_path / "models")
    try:
        entry = journal.read_journal(journal.journal_path(tmp_path / "models", job.id))
        assert entry["pid"] == job.pid and entry["pid_start"] == processes.process_start_time(job.pid)
        assert (
            entry["version_path"] == str(job.version_path) and job.version_path.parent == tmp_path / "models"
        )
    finally:
        job.cancel()
        assert job.wait(120)
