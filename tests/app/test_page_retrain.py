"""Retrain page (AppTest): no training without data; a real short run from the page; cancel from the page."""

import dataclasses
import json
import time

import pytest
from conftest import ROOT, run_page
from streamlit.testing.v1 import AppTest

from splice_core.models.store import (
    PRETRAINED_DIR,
    active_choices,
    active_model_path,
    list_versions,
    read_card,
    set_active_model,
)
from splice_core.models.training import is_collapsed
from splice_core.predict.predictor import load_predictor
from splice_core.runs import job_registry, job_state, journal

pytestmark = pytest.mark.slow  # see pytest.ini: the quick tier leaves these out

PAGE = str(ROOT / "app_pages" / "retrain.py")


def start_from_page(at: AppTest, epochs: int) -> job_state.TrainingJob:
    """Fill in a tiny recipe, press "Start training" and return the job it started."""
    at.selectbox(key="recipe_architecture").set_value("cnn_res1")
    at.selectbox(key="recipe_context").set_value("intron")
    at.number_input(key="recipe_epochs").set_value(epochs)
    at.number_input(key="recipe_seeds").set_value(1)
    at.number_input(key="recipe_max_rows").set_value(150)
    at.selectbox(key="recipe_loss").set_value("bce")
    at.button[0].click().run()
    assert not at.exception
    (job,) = job_registry.REGISTRY.jobs()
    assert f"Started training job `{job.id}`" in at.success[0].value
    return job


def poll_until_ended(at: AppTest, job: job_state.TrainingJob, timeout: float = 180) -> None:
    """Re-run the page (as the polling fragment would) until the job ends."""
    deadline = time.monotonic() + timeout
    while job.active and time.monotonic() < deadline:
        at.run()
        assert not at.exception
        time.sleep(0.5)
    assert not job.active
    at.run()


@pytest.fixture()
def registry(monkeypatch):
    """A fresh process-wide job registry for the test."""
    fresh = job_registry.JobRegistry()
    monkeypatch.setattr(job_registry, "REGISTRY", fresh)
    return fresh


@pytest.fixture()
def with_data(tiny_data_dir, tmp_path, monkeypatch, registry):
    monkeypatch.setenv("SPLICE_DATA_DIR", str(tiny_data_dir))
    monkeypatch.setenv("SPLICE_MODELS_DIR", str(tmp_path / "models"))
    return tmp_path / "models"


def test_without_data_the_page_says_how_to_get_it_and_offers_no_training(tmp_path, monkeypatch, registry):
    monkeypatch.setenv("SPLICE_DATA_DIR", str(tmp_path / "none"))
    at = run_page(PAGE)
    assert "python -m splice_core fetch" in at.warning[0].value and "SPLICE_DATA_DIR" in at.warning[0].value
    assert not at.button and not at.number_input
    assert "No training job" in at.caption[0].value


def test_defaults_are_the_shipped_recipe(with_data):
    at = run_page(PAGE)
    config = read_card(PRETRAINED_DIR)["config"]
    assert at.selectbox(key="recipe_architecture").value == config["architecture"]
    assert at.selectbox(key="recipe_context").value == config["context"]
    assert at.number_input(key="recipe_epochs").value == config["epochs"]
    assert at.number_input(key="recipe_seeds").value == config["n_seeds"]
    assert at.number_input(key="recipe_learning_rate").value == pytest.approx(config["learning_rate"])
    assert at.number_input(key="recipe_batch_size").value == config["batch_size"]
    assert at.checkbox(key="recipe_rebalance").value == config["rebalance"]
    assert at.checkbox(key="recipe_ensemble").value == config["ensemble"]
    assert at.selectbox(key="recipe_loss").value == config["loss"]
    assert at.checkbox(key="recipe_mixed_weighting").value == config["mixed_weighting"]
    assert at.checkbox(key="recipe_construct_mean_labels").value == config["construct_mean_labels"]
    assert at.number_input(key="recipe_cryptic_weight").value == pytest.approx(
        config.get("cryptic_weight", 0.0)
    )


def test_a_short_run_from_the_page_is_saved_and_named_collapsed_never_active(with_data):
    """Two epochs on 150 rows collapse (4 dev rows, next to constant predictions): saved, said, not offered as active."""
    before = {p.name: p.stat().st_mtime for p in PRETRAINED_DIR.iterdir()}
    at = run_page(PAGE)
    job = start_from_page(at, epochs=2)
    assert job.config.max_rows == 150 and job.config.epochs == 2 and job.config.architecture == "cnn_res1"
    assert job.config.loss == "bce"
    poll_until_ended(at, job)
    assert job.status == job_state.DONE, job.error
    assert job.saved_path.parent == with_data and list_versions()[1:] == [job.saved_path]
    assert not at.success and job.saved_path.name in at.warning[0].value
    assert "collapsed: its predictions on dev are next to a constant" in at.warning[0].value
    collapse = read_card(job.saved_path)["collapsed"]
    assert is_collapsed(
        collapse["dev_pearson"], collapse["dev_sd"]
    )  # the card says why: r or SD next to a constant
    assert at.progress[0].value == 100
    assert f"device: {job.device}" in " ".join(c.value for c in at.caption)
    curves = at.get("plotly_chart")
    assert len(curves) == 1
    assert job.config.cryptic_weight == 0.5  # the shipped recipe's default
    axis = json.loads(curves[0].proto.spec)["layout"]["yaxis"]["title"]["text"]
    assert axis == "loss (binary cross-entropy + 0.5 × the cryptic head's)"
    predictor = load_predictor(job.saved_path)
    assert predictor.predict_introns(["GTATGTTACTAACTAG", "CTATGTTTCTTTCTCC"]).shape == (2,)
    assert f"activate-{job.id}" not in [b.key for b in at.button]
    assert active_model_path() == PRETRAINED_DIR and job.saved_path not in active_choices()
    with pytest.raises(ValueError, match="collapsed"):
        set_active_model(job.saved_path)
    assert {p.name: p.stat().st_mtime for p in PRETRAINED_DIR.iterdir()} == before


def test_cancel_from_the_page_keeps_nothing(with_data, monkeypatch):
    no_early_stop = dataclasses.replace(job_state.recipe_from_card(read_card(PRETRAINED_DIR)), patience=1000)
    monkeypatch.setattr(job_state, "recipe_from_card", lambda card: no_early_stop)
    at = run_page(PAGE)
    job = start_from_page(at, epochs=500)
    deadline = time.monotonic() + 120
    while not job.records and time.monotonic() < deadline:
        time.sleep(0.1)
    at.run()
    at.button(key=f"cancel-{job.id}").click().run()
    assert job.cancel_requested.is_set()
    poll_until_ended(at, job, timeout=60)
    assert job.status == job_state.CANCELLED and job.config.patience == 1000
    assert len(job.records) < 500
    assert at.info[0].value == "Cancelled: nothing was saved."
    assert [
        p for p in with_data.glob("*") if p.name != journal.JOURNAL_DIR
    ] == []  # no version saved; only the jobs' journal


def test_two_sessions_see_every_job_and_a_closed_session_still_saves(with_data):
    first = run_page(PAGE)
    first_job = start_from_page(first, epochs=1)
    del first  # the browser session that started the job goes away mid-run
    second = run_page(PAGE)
    assert any(first_job.id in m.value for m in second.markdown)
    second.selectbox(key="recipe_architecture").set_value("cnn_res1")
    second.selectbox(key="recipe_context").set_value("intron")
    second.number_input(key="recipe_epochs").set_value(1)
    second.number_input(key="recipe_seeds").set_value(1)
    second.number_input(key="recipe_max_rows").set_value(150)
    second.button[0].click().run()
    second_job = next(j for j in job_registry.REGISTRY.jobs() if j is not first_job)
    poll_until_ended(second, first_job)
    poll_until_ended(second, second_job)
    assert [first_job.status, second_job.status] == [job_state.DONE, job_state.DONE], [
        first_job.error,
        second_job.error,
    ]
    assert sorted(list_versions()[1:]) == sorted([first_job.saved_path, second_job.saved_path])
    for job in (first_job, second_job):
        assert load_predictor(job.saved_path).predict_introns(["GTATGTTACTAACTAG"]).shape == (1,)
    outcomes = [*second.success, *second.warning]  # a tiny run may collapse: saved and said either way
    assert sum(job.saved_path.name in s.value for s in outcomes for job in (first_job, second_job)) == 2


def test_make_it_the_active_model_holds_in_the_whole_app(tmp_path, monkeypatch, registry):
    """In the app frame the sidebar's remembered choice must not put the old model back after the click."""
    from toy_model import install_toy_model, linear_model, toy_card, toy_weights

    from splice_core.models.store import save_model_dir
    from splice_core.models.training import TrainConfig

    monkeypatch.setenv("SPLICE_MODELS_DIR", str(tmp_path / "models"))
    monkeypatch.setenv("SPLICE_DATA_DIR", str(tmp_path / "no_data"))
    old = install_toy_model(tmp_path)
    new = save_model_dir(
        tmp_path / "models" / "20260101-000000-new", linear_model(toy_weights(200, seed=1)), toy_card()
    )
    job = job_state.TrainingJob(
        TrainConfig(), tmp_path / "no_data", tmp_path / "models", status=job_state.DONE, saved_path=new
    )
    registry._jobs[job.id] = job
    app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90).run()
    app.switch_page("app_pages/retrain.py").run()
    assert not app.exception and app.selectbox(key="active_model_choice").value == old.name
    app.button(key=f"activate-{job.id}").click().run()
    assert not app.exception
    app.run()  # any later run (the polling fragment, another click) keeps it
    assert active_model_path() == new
    assert app.selectbox(key="active_model_choice").value == new.name
    assert "This is the active model." in [c.value for c in app.caption]
