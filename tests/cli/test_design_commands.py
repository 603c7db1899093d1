"""cli ``design``: edits and from-scratch designs end to end (in-process ``main``), CSV and FASTA out, clear errors."""

from pathlib import Path

import pandas as pd
import pytest
from conftest import HOMOLOGY5
from toy_model import expected_members, linear_model, toy_card, toy_weights

from splice_core.cli.main import main
from splice_core.models.store import save_model_dir

INTRON = "GTATGTAAGCATTCGATACTTACTAACACGTTTGCATAG"


def run_cli(*args: str, data_dir: Path, capsys) -> tuple[int, str, str]:
    """(exit code, stdout, stderr) of ``python -m splice_core --data-dir DATA ARGS``, run in this process."""
    try:
        code = main(
            ["--verbose", "--data-dir", str(data_dir), *args]
        )  # --verbose: stderr stays Python's (captured)
    except SystemExit as exit_:  # an option out of range: argparse's one line, exit status 2
        code = exit_.code
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture(scope="module")
def toy_dir(tmp_path_factory):
    """The linear toy model (200 nt, 2 members) saved as a model directory."""
    return save_model_dir(tmp_path_factory.mktemp("toy") / "toy", linear_model(toy_weights(200)), toy_card())


def test_edit_writes_the_best_design_per_edit_count(toy_dir, tmp_path, capsys):
    out, fasta = tmp_path / "designs.csv", tmp_path / "designs.fa"
    result = run_cli(
        "design",
        "edit",
        INTRON,
        "--high",
        "--edits",
        "2",
        "--model",
        str(toy_dir),
        "-o",
        str(out),
        "--fasta",
        str(fasta),
        data_dir=tmp_path / "no_data",
        capsys=capsys,
    )
    assert result[0] == 0, result[2]
    assert (
        "3 designs" in result[1]
        and "held-out member agrees" in result[1]
        and "oligos needs the data directory" in result[1]
    )
    table = pd.read_csv(out)
    assert table["design"].tolist() == ["edits-0", "edits-1", "edits-2"] and table["n_edits"].tolist() == [
        0,
        1,
        2,
    ]
    members = expected_members(table["sequence"].tolist(), toy_weights(200))
    assert table["search_mean"].to_numpy() == pytest.approx(members[:, 0], abs=1e-4)  # the searched member
    assert table["predicted"].to_numpy() == pytest.approx(members.mean(1), abs=1e-4)  # the ensemble
    assert all(
        s[:6] == INTRON[:6] and s[-3:] == INTRON[-3:] for s in table["sequence"]
    )  # sites kept by default
    records = fasta.read_text().splitlines()
    assert records[0].startswith(">edits-0 predicted=") and records[1] == INTRON and len(records) == 6


def test_scratch_writes_oligos_in_the_library_design(toy_dir, tiny_data_dir, tmp_path, capsys):
    """Introns of 111-120 nt: the tiny library's downstream exon fills a 230-nt oligo from 111 nt on."""
    out, fasta = tmp_path / "designs.csv", tmp_path / "designs.fa"
    result = run_cli(
        "design",
        "scratch",
        "--target",
        "0.25",
        "--target-high",
        "0.35",
        "--n",
        "3",
        "--length",
        "111-120",
        "--gc",
        "0.2-0.6",
        "--forbid",
        "GAATTC",
        "--max-run",
        "5",
        "--model",
        str(toy_dir),
        "-o",
        str(out),
        "--fasta",
        str(fasta),
        data_dir=tiny_data_dir,
        capsys=capsys,
    )
    assert result[0] == 0, result[2]
    table = pd.read_csv(out)
    assert len(table) == 3 and (abs(table["search_mean"] - table["target"]) <= 0.05).all()
    assert table["oligo"].str.len().eq(230).all() and table["oligo"].str.startswith(HOMOLOGY5).all()
    assert all(o[47 : 47 + len(s)] == s for o, s in zip(table["oligo"], table["sequence"]))
    assert table["library_distance"].isna().all()  # the toy model's card holds no fitted library distance
    oligos = fasta.read_text().splitlines()[1::2]
    assert oligos == table["oligo"].tolist()


@pytest.mark.parametrize(
    "args, message",
    [
        (["edit", INTRON, "--target", "1.5"], "error: argument --target: must be within 0.0..1.0, got 1.5"),
        (
            ["scratch", "--target", "0.5", "--forbid", "TATG"],
            "error: the fixed sites themselves break the rules",
        ),
        (
            ["scratch", "--target", "0.5", "--sites", "library"],
            "error: --sites library needs the library in the data directory",
        ),
    ],
)
def test_bad_input_exits_2_with_one_clear_line(toy_dir, tmp_path, args, message, capsys):
    code, _, err = run_cli(
        "design",
        *args,
        "--model",
        str(toy_dir),
        "-o",
        str(tmp_path / "x.csv"),
        data_dir=tmp_path / "no_data",
        capsys=capsys,
    )
    assert (
        code == 2 and err.strip().splitlines()[-1].startswith(message) and not (tmp_path / "x.csv").exists()
    )


def test_the_table_is_a_real_xlsx_and_an_unknown_suffix_is_refused_before_loading(toy_dir, tmp_path, capsys):
    import openpyxl

    args = ("design", "edit", INTRON, "--high", "--edits", "1", "--model", str(toy_dir))
    assert run_cli(*args, "-o", str(tmp_path / "d.xlsx"), data_dir=tmp_path, capsys=capsys)[0] == 0
    assert run_cli(*args, "-o", str(tmp_path / "d.csv"), data_dir=tmp_path, capsys=capsys)[0] == 0
    rows = list(openpyxl.load_workbook(tmp_path / "d.xlsx").active.iter_rows(values_only=True))
    csv = pd.read_csv(tmp_path / "d.csv")
    assert list(rows[0]) == csv.columns.tolist() and [r[0] for r in rows[1:]] == csv["design"].tolist()
    assert [r[-2] for r in rows[1:]] == csv["sequence"].tolist()
    code, _, err = run_cli(
        "design",
        "edit",
        INTRON,
        "--high",
        "--model",
        str(tmp_path / "none"),
        "-o",
        str(tmp_path / "d.txt"),
        data_dir=tmp_path,
        capsys=capsys,
    )
    assert code == 2 and "d.txt: cannot write '.txt'; name it .csv or .xlsx" in err


@pytest.mark.parametrize(
    "outputs", [("-o", "nodir/d.csv"), ("-o", "d.csv", "--fasta", "nodir/d.fa")], ids=["table", "fasta"]
)
def test_a_missing_output_folder_is_named_before_the_model_loads(outputs, tmp_path, capsys):
    paths = [str(tmp_path / o) if i % 2 else o for i, o in enumerate(outputs)]
    args = ["design", "edit", INTRON, "--high", "--model", str(tmp_path / "no_model"), *paths]
    code, _, err = run_cli(*args, data_dir=tmp_path, capsys=capsys)
    assert code == 2 and f"{tmp_path / 'nodir'} does not exist" in err and "no_model" not in err


def test_the_unchanged_intron_gets_the_same_prediction_as_predict(toy_dir, tmp_path, capsys):
    (tmp_path / "in.fa").write_text(f">mine\n{INTRON}\n")
    files = [str(tmp_path / "in.fa"), "-o", str(tmp_path / "p.csv")]
    predicted = run_cli("predict", *files, "--model", str(toy_dir), data_dir=tmp_path, capsys=capsys)
    code, out, _ = run_cli(
        "design",
        "edit",
        INTRON,
        "--high",
        "--edits",
        "1",
        "--model",
        str(toy_dir),
        "-o",
        str(tmp_path / "d.csv"),
        data_dir=tmp_path,
        capsys=capsys,
    )
    assert (
        predicted[0] == 0
        and code == 0
        and "predicted ± spread: the mean and SD of every ensemble member" in out
    )
    scored, unchanged = pd.read_csv(tmp_path / "p.csv").iloc[0], pd.read_csv(tmp_path / "d.csv").iloc[0]
    assert unchanged["design"] == "edits-0" and unchanged["sequence"] == INTRON
    assert unchanged[["predicted", "spread"]].tolist() == pytest.approx(
        scored[["predicted_eff", "predicted_sd"]].tolist(), abs=1e-4
    )
    assert unchanged["search_mean"] != pytest.approx(
        unchanged["predicted"], abs=1e-3
    )  # a different number, named


def test_scratch_lengths_default_to_the_librarys_range():
    from toy_model import toy_predictor

    from splice_core.cli.design_commands import design_request
    from splice_core.cli.main import parser
    from splice_core.seq.intron_text import TRAINED_MAX

    args = parser().parse_args(["design", "scratch", "--target", "0.3", "-o", "d.csv"])
    assert design_request(args, toy_predictor(200), None).lengths == (80, TRAINED_MAX)
    args = parser().parse_args(["design", "scratch", "--target", "0.3", "--length", "60-90", "-o", "d.csv"])
    assert design_request(args, toy_predictor(200), None).lengths == (60, 90)
