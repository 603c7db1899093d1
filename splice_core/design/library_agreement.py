"""The held-out member's agreement on the library's own rows: the reference a design's held-out check is read against.

A from-scratch design for target T counts as trusted when the member left out of the search predicts within
:data:`~splice_core.design.search.AGREEMENT` of T. On measured library rows where the other members predict near T,
the same check shows how often an ensemble member agrees with the rest on sequences the ensemble was trained around.
"""

import numpy as np

from splice_core.design.search import AGREEMENT, search_members

DESIGN_TARGETS = (0.3, 0.5, 0.9)  # the targets the design benchmark checks
PARTS_CHECKED = ("dev", "test")


def held_out_agreement(
    members: np.ndarray, target: float, band: float = AGREEMENT
) -> tuple[int, float | None]:
    """``(rows, share)``: of the rows ``(N, K)`` whose searched members' mean lies within ``band`` of ``target``, the
    share whose held-out member (the last) does too (None without such rows)."""
    searched = search_members(members.shape[1], hold_out=True)
    near = np.abs(members[:, :searched].mean(1) - target) <= band
    if not near.any():
        return 0, None
    return int(near.sum()), float(np.mean(np.abs(members[near, searched:].mean(1) - target) <= band))


def held_out_agreement_card(members: np.ndarray, parts: np.ndarray) -> list[dict] | None:
    """:func:`held_out_agreement` per part (dev, test) and design target, from every row's members ``(N, K)`` and its
    part ``(N,)``; None for a single model (nothing to hold out)."""
    if members.shape[1] < 2:
        return None
    return [
        {"part": part, "target": target, "rows": rows, "agreement": share}
        for part in PARTS_CHECKED
        for target in DESIGN_TARGETS
        for rows, share in [held_out_agreement(members[parts == part], target)]
    ]
