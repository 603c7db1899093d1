"""A sweep's specification (YAML): shared recipe fields and a grid, one training recipe per combination.

Picking the best trial uses dev metrics only (never test). No Ray here: the Retrain page reads specs without it.

    name: lr-and-loss          # optional; names the sweep's folder and its model version
    select: pearson            # dev metric the best trial is picked on: pearson (higher), balanced_mse or mse (lower)
    base:                      # TrainConfig fields every trial shares
      architecture: site_aware_cnn
      context: intron
      epochs: 8
    grid:                      # every combination of these is one trial
      learning_rate: [0.001, 0.0003]
      loss: [mse, bce]
"""

import dataclasses
import itertools
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import yaml

from splice_core.models.recipe_options import ARCHITECTURES, CONTEXTS, LOSSES, OUTPUTS
from splice_core.models.training import TrainConfig

SELECT = {"pearson": "max", "balanced_mse": "min", "mse": "min"}
DEV_COLUMNS = [f"dev_{metric}" for metric in SELECT]
RECIPE_FIELDS = {f.name for f in dataclasses.fields(TrainConfig)}
CHOICES = {"architecture": ARCHITECTURES, "context": CONTEXTS, "loss": tuple(LOSSES), "output": OUTPUTS}


@dataclass
class SweepSpec:
    """Shared recipe fields, a grid of alternatives, the dev metric to pick on and a name."""

    base: dict = field(default_factory=dict)
    grid: dict[str, list] = field(default_factory=dict)
    select: str = "pearson"
    name: str = "sweep"

    def trials(self) -> list[dict]:
        """The recipe fields that vary, one dict per trial (grid order; one empty dict without a grid)."""
        keys = list(self.grid)
        return [dict(zip(keys, values)) for values in itertools.product(*(self.grid[k] for k in keys))]

    def config(self, trial: dict) -> TrainConfig:
        """The full recipe of one trial."""
        return TrainConfig(**{**self.base, **trial})


def unknown_fields(names) -> list[str]:
    """The names that are no TrainConfig field."""
    return sorted(set(names) - RECIPE_FIELDS)


def parse_spec(text: str) -> SweepSpec:
    """A :class:`SweepSpec` from YAML text; ValueError with every problem found."""
    try:
        raw = yaml.safe_load(text) or {}
    except yaml.YAMLError as err:
        raise ValueError(f"the sweep spec is not valid YAML ({err})") from err
    if not isinstance(raw, dict):
        raise ValueError("the sweep spec must be a mapping with base, grid, select and name")
    problems = [f"unknown key {k!r}" for k in sorted(set(raw) - {"base", "grid", "select", "name"})]
    base, grid = raw.get("base") or {}, raw.get("grid") or {}
    if not isinstance(base, dict) or not isinstance(grid, dict):
        raise ValueError("base and grid must be mappings of recipe fields")
    problems += [f"unknown recipe field {k!r}" for k in unknown_fields([*base, *grid])]
    problems += [
        f"grid field {k!r} needs a non-empty list of values"
        for k, v in grid.items()
        if not isinstance(v, list) or not v
    ]
    select = str(raw.get("select", "pearson"))
    if select not in SELECT:
        problems.append(f"select must be one of {', '.join(SELECT)} (dev metrics), not {select!r}")
    if problems:
        raise ValueError(
            "sweep spec: " + "; ".join(problems) + f" (recipe fields: {', '.join(sorted(RECIPE_FIELDS))})"
        )
    spec = SweepSpec(base=base, grid=grid, select=select, name=str(raw.get("name", "sweep")))
    problems = [problem for trial in spec.trials() for problem in choice_problems({**base, **trial})]
    if problems:
        raise ValueError("sweep spec: " + "; ".join(dict.fromkeys(problems)))
    return spec


def choice_problems(recipe: dict) -> list[str]:
    """A message for each recipe field whose value is not one of its choices (architecture, context, loss, output)."""
    return [
        f"{name} {recipe[name]!r} is not one of {', '.join(choices)}"
        for name, choices in CHOICES.items()
        if name in recipe and recipe[name] not in choices
    ]


def spec_for_recipe(config: TrainConfig, name: str = "run") -> SweepSpec:
    """A sweep of one trial: ``config`` itself (how the Retrain page sends a single run to a cluster)."""
    return SweepSpec(base=config.to_dict(), grid={}, name=name)


def spec_to_yaml(spec: SweepSpec) -> str:
    """YAML text of a spec (what :func:`parse_spec` reads back)."""
    return yaml.safe_dump(
        {"name": spec.name, "select": spec.select, "base": spec.base, "grid": spec.grid}, sort_keys=False
    )


def best_trial(table: pd.DataFrame, select: str) -> int | None:
    """Row position of the best finished trial of a trials table on ``dev_<select>``, None when none finished."""
    values = pd.to_numeric(table[f"dev_{select}"], errors="coerce").to_numpy(float)
    if np.isnan(values).all():
        return None
    return int(np.nanargmax(values) if SELECT[select] == "max" else np.nanargmin(values))


def trials_markdown(table: pd.DataFrame, spec: SweepSpec, best: int | None) -> str:
    """The trials table as Markdown, the picked trial marked."""
    shown = table.assign(picked=["◀ best on dev" if i == best else "" for i in range(len(table))])
    lines = [
        f"# Sweep {spec.name}: {len(table)} trials, picked on dev {spec.select}",
        "",
        "| " + " | ".join(shown.columns) + " |",
        "|" + "---|" * len(shown.columns),
    ]
    for row in shown.itertuples(index=False):
        lines.append("| " + " | ".join(f"{v:.4f}" if isinstance(v, float) else str(v) for v in row) + " |")
    return "\n".join(lines) + "\n"
