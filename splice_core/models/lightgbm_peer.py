"""The gradient-boosting peer: LightGBM on k-mers, site scores, lengths and RNA folding energies."""

import os
from dataclasses import dataclass
from pathlib import Path

import lightgbm as lgb
import numpy as np
import pandas as pd

from splice_core.data.splits import balance_weights
from splice_core.models.features import intron_features

PEER_FILE = "peer.txt"  # the fitted peer in a model directory (LightGBM's text format)
PEER_PARAMS = dict(
    n_estimators=2000,
    learning_rate=0.03,
    num_leaves=63,
    subsample=0.8,
    subsample_freq=1,
    colsample_bytree=0.5,
    min_child_samples=10,
    verbose=-1,
    n_jobs=2,
    random_state=0,
)


@dataclass
class GradientBoostingPeer:
    """A fitted LightGBM regressor (or its saved trees), the PWMs its site features use and whether it reads RNA folding."""

    model: lgb.LGBMRegressor | lgb.Booster
    pwms: dict[str, np.ndarray]
    fold: bool = True

    def predict_features(self, features: pd.DataFrame) -> np.ndarray:
        """Predicted efficiency ``(N,)`` clipped to [0, 1] from :func:`intron_features` output."""
        return np.clip(self.model.predict(features), 0, 1)

    def predict_introns(self, introns: list[str]) -> np.ndarray:
        """Predicted efficiency ``(N,)`` of bare introns."""
        return self.predict_features(intron_features(introns, self.pwms, self.fold))


def fit_peer(
    features: pd.DataFrame,
    y: np.ndarray,
    parts: np.ndarray,
    pwms: dict[str, np.ndarray],
    weight: np.ndarray | None = None,
) -> GradientBoostingPeer:
    """Fit on the train part (balanced weights, times ``weight`` ``(N,)`` where given) with early stopping on dev."""
    train, dev = parts == "train", parts == "dev"
    balanced = balance_weights(y[train])
    model = lgb.LGBMRegressor(**PEER_PARAMS)
    model.fit(
        features[train],
        y[train],
        sample_weight=balanced if weight is None else balanced * weight[train],
        eval_X=features[dev],
        eval_y=y[dev],
        callbacks=[lgb.early_stopping(100, verbose=False)],
    )
    return GradientBoostingPeer(model, pwms)


def save_peer(peer: GradientBoostingPeer, path: str | os.PathLike) -> None:
    """Write the peer's trees (LightGBM's text format, its best iteration); its PWMs live in the model card."""
    peer.model.booster_.save_model(str(path), num_iteration=peer.model.best_iteration_ or None)


def load_peer(
    path: str | os.PathLike, pwms: dict[str, np.ndarray], fold: bool = True
) -> GradientBoostingPeer | None:
    """The peer saved at ``path`` with the card's ``pwms`` (None when the model directory has none); ``fold``: whether
    it reads RNA-folding features."""
    if not Path(path).is_file():
        return None
    return GradientBoostingPeer(
        lgb.Booster(model_file=str(path)), {k: np.asarray(v) for k, v in pwms.items()}, fold
    )


def peer_beside(model_dir: str | os.PathLike, card: dict) -> GradientBoostingPeer | None:
    """The peer saved in a model directory beside its ensemble (its PWMs from the card), or None."""
    return load_peer(Path(model_dir) / PEER_FILE, card.get("pwm_baseline", {}).get("pwms", {}))
