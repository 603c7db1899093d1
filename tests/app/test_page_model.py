"""Model page (AppTest): card figures without data, test-split scatter with data, Table 1, versions."""

import pandas as pd
import pytest
from conftest import ROOT, run_page
from streamlit.testing.v1 import AppTest
from test_page_dataset import figure

from splice_core.data.published import BASELINE_ROW, BEST_CNN_ROW, STUDY_REPORTED
from splice_core.models.store import PRETRAINED_DIR, read_card, save_model_dir, set_active_model
from splice_core.models.training import TrainConfig
from splice_core.reports import model_tables as model_report
from splice_core.runs.experiment import run_training

pytestmark = pytest.mark.slow  # see pytest.ini: the quick tier leaves these out

PAGE = str(ROOT / "app_pages" / "model.py")


def dataframe_with(at: AppTest, column: str) -> pd.DataFrame:
    """The first table on the page that has ``column``."""
    return next(d.value for d in at.dataframe if column in d.value.columns)


@pytest.fixture()
def models_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("SPLICE_MODELS_DIR", str(tmp_path / "models"))
    return tmp_path / "models"


@pytest.fixture()
def without_data(tmp_path, monkeypatch, models_dir):
    monkeypatch.setenv("SPLICE_DATA_DIR", str(tmp_path / "none"))


@pytest.fixture()
def trained_active(tiny_data_dir, monkeypatch, models_dir):
    """A tiny model trained on the tiny data directory, saved as a version and made active."""
    monkeypatch.setenv("SPLICE_DATA_DIR", str(tiny_data_dir))
    model, card = run_training(
        TrainConfig(architecture="cnn_res1", context="intron", epochs=1, n_seeds=1, max_rows=150),
        tiny_data_dir,
    )
    card.pop(
        "collapsed", None
    )  # one epoch on 150 rows collapses; the page is tested here as on a usable version
    path = save_model_dir(models_dir / "20250101-000000-tiny", model, card)
    set_active_model(path)
    return path


def test_without_data_the_card_figures_are_shown(without_data):
    at = run_page(PAGE)
    card = read_card(PRETRAINED_DIR)
    assert "shipped model (pretrained/)" in at.caption[0].value
    overall = dataframe_with(at, "part")
    assert overall.loc[2, "mse"] == pytest.approx(card["metrics"]["test"]["mse"])
    assert overall.loc[5, "mse"] == pytest.approx(card["before_peer_blend"]["metrics"]["test"]["mse"])
    assert overall.loc[8, "mse"] == pytest.approx(card["baseline_metrics"]["test"]["mse"])
    assert "blended with a fold-free LightGBM peer" in at.caption[1].value  # the shipped blend said in words
    noise = dataframe_with(at, "other barcodes' mean")
    assert noise.set_index("part").loc["test", "model"] == pytest.approx(
        card["replicates"]["test"]["pearson"]
    )
    floor = dataframe_with(at, "Pearson 95% interval").set_index(["part", "predictor"])
    assert floor.loc[("test", "perfect model (expected)"), "pearson"] == pytest.approx(
        card["noise_floor"]["test"]["pearson"]
    )
    changes = dataframe_with(at, "sign_agreement 95%").set_index(["part", "pairs", "predictor"])
    headline = card["variant_effects"]["benchmark"]["test"]["endogenous, mutated sites"]
    assert changes.loc[("test", "endogenous, mutated sites", "model"), "pearson"] == pytest.approx(
        headline["model"]["pearson"]
    )
    assert changes.loc[
        ("test", "endogenous, mutated sites", "perfect model (expected)"), "pearson"
    ] == pytest.approx(headline["perfect"]["pearson"])
    knockouts = dataframe_with(at, model_report.KNOCKOUT_HEADERS["library_measured"]).set_index(
        ["part", "site", "kind"]
    )
    assert knockouts.loc[
        ("test", "5' G", "substitution"), model_report.KNOCKOUT_HEADERS["predicted"]
    ] == pytest.approx(card["variant_effects"]["knockouts"]["test"][0]["predicted"])
    targets = dataframe_with(at, "goal").set_index("target")
    assert targets.loc["library: test Pearson", "figure"] == round(
        card["metrics"]["test"]["pearson"], model_report.TARGET_DECIMALS
    )
    assert targets.loc["library: test Pearson", "met"] == "yes"
    bars = figure(at, 0)["data"]
    assert [t["name"] for t in bars] == ["model", "PWM baseline", "perfect model (expected)"]
    first_type, first = next(iter(card["per_library_test"].items()))
    assert bars[0]["x"][0] == f"{first_type} (n={int(first['n'])})" and bars[0]["y"][0] == pytest.approx(
        first["mse"]
    )
    assert "No library" in at.info[0].value
    heatmap = figure(at, 1)
    shown = [[int(t) if t else 0 for t in row] for row in heatmap["data"][0]["text"]]
    assert heatmap["data"][0]["type"] == "heatmap" and shown == card["test_scatter_counts"]
    assert heatmap["layout"]["yaxis"].get("autorange") != "reversed"
    curves = figure(at, 2)
    assert sum(len(t["x"]) for t in curves["data"]) == 2 * sum(len(s["history"]) for s in card["seeds"])
    assert (
        curves["layout"]["yaxis"]["title"]["text"] == "loss (binary cross-entropy + 0.5 × the cryptic head's)"
    )


def test_study_table1_alone_then_beside_a_reproduce_table(without_data, tmp_path, monkeypatch):
    monkeypatch.setattr(model_report, "REPRODUCE_FILES", (tmp_path / "none" / "reproduce.csv",))
    at = run_page(PAGE)
    study = dataframe_with(at, "study_parameters").set_index("model")
    assert (
        study.loc["cnn_res1_conv", "study_dev_mse"] == STUDY_REPORTED[BEST_CNN_ROW]["dev_mse"]
        and study.loc["PWM baseline", "study_test_mse"] == STUDY_REPORTED[BASELINE_ROW]["test_mse"]
    )
    assert any("python -m splice_core reproduce" in c.value for c in at.caption)
    path = tmp_path / "reproduce.csv"
    pd.DataFrame(
        {
            "model": ["PWM baseline", "cnn_res1_conv"],
            "context": ["sites", "windows"],
            "parameters": [0, 16536],
            "test_mse": [0.09, 0.07],
        }
    ).to_csv(path, index=False)
    monkeypatch.setattr(model_report, "REPRODUCE_FILES", (path,))
    at = run_page(PAGE)
    beside = dataframe_with(at, "test_mse").set_index("model")
    reported = STUDY_REPORTED[BEST_CNN_ROW]
    assert beside.loc["cnn_res1_conv", ["test_mse", "study_test_mse", "study_dev_pearson"]].tolist() == [
        0.07,
        reported["test_mse"],
        reported["dev_pearson"],
    ]
    assert any(str(path) in c.value for c in at.caption)


def test_with_data_and_the_shipped_model_the_card_counts_are_kept(tiny_data_dir, monkeypatch, models_dir):
    monkeypatch.setenv("SPLICE_DATA_DIR", str(tiny_data_dir))
    at = run_page(PAGE)
    assert "None of this model's test constructs" in at.info[0].value
    assert figure(at, 1)["data"][0]["type"] == "heatmap"


def test_with_data_the_active_version_is_scored_on_its_test_split(trained_active):
    at = run_page(PAGE)
    card = read_card(trained_active)
    assert trained_active.name in at.caption[0].value
    assert f"{card['metrics']['test']['n']:,} test constructs" in " ".join(c.value for c in at.caption)
    scatter = figure(at, 1)["data"]
    assert scatter[0]["type"] == "scatter"
    assert sum(len(t["x"]) for t in scatter) == card["metrics"]["test"]["n"]
    assert not at.info


def test_versions_are_compared_side_by_side(trained_active, tmp_path, monkeypatch):
    monkeypatch.setattr(model_report, "REPRODUCE_FILES", (tmp_path / "none" / "reproduce.csv",))
    at = run_page(PAGE)
    assert at.multiselect(key="model_versions").value == ["shipped model (pretrained/)", trained_active.name]
    table = dataframe_with(at, "test_mse")
    assert table.index.tolist() == ["pretrained (shipped)", trained_active.name]
    assert table.loc[trained_active.name, "test_mse"] == pytest.approx(
        read_card(trained_active)["metrics"]["test"]["mse"]
    )
    at.multiselect(key="model_versions").set_value([trained_active.name]).run()
    assert dataframe_with(at, "test_mse").index.tolist() == [trained_active.name]


def test_a_collapsed_version_is_named_on_the_model_page(without_data, models_dir):
    from toy_model import linear_model, toy_card, toy_weights

    card = {**toy_card(), "collapsed": {"dev_pearson": float("nan"), "dev_sd": 0.0}}
    save_model_dir(models_dir / "20250101-000000-flat", linear_model(toy_weights(40)), card)
    at = run_page(PAGE)
    assert not at.exception
    assert "20250101-000000-flat (collapsed)" in at.multiselect(key="model_versions").options
    assert any(
        w.value.startswith("`20250101-000000-flat` collapsed: its predictions on dev") for w in at.warning
    )
