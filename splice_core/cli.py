"""Command line: fetch, train, evaluate, predict, reproduce."""
import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

from .library import DataFileError

DEFAULT_OUT = Path("runs")


def print_progress(record: dict) -> None:
    """One line per finished epoch (a pair fine-tuning round: its pair loss instead of the dev loss)."""
    after = f"pairs {record['pair_loss']:.4f}" if "pair_loss" in record else f"dev {record['val_loss']:.4f}"
    print(
        f"seed {record['seed_index'] + 1}/{record['n_seeds']} epoch {record['epoch']}/{record['epochs']} "
        f"loss {record['loss']:.4f} {after} ({record['seconds']:.0f} s)",
        flush=True,
    )


def cmd_fetch(args) -> int:
    """Download the original data files."""
    from .fetch import fetch_all

    for path in fetch_all(args.data_dir):
        print(f"wrote {path}")
    print("data directory ready")
    return 0


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
    from .experiment import run_training
    from .model_store import save_model_dir

    model, card = run_training(config_from_args(args), args.data_dir, on_epoch_end=print_progress)
    path = save_model_dir(args.out, model, card)
    test = card["metrics"]["test"]
    print(f"saved {path}: test MSE {test['mse']:.4f}, balanced MSE {test['balanced_mse']:.4f}, Pearson {test['pearson']:.3f}")
    return 0


def cmd_evaluate(args) -> int:
    """Re-score a model directory on its own saved split of the data directory."""
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


def cmd_predict(args) -> int:
    """Score a CSV, xlsx or FASTA file of introns."""
    from .batch import read_batch_input, score_frame
    from .model_store import active_model_path
    from .predictor import load_predictor

    predictor = load_predictor(args.model or active_model_path())
    scored = score_frame(predictor, read_batch_input(args.input))
    scored.to_csv(args.output, index=False)
    n_bad = int((scored["error"] != "").sum())
    print(f"scored {len(scored) - n_bad} of {len(scored)} rows into {args.output}" + (f"; {n_bad} rows have an error" if n_bad else ""))
    return 0


def cmd_reproduce(args) -> int:
    """Train and evaluate every Table 1 row; write Markdown and CSV tables."""
    from .experiment import prepare_data
    from .reproduce import reproduce_table, table_to_markdown

    start = time.monotonic()
    data = prepare_data(args.data_dir, 0, args.max_rows)
    print(f"{len(data.frame)} usable constructs ({data.frame.attrs.get('n_unusable')} without splicing_eff left out)")
    table = reproduce_table(data, args.seeds, args.epochs, on_row=lambda r: print(f"{r['model']:>16} {r['context']:>8} test MSE {r['test_mse']:.4f} Pearson {r['test_pearson']:.3f}", flush=True))
    args.out.mkdir(parents=True, exist_ok=True)
    table.to_csv(args.out / "reproduce.csv", index=False)
    title = f"Seed Table 1 reproduced ({args.seeds} seeds, {args.epochs} epochs, {time.monotonic() - start:.0f} s)"
    (args.out / "reproduce.md").write_text(table_to_markdown(table, title))
    print((args.out / "reproduce.md").read_text())
    return 0


def cmd_ship(args) -> int:
    """Retrain the shipped model, its peer and the candidates; rewrite pretrained/."""
    from dataclasses import replace

    from .model_store import PRETRAINED_DIR
    from .shipped import SHIPPED_CONFIG, build_shipped

    config = replace(SHIPPED_CONFIG, n_seeds=args.seeds or SHIPPED_CONFIG.n_seeds, max_rows=args.max_rows)
    out = args.out or PRETRAINED_DIR
    card = build_shipped(args.data_dir, out, config, candidates=not args.no_candidates, on_epoch_end=print_progress, base_dir=args.base_model)
    test = card["metrics"]["test"]
    print(f"wrote {out}: test Pearson {test['pearson']:.3f}, balanced MSE {test['balanced_mse']:.4f}; report in {out / 'REPORT.md'}")
    return 0


def parser() -> argparse.ArgumentParser:
    """The argument parser with one sub-command per task."""
    from .architectures import BUILDERS, OUTPUTS
    from .contexts import CONTEXTS
    from .training import LOSSES

    top = argparse.ArgumentParser(prog="python -m splice_core", description="Yeast intron splicing-efficiency models.")
    top.add_argument("--data-dir", type=Path, default=None, help="data directory (default: $SPLICE_DATA_DIR or data/)")
    sub = top.add_subparsers(dest="command", required=True)
    sub.add_parser("fetch", help="download the original data files").set_defaults(func=cmd_fetch)

    train = sub.add_parser("train", help="train one configuration into a model directory")
    train.add_argument("--architecture", choices=list(BUILDERS), default="cnn_res1_conv")
    train.add_argument("--context", choices=list(CONTEXTS), default="windows")
    train.add_argument("--no-rebalance", action="store_true")
    train.add_argument("--epochs", type=int, default=20)
    train.add_argument("--seeds", type=int, default=5)
    train.add_argument("--learning-rate", type=float, default=1e-3)
    train.add_argument("--lr-decay", type=float, default=0.01)
    train.add_argument("--batch-size", type=int, default=64)
    train.add_argument("--output", choices=list(OUTPUTS), default="sigmoid")
    train.add_argument("--patience", type=int, default=2)
    train.add_argument("--split-seed", type=int, default=0)
    train.add_argument("--ensemble", action="store_true", help="keep every seed as an ensemble member")
    train.add_argument("--max-rows", type=int, default=None, help="train on a sample of about this many rows")
    train.add_argument("--loss", choices=list(LOSSES), default="mse", help="mse (the seed's) or bce (binary cross-entropy)")
    train.add_argument("--mixed-weighting", action="store_true", help="every other seed trains unweighted (not rebalanced)")
    train.add_argument("--design-mean-labels", action="store_true", help="train on each design's mean over its barcodes")
    train.add_argument(
        "--cryptic-weight", type=float, default=0.0,
        help="train a second head on cryptic splicing efficiency, its loss weighted by this (0 = off)",
    )
    train.add_argument("--out", type=Path, required=True, help="new model directory")
    train.set_defaults(func=cmd_train)

    evaluate = sub.add_parser("evaluate", help="score a model directory on its saved split")
    evaluate.add_argument("model_dir", type=Path)
    evaluate.set_defaults(func=cmd_evaluate)

    predict = sub.add_parser("predict", help="score a CSV/xlsx/FASTA file of introns")
    predict.add_argument("input", type=Path)
    predict.add_argument("-o", "--output", type=Path, required=True)
    predict.add_argument("--model", type=Path, default=None, help="model directory (default: the active model)")
    predict.set_defaults(func=cmd_predict)

    reproduce = sub.add_parser("reproduce", help="train and evaluate every row of the seed's Table 1")
    reproduce.add_argument("--seeds", type=int, default=5)
    reproduce.add_argument("--epochs", type=int, default=20)
    reproduce.add_argument("--max-rows", type=int, default=None)
    reproduce.add_argument("--out", type=Path, default=DEFAULT_OUT)
    reproduce.set_defaults(func=cmd_reproduce)

    ship = sub.add_parser("ship", help="retrain the shipped model (pretrained/) with its report")
    ship.add_argument("--seeds", type=int, default=None, help="ensemble members (default: the shipped recipe's)")
    ship.add_argument("--max-rows", type=int, default=None)
    ship.add_argument("--no-candidates", action="store_true", help="skip the single-seed comparison models")
    ship.add_argument("--out", type=Path, default=None, help="output directory (default: pretrained/)")
    ship.add_argument("--base-model", type=Path, default=None,
                      help="fine-tune this model directory's members (an earlier run of the recipe before its pair stage) instead of training them")
    ship.set_defaults(func=cmd_ship)
    return top


def main(argv: list[str] | None = None) -> int:
    """Run a sub-command; data and input problems print one clear line and exit 2."""
    args = parser().parse_args(argv)
    try:
        return args.func(args)
    except (DataFileError, FileNotFoundError, FileExistsError, ValueError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
