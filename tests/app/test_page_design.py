"""The Design page (AppTest) over the toy model: start, progress, cancel, results, hand-over to Predict, bad input."""

import threading
import time
from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest
from toy_model import expected_members, install_toy_model, toy_weights

from splice_core.design.output import COLUMN_NOTE
from splice_core.runs import design_job
from splice_core.seq.intron_text import EXAMPLE_INTRON, TRAINED_MAX

ROOT = Path(__file__).resolve().parents[2]
LENGTH = 200


@pytest.fixture()
def app(tmp_path, monkeypatch) -> AppTest:
    """The whole app on the Design page, toy model active, no data directory."""
    monkeypatch.syspath_prepend(str(ROOT))
    monkeypatch.setenv("SPLICE_MODELS_DIR", str(tmp_path / "models"))
    monkeypatch.setenv("SPLICE_DATA_DIR", str(tmp_path / "no_data"))
    install_toy_model(tmp_path, LENGTH)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90)
    at.switch_page("app_pages/design.py").run()
    assert not at.exception and at.title[0].value == "Design"
    return at


def press_design(at: AppTest) -> None:
    """Submit the form."""
    next(b for b in at.button if b.label == "Design").click().run()
    assert not at.exception


def wait_until_ended(at: AppTest, timeout: float = 60) -> None:
    """Re-run the page (as its polling fragment would) until the job has ended, then once more."""
    job = at.session_state["design_job"]
    assert job.wait(timeout)
    at.run()
    at.run()
    assert not at.exception


def toy_mean(sequence: str) -> float:
    """The toy model's searched member (the first; the second is held out)."""
    return float(expected_members([sequence], toy_weights(LENGTH))[0, 0])


def toy_ensemble(sequence: str) -> float:
    """The toy ensemble's prediction: the mean of both members, as the Predict page shows it."""
    return float(expected_members([sequence], toy_weights(LENGTH))[0].mean())


def test_edit_mode_finds_designs_plots_them_and_hands_one_to_predict(app):
    app.radio(key="design_goal").set_value("As high as possible")
    app.number_input(key="design_edits").set_value(2)
    press_design(app)
    wait_until_ended(app)
    job = app.session_state["design_job"]
    assert app.success[0].value.startswith("Done: 3 design(s)")
    assert [len(d.edits) for d in job.designs] == [0, 1, 2]
    assert [d.search_mean for d in job.designs] == pytest.approx(
        [toy_mean(d.sequence) for d in job.designs], abs=1e-6
    )
    assert job.designs[2].search_mean > job.designs[1].search_mean > job.designs[0].search_mean
    sites = set(range(6)) | set(range(len(EXAMPLE_INTRON) - 3, len(EXAMPLE_INTRON)))
    assert all(d.sequence[i] == EXAMPLE_INTRON[i] for d in job.designs for i in sites)
    table = app.dataframe[0].value
    assert table["predicted"].tolist() == pytest.approx(
        [toy_ensemble(s) for s in table["sequence"]], abs=1e-4
    )
    assert table["search_mean"].tolist() == pytest.approx([toy_mean(s) for s in table["sequence"]], abs=1e-4)
    assert any(c.value == COLUMN_NOTE for c in app.caption)
    assert (
        table["design"].tolist() == ["edits-0", "edits-1", "edits-2"]
        and (table["oligo"].str.contains("data directory")).all()
    )
    assert len(app.get("plotly_chart")) == 1
    assert "held-out member agrees" in " ".join(c.value for c in app.caption)
    assert app.get("download_button")[2].proto.disabled  # oligos need the data directory
    app.selectbox(key="design_pick").set_value("edits-1")
    app.button(key="design_handover").click().run()
    assert not app.exception
    assert app.title[0].value == "Predict & explain"
    assert app.text_area(key="intron_text").value == job.designs[1].sequence
    assert app.text_area(key="wildtype_text").value == EXAMPLE_INTRON


@pytest.fixture()
def gated(monkeypatch):
    """Design steps that wait for the test's go-ahead before each batch after the first."""
    go = threading.Semaphore(0)
    real = design_job.design_steps

    def steps(*args, **kwargs):
        for i, item in enumerate(real(*args, **kwargs)):
            if i:
                go.acquire(timeout=30)
            yield item

    monkeypatch.setattr(design_job, "design_steps", steps)
    return go


def test_progress_designs_as_they_arrive_and_cancel_keeps_them(app, gated):
    app.number_input(key="design_edits").set_value(5)
    press_design(app)
    job = app.session_state["design_job"]
    gated.release()
    deadline = time.monotonic() + 30
    while len(job.designs) < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    app.run()
    assert job.active and app.progress[0].value == 20
    assert "2 design(s) so far" in app.progress[0].proto.text
    assert "time left ≈" in " ".join(c.value for c in app.caption)
    assert app.dataframe[0].value["design"].tolist() == ["edits-0", "edits-1"]
    app.button(key="design_cancel").click().run()
    assert job.cancel_requested.is_set()
    gated.release()
    wait_until_ended(app)
    assert job.status == "cancelled" and len(job.designs) == 3
    assert app.info[0].value == "Cancelled: the 3 design(s) found before are kept."
    assert len(app.dataframe[0].value) == 3


def test_from_scratch_designs_meet_their_targets(app):
    app.radio(key="design_mode").set_value("From scratch").run()
    assert app.slider(key="design_lengths").value == (
        80,
        TRAINED_MAX,
    )  # within the library's lengths by default
    app.number_input(key="design_n").set_value(3)
    app.slider(key="design_targets").set_value((0.25, 0.35))
    app.slider(key="design_lengths").set_value((60, 90))
    app.text_input(key="design_forbid").set_value("GAATTC")
    press_design(app)
    wait_until_ended(app)
    job = app.session_state["design_job"]
    assert job.status == "done" and len(job.designs) == 3
    for d in job.designs:
        assert (
            abs(toy_mean(d.sequence) - d.goal.target) <= 0.05
            and "GAATTC" not in d.sequence
            and 60 <= len(d.sequence) <= 90
        )
    assert sorted(d.goal.target for d in job.designs) == pytest.approx(np.linspace(0.25, 0.35, 3))
    assert len(app.get("plotly_chart")) == 1 and len(app.dataframe[0].value) == 3


@pytest.mark.parametrize(
    "forbid, message",
    [("TATG", "the fixed sites themselves break the rules"), ("GAAXTC", "may only hold A, C, G, T")],
)
def test_impossible_constraints_get_a_clear_message(app, forbid, message):
    app.radio(key="design_mode").set_value("From scratch").run()
    app.text_input(key="design_forbid").set_value(forbid)
    press_design(app)
    assert message in app.error[0].value and app.error[0].value.startswith("Cannot design:")
    assert "design_job" not in app.session_state


def test_a_bad_intron_gets_a_clear_message(app):
    app.text_area(key="design_intron").set_value("GTAXXTTTAG")
    press_design(app)
    assert app.error[0].value.startswith("Cannot design: intron:") and "Only A, C, G, T" in app.error[0].value
