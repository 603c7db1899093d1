"""Tables of introns: FASTA/CSV/xlsx inputs read in chunks (encodings, delimiters, columns), tables written as csv/xlsx/FASTA."""

import codecs
import io

import numpy as np
import pandas as pd
import pytest
from toy_model import expected_members, toy_predictor, toy_weights

from splice_core.data.library import DataFileError
from splice_core.predict import tables
from splice_core.predict.batch import BatchSummary, bad_rows, measured_metrics, score_file, score_frame
from splice_core.predict.tables import fasta_text, input_chunks, intron_column, output_format, write_table
from splice_core.seq.views import intron_view_set, view_layout

GOOD = ["GTATGTAAAATACTAACTTTTAG", "GTACGTCCCCCCTACTAACAAACAG"]
TEXT_TABLE = f"id\tintron\r\na\t{GOOD[0]}\r\nb\t{GOOD[1]}\r\n"
TEXT_FASTA = f">a\r\n{GOOD[0]}\r\n>b\r\n{GOOD[1]}\r\n"


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


def test_the_delimiter_is_told_from_the_start_of_the_file_only(monkeypatch):
    monkeypatch.setattr(tables, "SNIFF_BYTES", 32)
    rows = "".join(f"r{i};{GOOD[i % 2]}\n" for i in range(200))
    handle = io.BytesIO(f"id;sequence\n{rows}".encode())
    assert tables.first_line(handle) == "id;sequence" and handle.tell() == 0
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
        tables.check_input(raw, name)


@pytest.mark.parametrize("name", ["x.csv", "x.fa"])
def test_a_bad_byte_past_the_sniffed_start_stops_the_read_with_a_reason(monkeypatch, name):
    monkeypatch.setattr(tables, "SNIFF_BYTES", 64)
    body = "".join(f">r{i}\n{GOOD[0]}\n" if name == "x.fa" else f"{GOOD[0]}\n" for i in range(20))
    raw = ("" if name == "x.fa" else "intron\n").encode() + body.encode() + b"\x96\n"
    with pytest.raises(
        DataFileError, match=f"{name}: not a text table or FASTA: byte 0x96 is not UTF-8 text"
    ):
        read_all(raw, name, chunk_rows=1000)
