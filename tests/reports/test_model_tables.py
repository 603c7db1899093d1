"""Model page tables from cards: metrics, per-library MSE, test predictions, curves, Table 1 and versions."""

import keras
import numpy as np
import pandas as pd
import pytest
from conftest import make_library

from splice_core.data.published import BASELINE_ROW, BEST_CNN_ROW, STUDY_REPORTED, STUDY_TABLE1
from splice_core.data.splits import PARTS, barcode_keys
from splice_core.models.store import PRETRAINED_DIR, save_model_dir
from splice_core.models.training import PAIRS_STAGE
from splice_core.predict.predictor import Predictor
from splice_core.reports import model_tables as mr


def part_metrics(mse: float) -> dict:
    """Metrics of one part whose values are derived from ``mse`` (so each is recognisable)."""
    return {
        "mse": mse,
        "balanced_mse": mse + 0.01,
        "pearson": 1 - mse,
        "spearman": 1 - 2 * mse,
        "n": int(mse * 1000),
    }


def toy_card(test_mse: float = 0.1) -> dict:
    """A model card with every field the Model page reads, hand-set values."""
    return {
        "name": "toy",
        "parameters": 5,
        "device": "CPU",
        "seconds": 1.5,
        "config": {
            "architecture": "cnn_res1",
            "context": "intron",
            "epochs": 3,
            "n_seeds": 2,
            "ensemble": False,
        },
        "data": {"n_usable": 80},
        "metrics": {"train": part_metrics(0.05), "dev": part_metrics(0.08), "test": part_metrics(test_mse)},
        "baseline_metrics": {p: part_metrics(0.2) for p in PARTS},
        "per_library_test": {"a": {"mse": 0.1, "n": 3.0}, "b": {"mse": 0.3, "n": 7.0}},
        "baseline_per_library_test": {"a": {"mse": 0.2, "n": 3.0}, "b": {"mse": 0.4, "n": 7.0}},
        "histograms": {"bins": [0.0, 0.5, 1.0]},
        "test_scatter_counts": [[5, 1], [2, 7]],
        "seeds": [
            {
                "seed": 0,
                "history": [
                    {"seed": 0, "epoch": 1, "loss": 0.3, "val_loss": 0.4},
                    {"seed": 0, "epoch": 2, "loss": 0.2, "val_loss": 0.35},
                ],
            },
            {"seed": 1, "history": [{"seed": 1, "epoch": 1, "loss": 0.25, "val_loss": 0.3}]},
        ],
    }


def a_fraction_model() -> keras.Model:
    """A hand-set model ``(N, 200, 4) -> (N, 1)``: the share of A over the 200 positions."""
    inputs = keras.Input((200, 4))
    dense = keras.layers.Dense(1)
    outputs = dense(keras.layers.GlobalAveragePooling1D()(inputs))
    model = keras.Model(inputs, outputs)
    dense.set_weights([np.array([[1.0], [0.0], [0.0], [0.0]]), np.zeros(1)])
    return model


def test_overall_metrics_rows_per_predictor_and_part():
    table = mr.overall_metrics(toy_card())
    assert table[["predictor", "part"]].values.tolist() == [
        [p, part] for p in (mr.MODEL, mr.BASELINE) for part in PARTS
    ]
    assert table["mse"].tolist() == pytest.approx([0.05, 0.08, 0.1, 0.2, 0.2, 0.2])
    assert table.loc[2, "n"] == 100


def test_overall_metrics_show_the_cnn_alone_beside_a_peer_blend():
    card = toy_card()
    card["before_peer_blend"] = {"metrics": {part: {"mse": 0.5, "n": 100} for part in PARTS}}
    table = mr.overall_metrics(card)
    assert table["predictor"].tolist() == [p for p in (mr.MODEL, mr.CNN_ALONE, mr.BASELINE) for _ in PARTS]
    assert table.loc[table["predictor"] == mr.CNN_ALONE, "mse"].tolist() == [0.5] * 3


def test_per_library_mse_has_both_predictors_with_counts_in_labels():
    table = mr.per_library_mse(toy_card())
    assert table["label"].tolist() == ["a (n=3)", "b (n=7)"] * 2
    assert table["predictor"].tolist() == [mr.MODEL] * 2 + [mr.BASELINE] * 2
    assert table["mse"].tolist() == pytest.approx([0.1, 0.3, 0.2, 0.4])


def test_per_library_mse_adds_a_perfect_model_where_the_card_has_its_noise():
    card = toy_card()
    card["noise_by_type"] = {"a": 0.05, "c": 0.5}
    table = mr.per_library_mse(card)
    perfect = table[table["predictor"] == mr.PERFECT]
    assert perfect["label"].tolist() == ["a (n=3)"] and perfect["mse"].tolist() == [0.05]


def test_scatter_count_grid_has_measured_rows_and_predicted_columns():
    grid = mr.scatter_count_grid(toy_card())
    assert grid.index.tolist() == grid.columns.tolist() == ["0.250", "0.750"]
    assert grid.values.tolist() == [[5, 1], [2, 7]]
    assert (grid.index.name, grid.columns.name) == ("measured", "predicted")


def test_test_split_predictions_score_only_the_saved_test_rows():
    frame = make_library(12).assign(construct=lambda f: f["intron_seq"])
    frame["usable"] = frame["splicing_eff"].notna()
    usable = frame[frame["usable"]].reset_index(drop=True)
    test_rows = usable.iloc[[1, 4, 6]]
    card = {
        "config": {"context": "intron"},
        "split": {"barcodes": {"test": barcode_keys(test_rows["BC"]).tolist(), "train": []}},
    }
    table = mr.test_split_predictions(Predictor(a_fraction_model(), card), frame)
    assert table["measured"].tolist() == pytest.approx(test_rows["splicing_eff"].tolist())
    assert table["type"].tolist() == test_rows["type"].tolist()
    assert table["predicted"].tolist() == pytest.approx(
        [s[:200].count("A") / 200 for s in test_rows["intron_seq"]], abs=1e-6
    )


def test_test_split_predictions_are_empty_when_no_barcode_matches():
    frame = (
        make_library(6)
        .assign(construct=lambda f: f["intron_seq"], usable=True)
        .dropna(subset=["splicing_eff"])
    )
    card = {"config": {"context": "intron"}, "split": {"barcodes": {"test": ["0" * 16]}}}
    table = mr.test_split_predictions(Predictor(a_fraction_model(), card), frame)
    assert table.empty and table.columns.tolist() == ["type", "measured", "predicted"]


def test_history_frame_has_a_train_and_a_dev_row_per_epoch():
    table = mr.history_frame(mr.card_history(toy_card()))
    assert len(table) == 6
    assert table.iloc[:2].values.tolist() == [["seed 0", 1, "train", 0.3], ["seed 0", 1, "dev", 0.4]]
    assert mr.history_frame([]).columns.tolist() == ["seed", "epoch", "curve", "loss"]


def test_pair_fine_tuning_rounds_continue_each_seeds_curve_after_its_training_epochs():
    records = [
        {"seed": 7, "epoch": 1, "loss": 0.5, "val_loss": 0.75},
        {"seed": 7, "epoch": 2, "loss": 0.25, "val_loss": 0.5},
        {"seed": 7, "epoch": 1, "loss": 0.125, "val_loss": float("nan"), "stage": PAIRS_STAGE},
    ]
    table = mr.history_frame(records)
    assert table.values.tolist()[-1] == ["seed 7", 3, "train, pair fine-tuning", 0.125]
    assert len(table) == 5 and table["epoch"].is_monotonic_increasing


def test_study_table1_holds_the_reported_figures():
    table = mr.study_table1().set_index(["model", "context"])
    assert table.loc[BEST_CNN_ROW].to_dict() == {
        "study_parameters": dict(((a, c), p) for a, c, p in STUDY_TABLE1)[BEST_CNN_ROW],
        **{f"study_{k}": v for k, v in STUDY_REPORTED[BEST_CNN_ROW].items()},
    }
    assert table.loc[BASELINE_ROW, "study_test_mse"] == STUDY_REPORTED[BASELINE_ROW]["test_mse"]
    assert table.loc[BASELINE_ROW, "study_parameters"] == 0
    assert np.isnan(table.loc[("cnn_res4", "windows"), "study_test_mse"])
    assert len(table) == 1 + len(STUDY_TABLE1)


def test_reproduce_tables_found_and_put_beside_the_study(tmp_path):
    path = tmp_path / "reproduce.csv"
    pd.DataFrame(
        {
            "model": ["PWM baseline", "cnn_res1_conv", "all zeros"],
            "context": ["sites", "windows", "-"],
            "test_mse": [0.08, 0.07, 0.3],
        }
    ).to_csv(path, index=False)
    tables = mr.reproduce_tables((tmp_path / "missing.csv", path))
    assert list(tables) == [str(path)]
    beside = mr.beside_study(tables[str(path)])
    assert beside["test_mse"].tolist() == [0.08, 0.07, 0.3]
    assert beside["study_test_mse"].tolist()[:2] == [
        STUDY_REPORTED[BASELINE_ROW]["test_mse"],
        STUDY_REPORTED[BEST_CNN_ROW]["test_mse"],
    ]
    assert np.isnan(beside["study_test_mse"].iloc[2])


def test_a_reproduce_table_written_before_the_rename_reads_with_the_new_column_names(tmp_path):
    path = tmp_path / "reproduce.csv"
    path.write_text(
        "model,context,parameters,seed_parameters,test_mse\nPWM baseline,sites,0,0,0.08\ncnn_res1,windows,9000,14000,0.07\n"
    )
    (table,) = mr.reproduce_tables((path,)).values()
    assert table.columns.tolist() == ["model", "context", "parameters", "study_parameters", "test_mse"]
    assert table["study_parameters"].tolist() == [0, 14000]
    assert mr.beside_study(table)["study_test_mse"].iloc[0] == STUDY_REPORTED[BASELINE_ROW]["test_mse"]


def test_the_shipped_reproduce_table_names_the_study_columns():
    (table,) = mr.reproduce_tables((PRETRAINED_DIR / "reproduce.csv",)).values()
    assert "study_parameters" in table.columns and not any(c.startswith("seed") for c in table.columns)
    assert "seed_parameters" not in (PRETRAINED_DIR / "reproduce.csv").read_text()


def test_reproduce_tables_default_paths_are_runs_and_pretrained():
    assert (
        PRETRAINED_DIR.parent / "runs" / "reproduce.csv",
        PRETRAINED_DIR / "reproduce.csv",
    ) == mr.REPRODUCE_FILES


def test_versions_table_compares_cards_side_by_side(tmp_path):
    paths = [
        save_model_dir(tmp_path / name, a_fraction_model(), toy_card(mse))
        for name, mse in (("v1", 0.1), ("v2", 0.06))
    ]
    table = mr.versions_table(paths)
    assert table.index.tolist() == ["v1", "v2"]
    assert table["test_mse"].tolist() == pytest.approx([0.1, 0.06])
    assert table.loc["v2", "pwm_test_mse"] == 0.2 and table.loc["v1", "architecture"] == "cnn_res1"
    assert mr.versions_table([PRETRAINED_DIR]).index.tolist() == ["pretrained (shipped)"]


def test_replicate_table_puts_the_model_and_peer_beside_the_other_barcodes():
    card = {
        "replicates": {"dev": {"n": 4, "other_barcodes_pearson": 0.5, "pearson": 0.625}},
        "peer": {"replicates": {"dev": {"n": 4, "other_barcodes_pearson": 0.5, "pearson": 0.75}}},
    }
    table = mr.replicate_table(card)
    assert table.to_dict("records") == [
        {"part": "dev", "rows": 4, "other barcodes' mean": 0.5, mr.MODEL: 0.625, "LightGBM peer": 0.75}
    ]
    del card["peer"]
    assert list(mr.replicate_table(card).columns) == ["part", "rows", "other barcodes' mean", mr.MODEL]
    assert mr.replicate_table({}) is None


def test_noise_floor_table_puts_a_perfect_model_beside_the_model():
    floor = {"mse": 0.02, "balanced_mse": 0.04, "pearson": 0.875, "pearson_interval": [0.85, 0.9]}
    card = {
        "noise_floor": {"train": floor, "test": floor},
        "metrics": {"test": {"mse": 0.03, "balanced_mse": 0.05, "pearson": 0.8, "n": 9}},
    }
    table = mr.noise_floor_table(card)
    assert table["predictor"].tolist() == ["perfect model (expected)", mr.MODEL]  # dev and test only
    assert table.loc[0, "Pearson 95% interval"] == "0.850–0.900" and table.loc[1, "pearson"] == 0.8
    assert table[mr.EXPLAINED].tolist() == pytest.approx([1.0, (0.8 / 0.875) ** 2])
    assert mr.noise_floor_table({}) is None


def test_variant_tables_put_the_model_beside_a_perfect_model_and_the_library():
    def figures(r):
        return {
            "n": 9,
            "pearson": r,
            "spearman": r / 2,
            "sign_agreement": 0.75,
            **{f"{k}_interval": [0.25, 0.5] for k in ("pearson", "spearman", "sign_agreement")},
        }

    card = {
        "variant_effects": {
            "benchmark": {
                "test": {"endogenous, mutated sites": {"model": figures(0.5), "perfect": figures(0.75)}}
            },
            "knockouts": {
                "test": [
                    {
                        "site": "5' G",
                        "bases": "AC",
                        "introns": 3,
                        "predicted": 0.125,
                        "wild_type_predicted": 0.5,
                        "library_measured": 0.0,
                    }
                ]
            },
        }
    }
    table = mr.variant_effect_table(card).set_index("predictor")
    assert table.loc[mr.PERFECT, "pearson"] == 0.75 and table.loc[mr.MODEL, "spearman"] == 0.25
    assert table.loc[mr.MODEL, "pearson 95%"] == "0.25–0.50" and table.loc[mr.MODEL, "n"] == 9
    knockouts = mr.knockout_table(card)
    columns = ["part", "site", "knocked out (predicted)", "library constructs with those bases (measured)"]
    assert knockouts.loc[0, columns].tolist() == [
        "test",
        "5' G",
        0.125,
        0.0,
    ]
    assert mr.variant_effect_table({}) is None and mr.knockout_table({}) is None


@pytest.mark.parametrize(
    ("config", "label"),
    [
        ({"loss": "bce", "cryptic_weight": 0.5}, "loss (binary cross-entropy + 0.5 × the cryptic head's)"),
        ({"loss": "bce", "cryptic_weight": 0.0}, "loss (binary cross-entropy)"),
        ({"loss": "mse"}, "loss (MSE)"),
        ({}, "loss (MSE)"),  # a card from before the loss was a choice: the reference study's MSE
    ],
)
def test_loss_label_names_the_recipes_loss(config, label):
    assert mr.loss_label(config) == label


TRUST_CARD = {
    "biology_check": [
        {
            "class": "branch A substituted",
            "length": "≤ 148 nt",
            "introns": 3,
            "predicted": 0.25,
            "share_non_splicing": 0.5,
            "wild_type_predicted": 0.75,
            "median_abs_change": 0.5,
            "library_measured": 0.0,
            "backed_variants": 9,
            "backed_predicted": 0.25,
        }
    ],
    "previous": {
        "biology_check": [{"class": "branch A substituted", "length": "≤ 148 nt", "predicted": 0.5}]
    },
    "intervals": {"coverage": 0.9, "test": {"coverage": 0.875, "width": 0.25, "n": 8}},
    "held_out_agreement": [{"part": "test", "target": 0.5, "rows": 4, "agreement": 0.75}],
    "library_distance": {
        "test_errors": {
            "flagged": {"n": 2, "mean_abs_error": 0.5},
            "not_flagged": {"n": 6, "mean_abs_error": 0.125},
        }
    },
}


def test_trust_tables_of_a_card():
    biology = mr.biology_table(TRUST_CARD)
    assert biology.loc[0, mr.BIOLOGY_HEADERS["predicted"]] == 0.25
    assert biology.loc[0, mr.BIOLOGY_HEADERS["previous_predicted"]] == 0.5
    backed = [mr.BIOLOGY_HEADERS["backed_variants"], mr.BIOLOGY_HEADERS["backed_predicted"]]
    assert biology.loc[0, backed].tolist() == [9, 0.25] and biology.columns[-2:].tolist() == backed
    intervals = mr.interval_table(TRUST_CARD)
    assert intervals[["interval for", "test coverage", "test n"]].values.tolist() == [
        ["a prediction", 0.875, 8]
    ]
    guessing = mr.guessing_table(TRUST_CARD)
    assert guessing["mean |error|"].tolist() == [0.5, 0.125]
    agreement = mr.held_out_agreement_table(TRUST_CARD)
    assert agreement.values.tolist() == [["test", 0.5, 4, 0.75]]
    assert mr.biology_table({}) is None and mr.interval_table({}) is None and mr.guessing_table({}) is None
    assert mr.held_out_agreement_table({}) is None


TARGET_CARD = {
    "metrics": {"test": {"pearson": 0.875, "balanced_mse": 0.0625}},
    "variant_effects": {
        "benchmark": {
            "test": {"endogenous, mutated sites": {"model": {"pearson": 0.625, "sign_agreement": 0.75}}}
        }
    },
    "biology_check": [
        {
            "class": "branch A deleted",
            "length": "≤ 148 nt",
            "predicted": 0.5,
            "backed_variants": 3,
            "backed_predicted": 0.03125,
        },
        {
            "class": "3' A deleted",
            "length": "≤ 148 nt",
            "predicted": 0.5,
            "backed_variants": 0,
            "backed_predicted": None,
        },
        {
            "class": "branch heptamer deleted",
            "length": "> 148 nt (views)",
            "predicted": 0.125,
            "median_abs_change": 0.5,
        },
        {
            "class": "3-nt insertion in the middle",
            "length": "≤ 148 nt",
            "predicted": 0.5,
            "median_abs_change": 0.03125,
        },
        {
            "class": "3-nt substitution in the middle",
            "length": "≤ 148 nt",
            "predicted": 0.5,
            "median_abs_change": 0.25,
        },
    ],
    "intervals": {"coverage": 0.9, "test": {"coverage": 0.90625, "width": 0.25, "n": 32}},
}


def test_target_table_holds_each_figure_against_its_goal():
    table = mr.target_table(TARGET_CARD)
    assert (
        table.values.tolist()
        == [
            ["library: test Pearson", 0.875, "≥ 0.83", "yes"],
            ["library: test balanced MSE", 0.0625, "≤ 0.045", "no"],
            ["pairs (endogenous, mutated sites): test change Pearson", 0.625, "≥ 0.62", "yes"],
            ["pairs (endogenous, mutated sites): test sign agreement", 0.75, "≥ 0.8", "no"],
            ["branch A deleted, ≤ 148 nt: mean of the backed variants", 0.0312, "≤ 0.05", "yes"],
            ["branch heptamer deleted, > 148 nt (views): mean predicted", 0.125, "≤ 0.1", "no"],
            ["3-nt insertion in the middle, ≤ 148 nt: median absolute change", 0.0312, "≤ 0.03", "no"],
            ["90% intervals: test coverage", 0.9062, "0.88–0.92", "yes"],
        ]
    )  # a knock-out class without backed variants and the substitution control have no target; figures to 4 places
    assert mr.target_table({}) is None
    no_pairs = mr.target_table({k: v for k, v in TARGET_CARD.items() if k != "variant_effects"})
    assert no_pairs["target"].tolist() == table["target"].drop([2, 3]).tolist()
    assert mr.meets(0.92, mr.WITHIN, (0.88, 0.92)) and not mr.meets(0.875, mr.WITHIN, (0.88, 0.92))


def test_a_target_is_judged_on_its_figure_as_shown():
    def indel_row(change: float) -> list:
        row = {"class": "1-nt deletion in the middle", "length": "≤ 148 nt", "median_abs_change": change}
        card = {"metrics": {"test": {"pearson": 0.875, "balanced_mse": 0.0625}}, "biology_check": [row]}
        return mr.target_table(card).iloc[-1, 1:].tolist()

    assert indel_row(0.03004) == [0.03, "≤ 0.03", "yes"]  # shown as 0.0300: met, as it reads
    assert indel_row(0.03006) == [0.0301, "≤ 0.03", "no"]
