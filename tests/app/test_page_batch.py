"""The Batch scoring page (AppTest) with a hand-set linear model: uploads, bad rows, downloads."""

import io
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest
from toy_model import expected_members, linear_model, toy_card, toy_page, toy_weights

from splice_core.models.store import save_model_dir, set_active_model

ROOT = Path(__file__).resolve().parents[2]
PAGE = str(ROOT / "app_pages" / "batch.py")
LENGTH = 200
GOOD = ["GTATGTAAAATACTAACTTTTAG", "GTACGTCCCCCCTACTAACAAACAG"]


@pytest.fixture()
def page(tmp_path, monkeypatch) -> AppTest:
    """The page over the toy model, with no data directory."""
    return toy_page(Path(PAGE), tmp_path, monkeypatch, LENGTH)


def upload(at: AppTest, name: str, content: bytes) -> AppTest:
    """Upload one file and rerun."""
    at.file_uploader(key="batch_file").set_value((name, content, "application/octet-stream"))
    return at.run()


def metrics(at: AppTest) -> dict[str, str]:
    """Label -> value of every metric."""
    return {m.label: m.value for m in at.metric}


def test_without_a_file_the_page_asks_for_one(page):
    page.run()
    assert not page.exception and [i.value for i in page.info] == ["Upload a file to score it."]


def test_fasta_upload_scores_good_rows_and_lists_bad_ones(page):
    fasta = f">a\n{GOOD[0]}\n>b\nGTAXG\n>c\n{GOOD[1].lower()}\n".encode()
    upload(page.run(), "introns.fa", fasta)
    assert not page.exception and not page.error
    assert metrics(page) == {"Rows": "3", "Scored": "2", "Not scored": "1"}
    assert [w.value for w in page.warning] == [
        "1 of 3 rows could not be scored (listed below); the other rows were scored."
    ]
    bad = page.dataframe[0].value
    assert bad["row"].tolist() == [2] and bad["id"].tolist() == ["b"] and "'X' at 4" in bad["error"][0]
    scores = page.dataframe[1].value
    np.testing.assert_allclose(
        scores["predicted_eff"].to_numpy()[[0, 2]],
        expected_members(GOOD, toy_weights(LENGTH)).mean(1),
        atol=1e-7,
    )
    assert np.isnan(scores["predicted_eff"][1])
    assert [b.label for b in page.get("download_button")] == ["Download predictions (CSV)"]


def test_measured_values_outside_0_to_1_are_said(page):
    table = pd.DataFrame({"intron_seq": [GOOD[0], GOOD[1], GOOD[0]], "splicing_eff": [10.0, 50.0, 0.5]})
    upload(page.run(), "percent.csv", table.to_csv(index=False).encode())
    assert "Against `splicing_eff` (3 rows)" in page.caption[0].value
    assert [w.value for w in page.warning] == [
        "2 of the 3 measured `splicing_eff` values lie outside 0..1, though an efficiency is a share "
        "(values in percent?); they are used as given in these figures."
    ]


def test_csv_with_measured_values_is_compared(page):
    table = pd.DataFrame(
        {
            "name": ["a", "b", "c"],
            "intron_seq": [GOOD[0], GOOD[1], GOOD[0][:-1] + "C"],
            "splicing_eff": [0.1, 0.5, 0.3],
        }
    )
    upload(page.run(), "lib.csv", table.to_csv(index=False).encode())
    assert metrics(page) == {"Rows": "3", "Scored": "3", "Not scored": "0"}
    assert not page.warning and "Against `splicing_eff` (3 rows): Pearson" in page.caption[0].value
    assert page.dataframe[0].value.columns.tolist() == [
        "name",
        "intron_seq",
        "splicing_eff",
        "predicted_eff",
        "predicted_sd",
        "interval_low",
        "interval_high",
        "library_distance",
        "guessing",
        "error",
        "warning",
    ]


def test_a_semicolon_csv_with_a_capitalised_header_is_scored(page):
    upload(page.run(), "lib.csv", f"Name;Sequence\na;{GOOD[0]}\nb;{GOOD[1]}\n".encode())
    assert not page.error and metrics(page) == {"Rows": "2", "Scored": "2", "Not scored": "0"}
    np.testing.assert_allclose(
        page.dataframe[0].value["predicted_eff"],
        expected_members(GOOD, toy_weights(LENGTH)).mean(1),
        atol=1e-7,
    )


def test_xlsx_upload(page):
    buffer = io.BytesIO()
    pd.DataFrame({"sequence": GOOD}).to_excel(buffer, index=False)
    upload(page.run(), "x.xlsx", buffer.getvalue())
    assert metrics(page)["Scored"] == "2"


@pytest.mark.parametrize(
    "name, content, message",
    [
        (
            "x.csv",
            b"foo,bar\n1,2\n",
            "x.csv: needs an intron column (intron_seq or intron or sequence, in any case) or FASTA records; "
            "found the columns 'foo', 'bar'",
        ),
        ("x.fa", b"GTAAG\n", "x.fa: sequence before the first '>' header"),
        ("x.xlsx", b"not a workbook", "x.xlsx: not an xlsx workbook"),
        ("x.csv", bytes(range(256)) * 4, "x.csv: not a text table or FASTA (it holds binary data)"),
        ("x.csv", b"intron_seq\n", "x.csv: no rows to score"),
    ],
    ids=["no intron column", "no header", "not a workbook", "binary", "header only"],
)
def test_an_unreadable_file_is_one_clear_error_before_the_model_loads(
    page, name, content, message, monkeypatch
):
    import app_state

    def no_model():
        raise AssertionError("the model was loaded for a file that cannot be scored")

    monkeypatch.setattr(app_state, "active_predictor", no_model)
    upload(page.run(), name, content)
    assert not page.exception and len(page.error) == 1 and page.error[0].value.startswith(message)


def test_a_workbook_that_would_unpack_too_far_is_refused(page, monkeypatch):
    from test_zip_bounds import with_part

    from splice_core.files import zip_bounds

    monkeypatch.setattr(zip_bounds, "MAX_WHOLE_BYTES", 1 << 20)
    buffer = io.BytesIO()
    pd.DataFrame({"sequence": GOOD}).to_excel(buffer, index=False)
    upload(page.run(), "x.xlsx", with_part(buffer.getvalue(), "xl/sharedStrings.xml", 2 << 20))
    assert not page.exception and len(page.error) == 1
    assert page.error[0].value.startswith("x.xlsx: refused: its part xl/sharedStrings.xml unpacks to 2 MB")


def test_ten_thousand_introns_preview_and_full_download(page, tmp_path, monkeypatch):
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "scratch"))
    (tmp_path / "scratch").mkdir()
    rng = np.random.default_rng(0)
    introns = [
        "GTATGT"
        + "".join(rng.choice(list("ACGT"), 60))
        + "TACTAACA"
        + "".join(rng.choice(list("ACGT"), 20))
        + "TAG"
        for _ in range(10_000)
    ]
    fasta = "".join(f">r{i}\n{s}\n" for i, s in enumerate(introns)).encode()
    upload(page.run(), "many.fasta", fasta)
    assert not page.exception and metrics(page) == {"Rows": "10,000", "Scored": "10,000", "Not scored": "0"}
    expected = expected_members(introns, toy_weights(LENGTH)).mean(1)
    np.testing.assert_allclose(page.dataframe[0].value["predicted_eff"], expected[:1000], atol=1e-6)
    assert "The first 1,000 of 10,000 rows; the download holds them all." in [c.value for c in page.caption]
    (written,) = (tmp_path / "scratch" / "splice_batch").glob("*.csv")
    full = pd.read_csv(written)
    assert full["id"].tolist() == [f"r{i}" for i in range(10_000)]
    np.testing.assert_allclose(full["predicted_eff"], expected, atol=1e-6)


def test_the_histogram_keeps_the_whole_efficiency_range(page):
    fasta = "".join(f">r{i}\n{intron}\n" for i, intron in enumerate([*GOOD, GOOD[0][:-3] + "CAG"])).encode()
    upload(page.run(), "introns.fa", fasta)
    predicted = page.dataframe[0].value["predicted_eff"]
    assert predicted.max() - predicted.min() < 0.5  # the data alone would zoom the axis in
    histogram = next(json.loads(c.proto.spec) for c in page.get("plotly_chart") if c.key == "histogram")
    assert histogram["layout"]["xaxis"]["range"] == [0, 1]
    assert histogram["data"][0]["type"] == "bar"


def test_an_ensembles_spread_is_shown_and_a_single_models_is_not(page, tmp_path):
    upload(page.run(), "introns.fa", f">a\n{GOOD[0]}\n>b\n{GOOD[1]}\n".encode())
    assert "spread (SD) of the 2 ensemble members" in page.caption[-1].value
    assert "hidden" not in json.loads(page.dataframe[0].proto.columns).get("predicted_sd", {})
    single = save_model_dir(
        tmp_path / "models" / "single",
        linear_model(toy_weights(LENGTH, members=1), bias=np.array([0.25])),
        toy_card(),
    )
    set_active_model(single, tmp_path / "models")
    page.run()
    assert "no ensemble spread" in page.caption[-1].value
    columns = json.loads(page.dataframe[0].proto.columns)
    assert columns["predicted_sd"]["hidden"] is True and "hidden" not in columns["predicted_eff"]
