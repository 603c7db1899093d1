"""shipped_report: the Markdown report reads a card's figures, and pretrained/REPORT.md is the shipped card's."""

from dataclasses import replace

from splice_core.data.published import study_headline
from splice_core.models.store import PRETRAINED_DIR, read_card
from splice_core.reports.shipped_recipe import SHIPPED_CONFIG
from splice_core.reports.shipped_report import blend_text, recipe_text, report_markdown, target_lines


def test_report_lists_every_model_and_library_type():
    card = read_card(PRETRAINED_DIR)
    text = report_markdown(card)
    assert f"{card['metrics']['test']['pearson']:.3f}" in text
    assert "LightGBM peer" in text and "PWM baseline" in text
    for library_type in card["per_library_test"]:
        assert f"| {library_type} |" in text


def test_report_shows_the_models_beside_the_repeat_measurements():
    card = read_card(PRETRAINED_DIR)
    card["replicates"] = {"test": {"n": 12, "other_barcodes_pearson": 0.5, "pearson": 0.625}}
    card["peer"]["replicates"] = {"test": {"n": 12, "other_barcodes_pearson": 0.5, "pearson": 0.75}}
    assert "| test | 12 | 0.500 | 0.625 | 0.750 |" in report_markdown(card)
    del card["replicates"]
    assert "## The measurement's own noise" not in report_markdown(card)


def test_report_shows_the_noise_floor_beside_the_models():
    card = read_card(PRETRAINED_DIR)
    floor = {
        "mse": 0.02,
        "balanced_mse": 0.045,
        "pearson": 0.875,
        "mse_interval": [0.0175, 0.025],
        "balanced_mse_interval": [0.04, 0.05],
        "pearson_interval": [0.85, 0.9],
    }
    card["noise_floor"] = {"dev": floor, "test": floor}
    text = report_markdown(card)
    test = card["metrics"]["test"]
    assert (
        f"| test | 0.020 (0.018–0.025) | 0.045 (0.040–0.050) | 0.875 (0.850–0.900) | {test['mse']:.3f} |"
        in text
    )
    assert "A perfect model is expected at Pearson 0.875, balanced MSE 0.045." in text
    card["metrics"]["test"]["pearson"], card["peer"]["metrics"]["test"]["pearson"] = 0.7, 0.35
    assert "shipped 64%, peer 16%; the held-out designs' goal Pearson needs 94%." in report_markdown(
        card
    )  # (0.7/0.875)², (0.35/0.875)², (0.85/0.875)²
    card["noise_floor"]["test"]["pearson"] = 0.0  # noise as large as the spread: no share to give
    assert "A perfect model is expected at Pearson 0.000" in report_markdown(
        card
    ) and "Share of the variance" not in report_markdown(card)
    card["noise_floor"]["test"]["pearson"] = 0.875
    del card["noise_floor"]["dev"]
    assert "| dev | 0.020" not in report_markdown(card) and "| test | 0.020" in report_markdown(card)
    del card["noise_floor"]
    assert "## Against a perfect model" not in report_markdown(card)


def test_report_lists_a_perfect_models_mse_per_library_type():
    card = read_card(PRETRAINED_DIR)
    first = next(iter(card["per_library_test"]))
    card["noise_by_type"] = {first: 0.125}
    rows = [line for line in report_markdown(card).splitlines() if line.startswith(f"| {first} |")]
    assert rows[0].endswith("| 0.125 |")
    del card["noise_by_type"]
    assert report_markdown(card).splitlines().count(rows[0]) == 0 and f"| {first} |" in report_markdown(card)


def test_report_names_each_member_and_its_weighting():
    card = read_card(PRETRAINED_DIR)
    card["seeds"] = [
        {"seed": 2, "rebalanced": True, "in_model": True},
        {"seed": 9, "in_model": False},
        {"seed": 1, "rebalanced": False, "in_model": True},
    ]
    card["members_test"] = card["members_test"][:2]
    text = report_markdown(card)
    assert (
        "| member 1 alone (seed 2, rebalanced) |" in text
        and "| member 2 alone (seed 1, unweighted) |" in text
    )
    assert "seed 9" not in text


def test_recipe_text_names_each_choice():
    text = recipe_text(
        replace(
            SHIPPED_CONFIG,
            mixed_weighting=False,
            rebalance=False,
            construct_mean_labels=False,
            cryptic_weight=0.0,
            pair_epochs=0,
            gate_epochs=0,
            peer_label_weight=0.0,
        ).to_dict()
    )
    assert (
        text
        == "bce loss; 40 epochs at most (patience 10); learning rate 0.001 (decay 0.002); batch 64; unweighted"
    )
    assert "then fine-tuned for 3 rounds at learning rate 0.0002" in recipe_text(SHIPPED_CONFIG.to_dict())
    assert "each site weighing 2" in recipe_text(SHIPPED_CONFIG.to_dict())
    assert (
        "blended with the LightGBM peer's out-of-fold prediction of its row (peer weight 0.5"
        in recipe_text(SHIPPED_CONFIG.to_dict())
    )
    assert "site gates" in recipe_text(
        SHIPPED_CONFIG.to_dict()
    ) and "fitted for 40 epochs with the member frozen" in (recipe_text(SHIPPED_CONFIG.to_dict()))
    assert "backed knock-outs (a branch A's weighing 8 times as much):" in recipe_text(
        SHIPPED_CONFIG.to_dict()
    )
    assert "times as much" not in recipe_text({**SHIPPED_CONFIG.to_dict(), "branch_knockout_weight": 1.0})
    assert "times as much" not in recipe_text(
        {k: v for k, v in SHIPPED_CONFIG.to_dict().items() if k != "branch_knockout_weight"}
    )


def change_figures(pearson: float, n: int = 0) -> dict:
    """Change figures with made-up intervals."""
    figures = {"pearson": pearson, "spearman": 0.5, "sign_agreement": 0.75, "n": n, "n_sign": n - 1}
    return figures | {f"{k}_interval": [0.25, 0.875] for k in ("pearson", "spearman", "sign_agreement")}


def earlier_stage(value: float, knockout: dict) -> dict:
    """An earlier stage's variant figures: change Pearson ``value`` on 49 test pairs, ``knockout`` predicted ``value``."""
    return {
        "variant_effects": {
            "benchmark": {"test": {"endogenous, mutated sites": {"model": change_figures(value, 49)}}},
            "knockouts": {"test": [knockout | {"predicted": value}]},
        }
    }


def test_report_shows_variant_effects_beside_a_perfect_model_and_the_earlier_stages():
    card = read_card(PRETRAINED_DIR)
    knockout = {
        "site": "5' G",
        "bases": "ACT",
        "introns": 7,
        "predicted": 0.0625,
        "wild_type_predicted": 0.625,
        "library_measured": 0.01,
    }
    card["variant_effects"] = {
        "benchmark": {
            "test": {
                "endogenous, mutated sites": {
                    "model": change_figures(0.625, 49),
                    "perfect": change_figures(0.5),
                }
            }
        },
        "knockouts": {"test": [knockout]},
    }
    card["peer"].pop("variant_effects", None)
    card.pop("before_site_gates", None)
    card.pop("before_peer_blend", None)
    card["before_pair_tuning"] = earlier_stage(0.375, knockout)
    text = report_markdown(card)
    assert (
        "| test | endogenous, mutated sites: 49 | 48 | shipped | 0.62 (0.25–0.88) | 0.50 (0.25–0.88) | 0.75 (0.25–0.88) |"
        in text
    )
    assert (
        "| perfect model (expected) | 0.50 (0.25–0.88)" in text
        and "| before pair fine-tuning | 0.38 (0.25–0.88)" in text
    )
    assert "| test | 5' G | substitution | ACT | 7 | 0.625 | 0.062 | 0.375 | nan | 0.010 |" in text
    card["before_site_gates"] = earlier_stage(0.25, knockout)
    text = report_markdown(card)
    assert (
        "| before site gates | 0.25 (0.25–0.88)" in text
        and "| before site gates | before pair fine-tuning |" in text
    )
    assert "| test | 5' G | substitution | ACT | 7 | 0.625 | 0.062 | 0.250 | 0.375 | nan | 0.010 |" in text
    card["before_peer_blend"] = earlier_stage(0.75, knockout)  # the newest stage comes first
    text = report_markdown(card)
    assert "| CNN alone (no peer blend) | 0.75 (0.25–0.88)" in text
    assert (
        "| test | 5' G | substitution | ACT | 7 | 0.625 | 0.062 | 0.750 | 0.250 | 0.375 | nan | 0.010 |"
        in text
    )
    del card["variant_effects"]
    assert "## Variant effects" not in report_markdown(card)


def test_the_shipped_report_is_the_shipped_cards():
    report = (PRETRAINED_DIR / "REPORT.md").read_text()
    assert report == report_markdown(read_card(PRETRAINED_DIR))
    targets = report.split("## The predictor's targets")[1].split("## Every model tried")[0]
    assert "| library: test Pearson | 0.8398 | ≥ 0.83 | yes |" in targets
    assert (
        "| branch A deleted, > 148 nt (views): mean of the backed variants | 0.0399 | ≤ 0.05 | yes |"
        in targets
    )


def test_target_lines_count_the_targets_met_and_show_each_figure_to_4_places():
    card = {
        "metrics": {"test": {"pearson": 0.875, "balanced_mse": 0.0625}},
        "biology_check": [
            {"class": "1-nt deletion in the middle", "length": "≤ 148 nt", "median_abs_change": 0.03125}
        ],
    }
    lines = target_lines(card)
    assert lines[0] == "## The predictor's targets" and lines[2].startswith("Met: 1 of 3.")
    assert "| 1-nt deletion in the middle, ≤ 148 nt: median absolute change | 0.0312 | ≤ 0.03 | no |" in lines
    assert "| library: test Pearson | 0.8750 | ≥ 0.83 | yes |" in lines
    assert target_lines({}) == []


def test_report_gives_the_studys_figures_also_for_a_card_written_before_the_rename():
    card = read_card(PRETRAINED_DIR)
    card["seed_reported"] = card.pop("study_reported")  # the key earlier versions wrote
    text = report_markdown(card)
    study = study_headline()
    assert (
        f"The reference study as reported: best CNN dev MSE {study['dev_mse']}, dev Pearson {study['dev_pearson']}, "
        f"test MSE {study['test_mse']} vs {study['baseline_test_mse']} for its baseline" in text
    )
    assert "| PWM baseline (the reference study's) |" in text and "seed study" not in text.lower()


def test_report_shows_the_biology_check_intervals_guessing_and_the_held_out_member():
    from test_model_tables import TRUST_CARD

    card = {**read_card(PRETRAINED_DIR), **TRUST_CARD}
    report = report_markdown(card)
    assert "## Biology check" in report and "| branch A substituted | ≤ 148 nt | 3 | 0.250 |" in report
    assert "## Intervals" in report and "| a prediction | 0.900 | 0.875 | 0.250 | 8 |" in report
    assert "| flagged: the model is guessing | 2 | 0.500 |" in report
    assert (
        "## The held-out member on the library's own rows" in report
        and "| test | 0.500 | 4 | 0.750 |" in report
    )


def test_the_blend_is_said_in_words_with_the_weights_tried_on_dev():
    entry = {
        "weight": 0.75,
        "ramp": [0.0625, 0.125],
        "knockout_weight": 0.25,
        "knockout_rows": 1234,
        "dev_pearson_by_weight": {"0.5": 0.5, "0.75": 0.625},
    }
    words = blend_text(entry)
    assert "member + 0.25 × (peer − member) × ramp" in words
    assert "≤ 0.0625 to 1 at ≥ 0.125" in words and "1,234 backed knock-outs" in words
    assert "share 0.75 was chosen on dev Pearson (share → dev Pearson: 0.5 → 0.5000, 0.75 → 0.6250)" in words
    assert blend_text(None) == "" and blend_text({}) == ""
