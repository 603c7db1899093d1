"""native: every annotated intron scored, the shippable aggregates (no rows), filtering."""

import json

import numpy as np
import pandas as pd
import pytest
from conftest import make_wildtype
from toy_model import linear_model, toy_card, toy_predictor, toy_weights

from splice_core.analysis.native import (
    LENGTH_BANDS,
    SUMMARY_FILE,
    band_label,
    filter_native,
    length_band,
    native_summary,
    read_native_summary,
    score_native,
    summary_matches,
    write_native_summary,
)
from splice_core.models.store import save_model_dir
from splice_core.predict.predictor import load_predictor


def wildtype() -> pd.DataFrame:
    """A made-up wild-type table with gene names (lengths 70 to 400 nt)."""
    return make_wildtype(12).assign(Gene=[f"GENE{i}" for i in range(12)])


def test_length_bands_name_the_read_whole_band_and_cover_every_length():
    assert band_label(*LENGTH_BANDS[0]) == "≤148 nt (read whole)" and band_label(149, 300) == "149–300 nt"
    assert length_band(np.array([52, 148, 149, 309, 1309, 2000])) == [
        "≤148 nt (read whole)",
        "≤148 nt (read whole)",
        "149–300 nt",
        "301–500 nt",
        "1,001–2,000 nt",
        "1,001–2,000 nt",
    ]


def test_every_intron_is_scored_as_the_predictor_scores_it():
    predictor = toy_predictor(40)
    table = score_native(predictor, wildtype())
    assert list(table["gene"]) == [f"GENE{i}" for i in range(12)]
    assert {
        "length",
        "ss5",
        "branch_site",
        "ss3",
        "band",
        "predicted_eff",
        "predicted_sd",
        "sequence",
    } <= set(table.columns)
    members = predictor.intron_members(wildtype()["sequence"].tolist())
    np.testing.assert_allclose(table["predicted_eff"], members.mean(1), atol=1e-7)
    np.testing.assert_allclose(table["predicted_sd"], members.std(1), atol=1e-7)
    assert table["predicted_eff"].notna().all() and (table["length"] == wildtype()["Length (bp)"]).all()


def test_a_table_without_gene_names_numbers_its_introns():
    table = score_native(toy_predictor(40), make_wildtype(3))
    assert list(table["gene"]) == ["intron 1", "intron 2", "intron 3"]


def test_summary_holds_aggregates_only(tmp_path):
    predictor = toy_predictor(40)
    table = score_native(predictor, wildtype())
    summary = native_summary(table, predictor)
    assert summary["n_introns"] == summary["n_scored"] == 12
    assert summary["n_read_through_views"] == int((table["length"] > 148).sum())
    assert sum(summary["histogram"]["counts"]) == 12 and len(summary["histogram"]["edges"]) == 21
    assert sum(band["n"] for band in summary["bands"]) == 12
    pred = table["predicted_eff"].to_numpy()
    assert summary["stats"]["median"] == round(float(np.median(pred)), 4) and summary["stats"][
        "max"
    ] == round(float(pred.max()), 4)
    text = json.dumps(summary)
    assert "GENE" not in text and not any(seq[:20] in text for seq in table["sequence"])
    path = write_native_summary(summary, tmp_path)
    assert path == tmp_path / SUMMARY_FILE and read_native_summary(tmp_path) == summary
    assert read_native_summary(tmp_path / "none") is None


def test_summary_names_the_model_file_it_came_from(tmp_path):
    one = load_predictor(save_model_dir(tmp_path / "one", linear_model(toy_weights(40)), toy_card()))
    other = load_predictor(
        save_model_dir(tmp_path / "other", linear_model(toy_weights(40, seed=1)), toy_card())
    )
    summary = native_summary(score_native(one, wildtype()), one)
    assert summary_matches(summary, one) and not summary_matches(summary, other)
    assert not summary_matches(summary, toy_predictor(40))


def test_filter_by_gene_length_and_prediction():
    table = pd.DataFrame(
        {"gene": ["ACT1", "RPL28", "act1b"], "length": [309, 511, 100], "predicted_eff": [0.8, 0.5, 0.1]}
    )
    assert list(filter_native(table, "act1")["gene"]) == ["ACT1", "act1b"]
    assert list(filter_native(table, length=(300, 600))["gene"]) == ["ACT1", "RPL28"]
    assert list(filter_native(table, " ", predicted=(0.5, 0.8))["gene"]) == ["ACT1", "RPL28"]


@pytest.mark.slow
def test_the_shipped_summary_is_of_the_shipped_model_and_holds_no_rows():
    from splice_core.models.store import PRETRAINED_DIR

    summary = read_native_summary(PRETRAINED_DIR)
    assert summary is not None and summary_matches(summary, load_predictor(PRETRAINED_DIR)), (
        "pretrained/native_summary.json is not of pretrained/model.keras: run `python -m splice_core native`"
    )
    assert summary["n_scored"] == summary["n_introns"] and set(summary) == {
        "model",
        "model_sha256",
        "n_introns",
        "n_scored",
        "n_read_through_views",
        "length_range",
        "stats",
        "histogram",
        "bands",
    }
    assert all(
        set(band) == {"band", "low", "high", "n", "mean", "median", "mean_spread"}
        for band in summary["bands"]
    )
