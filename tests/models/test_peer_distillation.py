"""peer_distillation: out-of-fold peers never predict a construct they saw; labels blend as weighed."""

import numpy as np
import pandas as pd

from splice_core.models.lightgbm_peer import fit_peer
from splice_core.models.peer_distillation import blended_labels, out_of_fold_peer


def memorisable_rows(n_groups: int = 20, size: int = 20, seed: int = 0):
    """Train rows in groups of ``size`` sharing one made-up label, told apart only by a group id feature (nothing
    to learn across groups), and 5 dev rows of every group (so early stopping rewards recall): a peer that saw a
    group predicts its label, one that did not cannot."""
    rng = np.random.default_rng(seed)
    label = rng.random(n_groups)
    groups = np.concatenate([np.repeat(np.arange(n_groups), size), np.repeat(np.arange(n_groups), 5)])
    parts = np.array(["train"] * (n_groups * size) + ["dev"] * (n_groups * 5))
    features = pd.DataFrame({"group_id": groups.astype(float), "noise": rng.random(len(groups))})
    return features, label[groups], parts, groups


def test_out_of_fold_predictions_do_not_recall_their_own_construct():
    features, y, parts, groups = memorisable_rows()
    train = parts == "train"
    seen = fit_peer(features, y, parts, {}).predict_features(features[train])
    held = out_of_fold_peer(features, y, parts, groups)
    assert held.shape == (train.sum(),)
    assert np.abs(seen - y[train]).mean() < 0.05  # in sample, the group id recalls each label
    assert np.abs(held - y[train]).mean() > 4 * np.abs(seen - y[train]).mean()
    assert held.min() >= 0 and held.max() <= 1


def test_blended_labels_weigh_the_peer_as_told():
    assert np.allclose(blended_labels(np.array([0.0, 1.0]), np.array([0.5, 0.5]), 0.25), [0.125, 0.875])
    assert blended_labels(np.array([0.25]), np.array([0.75]), 0.0).tolist() == [0.25]
