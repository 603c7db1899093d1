"""Command line: one sub-command per task (fetch, train, evaluate, predict, reproduce, ship, design).

Each sub-command is an ``add_<name>(sub)`` function that registers its parser (help, options, an example)
and its ``cmd_<name>(args)``; :data:`SUBCOMMANDS` lists them. Heavy modules (pandas, TensorFlow) are imported
inside the ``cmd_`` functions only, so ``--help`` answers at once.
"""

import argparse
import contextlib
import errno
import io
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

from .intron_input import Wording
from .options import ARCHITECTURES, CONTEXTS, LOSSES, OUTPUTS
from .unused_imports import skip_unused_imports

MODULE_PROG = "python -m splice_core"
SCRIPT_PROG = "splice-predict"  # the command pyproject.toml installs
DEFAULT_OUT = Path("runs")
CLI_WORDING = Wording(
    "give one intron (predict scores a file of many)",
    "give its sequence, or a file holding it (5' splice site first, 3' splice site last)",
)


def prog_name() -> str:
    """How the user called the CLI: ``splice-predict`` when installed as that command, else ``python -m splice_core``."""
    return SCRIPT_PROG if Path(sys.argv[0]).name == SCRIPT_PROG else MODULE_PROG


def global_options(after_command: bool = False) -> argparse.ArgumentParser:
    """The options every command takes, before its name or after it.

    After it (``after_command``) an option left out sets nothing, so one given before the name is kept.
    """
    options = argparse.ArgumentParser(add_help=False)
    unset = argparse.SUPPRESS if after_command else None
    options.add_argument(
        "--data-dir",
        type=Path,
        default=unset,
        help="data directory (default: $SPLICE_DATA_DIR or data/)",
    )
    options.add_argument(
        "--verbose",
        action="store_true",
        default=unset if after_command else False,
        help="show TensorFlow's own start-up and device log lines",
    )
    return options


def command(sub, name: str, help: str, example: str) -> argparse.ArgumentParser:
    """A sub-command parser with its help, the global options and an example shown under ``--help``."""
    return sub.add_parser(
        name,
        help=help,
        description=help[0].upper() + help[1:] + ".",
        epilog=f"example:\n  {prog_name()} {example}",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        parents=[global_options(after_command=True)],
    )


class OneLineParser(argparse.ArgumentParser):
    """An argument parser whose every error is one line (the problem, then where the help is), exit status 2."""

    def error(self, message: str):
        """Print the problem on one line and exit 2."""
        self.exit(2, f"error: {message} (see {self.prog} --help)\n")


def bounded(kind: type = int, low: float | None = None, high: float | None = None) -> Callable[[str], float]:
    """An argparse type: the text as ``kind``, refused (one line, exit 2) outside ``low``..``high``."""

    def parse(text: str):
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(
                f"expected {'a whole number' if kind is int else 'a number'}, got {text!r}"
            ) from None
        if (low is not None and value < low) or (high is not None and value > high):
            span = f"at least {low}" if high is None else f"within {low}..{high}"
            raise argparse.ArgumentTypeError(f"must be {span}, got {text}")
        return value

    return parse


def edit_count(text: str) -> int:
    """``--edits``: a whole number within 1 and the design search's most edits."""
    from .design import MAX_EDITS

    return bounded(int, 1, MAX_EDITS)(text)


def design_count(text: str) -> int:
    """``--n``: a whole number within 1 and the most designs one search makes."""
    from .design import MAX_DESIGNS

    return bounded(int, 1, MAX_DESIGNS)(text)


def check_model_option(path: Path | None) -> None:
    """An OSError when a ``--model``-like option names no model folder (None: the default model, not checked)."""
    from .path_checks import check_model_folder

    if path is not None:
        check_model_folder(path)


def check_library(directory: Path | None) -> None:
    """FileNotFoundError, before any training, when the data directory holds no library."""
    from .library import LIBRARY_FILES, data_dir, library_path

    if library_path(directory) is None:
        raise FileNotFoundError(
            f"{data_dir(directory)}: no {' or '.join(LIBRARY_FILES)} in the data directory "
            f"({prog_name()} fetch gets it, or set --data-dir / $SPLICE_DATA_DIR)"
        )


SHARE = bounded(float, 0.0, 1.0)  # an efficiency or a share: 0..1
AT_LEAST_1 = bounded(int, 1)


def cmd_fetch(args) -> int:
    """Download the original data files."""
    from .fetch import fetch_all
    from .library import data_dir
    from .path_checks import check_output_folder

    check_output_folder(data_dir(args.data_dir))
    for path in fetch_all(args.data_dir):
        print(f"wrote {path}")
    print("data directory ready")
    return 0


def add_fetch(sub) -> None:
    """The ``fetch`` sub-command."""
    command(
        sub, "fetch", "download the original data files into the data directory", "fetch --data-dir data"
    ).set_defaults(func=cmd_fetch)


def config_from_args(args):
    """A TrainConfig from command-line options."""
    from .training import TrainConfig

    return TrainConfig(
        architecture=args.architecture,
        context=args.context,
        rebalance=not args.no_rebalance,
        epochs=args.epochs,
        n_seeds=args.seeds,
        learning_rate=args.learning_rate,
        lr_decay=args.lr_decay,
        batch_size=args.batch_size,
        output=args.output,
        patience=args.patience,
        split_seed=args.split_seed,
        ensemble=args.ensemble,
        max_rows=args.max_rows,
        loss=args.loss,
        mixed_weighting=args.mixed_weighting,
        design_mean_labels=args.design_mean_labels,
        cryptic_weight=args.cryptic_weight,
    )


def cmd_train(args) -> int:
    """Train one configuration into a model directory."""
    from .path_checks import check_output_folder

    check_output_folder(args.out, new=True)  # before TensorFlow is imported
    check_library(args.data_dir)
    from .cli_progress import EpochProgress, progress_bar
    from .experiment import run_training
    from .model_store import save_model_dir

    config = config_from_args(args)
    with progress_bar() as bar:
        model, card = run_training(
            config, args.data_dir, on_epoch_end=EpochProgress(bar, config.n_seeds * config.epochs)
        )
    path = save_model_dir(args.out, model, card)
    test = card["metrics"]["test"]
    print(
        f"saved {path}: test MSE {test['mse']:.4f}, balanced MSE {test['balanced_mse']:.4f}, Pearson {test['pearson']:.3f}"
    )
    return 0


def add_train(sub) -> None:
    """The ``train`` sub-command."""
    train = command(
        sub,
        "train",
        "train one configuration into a new model directory",
        "train --architecture site_aware_cnn --context intron --loss bce --seeds 2 --ensemble --out models/my-model",
    )
    train.add_argument(
        "--architecture",
        choices=ARCHITECTURES,
        default="cnn_res1_conv",
        help="model architecture (default: %(default)s)",
    )
    train.add_argument(
        "--context",
        choices=CONTEXTS,
        default="windows",
        help="sequence the model reads: the intron alone, or the library's oligo design around it (default: %(default)s)",
    )
    train.add_argument(
        "--no-rebalance",
        action="store_true",
        help="train unweighted (default: [0, 0.1) and [0.1, 1] weigh equally)",
    )
    train.add_argument(
        "--epochs",
        type=AT_LEAST_1,
        default=20,
        help="at most this many epochs per seed; early stopping on dev (default: %(default)s)",
    )
    train.add_argument(
        "--seeds",
        type=AT_LEAST_1,
        default=5,
        help="random seeds trained; the best on dev is kept unless --ensemble (default: %(default)s)",
    )
    train.add_argument(
        "--learning-rate", type=float, default=1e-3, help="Adam learning rate (default: %(default)s)"
    )
    train.add_argument(
        "--lr-decay",
        type=float,
        default=0.01,
        help="inverse-time decay of the learning rate per step (default: %(default)s)",
    )
    train.add_argument(
        "--batch-size", type=AT_LEAST_1, default=64, help="training batch size (default: %(default)s)"
    )
    train.add_argument(
        "--output", choices=OUTPUTS, default="sigmoid", help="output activation (default: %(default)s)"
    )
    train.add_argument(
        "--patience",
        type=bounded(int, 0),
        default=2,
        help="epochs without a better dev loss before a seed stops (default: %(default)s)",
    )
    train.add_argument(
        "--split-seed",
        type=int,
        default=0,
        help="seed of the design-grouped 90/5/5 split (default: %(default)s)",
    )
    train.add_argument("--ensemble", action="store_true", help="keep every seed as an ensemble member")
    train.add_argument(
        "--max-rows", type=AT_LEAST_1, default=None, help="train on a sample of about this many rows"
    )
    train.add_argument(
        "--loss",
        choices=list(LOSSES),
        default="mse",
        help="mse (the reference study's) or bce (binary cross-entropy) (default: %(default)s)",
    )
    train.add_argument(
        "--mixed-weighting", action="store_true", help="every other seed trains unweighted (not rebalanced)"
    )
    train.add_argument(
        "--design-mean-labels", action="store_true", help="train on each design's mean over its barcodes"
    )
    train.add_argument(
        "--cryptic-weight",
        type=bounded(float, 0.0),
        default=0.0,
        help="train a second head on cryptic splicing efficiency, its loss weighted by this (0 = off)",
    )
    train.add_argument("--out", type=Path, required=True, help="new model directory (must not exist)")
    train.set_defaults(func=cmd_train)


def cmd_evaluate(args) -> int:
    """Re-score a model directory on its own saved split of the data directory."""
    import json

    from .library import read_library, read_reporter, usable_rows

    check_model_option(args.model_dir)
    frame = usable_rows(read_library(args.data_dir))  # a data problem is named before TensorFlow is imported
    from .contexts import library_to_one_hot
    from .evaluation import metrics_by_part, per_library_table
    from .predictor import load_predictor
    from .splits import barcodes_to_split

    predictor = load_predictor(args.model_dir)
    parts = barcodes_to_split(frame, predictor.card["split"]["barcodes"])
    reporter = read_reporter(args.data_dir) if predictor.context == "full" else None
    pred = predictor.predict(library_to_one_hot(frame, predictor.context, reporter))
    print(json.dumps(metrics_by_part(frame, parts, pred), indent=1))
    print(per_library_table(frame, parts, pred).round(4).to_string())
    return 0


def add_evaluate(sub) -> None:
    """The ``evaluate`` sub-command."""
    evaluate = command(
        sub,
        "evaluate",
        "score a model directory on its own saved split of the data",
        "evaluate models/my-model",
    )
    evaluate.add_argument("model_dir", type=Path, help="model directory (model.keras + model_card.json)")
    evaluate.set_defaults(func=cmd_evaluate)


def cmd_predict(args) -> int:
    """Score a CSV, xlsx or FASTA file of introns; exit 1 when no row could be scored."""
    from .batch import check_input_file, checked_output, score_file
    from .cli_progress import progress_bar
    from .design_inputs import data_dir_loaders, design_inputs
    from .model_store import active_model_path, card_context, read_card

    check_input_file(args.input)  # input and output problems are named before the model loads
    checked_output(args.output)
    check_model_option(args.model)
    model_path = Path(args.model or active_model_path())
    if args.ray is None:
        from .predictor import load_predictor

        predictor = load_predictor(model_path)
        card = predictor.card
    else:
        card = read_card(model_path)  # the Ray driver never loads the model: the workers do
    design = design_inputs(card_context(card), data_dir_loaders(args.data_dir))
    with progress_bar() as bar:
        task = bar.add_task("scoring", total=1.0)

        def on_progress(fraction: float, rows: int) -> None:
            bar.update(task, completed=fraction, description=f"scoring ({rows:,} rows)")

        if args.ray is None:
            summary = score_file(predictor, args.input, args.output, **design, on_progress=on_progress)
        else:
            summary = score_on_ray(model_path, args, design, on_progress)
    n_bad = summary.n_rows - summary.n_scored
    print(
        f"scored {summary.n_scored} of {summary.n_rows} rows into {args.output}"
        + (f"; {n_bad} rows have an error" if n_bad else "")
    )
    if summary.n_scored == 0:
        print(
            f"error: no row could be scored (each row's reason is in the error column of {args.output})",
            file=sys.stderr,
        )
        return 1
    return 0


def score_on_ray(model_path: Path, args, design: dict, on_progress):
    """``predict --ray``: the input scored on a Ray cluster (``--ray ADDRESS`` or ``$RAY_ADDRESS``; else a local Ray)."""
    from .ray_batch import score_file_on_ray
    from .ray_cluster import connect, disconnect

    started = connect(args.ray or None)
    try:
        return score_file_on_ray(model_path, args.input, args.output, design, on_progress=on_progress)
    finally:
        disconnect(started)


def cmd_native(args) -> int:
    """Score every annotated S. cerevisiae intron; write the aggregates (no rows) into the model directory."""
    from .library import read_wildtype
    from .model_store import PRETRAINED_DIR
    from .native import native_summary, score_native, write_native_summary
    from .path_checks import check_output_folder

    check_model_option(args.model)
    if args.out is not None:
        check_output_folder(args.out)
    wildtype = read_wildtype(args.data_dir)  # named before TensorFlow is imported
    from .predictor import load_predictor

    predictor = load_predictor(args.model or PRETRAINED_DIR)
    start = time.perf_counter()
    table = score_native(predictor, wildtype)
    seconds = time.perf_counter() - start
    summary = native_summary(table, predictor)
    path = write_native_summary(summary, args.out or predictor.path)
    stats = summary["stats"]
    print(
        f"scored {summary['n_scored']} of {summary['n_introns']} introns ({summary['length_range'][0]}–{summary['length_range'][1]} nt; "
        f"{summary['n_read_through_views']} read through views) in {seconds:.1f} s: mean {stats['mean']:.3f}, median {stats['median']:.3f}"
    )
    for band in summary["bands"]:
        print(
            f"  {band['band']:>20}: {band['n']:3d} introns"
            + (f", mean {band['mean']:.3f}" if band["n"] else "")
        )
    print(f"wrote {path}")
    return 0


def add_native(sub) -> None:
    """The ``native`` sub-command."""
    native = command(
        sub,
        "native",
        "score every annotated yeast intron; write native_summary.json (aggregates only, no rows)",
        "native --model pretrained",
    )
    native.add_argument(
        "--model", type=Path, default=None, help="model directory (default: the shipped model, pretrained/)"
    )
    native.add_argument(
        "--out", type=Path, default=None, help="directory for native_summary.json (default: the model's)"
    )
    native.set_defaults(func=cmd_native)


def add_predict(sub) -> None:
    """The ``predict`` sub-command."""
    predict = command(
        sub,
        "predict",
        "score a CSV, xlsx or FASTA file of introns (any size, streamed)",
        "predict introns.fa -o scored.xlsx",
    )
    predict.add_argument(
        "input",
        type=Path,
        help="FASTA (.fa/.fasta/.fna, or .txt starting with '>'), or a table (CSV or .txt separated by commas, "
        "semicolons or tabs, or xlsx) with an intron_seq (or intron, sequence; any case) column",
    )
    predict.add_argument(
        "-o",
        "--output",
        type=Path,
        required=True,
        help="output file; its suffix picks the format: .csv, .xlsx, or .fa/.fasta (scores in each header)",
    )
    predict.add_argument(
        "--model", type=Path, default=None, help="model directory (default: the active model)"
    )
    predict.add_argument(
        "--ray",
        nargs="?",
        const="",
        default=None,
        metavar="ADDRESS",
        help="score on Ray, one model replica per worker (GPU workers when the cluster has them): the cluster at ADDRESS, "
        "else $RAY_ADDRESS, else a local Ray on this machine (the input is read on this machine's Ray node)",
    )
    predict.set_defaults(func=cmd_predict)


def cmd_vcf(args) -> int:
    """Score every VCF record that overlaps an annotated intron; write the VCF back with the scores in INFO."""
    from .batch import TABLE_FORMATS, checked_output
    from .cli_progress import progress_bar
    from .design_inputs import data_dir_loaders, design_inputs
    from .intron_annotation import annotated_introns
    from .model_store import active_model_path
    from .path_checks import check_input_path, check_output_file
    from .vcf import EntryScorer, open_vcf, score_vcf, vcf_output_kind

    # input, output, model and annotation problems are named before the model loads
    check_input_path(args.input)
    vcf_output_kind(args.output)
    check_output_file(args.output)
    check_model_option(args.model)
    open_vcf(args.input).close()
    for table in (args.table, args.haplotypes):
        if table is not None:
            checked_output(table, TABLE_FORMATS)
            check_output_file(table)
    introns = annotated_introns(args.data_dir, args.annotation, args.genome)
    from .predictor import load_predictor  # TensorFlow: only once the input, output and annotation are good

    predictor = load_predictor(args.model or active_model_path())
    design = design_inputs(predictor.context, data_dir_loaders(args.data_dir))
    scorer = EntryScorer(predictor, predictor.card["pwm_baseline"]["pwms"]["branch"], design)
    with progress_bar() as bar:
        task = bar.add_task("scoring", total=None)
        summary = score_vcf(
            scorer,
            introns,
            args.input,
            args.output,
            table=args.table,
            haplotypes=args.haplotypes,
            on_progress=lambda s: bar.update(
                task, description=f"{s.records:,} records, {s.overlapping:,} in introns"
            ),
        )
    print(
        f"{summary.records:,} records, {summary.overlapping:,} in {len(introns)} annotated introns: "
        f"{summary.scored:,} ALT x intron scored, {summary.failed:,} not (reason in SPLICE_EFF_ERR) -> {args.output}"
        + (f"; {summary.haplotypes:,} haplotypes -> {args.haplotypes}" if args.haplotypes else "")
    )
    return 0


def add_vcf(sub) -> None:
    """The ``vcf`` sub-command."""
    vcf = command(
        sub,
        "vcf",
        "score the variants of a VCF in annotated introns; write the VCF back with the scores in INFO (SPLICE_EFF)",
        "vcf strains.vcf.gz -o scored.vcf.gz --table scored.csv --haplotypes strains.csv",
    )
    vcf.add_argument(
        "input", type=Path, help="VCF (.vcf, or bgzipped .vcf.gz); chrI, I, chr1 and NC_001133 names alike"
    )
    vcf.add_argument(
        "-o",
        "--output",
        type=Path,
        required=True,
        help="VCF to write (.vcf, or .vcf.gz: bgzipped and tabix-indexed)",
    )
    vcf.add_argument(
        "--table", type=Path, default=None, help="also a table of every ALT x intron (.csv or .xlsx)"
    )
    vcf.add_argument(
        "--haplotypes",
        type=Path,
        default=None,
        help="also a table per sample: all of its ALT alleles in one intron applied together (.csv or .xlsx)",
    )
    vcf.add_argument(
        "--annotation",
        type=Path,
        default=None,
        help="GFF3 of introns (or exons) instead of the R64 intron table",
    )
    vcf.add_argument(
        "--genome", type=Path, default=None, help="the annotation's genome FASTA (indexed with faidx)"
    )
    vcf.add_argument("--model", type=Path, default=None, help="model directory (default: the active model)")
    vcf.set_defaults(func=cmd_vcf)


def intron_argument(text: str) -> str:
    """The intron of a command-line argument: the sequence itself, or the text of a file holding it."""
    path = Path(text)
    return path.read_text() if len(text) < 4096 and path.is_file() else text


def cmd_scan(args) -> int:
    """Write the predicted effect of every single change of an intron, or of every pair of changes with their epistasis."""
    import functools

    from .batch import TABLE_FORMATS, checked_output, write_table
    from .cli_progress import progress_bar
    from .design_inputs import data_dir_loaders, design_inputs
    from .intron_input import check_intron
    from .model_store import active_model_path
    from .mutagenesis import effects_to_table, mutagenesis_effects
    from .pairs import pair_effects

    checked_output(args.output, TABLE_FORMATS)  # input and output problems are named before the model loads
    check = check_intron(intron_argument(args.intron), wording=CLI_WORDING)
    if check.errors:
        raise ValueError(" ".join(check.errors))
    check_model_option(args.model)
    from .predictor import load_predictor

    intron = check.sequence
    predictor = load_predictor(args.model or active_model_path())
    design = design_inputs(predictor.context, data_dir_loaders(args.data_dir))
    branch = int(predictor.branch_starts([intron])[0]) if predictor.needs_design else None
    predict = functools.partial(predictor.predict_introns, **design)
    start = time.monotonic()
    if args.pairs:
        with progress_bar() as bar:
            task = bar.add_task("double mutants", total=None)
            table = pair_effects(
                predict,
                intron,
                branch,
                on_progress=lambda done, total: bar.update(task, completed=done, total=total),
            )
    else:
        table = effects_to_table(intron, *mutagenesis_effects(predict, intron, branch)[1:])
    write_table(table, args.output)
    what = "double mutants" if args.pairs else "single mutations"
    print(
        f"wrote {len(table):,} {what} of a {len(intron)}-nt intron to {args.output} ({time.monotonic() - start:.1f} s)"
    )
    return 0


def add_scan(sub) -> None:
    """The ``scan`` sub-command."""
    scan = command(
        sub,
        "scan",
        "predicted effect of every single change of an intron, or with --pairs of every pair of changes and its epistasis",
        "scan GTATGTTCTTATTTACCTTTCAGATGTCTTTACAATTTCCCAACATCTTATTCATAAATTTTCGAATACTAACTCGTGGGAACACTAAAATTAG --pairs -o pairs.csv",
    )
    scan.add_argument(
        "intron", help="the intron's sequence (5' splice site first), or a file holding it (FASTA allowed)"
    )
    scan.add_argument(
        "--pairs",
        action="store_true",
        help="every pair of changes at two positions (substitutions and deletions): its effect, both single effects and "
        "the epistasis (pair effect minus the two single effects)",
    )
    scan.add_argument(
        "-o",
        "--output",
        type=Path,
        required=True,
        help="table to write; its suffix picks the format: .csv or .xlsx",
    )
    scan.add_argument("--model", type=Path, default=None, help="model directory (default: the active model)")
    scan.set_defaults(func=cmd_scan)


def cmd_sweep(args) -> int:
    """Run a sweep spec on Ray Tune; print the trials table; the best on dev becomes a new model version."""
    from .library import data_dir
    from .path_checks import check_input_path, check_output_folder
    from .ray_cluster import connect, disconnect

    check_input_path(args.spec)
    check_output_folder(args.out)
    if args.models_dir is not None:
        check_output_folder(args.models_dir)
    from .sweep_spec import parse_spec

    spec = parse_spec(args.spec.read_text())
    print(f"sweep {spec.name}: {len(spec.trials())} trial(s), picked on dev {spec.select}", flush=True)
    started = connect(args.ray or None)
    try:
        from .sweep import run_sweep

        result = run_sweep(spec, data_dir(args.data_dir).resolve(), args.out, args.models_dir)
    finally:
        disconnect(started)
    print(result.table.to_string(index=False))
    print(f"trials table: {result.folder / 'trials.csv'} and trials.md")
    if result.saved is None:
        print("error: no trial finished, nothing was saved", file=sys.stderr)
        return 1
    print(f"best on dev {spec.select}: trial {result.best + 1}, saved as model version {result.saved}")
    return 0


def add_sweep(sub) -> None:
    """The ``sweep`` sub-command."""
    sweep = command(
        sub,
        "sweep",
        "train every recipe of a YAML sweep spec on Ray Tune and save the best on dev as a new model version",
        "sweep sweep.yaml --ray",
    )
    sweep.add_argument(
        "spec",
        type=Path,
        help="YAML: name, select (dev pearson, balanced_mse or mse), base (shared recipe fields), grid (lists)",
    )
    sweep.add_argument(
        "--ray",
        nargs="?",
        const="",
        default=None,
        metavar="ADDRESS",
        help="the Ray cluster at ADDRESS, else $RAY_ADDRESS, else a local Ray on this machine (the default); "
        "on a cluster the data directory and --out must be readable on every node",
    )
    sweep.add_argument(
        "--out",
        type=Path,
        default=DEFAULT_OUT,
        help="folder for the sweep's folder (trials table, Tune records; default: %(default)s)",
    )
    sweep.add_argument(
        "--models-dir",
        type=Path,
        default=None,
        help="where the best model version goes (default: $SPLICE_MODELS_DIR or models/)",
    )
    sweep.set_defaults(func=cmd_sweep)


def cmd_reproduce(args) -> int:
    """Train and evaluate every Table 1 row; write Markdown and CSV tables."""
    from .path_checks import check_output_folder

    check_output_folder(args.out)  # before TensorFlow is imported
    check_library(args.data_dir)
    from .cli_progress import EpochProgress, progress_bar
    from .experiment import prepare_data
    from .reproduce import planned_epochs, reproduce_table, table_to_markdown

    start = time.monotonic()
    data = prepare_data(args.data_dir, 0, args.max_rows)
    print(
        f"{len(data.frame)} usable constructs ({data.frame.attrs.get('n_unusable')} without splicing_eff left out)"
    )
    with progress_bar() as bar:
        table = reproduce_table(
            data,
            args.seeds,
            args.epochs,
            on_row=lambda r: print(
                f"{r['model']:>16} {r['context']:>8} test MSE {r['test_mse']:.4f} Pearson {r['test_pearson']:.3f}",
                flush=True,
            ),
            on_epoch_end=EpochProgress(bar, planned_epochs(data, args.seeds, args.epochs), "Table 1"),
        )
    args.out.mkdir(parents=True, exist_ok=True)
    table.to_csv(args.out / "reproduce.csv", index=False)
    title = f"The reference study's Table 1 reproduced ({args.seeds} seeds, {args.epochs} epochs, {time.monotonic() - start:.0f} s)"
    (args.out / "reproduce.md").write_text(table_to_markdown(table, title))
    print((args.out / "reproduce.md").read_text())
    return 0


def add_reproduce(sub) -> None:
    """The ``reproduce`` sub-command."""
    reproduce = command(
        sub,
        "reproduce",
        "train and evaluate every row of the reference study's Table 1",
        "reproduce --seeds 1 --epochs 20 --out runs",
    )
    reproduce.add_argument(
        "--seeds",
        type=AT_LEAST_1,
        default=5,
        help="seeds per row; the best on dev is reported (default: %(default)s)",
    )
    reproduce.add_argument(
        "--epochs",
        type=AT_LEAST_1,
        default=20,
        help="at most this many epochs per seed (default: %(default)s)",
    )
    reproduce.add_argument(
        "--max-rows",
        type=AT_LEAST_1,
        default=None,
        help="use a sample of about this many rows (a quick check)",
    )
    reproduce.add_argument(
        "--out",
        type=Path,
        default=DEFAULT_OUT,
        help="folder for reproduce.md and reproduce.csv (default: %(default)s)",
    )
    reproduce.set_defaults(func=cmd_reproduce)


def cmd_ship(args) -> int:
    """Retrain the shipped model, its peer and the candidates; rewrite pretrained/."""
    from dataclasses import replace

    from .model_store import PRETRAINED_DIR
    from .path_checks import check_output_folder

    check_output_folder(args.out or PRETRAINED_DIR)  # before TensorFlow is imported
    check_model_option(args.base_model)
    check_library(args.data_dir)
    from .cli_progress import EpochProgress, progress_bar
    from .shipped import build_shipped, planned_epochs
    from .shipped_recipe import SHIPPED_CONFIG

    config = replace(SHIPPED_CONFIG, n_seeds=args.seeds or SHIPPED_CONFIG.n_seeds, max_rows=args.max_rows)
    out = args.out or PRETRAINED_DIR
    candidates = not args.no_candidates
    planned = (
        0 if args.trained else planned_epochs(config, candidates, fine_tune_only=args.base_model is not None)
    )
    with progress_bar() as bar:
        card = build_shipped(
            args.data_dir,
            out,
            config,
            candidates=candidates,
            on_epoch_end=EpochProgress(bar, planned, "ship"),
            base_dir=args.base_model,
            trained_dir=args.trained,
            # the native summary goes into the new folder too: out changes only once every file is complete
            finish=lambda folder: cmd_native(
                argparse.Namespace(model=folder, out=folder, data_dir=args.data_dir)
            ),
        )
    test = card["metrics"]["test"]
    print(
        f"wrote {out}: test Pearson {test['pearson']:.3f}, balanced MSE {test['balanced_mse']:.4f}; report in {out / 'REPORT.md'}"
    )
    return 0


def add_ship(sub) -> None:
    """The ``ship`` sub-command."""
    ship = command(sub, "ship", "retrain the shipped model (pretrained/) with its report", "ship --seeds 4")
    ship.add_argument(
        "--seeds", type=AT_LEAST_1, default=None, help="ensemble members (default: the shipped recipe's)"
    )
    ship.add_argument(
        "--max-rows",
        type=AT_LEAST_1,
        default=None,
        help="train on a sample of about this many rows (a quick check)",
    )
    ship.add_argument(
        "--no-candidates", action="store_true", help="skip the ablation and the single-seed comparison models"
    )
    ship.add_argument("--out", type=Path, default=None, help="output directory (default: pretrained/)")
    ship.add_argument(
        "--base-model",
        type=Path,
        default=None,
        help="fine-tune this model directory's members (an earlier run of the recipe before its pair stage) instead of training them",
    )
    ship.add_argument(
        "--trained",
        type=Path,
        default=None,
        help="a model directory that ship wrote: keep its ensemble as it is, and fit the peer, calibrate and report again",
    )
    ship.set_defaults(func=cmd_ship)


def design_request(args, predictor, sites: dict | None):
    """The EditRequest or ScratchRequest of ``design`` options (positions and ranges as the user wrote them)."""
    from .design import SCRATCH_LENGTHS
    from .design_requests import edit_request, goal_of, rules_of, scratch_request
    from .intron_input import clean_intron_text

    rules = rules_of(args.gc, args.forbid, args.max_run)
    goal = goal_of("target" if args.target is not None else "high" if args.high else "low", args.target)
    max_length = predictor.max_intron_length()
    if args.mode == "edit":
        text = Path(args.intron).read_text() if Path(args.intron).is_file() else args.intron
        branch = int(predictor.branch_starts([clean_intron_text(text)])[0])
        return edit_request(
            text,
            goal,
            args.edits,
            args.fixed,
            not args.edit_sites,
            branch,
            args.deletions,
            args.insertions,
            rules,
            max_length,
            args.beam,
        )
    chosen = (
        sites
        if args.sites == "library"
        else {"ss5": tuple(args.ss5), "branch": tuple(args.branch), "ss3": tuple(args.ss3)}
    )
    return scratch_request(
        goal,
        args.n,
        args.target_high,
        args.length or SCRATCH_LENGTHS,
        chosen,
        rules,
        max_length,
        args.tolerance,
        args.seed,
        predictor.card,
    )


def cmd_design(args) -> int:
    """Design introns (edits of one, or new ones) and write the table (CSV) and, if asked, a FASTA."""
    from .batch import TABLE_FORMATS, checked_output, write_table
    from .contexts import design_template
    from .design import design
    from .design_output import COLUMN_NOTE, NO_TEMPLATE, agreement_share, designs_fasta, designs_table
    from .library import library_path, read_library, usable_rows
    from .model_store import active_model_path
    from .path_checks import check_output_file
    from .peer import peer_beside
    from .sites import natural_sites

    checked_output(args.output, TABLE_FORMATS)  # output problems are named before the model loads
    if args.fasta:
        check_output_file(args.fasta)
    check_model_option(args.model)
    if args.mode == "edit" and not args.intron:
        raise ValueError("design edit needs the intron: its sequence, or a file holding it")
    from .predictor import load_predictor

    predictor = load_predictor(args.model or active_model_path())
    if predictor.needs_design:
        raise ValueError(
            f"design needs an intron-context model; this one reads the {predictor.context!r} context"
        )
    frame = usable_rows(read_library(args.data_dir)) if library_path(args.data_dir) else None
    if frame is None and args.mode == "scratch" and args.sites == "library":
        raise ValueError(
            "--sites library needs the library in the data directory (python -m splice_core fetch)"
        )
    request = design_request(args, predictor, natural_sites(frame) if frame is not None else None)
    start = time.monotonic()
    designs = design(predictor.intron_members, request, hold_out=not args.all_members)
    seconds = time.monotonic() - start
    template = design_template(frame) if frame is not None else None
    table = designs_table(designs, template, predictor.card, peer_beside(predictor.path, predictor.card))
    write_table(table, args.output)
    agree = agreement_share(table)
    print(
        f"{len(table)} designs in {seconds:.1f} s into {args.output}"
        + (f"; the held-out member agrees within 0.1 on {agree:.0%}" if agree is not None else "")
    )
    print(COLUMN_NOTE)
    if args.fasta:
        column = "oligo" if template is not None else "sequence"
        Path(args.fasta).write_text(designs_fasta(table, column))
        print(f"wrote {column}s to {args.fasta}" + ("" if template else f" (oligos {NO_TEMPLATE})"))
    return 0


def number_range(text: str, kind=float) -> tuple:
    """``LOW-HIGH`` (or one value) as a (low, high) tuple."""
    low, _, high = text.partition("-")
    try:
        return kind(low), kind(high or low)
    except ValueError as err:
        raise argparse.ArgumentTypeError(f"expected LOW-HIGH, got {text!r}") from err


def add_design(sub) -> None:
    """The ``design`` sub-command: ``design edit INTRON`` or ``design scratch``."""
    design = command(
        sub,
        "design",
        "design introns: the fewest edits toward a goal, or new ones from scratch",
        "design scratch --target 0.3 --target-high 0.7 --n 10 --forbid GAATTC -o designs.csv --fasta oligos.fa",
    )
    design.add_argument(
        "mode", choices=["edit", "scratch"], help="edit: the fewest edits of one intron; scratch: new introns"
    )
    design.add_argument("intron", nargs="?", default="", help="edit: the intron (sequence or a FASTA file)")
    goal = design.add_mutually_exclusive_group(required=True)
    goal.add_argument(
        "--target", type=SHARE, help="target efficiency 0..1 (scratch: the low end with --target-high)"
    )
    goal.add_argument("--high", action="store_true", help="edit: as high as possible")
    goal.add_argument("--low", action="store_true", help="edit: as low as possible")
    design.add_argument(
        "--edits",
        type=edit_count,
        default=5,
        help="edit: at most this many edits (best design for each count)",
    )
    design.add_argument(
        "--fixed", default="", help="edit: 1-based positions that must not change, e.g. 1-6,40"
    )
    design.add_argument(
        "--edit-sites", action="store_true", help="edit: allow edits in the 5'SS, branch site and 3'SS"
    )
    design.add_argument("--deletions", action="store_true", help="edit: allow single-base deletions")
    design.add_argument("--insertions", action="store_true", help="edit: allow single-base insertions")
    design.add_argument("--beam", type=AT_LEAST_1, default=2, help="edit: states kept per step of the search")
    design.add_argument("--n", type=design_count, default=10, help="scratch: number of designs")
    design.add_argument(
        "--target-high", type=SHARE, default=None, help="scratch: spread targets from --target to this"
    )
    design.add_argument(
        "--length",
        type=lambda t: number_range(t, int),
        default=None,
        help="scratch: length range, e.g. 80-120 (default: within the library's lengths, up to its longest intron)",
    )
    design.add_argument(
        "--sites",
        choices=["fixed", "library"],
        default="fixed",
        help="scratch: the given sites, or the library's natural variants that splice",
    )
    design.add_argument(
        "--ss5", nargs="+", default=["GTATGT"], help="scratch: 5' splice sites to draw from (--sites fixed)"
    )
    design.add_argument(
        "--branch", nargs="+", default=["TACTAAC"], help="scratch: branch sites to draw from (--sites fixed)"
    )
    design.add_argument(
        "--ss3", nargs="+", default=["TAG"], help="scratch: 3' splice sites to draw from (--sites fixed)"
    )
    design.add_argument(
        "--tolerance",
        type=bounded(float, 0.0, 0.5),
        default=0.05,
        help="scratch: a design is done within this of its target",
    )
    design.add_argument("--seed", type=int, default=0, help="scratch: random seed (same seed, same designs)")
    design.add_argument("--gc", type=number_range, default=(0.0, 1.0), help="GC share range, e.g. 0.25-0.45")
    design.add_argument("--forbid", default="", help="forbidden motifs, e.g. GAATTC,GGTCTC")
    design.add_argument("--max-run", type=AT_LEAST_1, default=None, help="longest homopolymer run allowed")
    design.add_argument(
        "--all-members", action="store_true", help="search against every member (no held-out check)"
    )
    design.add_argument(
        "--model", type=Path, default=None, help="model directory (default: the active model)"
    )
    design.add_argument(
        "-o",
        "--output",
        type=Path,
        required=True,
        help="table of the designs; its suffix picks the format: .csv or .xlsx (a FASTA: --fasta)",
    )
    design.add_argument(
        "--fasta", type=Path, default=None, help="also a FASTA of the oligos (introns without data)"
    )
    design.set_defaults(func=cmd_design)


SUBCOMMANDS: tuple[Callable, ...] = (
    add_fetch,
    add_train,
    add_evaluate,
    add_predict,
    add_native,
    add_scan,
    add_vcf,
    add_sweep,
    add_reproduce,
    add_ship,
    add_design,
)


def parser() -> argparse.ArgumentParser:
    """The argument parser with one sub-command per task."""
    prog = prog_name()
    top = OneLineParser(
        prog=prog,
        description="Yeast intron splicing-efficiency models.",
        epilog=f"example:\n  {prog} predict introns.fa -o scored.csv\n\n'{prog} COMMAND --help' shows a command's options.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        parents=[global_options()],
    )
    sub = top.add_subparsers(dest="command", required=True, metavar="COMMAND", help="the task to run")
    for add in SUBCOMMANDS:
        add(sub)
    return top


@contextlib.contextmanager
def native_logs_hidden():
    """Send what native libraries (TensorFlow's C++ start-up lines) write to file descriptor 2 to /dev/null.

    Python's own ``sys.stderr`` (errors, progress bars, tracebacks) still reaches the terminal through a copy
    of the original descriptor.
    """
    sys.stderr.flush()
    saved = os.dup(2)
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 2)
    os.close(devnull)
    original = sys.stderr
    sys.stderr = io.TextIOWrapper(os.fdopen(saved, "wb", buffering=0, closefd=False), write_through=True)
    try:
        yield
    finally:
        sys.stderr.flush()
        sys.stderr = original
        os.dup2(saved, 2)
        os.close(saved)


def error_line(err: Exception) -> str:
    """The one line a failed command prints after ``error:`` (a full disk says what was kept)."""
    if isinstance(err, OSError) and err.errno in (errno.ENOSPC, errno.EDQUOT):
        where = f" writing {err.filename}" if err.filename else ""
        return f"no space left on the device{where}: nothing was written under the final name, earlier files are kept"
    if isinstance(err, OSError) and err.filename and err.strerror:
        return f"{err.filename}: {err.strerror}"
    return str(err)


def main(argv: list[str] | None = None, own_process: bool = False) -> int:
    """Run a sub-command; data and input problems print one clear line and exit 2.

    ``own_process``: the command owns its interpreter (``python -m splice_core``, ``splice-predict``), so the
    single-process ``predict`` may keep packages it never uses out of it (:mod:`splice_core.unused_imports`).
    """
    args = parser().parse_args(argv)
    if own_process and (args.func is cmd_vcf or (args.func is cmd_predict and args.ray is None)):
        skip_unused_imports()
    with contextlib.nullcontext() if args.verbose else native_logs_hidden():
        try:
            return args.func(args)
        except (OSError, ValueError) as err:  # DataFileError is a ValueError; a full disk an OSError
            print(f"error: {error_line(err)}", file=sys.stderr)
            return 2


def run() -> int:
    """The console entry point (``splice-predict``, ``python -m splice_core``): :func:`main` owning the process."""
    return main(own_process=True)
