"""Batch scoring: streaming FASTA/CSV/xlsx inputs in chunks, scoring them with bad rows kept and explained, writing csv/xlsx/FASTA."""

import codecs
import io

import numpy as np
import pandas as pd
import pytest
from toy_model import expected_members, toy_predictor, toy_weights

from splice_core import batch
from splice_core.batch import (
    BatchSummary,
    bad_rows,
    fasta_text,
    input_chunks,
    intron_column,
    measured_metrics,
    output_format,
    score_file,
    score_frame,
    write_table,
)
from splice_core.intron_view import intron_view_set, view_layout
from splice_core.library import DataFileError

GOOD = ["GTATGTAAAATACTAACTTTTAG", "GTACGTCCCCCCTACTAACAAACAG"]


def read_all(source, name=None, chunk_rows=2) -> pd.DataFrame:
    """Every chunk of an input joined (the row index runs on across chunks)."""
    return pd.concat([frame for frame, _ in input_chunks(source, name, chunk_rows)])


def test_fasta_bytes_become_id_and_intron_columns():
    frame = read_all(
        f">one\n{GOOD[0][:10]}\n{GOOD[0][10:]}\n>two\n{GOOD[1]}\n>three\n{GOOD[0]}\n".encode(), "x.fa"
    )
    assert frame.to_dict("list") == {"id": ["one", "two", "three"], "intron_seq": [*GOOD, GOOD[0]]}
    assert frame.index.tolist() == [0, 1, 2]


def test_csv_and_xlsx_keep_their_columns_and_order_across_chunks(tmp_path):
    table = pd.DataFrame(
        {
            "name": list("abcde"),
            "intron": [GOOD[i % 2] for i in range(5)],
            "splicing_eff": [0.1, 0.2, 0.3, 0.4, 0.5],
        }
    )
    csv = tmp_path / "x.csv"
    table.to_csv(csv, index=False)
    pd.testing.assert_frame_equal(read_all(csv), table)
    buffer = io.BytesIO()
    table.to_excel(buffer, index=False, sheet_name="Data")
    pd.testing.assert_frame_equal(read_all(buffer.getvalue(), "x.xlsx"), table)


@pytest.mark.parametrize(
    "text, name",
    [
        ("ID, Sequence \na,{0}\nb,{1}\n", "x.csv"),
        ("ID;Sequence\na;{0}\nb;{1}\n", "x.csv"),
        ("ID\tINTRON_SEQ\na\t{0}\nb\t{1}\n", "x.csv"),
        ("ID\tIntron\na\t{0}\nb\t{1}\n", "x.txt"),
    ],
    ids=["comma, spaced header", "semicolon", "tab", "tab in .txt"],
)
def test_headers_match_in_any_case_and_the_delimiter_is_told_from_the_header(text, name):
    frame = read_all(text.format(*GOOD).encode(), name)
    assert frame.iloc[:, 0].tolist() == ["a", "b"] and intron_column(frame).tolist() == GOOD


def test_a_semicolon_table_reads_decimal_commas_and_a_txt_fasta_stays_fasta():
    frame = read_all(f"intron;Splicing_Eff\n{GOOD[0]};0,25\n{GOOD[1]};0,5\n{GOOD[0]};1\n".encode(), "x.csv")
    assert frame["Splicing_Eff"].tolist() == [0.25, 0.5, 1.0]
    summary = BatchSummary()
    summary.add(score_frame(toy_predictor(40), frame))
    assert summary.metrics() is not None and summary.metrics()["n"] == 3
    fasta = read_all(f"\n>one\n{GOOD[0]}\n".encode(), "x.txt")
    assert fasta.to_dict("list") == {"id": ["one"], "intron_seq": [GOOD[0]]}


def test_the_delimiter_is_told_from_the_start_of_the_file_only(monkeypatch):
    monkeypatch.setattr(batch, "SNIFF_BYTES", 32)
    rows = "".join(f"r{i};{GOOD[i % 2]}\n" for i in range(200))
    handle = io.BytesIO(f"id;sequence\n{rows}".encode())
    assert batch.first_line(handle) == "id;sequence" and handle.tell() == 0
    assert len(read_all(handle.getvalue(), "x.csv", chunk_rows=50)) == 200


def test_progress_fractions_rise_to_one(tmp_path):
    (tmp_path / "x.csv").write_text("intron\n" + "\n".join(GOOD * 50) + "\n")
    fractions = [fraction for _, fraction in input_chunks(tmp_path / "x.csv", chunk_rows=10)]
    assert len(fractions) == 10 and fractions == sorted(fractions) and fractions[-1] == 1.0


@pytest.mark.parametrize(
    "raw, name, message",
    [
        (b"foo,bar\n1,2\n", "x.csv", "x.csv: needs an intron column .* found the columns 'foo', 'bar'"),
        (b"foo;seq\n1;2\n", "x.csv", "found the columns 'foo', 'seq'$"),
        (b"intron_seq\n", "x.csv", "x.csv: no rows"),
        (b"GTAAG\n>a\nGTAAG\n", "x.fa", "sequence before the first '>' header"),
        (b"\x00\x01not a workbook", "x.xlsx", "x.xlsx: not an xlsx workbook"),
        (b"PK\x03\x04 cut off", "x.xlsx", "x.xlsx: cannot read the file"),
        (b"intron\nGTAAG\n", "x.tsv", "x.tsv: unknown file type '.tsv'"),
    ],
)
def test_unreadable_files_raise_one_clear_error(raw, name, message):
    with pytest.raises(DataFileError, match=message):
        read_all(raw, name)


def test_output_format_follows_the_suffix():
    assert [output_format(p) for p in ("a.csv", "a.XLSX", "a.fa", "a.fasta")] == [
        "csv",
        "xlsx",
        "fasta",
        "fasta",
    ]
    with pytest.raises(ValueError, match="cannot write '.txt'; name it .csv, .xlsx or .fa/.fasta"):
        output_format("a.txt")


def test_write_table_writes_a_real_workbook_or_csv_and_takes_no_fasta(tmp_path):
    import openpyxl

    table = pd.DataFrame({"mutation": ["A1C", "delA1"], "delta": [0.25, -0.5], "agrees": [True, None]})
    write_table(table, tmp_path / "t.xlsx")
    write_table(table, tmp_path / "t.csv")
    rows = list(openpyxl.load_workbook(tmp_path / "t.xlsx").active.iter_rows(values_only=True))
    assert rows == [("mutation", "delta", "agrees"), ("A1C", 0.25, True), ("delA1", -0.5, None)]
    assert (
        tmp_path / "t.csv"
    ).read_text() == '"mutation","delta","agrees"\n"A1C",0.25,True\n"delA1",-0.5,""\n'
    with pytest.raises(ValueError, match="t.fa: cannot write '.fa'; name it .csv or .xlsx"):
        write_table(table, tmp_path / "t.fa")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["t.csv", "t.xlsx"]


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
    import splice_core.batch as batch_module

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


TEXT_TABLE = f"id\tintron\r\na\t{GOOD[0]}\r\nb\t{GOOD[1]}\r\n"
TEXT_FASTA = f">a\r\n{GOOD[0]}\r\n>b\r\n{GOOD[1]}\r\n"


@pytest.mark.parametrize(
    "bom, encoding",
    [
        (codecs.BOM_UTF8, "utf-8"),
        (codecs.BOM_UTF16_LE, "utf-16-le"),  # Excel's "Unicode text"
        (codecs.BOM_UTF16_BE, "utf-16-be"),
        (b"", "utf-16-le"),
        (b"", "utf-16-be"),
    ],
    ids=["utf-8 BOM", "utf-16-le BOM", "utf-16-be BOM", "utf-16-le", "utf-16-be"],
)
def test_text_in_utf16_or_with_a_bom_and_crlf_reads_as_written(bom, encoding):
    for name in ("x.csv", "x.txt"):
        frame = read_all(bom + TEXT_TABLE.encode(encoding), name)
        assert frame.to_dict("list") == {"id": ["a", "b"], "intron": GOOD}
    for name in ("x.fa", "x.txt"):
        frame = read_all(bom + TEXT_FASTA.encode(encoding), name)
        assert frame.to_dict("list") == {"id": ["a", "b"], "intron_seq": GOOD}


def test_a_10_mb_cell_is_read_and_refused_as_too_long_in_its_row():
    raw = f"id,intron\nbig,{'A' * 10_000_000}\nsmall,{GOOD[0]}\n".encode()
    frame = read_all(raw, "x.csv")
    assert intron_column(frame).str.len().tolist() == [10_000_000, len(GOOD[0])]
    scored = score_frame(toy_predictor(40), frame)
    assert scored["error"][0].startswith("Too long (10,000,000 nt)") and len(scored["error"][0]) < 200
    assert np.isfinite(scored["predicted_eff"][1])


def test_a_fasta_of_100000_tiny_records_is_read_in_order():
    raw = "".join(f">r{i}\nGT{'ACGT'[i % 4]}AG\n" for i in range(100_000)).encode()
    frame = read_all(raw, "x.fa", chunk_rows=5_000)
    assert len(frame) == 100_000 and frame.index.tolist() == list(range(100_000))
    assert frame["id"].iloc[[0, 99_999]].tolist() == ["r0", "r99999"] and frame["intron_seq"][3] == "GTTAG"


@pytest.mark.parametrize(
    "raw, name, message",
    [
        (bytes(range(256)) * 4, "x.csv", r"x.csv: not a text table or FASTA \(it holds binary data\)$"),
        ("intron\nA \u2013 B\n".encode("cp1252"), "x.csv", "byte 0x96 at 10 is not UTF-8 text"),
        (b"\xff\xfe\x00\x00i\x00\x00\x00", "x.fa", "x.fa: UTF-32 text is not read"),
        (b"", "x.csv", "x.csv: the file is empty$"),
        (b"\n \n", "x.fa", "x.fa: the file is empty$"),
        (b"id,intron\r\n", "x.csv", "x.csv: no rows to score"),
        (b"\xef\xbb\xbfintron_seq\n", "x.txt", "x.txt: no rows to score"),
    ],
    ids=["binary", "cp1252", "utf-32", "empty", "blank", "header only", "BOM header only"],
)
def test_what_is_no_text_or_holds_no_row_is_named_at_once(raw, name, message):
    with pytest.raises(DataFileError, match=message):
        batch.check_input(raw, name)


@pytest.mark.parametrize("name", ["x.csv", "x.fa"])
def test_a_bad_byte_past_the_sniffed_start_stops_the_read_with_a_reason(monkeypatch, name):
    monkeypatch.setattr(batch, "SNIFF_BYTES", 64)
    body = "".join(f">r{i}\n{GOOD[0]}\n" if name == "x.fa" else f"{GOOD[0]}\n" for i in range(20))
    raw = ("" if name == "x.fa" else "intron\n").encode() + body.encode() + b"\x96\n"
    with pytest.raises(
        DataFileError, match=f"{name}: not a text table or FASTA: byte 0x96 is not UTF-8 text"
    ):
        read_all(raw, name, chunk_rows=1000)
