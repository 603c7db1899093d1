"""``vcf --haplotypes``: two samples' alleles in one R64 intron applied together per genotype copy (toy model)."""

import numpy as np
import pandas as pd
import pytest
from test_vcf import OTHER, introns, pick, plus_bases, scorer, toy_mean, write_vcf

from splice_core.variants.alleles import CONFLICT
from splice_core.variants.vcf import score_vcf


def test_each_samples_copies_carry_their_alleles_together(introns, tmp_path):
    p = pick(introns, "+")
    s, seq, g = int(p["start"]), p["sequence"], plus_bases(p)
    snv, two = OTHER[g[10]], [b for b in "ACGT" if b != g[40]][:2]
    records = [
        (p["chrom"], s + 11, g[10], snv, ("1|0", "1/1")),
        (p["chrom"], s + 30, g[29:32], g[29], ("1|0", "0/0")),
        (p["chrom"], s + 41, g[40], ",".join(two), ("0|2", "1/1")),
    ]
    write_vcf(tmp_path / "in.vcf", records, samples=("S1", "S2"))
    summary = score_vcf(
        scorer(), introns, tmp_path / "in.vcf", tmp_path / "o.vcf", haplotypes=tmp_path / "h.csv"
    )
    table = pd.read_csv(tmp_path / "h.csv", keep_default_na=False, dtype={"copies": str})
    assert summary.haplotypes == 3 == len(table)
    assert table[["sample", "copies", "phased", "n_variants"]].values.tolist() == [
        ["S1", "1", True, 2],
        ["S1", "2", True, 1],
        ["S2", "1,2", True, 2],
    ]
    s1_copy1 = seq[:10] + snv + seq[11:30] + seq[32:]
    s1_copy2 = seq[:40] + two[1] + seq[41:]
    s2 = seq[:10] + snv + seq[11:40] + two[0] + seq[41:]
    assert table["haplotype_intron"].tolist() == [s1_copy1, s1_copy2, s2]
    np.testing.assert_allclose(table["haplotype_eff"], toy_mean([s1_copy1, s1_copy2, s2]), atol=1e-6)
    np.testing.assert_allclose(
        table["change"], toy_mean([s1_copy1, s1_copy2, s2]) - toy_mean([seq]), atol=1e-6
    )
    assert (
        table["variants"].iloc[0]
        == f"{p['chrom']}:{s + 11}:{g[10]}>{snv};{p['chrom']}:{s + 30}:{g[29:32]}>{g[29]}"
    )


def test_unphased_heterozygotes_are_said_and_overlapping_alleles_are_refused(introns, tmp_path):
    p = pick(introns, "+")
    s, g = int(p["start"]), plus_bases(p)
    records = [
        (p["chrom"], s + 20, g[19:23], g[19], ("0/1",)),
        (p["chrom"], s + 21, g[20], OTHER[g[20]], ("0/1",)),
    ]
    write_vcf(tmp_path / "in.vcf", records, samples=("S1",))
    score_vcf(scorer(), introns, tmp_path / "in.vcf", tmp_path / "o.vcf", haplotypes=tmp_path / "h.csv")
    table = pd.read_csv(tmp_path / "h.csv", keep_default_na=False, dtype={"copies": str})
    assert table[["copies", "phased", "error"]].values.tolist() == [["2", False, CONFLICT]]
    assert table["haplotype_eff"].tolist() == [""]


def test_haplotypes_need_a_sorted_vcf(introns, tmp_path):
    p, q = pick(introns, "+"), pick(introns, "-")
    records = [
        (
            p["chrom"],
            int(p["start"]) + 11,
            plus_bases(p)[10],
            "A" if plus_bases(p)[10] != "A" else "C",
            ("1",),
        ),
        (
            q["chrom"],
            int(q["start"]) + 11,
            plus_bases(q)[10],
            "A" if plus_bases(q)[10] != "A" else "C",
            ("1",),
        ),
    ]
    write_vcf(tmp_path / "in.vcf", records + records[:1], samples=("S1",))
    with pytest.raises(ValueError, match="sorted by position"):
        score_vcf(scorer(), introns, tmp_path / "in.vcf", tmp_path / "o.vcf", haplotypes=tmp_path / "h.csv")
    assert not (tmp_path / "o.vcf").exists() and not (tmp_path / "h.csv").exists()
