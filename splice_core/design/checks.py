"""How far to trust a design: member spread, the held-out member, the gradient-boosting peer, and where the model is
guessing (the model card's library distance, :mod:`splice_core.predict.trust`)."""

from splice_core.design.search import AGREEMENT, Design
from splice_core.predict.spread import SPREAD_WARNING


def peer_agrees(design: Design, peer: float | None) -> bool | None:
    """True when the peer's prediction lies within the agreement band of the design's aim (None without a peer)."""
    return None if peer is None else abs(peer - design.held_out_aim) <= AGREEMENT


def design_warnings(design: Design, guessing: str = "", peer: float | None = None) -> list[str]:
    """Why a design may not splice as predicted: members disagree, the held-out member or the peer disagrees, the
    model is guessing (``guessing``: its reason, '' when it is not)."""
    found = []
    aim = f"{'the target' if design.goal.direction == 'target' else 'the searched members'} {design.held_out_aim:.2f}"
    if design.spread > SPREAD_WARNING:
        found.append(f"members disagree (spread {design.spread:.2f})")
    if design.held_out_agrees is False:
        found.append(f"held-out member predicts {design.held_out:.2f}, more than {AGREEMENT} from {aim}")
    if peer_agrees(design, peer) is False:
        found.append(f"the gradient-boosting peer predicts {peer:.2f}, more than {AGREEMENT} from {aim}")
    if guessing:
        found.append(f"the model is guessing: {guessing}")
    return found
