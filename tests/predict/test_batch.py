"""Batch scoring: a file scored chunk by chunk, bad rows kept and explained, the summary and its metrics."""

import codecs
import io

import numpy as np
import pandas as pd
import pytest
from toy_model import expected_members, toy_predictor, toy_weights

from splice_core.data.library import DataFileError
from splice_core.predict import batch, tables
from splice_core.predict.batch import BatchSummary, bad_rows, measured_metrics, score_file, score_frame
from splice_core.predict.tables import fasta_text, input_chunks, intron_column, output_format, write_table
from splice_core.seq.views import intron_view_set, view_layout

GOOD = ["GTATGTAAAATACTAACTTTTAG", "GTACGTCCCCCCTACTAACAAACAG"]


def read_all(source, name=None, chunk_rows=2) -> pd.DataFrame:
    """Every chunk of an input joined (the row index runs on across chunks)."""
    return pd.concat([frame for frame, _ in input_chunks(source, name, chunk_rows)])


def test_a_semicolon_table_reads_decimal_commas_and_a_txt_fasta_stays_fasta():
    frame = read_all(f"intron;Splicing_Eff\n{GOOD[0]};0,25\n{GOOD[1]};0,5\n{GOOD[0]};1\n".encode(), "x.csv")
    assert frame["Splicing_Eff"].tolist() == [0.25, 0.5, 1.0]
    summary = BatchSummary()
    summary.add(score_frame(toy_predictor(40), frame))
    assert summary.metrics() is not None and summary.metrics()["n"] == 3
    fasta = read_all(f"\n>one\n{GOOD[0]}\n".encode(), "x.txt")
    assert fasta.to_dict("list") == {"id": ["one"], "intron_seq": [GOOD[0]]}


def test_digits_inside_a_sequence_are_an_error_with_typed_positions():
    scored = score_frame(toy_predictor(40), pd.DataFrame({"intron": [GOOD[0][:4] + "12" + GOOD[0][4:]]}))
    assert np.isnan(scored["predicted_eff"][0]) and "'1' at 5, '2' at 6" in scored["error"][0]


@pytest.mark.parametrize("suffix", ["csv", "xlsx", "fa"])
def test_score_file_writes_every_row_in_order_in_the_suffixs_format(tmp_path, suffix):
    introns = [GOOD[0], "GTAXG", GOOD[1], GOOD[1], GOOD[0]]
    (tmp_path / "in.fa").write_text("".join(f">r{i}\n{s}\n" for i, s in enumerate(introns)))
    progress = []
    summary = score_file(
        toy_predictor(40),
        tmp_path / "in.fa",
        tmp_path / f"out.{suffix}",
        chunk_rows=2,
        on_progress=lambda f, n: progress.append(n),
    )
    assert (summary.n_rows, summary.n_scored, progress) == (5, 4, [2, 4, 5])
    expected = expected_members([s for s in introns if "X" not in s], toy_weights(40)).mean(1)
    if suffix == "csv":
        out = pd.read_csv(tmp_path / "out.csv", keep_default_na=False)
    elif suffix == "xlsx":
        out = pd.read_excel(tmp_path / "out.xlsx", keep_default_na=False)
    else:
        lines = (tmp_path / "out.fa").read_text().splitlines()
        assert lines[3] == "GTAXG" and lines[2].startswith(">r1 error=Only A, C, G")
        out = pd.DataFrame(
            {
                "id": [line[1:].split()[0] for line in lines[::2]],
                "predicted_eff": [
                    line.split("predicted_eff=")[-1].split()[0] if "predicted_eff=" in line else ""
                    for line in lines[::2]
                ],
            }
        )
        expected = np.round(expected, 4)
    assert out["id"].tolist() == [f"r{i}" for i in range(5)] and out["predicted_eff"][1] == ""
    np.testing.assert_allclose(out["predicted_eff"].drop(index=1).astype(float), expected, atol=1e-6)
    assert not list(tmp_path.glob(".*partial"))


def test_fasta_output_keeps_each_rows_warning_in_its_header():
    scored = score_frame(
        toy_predictor(40), pd.DataFrame({"id": ["a", "b"], "intron": [GOOD[0], "CCTATGTAAAATACTAACTTTTAG"]})
    )
    first, _, second, _ = fasta_text(scored).splitlines()
    assert first.startswith(">a predicted_eff=") and "warning" not in first
    assert second.startswith(">b predicted_eff=") and second.endswith(
        ' warning="No GT/GC at the 5\' end (starts with CC): predicted anyway."'
    )


def test_a_failed_run_leaves_no_output(tmp_path):
    with pytest.raises(DataFileError):
        score_file(toy_predictor(40), b"GTAAG\n", tmp_path / "out.csv", "x.fa")
    assert list(tmp_path.iterdir()) == []


def test_summary_keeps_bounded_parts(monkeypatch):
    import splice_core.predict.batch as batch_module

    monkeypatch.setattr(batch_module, "LISTED_BAD_ROWS", 3)
    monkeypatch.setattr(batch_module, "PREVIEW_ROWS", 4)
    summary = BatchSummary()
    for start in (0, 3):
        frame = pd.DataFrame(
            {"intron_seq": ["GTAXG", GOOD[0], "GTAXG"], "splicing_eff": [0.1, 0.2, 0.3]},
            index=range(start, start + 3),
        )
        summary.add(score_frame(toy_predictor(40), frame))
    assert (summary.n_rows, summary.n_bad) == (6, 4)
    assert summary.bad_table()["row"].tolist() == [1, 3, 4] and len(summary.preview_table()) == 4
    assert len(summary.predictions()) == 6 and summary.histogram()["rows"].sum() == 2


def test_bad_rows_are_reported_and_the_rest_scored_in_order():
    predictor = toy_predictor(40)
    frame = pd.DataFrame(
        {"id": list("abcd"), "intron_seq": [GOOD[0], "GTAXG", None, GOOD[1].lower().replace("t", "u")]}
    )
    scored = score_frame(predictor, frame)
    members = expected_members(GOOD, toy_weights(40))
    assert scored["id"].tolist() == list("abcd")
    np.testing.assert_allclose(scored["predicted_eff"].to_numpy()[[0, 3]], members.mean(1), atol=1e-7)
    np.testing.assert_allclose(scored["predicted_sd"].to_numpy()[[0, 3]], members.std(1), atol=1e-7)
    assert scored["predicted_eff"].isna().tolist() == [False, True, True, False]
    assert (
        scored["error"].tolist()[0] == ""
        and "'X' at 4" in scored["error"][1]
        and "empty" in scored["error"][2]
    )
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
    np.testing.assert_allclose(
        scored["predicted_eff"], expected_members(introns, toy_weights(40)).mean(1), atol=1e-6
    )
    assert bad_rows(scored).empty


def test_metrics_against_a_measured_column():
    metrics = measured_metrics(np.array([0.0, 0.5, 1.0, np.nan]), np.array([0.1, 0.5, 0.9, 0.3]))
    assert metrics["n"] == 3 and metrics["pearson"] == pytest.approx(1.0) and metrics["outside"] == 0
    assert measured_metrics(np.array([0.0, np.nan]), np.array([0.1, 0.5])) is None


def test_measured_values_outside_0_to_1_are_counted():
    metrics = measured_metrics(np.array([-0.125, 0.5, 1.5, 1.0]), np.array([0.1, 0.5, 0.9, 0.3]))
    assert metrics["n"] == 4 and metrics["outside"] == 2


def test_introns_up_to_2000_nt_are_scored_through_views_and_longer_ones_refused():
    predictor = toy_predictor(40)
    long = "GTATGT" + "ATTTCGATATTAAGCTTTATCAAATTTTTGCAT" * 60 + "TTTTACTAACACGTTTGCATCCTTTGCATAG"
    long = long[:1970] + long[-30:]
    frame = pd.DataFrame({"intron_seq": [long, long + "A", GOOD[0]]})
    scored = score_frame(predictor, frame)
    assert len(long) == 2000 and list(scored["error"] == "") == [True, False, True]
    assert scored.loc[1, "error"].startswith("Too long (2,001 nt)") and np.isnan(
        scored.loc[1, "predicted_eff"]
    )
    views = intron_view_set(long, predictor.branch_starts([long])[0], view_layout(40))
    members = expected_members([view.sequence for view in views], toy_weights(40)).mean(0)
    assert len(views) == 16 and scored.loc[0, "predicted_eff"] == pytest.approx(members.mean(), abs=1e-7)
    assert scored.loc[0, "predicted_sd"] == pytest.approx(members.std(), abs=1e-7)
    assert "views" in scored.loc[0, "warning"]


def test_a_10_mb_cell_is_read_and_refused_as_too_long_in_its_row():
    raw = f"id,intron\nbig,{'A' * 10_000_000}\nsmall,{GOOD[0]}\n".encode()
    frame = read_all(raw, "x.csv")
    assert intron_column(frame).str.len().tolist() == [10_000_000, len(GOOD[0])]
    scored = score_frame(toy_predictor(40), frame)
    assert scored["error"][0].startswith("Too long (10,000,000 nt)") and len(scored["error"][0]) < 200
    assert np.isfinite(scored["predicted_eff"][1])
