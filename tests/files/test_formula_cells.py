"""Formula injection: text cells that start like a formula come back as plain text in every CSV, xlsx and FASTA written."""

import csv
import io
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest
from toy_model import toy_predictor

from splice_core.files.formula_cells import csv_text, defused_frame, is_formula_like
from splice_core.predict.batch import score_file
from splice_core.predict.tables import write_table

GOOD = "GTATGTAAAATACTAACTTTTAG"
LINK = '=HYPERLINK("http://x","y")'
HOSTILE = [LINK, "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(A1:A2)", "\t=1+2", "\r=1+2"]


def hostile_input(tmp_path: Path) -> Path:
    """A CSV whose ``id`` cells are formulas, one intron cell a formula too, and a plain-number text id."""
    path = tmp_path / "in.csv"
    rows = [{"id": text, "intron": GOOD, "note": "a;=1+2"} for text in HOSTILE]
    rows += [{"id": "-0.5", "intron": "=1+2", "note": "plain"}]
    pd.DataFrame(rows).to_csv(path, index=False, quoting=csv.QUOTE_ALL)  # quoted, a leading \r is kept
    return path


def test_what_counts_as_a_formula():
    assert all(is_formula_like(text) for text in HOSTILE)
    assert not any(is_formula_like(text) for text in ("-0.5", "+3", "1e-3", "GTAAG", "a=b", ""))


def test_xlsx_output_holds_plain_strings_never_formulas_and_numbers_stay_numbers(tmp_path):
    score_file(toy_predictor(40), hostile_input(tmp_path), tmp_path / "out.xlsx")
    sheet = openpyxl.load_workbook(tmp_path / "out.xlsx").active
    assert sheet["A2"].value == LINK and sheet["A2"].data_type == "s"
    cells = [cell for row in sheet.iter_rows() for cell in row]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    header = [c.value for c in sheet[1]]
    eff = header.index("predicted_eff")
    assert all(
        row[eff].data_type == "n" and isinstance(row[eff].value, float) for row in sheet.iter_rows(2, 7)
    )
    ids = [row[0].value for row in sheet.iter_rows(2)]
    assert ids[:5] + ids[6:] == [*HOSTILE[:5], "-0.5"] and ids[5].endswith("=1+2")  # XML keeps no bare \r
    assert (
        sheet.cell(8, 2).value == "=1+2" and sheet.cell(8, 2).data_type == "s"
    )  # the unscored intron as given


def test_csv_output_is_escaped_the_owasp_way(tmp_path):
    score_file(toy_predictor(40), hostile_input(tmp_path), tmp_path / "out.csv")
    with open(tmp_path / "out.csv", newline="") as handle:
        text = handle.read()
    lines = text.split("\n")
    assert lines[1].startswith('"\'=HYPERLINK(""http://x"",""y"")","GTATGTAAAATACTAACTTTTAG","a;=1+2",0.')
    rows = list(csv.reader(io.StringIO(text)))
    header = rows[0]
    cells = [dict(zip(header, row)) for row in rows[1:]]
    assert [c["id"] for c in cells] == ["'" + text for text in HOSTILE] + ["-0.5"]
    assert cells[-1]["intron"] == "'=1+2" and cells[-1]["error"].startswith("Only A, C, G")
    assert not [value for row in rows for value in row if is_formula_like(value)]
    assert pd.read_csv(tmp_path / "out.csv")["predicted_eff"].dtype == float  # numbers are written bare


def test_fasta_output_keeps_each_record_on_its_two_lines(tmp_path):
    path = tmp_path / "in.csv"
    pd.DataFrame({"id": ["a\n=1+2", "b"], "intron": [GOOD, "=HYPERLINK(1)"]}).to_csv(path, index=False)
    score_file(toy_predictor(40), path, tmp_path / "out.fa")
    lines = (tmp_path / "out.fa").read_text().splitlines()
    assert len(lines) == 4 and lines[0].startswith(">a =1+2 predicted_eff=")
    assert lines[2].startswith(">b error=Only A, C, G") and lines[3] == "'=HYPERLINK(1)"


@pytest.mark.parametrize("suffix", ["csv", "xlsx"])
def test_scan_and_design_tables_are_written_the_same_way(tmp_path, suffix):
    table = pd.DataFrame({"design": ["=cmd()", "d2"], "predicted": [0.25, np.nan], "warning": ["@x", ""]})
    write_table(table, tmp_path / f"t.{suffix}")
    if suffix == "xlsx":
        sheet = openpyxl.load_workbook(tmp_path / "t.xlsx").active
        assert [(c.value, c.data_type) for c in sheet[2]] == [("=cmd()", "s"), (0.25, "n"), ("@x", "s")]
    else:
        assert (tmp_path / "t.csv").read_text() == (
            '"design","predicted","warning"\n"\'=cmd()",0.25,"\'@x"\n"d2","",""\n'
        )


def test_the_design_pages_download_is_the_same_csv(tmp_path):
    table = pd.DataFrame({"design": ["=cmd()"], "n_edits": [2], "spread": [0.125]})
    write_table(table, tmp_path / "t.csv")
    assert csv_text(table) == (tmp_path / "t.csv").read_text()
    assert defused_frame(table)["n_edits"].dtype == table["n_edits"].dtype


def test_predict_to_xlsx_from_the_command_line(tmp_path, capsys):
    from toy_model import linear_model, toy_card, toy_weights

    from splice_core.cli.main import main
    from splice_core.models.store import save_model_dir

    model = save_model_dir(tmp_path / "model", linear_model(toy_weights(40)), toy_card())
    args = ["predict", str(hostile_input(tmp_path)), "-o", str(tmp_path / "out.xlsx"), "--model", str(model)]
    assert main(args) == 0, capsys.readouterr().err
    sheet = openpyxl.load_workbook(tmp_path / "out.xlsx").active
    assert (sheet["A2"].value, sheet["A2"].data_type) == (LINK, "s")
