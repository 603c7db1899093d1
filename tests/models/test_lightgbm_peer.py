"""lightgbm_peer: the LightGBM peer learns the tiny library's rule (good sites splice) from computed features."""

import numpy as np

from splice_core.models.features import intron_features
from splice_core.models.lightgbm_peer import fit_peer, load_peer, save_peer
from splice_core.runs.experiment import prepare_data


def test_peer_separates_good_from_broken_sites_and_reads_back_the_same(tiny_data_dir, tmp_path):
    data = prepare_data(tiny_data_dir)
    pwms = {k: np.asarray(v) for k, v in data.baseline.pwms.items()}
    introns = data.frame["intron_seq"].tolist()
    y = data.frame["splicing_eff"].to_numpy()
    peer = fit_peer(intron_features(introns, pwms, fold=False), y, data.parts.to_numpy(), pwms)
    pred = peer.predict_features(intron_features(introns, pwms, fold=False))
    assert pred.min() >= 0 and pred.max() <= 1
    assert pred[y > 0.3].mean() > 0.4 > 0.2 > pred[y < 0.1].mean()
    save_peer(peer, tmp_path / "peer.txt")
    again = load_peer(tmp_path / "peer.txt", data.baseline.pwms)
    assert np.allclose(again.predict_features(intron_features(introns, pwms, fold=False)), pred)
    assert load_peer(tmp_path / "none.txt", pwms) is None


def test_row_weights_decide_what_the_peer_learns_from(tiny_data_dir):
    data = prepare_data(tiny_data_dir)
    pwms = {k: np.asarray(v) for k, v in data.baseline.pwms.items()}
    features = intron_features(data.frame["intron_seq"].tolist(), pwms, fold=False)
    y = data.frame["splicing_eff"].to_numpy()
    unseen = y > 0.3  # the splicing rows weigh nothing: only the broken ones are learnt from
    peer = fit_peer(features, y, data.parts.to_numpy(), pwms, weight=np.where(unseen, 0.0, 1.0))
    assert peer.predict_features(features)[unseen].mean() < 0.2
