"""``scan INTRON [--pairs]`` on the command line (toy model): the pair table of pairs.pair_effects, a bad intron refused."""

import numpy as np
import pandas as pd
from toy_model import expected_members, install_toy_model, toy_weights

from splice_core import cli
from splice_core.pairs import pair_count

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
