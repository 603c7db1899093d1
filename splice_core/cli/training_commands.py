"""Training sub-commands: ``train``, ``evaluate``, ``sweep`` (Ray Tune), ``reproduce`` (the reference study) and ``ship`` (the shipped model)."""

import argparse
import sys
import time
from pathlib import Path

from splice_core.cli.arguments import (
    AT_LEAST_1,
    DEFAULT_OUT,
    bounded,
    check_library,
    check_model_option,
    command,
)
from splice_core.cli.scoring_commands import cmd_native
from splice_core.models.recipe_options import ARCHITECTURES, CONTEXTS, LOSSES, OUTPUTS


def config_from_args(args):
    """A TrainConfig from command-line options."""
    from splice_core.models.training import TrainConfig

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
        construct_mean_labels=args.construct_mean_labels,
        cryptic_weight=args.cryptic_weight,
    )


def cmd_train(args) -> int:
    """Train one configuration into a model directory."""
    from splice_core.files.path_checks import check_output_folder

    check_output_folder(args.out, new=True)  # before TensorFlow is imported
    check_library(args.data_dir)
    from splice_core.cli.progress import EpochProgress, progress_bar
    from splice_core.models.store import save_model_dir
    from splice_core.runs.experiment import run_training

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
        help="seed of the construct-grouped 90/5/5 split (default: %(default)s)",
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
        "--construct-mean-labels",
        action="store_true",
        help="train on each library construct's mean over its barcodes",
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

    from splice_core.data.library import read_library, read_reporter, usable_rows

    check_model_option(args.model_dir)
    frame = usable_rows(read_library(args.data_dir))  # a data problem is named before TensorFlow is imported
    from splice_core.data.splits import barcodes_to_split
    from splice_core.models.evaluation import metrics_by_part, per_library_table
    from splice_core.predict.predictor import load_predictor

    predictor = load_predictor(args.model_dir)
    parts = barcodes_to_split(frame, predictor.card["split"]["barcodes"])
    reporter = read_reporter(args.data_dir) if predictor.context == "full" else None
    pred = predictor.predict_library(frame, reporter)
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


def cmd_sweep(args) -> int:
    """Run a sweep spec on Ray Tune; print the trials table; the best on dev becomes a new model version."""
    from splice_core.cluster.connection import connect, disconnect
    from splice_core.data.library import data_dir
    from splice_core.files.path_checks import check_input_path, check_output_folder

    check_input_path(args.spec)
    check_output_folder(args.out)
    if args.models_dir is not None:
        check_output_folder(args.models_dir)
    from splice_core.cluster.sweep_spec import parse_spec

    spec = parse_spec(args.spec.read_text())
    print(f"sweep {spec.name}: {len(spec.trials())} trial(s), picked on dev {spec.select}", flush=True)
    started = connect(args.ray or None)
    try:
        from splice_core.cluster.sweep import run_sweep

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
    from splice_core.files.path_checks import check_output_folder

    check_output_folder(args.out)  # before TensorFlow is imported
    check_library(args.data_dir)
    from splice_core.cli.progress import EpochProgress, progress_bar
    from splice_core.reports.reproduce import planned_epochs, reproduce_table, table_to_markdown
    from splice_core.runs.experiment import prepare_data

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


def ship_config(args):
    """The shipped recipe with the command line's changes: members, rows, architecture (a ``TrainConfig``; the
    recipe's site gates are fitted on its own architecture only)."""
    from dataclasses import replace

    from splice_core.models.training import gated_where_they_apply
    from splice_core.reports.shipped_recipe import SHIPPED_CONFIG

    return gated_where_they_apply(
        replace(
            SHIPPED_CONFIG,
            n_seeds=args.seeds or SHIPPED_CONFIG.n_seeds,
            max_rows=args.max_rows,
            architecture=args.architecture or SHIPPED_CONFIG.architecture,
        )
    )


def cmd_ship(args) -> int:
    """Retrain the shipped model, its peer and the candidates; rewrite pretrained/."""
    from splice_core.files.path_checks import check_output_folder
    from splice_core.models.store import PRETRAINED_DIR

    check_output_folder(args.out or PRETRAINED_DIR)  # before TensorFlow is imported
    check_model_option(args.base_model)
    check_library(args.data_dir)
    from splice_core.cli.progress import EpochProgress, progress_bar
    from splice_core.reports.shipped import build_shipped, planned_epochs

    config = ship_config(args)
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
        "--architecture",
        choices=ARCHITECTURES,
        default=None,
        help="train this architecture instead of the recipe's (the rest of the recipe as it is; it reads introns)",
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
        help="a model directory that ship wrote: keep its members as they are but for their site gates (fitted again, minutes), and fit the peer, calibrate and report again",
    )
    ship.set_defaults(func=cmd_ship)
