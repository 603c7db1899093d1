"""shipped_recipe: the shipped model in pretrained/ was trained with the shipped recipe and stays small."""

from splice_core.models.store import PRETRAINED_DIR, read_card
from splice_core.reports.shipped_recipe import SHIPPED_CONFIG
from splice_core.reports.shipped_report import kept_seeds


def test_shipped_model_is_the_shipped_recipe_and_small():
    card = read_card(PRETRAINED_DIR)
    assert card["config"]["architecture"] == SHIPPED_CONFIG.architecture
    assert card["config"]["context"] == "intron"  # needs no data directory
    for key in (
        "loss",
        "mixed_weighting",
        "construct_mean_labels",
        "cryptic_weight",
        "pair_epochs",
        "pair_learning_rate",
        "knockout_weight",
        "gate_epochs",
        "branch_knockout_weight",
    ):
        assert card["config"][key] == getattr(SHIPPED_CONFIG, key)
    assert len(kept_seeds(card)) == SHIPPED_CONFIG.n_seeds
    size = sum(p.stat().st_size for p in PRETRAINED_DIR.iterdir())
    assert size <= 20 * 2**20
