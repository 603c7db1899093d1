"""Tests for splice_core.data.library: reading and validating the data directory."""

import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import make_library, make_wildtype

from splice_core.data.library import (
    LIBRARY_FILES,
    REPORTER_FILE,
    SITE_OFFSET,
    WILDTYPE_FILE,
    DataFileError,
    data_dir,
    fasta_records,
    file_sha256,
    library_path,
    read_library,
    read_reporter,
    read_wildtype,
    usable_rows,
)


def write_csv(frame: pd.DataFrame, directory: Path, name: str = "splicing_library.csv") -> Path:
    """``frame`` as a CSV in ``directory``."""
    path = directory / name
    frame.to_csv(path, index=False)
    return path


def write_xlsx(frame: pd.DataFrame, path: Path, sheet: str = "Data") -> Path:
    """``frame`` as the ``sheet`` of an xlsx workbook (with an extra ``Index`` sheet, as the authors' file)."""
    with pd.ExcelWriter(path, engine="openpyxl") as writer:
        pd.DataFrame({"column": frame.columns}).to_excel(writer, sheet_name="Index", index=False)
        frame.to_excel(writer, sheet_name=sheet, index=False)
    return path


def library_error(frame: pd.DataFrame, directory: Path) -> str:
    """The DataFileError message of reading ``frame`` back from a CSV."""
    path = write_csv(frame, directory)
    with pytest.raises(DataFileError) as info:
        read_library(path)
    assert str(path) in str(info.value)
    return str(info.value)


# --- library: reading ------------------------------------------------------------------------------------------


def test_read_library_from_directory(tiny_data_dir):
    made = make_library()
    frame = read_library(tiny_data_dir)
    assert len(frame) == len(made)
    assert frame.attrs["path"] == str(tiny_data_dir / "splicing_library.csv")
    assert frame.attrs["sha256"] == file_sha256(tiny_data_dir / "splicing_library.csv")
    assert len(frame.attrs["sha256"]) == 64
    assert (frame["construct"] == frame["intron_seq"]).all()
    np.testing.assert_allclose(frame["splicing_eff"].to_numpy(), made["splicing_eff"].to_numpy())


def test_rows_without_efficiency_are_kept_marked_and_counted(tmp_path):
    made = make_library(n_designs=12)
    made.loc[[0, 3, 4], "splicing_eff"] = np.nan
    frame = read_library(write_csv(made, tmp_path))
    unusable = made["splicing_eff"].isna()
    assert frame.attrs["n_unusable"] == int(unusable.sum()) == 4  # three set here + make_library's last row
    assert (frame["usable"] == ~unusable).all()
    usable = usable_rows(frame)
    assert len(usable) == len(made) - 4
    assert usable["splicing_eff"].notna().all()
    assert list(usable.index) == list(range(len(usable)))


@pytest.mark.parametrize("n_designs", [1, 7, 150])
def test_any_row_count(tmp_path, n_designs):
    made = make_library(n_designs=n_designs)
    assert len(read_library(write_csv(made, tmp_path))) == len(made)


def test_xlsx_with_data_sheet_reads_like_the_csv(tmp_path):
    made = make_library(n_designs=9)
    from_csv = read_library(write_csv(made, tmp_path))
    xlsx = write_xlsx(made, tmp_path / LIBRARY_FILES[1])
    from_xlsx = read_library(xlsx)
    assert from_xlsx.attrs["path"] == str(xlsx)
    assert from_xlsx.attrs["n_unusable"] == from_csv.attrs["n_unusable"] == 1
    pd.testing.assert_frame_equal(from_xlsx, from_csv, check_dtype=False)


def test_directory_prefers_csv_and_falls_back_to_xlsx(tmp_path):
    made = make_library(n_designs=4)
    write_xlsx(made, tmp_path / LIBRARY_FILES[1])
    assert library_path(tmp_path) == tmp_path / LIBRARY_FILES[1]
    assert read_library(tmp_path).attrs["path"] == str(tmp_path / LIBRARY_FILES[1])
    write_csv(made, tmp_path)
    assert library_path(tmp_path) == tmp_path / LIBRARY_FILES[0]


def test_xlsx_without_data_sheet(tmp_path):
    xlsx = write_xlsx(make_library(n_designs=3), tmp_path / "lib.xlsx", sheet="Sheet1")
    with pytest.raises(DataFileError, match="no sheet named 'Data'") as info:
        read_library(xlsx)
    assert str(xlsx) in str(info.value)
    assert "Sheet1" in str(info.value)


def test_unreadable_xlsx(tmp_path):
    garbage = tmp_path / "garbage.xlsx"
    garbage.write_bytes(b"this is not a workbook")
    with pytest.raises(DataFileError, match="not a readable xlsx") as info:
        read_library(garbage)
    assert str(garbage) in str(info.value)
    other_zip = tmp_path / "other.xlsx"
    with zipfile.ZipFile(other_zip, "w") as archive:
        archive.writestr("notes.txt", "hello")
    with pytest.raises(DataFileError, match="not a readable xlsx"):
        read_library(other_zip)


def test_missing_and_empty_files(tmp_path):
    with pytest.raises(DataFileError, match="no splicing_library.csv or SplicingLibData_SingleIntrons.xlsx"):
        read_library(tmp_path)
    with pytest.raises(DataFileError, match="file not found"):
        read_library(tmp_path / "absent.csv")
    (tmp_path / "empty.csv").write_text("")
    with pytest.raises(DataFileError, match="not a readable CSV"):
        read_library(tmp_path / "empty.csv")
    assert "no data rows" in library_error(make_library(n_designs=2).iloc[:0], tmp_path)


# --- library: one clear error naming file, row and problem -----------------------------------------------------


def test_missing_columns_are_named(tmp_path):
    message = library_error(make_library(n_designs=3).drop(columns=["BC", "SS3_inds"]), tmp_path)
    assert "missing column(s) BC, SS3_inds" in message


def test_non_acgt_sequence_names_row_column_and_letter(tmp_path):
    frame = make_library(n_designs=5)
    frame.loc[3, "seq"] = frame.loc[3, "seq"][:99] + "X" + frame.loc[3, "seq"][100:]
    message = library_error(frame, tmp_path)
    assert "data row 4, column seq: non-ACGT letter 'X' at position 100" in message


def test_empty_intron_sequence(tmp_path):
    frame = make_library(n_designs=5)
    frame.loc[2, "intron_seq"] = np.nan
    assert "data row 3, column intron_seq: empty sequence" in library_error(frame, tmp_path)


def test_lower_case_sequence_is_rejected(tmp_path):
    frame = make_library(n_designs=5)
    frame.loc[0, "seq"] = frame.loc[0, "seq"].lower()
    assert "data row 1, column seq: non-ACGT letter 't' at position 1" in library_error(frame, tmp_path)


def test_wrong_oligo_length(tmp_path):
    frame = make_library(n_designs=5)
    frame.loc[1, "seq"] = frame.loc[1, "seq"] + "ACGT"
    assert "data row 2, column seq: 234 nt; library oligos are 230 nt" in library_error(frame, tmp_path)


@pytest.mark.parametrize(
    ("column", "value", "problem"),
    [
        ("SS3_inds", 300, "300 is not an integer from -41 to 188"),
        ("branch_inds", -50, "-50 is not an integer from -41 to 188"),
        ("SS5_inds", 6.5, "6.5 is not an integer from -41 to 188"),
        ("branch_inds", "abc", "abc is not an integer"),
        ("SS5_inds", np.nan, "empty value"),
        ("SS5_inds", 7, "seq[7 + 41:] does not start with intron_seq"),
    ],
)
def test_bad_site_indices(tmp_path, column, value, problem):
    frame = make_library(n_designs=5)
    frame[column] = frame[column].astype(object)
    frame.loc[2, column] = value
    message = library_error(frame, tmp_path)
    assert f"data row 3, column {column}: {problem}" in message


@pytest.mark.parametrize(("value", "shown"), [(1.7, "1.7"), (-0.2, "-0.2"), ("high", "high")])
def test_bad_efficiency(tmp_path, value, shown):
    frame = make_library(n_designs=5)
    frame["splicing_eff"] = frame["splicing_eff"].astype(object)
    frame.loc[0, "splicing_eff"] = value
    assert f"data row 1, column splicing_eff: {shown} is not a number from 0 to 1" in library_error(
        frame, tmp_path
    )


@pytest.mark.parametrize("column", ["type", "BC"])
def test_empty_type_or_barcode(tmp_path, column):
    frame = make_library(n_designs=5)
    frame.loc[4, column] = np.nan
    assert f"data row 5, column {column}: empty value" in library_error(frame, tmp_path)


def test_site_index_convention_on_made_up_rows(tmp_path):
    frame = read_library(write_csv(make_library(n_designs=10), tmp_path))
    for seq, ss5, intron in zip(frame["seq"], frame["SS5_inds"], frame["intron_seq"]):
        assert seq[ss5 + SITE_OFFSET :].startswith(intron)


# --- data directory --------------------------------------------------------------------------------------------


def test_data_dir_resolution(tmp_path, monkeypatch):
    monkeypatch.setenv("SPLICE_DATA_DIR", str(tmp_path))
    assert data_dir() == tmp_path
    assert data_dir(tmp_path / "other") == tmp_path / "other"
    monkeypatch.delenv("SPLICE_DATA_DIR")
    assert data_dir() == Path(__file__).resolve().parents[2] / "data"


# --- wild type -------------------------------------------------------------------------------------------------


def test_read_wildtype(tiny_data_dir):
    frame = read_wildtype(tiny_data_dir)
    pd.testing.assert_frame_equal(frame, make_wildtype())


def test_wildtype_lower_case_is_accepted(tmp_path):
    made = make_wildtype(n=3)
    made["sequence"] = made["sequence"].str.lower()
    made.to_csv(tmp_path / WILDTYPE_FILE, index=False)
    assert len(read_wildtype(tmp_path)) == 3


def test_wildtype_errors(tmp_path):
    made = make_wildtype(n=4)
    made.drop(columns=["BP"]).to_csv(tmp_path / WILDTYPE_FILE, index=False)
    with pytest.raises(DataFileError, match="missing column\\(s\\) BP"):
        read_wildtype(tmp_path)
    bad = made.copy()
    bad.loc[2, "5'SS"] = "GT#TGT"
    bad.to_csv(tmp_path / WILDTYPE_FILE, index=False)
    with pytest.raises(DataFileError, match="data row 3, column 5'SS: non-ACGT letter '#' at position 3"):
        read_wildtype(tmp_path)
    bad = made.copy()
    bad["Length (bp)"] = bad["Length (bp)"].astype(object)
    bad.loc[1, "Length (bp)"] = "long"
    bad.to_csv(tmp_path / WILDTYPE_FILE, index=False)
    with pytest.raises(DataFileError, match=r"data row 2, column Length \(bp\): long is not an integer"):
        read_wildtype(tmp_path)
    with pytest.raises(DataFileError, match="file not found"):
        read_wildtype(tmp_path / "nowhere")


# --- reporter --------------------------------------------------------------------------------------------------


def test_read_reporter(tiny_data_dir):
    reporter = read_reporter(tiny_data_dir)
    assert (len(reporter.upstream), len(reporter.downstream)) == (302, 1102)
    assert reporter.upstream + reporter.downstream == "".join(
        line for line in (tiny_data_dir / REPORTER_FILE).read_text().splitlines() if not line.startswith(">")
    )


def test_reporter_multi_line_and_lower_case(tmp_path):
    up, down = "ac" * 151, "GT" * 551
    wrapped = "\n".join(down[i : i + 60] for i in range(0, len(down), 60))
    (tmp_path / REPORTER_FILE).write_text(f">up\n{up[:100]}\n{up[100:]}\n\n>down\n{wrapped}\n")
    reporter = read_reporter(tmp_path)
    assert reporter.upstream == up.upper()
    assert reporter.downstream == down


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        (">up\n" + "A" * 302 + "\n", "expected 2 records (upstream, downstream), found 1"),
        (">up\n" + "A" * 301 + "\n>down\n" + "C" * 1102, "record 1 (upstream): 301 nt, expected 302"),
        (
            ">up\n" + "A" * 302 + "\n>down\n" + "C" * 1101 + "Z",
            "record 2 (downstream): non-ACGT letter 'Z' at position 1102",
        ),
        ("A" * 302 + "\n>down\n" + "C" * 1102, "sequence before the first '>' header"),
    ],
)
def test_reporter_errors(tmp_path, text, problem):
    (tmp_path / REPORTER_FILE).write_text(text)
    with pytest.raises(DataFileError) as info:
        read_reporter(tmp_path)
    assert str(tmp_path / REPORTER_FILE) in str(info.value)
    assert problem in str(info.value)


def test_reporter_missing(tmp_path):
    with pytest.raises(DataFileError, match="reporter.fa: file not found"):
        read_reporter(tmp_path)


def test_fasta_records():
    assert fasta_records(">a x\nAC\nGT\n>b\n\nTT\n") == [("a x", "ACGT"), ("b", "TT")]
    assert fasta_records("") == []


# --- real data -------------------------------------------------------------------------------------------------


def test_real_library(real_data_dir):
    frame = read_library(real_data_dir)
    raw_eff = pd.read_csv(real_data_dir / "splicing_library.csv", usecols=["splicing_eff"])["splicing_eff"]
    assert len(frame) == len(raw_eff) > 1000
    assert frame.attrs["n_unusable"] == int(raw_eff.isna().sum()) > 0
    assert frame["seq"].str.len().eq(230).all()
    assert frame.loc[frame["usable"], "splicing_eff"].between(0, 1).all()
    assert frame["construct"].nunique() < len(frame)  # some designs are measured with several barcodes


def test_real_wildtype_and_reporter(real_data_dir):
    wildtype = read_wildtype(real_data_dir)
    assert len(wildtype) > 100
    assert (wildtype["sequence"].str.len() == wildtype["Length (bp)"]).all()
    reporter = read_reporter(real_data_dir)
    assert (len(reporter.upstream), len(reporter.downstream)) == (302, 1102)


# --- truncated or inconsistent files ---------------------------------------------------------------------------


def test_a_file_cut_off_inside_a_late_column_is_refused(tmp_path):
    frame = make_library(n_designs=10)
    frame["note"] = "kept"  # a column after intron_seq, as in the real file
    text = frame.to_csv(index=False)
    row7 = text.splitlines()[7]
    cut = text.index(row7) + row7.rindex(frame["intron_seq"][6]) + 10  # inside row 7's intron_seq
    (tmp_path / "splicing_library.csv").write_text(text[:cut])
    with pytest.raises(DataFileError, match="data row 7 has .* fields: the file looks cut off"):
        read_library(tmp_path)


def test_a_file_cut_off_at_a_line_end_with_an_intron_cut_short_is_refused(tmp_path):
    frame = make_library(n_designs=5)
    frame.loc[3, "intron_seq"] = frame.loc[3, "intron_seq"][:-10]
    message = library_error(frame.drop(columns="intron_len"), tmp_path)
    length = len(frame.loc[3, "intron_seq"])
    assert (
        f"data row 4, column intron_seq: {length} nt, but SS5_inds and SS3_inds say the intron is seq[47:{47 + length + 10}] ({length + 10} nt)"
        in message
    )
    assert "cut off or edited" in message


def test_intron_len_must_match_intron_seq(tmp_path):
    frame = make_library(n_designs=5)
    frame.loc[1, "intron_len"] = 5
    assert "data row 2, column intron_len: 5 but intron_seq has" in library_error(frame, tmp_path)


def test_a_complete_file_without_a_final_line_end_is_read(tmp_path):
    (tmp_path / "splicing_library.csv").write_text(make_library(n_designs=5).to_csv(index=False).rstrip("\n"))
    assert len(read_library(tmp_path)) == len(make_library(n_designs=5))
