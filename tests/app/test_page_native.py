"""The Native introns page (AppTest through app.py): full table with data, shipped aggregates without, hand-over to Predict."""

from pathlib import Path

import numpy as np
from conftest import make_wildtype
from streamlit.testing.v1 import AppTest
from toy_model import install_toy_model

from splice_core.analysis.native import (
    native_summary,
    read_native_summary,
    score_native,
    write_native_summary,
)
from splice_core.models.store import PRETRAINED_DIR
from splice_core.predict.predictor import load_predictor

ROOT = Path(__file__).resolve().parents[2]
GENES = [f"GENE{i}" for i in range(12)]


def native_app(tmp_path: Path, monkeypatch, with_data: bool, own_summary: int = 0) -> AppTest:
    """The app on the Native page over the toy model; a made-up wild-type table when ``with_data``.

    ``own_summary`` > 0 ships the toy model with aggregates of that many made-up introns.
    """
    monkeypatch.syspath_prepend(str(ROOT))
    monkeypatch.setenv("SPLICE_MODELS_DIR", str(tmp_path / "models"))
    data = tmp_path / "data"
    data.mkdir()
    if with_data:
        make_wildtype(12).assign(Gene=GENES).to_csv(data / "wildtype_introns.csv", index=False)
    monkeypatch.setenv("SPLICE_DATA_DIR", str(data))
    model = install_toy_model(tmp_path)
    if own_summary:
        predictor = load_predictor(model)
        write_native_summary(
            native_summary(score_native(predictor, make_wildtype(own_summary)), predictor), model
        )
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120).run()
    at.switch_page("app_pages/native.py").run()
    assert not at.exception, at.exception
    return at


def test_with_data_every_intron_is_in_the_table_with_its_prediction(tmp_path, monkeypatch):
    at = native_app(tmp_path, monkeypatch, with_data=True)
    assert at.title[0].value == "Native introns" and not at.error
    assert {m.label: m.value for m in at.metric}["Introns scored"] == "12 of 12"
    shown = at.dataframe[0].value
    want = score_native(load_predictor(tmp_path / "models" / "toy"), make_wildtype(12).assign(Gene=GENES))
    assert list(shown["gene"]) == GENES
    np.testing.assert_allclose(shown["prediction"], want["predicted_eff"], atol=1e-6)
    np.testing.assert_allclose(shown["± spread"], want["predicted_sd"], atol=1e-6)
    assert "sequence" not in shown.columns
    assert len([c for c in at.get("plotly_chart") if c.key in ("native_histogram", "native_scatter")]) == 2


def test_filters_narrow_the_table(tmp_path, monkeypatch):
    at = native_app(tmp_path, monkeypatch, with_data=True)
    at.text_input(key="native_gene").set_value("gene1").run()
    assert list(at.dataframe[0].value["gene"]) == ["GENE1", "GENE10", "GENE11"]
    at.text_input(key="native_gene").set_value("").run()
    lengths = make_wildtype(12)["Length (bp)"]
    at.slider(key="native_length").set_value((int(lengths.min()), 200)).run()
    assert list(at.dataframe[0].value["length (nt)"]) == [n for n in lengths if n <= 200]


def test_a_filter_that_matches_nothing_shows_an_empty_table_and_disables_opening(tmp_path, monkeypatch):
    at = native_app(tmp_path, monkeypatch, with_data=True)
    at.text_input(key="native_gene").set_value("no such gene").run()
    assert not at.exception and len(at.dataframe[0].value) == 0
    assert any(c.value.startswith("0 of 12 introns") for c in at.caption)
    assert at.button[0].disabled and at.selectbox(key="native_choice").disabled


def test_opening_an_intron_hands_it_to_the_predict_page(tmp_path, monkeypatch):
    at = native_app(tmp_path, monkeypatch, with_data=True)
    at.selectbox(key="native_choice").set_value(3).run()
    at.button[0].click().run()
    assert not at.exception and at.title[0].value == "Predict & explain"
    intron = make_wildtype(12)["sequence"][3]
    assert at.text_area(key="intron_text").value == intron and at.text_area(key="wildtype_text").value == ""
    assert at.metric[0].label == "Predicted splicing efficiency"


def test_without_data_the_shipped_aggregates_are_shown(tmp_path, monkeypatch):
    at = native_app(tmp_path, monkeypatch, with_data=False)
    shipped = read_native_summary(PRETRAINED_DIR)
    assert "No wildtype_introns.csv" in at.info[0].value and "no sequences" in at.info[0].value
    assert {m.label: m.value for m in at.metric}[
        "Introns scored"
    ] == f"{shipped['n_scored']} of {shipped['n_introns']}"
    assert "not the active model's file" in " ".join(c.value for c in at.caption)
    bands = at.dataframe[0].value
    assert list(bands["introns"]) == [band["n"] for band in shipped["bands"]]
    assert [c.key for c in at.get("plotly_chart")] == ["native_summary_histogram"]


def test_without_data_the_active_models_own_summary_is_preferred(tmp_path, monkeypatch):
    at = native_app(tmp_path, monkeypatch, with_data=False, own_summary=5)
    assert {m.label: m.value for m in at.metric}["Introns scored"] == "5 of 5"
    assert "not the active model's file" not in " ".join(c.value for c in at.caption)
