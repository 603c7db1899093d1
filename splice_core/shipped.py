"""The shipped model: its recipe, the gradient-boosting peer beside it, and the generated report."""

import shutil
import time
from dataclasses import replace
from pathlib import Path

import numpy as np

from .evaluation import metrics_by_part, per_library_table, replicate_agreement, table_to_records
from .experiment import PreparedData, prepare_data, run_training
from .features import intron_features
from .model_store import PRETRAINED_DIR, load_model, read_card, save_model_dir
from .noise_floor import FLOOR_METRICS, explained_share, noise_by_type, noise_floor, replicate_rows
from .peer import fit_peer
from .training import ProgressCallback, TrainConfig
from .variant_effects import (
    CHANGE_METRICS,
    HEADLINE_KIND,
    MIN_CONSTRUCTS,
    NON_SPLICING,
    SIGN_THRESHOLD,
    library_pairs,
    variant_card,
)

SHIPPED_CONFIG = TrainConfig(
    architecture="site_aware_cnn",
    context="intron",
    n_seeds=4,
    epochs=40,
    learning_rate=1e-3,
    lr_decay=2e-3,
    patience=10,
    min_delta=0.0,
    ensemble=True,
    clipnorm=1.0,
    loss="bce",
    mixed_weighting=True,
    design_mean_labels=True,
    cryptic_weight=0.5,
    pair_epochs=3,
    pair_learning_rate=2e-4,
    change_weight=1.0,
    knockout_weight=2.0,
)
CANDIDATES = (("dilated_resnet", "intron"), ("cnn_res1_conv", "windows"), ("cnn_res1_conv", "intron"))
SEED_REPORTED = {"dev_mse": 0.104, "dev_pearson": 0.625, "test_mse": 0.102, "baseline_test_mse": 0.202}
TARGET = {"pearson": 0.85, "balanced_mse": 0.040}
VARIANT_TARGET = {"pearson": 0.60, "sign_agreement": 0.75, "knockout": 0.05}


def peer_results(data: PreparedData) -> dict:
    """Fit the LightGBM peer on the same split; its metrics overall and per library type on test."""
    start = time.monotonic()
    pwms = {k: np.asarray(v) for k, v in data.baseline.pwms.items()}
    features = intron_features(data.frame["intron_seq"].tolist(), pwms)
    peer = fit_peer(features, data.frame["splicing_eff"].to_numpy(), data.parts.to_numpy(), pwms)
    pred = peer.predict_features(features)
    return {
        "metrics": metrics_by_part(data.frame, data.parts, pred),
        "per_library_test": table_to_records(per_library_table(data.frame, data.parts, pred)),
        "replicates": replicate_agreement(data.frame, data.parts, pred),
        "variant_effects": variant_card(
            peer.predict_introns,
            data.frame,
            data.parts,
            library_pairs(data.frame, data.parts),
            noise_by_type(data.frame, replicate_rows(data.frame)),
        ),
        "n_trees": int(peer.model.best_iteration_ or peer.model.n_estimators),
        "seconds": time.monotonic() - start,
    }


def candidate_results(
    data: PreparedData, config: TrainConfig, on_epoch_end: ProgressCallback | None = None
) -> list[dict]:
    """Single-seed runs of the other architectures with the shipped recipe, for the report."""
    out = []
    for architecture, context in CANDIDATES:
        _, card = run_training(
            replace(config, architecture=architecture, context=context, n_seeds=1, ensemble=False),
            data=data,
            on_epoch_end=on_epoch_end,
        )
        out.append(
            {
                "name": card["name"],
                "parameters": card["parameters"],
                "metrics": card["metrics"],
                "seconds": card["seconds"],
            }
        )
    return out


def ablation_results(
    data: PreparedData, config: TrainConfig, on_epoch_end: ProgressCallback | None = None
) -> list[dict]:
    """The shipped recipe without its cryptic head (same seeds), for the report; none when it has no head."""
    if config.cryptic_weight <= 0:
        return []
    _, card = run_training(replace(config, cryptic_weight=0.0), data=data, on_epoch_end=on_epoch_end)
    members = len(kept_seeds(card))
    name = f"same recipe without the cryptic head ({members} member{'s' if members != 1 else ''})"
    return [{"name": name, "metrics": card["metrics"], "seconds": card["seconds"]}]


def planned_epochs(config: TrainConfig, candidates: bool = True, fine_tune_only: bool = False) -> int:
    """Epochs :func:`build_shipped` trains at most: the ensemble and its pair fine-tuning, then (with ``candidates``) its
    ablation and the candidates; with ``fine_tune_only`` (a base model given), the pair fine-tuning alone."""
    pairs = config.n_seeds * config.pair_epochs
    if fine_tune_only:
        return pairs
    runs = config.n_seeds * (1 + (candidates and config.cryptic_weight > 0)) + candidates * len(CANDIDATES)
    return runs * config.epochs + pairs


def build_shipped(
    data_dir=None,
    out: Path = PRETRAINED_DIR,
    config: TrainConfig = SHIPPED_CONFIG,
    candidates: bool = True,
    on_epoch_end: ProgressCallback | None = None,
    base_dir: Path | None = None,
) -> dict:
    """Train the shipped ensemble, the peer and the candidates; write ``out`` (model, card, REPORT.md), keeping its other files.

    ``base_dir``: a model directory that an earlier run of this recipe wrote before its pair fine-tuning (the same
    seeds give the same members): its members are fine-tuned instead of trained again, and its card's ablations
    and candidates are kept.
    """
    data = prepare_data(data_dir, config.split_seed, config.max_rows)
    base = (load_model(base_dir), read_card(base_dir)) if base_dir is not None else None
    model, card = run_training(config, data=data, on_epoch_end=on_epoch_end, base=base)
    card["peer"] = peer_results(data)
    replicates = replicate_rows(data.frame)
    card["noise_floor"] = noise_floor(data.frame, data.parts, replicates)
    card["noise_by_type"] = noise_by_type(data.frame, replicates)
    if base is not None:
        card["base_model"] = {"path": str(base_dir), "seconds": base[1].get("seconds")}
        card["ablations"], card["candidates"] = base[1].get("ablations", []), base[1].get("candidates", [])
    else:
        card["ablations"] = ablation_results(data, config, on_epoch_end) if candidates else []
        card["candidates"] = candidate_results(data, config, on_epoch_end) if candidates else []
    if "before_pair_tuning" in card:
        card["ablations"] = [
            {"name": "the same ensemble before its pair fine-tuning", **card["before_pair_tuning"]},
            *card["ablations"],
        ]
    card["seed_reported"] = SEED_REPORTED
    card["target"] = TARGET
    staging = Path(out).with_name(Path(out).name + ".new")
    shutil.rmtree(staging, ignore_errors=True)
    save_model_dir(staging, model, card)
    (staging / "REPORT.md").write_text(report_markdown(card))
    Path(out).mkdir(parents=True, exist_ok=True)
    for path in staging.iterdir():  # replace only what ship writes: reproduce.{md,csv} stay
        path.replace(Path(out) / path.name)
    staging.rmdir()
    return card


def kept_seeds(card: dict) -> list[dict]:
    """The card's seed records of the ensemble members, in member order."""
    return [seed for seed in card.get("seeds", []) if seed.get("in_model", True)]


def member_note(seed: dict) -> str:
    """`` (seed S, rebalanced)`` or `` (seed S, unweighted)`` for a member's row in the report."""
    return f" (seed {seed['seed']}, {'rebalanced' if seed.get('rebalanced', True) else 'unweighted'})"


def metric_cells(metrics: dict, dev: dict | None = None) -> str:
    """Test MSE, balanced MSE, Pearson and Spearman, then dev balanced MSE and Pearson, as Markdown cells."""
    cells = [f"{metrics[k]:.3f}" for k in ("mse", "balanced_mse", "pearson", "spearman")]
    return " | ".join(cells + [f"{dev[k]:.3f}" if dev else "" for k in ("balanced_mse", "pearson")])


def recipe_text(config: dict) -> str:
    """The training recipe of a card's config in words."""
    parts = [
        f"{config['loss']} loss",
        f"{config['epochs']} epochs at most (patience {config['patience']})",
        f"learning rate {config['learning_rate']:g} (decay {config['lr_decay']:g})",
        f"batch {config['batch_size']}",
        "every other seed unweighted"
        if config.get("mixed_weighting")
        else ("rebalanced" if config["rebalance"] else "unweighted"),
    ]
    if config.get("design_mean_labels"):
        parts.append("training labels are design means over barcodes")
    if config.get("cryptic_weight", 0) > 0:
        parts.append(
            f"a cryptic-splicing head trained beside efficiency (loss weight {config['cryptic_weight']:g}), dropped after training"
        )
    if config.get("pair_epochs", 0) > 0:
        parts.append(
            f"then fine-tuned for {config['pair_epochs']} rounds at learning rate {config['pair_learning_rate']:g}, each one epoch on the "
            f"library and one on mutant/wild-type pairs (the library's own, and backed knock-outs of train-part natural introns "
            f"with each site weighing {config.get('knockout_weight', 1.0):g}; loss on both values and {config['change_weight']:g} × "
            "the squared error of their change)"
        )
    return "; ".join(parts)


def report_markdown(card: dict) -> str:
    """The Markdown report comparing every model tried, on the shipped model's test split."""
    test = card["metrics"]["test"]
    lines = [
        "# Shipped model report",
        "",
        f"Generated by `python -m splice_core ship{' --base-model DIR' if 'base_model' in card else ''}`"
        f"{' (the members of an earlier run of the recipe, fine-tuned on pairs; the ablation and candidate rows are that run’s)' if 'base_model' in card else ''}. Data: {card['data']['n_usable']} usable constructs "
        f"({card['data']['n_unusable_left_out']} without `splicing_eff` left out), sha256 `{card['data']['sha256'][:12]}…`; "
        f"design-grouped 90/5/5 split within each library type (seed {card['split']['seed']}), "
        f"test n = {test['n']}. Device: {card['device']}; {card['seconds'] / 60:.0f} min.",
        "",
        f"Shipped: **{card['name']}**, {len(kept_seeds(card))}-member ensemble, {card['parameters']:,} parameters per member. "
        f"Recipe: {recipe_text(card['config'])}.",
        f"Target: Pearson ≥ {TARGET['pearson']}, balanced MSE ≤ {TARGET['balanced_mse']} on test. "
        f"Reached: Pearson {test['pearson']:.3f}, balanced MSE {test['balanced_mse']:.3f}.",
        "",
        "## Every model tried",
        "",
        "Test split, then dev (where models were chosen). Dev figures of a member are its own training run's.",
        "",
        "| model | MSE | balanced MSE | Pearson | Spearman | dev balanced MSE | dev Pearson |",
        "|---|---|---|---|---|---|---|",
        f"| **shipped ensemble: {card['name']}** | {metric_cells(test, card['metrics']['dev'])} |",
        *[
            f"| member {i + 1} alone{member_note(seed)} | {metric_cells(m, seed.get('dev'))} |"
            for i, (m, seed) in enumerate(zip(card.get("members_test", []), kept_seeds(card)))
        ],
        *[
            f"| {a['name']} | {metric_cells(a['metrics']['test'], a['metrics']['dev'])} |"
            for a in card.get("ablations", [])
        ],
        *[
            f"| {c['name']} (1 seed) | {metric_cells(c['metrics']['test'], c['metrics']['dev'])} |"
            for c in card.get("candidates", [])
        ],
        f"| LightGBM peer (k-mers, sites, lengths, RNAfold energies) | {metric_cells(card['peer']['metrics']['test'], card['peer']['metrics']['dev'])} |",
        f"| PWM baseline (seed study) | {metric_cells(card['baseline_metrics']['test'], card['baseline_metrics']['dev'])} |",
        "",
        f"Seed study as reported: best CNN dev MSE {SEED_REPORTED['dev_mse']}, dev Pearson {SEED_REPORTED['dev_pearson']}, "
        f"test MSE {SEED_REPORTED['test_mse']} vs {SEED_REPORTED['baseline_test_mse']} for its baseline (on a rebalanced test set).",
        "",
        "## Per library type (test split)",
        "",
        "| library type | n | shipped MSE | shipped Pearson | peer MSE | PWM baseline MSE | perfect model MSE (expected) |",
        "|---|---|---|---|---|---|---|",
    ]
    noise = card.get("noise_by_type", {})
    for name, row in card["per_library_test"].items():
        peer = card["peer"]["per_library_test"].get(name, {})
        base = card["baseline_per_library_test"].get(name, {})
        lines.append(
            f"| {name} | {row['n']:.0f} | {row['mse']:.3f} | {row['pearson']:.3f} | {peer.get('mse', float('nan')):.3f} | "
            f"{base.get('mse', float('nan')):.3f} | {noise.get(name, float('nan')):.3f} |"
        )
    lines += [
        "",
        "Pearson is NaN where a library type's test measurements are constant. A perfect model's expected MSE is the "
        "type's noise variance (see the last section).",
        "",
    ]
    return "\n".join(lines + variant_lines(card) + replicate_lines(card) + noise_floor_lines(card))


def change_cell(figures: dict, key: str) -> str:
    """A change figure with its 95% interval, as a Markdown cell."""
    low, high = figures[f"{key}_interval"]
    return f"{figures[key]:.2f} ({low:.2f}–{high:.2f})"


def variant_lines(card: dict) -> list[str]:
    """The report's section on variant effects: change figures on the library's pairs and the knock-out check."""
    variants = card.get("variant_effects")
    if not variants:
        return []
    before = card.get("before_pair_tuning", {}).get("variant_effects", {}).get("benchmark", {})
    peer = card.get("peer", {}).get("variant_effects", {}).get("benchmark", {})
    lines = [
        "## Variant effects",
        "",
        "Pairs of a mutant design and its wild-type design as the library's columns name them (see the README), judged in "
        "the mutant's split part, on design means over barcodes: predicted against measured change (mutant − wild type). "
        f"Sign: share of the pairs whose measured change exceeds {SIGN_THRESHOLD} in size where the predicted change has "
        "its sign. In brackets: 95% intervals over 1,000 resamples of the pairs; for a perfect model (one predicting each "
        "pair's true change), the range of its figures over 1,000 draws of the two designs' barcode noise (each type's "
        "noise variance over the design's barcode count, as in the last section).",
        "",
        "| part | pairs | pairs (sign) | predictor | Pearson | Spearman | sign |",
        "|---|---|---|---|---|---|---|",
    ]
    for part, kinds in variants["benchmark"].items():
        for kind, figures in kinds.items():
            rows = [("perfect model (expected)", figures["perfect"]), ("shipped", figures["model"])]
            if kind in before.get(part, {}):
                rows.append(("before pair fine-tuning", before[part][kind]["model"]))
            if kind in peer.get(part, {}):
                rows.append(("LightGBM peer", peer[part][kind]["model"]))
            for name, values in rows:
                lines.append(
                    f"| {part} | {kind}: {figures['model']['n']} | {figures['model']['n_sign']} | {name} | "
                    f"{' | '.join(change_cell(values, k) for k in CHANGE_METRICS)} |"
                )
    lines += [
        "",
        f"Target on test ({HEADLINE_KIND}): change Pearson ≥ {VARIANT_TARGET['pearson']}, sign ≥ {VARIANT_TARGET['sign_agreement']:.0%}.",
        "",
        "### Knock-outs of natural introns",
        "",
        "Every wild-type natural intron of the library (`endogenous`) with one base of a splice site substituted, where "
        f"the library's own constructs with that base there (at least {MIN_CONSTRUCTS}) average ≤ {NON_SPLICING}: mean "
        "prediction over introns and bases, beside those constructs' measured mean.",
        "",
        "| part | site | bases | introns | wild type predicted | knocked out predicted | before pair fine-tuning | peer | library measured |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    others = [
        card.get(key, {}).get("variant_effects", {}).get("knockouts", {})
        for key in ("before_pair_tuning", "peer")
    ]
    for part, rows in variants["knockouts"].items():
        earlier, peer_ko = ({r["site"]: r["predicted"] for r in other.get(part, [])} for other in others)
        for r in rows:
            lines.append(
                f"| {part} | {r['site']} | {r['bases']} | {r['introns']} | {r['wild_type_predicted']:.3f} | {r['predicted']:.3f} | "
                f"{earlier.get(r['site'], float('nan')):.3f} | {peer_ko.get(r['site'], float('nan')):.3f} | {r['library_measured']:.3f} |"
            )
    return lines + [
        "",
        f"Target: knock-outs of the 5' G or T predicted ≤ {VARIANT_TARGET['knockout']} on average.",
        "",
    ]


def replicate_lines(card: dict) -> list[str]:
    """The report's section on the measurement's own noise: other barcodes vs the models, same rows."""
    if "replicates" not in card or "replicates" not in card.get("peer", {}):
        return []
    lines = [
        "## The measurement's own noise",
        "",
        "Rows whose design was measured with several barcodes: Pearson r of each measurement against the mean of the "
        "same design's other barcodes (a repeat of the experiment), and of the models on the same rows.",
        "",
        "| part | rows | other barcodes' mean | shipped ensemble | LightGBM peer |",
        "|---|---|---|---|---|",
    ]
    for part, row in card["replicates"].items():
        peer = card["peer"]["replicates"][part]
        lines.append(
            f"| {part} | {row['n']} | {row['other_barcodes_pearson']:.3f} | {row['pearson']:.3f} | {peer['pearson']:.3f} |"
        )
    lines += [
        "",
        "Where a model matches the other barcodes, it predicts a measurement as well as repeating the measurement does.",
        "",
    ]
    return lines


def floor_cell(floor: dict, key: str) -> str:
    """A perfect model's expected figure with its 95% interval, as a Markdown cell."""
    low, high = floor[f"{key}_interval"]
    return f"{floor[key]:.3f} ({low:.3f}–{high:.3f})"


def noise_floor_lines(card: dict) -> list[str]:
    """The report's section on a perfect model's expected figures, beside the shipped model's and the peer's."""
    floor = card.get("noise_floor", {})
    if "test" not in floor:
        return []
    lines = [
        "## Against a perfect model",
        "",
        "What a model that predicted every design's true mean would be expected to score, given how much a design's "
        "barcodes disagree. Per library type, the noise of one measurement is estimated from the designs measured with "
        "several barcodes (all parts); within the balanced MSE's two classes (measured below 0.1, and 0.1 or above), "
        "from designs with 3 or more barcodes, the other barcodes' own noise taken off. No model can expect a lower MSE "
        "or a higher Pearson r than a perfect one; a model tilted toward the balanced weighting can score below it on "
        "balanced MSE. In brackets: 95% intervals of the noise estimate, over resamples of the replicated designs within "
        "each type. Assumes that barcodes' errors are independent, and that designs measured once are as noisy as the "
        "replicated ones of their library type.",
        "",
        "| part | perfect model: MSE | balanced MSE | Pearson | shipped: MSE | balanced MSE | Pearson | peer: balanced MSE | Pearson |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for part in (p for p in ("dev", "test") if p in floor):
        model, peer = card["metrics"][part], card["peer"]["metrics"][part]
        lines.append(
            f"| {part} | {' | '.join(floor_cell(floor[part], k) for k in FLOOR_METRICS)} | "
            f"{model['mse']:.3f} | {model['balanced_mse']:.3f} | {model['pearson']:.3f} | {peer['balanced_mse']:.3f} | {peer['pearson']:.3f} |"
        )
    test = floor["test"]
    lines += [
        "",
        f"Target on test: Pearson ≥ {TARGET['pearson']}, balanced MSE ≤ {TARGET['balanced_mse']}. "
        f"A perfect model is expected at Pearson {test['pearson']:.3f}, balanced MSE {test['balanced_mse']:.3f}.",
        "",
    ]
    if not test["pearson"] > 0:
        return lines
    return lines + [
        "Share of the variance a perfect model would explain on test, (r / r of a perfect model)²: "
        f"shipped {explained_share(card['metrics']['test']['pearson'], test['pearson']):.0%}, "
        f"peer {explained_share(card['peer']['metrics']['test']['pearson'], test['pearson']):.0%}; "
        f"the target Pearson needs {explained_share(TARGET['pearson'], test['pearson']):.0%}.",
        "",
    ]
