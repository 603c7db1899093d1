"""Every sub-command given a missing file, a folder for a file, an unwritable output or an out-of-range option: one line, exit 2.

All the cases run in one fresh interpreter (fast), each through ``cli.main``, with TensorFlow and Keras made
unimportable there: a case that reaches for them fails, so each problem is named before any model loads.
"""

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from conftest import ROOT, make_library, small_filesystem

from splice_core.cli.main import SUBCOMMANDS, parser

GOOD = "GTATGTAAAATACTAACTTTTAG"


def case_table(t: Path) -> list[tuple[str, list[str], str]]:
    """(case id, argv, what the one line must say), over every sub-command; ``t`` holds the made-up files."""
    ro, file, folder, model, new = t / "ro", t / "in.csv", t / "folder", t / "model", t / "new"
    data = ["--data-dir", str(t / "data")]
    empty = ["--data-dir", str(t / "empty")]
    return [
        ("fetch data-dir is a file", ["fetch", "--data-dir", str(file)], f"{file}: is a file, not a folder"),
        ("fetch unwritable", ["fetch", "--data-dir", str(ro / "data")], f"{ro}/data: cannot write into {ro}"),
        ("train epochs -1", ["train", "--epochs", "-1", "--out", str(new)], "--epochs: must be at least 1, got -1"),
        ("train seeds 0", ["train", "--seeds", "0", "--out", str(new)], "--seeds: must be at least 1, got 0"),
        ("train out exists", ["train", *data, "--out", str(folder)], f"{folder}: already exists"),
        ("train unwritable", ["train", *data, "--out", str(ro / "m")], f"{ro}/m: cannot write into {ro}"),
        ("train out is a file", ["train", *data, "--out", str(file)], f"{file}: is a file, not a folder"),
        ("train no library", ["train", *empty, "--out", str(new)], f"{t}/empty: no splicing_library.csv"),
        ("evaluate missing", ["evaluate", str(t / "nope")], f"{t}/nope: no such model folder"),
        ("evaluate a file", ["evaluate", str(file)], f"{file}: is a file, not a model folder"),
        ("evaluate no card", ["evaluate", str(folder)], f"{folder}: not a model folder (it has no model_card.json)"),
        ("predict missing", ["predict", str(t / "no.csv"), "-o", str(t / "o.csv")], f"{t}/no.csv: no such file"),
        ("predict a folder", ["predict", str(folder), "-o", str(t / "o.csv")], f"{folder}: is a folder, not a file"),
        ("predict unwritable", ["predict", str(file), "-o", str(ro / "o.csv")], f"{ro}/o.csv: cannot write into"),
        ("predict out a folder", ["predict", str(file), "-o", str(t / "dir.csv")], f"{t}/dir.csv: is a folder"),
        ("predict no folder", ["predict", str(file), "-o", str(t / "x/o.csv")], f"the folder {t}/x does not exist"),
        ("predict header only", ["predict", str(t / "h.csv"), "-o", str(t / "o.csv")], "h.csv: no rows to score"),
        ("predict model missing", ["predict", str(file), "-o", str(t / "o.csv"), "--model", str(t / "nope")], "nope: no such model folder"),
        ("native model missing", ["native", "--model", str(t / "nope")], f"{t}/nope: no such model folder"),
        ("native unwritable", ["native", "--model", str(model), "--out", str(ro)], f"{ro}: cannot write into {ro}"),
        ("native out a file", ["native", "--model", str(model), "--out", str(file)], f"{file}: is a file, not a folder"),
        ("scan unwritable", ["scan", GOOD, "-o", str(ro / "s.csv")], f"{ro}/s.csv: cannot write into {ro}"),
        ("scan out a folder", ["scan", GOOD, "-o", str(t / "dir.csv")], f"{t}/dir.csv: is a folder"),
        ("scan model a file", ["scan", GOOD, "-o", str(t / "s.csv"), "--model", str(file)], "is a file, not a model folder"),
        ("sweep missing", ["sweep", str(t / "no.yaml")], f"{t}/no.yaml: no such file"),
        ("sweep a folder", ["sweep", str(folder)], f"{folder}: is a folder, not a file"),
        ("sweep unwritable", ["sweep", str(file), "--out", str(ro / "runs")], f"{ro}/runs: cannot write into {ro}"),
        ("reproduce seeds 0", ["reproduce", "--seeds", "0"], "--seeds: must be at least 1, got 0"),
        ("reproduce epochs -1", ["reproduce", "--epochs", "-1"], "--epochs: must be at least 1, got -1"),
        ("reproduce unwritable", ["reproduce", *data, "--out", str(ro / "runs")], f"{ro}/runs: cannot write into"),
        ("reproduce no library", ["reproduce", *empty, "--out", str(new)], f"{t}/empty: no splicing_library.csv"),
        ("ship seeds 0", ["ship", "--seeds", "0"], "--seeds: must be at least 1, got 0"),
        ("ship max-rows 0", ["ship", "--max-rows", "0"], "--max-rows: must be at least 1, got 0"),
        ("ship unwritable", ["ship", *data, "--out", str(ro / "p")], f"{ro}/p: cannot write into {ro}"),
        ("ship base missing", ["ship", *data, "--out", str(new), "--base-model", str(t / "nope")], "no such model folder"),
        ("design edits 1000", ["design", "edit", GOOD, "--high", "--edits", "1000", "-o", str(t / "d.csv")], "--edits: must be within 1..20, got 1000"),
        ("design target 1.5", ["design", "scratch", "--target", "1.5", "-o", str(t / "d.csv")], "--target: must be within 0.0..1.0, got 1.5"),
        ("design n 0", ["design", "scratch", "--target", "0.3", "--n", "0", "-o", str(t / "d.csv")], "--n: must be within 1..500, got 0"),
        ("design unwritable", ["design", "scratch", "--target", "0.3", "-o", str(ro / "d.csv")], f"{ro}/d.csv: cannot write into"),
        ("design fasta no folder", ["design", "scratch", "--target", "0.3", "-o", str(t / "d.csv"), "--fasta", str(t / "x/d.fa")], "does not exist"),
        ("design model missing", ["design", "scratch", "--target", "0.3", "-o", str(t / "d.csv"), "--model", str(t / "nope")], "no such model folder"),
        ("vcf missing", ["vcf", str(t / "no.vcf"), "-o", str(t / "o.vcf")], f"{t}/no.vcf: no such file"),
        ("vcf a folder", ["vcf", str(folder), "-o", str(t / "o.vcf")], f"{folder}: is a folder, not a file"),
        ("vcf unwritable", ["vcf", str(t / "in.vcf"), "-o", str(ro / "o.vcf")], f"{ro}/o.vcf: cannot write into"),
        ("vcf model missing", ["vcf", str(t / "in.vcf"), "-o", str(t / "o.vcf"), "--model", str(t / "nope")], "nope: no such model folder"),
        ("design edit no intron", ["design", "edit", "--high", "-o", str(t / "d.csv")], "design edit needs the intron"),
    ]  # fmt: skip


RUNNER = textwrap.dedent(
    """
    import contextlib, io, json, sys

    class NoTensorFlow:
        hit = False

        def find_spec(self, name, path=None, target=None):
            if name.split(".")[0] in ("tensorflow", "keras"):
                NoTensorFlow.hit = True
                raise ImportError(f"{name} imported before the problem was named")
            return None

    sys.meta_path.insert(0, NoTensorFlow())
    from splice_core.cli.main import main
    results = []
    for argv in json.loads(sys.argv[1]):
        NoTensorFlow.hit = False
        err, out = io.StringIO(), io.StringIO()
        with contextlib.redirect_stderr(err), contextlib.redirect_stdout(out):
            try:
                code = main(["--verbose", *argv])  # --verbose: errors go to sys.stderr, captured here
            except SystemExit as exit_:
                code = exit_.code
            except ImportError as error:
                code = repr(error)
        results.append({"code": code, "err": err.getvalue(), "out": out.getvalue(), "tf": NoTensorFlow.hit})
    print(json.dumps(results))
    """
)


@pytest.fixture(scope="module")
def outcomes(tmp_path_factory) -> dict[str, tuple[dict, str]]:
    """Case id -> (what main did: exit status, stderr, stdout, TensorFlow imported; the line expected)."""
    t = tmp_path_factory.mktemp("exit")
    (t / "in.csv").write_text(f"intron\n{GOOD}\n")
    (t / "h.csv").write_text("intron\n")
    (t / "in.vcf").write_text(
        "##fileformat=VCFv4.2\n#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\nchrI\t5\t.\tA\tC\t.\t.\t.\n"
    )
    (t / "folder").mkdir()
    (t / "dir.csv").mkdir()
    (t / "empty").mkdir()
    (t / "data").mkdir()
    make_library(n_designs=3).to_csv(t / "data" / "splicing_library.csv", index=False)
    (t / "model").mkdir()
    (t / "model" / "model_card.json").write_text('{"config": {"context": "intron"}}')
    table = case_table(t)
    with small_filesystem(t / "ro", 64, read_only=True):
        run = subprocess.run(
            [sys.executable, "-c", RUNNER, json.dumps([argv for _, argv, _ in table])],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=300,
        )
    assert run.returncode == 0, run.stderr
    assert not (t / "new").exists()  # nothing was made for a refused command
    return {name: (result, line) for (name, _, line), result in zip(table, json.loads(run.stdout))}


def case_ids() -> list[str]:
    """Every case's id (the table built over a placeholder folder)."""
    return [name for name, _, _ in case_table(Path("/t"))]


@pytest.mark.slow
@pytest.mark.parametrize("case", case_ids())
def test_one_line_exit_2_before_tensorflow(outcomes, case):
    result, expected = outcomes[case]
    lines = result["err"].strip().splitlines()
    assert result["code"] == 2 and len(lines) == 1, result
    assert lines[0].startswith("error: ") and expected in lines[0], lines[0]
    assert "Traceback" not in result["err"] and not result["out"]
    assert not result["tf"], "TensorFlow was imported before the problem was named"


def test_the_table_covers_every_sub_command():
    commands = {argv[0] for _, argv, _ in case_table(Path("/t"))}
    sub = next(a for a in parser()._actions if a.__class__.__name__ == "_SubParsersAction")
    assert commands == set(sub.choices) and len(sub.choices) == len(SUBCOMMANDS)


@pytest.mark.slow
@pytest.mark.parametrize("suffix", ["csv", "xlsx", "fa"])
def test_predict_on_a_full_disk_says_so_in_one_line_and_keeps_the_earlier_output(tmp_path, capsys, suffix):
    from conftest import fill_filesystem
    from toy_model import linear_model, toy_card, toy_weights

    from splice_core.cli.main import main
    from splice_core.models.store import save_model_dir

    model = save_model_dir(tmp_path / "model", linear_model(toy_weights(40)), toy_card())
    (tmp_path / "in.csv").write_text("intron\n" + f"{GOOD}\n" * 20_000)
    with small_filesystem(tmp_path / "disk", 256) as disk:
        out = disk / f"scored.{suffix}"
        out.write_text("the earlier output")
        fill_filesystem(disk)
        (disk / "filler").write_bytes(b"\0" * 100_000)  # room for a start, not for the whole output
        code = main(["--verbose", "predict", str(tmp_path / "in.csv"), "-o", str(out), "--model", str(model)])
        lines = capsys.readouterr().err.strip().splitlines()  # the progress bar's line, then the error
        assert code == 2 and [line for line in lines if line.startswith("error:")] == lines[-1:], lines
        assert lines[-1].startswith(f"error: no space left on the device writing {out}: nothing was written")
        assert out.read_text() == "the earlier output"
        assert sorted(p.name for p in disk.iterdir()) == ["filler", out.name]  # no partial file


def test_train_on_a_full_disk_says_so_in_one_line_and_saves_nothing(tiny_data_dir, tmp_path, capsys):
    from conftest import fill_filesystem

    from splice_core.cli.main import main

    recipe = ["--architecture", "cnn_res1", "--context", "intron"]
    args = [*recipe, "--epochs", "1", "--seeds", "1", "--max-rows", "200"]
    with small_filesystem(tmp_path / "disk", 256) as disk:
        (disk / "models").mkdir()
        (disk / "models" / "earlier").mkdir()
        (disk / "models" / "earlier" / "model_card.json").write_text("{}")
        fill_filesystem(disk)
        code = main(
            ["--verbose", "--data-dir", str(tiny_data_dir), "train", *args, "--out", str(disk / "models/new")]
        )
        lines = capsys.readouterr().err.strip().splitlines()
        assert code == 2 and lines[-1].startswith("error: no space left on the device"), lines[-3:]
        assert [p.name for p in (disk / "models").iterdir()] == ["earlier"]
        assert (disk / "models" / "earlier" / "model_card.json").read_text() == "{}"
