"""Model page tables: a card's metrics beside the PWM baseline, test-split predictions, curves, Table 1, versions."""

import itertools
from pathlib import Path

import numpy as np
import pandas as pd

from splice_core.analysis.biology_check import HEPTAMER_DELETED, INDEL_CLASSES, KNOCKOUT_CLASSES
from splice_core.analysis.variant_effects import CHANGE_METRICS, HEADLINE_KIND
from splice_core.data.library import read_reporter, usable_rows
from splice_core.data.noise_floor import FLOOR_METRICS, explained_share
from splice_core.data.published import BASELINE_ROW, STUDY_REPORTED, STUDY_TABLE1
from splice_core.data.splits import PARTS, barcodes_to_split
from splice_core.models.store import PRETRAINED_DIR, read_card
from splice_core.models.training import PAIRS_STAGE
from splice_core.predict.predictor import Predictor
from splice_core.reports.shipped_recipe import PREDICTOR_TARGET

METRICS = ("mse", "balanced_mse", "pearson", "spearman", "n")
MODEL, BASELINE, PERFECT = "model", "PWM baseline", "perfect model (expected)"
CNN_ALONE = "CNN ensemble alone (no peer blend)"
EXPLAINED = "r² share"
LOSS_NAMES = {"mse": "MSE", "bce": "binary cross-entropy"}
STUDY_COLUMNS = [
    "model",
    "context",
    *(f"study_{k}" for k in ("parameters", "dev_mse", "dev_pearson", "test_mse")),
]
RENAMED_COLUMNS = {"seed_parameters": "study_parameters"}  # in reproduce tables written by earlier versions
REPRODUCE_FILES = (PRETRAINED_DIR.parent / "runs" / "reproduce.csv", PRETRAINED_DIR / "reproduce.csv")


def overall_metrics(card: dict) -> pd.DataFrame:
    """Train/dev/test metrics of the model, of its CNN ensemble alone where a peer is blended in, and of the PWM
    baseline, one row per (predictor, part)."""
    sources = [(MODEL, card["metrics"]), (BASELINE, card["baseline_metrics"])]
    if "before_peer_blend" in card:
        sources.insert(1, (CNN_ALONE, card["before_peer_blend"]["metrics"]))
    rows = [
        {"predictor": name, "part": part, **{m: metrics[part].get(m, np.nan) for m in METRICS}}
        for name, metrics in sources
        for part in PARTS
    ]
    return pd.DataFrame(rows)


def replicate_table(card: dict) -> pd.DataFrame | None:
    """Per split part, on rows measured with several barcodes: Pearson of the other barcodes' mean, of the model
    and (when the card has it) of the peer; None for cards without these figures."""
    if "replicates" not in card:
        return None
    peer = card.get("peer", {}).get("replicates", {})
    rows = [
        {
            "part": part,
            "rows": values["n"],
            "other barcodes' mean": values["other_barcodes_pearson"],
            MODEL: values["pearson"],
            **({"LightGBM peer": peer[part]["pearson"]} if part in peer else {}),
        }
        for part, values in card["replicates"].items()
    ]
    return pd.DataFrame(rows)


def noise_floor_table(card: dict) -> pd.DataFrame | None:
    """Dev and test MSE, balanced MSE and Pearson of a perfect model (expected, with the 95% interval of its Pearson)
    beside the model's, each with its share of the variance a perfect model would explain; None for cards without a
    noise floor."""
    floor = card.get("noise_floor", {})
    rows = []
    for part in ("dev", "test"):
        if part not in floor:
            continue
        low, high = floor[part]["pearson_interval"]
        perfect, model = floor[part], card["metrics"][part]
        rows.append(
            {
                "part": part,
                "predictor": PERFECT,
                **{m: perfect[m] for m in FLOOR_METRICS},
                "Pearson 95% interval": f"{low:.3f}–{high:.3f}",
                EXPLAINED: 1.0,
            }
        )
        rows.append(
            {
                "part": part,
                "predictor": MODEL,
                **{m: model[m] for m in FLOOR_METRICS},
                "Pearson 95% interval": "",
                EXPLAINED: explained_share(model["pearson"], perfect["pearson"]),
            }
        )
    return pd.DataFrame(rows) if rows else None


def variant_effect_table(card: dict) -> pd.DataFrame | None:
    """Per part and pair kind: the model's change Pearson, Spearman and sign agreement beside a perfect model's
    (expected), each with its 95% interval; None for cards without variant figures."""
    bench = card.get("variant_effects", {}).get("benchmark", {})
    rows = [
        {
            "part": part,
            "pairs": kind,
            "n": figures["model"]["n"],
            "predictor": name,
            **{m: values[m] for m in CHANGE_METRICS},
            **{f"{m} 95%": "–".join(f"{v:.2f}" for v in values[f"{m}_interval"]) for m in CHANGE_METRICS},
        }
        for part, kinds in bench.items()
        for kind, figures in kinds.items()
        for name, values in ((PERFECT, figures["perfect"]), (MODEL, figures["model"]))
    ]
    return pd.DataFrame(rows) if rows else None


# The card's knock-out keys as the Model page's column headers.
KNOCKOUT_HEADERS = {
    "predicted": "knocked out (predicted)",
    "wild_type_predicted": "wild type (predicted)",
    "library_measured": "library constructs with those bases (measured)",
}


def knockout_table(card: dict) -> pd.DataFrame | None:
    """Per part and splice site: natural introns' prediction with the site knocked out, beside the library's
    constructs with those bases there; None for cards without variant figures."""
    knockouts = card.get("variant_effects", {}).get("knockouts", {})
    rows = [{"part": part, **r} for part, sites in knockouts.items() for r in sites]
    return pd.DataFrame(rows).rename(columns=KNOCKOUT_HEADERS) if rows else None


# The biology check's keys as column headers (Model page and REPORT.md).
BIOLOGY_HEADERS = {
    "class": "change",
    "length": "intron length",
    "introns": "introns",
    "predicted": "mean predicted",
    "share_non_splicing": "share ≤ 0.05",
    "wild_type_predicted": "wild type (predicted)",
    "median_abs_change": "median |change|",
    "previous_predicted": "previous model: mean predicted",
    "previous_median_abs_change": "previous model: median |change|",
    "library_measured": "library constructs (measured)",
    "backed_variants": "variants whose constructs measure ≤ 0.05",
    "backed_predicted": "their mean predicted",
}


def biology_table(card: dict) -> pd.DataFrame | None:
    """The biology check per change and length group (and the previous model's mean beside it); None without one."""
    rows = card.get("biology_check")
    if not rows:
        return None
    table = pd.DataFrame(rows)
    previous = (card.get("previous") or {}).get("biology_check")
    if previous:
        before = pd.DataFrame(previous).set_index(["class", "length"])
        keys = list(zip(table["class"], table["length"]))
        for column in ("predicted", "median_abs_change"):
            if column in before:
                table[f"previous_{column}"] = [before[column].get(key) for key in keys]
    return table[[c for c in BIOLOGY_HEADERS if c in table]].rename(columns=BIOLOGY_HEADERS)


def interval_table(card: dict) -> pd.DataFrame | None:
    """Coverage and mean width on test of the intervals for predictions and for changes; None without them."""
    rows = [
        {
            "interval for": name,
            "nominal coverage": card[key]["coverage"],
            "test coverage": card[key]["test"]["coverage"],
            "mean width": card[key]["test"]["width"],
            "test n": card[key]["test"]["n"],
        }
        for key, name in (
            ("intervals", "a prediction"),
            ("change_intervals", "a change (mutant − wild type)"),
        )
        if key in card
    ]
    return pd.DataFrame(rows) if rows else None


def guessing_table(card: dict) -> pd.DataFrame | None:
    """Test rows' mean absolute error where the library distance flags them and where it does not; None without it."""
    errors = card.get("library_distance", {}).get("test_errors")
    if not errors:
        return None
    names = {"flagged": "flagged: the model is guessing", "not_flagged": "not flagged"}
    return pd.DataFrame(
        [{"test rows": names[k], "n": v["n"], "mean |error|": v["mean_abs_error"]} for k, v in errors.items()]
    )


def held_out_agreement_table(card: dict) -> pd.DataFrame | None:
    """On dev and test rows whose other members predict within 0.1 of a design target, the share where the last member
    does too (:mod:`~splice_core.design.library_agreement`); None without it."""
    records = card.get("held_out_agreement")
    if not records:
        return None
    return pd.DataFrame(
        [
            {
                "part": r["part"],
                "target": r["target"],
                "rows": r["rows"],
                "held-out member within 0.1": r["agreement"],
            }
            for r in records
        ]
    )


AT_LEAST, AT_MOST, WITHIN = "≥", "≤", "within"  # how a figure is held against its goal
TARGET_DECIMALS = 4  # a target's figure is rounded to this many places, then shown and judged as rounded
MET = {True: "yes", False: "no"}  # the targets' met column


def goal_text(how: str, goal: float | tuple[float, float]) -> str:
    """A goal as a person reads it: ``≥ 0.83``, ``≤ 0.05`` or ``0.88–0.92``."""
    return f"{goal[0]:g}–{goal[1]:g}" if how == WITHIN else f"{how} {goal:g}"


def meets(value: float, how: str, goal: float | tuple[float, float]) -> bool:
    """Whether ``value`` meets ``goal`` held ``how`` (:data:`AT_LEAST`, :data:`AT_MOST` or :data:`WITHIN`)."""
    if how == WITHIN:
        return goal[0] <= value <= goal[1]
    return value >= goal if how == AT_LEAST else value <= goal


def biology_targets(rows: list[dict]) -> list[tuple[str, float, str, float]]:
    """(target, figure, how, goal) for each biology check row that a target speaks of: a knock-out class's backed
    variants' mean, the branch heptamer deleted and each neutral indel's median change, per length group."""
    goal, out = PREDICTOR_TARGET, []
    for r in rows:
        name = f"{r['class']}, {r['length']}"
        if r["class"] in KNOCKOUT_CLASSES and r.get("backed_variants"):
            out.append(
                (f"{name}: mean of the backed variants", r["backed_predicted"], AT_MOST, goal["knockout"])
            )
        elif r["class"] == HEPTAMER_DELETED:
            out.append((f"{name}: mean predicted", r["predicted"], AT_MOST, goal["heptamer_deleted"]))
        elif r["class"] in INDEL_CLASSES:
            out.append(
                (f"{name}: median absolute change", r["median_abs_change"], AT_MOST, goal["neutral_indel"])
            )
    return out


def target_table(card: dict) -> pd.DataFrame | None:
    """Each target of :data:`~splice_core.reports.shipped_recipe.PREDICTOR_TARGET` as the card reaches it: the library
    and the pairs on test, the biology check (:func:`biology_targets`) and the intervals' test coverage, with the goal
    and whether it is met; None for a card without a biology check."""
    if not card.get("biology_check"):
        return None
    goal, test = PREDICTOR_TARGET, card["metrics"]["test"]
    rows = [
        ("library: test Pearson", test["pearson"], AT_LEAST, goal["pearson"]),
        ("library: test balanced MSE", test["balanced_mse"], AT_MOST, goal["balanced_mse"]),
    ]
    pairs = card.get("variant_effects", {}).get("benchmark", {}).get("test", {}).get(HEADLINE_KIND)
    if pairs:
        name, model = f"pairs ({HEADLINE_KIND}): test", pairs["model"]
        rows.append((f"{name} change Pearson", model["pearson"], AT_LEAST, goal["change_pearson"]))
        rows.append((f"{name} sign agreement", model["sign_agreement"], AT_LEAST, goal["sign_agreement"]))
    rows += biology_targets(card["biology_check"])
    if "intervals" in card:
        intervals = card["intervals"]
        name = f"{intervals['coverage']:.0%} intervals: test coverage"
        rows.append((name, intervals["test"]["coverage"], WITHIN, goal["interval_coverage"]))
    shown = [(name, round(float(value), TARGET_DECIMALS), how, g) for name, value, how, g in rows]
    return pd.DataFrame(
        [
            {"target": name, "figure": figure, "goal": goal_text(how, g), "met": MET[meets(figure, how, g)]}
            for name, figure, how, g in shown
        ]
    )


def per_library_mse(card: dict) -> pd.DataFrame:
    """Test MSE per library type for the model and the PWM baseline, and a perfect model's expected MSE where the
    card has it, with the number of constructs."""
    rows = [
        {"type": library_type, "predictor": name, "mse": values["mse"], "constructs": int(values["n"])}
        for name, key in ((MODEL, "per_library_test"), (BASELINE, "baseline_per_library_test"))
        for library_type, values in card[key].items()
    ]
    noise = card.get("noise_by_type", {})
    rows += [
        {
            "type": library_type,
            "predictor": PERFECT,
            "mse": noise[library_type],
            "constructs": int(values["n"]),
        }
        for library_type, values in card["per_library_test"].items()
        if library_type in noise
    ]
    table = pd.DataFrame(rows)
    table["label"] = table["type"] + " (n=" + table["constructs"].astype(str) + ")"
    return table


def scatter_count_grid(card: dict) -> pd.DataFrame:
    """The card's test counts as a grid: measured bins (rows) by predicted bins (columns), both ascending."""
    bins = np.asarray(card["histograms"]["bins"])
    labels = [f"{(a + b) / 2:.3f}" for a, b in itertools.pairwise(bins)]
    return pd.DataFrame(card["test_scatter_counts"], index=labels, columns=labels).rename_axis(
        index="measured", columns="predicted"
    )


def test_split_predictions(predictor: Predictor, frame: pd.DataFrame, data_dir=None) -> pd.DataFrame:
    """Measured and predicted efficiency of the library rows in the model's saved test split (may be empty)."""
    rows = usable_rows(frame)
    rows = rows[(barcodes_to_split(rows, predictor.card["split"]["barcodes"]) == "test").to_numpy()]
    out = pd.DataFrame({"type": rows["type"].to_numpy(), "measured": rows["splicing_eff"].to_numpy()})
    if rows.empty:
        return out.assign(predicted=np.zeros(0))
    reporter = read_reporter(data_dir) if predictor.context == "full" else None
    return out.assign(predicted=predictor.predict_library(rows, reporter))


def card_history(card: dict) -> list[dict]:
    """Every seed's per-epoch records from a card."""
    return [record for seed in card["seeds"] for record in seed["history"]]


def history_frame(records: list[dict]) -> pd.DataFrame:
    """Per-epoch records as long rows (seed, epoch, curve, loss) for a line chart.

    Curves: ``train`` and ``dev`` per epoch; pair fine-tuning rounds (records of stage ``pairs``, whose own count
    starts at 1 again) continue each seed's axis after its last training epoch as ``train, pair fine-tuning``
    (the loss of the round's library epoch; no dev loss is computed there).
    """
    columns = ["seed", "epoch", "curve", "loss"]
    trained: dict = {}
    rows = []
    for r in records:
        pairs = r.get("stage") == PAIRS_STAGE
        if not pairs:
            trained[r["seed"]] = max(trained.get(r["seed"], 0), r["epoch"])
        curves = (("train, pair fine-tuning", "loss"),) if pairs else (("train", "loss"), ("dev", "val_loss"))
        epoch = r["epoch"] + (trained.get(r["seed"], 0) if pairs else 0)
        rows += [
            {"seed": f"seed {r['seed']}", "epoch": epoch, "curve": c, "loss": r[key]} for c, key in curves
        ]
    return pd.DataFrame(rows, columns=columns)


def loss_label(config: dict) -> str:
    """The training curves' axis label for a recipe (a card's ``config``): its loss, plus the cryptic head's share."""
    name = LOSS_NAMES[config.get("loss", "mse")]
    weight = config.get("cryptic_weight", 0.0)
    return f"loss ({name} + {weight:g} × the cryptic head's)" if weight else f"loss ({name})"


def study_table1() -> pd.DataFrame:
    """The reference study's Table 1 as reported: parameter counts and the published figures (``study_*``)."""
    rows = [(*BASELINE_ROW, 0), *STUDY_TABLE1]
    return pd.DataFrame(
        [
            {
                "model": model,
                "context": context,
                "study_parameters": parameters,
                **{f"study_{k}": v for k, v in STUDY_REPORTED.get((model, context), {}).items()},
            }
            for model, context, parameters in rows
        ],
        columns=STUDY_COLUMNS,
    )


def reproduce_tables(paths: tuple[Path, ...] | None = None) -> dict[str, pd.DataFrame]:
    """Every ``reproduce.csv`` found (default: runs/ and pretrained/), keyed by path; old column names renamed."""
    return {
        str(p): pd.read_csv(p).rename(columns=RENAMED_COLUMNS)
        for p in (paths or REPRODUCE_FILES)
        if Path(p).is_file()
    }


def beside_study(reproduce: pd.DataFrame) -> pd.DataFrame:
    """A reproduce table's rows with the study's reported figures beside them (matched on model and context)."""
    study = study_table1().drop(columns="study_parameters")
    return reproduce.merge(study, on=["model", "context"], how="left")


def version_row(path: Path) -> dict:
    """One model version's recipe and headline metrics from its card."""
    card = read_card(path)
    config, test = card["config"], card["metrics"]["test"]
    return {
        "version": "pretrained (shipped)"
        if Path(path).resolve() == PRETRAINED_DIR.resolve()
        else Path(path).name,
        "architecture": config["architecture"],
        "context": config["context"],
        "epochs": config["epochs"],
        "seeds": config["n_seeds"],
        "ensemble": config["ensemble"],
        "parameters": card["parameters"],
        "constructs": card["data"]["n_usable"],
        "test_mse": test["mse"],
        "test_balanced_mse": test["balanced_mse"],
        "test_pearson": test["pearson"],
        "test_spearman": test["spearman"],
        "dev_mse": card["metrics"]["dev"]["mse"],
        "pwm_test_mse": card["baseline_metrics"]["test"]["mse"],
        "device": card["device"],
        "seconds": card["seconds"],
    }


def versions_table(paths: list[Path]) -> pd.DataFrame:
    """Side-by-side recipe and metrics of several model versions."""
    return pd.DataFrame([version_row(p) for p in paths]).set_index("version")
