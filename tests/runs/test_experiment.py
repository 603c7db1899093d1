"""experiment: one run end to end, its model card, and a short real run that beats the PWM baseline."""

import json
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from splice_core.data.library import DataFileError
from splice_core.models.training import TrainConfig
from splice_core.runs import experiment
from splice_core.runs.experiment import efficiency_histograms, prepare_data, run_training

pytestmark = pytest.mark.slow  # see pytest.ini: the quick tier leaves these out


def test_efficiency_histograms_counts_by_type():
    types = pd.Series(["a", "a", "b"])
    out = efficiency_histograms(types, np.array([0.0, 0.97, 0.5]))
    assert sum(out["all"]) == 3 and out["all"][0] == 1 and out["all"][-1] == 1
    assert sum(out["a"]) == 2 and out["b"][10] == 1


def test_prepare_data_leaves_out_unmeasured_rows(tiny_data_dir):
    data = prepare_data(tiny_data_dir)
    assert data.frame.attrs["n_unusable"] == 1
    assert data.frame["splicing_eff"].notna().all()
    assert set(data.parts) == {"train", "dev", "test"}


def test_card_holds_config_split_metrics_and_aggregates_only(tiny_data_dir):
    config = TrainConfig(architecture="cnn_res1", context="windows", epochs=1, n_seeds=2, ensemble=True)
    model, card = run_training(config, tiny_data_dir)
    kept = [
        seed for seed in card["seeds"] if seed["in_model"]
    ]  # near-constant (collapsed) seeds are left out
    assert len(card["seeds"]) == 2 and len(kept) >= 1 and model.output_shape == (None, len(kept))
    assert all(seed["rebalanced"] for seed in card["seeds"])
    assert card["config"]["architecture"] == "cnn_res1" and card["data"]["n_unusable_left_out"] == 1
    assert {"train", "dev", "test"} <= set(card["metrics"]) and card["metrics"]["test"]["n"] > 0
    assert card["device"] in ("CPU",) or card["device"].startswith("GPU")
    assert sum(card["histograms"]["measured"]["all"]) == card["data"]["n_usable"]
    assert np.array(card["test_scatter_counts"]).sum() == card["metrics"]["test"]["n"]
    text = json.dumps(card)
    library = pd.read_csv(tiny_data_dir / "splicing_library.csv")
    assert not any(bc in text for bc in library["BC"])  # the split is saved as barcode keys, not barcodes
    assert not any(seq in text for seq in library["intron_seq"])


def test_short_real_run_beats_the_pwm_baseline_on_dev(real_data_dir):
    config = TrainConfig(architecture="cnn_res1_conv", context="windows", epochs=2, n_seeds=1)
    _, card = run_training(config, real_data_dir)
    dev, baseline = card["metrics"]["dev"], card["baseline_metrics"]["dev"]
    print(
        f"\ndev MSE {dev['mse']:.4f} vs PWM {baseline['mse']:.4f}; Pearson {dev['pearson']:.3f} vs {baseline['pearson']:.3f}"
    )
    assert dev["mse"] < baseline["mse"]
    assert dev["pearson"] > baseline["pearson"]


def recorded_train_seeds_args(monkeypatch) -> list:
    """The positional arguments ``run_training`` passes to ``train_seeds`` (filled once it is called)."""
    seen = []
    real = experiment.train_seeds

    def recording(*args):
        seen[:] = args
        return real(*args)

    monkeypatch.setattr(experiment, "train_seeds", recording)
    return seen


def test_construct_mean_labels_train_on_design_means_and_score_on_measurements(tiny_data_dir, monkeypatch):
    seen = recorded_train_seeds_args(monkeypatch)
    data = prepare_data(tiny_data_dir)
    train = data.frame[(data.parts == "train").to_numpy()]
    config = TrainConfig(
        architecture="cnn_res1", context="intron", epochs=1, n_seeds=1, construct_mean_labels=True
    )
    run_training(config, data=data)
    want = train.groupby("construct")["splicing_eff"].transform("mean").to_numpy()
    _, y_train, _, y_dev, *_ = seen
    np.testing.assert_allclose(y_train, want, rtol=1e-6)
    assert not np.allclose(want, train["splicing_eff"]), (
        "the tiny library has designs with disagreeing barcodes"
    )
    np.testing.assert_allclose(
        y_dev, data.frame.loc[(data.parts == "dev").to_numpy(), "splicing_eff"], rtol=1e-6
    )


def test_peer_label_weight_trains_on_labels_blended_with_the_out_of_fold_peer(tiny_data_dir, monkeypatch):
    seen = recorded_train_seeds_args(monkeypatch)
    data = prepare_data(tiny_data_dir)
    config = TrainConfig(
        architecture="cnn_res1", context="intron", epochs=1, n_seeds=1, construct_mean_labels=True
    )
    measured = experiment.train_rows(data, np.zeros((len(data.frame), 1, 4)), config)[1]
    peer = experiment.peer_labels(data)
    run_training(replace(config, peer_label_weight=0.25), data=data)
    np.testing.assert_allclose(seen[1], 0.75 * measured + 0.25 * peer, rtol=1e-5)
    assert peer.shape == measured.shape and not np.allclose(peer, measured)


def test_the_peer_features_of_a_prepared_library_are_computed_once(tiny_data_dir, monkeypatch):
    data = prepare_data(tiny_data_dir)
    calls = []
    monkeypatch.setattr(
        experiment, "intron_features", lambda seqs, pwms: calls.append(len(seqs)) or pd.DataFrame()
    )
    features, pwms = data.peer_features
    assert data.peer_features[0] is features and calls == [len(data.frame)]
    assert set(pwms) == set(data.baseline.pwms)


def test_cryptic_head_trains_on_design_mean_cryptic_efficiency_and_ships_without_it(
    tiny_data_dir, monkeypatch
):
    seen = recorded_train_seeds_args(monkeypatch)
    data = prepare_data(tiny_data_dir)
    config = TrainConfig(
        architecture="cnn_res1",
        context="intron",
        epochs=1,
        n_seeds=1,
        construct_mean_labels=True,
        cryptic_weight=0.5,
    )
    model, card = run_training(config, data=data)
    train, dev = (data.frame[(data.parts == part).to_numpy()] for part in ("train", "dev"))
    want = train.groupby("construct")["cryptic_splicing_eff"].transform("mean").to_numpy()
    cryptic_train, cryptic_dev = seen[-1]
    np.testing.assert_allclose(cryptic_train, want, rtol=1e-6)
    np.testing.assert_allclose(cryptic_dev, dev["cryptic_splicing_eff"], rtol=1e-6)
    assert model.output_shape == (None, 1) and card["config"]["cryptic_weight"] == 0.5


def test_cryptic_head_without_the_column_is_a_clear_data_error(tiny_data_dir):
    data = prepare_data(tiny_data_dir)
    data.frame = data.frame.drop(columns="cryptic_splicing_eff")
    with pytest.raises(DataFileError, match="cryptic_splicing_eff"):
        run_training(
            TrainConfig(architecture="cnn_res1", context="intron", epochs=1, n_seeds=1, cryptic_weight=1.0),
            data=data,
        )


def test_pair_fine_tuning_starts_from_a_base_and_records_the_figures_before_it(tiny_data_dir):
    data = prepare_data(tiny_data_dir)
    config = TrainConfig(
        architecture="cnn_res1", context="intron", epochs=1, n_seeds=2, ensemble=True, loss="bce"
    )
    base_model, base_card = run_training(config, data=data)
    weights = [w.copy() for w in base_model.get_weights()]
    model, card = run_training(replace(config, pair_epochs=1), data=data, base=(base_model, base_card))
    assert (
        card["seeds"] == base_card["seeds"] and card["before_pair_tuning"]["metrics"] == base_card["metrics"]
    )
    assert any(
        not np.array_equal(a, b) for a, b in zip(weights, model.get_weights())
    )  # fine-tuned from the base's weights
    knockouts = card["variant_effects"]["knockouts"][
        "all"
    ]  # the tiny library's broken introns are C...CC: only C is backed
    assert [(r["site"], r["bases"]) for r in knockouts] == [("5' G", "C"), ("3' A", "C"), ("3' G", "C")]
    assert (
        card["before_pair_tuning"]["variant_effects"]["knockouts"]["all"][0]["predicted"]
        != knockouts[0]["predicted"]
    )


def test_pair_fine_tuning_needs_the_intron_context(tiny_data_dir):
    data = prepare_data(tiny_data_dir)
    with pytest.raises(ValueError, match="intron context"):
        run_training(
            TrainConfig(architecture="cnn_res1", context="windows", epochs=1, n_seeds=1, pair_epochs=1),
            data=data,
        )


def test_a_model_predicting_next_to_a_constant_on_dev_is_marked_collapsed():
    from splice_core.models.metrics import regression_metrics
    from splice_core.runs.experiment import collapse_of

    measured = np.array([0.0, 0.25, 0.5, 0.75, 1.0])
    constant = np.full(5, 0.125)
    pearson = regression_metrics(measured, constant)["pearson"]  # undefined for a constant
    assert collapse_of(constant, pearson) == {
        "dev_pearson": pytest.approx(np.nan, nan_ok=True),
        "dev_sd": 0.0,
    }
    flat = np.array([0.5, 0.501, 0.502, 0.503, 0.504])  # correlated, but spread 0.0014
    assert collapse_of(flat, 1.0)["dev_sd"] == pytest.approx(np.std(flat))
    assert collapse_of(measured * 0.5, 0.1) == {
        "dev_pearson": 0.1,
        "dev_sd": pytest.approx(np.std(measured * 0.5)),
    }
    assert collapse_of(measured * 0.5, 0.9) is None


def test_site_gates_are_fitted_after_training_and_the_figures_before_them_kept(tiny_data_dir):
    from splice_core.models.architectures import is_site_gated
    from splice_core.runs.experiment import base_members

    data = prepare_data(tiny_data_dir)
    config = TrainConfig(architecture="site_aware_cnn", context="intron", epochs=1, n_seeds=1, loss="bce")
    _, plain_card = run_training(config, data=data)
    model, card = run_training(replace(config, gate_epochs=2), data=data)
    assert all(is_site_gated(m) for m in base_members(model, card)[0])
    assert card["before_site_gates"]["metrics"] == plain_card["metrics"]  # the same seed, before its gates
    assert card["metrics"] != plain_card["metrics"] and card["parameters"] > plain_card["parameters"]
    assert card["config"]["gate_epochs"] == 2 and "variant_effects" in card["before_site_gates"]


def test_a_trained_ensemble_takes_its_site_gates_as_they_would_have_been_fitted_and_again(tiny_data_dir):
    from splice_core.runs.experiment import with_site_gates

    data = prepare_data(tiny_data_dir)
    config = TrainConfig(
        architecture="site_aware_cnn", context="intron", epochs=1, n_seeds=2, ensemble=True, loss="bce"
    )
    plain, plain_card = run_training(config, data=data)
    _, trained_card = run_training(replace(config, gate_epochs=2), data=data)
    gated, card = with_site_gates(plain, plain_card, data, replace(config, gate_epochs=2))
    assert (
        gated.output_shape == plain.output_shape
        and card["before_site_gates"]["metrics"] == plain_card["metrics"]
    )
    assert card["metrics"] == trained_card["metrics"]  # the same members, the same gate fit
    assert card["seeds"] == plain_card["seeds"] and card["config"]["gate_epochs"] == 2
    _, again = with_site_gates(gated, card, data, replace(config, gate_epochs=2))  # gates fitted again
    assert again["metrics"]["test"] == pytest.approx(card["metrics"]["test"])
    assert again["before_site_gates"] == card["before_site_gates"]


def test_site_gates_need_the_site_aware_cnn_on_introns(tiny_data_dir):
    data = prepare_data(tiny_data_dir)
    for architecture, context in (("cnn_res1", "intron"), ("site_aware_cnn", "windows")):
        with pytest.raises(ValueError, match="site-aware CNN members reading bare introns"):
            run_training(TrainConfig(architecture=architecture, context=context, gate_epochs=1), data=data)


def test_the_gate_fit_weighs_a_branch_a_knock_out_as_many_times_as_told():
    pairs = pd.DataFrame(
        {
            "mutant": ["ACGT", "GCGT", "ACGA", "AAAA"],
            "mutant_y": [0.5, 0.0, 0.25, 0.0],
            "weight": [1.0, 0.5, 0.25, 1.0],
            "source": ["library", "knock-out", "knock-out", "knock-out"],
            "site": [None, "5' G", "branch A", "branch A"],
        }
    )
    x, y, weight = experiment.knockout_rows(pairs, 6, branch_knockout_weight=8.0)
    assert x.shape == (3, 6, 4) and x[0, 0].tolist() == [0, 0, 1, 0] and not x[0, 4:].any()
    assert y.tolist() == [0.0, 0.25, 0.0] and weight.tolist() == [0.5, 2.0, 8.0]
    assert experiment.knockout_rows(pairs, 6, 1.0)[2].tolist() == [0.5, 0.25, 1.0]
