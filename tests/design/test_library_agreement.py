"""library_agreement: the held-out member's agreement on library rows, on members whose predictions are written by hand."""

import numpy as np

from splice_core.design.library_agreement import held_out_agreement, held_out_agreement_card

# four members; the first three predict near 0.5 on rows 0-3, the held-out one within 0.1 on rows 0 and 1 only
MEMBERS = np.array(
    [
        [0.5, 0.5, 0.5, 0.5],
        [0.45, 0.5, 0.55, 0.5625],
        [0.5, 0.5, 0.5, 0.75],
        [0.5, 0.5, 0.5, 0.25],
        [0.0, 0.0, 0.0, 0.5],  # the searched members far from 0.5: not counted
        [0.875, 0.875, 0.875, 0.875],
    ]
)


def test_agreement_counts_rows_near_the_target_where_the_held_out_member_is_too():
    assert held_out_agreement(MEMBERS, 0.5) == (4, 0.5)
    assert held_out_agreement(MEMBERS, 0.875) == (1, 1.0)


def test_no_row_near_the_target_gives_no_share():
    assert held_out_agreement(MEMBERS, 0.25) == (0, None)


def test_the_card_holds_each_part_and_design_target_and_nothing_for_one_model():
    parts = np.array(["test"] * 6)
    card = held_out_agreement_card(MEMBERS, parts)
    by_key = {(r["part"], r["target"]): (r["rows"], r["agreement"]) for r in card}
    assert by_key[("test", 0.5)] == (4, 0.5) and by_key[("test", 0.9)] == (1, 1.0)
    assert by_key[("test", 0.3)] == (0, None) and by_key[("dev", 0.5)] == (0, None)
    assert held_out_agreement_card(MEMBERS[:, :1], parts) is None
