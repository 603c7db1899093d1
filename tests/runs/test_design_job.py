"""Design jobs: a search in a background thread, designs as they arrive, progress, cancel, errors."""

import threading

import numpy as np
import pytest

from splice_core.design.constraints import DesignInputError
from splice_core.design.search import EditRequest, Goal
from splice_core.runs import design_job
from splice_core.runs.design_job import start_design
from splice_core.runs.job_state import CANCELLED, DONE, FAILED

INTRON = "GTAAGTAAAGTACTAACTAG"


def gc_members(introns, branch):
    """Two identical members scoring the GC share."""
    gc = np.array([(s.count("G") + s.count("C")) / len(s) for s in introns])
    return np.stack([gc, gc], 1)


def test_a_job_runs_to_the_end_in_the_background():
    job = start_design(gc_members, EditRequest(INTRON, Goal("high"), max_edits=3))
    assert job.wait(30)
    assert job.status == DONE and job.fraction == 1.0 and job.remaining() == 0.0
    assert [len(d.edits) for d in job.designs] == [0, 1, 2, 3]
    assert [d.predicted for d in job.designs] == pytest.approx([0.3, 0.35, 0.4, 0.45])


def test_cancel_stops_after_the_current_batch_and_keeps_the_designs():
    go = threading.Event()

    def slow(introns, branch):
        if len(introns) > 1:
            go.wait(10)
        return gc_members(introns, branch)

    job = start_design(slow, EditRequest(INTRON, Goal("high"), max_edits=5))
    job.cancel()
    go.set()
    assert job.wait(30)
    assert job.status == CANCELLED and 1 <= len(job.designs) < 6 and job.fraction < 1


def test_time_left_comes_from_the_share_done(monkeypatch):
    monkeypatch.setattr(design_job.time, "time", lambda: 110.0)
    job = design_job.DesignJob(EditRequest(INTRON, Goal("high")), started=100.0)
    assert job.remaining() is None and job.elapsed() == 10
    job.fraction = 0.25
    assert job.remaining() == 30


def test_bad_input_is_refused_before_a_thread_starts_and_failures_are_reported():
    with pytest.raises(DesignInputError, match="number of edits"):
        start_design(gc_members, EditRequest(INTRON, Goal("high"), max_edits=0))

    def broken(introns, branch):
        raise RuntimeError("model exploded")

    job = start_design(broken, EditRequest(INTRON, Goal("high")))
    assert job.wait(30)
    assert job.status == FAILED and job.error == "The design search failed: RuntimeError: model exploded"
