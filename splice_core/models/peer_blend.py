"""The shipped prediction: each CNN member blended with a fold-free gradient-boosting peer, but only where the member
says the intron splices at all.

``blended = member + (1 - weight) × (peer − member) × ramp(member)``, ``ramp`` rising from 0 at
:data:`RAMP` [0] to 1 at :data:`RAMP` [1]. Below 0.02 (the library's non-splicing level) the peer moves nothing: it
has not learnt the splice sites' knock-outs as the members have, and a plain blend lifts them to 0.17–0.29
(``benchmarks/study_peer_blend.py``). The peer is taught the train part's backed knock-outs as extra rows
(:data:`KNOCKOUT_WEIGHT`), reads bare introns without RNA folding (fast enough for a mutagenesis), and the weight is
chosen on dev Pearson.
"""

import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.stats import pearsonr

from splice_core.models.features import intron_features
from splice_core.models.lightgbm_peer import GradientBoostingPeer, fit_peer, load_peer
from splice_core.models.store import ModelDirError

BLEND_PEER_FILE = "blend_peer.txt"  # the blend's peer in a model directory (LightGBM's text format)
RAMP = (0.02, 0.1)  # a member's prediction at which the peer's share starts and is whole
KNOCKOUT_WEIGHT = 0.2  # a knock-out row's weight beside a library row's in the peer's fit
WEIGHTS = (0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0)  # the ensemble's shares tried on dev


def peer_share(members: np.ndarray, ramp: tuple[float, float] = RAMP) -> np.ndarray:
    """The ramp ``(N, K)`` in [0, 1]: how much of its share the peer has beside each member's prediction ``(N, K)``."""
    low, high = ramp
    return np.clip((np.asarray(members) - low) / (high - low), 0.0, 1.0)


def blended_members(
    members: np.ndarray, peer: np.ndarray, weight: float, ramp: tuple[float, float] = RAMP
) -> np.ndarray:
    """Members ``(N, K)`` blended with the peer's predictions ``(N,)``, the ensemble weighing ``weight``."""
    members = np.asarray(members, np.float32)
    gap = np.asarray(peer, np.float32)[:, None] - members
    return (members + (1 - weight) * gap * peer_share(members, ramp)).astype(np.float32)


@dataclass(frozen=True)
class PeerBlend:
    """A fold-free peer, the ensemble's share beside it and the ramp of the peer's share."""

    peer: GradientBoostingPeer
    weight: float
    ramp: tuple[float, float] = RAMP

    def members(self, members: np.ndarray, introns: list[str]) -> np.ndarray:
        """Members ``(N, K)`` of bare introns ``(N,)`` (each read as the members read it) blended with the peer."""
        if not len(introns):
            return np.asarray(members, np.float32)
        return blended_members(members, self.peer.predict_introns(list(introns)), self.weight, self.ramp)


def fit_blend_peer(
    introns: list[str],
    y: np.ndarray,
    parts: np.ndarray,
    knockouts: pd.DataFrame,
    pwms: dict[str, np.ndarray],
    knockout_weight: float = KNOCKOUT_WEIGHT,
) -> GradientBoostingPeer:
    """The blend's peer, fitted on the library's rows (``parts``: train, dev, test) and the train part's backed
    knock-outs (``knockouts``: mutant, mutant_y; in train, each weighing ``knockout_weight``)."""
    sequences = list(introns) + knockouts["mutant"].tolist()
    features = intron_features(sequences, pwms, fold=False)
    labels = np.concatenate([np.asarray(y, float), knockouts["mutant_y"].to_numpy(float)])
    all_parts = np.concatenate([np.asarray(parts), np.full(len(knockouts), "train")])
    weight = np.concatenate([np.ones(len(introns)), np.full(len(knockouts), knockout_weight)])
    peer = fit_peer(features, labels, all_parts, pwms, weight)
    return GradientBoostingPeer(peer.model, pwms, fold=False)


def dev_pearson_by_weight(members: np.ndarray, peer: np.ndarray, y: np.ndarray) -> dict[float, float]:
    """Dev Pearson of the blended mean for each of :data:`WEIGHTS` (members ``(N, K)``, peer and labels ``(N,)``)."""
    return {w: float(pearsonr(blended_members(members, peer, w).mean(1), y)[0]) for w in WEIGHTS}


def best_weight(by_weight: dict[float, float]) -> float:
    """The ensemble's share with the highest dev Pearson (the larger share on a tie; an undefined Pearson loses)."""
    return max(by_weight, key=lambda w: (np.nan_to_num(round(by_weight[w], 6), nan=-np.inf), w))


def blend_files(card: dict) -> list[str]:
    """The files of a model directory that its card's blend reads (none without a blend)."""
    return [card["peer_blend"]["file"]] if card.get("peer_blend") else []


def load_blend(model_dir: str | os.PathLike, card: dict) -> PeerBlend | None:
    """The blend a model directory ships (its card's ``peer_blend``), or None when it has none; ModelDirError when
    the card names a peer the directory lacks (its predictions would silently be the CNN's alone)."""
    entry = card.get("peer_blend")
    if not entry:
        return None
    pwms = card.get("pwm_baseline", {}).get("pwms", {})
    peer = load_peer(Path(model_dir) / entry["file"], pwms, fold=False)
    if peer is None:
        raise ModelDirError(f"{Path(model_dir) / entry['file']}: the card's peer blend needs this file")
    return PeerBlend(peer, float(entry["weight"]), tuple(entry["ramp"]))


def blend_entry(by_weight: dict[float, float], n_knockouts: int) -> dict:
    """The card's ``peer_blend``: the peer's file, the chosen weight, the ramp and the dev figures it was chosen on."""
    return {
        "file": BLEND_PEER_FILE,
        "weight": best_weight(by_weight),
        "ramp": list(RAMP),
        "knockout_weight": KNOCKOUT_WEIGHT,
        "knockout_rows": int(n_knockouts),
        "dev_pearson_by_weight": {f"{w:g}": v for w, v in by_weight.items()},
    }
