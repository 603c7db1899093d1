"""shipped: building the shipped model writes its card and report; the shipped card and model meet the project's format."""

import errno
import json
import re
from dataclasses import replace

import pytest

from splice_core.data.library import read_library
from splice_core.data.published import study_headline
from splice_core.models.metrics import regression_metrics
from splice_core.models.store import PRETRAINED_DIR, read_card
from splice_core.predict.predictor import load_predictor
from splice_core.reports import model_tables as model_report
from splice_core.reports.shipped import ablation_results, build_shipped, planned_epochs
from splice_core.reports.shipped_recipe import CANDIDATES, SHIPPED_CONFIG
from splice_core.reports.shipped_report import kept_seeds, report_markdown
from splice_core.runs.experiment import prepare_data

pytestmark = pytest.mark.slow  # see pytest.ini: the quick tier leaves these out


def test_shipped_card_has_no_data_rows():
    text = (PRETRAINED_DIR / "model_card.json").read_text()
    card = json.loads(text)
    assert "test_scatter_counts" in card and "histograms" in card
    assert all(
        len(keys[0]) == 16 for keys in card["split"]["barcodes"].values() if keys
    )  # hashed barcodes only


def test_shipped_model_predicts_an_ensemble_in_range():
    predictor = load_predictor(PRETRAINED_DIR)
    members = predictor.intron_members(["GTATGTAAGCATTCGATACTTACTAACACGTTTGCATAG"])
    assert members.shape == (1, card_members()) and ((members >= 0) & (members <= 1)).all()


def card_members() -> int:
    """Members kept in the shipped ensemble."""
    return len(kept_seeds(read_card(PRETRAINED_DIR)))


def test_ship_writes_model_card_and_report_and_keeps_the_reproduce_tables(tiny_data_dir, tmp_path):
    out = tmp_path / "pretrained"
    out.mkdir()
    (out / "reproduce.md").write_text("# Table 1\n")
    (out / "REPORT.md").write_text("old report")
    config = replace(SHIPPED_CONFIG, epochs=1, n_seeds=2, patience=1)
    seen = []

    def finish(folder):  # ship's native summary goes into the new folder before it replaces out's files
        seen.append(sorted(p.name for p in folder.iterdir()))
        (folder / "native_summary.json").write_text("{}")

    card = build_shipped(tiny_data_dir, out, config, candidates=False, finish=finish)
    assert seen == [["REPORT.md", "blend_peer.txt", "model.keras", "model_card.json", "peer.txt"]]
    assert sorted(p.name for p in out.iterdir()) == [
        "REPORT.md",
        "blend_peer.txt",
        "model.keras",
        "model_card.json",
        "native_summary.json",
        "peer.txt",
        "reproduce.md",
    ]
    assert {"intervals", "library_distance", "biology_check"} <= set(card)  # no pairs in the tiny library
    assert ("held_out_agreement" in card) == (len(kept_seeds(card)) > 1)  # a member to hold out
    assert card["biology_check"] and "previous" not in card
    assert (out / "reproduce.md").read_text() == "# Table 1\n"
    assert (out / "REPORT.md").read_text() == report_markdown(card) and not (
        tmp_path / "pretrained.new"
    ).exists()
    assert (
        read_card(out)["config"]["mixed_weighting"]
        and [s["rebalanced"] for s in card["seeds"]].count(False) == 1
    )
    assert set(read_card(out)["noise_floor"]) <= {"train", "dev", "test"}
    types = set(prepare_data(tiny_data_dir).frame["type"])
    assert (
        set(read_card(out)["noise_by_type"]) == types and min(read_card(out)["noise_by_type"].values()) >= 0
    )
    assert load_predictor(out).predict_introns(["GTATGTTACTAACTAG"]).shape == (1,)
    blend = load_predictor(out).blend  # the peer blend ships, its weight the dev-best of those tried
    by_weight = card["peer_blend"]["dev_pearson_by_weight"]
    assert blend is not None and by_weight[f"{blend.weight:g}"] == max(by_weight.values())
    assert set(card["before_peer_blend"]) == {"metrics", "variant_effects"}
    assert "the same ensemble alone, before its peer blend" in report_markdown(card)
    assert read_card(out)["study_reported"] == study_headline() and "seed_reported" not in read_card(out)
    again = build_shipped(tiny_data_dir, out, config, candidates=False, trained_dir=out)  # nothing trained
    assert (
        again["metrics"]["test"] == pytest.approx(card["metrics"]["test"]) and again["seeds"] == card["seeds"]
    )
    assert again["previous"]["metrics"]["test"] == pytest.approx(card["metrics"]["test"])


def test_ablation_is_the_recipe_without_the_cryptic_head_and_the_report_shows_it(tiny_data_dir):
    data = prepare_data(tiny_data_dir)
    config = replace(SHIPPED_CONFIG, epochs=1, n_seeds=2, patience=1, cryptic_weight=0.5)
    assert ablation_results(data, replace(config, cryptic_weight=0.0)) == []
    (ablation,) = ablation_results(data, config)
    assert re.fullmatch(r"same recipe without the cryptic head \((1 member|2 members)\)", ablation["name"])
    assert set(ablation["metrics"]) == {"train", "dev", "test"}
    card = read_card(PRETRAINED_DIR)
    card["ablations"] = [ablation]
    card["config"] = config.to_dict()
    text = report_markdown(card)
    assert f"| {ablation['name']} | {ablation['metrics']['test']['mse']:.3f} |" in text
    assert "cryptic-splicing head trained beside efficiency (loss weight 0.5)" in text


def test_planned_epochs_count_the_ensemble_ablation_and_candidates():
    assert planned_epochs(SHIPPED_CONFIG, candidates=False) == 4 * 40 + 4 * 3
    assert planned_epochs(SHIPPED_CONFIG) == (4 + 4 + len(CANDIDATES)) * 40 + 4 * 3
    assert (
        planned_epochs(SHIPPED_CONFIG, fine_tune_only=True) == 4 * 3
    )  # from a base model: the pair rounds alone


def test_rescoring_the_shipped_model_on_the_real_data_finds_its_cards_test_figures(real_data_dir):
    """The card's headline figures are the model's: its own saved test split of the data, scored again."""
    predictor = load_predictor(PRETRAINED_DIR)
    table = model_report.test_split_predictions(predictor, read_library(real_data_dir), real_data_dir)
    scored = regression_metrics(table["measured"].to_numpy(), table["predicted"].to_numpy())
    card = predictor.card["metrics"]["test"]
    assert scored["n"] == card["n"]
    for key in ("mse", "balanced_mse", "pearson", "spearman"):
        assert scored[key] == pytest.approx(card[key], abs=1e-3), key


@pytest.mark.parametrize("full_at", ["model", "native summary"])
def test_a_full_disk_leaves_the_previous_shipped_model_as_it_was(tmp_path, full_at):
    """Ship's write on a real full file system: it fails, the earlier model's files are byte for byte the same.

    The disk is full before the model is saved, or fills while the native summary is written into the new folder."""
    from conftest import fill_filesystem, small_filesystem
    from toy_model import linear_model, toy_weights

    from splice_core.reports.shipped import write_shipped

    def big_summary(folder):
        (folder / "native_summary.json").write_bytes(b" " * (1 << 20))

    with small_filesystem(tmp_path / "disk", 512) as disk:
        out = disk / "pretrained"
        out.mkdir()
        before = {"model.keras": b"old model", "model_card.json": b'{"old": 1}', "REPORT.md": b"old report"}
        for name, content in before.items():
            (out / name).write_bytes(content)
        if full_at == "model":
            fill_filesystem(disk)
        with pytest.raises(OSError) as info:
            write_shipped(out, linear_model(toy_weights(40)), read_card(PRETRAINED_DIR), finish=big_summary)
        assert info.value.errno == errno.ENOSPC
        assert {p.name: p.read_bytes() for p in out.iterdir()} == before
        assert {p.name for p in disk.iterdir()} <= {"filler", "pretrained"}  # no half-written folder
