import numpy as np
import pandas as pd
import pytest

from splice_core.analysis.calibration import (
    change_interval_card,
    library_distance_card,
    pair_changes,
    row_interval_card,
)


def test_row_intervals_are_fitted_on_dev_and_checked_on_test():
    rng = np.random.default_rng(0)
    spread = rng.uniform(0.0, 0.1, 3000)
    members = 0.5 + spread[:, None] * np.array([[-1.0, 1.0]])  # two members, their SD is the spread
    measured = rng.normal(0.5, 0.01 + spread)
    parts = np.array(["dev"] * 1500 + ["test"] * 1500)
    card = row_interval_card(members, measured, parts)
    assert len(card["half_widths"]) == 4 and card["test"]["n"] == 1500
    assert 0.87 <= card["test"]["coverage"] <= 0.93
    assert [b["n"] for b in card["test_by_bin"]] == pytest.approx([375] * 4, abs=60)
    assert card["half_widths"] == sorted(card["half_widths"])  # wider where members disagree


def two_members(introns: list[str]) -> np.ndarray:
    """Member 1: share of G; member 2: share of G plus 0.25."""
    g = np.array([s.count("G") / len(s) for s in introns])
    return np.stack([g, g + 0.25], 1)


def test_pair_changes_are_the_members_own_differences():
    pairs = pd.DataFrame({"mutant": ["GGGG"], "wild_type": ["GAAA"]})
    delta, spread = pair_changes(two_members, pairs)
    assert (delta[0], spread[0]) == (0.75, 0.0)
    rows = 60
    pairs = pd.DataFrame(
        {
            "mutant": ["GGGG"] * rows,
            "wild_type": ["GAAA"] * rows,
            "mutant_mean": np.linspace(0.5, 1.0, rows),
            "wild_type_mean": 0.0,
            "part": ["dev", "test"] * (rows // 2),
        }
    )
    card = change_interval_card(two_members, pairs)
    assert len(card["half_widths"]) == 1 and card["test"]["n"] == rows // 2
    assert card["half_widths"][0] == pytest.approx(0.25, abs=0.02)  # measured changes lie 0.5..1.0 about 0.75


def test_library_distance_card_compares_flagged_and_other_test_errors():
    rng = np.random.default_rng(1)
    introns = ["GT" + "".join(rng.choice(list("ACGT"), 80)) + "AG" for _ in range(300)] + [
        "GT" + "A" * 80 + "AG"
    ]
    parts = np.array(["train"] * 200 + ["dev"] * 50 + ["test"] * 51)
    frame = pd.DataFrame({"intron_seq": introns, "splicing_eff": 0.5})
    pred = np.r_[np.full(300, 0.5), 0.0]  # wrong only on the poly-A intron
    card = library_distance_card(frame, parts, pred)
    assert card["test_errors"]["flagged"]["n"] >= 1
    assert (
        card["test_errors"]["flagged"]["mean_abs_error"]
        > card["test_errors"]["not_flagged"]["mean_abs_error"]
    )
    assert card["min_length"] == 84 and card["threshold"] > 0
