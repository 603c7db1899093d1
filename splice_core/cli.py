"""Command line: one sub-command per task (fetch, train, evaluate, predict, reproduce, ship).

Each sub-command is an ``add_<name>(sub)`` function that registers its parser (help, options, an example)
and its ``cmd_<name>(args)``; :data:`SUBCOMMANDS` lists them. Heavy modules (pandas, TensorFlow) are imported
inside the ``cmd_`` functions only, so ``--help`` answers at once.
"""
import argparse
import contextlib
import io
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

from .options import ARCHITECTURES, CONTEXTS, LOSSES, OUTPUTS

PROG = "python -m splice_core"
DEFAULT_OUT = Path("runs")


def command(sub, name: str, help: str, example: str) -> argparse.ArgumentParser:
    """A sub-command parser with its help and an example shown under ``--help``."""
    return sub.add_parser(
        name, help=help, description=help[0].upper() + help[1:] + ".", epilog=f"example:\n  {PROG} {example}",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )


def cmd_fetch(args) -> int:
    """Download the original data files."""
    from .fetch import fetch_all

    for path in fetch_all(args.data_dir):
        print(f"wrote {path}")
    print("data directory ready")
    return 0


def add_fetch(sub) -> None:
    """The ``fetch`` sub-command."""
    command(sub, "fetch", "download the original data files into the data directory", "fetch --data-dir data").set_defaults(func=cmd_fetch)


def config_from_args(args):
    """A TrainConfig from command-line options."""
    from .training import TrainConfig

    return TrainConfig(
        architecture=args.architecture, context=args.context, rebalance=not args.no_rebalance, epochs=args.epochs,
        n_seeds=args.seeds, learning_rate=args.learning_rate, lr_decay=args.lr_decay, batch_size=args.batch_size,
        output=args.output, patience=args.patience, split_seed=args.split_seed, ensemble=args.ensemble, max_rows=args.max_rows,
        loss=args.loss, mixed_weighting=args.mixed_weighting, design_mean_labels=args.design_mean_labels,
        cryptic_weight=args.cryptic_weight,
    )


def cmd_train(args) -> int:
    """Train one configuration into a model directory."""
    from .cli_progress import EpochProgress, progress_bar
    from .experiment import run_training
    from .model_store import save_model_dir

    config = config_from_args(args)
    with progress_bar() as bar:
        model, card = run_training(config, args.data_dir, on_epoch_end=EpochProgress(bar, config.n_seeds * config.epochs))
    path = save_model_dir(args.out, model, card)
    test = card["metrics"]["test"]
    print(f"saved {path}: test MSE {test['mse']:.4f}, balanced MSE {test['balanced_mse']:.4f}, Pearson {test['pearson']:.3f}")
    return 0


def add_train(sub) -> None:
    """The ``train`` sub-command."""
    train = command(
        sub, "train", "train one configuration into a new model directory",
        "train --architecture site_aware_cnn --context intron --loss bce --seeds 2 --ensemble --out models/my-model",
    )
    train.add_argument("--architecture", choices=ARCHITECTURES, default="cnn_res1_conv", help="model architecture (default: %(default)s)")
    train.add_argument(
        "--context", choices=CONTEXTS, default="windows",
        help="sequence the model reads: the intron alone, or the library's oligo design around it (default: %(default)s)",
    )
    train.add_argument("--no-rebalance", action="store_true", help="train unweighted (default: [0, 0.1) and [0.1, 1] weigh equally)")
    train.add_argument("--epochs", type=int, default=20, help="at most this many epochs per seed; early stopping on dev (default: %(default)s)")
    train.add_argument("--seeds", type=int, default=5, help="random seeds trained; the best on dev is kept unless --ensemble (default: %(default)s)")
    train.add_argument("--learning-rate", type=float, default=1e-3, help="Adam learning rate (default: %(default)s)")
    train.add_argument("--lr-decay", type=float, default=0.01, help="inverse-time decay of the learning rate per step (default: %(default)s)")
    train.add_argument("--batch-size", type=int, default=64, help="training batch size (default: %(default)s)")
    train.add_argument("--output", choices=OUTPUTS, default="sigmoid", help="output activation (default: %(default)s)")
    train.add_argument("--patience", type=int, default=2, help="epochs without a better dev loss before a seed stops (default: %(default)s)")
    train.add_argument("--split-seed", type=int, default=0, help="seed of the design-grouped 90/5/5 split (default: %(default)s)")
    train.add_argument("--ensemble", action="store_true", help="keep every seed as an ensemble member")
    train.add_argument("--max-rows", type=int, default=None, help="train on a sample of about this many rows")
    train.add_argument("--loss", choices=list(LOSSES), default="mse", help="mse (the seed study's) or bce (binary cross-entropy) (default: %(default)s)")
    train.add_argument("--mixed-weighting", action="store_true", help="every other seed trains unweighted (not rebalanced)")
    train.add_argument("--design-mean-labels", action="store_true", help="train on each design's mean over its barcodes")
    train.add_argument(
        "--cryptic-weight", type=float, default=0.0,
        help="train a second head on cryptic splicing efficiency, its loss weighted by this (0 = off)",
    )
    train.add_argument("--out", type=Path, required=True, help="new model directory (must not exist)")
    train.set_defaults(func=cmd_train)


def cmd_evaluate(args) -> int:
    """Re-score a model directory on its own saved split of the data directory."""
    import json

    from .contexts import library_to_one_hot
    from .evaluation import metrics_by_part, per_library_table
    from .library import read_library, read_reporter, usable_rows
    from .predictor import load_predictor
    from .splits import barcodes_to_split

    predictor = load_predictor(args.model_dir)
    frame = usable_rows(read_library(args.data_dir))
    parts = barcodes_to_split(frame, predictor.card["split"]["barcodes"])
    reporter = read_reporter(args.data_dir) if predictor.context == "full" else None
    pred = predictor.predict(library_to_one_hot(frame, predictor.context, reporter))
    print(json.dumps(metrics_by_part(frame, parts, pred), indent=1))
    print(per_library_table(frame, parts, pred).round(4).to_string())
    return 0


def add_evaluate(sub) -> None:
    """The ``evaluate`` sub-command."""
    evaluate = command(sub, "evaluate", "score a model directory on its own saved split of the data", "evaluate models/my-model")
    evaluate.add_argument("model_dir", type=Path, help="model directory (model.keras + model_card.json)")
    evaluate.set_defaults(func=cmd_evaluate)


def cmd_predict(args) -> int:
    """Score a CSV, xlsx or FASTA file of introns; exit 1 when no row could be scored."""
    from .batch import output_format, score_file
    from .cli_progress import progress_bar
    from .design_inputs import data_dir_loaders, design_inputs
    from .model_store import active_model_path
    from .predictor import load_predictor

    output_format(args.output)  # an unknown suffix fails before the model loads
    predictor = load_predictor(args.model or active_model_path())
    design = design_inputs(predictor.context, data_dir_loaders(args.data_dir))
    with progress_bar() as bar:
        task = bar.add_task("scoring", total=1.0)
        summary = score_file(predictor, args.input, args.output, **design, on_progress=lambda fraction, rows: bar.update(task, completed=fraction, description=f"scoring ({rows:,} rows)"))
    n_bad = summary.n_rows - summary.n_scored
    print(f"scored {summary.n_scored} of {summary.n_rows} rows into {args.output}" + (f"; {n_bad} rows have an error" if n_bad else ""))
    if summary.n_scored == 0:
        print(f"error: no row could be scored (each row's reason is in the error column of {args.output})", file=sys.stderr)
        return 1
    return 0


def add_predict(sub) -> None:
    """The ``predict`` sub-command."""
    predict = command(sub, "predict", "score a CSV, xlsx or FASTA file of introns (any size, streamed)", "predict introns.fa -o scored.xlsx")
    predict.add_argument("input", type=Path, help="FASTA (.fa/.fasta/.fna/.txt), CSV or xlsx with an intron_seq (or intron, sequence) column")
    predict.add_argument(
        "-o", "--output", type=Path, required=True,
        help="output file; its suffix picks the format: .csv, .xlsx, or .fa/.fasta (scores in each header)",
    )
    predict.add_argument("--model", type=Path, default=None, help="model directory (default: the active model)")
    predict.set_defaults(func=cmd_predict)


def cmd_reproduce(args) -> int:
    """Train and evaluate every Table 1 row; write Markdown and CSV tables."""
    from .cli_progress import EpochProgress, progress_bar
    from .experiment import prepare_data
    from .reproduce import planned_epochs, reproduce_table, table_to_markdown

    start = time.monotonic()
    data = prepare_data(args.data_dir, 0, args.max_rows)
    print(f"{len(data.frame)} usable constructs ({data.frame.attrs.get('n_unusable')} without splicing_eff left out)")
    with progress_bar() as bar:
        table = reproduce_table(
            data, args.seeds, args.epochs,
            on_row=lambda r: print(f"{r['model']:>16} {r['context']:>8} test MSE {r['test_mse']:.4f} Pearson {r['test_pearson']:.3f}", flush=True),
            on_epoch_end=EpochProgress(bar, planned_epochs(data, args.seeds, args.epochs), "Table 1"),
        )
    args.out.mkdir(parents=True, exist_ok=True)
    table.to_csv(args.out / "reproduce.csv", index=False)
    title = f"Seed Table 1 reproduced ({args.seeds} seeds, {args.epochs} epochs, {time.monotonic() - start:.0f} s)"
    (args.out / "reproduce.md").write_text(table_to_markdown(table, title))
    print((args.out / "reproduce.md").read_text())
    return 0


def add_reproduce(sub) -> None:
    """The ``reproduce`` sub-command."""
    reproduce = command(sub, "reproduce", "train and evaluate every row of the seed study's Table 1", "reproduce --seeds 1 --epochs 20 --out runs")
    reproduce.add_argument("--seeds", type=int, default=5, help="seeds per row; the best on dev is reported (default: %(default)s)")
    reproduce.add_argument("--epochs", type=int, default=20, help="at most this many epochs per seed (default: %(default)s)")
    reproduce.add_argument("--max-rows", type=int, default=None, help="use a sample of about this many rows (a quick check)")
    reproduce.add_argument("--out", type=Path, default=DEFAULT_OUT, help="folder for reproduce.md and reproduce.csv (default: %(default)s)")
    reproduce.set_defaults(func=cmd_reproduce)


def cmd_ship(args) -> int:
    """Retrain the shipped model, its peer and the candidates; rewrite pretrained/."""
    from dataclasses import replace

    from .cli_progress import EpochProgress, progress_bar
    from .model_store import PRETRAINED_DIR
    from .shipped import SHIPPED_CONFIG, build_shipped, planned_epochs

    config = replace(SHIPPED_CONFIG, n_seeds=args.seeds or SHIPPED_CONFIG.n_seeds, max_rows=args.max_rows)
    out = args.out or PRETRAINED_DIR
    candidates = not args.no_candidates
    planned = planned_epochs(config, candidates, fine_tune_only=args.base_model is not None)
    with progress_bar() as bar:
        card = build_shipped(
            args.data_dir, out, config, candidates=candidates, on_epoch_end=EpochProgress(bar, planned, "ship"), base_dir=args.base_model,
        )
    test = card["metrics"]["test"]
    print(f"wrote {out}: test Pearson {test['pearson']:.3f}, balanced MSE {test['balanced_mse']:.4f}; report in {out / 'REPORT.md'}")
    return 0


def add_ship(sub) -> None:
    """The ``ship`` sub-command."""
    ship = command(sub, "ship", "retrain the shipped model (pretrained/) with its report", "ship --seeds 4")
    ship.add_argument("--seeds", type=int, default=None, help="ensemble members (default: the shipped recipe's)")
    ship.add_argument("--max-rows", type=int, default=None, help="train on a sample of about this many rows (a quick check)")
    ship.add_argument("--no-candidates", action="store_true", help="skip the ablation and the single-seed comparison models")
    ship.add_argument("--out", type=Path, default=None, help="output directory (default: pretrained/)")
    ship.add_argument("--base-model", type=Path, default=None,
                      help="fine-tune this model directory's members (an earlier run of the recipe before its pair stage) instead of training them")
    ship.set_defaults(func=cmd_ship)


SUBCOMMANDS: tuple[Callable, ...] = (add_fetch, add_train, add_evaluate, add_predict, add_reproduce, add_ship)


def parser() -> argparse.ArgumentParser:
    """The argument parser with one sub-command per task."""
    top = argparse.ArgumentParser(
        prog=PROG, description="Yeast intron splicing-efficiency models.",
        epilog=f"example:\n  {PROG} predict introns.fa -o scored.csv\n\n'{PROG} COMMAND --help' shows a command's options.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    top.add_argument("--data-dir", type=Path, default=None, help="data directory (default: $SPLICE_DATA_DIR or data/)")
    top.add_argument("--verbose", action="store_true", help="show TensorFlow's own start-up and device log lines")
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


def main(argv: list[str] | None = None) -> int:
    """Run a sub-command; data and input problems print one clear line and exit 2."""
    args = parser().parse_args(argv)
    with contextlib.nullcontext() if args.verbose else native_logs_hidden():
        try:
            return args.func(args)
        except (FileNotFoundError, FileExistsError, ValueError) as err:  # DataFileError is a ValueError
            print(f"error: {err}", file=sys.stderr)
            return 2
