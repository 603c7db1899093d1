"""The shipped model's Markdown report (``REPORT.md``): every model tried, on the shipped model's split."""

from splice_core.analysis.biology_check import INDEL_SIZES
from splice_core.analysis.variant_effects import (
    CHANGE_METRICS,
    HEADLINE_KIND,
    MIN_CONSTRUCTS,
    NON_SPLICING,
    SIGN_THRESHOLD,
    SUBSTITUTION,
    THREE_CONTEXT,
)
from splice_core.data.noise_floor import FLOOR_METRICS, explained_share
from splice_core.data.published import study_headline
from splice_core.reports.model_tables import (
    MET,
    TARGET_DECIMALS,
    biology_table,
    guessing_table,
    held_out_agreement_table,
    interval_table,
    target_table,
)
from splice_core.reports.shipped_recipe import HELD_OUT_GOAL, PREDICTOR_TARGET


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


EARLIER_STAGES = (  # a card's figures of its ensemble before a later step, newest first: key, words, model-table row
    ("before_peer_blend", "CNN alone (no peer blend)", "the same ensemble alone, before its peer blend"),
    ("before_site_gates", "before site gates", "the same ensemble before its site gates"),
    ("before_pair_tuning", "before pair fine-tuning", "the same ensemble before its pair fine-tuning"),
)


def blend_text(entry: dict | None) -> str:
    """The card's peer blend (:mod:`~splice_core.models.peer_blend`) in words, after a space ("" without one)."""
    if not entry:
        return ""
    low, high = entry["ramp"]
    tried = ", ".join(f"{w} → {p:.4f}" for w, p in entry["dev_pearson_by_weight"].items())
    return (
        f" Each member's prediction is blended with a fold-free LightGBM peer (k-mers, sites, lengths; taught the train "
        f"part's {entry['knockout_rows']:,} backed knock-outs of natural introns as extra rows, weighing "
        f"{entry['knockout_weight']:g} each): member + {1 - entry['weight']:g} × (peer − member) × ramp, the ramp "
        f"rising from 0 where the member predicts ≤ {low:g} to 1 at ≥ {high:g}, so that what the members call "
        f"non-splicing stays so (a plain blend, `benchmarks/study_peer_blend.py`, lifts the knock-outs). "
        f"The ensemble's share {entry['weight']:g} was chosen on dev Pearson (share → dev Pearson: {tried}). "
        "Every figure of this model is the blend's but for those named the CNN alone and the members' own; the "
        "saliency logo is the CNN members' share only."
    )


def branch_knockout_text(config: dict) -> str:
    """How much more a branch A knock-out weighs in the site gates' fit, as the recipe's text says it ('' for none)."""
    weight = config.get("branch_knockout_weight", 1.0)
    return f" (a branch A's weighing {weight:g} times as much)" if weight != 1.0 else ""


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
    if config.get("construct_mean_labels"):
        parts.append("training labels are construct means over barcodes")
    if config.get("peer_label_weight", 0) > 0:
        parts.append(
            f"each training label blended with the LightGBM peer's out-of-fold prediction of its row (peer weight "
            f"{config['peer_label_weight']:g}; folds grouped by construct)"
        )
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
    if config.get("gate_epochs", 0) > 0:
        parts.append(
            f"then each member's site gates (its 5' site, 3' site and best branch heptamer, each a sigmoid of a weight "
            f"matrix started from the consensus) fitted for {config['gate_epochs']} epochs with the member frozen, on the "
            f"train rows and the same backed knock-outs{branch_knockout_text(config)}: the member's prediction times its "
            "three gates"
        )
    return "; ".join(parts)


def report_markdown(card: dict) -> str:
    """The Markdown report comparing every model tried, on the shipped model's test split."""
    test, study = card["metrics"]["test"], study_headline()
    lines = [
        "# Shipped model report",
        "",
        f"Generated by `python -m splice_core ship{' --base-model DIR' if 'base_model' in card else ''}`"
        f"{' (the members of an earlier run of the recipe, fine-tuned on pairs; the ablation and candidate rows are that run’s)' if 'base_model' in card else ''}. Data: {card['data']['n_usable']} usable constructs "
        f"({card['data']['n_unusable_left_out']} without `splicing_eff` left out), sha256 `{card['data']['sha256'][:12]}…`; "
        f"construct-grouped 90/5/5 split within each library type (seed {card['split']['seed']}), "
        f"test n = {test['n']}. Device: {card['device']}; {card['seconds'] / 60:.0f} min.",
        "",
        f"Shipped: **{card['name']}**, {len(kept_seeds(card))}-member ensemble, {card['parameters']:,} parameters per member. "
        f"Recipe: {recipe_text(card['config'])}.{blend_text(card.get('peer_blend'))}",
        f"Reached on test: Pearson {test['pearson']:.3f}, balanced MSE {test['balanced_mse']:.3f} (the targets below ask "
        f"≥ {PREDICTOR_TARGET['pearson']} and ≤ {PREDICTOR_TARGET['balanced_mse']} here; on the independent held-out "
        f"designs the goal is ≥ {HELD_OUT_GOAL['pearson']} and ≤ {HELD_OUT_GOAL['balanced_mse']}).",
        "",
        *target_lines(card),
        "## Every model tried",
        "",
        "Test split, then dev (where models were chosen). Dev figures of a member are its own training run's.",
        "",
        "| model | MSE | balanced MSE | Pearson | Spearman | dev balanced MSE | dev Pearson |",
        "|---|---|---|---|---|---|---|",
        f"| **shipped ensemble: {card['name']}{' + peer blend' if 'peer_blend' in card else ''}** | {metric_cells(test, card['metrics']['dev'])} |",
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
        *(
            [
                f"| previous shipped model: {card['previous']['name']} | {metric_cells(card['previous']['metrics']['test'], card['previous']['metrics']['dev'])} |"
            ]
            if card.get("previous", {}).get("metrics")
            else []
        ),
        f"| LightGBM peer (k-mers, sites, lengths, RNAfold energies) | {metric_cells(card['peer']['metrics']['test'], card['peer']['metrics']['dev'])} |",
        f"| PWM baseline (the reference study's) | {metric_cells(card['baseline_metrics']['test'], card['baseline_metrics']['dev'])} |",
        "",
        f"The reference study as reported: best CNN dev MSE {study['dev_mse']}, dev Pearson {study['dev_pearson']}, "
        f"test MSE {study['test_mse']} vs {study['baseline_test_mse']} for its baseline (on a rebalanced test set).",
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
    return "\n".join(
        lines + variant_lines(card) + trust_lines(card) + replicate_lines(card) + noise_floor_lines(card)
    )


def cell(value) -> str:
    """A Markdown table cell: numbers to 3 decimals (shares as percent), nothing for a missing value."""
    if value is None or (isinstance(value, float) and value != value):
        return "—"
    return f"{value:.3f}" if isinstance(value, float) else str(value)


def markdown_rows(table) -> list[str]:
    """A DataFrame as Markdown table lines."""
    return [
        "| " + " | ".join(map(str, table.columns)) + " |",
        "|" + "---|" * len(table.columns),
        *["| " + " | ".join(cell(v) for v in row) + " |" for row in table.itertuples(index=False)],
    ]


def target_lines(card: dict) -> list[str]:
    """The report's section of the predictor's targets, each met or how close it came (none without them)."""
    table = target_table(card)
    if table is None:
        return []
    met = (table["met"] == MET[True]).sum()
    return [
        "## The predictor's targets",
        "",
        f"Met: {met} of {len(table)}. The knock-outs' figure is the mean over the variants whose own library constructs "
        f"measure ≤ {NON_SPLICING} (the biology check's last column); the indels are the neutral "
        f"{INDEL_SIZES[0]}-{INDEL_SIZES[-1]}-nt ones in the middle. Figures to {TARGET_DECIMALS} decimals, judged as shown. The "
        "design targets (held-out agreement, time) are measured by `benchmarks/bench_design.py`, not in the card.",
        "",
        *markdown_rows(table.assign(figure=table["figure"].map(f"{{:.{TARGET_DECIMALS}f}}".format))),
        "",
    ]


def trust_lines(card: dict) -> list[str]:
    """The report's sections on the biology check, the intervals and where the model is guessing."""
    lines = []
    biology, intervals, guessing = biology_table(card), interval_table(card), guessing_table(card)
    if biology is not None:
        lines += [
            "## Biology check",
            "",
            "Every canonical annotated yeast intron (`wildtype_introns.csv`: GT…AG with an A at its annotated branch "
            "point) with each splice-site base substituted (every other base) and deleted, its branch heptamer "
            "deleted, and indels of 1-6 nt halfway between its 5' site and its branch heptamer (mostly neutral: "
            "median |change| against its own prediction), beside as many bases substituted there (the control: as "
            "much changed sequence, nothing shifted; an indel that moves a prediction no more than its substitution "
            "is read for its bases, not for its length). Library constructs: the mean of the library's constructs "
            "with that base at that site (for a deletion, the base that moves into its place; at the 3' site, those "
            f"ending with the variant's last {THREE_CONTEXT} bases where there are at least {MIN_CONSTRUCTS}); — where "
            "the library holds no such construct. Introns longer than the library's are read through views. The "
            "last two columns keep the variants whose own constructs measure ≤ 0.05 (the knock-outs the library backs: "
            "the target's ≤ 0.05 is of their mean). A 3' A deleted after another A leaves the intron ending AG: no "
            "knock-out, and no backed variant.",
            "",
            *markdown_rows(biology),
            "",
        ]
    if intervals is not None:
        lines += [
            "## Intervals",
            "",
            "Split-conformal intervals: half-widths from the dev rows' errors per bin of the members' spread (for "
            "changes: the dev mutant/wild-type pairs'), checked on test.",
            "",
            *markdown_rows(intervals),
            "",
        ]
    if guessing is not None:
        lines += [
            "## Where the model is guessing",
            "",
            "An intron is flagged when it is shorter or longer than every training intron, or when its 1-3-mer "
            "profile and length lie farther from the training constructs' (Mahalanobis distance) than 95% of the dev "
            "constructs do.",
            "",
            *markdown_rows(guessing),
            "",
        ]
    agreement = held_out_agreement_table(card)
    if agreement is not None:
        lines += [
            "## The held-out member on the library's own rows",
            "",
            "A from-scratch design is checked by the member left out of its search (within ±0.1 of the target). The "
            "same check on measured rows: of the rows whose other members predict within 0.1 of each design target, "
            "the share where the last member does too. Designs cannot be expected to pass it more often than the "
            "library's own rows do.",
            "",
            *markdown_rows(agreement),
            "",
        ]
    return lines


def change_cell(figures: dict, key: str) -> str:
    """A change figure with its 95% interval, as a Markdown cell."""
    low, high = figures[f"{key}_interval"]
    return f"{figures[key]:.2f} ({low:.2f}–{high:.2f})"


def variant_lines(card: dict) -> list[str]:
    """The report's section on variant effects: change figures on the library's pairs and the knock-out check."""
    variants = card.get("variant_effects")
    if not variants:
        return []
    stages = [
        (words, card[key].get("variant_effects", {})) for key, words, _ in EARLIER_STAGES if key in card
    ] + [("LightGBM peer", card.get("peer", {}).get("variant_effects", {}))]
    lines = [
        "## Variant effects",
        "",
        "Pairs of a mutant construct and its wild-type construct as the library's columns name them (see the README), judged in "
        "the mutant's split part, on construct means over barcodes: predicted against measured change (mutant − wild type). "
        f"Sign: share of the pairs whose measured change exceeds {SIGN_THRESHOLD} in size where the predicted change has "
        "its sign. In brackets: 95% intervals over 1,000 resamples of the pairs; for a perfect model (one predicting each "
        "pair's true change), the range of its figures over 1,000 draws of the two constructs' barcode noise (each type's "
        "noise variance over the construct's barcode count, as in the last section).",
        "",
        "| part | pairs | pairs (sign) | predictor | Pearson | Spearman | sign |",
        "|---|---|---|---|---|---|---|",
    ]
    for part, kinds in variants["benchmark"].items():
        for kind, figures in kinds.items():
            rows = [("perfect model (expected)", figures["perfect"]), ("shipped", figures["model"])]
            for words, other in stages:
                if kind in other.get("benchmark", {}).get(part, {}):
                    rows.append((words, other["benchmark"][part][kind]["model"]))
            for name, values in rows:
                lines.append(
                    f"| {part} | {kind}: {figures['model']['n']} | {figures['model']['n_sign']} | {name} | "
                    f"{' | '.join(change_cell(values, k) for k in CHANGE_METRICS)} |"
                )
    lines += [
        "",
        f"Target on test ({HEADLINE_KIND}): change Pearson ≥ {PREDICTOR_TARGET['change_pearson']}, sign ≥ {PREDICTOR_TARGET['sign_agreement']:.0%}.",
        "",
        "### Knock-outs of natural introns",
        "",
        "Every wild-type natural intron of the library (`endogenous`) with one base of a splice site (or its branch A) "
        "substituted or deleted, where the library's own constructs with the base now there (at least "
        f"{MIN_CONSTRUCTS}; at the 3' site, those ending with the variant's last {THREE_CONTEXT} bases where there are "
        f"that many) average ≤ {NON_SPLICING}: mean prediction over introns and bases, beside those constructs' "
        "measured mean.",
        "",
        "| part | site | change | bases | introns | wild type predicted | knocked out predicted | "
        + "".join(f"{'peer' if words == 'LightGBM peer' else words} | " for words, _ in stages)
        + "library measured |",
        "|---" * (8 + len(stages)) + "|",
    ]
    for part, rows in variants["knockouts"].items():
        others = [
            {
                (r["site"], r.get("kind", SUBSTITUTION)): r["predicted"]
                for r in other.get("knockouts", {}).get(part, [])
            }
            for _, other in stages
        ]
        for r in rows:
            key = (r["site"], r.get("kind", SUBSTITUTION))
            lines.append(
                f"| {part} | {r['site']} | {key[1]} | {r['bases']} | {r['introns']} | {r['wild_type_predicted']:.3f} | {r['predicted']:.3f} | "
                + "".join(f"{other.get(key, float('nan')):.3f} | " for other in others)
                + f"{r['library_measured']:.3f} |"
            )
    return lines + [
        "",
        f"Target: knock-outs predicted ≤ {PREDICTOR_TARGET['knockout']} on average where the library's constructs measure ≤ {NON_SPLICING}.",
        "",
    ]


def replicate_lines(card: dict) -> list[str]:
    """The report's section on the measurement's own noise: other barcodes vs the models, same rows."""
    if "replicates" not in card or "replicates" not in card.get("peer", {}):
        return []
    lines = [
        "## The measurement's own noise",
        "",
        "Rows whose construct was measured with several barcodes: Pearson r of each measurement against the mean of the "
        "same construct's other barcodes (a repeat of the experiment), and of the models on the same rows.",
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
        "What a model that predicted every construct's true mean would be expected to score, given how much a construct's "
        "barcodes disagree. Per library type, the noise of one measurement is estimated from the constructs measured with "
        "several barcodes (all parts); within the balanced MSE's two classes (measured below 0.1, and 0.1 or above), "
        "from constructs with 3 or more barcodes, the other barcodes' own noise taken off. No model can expect a lower MSE "
        "or a higher Pearson r than a perfect one; a model tilted toward the balanced weighting can score below it on "
        "balanced MSE. In brackets: 95% intervals of the noise estimate, over resamples of the replicated constructs within "
        "each type. Assumes that barcodes' errors are independent, and that constructs measured once are as noisy as the "
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
        f"Goal on the independent held-out designs: Pearson ≥ {HELD_OUT_GOAL['pearson']}, balanced MSE ≤ {HELD_OUT_GOAL['balanced_mse']}. "
        f"A perfect model is expected at Pearson {test['pearson']:.3f}, balanced MSE {test['balanced_mse']:.3f}.",
        "",
    ]
    if not test["pearson"] > 0:
        return lines
    return lines + [
        "Share of the variance a perfect model would explain on test, (r / r of a perfect model)²: "
        f"shipped {explained_share(card['metrics']['test']['pearson'], test['pearson']):.0%}, "
        f"peer {explained_share(card['peer']['metrics']['test']['pearson'], test['pearson']):.0%}; "
        f"the held-out designs' goal Pearson needs {explained_share(HELD_OUT_GOAL['pearson'], test['pearson']):.0%}.",
        "",
    ]
