"""Scoring sub-commands: ``predict`` (a file of introns, in one process or on Ray), ``native`` (every annotated yeast intron) and ``scan`` (every single or double mutant of one intron)."""

import sys
import time
from pathlib import Path

from splice_core.cli.arguments import CLI_WORDING, check_model_option, command, intron_argument


def cmd_predict(args) -> int:
    """Score a CSV, xlsx or FASTA file of introns; exit 1 when no row could be scored."""
    from splice_core.cli.progress import progress_bar
    from splice_core.data.oligo_template import data_dir_loaders, template_inputs
    from splice_core.models.store import active_model_path, card_context, read_card
    from splice_core.predict.batch import score_file
    from splice_core.predict.tables import check_input_file, checked_output

    check_input_file(args.input)  # input and output problems are named before the model loads
    checked_output(args.output)
    check_model_option(args.model)
    model_path = Path(args.model or active_model_path())
    if args.ray is None:
        from splice_core.predict.predictor import load_predictor

        predictor = load_predictor(model_path)
        card = predictor.card
    else:
        card = read_card(model_path)  # the Ray driver never loads the model: the workers do
    design = template_inputs(card_context(card), data_dir_loaders(args.data_dir))
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
    from splice_core.cluster.batch_scoring import score_file_on_ray
    from splice_core.cluster.connection import connect, disconnect

    started = connect(args.ray or None)
    try:
        return score_file_on_ray(model_path, args.input, args.output, design, on_progress=on_progress)
    finally:
        disconnect(started)


def cmd_native(args) -> int:
    """Score every annotated S. cerevisiae intron; write the aggregates (no rows) into the model directory."""
    from splice_core.analysis.native import native_summary, score_native, write_native_summary
    from splice_core.data.library import read_wildtype
    from splice_core.files.path_checks import check_output_folder
    from splice_core.models.store import PRETRAINED_DIR

    check_model_option(args.model)
    if args.out is not None:
        check_output_folder(args.out)
    wildtype = read_wildtype(args.data_dir)  # named before TensorFlow is imported
    from splice_core.predict.predictor import load_predictor

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


def cmd_scan(args) -> int:
    """Write the predicted effect of every single change of an intron, or of every pair of changes with their epistasis."""
    import functools

    from splice_core.analysis.double_mutants import pair_effects
    from splice_core.analysis.mutagenesis import effects_to_table, mutagenesis_effects
    from splice_core.cli.progress import progress_bar
    from splice_core.data.oligo_template import data_dir_loaders, template_inputs
    from splice_core.models.store import active_model_path
    from splice_core.predict.tables import TABLE_FORMATS, checked_output, write_table
    from splice_core.seq.intron_text import check_intron

    checked_output(args.output, TABLE_FORMATS)  # input and output problems are named before the model loads
    check = check_intron(intron_argument(args.intron), wording=CLI_WORDING)
    if check.errors:
        raise ValueError(" ".join(check.errors))
    check_model_option(args.model)
    from splice_core.predict.predictor import load_predictor

    intron = check.sequence
    predictor = load_predictor(args.model or active_model_path())
    design = template_inputs(predictor.context, data_dir_loaders(args.data_dir))
    branch = int(predictor.branch_starts([intron])[0]) if predictor.needs_template else None
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
