"""``scan INTRON [--pairs]`` on the command line (toy model): the pair table of pairs.pair_effects, a bad intron refused."""

import io

import numpy as np
import pandas as pd
from toy_model import expected_members, install_toy_model, toy_weights

from splice_core.analysis.double_mutants import pair_count
from splice_core.cli import main as cli

INTRON = "GTATGTAACTAACTTTTTAG"


def test_scan_pairs_writes_every_double_mutant_with_its_epistasis(tmp_path, capsys):
    model = install_toy_model(tmp_path, 200)
    (tmp_path / "intron.fa").write_text(f">mine\n{INTRON}\n")
    assert (
        cli.main(
            [
                "--verbose",
                "scan",
                str(tmp_path / "intron.fa"),
                "--pairs",
                "-o",
                str(tmp_path / "pairs.csv"),
                "--model",
                str(model),
            ]
        )
        == 0
    )
    table = pd.read_csv(tmp_path / "pairs.csv")
    assert (
        len(table) == pair_count(len(INTRON))
        and f"wrote {len(table):,} double mutants of a 20-nt intron" in capsys.readouterr().out
    )
    row = table[table["mutation"] == "A3C+delC9"].iloc[0]
    predict = lambda seqs: expected_members(seqs, toy_weights(200)).mean(1)  # noqa: E731
    ref, pair, one, two = predict(
        [
            INTRON,
            INTRON[:2] + "C" + INTRON[3:8] + INTRON[9:],
            INTRON[:2] + "C" + INTRON[3:],
            INTRON[:8] + INTRON[9:],
        ]
    )
    np.testing.assert_allclose(
        [row["effect"], row["epistasis"]], [pair - ref, (pair - ref) - (one - ref) - (two - ref)], atol=1e-6
    )


def test_scan_without_pairs_writes_the_single_mutations_and_a_bad_intron_is_one_line(tmp_path, capsys):
    model = install_toy_model(tmp_path, 200)
    assert (
        cli.main(["--verbose", "scan", INTRON, "-o", str(tmp_path / "single.csv"), "--model", str(model)])
        == 0
    )
    assert len(pd.read_csv(tmp_path / "single.csv")) == 4 * len(INTRON)
    assert (
        cli.main(["--verbose", "scan", "GTAXG", "-o", str(tmp_path / "bad.csv"), "--model", str(model)]) == 2
    )
    assert "Only A, C, G, T/U and N are allowed" in capsys.readouterr().err


def test_scan_writes_a_real_xlsx_and_refuses_an_unknown_suffix_before_loading(tmp_path, capsys):
    import openpyxl

    model = install_toy_model(tmp_path, 200)
    assert cli.main(["--verbose", "scan", INTRON, "-o", str(tmp_path / "s.xlsx"), "--model", str(model)]) == 0
    rows = list(openpyxl.load_workbook(tmp_path / "s.xlsx").active.iter_rows(values_only=True))
    csv = pd.read_csv(io.StringIO(effects_csv(model, tmp_path)))
    assert list(rows[0]) == csv.columns.tolist() and len(rows) == len(csv) + 1
    assert [r[0] for r in rows[1:]] == csv.iloc[:, 0].tolist()
    capsys.readouterr()
    missing_model = str(tmp_path / "no_model")  # the suffix is refused before any model is looked for
    assert (
        cli.main(["--verbose", "scan", INTRON, "-o", str(tmp_path / "s.fa"), "--model", missing_model]) == 2
    )
    assert "s.fa: cannot write '.fa'; name it .csv or .xlsx" in capsys.readouterr().err
    assert not (tmp_path / "s.fa").exists()


def effects_csv(model, tmp_path) -> str:
    """The single-change table ``scan`` writes as CSV."""
    cli.main(["--verbose", "scan", INTRON, "-o", str(tmp_path / "s.csv"), "--model", str(model)])
    return (tmp_path / "s.csv").read_text()


def test_scan_names_a_missing_output_folder_before_loading(tmp_path, capsys):
    out = tmp_path / "nodir" / "s.csv"
    assert cli.main(["--verbose", "scan", INTRON, "-o", str(out), "--model", str(tmp_path / "no_model")]) == 2
    assert (
        capsys.readouterr().err.strip()
        == f"error: {out}: the folder {out.parent} does not exist; create it or write elsewhere"
    )


def test_scan_words_intron_problems_for_the_command_line_before_loading(tmp_path, capsys):
    (tmp_path / "two.fa").write_text(f">a\n{INTRON}\n>b\n{INTRON}\n")
    no_model = str(tmp_path / "no_model")
    for intron, message in [
        (str(tmp_path / "two.fa"), "Found 2 FASTA records: give one intron (predict scores a file of many)."),
        (
            "",
            "The intron is empty: give its sequence, or a file holding it (5' splice site first, 3' splice site last).",
        ),
    ]:
        assert (
            cli.main(["--verbose", "scan", intron, "-o", str(tmp_path / "s.csv"), "--model", no_model]) == 2
        )
        assert capsys.readouterr().err.strip() == f"error: {message}"
