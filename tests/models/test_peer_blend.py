"""peer_blend: the members move toward the peer by its share, only where they say the intron splices; the blend's peer
learns the knock-outs it is given; a model directory's blend loads from its card."""

import numpy as np
import pandas as pd
import pytest
from toy_model import GuanineShare

from splice_core.models.lightgbm_peer import save_peer
from splice_core.models.peer_blend import (
    BLEND_PEER_FILE,
    RAMP,
    PeerBlend,
    best_weight,
    blend_entry,
    blend_files,
    blended_members,
    dev_pearson_by_weight,
    fit_blend_peer,
    load_blend,
    peer_share,
)
from splice_core.models.store import ModelDirError
from splice_core.runs.experiment import prepare_data

RAMP_QUARTERS = (0.25, 0.75)  # a ramp whose shares are exact binary fractions


def test_the_peers_share_ramps_from_nothing_to_whole_between_the_ramps_ends():
    members = np.array([[0.125, 0.25], [0.5, 0.75], [0.875, 1.0]])
    np.testing.assert_array_equal(peer_share(members, RAMP_QUARTERS), [[0, 0], [0.5, 1], [1, 1]])
    assert peer_share(np.array([[RAMP[0]]]))[0, 0] == 0 and peer_share(np.array([[RAMP[1]]]))[0, 0] == 1


def test_blended_members_move_toward_the_peer_by_its_share():
    members = np.array([[0.5, 1.0], [0.125, 0.75]])
    peer = np.array([0.0, 1.0])
    # 0.5 + 0.5 × (0 − 0.5) × 0.5; 1 + 0.5 × (0 − 1) × 1; 0.125 below the ramp stays; 0.75 + 0.5 × 0.25 × 1
    want = [[0.375, 0.5], [0.125, 0.875]]
    np.testing.assert_array_equal(blended_members(members, peer, 0.5, RAMP_QUARTERS), want)
    np.testing.assert_array_equal(blended_members(members, peer, 1.0, RAMP_QUARTERS), members)


def test_a_blend_reads_the_introns_it_is_given():
    blend = PeerBlend(GuanineShare(), 0.5, RAMP_QUARTERS)
    members = np.array([[0.5], [1.0]])
    out = blend.members(members, ["GGGG", "AAAA"])  # peer 1 and 0
    np.testing.assert_array_equal(out, [[0.625], [0.5]])
    assert blend.members(np.zeros((0, 1)), []).shape == (0, 1)


def test_the_weight_is_the_dev_best_and_the_larger_share_on_a_tie():
    assert best_weight({0.5: 0.7, 0.6: 0.8, 1.0: 0.75}) == 0.6
    assert best_weight({0.5: 0.7, 0.6: 0.8, 0.9: 0.8}) == 0.9
    assert best_weight({0.5: 0.7, 1.0: float("nan")}) == 0.5
    y = np.array([0.25, 0.5, 0.75, 1.0])
    members = np.array(
        [[0.5], [0.5], [0.5], [0.625]]
    )  # the members know little, the peer (y itself) everything
    by_weight = dev_pearson_by_weight(members, y, y)
    pearsons = [by_weight[w] for w in sorted(by_weight)]
    assert pearsons == sorted(pearsons, reverse=True) and best_weight(by_weight) == min(by_weight)


def test_the_blends_peer_learns_the_knock_outs_it_is_given(tiny_data_dir):
    data = prepare_data(tiny_data_dir)
    pwms = {k: np.asarray(v) for k, v in data.baseline.pwms.items()}
    introns = data.frame["intron_seq"].astype(str).tolist()
    y, parts = data.frame["splicing_eff"].to_numpy(), data.parts.to_numpy()
    good = [s for s, label, part in zip(introns, y, parts) if label > 0.3 and part == "train"]
    knocked = pd.DataFrame({"mutant": ["AT" + s[2:] for s in good] * 10, "mutant_y": 0.0})
    without = fit_blend_peer(introns, y, parts, knocked.iloc[:0], pwms)
    taught = fit_blend_peer(introns, y, parts, knocked, pwms)
    assert not taught.fold and not without.fold  # no RNA folding: fast enough for a mutagenesis
    mutants = knocked["mutant"].tolist()[: len(good)]
    assert taught.predict_introns(mutants).mean() < without.predict_introns(mutants).mean()


def test_a_model_directory_loads_the_blend_its_card_names(tiny_data_dir, tmp_path):
    data = prepare_data(tiny_data_dir)
    pwms = {k: np.asarray(v) for k, v in data.baseline.pwms.items()}
    introns = data.frame["intron_seq"].astype(str).tolist()
    y, parts = data.frame["splicing_eff"].to_numpy(), data.parts.to_numpy()
    peer = fit_blend_peer(introns, y, parts, pd.DataFrame({"mutant": [], "mutant_y": []}), pwms)
    save_peer(peer, tmp_path / BLEND_PEER_FILE)
    card = {
        "pwm_baseline": {"pwms": {k: v.tolist() for k, v in pwms.items()}},
        "peer_blend": blend_entry({0.5: 0.5, 0.7: 0.75}, 3),
    }
    blend = load_blend(tmp_path, card)
    assert blend.weight == 0.7 and blend.ramp == RAMP and card["peer_blend"]["knockout_rows"] == 3
    np.testing.assert_allclose(blend.peer.predict_introns(introns[:5]), peer.predict_introns(introns[:5]))
    assert load_blend(tmp_path, {"pwm_baseline": card["pwm_baseline"]}) is None
    assert blend_files(card) == [BLEND_PEER_FILE] and blend_files({}) == []
    (
        tmp_path / BLEND_PEER_FILE
    ).unlink()  # a card naming a peer the folder lacks is refused, not read as the CNN's
    with pytest.raises(ModelDirError, match="peer blend needs this file"):
        load_blend(tmp_path, card)
