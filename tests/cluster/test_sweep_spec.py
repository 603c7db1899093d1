"""Sweep specs: YAML to one recipe per grid combination, clear errors, picking on dev only, the table."""

import pandas as pd
import pytest

from splice_core.cluster.sweep_spec import (
    best_trial,
    parse_spec,
    spec_for_recipe,
    spec_to_yaml,
    trials_markdown,
)
from splice_core.models.training import TrainConfig

SPEC = """
name: lr
select: balanced_mse
base: {context: intron, epochs: 2, loss: bce}
grid:
  learning_rate: [0.001, 0.0003]
  architecture: [cnn_res1, site_aware_cnn]
"""


def test_every_grid_combination_is_one_recipe_over_the_base():
    spec = parse_spec(SPEC)
    assert [t for t in spec.trials()] == [
        {"learning_rate": 0.001, "architecture": "cnn_res1"},
        {"learning_rate": 0.001, "architecture": "site_aware_cnn"},
        {"learning_rate": 0.0003, "architecture": "cnn_res1"},
        {"learning_rate": 0.0003, "architecture": "site_aware_cnn"},
    ]
    config = spec.config(spec.trials()[3])
    assert (config.learning_rate, config.architecture, config.context, config.epochs, config.loss) == (
        0.0003,
        "site_aware_cnn",
        "intron",
        2,
        "bce",
    )
    assert parse_spec(spec_to_yaml(spec)) == spec


def test_a_single_run_is_a_sweep_of_one_trial():
    spec = spec_for_recipe(TrainConfig(epochs=3))
    assert spec.trials() == [{}] and spec.config({}) == TrainConfig(epochs=3)


@pytest.mark.parametrize(
    "text, message",
    [
        ("base: {epoch: 2}", "unknown recipe field 'epoch'"),
        ("grid: {learning_rate: 0.1}", "'learning_rate' needs a non-empty list"),
        ("select: test_pearson", "select must be one of pearson, balanced_mse, mse"),
        ("grid: {architecture: [cnn_res1, resnet50]}", "architecture 'resnet50' is not one of"),
        ("base: [1, 2]", "base and grid must be mappings"),
        ("base: {a: [", "not valid YAML"),
    ],
)
def test_bad_specs_say_what_is_wrong(text, message):
    with pytest.raises(ValueError, match=message):
        parse_spec(text)


def test_the_best_trial_is_picked_on_dev_never_on_test():
    table = pd.DataFrame(
        {
            "trial": [1, 2, 3],
            "dev_pearson": [0.70, 0.75, None],
            "dev_balanced_mse": [0.05, 0.06, None],
            "test_pearson": [0.9, 0.1, 0.95],
        }
    )
    assert best_trial(table, "pearson") == 1 and best_trial(table, "balanced_mse") == 0
    assert best_trial(table.assign(dev_pearson=None), "pearson") is None
    markdown = trials_markdown(table.drop(columns="test_pearson"), parse_spec("name: x"), 1)
    assert "| 2 | 0.7500 | 0.0600 | ◀ best on dev |" in markdown and markdown.startswith(
        "# Sweep x: 3 trials, picked on dev pearson"
    )
