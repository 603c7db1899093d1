"""Retrain page with a Ray cluster configured (the test run's local Ray): send a sweep, follow its trials, the best saved."""

import time

import pytest
from conftest import run_page
from test_page_retrain import PAGE, registry, with_data

from splice_core.cluster import sweep_jobs
from splice_core.models.store import list_versions, read_card

pytestmark = pytest.mark.slow  # see pytest.ini: the quick tier leaves these out

TINY = """
name: page
base: {architecture: cnn_res1, context: intron, epochs: 1, n_seeds: 1, batch_size: 32, loss: bce}
grid: {learning_rate: [0.003]}
"""


@pytest.fixture()
def sweeps(monkeypatch):
    """A fresh registry of sweeps for the test."""
    fresh = sweep_jobs.SweepRegistry()
    monkeypatch.setattr(sweep_jobs, "SWEEPS", fresh)
    return fresh


def test_without_a_cluster_there_is_no_cluster_option(with_data, sweeps, monkeypatch):
    monkeypatch.delenv("RAY_ADDRESS", raising=False)
    at = run_page(PAGE)
    assert any("Set RAY_ADDRESS" in c.value for c in at.caption)
    assert not any(t.key == "sweep_spec" for t in at.text_area)


def test_a_sweep_sent_to_the_cluster_shows_its_trials_and_saves_the_best(
    with_data, sweeps, local_ray, monkeypatch
):
    import ray

    address = ray.get_runtime_context().gcs_address
    monkeypatch.setenv("RAY_ADDRESS", address)
    at = run_page(PAGE)
    spec_box = at.text_area(key="sweep_spec")
    assert (
        "name: run" in spec_box.value and "grid: {}" in spec_box.value
    )  # a single run of the shipped recipe to start from
    spec_box.set_value("base: {epoch: 1}")
    at.button(key="sweep_start").click().run()
    assert "unknown recipe field 'epoch'" in at.error[0].value and not sweeps.jobs()
    at.text_area(key="sweep_spec").set_value(TINY)
    at.button(key="sweep_start").click().run()
    (job,) = sweeps.jobs()
    assert f"to {address} as job `{job.id}`" in at.success[0].value and job.spec.trials() == [
        {"learning_rate": 0.003}
    ]
    deadline = time.monotonic() + 600
    while job.active and time.monotonic() < deadline:
        time.sleep(2)
        at.run()
        assert not at.exception
    assert job.status == "done", job.error
    at.run()
    table = at.dataframe[-1]
    assert table.value["status"].tolist() == ["done"] and table.value["dev_pearson"].notna().all()
    assert any(f"`{job.saved_path.name}`" in s.value for s in at.success)
    assert job.saved_path in list_versions(with_data) and read_card(job.saved_path)["sweep"]["name"] == "page"
