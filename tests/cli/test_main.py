"""cli main: every sub-command end to end on tiny made-up data, in a subprocess like a user runs it."""

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import ROOT, make_library

pytestmark = pytest.mark.slow  # see pytest.ini: the quick tier leaves these out


def run_cli(*args: str, data_dir: Path) -> subprocess.CompletedProcess:
    """``python -m splice_core ARGS`` with the data directory set; output captured."""
    env = {**os.environ, "SPLICE_DATA_DIR": str(data_dir)}
    return subprocess.run(
        [sys.executable, "-m", "splice_core", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )


@pytest.fixture(scope="module")
def trained(tmp_path_factory) -> tuple[Path, Path]:
    """(data directory, model directory) after ``train`` on the tiny library."""
    from conftest import make_wildtype

    root = tmp_path_factory.mktemp("cli")
    data = root / "data"
    data.mkdir()
    make_library().to_csv(data / "splicing_library.csv", index=False)
    make_wildtype().to_csv(data / "wildtype_introns.csv", index=False)
    out = root / "model"
    result = run_cli(
        "train",
        "--architecture",
        "cnn_res1",
        "--context",
        "intron",
        "--epochs",
        "1",
        "--seeds",
        "1",
        "--loss",
        "bce",
        "--mixed-weighting",
        "--construct-mean-labels",
        "--cryptic-weight",
        "0.5",
        "--out",
        str(out),
        data_dir=data,
    )
    assert result.returncode == 0, result.stderr
    assert (
        "saved" in result.stdout and (out / "model.keras").is_file() and (out / "model_card.json").is_file()
    )
    config = json.loads((out / "model_card.json").read_text())["config"]
    assert (
        config["loss"] == "bce"
        and config["mixed_weighting"] is True
        and config["construct_mean_labels"] is True
    )
    assert config["cryptic_weight"] == 0.5
    return data, out


def test_evaluate_prints_metrics_per_part(trained):
    data, model = trained
    result = run_cli("evaluate", str(model), data_dir=data)
    assert result.returncode == 0, result.stderr
    assert '"test"' in result.stdout and "balanced_mse" in result.stdout and "synthetic" in result.stdout


def test_predict_library_format_without_measured_columns_keeps_order(trained, tmp_path):
    _data, model = trained
    frame = make_library(6, seed=5).drop(columns=["splicing_eff"])
    frame.loc[2, "intron_seq"] = "GTAXXXAG"
    frame.to_csv(tmp_path / "in.csv", index=False)
    result = run_cli(
        "predict",
        str(tmp_path / "in.csv"),
        "-o",
        str(tmp_path / "out.csv"),
        "--model",
        str(model),
        data_dir=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    out = pd.read_csv(tmp_path / "out.csv", keep_default_na=False)
    assert list(out["BC"]) == list(frame["BC"])
    assert out.loc[2, "error"] != "" and out.loc[2, "predicted_eff"] == ""
    scored = out.drop(index=2)
    assert (scored["error"] == "").all() and scored["predicted_eff"].astype(float).between(0, 1).all()
    assert "1 rows have an error" in result.stdout


def test_predict_fasta(trained, tmp_path):
    _data, model = trained
    (tmp_path / "in.fa").write_text(">one\nGTATGTAAAATACTAACTTTTAG\n>two\nGUAUGUAAAAUACUAACUUUUAG\n")
    result = run_cli(
        "predict",
        str(tmp_path / "in.fa"),
        "-o",
        str(tmp_path / "out.csv"),
        "--model",
        str(model),
        data_dir=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    out = pd.read_csv(tmp_path / "out.csv")
    assert list(out["id"]) == ["one", "two"]
    assert out["predicted_eff"].iloc[0] == pytest.approx(out["predicted_eff"].iloc[1])  # RNA reads as DNA


def test_bad_input_is_one_clear_line(tmp_path):
    (tmp_path / "bad.csv").write_text("name,value\na,1\n")
    result = run_cli("predict", str(tmp_path / "bad.csv"), "-o", str(tmp_path / "o.csv"), data_dir=tmp_path)
    assert result.returncode == 2
    last = result.stderr.strip().splitlines()[-1]  # TensorFlow's own start-up log lines may come first
    assert last.startswith("error:") and "bad.csv" in last and "Traceback" not in result.stderr


def test_train_without_data_says_where(tmp_path):
    result = run_cli("train", "--out", str(tmp_path / "m"), data_dir=tmp_path / "nowhere")
    assert result.returncode == 2 and "nowhere" in result.stderr and "Traceback" not in result.stderr


def test_reproduce_writes_markdown_and_csv(tiny_data_dir, tmp_path):
    result = run_cli(
        "reproduce", "--seeds", "1", "--epochs", "1", "--out", str(tmp_path / "runs"), data_dir=tiny_data_dir
    )
    assert result.returncode == 0, result.stderr
    table = pd.read_csv(tmp_path / "runs" / "reproduce.csv")
    assert list(table["model"][:3]) == ["all zeros", "uniform random", "PWM baseline"]
    assert {"cnn_res1", "cnn_res1_conv", "cnn_res4", "cnn_stacked", "bilstm"} <= set(table["model"])
    assert {"study_parameters", "test_balanced_mse", "test_spearman", "seconds"} <= set(table.columns)
    assert "| model |" in (tmp_path / "runs" / "reproduce.md").read_text()


# --- predict with toy models (no training), output formats, exit status, help ------------------------------------

GOOD = ["GTATGTAAAATACTAACTTTTAG", "GTACGTCCCCCCTACTAACAAACAG"]


@pytest.fixture(scope="module")
def toy_models(tmp_path_factory) -> dict[str, Path]:
    """Toy linear models saved as model directories: one reading the intron, one the 120-nt windows of the design."""
    from toy_model import linear_model, toy_card, toy_weights

    from splice_core.models.store import save_model_dir

    root = tmp_path_factory.mktemp("toys")
    return {
        "intron": save_model_dir(root / "intron", linear_model(toy_weights(40)), toy_card("intron")),
        "windows": save_model_dir(root / "windows", linear_model(toy_weights(120)), toy_card("windows")),
    }


def test_predict_with_a_windows_model_reads_the_design_from_the_data_directory(
    toy_models, tiny_data_dir, tmp_path
):
    from splice_core.data.contexts import library_to_template
    from splice_core.data.library import read_library
    from splice_core.predict.predictor import load_predictor

    (tmp_path / "in.fa").write_text(f">a\n{GOOD[0]}\n>b\n{GOOD[1]}\n")
    result = run_cli(
        "predict",
        str(tmp_path / "in.fa"),
        "-o",
        str(tmp_path / "out.csv"),
        "--model",
        str(toy_models["windows"]),
        data_dir=tiny_data_dir,
    )
    assert result.returncode == 0, result.stderr
    expected = load_predictor(toy_models["windows"]).predict_introns(
        GOOD, template=library_to_template(read_library(tiny_data_dir))
    )
    np.testing.assert_allclose(pd.read_csv(tmp_path / "out.csv")["predicted_eff"], expected, atol=1e-6)
    missing = run_cli(
        "predict",
        str(tmp_path / "in.fa"),
        "-o",
        str(tmp_path / "o.csv"),
        "--model",
        str(toy_models["windows"]),
        data_dir=tmp_path / "none",
    )
    assert (
        missing.returncode == 2
        and "error: a 'windows' model needs the library's oligo design" in missing.stderr
    )


def test_predict_writes_a_real_xlsx_and_fasta(toy_models, tmp_path):
    import openpyxl

    (tmp_path / "in.csv").write_text("name,intron\nx," + GOOD[0] + "\ny," + GOOD[1] + "\n")
    for name in ("out.xlsx", "out.fasta"):
        result = run_cli(
            "predict",
            str(tmp_path / "in.csv"),
            "-o",
            str(tmp_path / name),
            "--model",
            str(toy_models["intron"]),
            data_dir=tmp_path,
        )
        assert result.returncode == 0, result.stderr
    sheet = openpyxl.load_workbook(tmp_path / "out.xlsx").active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("name", "intron", "predicted_eff") and [r[0] for r in rows[1:]] == ["x", "y"]
    fasta = (tmp_path / "out.fasta").read_text().splitlines()
    assert (
        fasta[0].startswith(">row1 predicted_eff=")
        and fasta[1] == GOOD[0]
        and fasta[2].startswith(">row2 predicted_eff=")
    )


def test_predict_refuses_an_unknown_suffix_before_loading(toy_models, tmp_path):
    (tmp_path / "in.fa").write_text(f">a\n{GOOD[0]}\n")
    result = run_cli(
        "predict",
        str(tmp_path / "in.fa"),
        "-o",
        str(tmp_path / "out.json"),
        "--model",
        str(toy_models["intron"]),
        data_dir=tmp_path,
    )
    assert (
        result.returncode == 2 and "cannot write '.json'; name it .csv, .xlsx or .fa/.fasta" in result.stderr
    )
    assert not (tmp_path / "out.json").exists()


def test_predict_exits_1_when_no_row_is_scored_and_keeps_tensorflows_log_off_the_terminal(
    toy_models, tmp_path
):
    (tmp_path / "in.csv").write_text("intron\nACGT123!!\nGTAXG\n")
    result = run_cli(
        "predict",
        str(tmp_path / "in.csv"),
        "-o",
        str(tmp_path / "out.csv"),
        "--model",
        str(toy_models["intron"]),
        data_dir=tmp_path,
    )
    assert result.returncode == 1 and "scored 0 of 2 rows" in result.stdout
    assert result.stderr.strip().splitlines()[-1].startswith("error: no row could be scored")
    errors = pd.read_csv(tmp_path / "out.csv")["error"]
    assert "found '1' at 5, '2' at 6, '3' at 7, '!' at 8, '!' at 9" in errors[0]
    assert "I0000" not in result.stderr and "oneDNN" not in result.stderr and "absl" not in result.stderr


def test_help_needs_no_tensorflow_and_every_option_and_command_is_explained():
    code = (
        "import sys, argparse\n"
        "from splice_core.cli.main import parser\n"
        "top = parser()\n"
        "sub = next(a for a in top._actions if isinstance(a, argparse._SubParsersAction))\n"
        "missing = [f'{n} {a.dest}' for n, p in [('', top), *sub.choices.items()] for a in p._actions if not a.help]\n"
        "no_example = [n for n, p in sub.choices.items() if 'example:' not in (p.epilog or '')]\n"
        "print(sorted(sub.choices), missing, no_example, 'tensorflow' in sys.modules, 'keras' in sys.modules, 'pandas' in sys.modules)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split("] ", 1)[1].strip() == "[] [] False False False"
    shown = run_cli("train", "--help", data_dir=Path("."))
    assert (
        shown.returncode == 0
        and "example:\n  python -m splice_core train" in shown.stdout
        and "--cryptic-weight" in shown.stdout
    )


def long_intron(length: int) -> str:
    """A made-up intron of ``length`` nt: consensus sites, an AT-rich repeat between them."""
    body = ("ATTTCGATATTAAGCTTTATCAAATTTTTGCAT" * (length // 33 + 1))[: length - 6 - 30]
    return "GTATGT" + body + "TTTTACTAACACGTTTGCATCCTTTGCATAG"[-30:]


def test_predict_takes_a_2000_nt_intron_and_refuses_a_longer_one(trained, tmp_path):
    _data, model = trained
    (tmp_path / "in.fa").write_text(f">long\n{long_intron(2000)}\n>too_long\n{long_intron(2001)}\n")
    result = run_cli(
        "predict",
        str(tmp_path / "in.fa"),
        "-o",
        str(tmp_path / "out.csv"),
        "--model",
        str(model),
        data_dir=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    out = pd.read_csv(tmp_path / "out.csv", keep_default_na=False)
    assert (
        0 <= float(out.loc[0, "predicted_eff"]) <= 1
        and out.loc[0, "error"] == ""
        and "148-nt views" in out.loc[0, "warning"]
    )
    assert out.loc[1, "predicted_eff"] == "" and out.loc[1, "error"].startswith(
        "Too long (2,001 nt): introns of at most 2,000 nt"
    )
    assert "scored 1 of 2 rows" in result.stdout


def test_native_writes_the_aggregates_into_the_model_directory(trained, tmp_path):
    data, model = trained
    result = run_cli("native", "--model", str(model), "--out", str(tmp_path), data_dir=data)
    assert result.returncode == 0, result.stderr
    summary = json.loads((tmp_path / "native_summary.json").read_text())
    assert summary["n_scored"] == summary["n_introns"] == 40 and sum(summary["histogram"]["counts"]) == 40
    assert "scored 40 of 40 introns" in result.stdout and "read through views" in result.stdout


@pytest.mark.parametrize(
    "make_input, output, message",
    [
        (None, "out.csv", "in.csv: no such file"),
        ("in.tsv", "out.csv", "in.tsv: unknown file type '.tsv'"),
        ("in.csv", "nodir/out.csv", "nodir/out.csv: the folder"),
        ("in.csv", "out.json", "out.json: cannot write '.json'"),
    ],
)
def test_predict_names_input_and_output_problems_before_the_model_loads(
    make_input, output, message, tmp_path, capsys
):
    from splice_core.cli.main import main

    name = make_input or "in.csv"
    if make_input:
        (tmp_path / name).write_text(f"intron\n{GOOD[0]}\n")
    no_model = str(tmp_path / "no_model")  # loading it would fail: every problem below is found first
    code = main(
        ["--verbose", "predict", str(tmp_path / name), "-o", str(tmp_path / output), "--model", no_model]
    )
    lines = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and len(lines) == 1 and lines[0].startswith(f"error: {tmp_path}/{message}")
    assert ".partial" not in lines[0] and "no_model" not in lines[0]


def test_predict_reads_a_semicolon_table_with_a_capitalised_header(toy_models, tmp_path, capsys):
    from toy_model import expected_members, toy_weights

    from splice_core.cli.main import main

    (tmp_path / "in.csv").write_text(f"Name;Sequence\na;{GOOD[0]}\nb;{GOOD[1]}\n")
    args = ["--verbose", "predict", str(tmp_path / "in.csv"), "-o", str(tmp_path / "out.csv")]
    assert main([*args, "--model", str(toy_models["intron"])]) == 0, capsys.readouterr().err
    scored = pd.read_csv(tmp_path / "out.csv")
    assert scored.columns.tolist()[:2] == ["Name", "Sequence"] and scored["Name"].tolist() == ["a", "b"]
    np.testing.assert_allclose(
        scored["predicted_eff"], expected_members(GOOD, toy_weights(40)).mean(1), atol=1e-6
    )


def test_every_help_example_parses_and_global_options_go_before_or_after_the_command():
    import argparse
    import shlex

    from splice_core.cli.data_commands import cmd_fetch
    from splice_core.cli.main import parser

    top = parser()
    sub = next(a for a in top._actions if isinstance(a, argparse._SubParsersAction))
    examples = [top.epilog, *(p.epilog for p in sub.choices.values())]
    for epilog in examples:
        line = epilog.split("example:\n  ", 1)[1].splitlines()[0]
        args = shlex.split(line.removeprefix("python -m splice_core "))
        assert top.parse_args(args).command == args[0]  # argparse exits 2 on an example it refuses
    assert len(examples) == len(sub.choices) + 1
    for argv, data_dir, verbose in [
        (["fetch", "--data-dir", "data"], Path("data"), False),
        (["--data-dir", "a", "--verbose", "fetch"], Path("a"), True),
        (["--data-dir", "a", "fetch", "--data-dir", "b", "--verbose"], Path("b"), True),
        (["fetch"], None, False),
    ]:
        args = top.parse_args(argv)
        assert (args.func, args.data_dir, args.verbose) == (cmd_fetch, data_dir, verbose)
