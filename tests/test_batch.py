"""Batch scoring: reading FASTA/CSV/xlsx uploads and scoring them with bad rows kept and explained."""
import io

import numpy as np
import pandas as pd
import pytest

import splice_core.batch as batch_module
from splice_core.batch import bad_rows, read_batch_input, score_frame, scored_metrics
from splice_core.intron_view import intron_view_set, view_layout
from splice_core.library import DataFileError
from toy_model import expected_members, toy_predictor, toy_weights

GOOD = ["GTATGTAAAATACTAACTTTTAG", "GTACGTCCCCCCTACTAACAAACAG"]


def test_fasta_bytes_become_id_and_intron_columns():
    frame = read_batch_input(f">one\n{GOOD[0][:10]}\n{GOOD[0][10:]}\n>two\n{GOOD[1]}\n".encode(), "x.fa")
    assert frame.to_dict("list") == {"id": ["one", "two"], "intron_seq": GOOD}


def test_csv_and_xlsx_keep_their_columns(tmp_path):
    table = pd.DataFrame({"name": ["a", "b"], "intron": GOOD, "splicing_eff": [0.1, 0.2]})
    csv = tmp_path / "x.csv"
    table.to_csv(csv, index=False)
    pd.testing.assert_frame_equal(read_batch_input(csv), table)
    buffer = io.BytesIO()
    table.to_excel(buffer, index=False, sheet_name="Data")
    pd.testing.assert_frame_equal(read_batch_input(buffer.getvalue(), "x.xlsx"), table)


@pytest.mark.parametrize(
    "raw, name, message",
    [
        (b"foo,bar\n1,2\n", "x.csv", "x.csv: needs an intron column"),
        (b"intron_seq\n", "x.csv", "x.csv: no rows"),
        (b"GTAAG\n>a\nGTAAG\n", "x.fa", "sequence before the first '>' header"),
        (b"\x00\x01not a workbook", "x.xlsx", "x.xlsx: cannot read the file"),
    ],
)
def test_unreadable_files_raise_one_clear_error(raw, name, message):
    with pytest.raises(DataFileError, match=message):
        read_batch_input(raw, name)


def test_too_many_rows_is_an_error(monkeypatch):
    monkeypatch.setattr(batch_module, "MAX_ROWS", 2)
    with pytest.raises(DataFileError, match="3 rows; at most 2"):
        read_batch_input(b"intron\nA\nC\nG\n", "x.csv")


def test_bad_rows_are_reported_and_the_rest_scored_in_order():
    predictor = toy_predictor(40)
    frame = pd.DataFrame({"id": list("abcd"), "intron_seq": [GOOD[0], "GTAXG", None, GOOD[1].lower().replace("t", "u")]})
    scored = score_frame(predictor, frame)
    members = expected_members(GOOD, toy_weights(40))
    assert scored["id"].tolist() == list("abcd")
    np.testing.assert_allclose(scored["predicted_eff"].to_numpy()[[0, 3]], members.mean(1), atol=1e-7)
    np.testing.assert_allclose(scored["predicted_sd"].to_numpy()[[0, 3]], members.std(1), atol=1e-7)
    assert scored["predicted_eff"].isna().tolist() == [False, True, True, False]
    assert scored["error"].tolist()[0] == "" and "'X' at 4" in scored["error"][1] and "empty" in scored["error"][2]
    report = bad_rows(scored)
    assert report["row"].tolist() == [2, 3] and report["id"].tolist() == ["b", "c"]
    assert report.columns.tolist() == ["row", "id", "error"]


def test_warnings_are_kept_for_scored_rows():
    scored = score_frame(toy_predictor(40), pd.DataFrame({"intron": ["CC" + GOOD[0][2:]]}))
    assert scored["predicted_eff"].notna().all() and "No GT/GC" in scored["warning"][0]


def test_ten_thousand_introns_are_scored():
    rng = np.random.default_rng(0)
    introns = ["GTATGT" + "".join(rng.choice(list("ACGT"), 20)) + "TACTAAC" + "TAG" for _ in range(10_000)]
    scored = score_frame(toy_predictor(40), pd.DataFrame({"intron_seq": introns}))
    np.testing.assert_allclose(scored["predicted_eff"], expected_members(introns, toy_weights(40)).mean(1), atol=1e-6)
    assert bad_rows(scored).empty


def test_metrics_against_a_measured_column():
    scored = pd.DataFrame({"splicing_eff": [0.0, 0.5, 1.0, np.nan], "predicted_eff": [0.1, 0.5, 0.9, 0.3]})
    metrics = scored_metrics(scored)
    assert metrics["n"] == 3 and metrics["pearson"] == pytest.approx(1.0)
    assert scored_metrics(scored.drop(columns="splicing_eff")) is None


def test_introns_up_to_2000_nt_are_scored_through_views_and_longer_ones_refused():
    predictor = toy_predictor(40)
    long = "GTATGT" + "ATTTCGATATTAAGCTTTATCAAATTTTTGCAT" * 60 + "TTTTACTAACACGTTTGCATCCTTTGCATAG"
    long = long[:1970] + long[-30:]
    frame = pd.DataFrame({"intron_seq": [long, long + "A", GOOD[0]]})
    scored = score_frame(predictor, frame)
    assert len(long) == 2000 and list(scored["error"] == "") == [True, False, True]
    assert scored.loc[1, "error"].startswith("Too long (2,001 nt)") and np.isnan(scored.loc[1, "predicted_eff"])
    views = intron_view_set(long, predictor.branch_starts([long])[0], view_layout(40))
    members = expected_members([view.sequence for view in views], toy_weights(40)).mean(0)
    assert len(views) == 16 and scored.loc[0, "predicted_eff"] == pytest.approx(members.mean(), abs=1e-7)
    assert scored.loc[0, "predicted_sd"] == pytest.approx(members.std(), abs=1e-7)
    assert "views" in scored.loc[0, "warning"]
