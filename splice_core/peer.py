"""The gradient-boosting peer: LightGBM on k-mers, site scores, lengths and RNA folding energies."""

from dataclasses import dataclass

import lightgbm as lgb
import numpy as np
import pandas as pd

from .features import intron_features
from .splits import balance_weights

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
    """A fitted LightGBM regressor and the PWMs its site features use."""

    model: lgb.LGBMRegressor
    pwms: dict[str, np.ndarray]

    def predict_features(self, features: pd.DataFrame) -> np.ndarray:
        """Predicted efficiency ``(N,)`` clipped to [0, 1] from :func:`intron_features` output."""
        return np.clip(self.model.predict(features), 0, 1)

    def predict_introns(self, introns: list[str]) -> np.ndarray:
        """Predicted efficiency ``(N,)`` of bare introns."""
        return self.predict_features(intron_features(introns, self.pwms))


def fit_peer(
    features: pd.DataFrame, y: np.ndarray, parts: np.ndarray, pwms: dict[str, np.ndarray]
) -> GradientBoostingPeer:
    """Fit on the train part (balanced weights) with early stopping on dev."""
    train, dev = parts == "train", parts == "dev"
    model = lgb.LGBMRegressor(**PEER_PARAMS)
    model.fit(
        features[train],
        y[train],
        sample_weight=balance_weights(y[train]),
        eval_X=features[dev],
        eval_y=y[dev],
        callbacks=[lgb.early_stopping(100, verbose=False)],
    )
    return GradientBoostingPeer(model, pwms)
