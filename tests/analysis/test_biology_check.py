import numpy as np
import pandas as pd
import pytest

from splice_core.analysis.biology_check import (
    BP_COLUMN,
    INDEL_CLASSES,
    biology_check,
    canonical_introns,
    middle_index,
    substitution_changes,
)

INTRON = "GTATGT" + "C" * 30 + "TACTAAC" + "CCCCAG"  # branch A at 41
REFERENCES = pd.DataFrame(
    [
        {"site": "5' G", "position": 0, "base": b, "n": 20, "measured": m, "backed": True}
        for b, m in (("A", 0.0), ("C", 0.25), ("T", 0.5))
    ]
)


def splices(introns: list[str]) -> np.ndarray:
    """0.5 for GT…AG introns holding TACTAAC, else 0."""
    return np.array([0.5 * (s[:2] == "GT" and s[-2:] == "AG" and "TACTAAC" in s) for s in introns])


def test_canonical_introns_need_gt_ag_and_an_a_at_the_branch_point():
    table = pd.DataFrame(
        {"sequence": [INTRON, "GCATGT" + INTRON[6:], INTRON], BP_COLUMN: [42, 42, 43]}
    )  # the second starts GC; the third's branch point is the C after the A
    assert canonical_introns(table) == ([INTRON], [41])
    assert middle_index(INTRON, 41) == 18  # between 10 and 41 - 5 - 10


def test_each_class_against_the_library_and_the_wild_type():
    rows = {(r["class"], r["length"]): r for r in biology_check(splices, [INTRON], [41], REFERENCES)}
    short = "≤ 148 nt"
    g = rows["5' G substituted", short]
    assert (g["predicted"], g["share_non_splicing"], g["wild_type_predicted"]) == (0.0, 1.0, 0.5)
    assert g["library_measured"] == pytest.approx(0.25)  # the mean of A, C and T
    assert rows["5' G deleted", short]["library_measured"] == 0.5  # T moves into the G's place
    assert rows["5' T deleted", short]["library_measured"] is None  # no reference for the 5' T here
    assert (g["backed_variants"], g["backed_predicted"]) == (1, 0.0)  # only A's constructs measure ≤ 0.05
    assert (
        rows["5' G deleted", short]["backed_variants"],
        rows["5' G deleted", short]["backed_predicted"],
    ) == (0, None)
    for name in ("branch A substituted", "branch A deleted", "branch heptamer deleted"):
        assert rows[name, short]["predicted"] == 0.0
    for size in range(1, 7):
        for kind in ("deletion", "insertion"):
            row = rows[f"{size}-nt {kind} in the middle", short]
            assert (row["predicted"], row["median_abs_change"], row["introns"]) == (0.5, 0.0, 1)
    assert {name for name, _ in rows if name in INDEL_CLASSES} == {
        f"{size}-nt {kind} in the middle" for size in range(1, 7) for kind in ("deletion", "insertion")
    }  # the indels, not their substitution control
    long = INTRON[:6] + "C" * 120 + INTRON[6:]
    assert {r["length"] for r in biology_check(splices, [long], [161], REFERENCES)} == {"> 148 nt (views)"}


def test_a_3_prime_change_is_compared_with_the_constructs_ending_with_its_trinucleotide():
    references = pd.DataFrame(
        [
            {
                "site": "3' G",
                "position": -1,
                "base": "C",
                "context": c,
                "n": 20,
                "measured": m,
                "backed": True,
            }
            for c, m in (("", 0.25), ("CAC", 0.0))
        ]
    )  # INTRON ends CAG: G → C makes CAC, whose own constructs measure 0
    rows = {r["class"]: r for r in biology_check(splices, [INTRON], [41], references)}
    assert rows["3' G substituted"]["library_measured"] == 0.0
    other = INTRON[:-3] + "TAG"  # TAG → TAC has no constructs of its own: the base's figure
    rows = {r["class"]: r for r in biology_check(splices, [other], [41], references)}
    assert rows["3' G substituted"]["library_measured"] == 0.25


def test_a_3_prime_a_deleted_after_another_a_still_ends_ag_and_is_not_a_backed_knock_out():
    references = pd.DataFrame(
        [
            {
                "site": "3' A",
                "position": -2,
                "base": b,
                "context": "",
                "n": 20,
                "measured": 0.0,
                "backed": True,
            }
            for b in "CGT"
        ]
    )
    intron = INTRON[:-6] + "CCCAAG"  # deleting the A before the G leaves ...CAG
    rows = {r["class"]: r for r in biology_check(splices, [intron], [41], references)}
    deleted, substituted = rows["3' A deleted"], rows["3' A substituted"]
    assert (deleted["predicted"], deleted["library_measured"]) == (0.5, None)
    assert (deleted["backed_variants"], deleted["backed_predicted"]) == (0, None)
    assert (substituted["backed_variants"], substituted["backed_predicted"]) == (3, 0.0)


def test_the_substitution_control_changes_every_base_of_the_indel_s_size_and_nothing_else():
    changes = substitution_changes(INTRON, 41, np.random.default_rng(1))
    assert [name for name, _, _ in changes] == [f"{k}-nt substitution in the middle" for k in range(1, 7)]
    for size, (_, variant, figure) in enumerate(changes, start=1):
        differ = [i for i, (a, b) in enumerate(zip(INTRON, variant)) if a != b]
        assert (len(variant), differ, np.isnan(figure)) == (len(INTRON), list(range(18, 18 + size)), True)


def test_the_substitution_control_s_change_is_read_per_substituted_base():
    def reads_the_middle(introns: list[str]) -> np.ndarray:
        """0.5 less 1/16 for each base other than C at 0-based positions 6-29."""
        return np.array([0.5 - sum(b != "C" for b in s[6:30]) / 16 for s in introns])

    rows = {r["class"]: r for r in biology_check(reads_the_middle, [INTRON], [41], REFERENCES)}
    for size in range(1, 7):
        row = rows[f"{size}-nt substitution in the middle"]
        assert (row["wild_type_predicted"], row["median_abs_change"]) == (0.5, size / 16)
