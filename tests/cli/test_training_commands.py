"""cli training_commands: the ship command's recipe follows its options and keeps the rest of the shipped recipe."""

import pytest

from splice_core.cli.main import parser
from splice_core.cli.training_commands import ship_config
from splice_core.reports.shipped_recipe import SHIPPED_CONFIG


def test_ship_keeps_the_shipped_recipe_by_default():
    assert ship_config(parser().parse_args(["ship"])) == SHIPPED_CONFIG


def test_ship_trains_another_architecture_members_and_rows_on_the_same_recipe():
    args = parser().parse_args(
        ["ship", "--architecture", "site_gated_cnn", "--seeds", "1", "--max-rows", "500"]
    )
    config = ship_config(args)
    assert (config.architecture, config.n_seeds, config.max_rows) == ("site_gated_cnn", 1, 500)
    assert config.pair_epochs == SHIPPED_CONFIG.pair_epochs and config.loss == SHIPPED_CONFIG.loss
    assert (
        SHIPPED_CONFIG.gate_epochs > 0 and config.gate_epochs == 0
    )  # post-hoc gates fit the recipe's own CNN only


def test_ship_refuses_an_unknown_architecture(capsys):
    with pytest.raises(SystemExit):
        parser().parse_args(["ship", "--architecture", "transformer"])
    assert "invalid choice: 'transformer'" in capsys.readouterr().err
