"""Variant effects: pairing, change figures, a perfect model's figures, knock-outs, the change's spread."""

import numpy as np
import pandas as pd
import pytest

from splice_core.analysis.variant_effects import (
    branch_a_indices,
    change_metrics,
    change_noise,
    change_with_spread,
    knockout_check,
    knockout_references,
    knockout_variants,
    library_pairs,
    pair_count_table,
    perfect_change_metrics,
    predicted_changes,
    reference_lookup,
    training_pairs,
    variant_benchmark,
)
from splice_core.data.library import read_library, usable_rows
from splice_core.data.splits import split_constructs

WT_A, WT_B = "GTAAAAAAAG", "GTACCCAAAG"  # two versions of gene G1's intron (same length)
MUT = "ATAAAAAAAG"  # one mismatch from WT_A, three from WT_B
ORTH, ORTH_CTRL = "GTATTTTTAG", "CCATTTTTCC"


def row(construct: str, kind: str, eff: float, gene=None, organism=None) -> dict:
    """One library row."""
    return {
        "construct": construct,
        "intron_seq": construct,
        "type": kind,
        "splicing_eff": eff,
        "source_gene_cerevisiae": gene,
        "orth_organism": organism,
    }


def tiny_library() -> tuple[pd.DataFrame, pd.Series]:
    """Rows and their parts: gene G1 (two wild-type versions, one of them with 2 barcodes), its mutant, a mutant of
    another length, a mutant whose gene has no wild type, and an orthologous intron with its broken-site control."""
    rows = [
        row(WT_A, "endogenous", 0.6, "G1"),
        row(WT_A, "endogenous", 0.8, "G1"),
        row(WT_B, "endogenous", 0.1, "G1"),
        row(MUT, "endogenous - mutated sites", 0.2, "G1"),
        row(MUT + "A", "endogenous - mutated sites", 0.3, "G1"),
        row("GTCCCCCCAG", "endogenous - mutated sites", 0.5, "G2"),
        row(ORTH, "orthologous", 0.9, "G1", "kla"),
        row(ORTH, "orthologous", 0.7, "G1", "kla"),
        row(ORTH_CTRL, "orthologous ss control", 0.0, "G1", "kla"),
        row(ORTH_CTRL[::-1], "orthologous ss control", 0.0, "G1", "sce"),
    ]
    frame = pd.DataFrame(rows)
    parts = pd.Series(["train", "train", "train", "test", "test", "test", "train", "train", "dev", "dev"])
    return frame, parts


def test_library_pairs_follow_the_columns_and_take_the_nearest_version():
    frame, parts = tiny_library()
    pairs = library_pairs(frame, parts)
    assert pairs[["kind", "mutant", "wild_type", "part"]].values.tolist() == [
        ["endogenous, mutated sites", MUT, WT_A, "test"],
        ["orthologous, all sites broken", ORTH_CTRL, ORTH, "dev"],
    ]
    first = pairs.iloc[0]
    assert (
        first["mutant_mean"],
        first["wild_type_mean"],
        first["mutant_n"],
        first["wild_type_n"],
        first["mismatches"],
    ) == (0.2, pytest.approx(0.7), 1, 2, 1)
    assert pairs.iloc[1]["wild_type_mean"] == pytest.approx(0.8)
    assert pair_count_table(pairs).loc["endogenous, mutated sites"].to_dict() == {
        "dev": 0,
        "test": 1,
        "all": 1,
    }


def test_change_metrics_by_hand():
    out = change_metrics(np.array([0.1, -0.2, 0.3, 0.0]), np.array([0.2, -0.1, 0.4, -0.01]))
    assert (out["n"], out["n_sign"], out["sign_agreement"]) == (4, 3, 1.0)
    assert out["spearman"] == pytest.approx(1.0)
    flipped = change_metrics(np.array([-0.1, 0.2, 0.3]), np.array([0.2, -0.1, 0.4]))
    assert flipped["sign_agreement"] == pytest.approx(1 / 3)


def test_change_noise_adds_each_design_means_noise():
    pairs = pd.DataFrame(
        {"mutant_type": ["a", "b"], "wild_type_type": ["b", "c"], "mutant_n": [1, 4], "wild_type_n": [2, 1]}
    )
    noise = change_noise(pairs, {"a": 0.25, "b": 0.5})
    assert noise.tolist() == [0.25 + 0.5 / 2, 0.5 / 4 + 0.375]  # c has none: the mean of a and b


def test_a_perfect_model_scores_one_without_noise_and_near_zero_in_noise():
    measured = np.linspace(-0.5, 0.5, 40)
    clean = perfect_change_metrics(measured, np.zeros(40), draws=20)
    assert (clean["pearson"], clean["sign_agreement"]) == (pytest.approx(1.0), pytest.approx(1.0))
    noisy = perfect_change_metrics(measured, np.full(40, measured.var() * 0.99), draws=200)
    assert abs(noisy["pearson"]) < 0.2
    half = perfect_change_metrics(measured, np.full(40, measured.var() * 0.75), draws=400)
    assert half["pearson"] == pytest.approx(0.5, abs=0.1)  # sqrt(1 - 0.75)
    assert half["pearson_interval"][0] < half["pearson"] < half["pearson_interval"][1]


def splices(introns: list[str]) -> np.ndarray:
    """A hand model: two members, 0.75 and 0.25 for an intron with GT...AG, 0 otherwise."""
    good = np.array([s.startswith("GT") and s.endswith("AG") for s in introns], float)
    return np.stack([0.75 * good, 0.25 * good], 1)


def test_predicted_changes_and_benchmark_use_the_members_mean():
    frame, parts = tiny_library()
    pairs = library_pairs(frame, parts)
    assert predicted_changes(splices, pairs).tolist() == [-0.5, -0.5]
    out = variant_benchmark(splices, pairs, {"endogenous": 0.01})
    assert set(out) == {"dev", "test"} and out["test"]["endogenous, mutated sites"]["model"]["n"] == 1


def knockout_library() -> pd.DataFrame:
    """25 constructs each starting AT (0.0) and CT (0.2), and 25 natural ones (0.5)."""
    introns = ["ATGGGGGGAG"] * 25 + ["CTGGGGGGAG"] * 25 + ["GTGGGGGGAG"] * 25
    return pd.DataFrame({"intron_seq": introns, "splicing_eff": [0.0] * 25 + [0.2] * 25 + [0.5] * 25})


def test_knockouts_are_backed_only_by_enough_non_splicing_constructs():
    refs = knockout_references(knockout_library()).set_index(["site", "base"])
    assert refs.loc[("5' G", "A"), "backed"] and refs.loc[("5' G", "A"), "n"] == 25
    assert not refs.loc[("5' G", "C"), "backed"]  # 0.2 splices
    assert not refs.loc[("5' G", "T"), "backed"]  # no construct
    check = knockout_check(splices, ["GTCCCAG", "GTTTTAG"], refs.reset_index())
    assert check == [
        {
            "site": "5' G",
            "kind": "substitution",
            "bases": "A",
            "introns": 2,
            "predicted": 0.0,
            "wild_type_predicted": 0.5,
            "library_measured": 0.0,
        }
    ]


def branch_library() -> pd.DataFrame:
    """16 constructs each with the branch heptamers TACTAGC (0.0), TACTACC (0.0) and TACTATC (0.25)."""
    heptamers = ["TACTAGC"] * 16 + ["TACTACC"] * 16 + ["TACTATC"] * 16
    return pd.DataFrame(
        {
            "intron_seq": [f"GTATGT{h}CAG" for h in heptamers],
            "branch_seq": heptamers,
            "splicing_eff": [0.0] * 32 + [0.25] * 16,
        }
    )


def test_branch_a_knockouts_are_backed_by_designed_heptamers():
    refs = knockout_references(branch_library()).set_index(["site", "base"])
    assert refs.loc[("branch A", "G"), "backed"] and refs.loc[("branch A", "C"), "n"] == 16
    assert not refs.loc[("branch A", "T"), "backed"]  # 0.25 splices
    variants = knockout_variants(["GTATGTTACTAACAAG"], refs.reset_index(), branch_a=[11])
    assert variants[["variant", "site", "kind", "base"]].values.tolist() == [
        ["GTATGTTACTACCAAG", "branch A", "substitution", "C"],
        ["GTATGTTACTAGCAAG", "branch A", "substitution", "G"],
        ["GTATGTTACTACAAG", "branch A", "deletion", "C"],  # the heptamer's C moves into the A's place
    ]
    assert knockout_variants(["GTATGTTACTAACAAG"], refs.reset_index(), branch_a=[-1]).empty


def test_deleting_a_site_is_a_knockout_only_when_the_base_moving_in_is_one():
    refs = knockout_references(knockout_library())  # only 5' G → A is backed
    variants = knockout_variants(["GAGGTAG", "GTGGTAG"], refs)
    assert variants[["intron", "variant", "kind"]].values.tolist() == [
        ["GAGGTAG", "AAGGTAG", "substitution"],
        ["GAGGTAG", "AGGTAG", "deletion"],  # A moves into the G's place
        ["GTGGTAG", "ATGGTAG", "substitution"],
    ]


def three_prime_library() -> pd.DataFrame:
    """16 constructs each ending TAC (0.0) and AAC (0.5): the last base C averages 0.25 alone."""
    introns = ["GTATGTTTAC"] * 16 + ["GTATGTTAAC"] * 16
    return pd.DataFrame({"intron_seq": introns, "splicing_eff": [0.0] * 16 + [0.5] * 16})


def test_a_3_prime_knockout_is_backed_by_the_constructs_ending_with_its_trinucleotide():
    refs = knockout_references(three_prime_library())
    by_key = refs.set_index(["site", "base", "context"])
    assert not by_key.loc[("3' G", "C", ""), "backed"] and by_key.loc[("3' G", "C", ""), "n"] == 32
    assert by_key.loc[("3' G", "C", "TAC"), "backed"] and not by_key.loc[("3' G", "C", "AAC"), "backed"]
    lookup = reference_lookup(refs)
    assert lookup("3' G", "C", "TAC") == (0.0, True) and lookup("3' G", "C", "CAC") == (0.25, False)
    variants = knockout_variants(["GTAAAATAG", "GTAAAAAAG"], refs)
    assert variants[["variant", "site", "context", "measured"]].values.tolist() == [
        ["GTAAAATAC", "3' G", "TAC", 0.0]  # TAG → TAC is a knock-out; AAG → AAC is not
    ]


def test_branch_a_indices_find_the_designed_heptamer_near_the_library_index():
    frame = pd.DataFrame(
        {
            "intron_seq": ["GTATGTTACTAACAAG", "GTATGTTACTAACAAG", "GTATGTCCCCCCCAAG"],
            "branch_seq": ["TACTAAC", "TACTAAC", "TACTAAC"],
            "branch_inds": [10, 30, 10],
            "SS5_inds": [5, 5, 5],
        }
    )
    assert branch_a_indices(frame).tolist() == [11, -1, -1]  # too far from the library's index; not there


def test_training_pairs_weigh_each_knocked_site_as_one_pair():
    frame, parts = tiny_library()
    library = pd.concat(
        [frame, knockout_library().assign(construct=lambda d: d["intron_seq"], type="synthetic")],
        ignore_index=True,
    )
    all_parts = pd.concat([parts.replace("test", "train"), pd.Series(["dev"] * 75)], ignore_index=True)
    pairs = training_pairs(library, all_parts)
    own = pairs[pairs["source"] == "library"]
    assert own[["mutant", "wild_type", "weight"]].values.tolist() == [[MUT, WT_A, 1.0]]
    knocked = pairs[
        pairs["source"] == "knock-out"
    ]  # only 5' G → A is backed (one base: weight 1), measured 0.5 / 27
    assert knocked[["mutant", "wild_type", "mutant_y", "wild_type_y", "weight"]].values.tolist() == [
        [MUT, WT_A, pytest.approx(0.5 / 27), pytest.approx(0.7), 1.0],
        ["ATACCCAAAG", WT_B, pytest.approx(0.5 / 27), 0.1, 1.0],
        ["ATATTTTTAG", ORTH, pytest.approx(0.5 / 27), pytest.approx(0.8), 1.0],
    ]
    assert knocked["site"].tolist() == ["5' G"] * 3 and own["site"].isna().all()
    heavier = training_pairs(library, all_parts, knockout_weight=3.0)
    assert heavier.groupby("source")["weight"].sum().to_dict() == {"knock-out": 9.0, "library": 1.0}


def test_change_with_spread_is_the_spread_of_member_differences():
    delta, spread = change_with_spread(np.array([0.5, 0.7]), np.array([0.4, 0.4]))
    assert (delta, spread) == (pytest.approx(0.2), pytest.approx(0.1))
    same, none = change_with_spread(
        np.array([0.2, 0.9]), np.array([0.1, 0.8])
    )  # values spread, their change does not
    assert (same, none) == (pytest.approx(0.1), pytest.approx(0.0))


def test_real_library_pair_counts(real_data_dir):
    frame = usable_rows(read_library(real_data_dir))
    counts = pair_count_table(library_pairs(frame, split_constructs(frame, seed=0)))
    assert counts.loc["endogenous, mutated sites"].to_dict() == {
        "dev": 53,
        "test": 49,
        "train": 884,
        "all": 986,
    }
    assert counts.loc["endogenous, all sites broken", "all"] == 152
    assert counts.loc["orthologous, all sites broken", "all"] == 653
