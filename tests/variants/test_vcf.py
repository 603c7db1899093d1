"""``vcf``: made-up records on the annotated R64 introns (built from the table at run time), scored with the toy model."""

import gzip
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pysam
import pytest
from test_annotation import INTRON_MINUS, INTRON_PLUS, made_up_genome
from toy_model import (
    BRANCH_PWM,
    GuanineShare,
    expected_members,
    install_toy_model,
    toy_page,
    toy_predictor,
    toy_weights,
)

from splice_core.cli import main as cli
from splice_core.data.sites import find_branch_start
from splice_core.models.peer_blend import PeerBlend
from splice_core.predict.predictor import prediction_text
from splice_core.variants import vcf
from splice_core.variants.alleles import REF_MISMATCH
from splice_core.variants.annotation import NO_ANNOTATION, annotated_introns, reverse_complement
from splice_core.variants.chromosomes import CHROMOSOME_FORMS
from splice_core.variants.vcf import ERROR_ID, INFO_ID, EntryScorer, score_vcf

ROOT = Path(__file__).resolve().parents[2]
LENGTH = 200
HEADER = "##fileformat=VCFv4.2\n#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO"
OTHER = {"A": "C", "C": "G", "G": "T", "T": "A"}


@pytest.fixture(scope="module")
def introns(real_data_dir) -> pd.DataFrame:
    """The annotated R64 introns."""
    return annotated_introns(real_data_dir)


def pick(introns: pd.DataFrame, strand: str, chrom: str | None = None) -> pd.Series:
    """The first intron of 60..148 nt on ``strand`` (and ``chrom``): the toy model reads it whole."""
    length = introns["sequence"].str.len()
    keep = (introns["strand"] == strand) & length.between(60, 148)
    if chrom is not None:
        keep &= introns["chrom"] == chrom
    return introns[keep].iloc[0]


def plus_bases(intron: pd.Series) -> str:
    """The intron's bases on the genome's plus strand."""
    return reverse_complement(intron["sequence"]) if intron["strand"] == "-" else intron["sequence"]


def write_vcf(path, records: list[tuple], samples: tuple[str, ...] = ()) -> None:
    """A VCF of (chrom, 1-based pos, ref, alts[, genotypes]) records."""
    header = HEADER + ("\tFORMAT\t" + "\t".join(samples) if samples else "")
    lines = [header]
    for chrom, pos, ref, alts, *gts in records:
        line = f"{chrom}\t{pos}\t.\t{ref}\t{alts}\t.\t.\t."
        lines.append(line + ("\tGT\t" + "\t".join(gts[0]) if samples else ""))
    path.write_text("\n".join(lines) + "\n")


def toy_mean(sequences: list[str]) -> np.ndarray:
    """The toy model's mean prediction, computed with numpy."""
    return expected_members(sequences, toy_weights(LENGTH)).mean(1)


def kinds_on_both_strands(introns: pd.DataFrame) -> tuple[list[tuple], list[tuple]]:
    """(records, the expected (alt, mutant intron, site, kind) of each ALT) for every variant kind on both strands."""
    p, m = pick(introns, "+"), pick(introns, "-")
    ps, pg = p["sequence"], plus_bases(p)
    ms, mg, ml = m["sequence"], plus_bases(m), len(m["sequence"])
    records, want = [], []

    def add(intron, pos, ref, alts, mutants, site, kind):
        records.append((intron["chrom"], pos, ref, ",".join(alts)))
        want.extend(zip(alts, mutants, site, kind))

    s = int(p["start"])
    add(p, s + 1, pg[0], ["A"], ["A" + ps[1:]], ["5SS"], ["SNV"])  # the intron's first base
    add(p, s + 20, pg[19], [pg[19] + "TT"], [ps[:20] + "TT" + ps[20:]], ["."], ["insertion"])
    add(p, s + 30, pg[29:32], [pg[29]], [ps[:30] + ps[32:]], ["."], ["deletion"])
    mnv = OTHER[pg[40]] + OTHER[pg[41]]
    add(p, s + 41, pg[40:42], [mnv], [ps[:40] + mnv + ps[42:]], ["."], ["MNV"])
    add(p, s + 50, OTHER[pg[49]], ["A"], [""], [""], [""])  # REF mismatch
    add(p, int(p["end"]), pg[-1], ["C"], [ps[:-1] + "C"], ["3SS"], ["SNV"])  # the intron's last base
    s = int(m["start"])
    add(m, s + 1, mg[0], ["T"], [ms[:-1] + "A"], ["3SS"], ["SNV"])  # genomic first base: the intron's last
    two = [b for b in "ACGT" if b != mg[10]][:2]
    add(
        m,
        s + 11,
        mg[10],
        two,
        [ms[: ml - 11] + reverse_complement(b) + ms[ml - 10 :] for b in two],
        [".", "."],
        ["SNV"] * 2,
    )
    add(m, s + 20, mg[19:22], [mg[19]], [ms[: ml - 22] + ms[ml - 20 :]], ["."], ["deletion"])
    add(m, s + 30, mg[29], [mg[29] + "AC"], [ms[: ml - 30] + "GT" + ms[ml - 30 :]], ["."], ["insertion"])
    add(
        m, int(m["end"]), mg[-1], ["A"], ["T" + ms[1:]], ["5SS"], ["SNV"]
    )  # genomic last base: the intron's first
    return records, want


def scorer() -> EntryScorer:
    """Scoring through the toy predictor, branch sites at the toy PWM's best match."""
    return EntryScorer(toy_predictor(LENGTH), BRANCH_PWM)


def test_every_variant_kind_on_both_strands_is_applied_and_scored(introns, tmp_path):
    records, want = kinds_on_both_strands(introns)
    far = pick(introns, "+")
    records.append((far["chrom"], int(far["start"]) - 200, "A", "G"))  # outside every intron
    records.append(("scaffold_9", 10, "A", "G"))  # a contig the annotation does not know
    write_vcf(tmp_path / "in.vcf", records)
    summary = score_vcf(
        scorer(), introns, tmp_path / "in.vcf", tmp_path / "out.vcf", table=tmp_path / "t.csv"
    )
    table = pd.read_csv(tmp_path / "t.csv", keep_default_na=False)
    assert (summary.records, summary.overlapping, summary.failed) == (len(records), len(records) - 2, 1)
    assert summary.scored == len(want) - 1 == len(table) - 1
    assert table["alt"].tolist() == [w[0] for w in want]
    bad = table["error"] != ""
    assert table.loc[bad, "error"].tolist() == [REF_MISMATCH]
    ok = table[~bad]
    expected = [w for w in want if w[1]]
    assert ok["variant_intron"].tolist() == [w[1] for w in expected]
    assert ok["site"].tolist() == [w[2] for w in expected] and ok["kind"].tolist() == [w[3] for w in expected]
    np.testing.assert_allclose(ok["variant_eff"].astype(float), toy_mean([w[1] for w in expected]), atol=1e-6)
    wild = toy_mean(ok["wildtype_intron"].tolist())
    np.testing.assert_allclose(
        ok["change"].astype(float), toy_mean([w[1] for w in expected]) - wild, atol=1e-6
    )
    read, written = pysam.VariantFile(str(tmp_path / "in.vcf")), pysam.VariantFile(str(tmp_path / "out.vcf"))
    assert INFO_ID in written.header.info and ERROR_ID in written.header.info
    pairs = list(zip(read, written))
    assert len(pairs) == len(records)
    assert [str(a) for a, _ in pairs[-2:]] == [str(b) for _, b in pairs[-2:]]  # passed through unchanged
    first = pairs[0][1].info[INFO_ID][0].split("|")
    assert (
        first[0] == "A"
        and first[-1] == "5SS"
        and float(first[3]) == pytest.approx(float(ok["variant_eff"].iloc[0]), abs=1e-4)
    )
    assert pairs[4][1].info[ERROR_ID] == (f"A|{pick(introns, '+')['gene']}|{REF_MISMATCH}",)
    multi = pairs[7][1].info[INFO_ID]
    assert len(multi) == 2 and [e.split("|")[0] for e in multi] == [want[7][0], want[8][0]]


def test_chromosome_forms_give_one_result(introns, tmp_path):
    p = pick(introns, "+", "chrI")
    pos, ref = int(p["start"]) + 10, plus_bases(p)[9]
    names = CHROMOSOME_FORMS["chrI"] + ("NC_001133.9", "chromosome1")
    write_vcf(tmp_path / "in.vcf", [(name, pos, ref, OTHER[ref]) for name in names])
    score_vcf(scorer(), introns, tmp_path / "in.vcf", tmp_path / "out.vcf", table=tmp_path / "t.csv")
    table = pd.read_csv(tmp_path / "t.csv", keep_default_na=False)
    assert table["chrom"].tolist() == list(names) and table["variant_eff"].nunique() == 1
    assert (table["error"] == "").all() and set(table["intron"]) == {f"chrI:{p['start'] + 1}-{p['end']}"}


def test_a_bgzipped_vcf_in_and_out_is_tabix_indexed_and_streamed_in_small_chunks(
    introns, tmp_path, monkeypatch
):
    records, _ = kinds_on_both_strands(introns)
    records = [r for r in records if r[0] == records[0][0]]  # one contig, sorted
    write_vcf(tmp_path / "in.vcf", records)
    pysam.tabix_compress(str(tmp_path / "in.vcf"), str(tmp_path / "in.vcf.gz"))
    score_vcf(scorer(), introns, tmp_path / "in.vcf", tmp_path / "plain.vcf")
    monkeypatch.setattr(vcf, "CHUNK_RECORDS", 2)
    monkeypatch.setattr(vcf, "CHUNK_ENTRIES", 1)
    score_vcf(scorer(), introns, tmp_path / "in.vcf.gz", tmp_path / "out.vcf.gz")
    assert (tmp_path / "out.vcf.gz.tbi").is_file() and not list(tmp_path.glob(".partial*"))
    with gzip.open(tmp_path / "out.vcf.gz", "rt") as written:
        assert written.read() == (tmp_path / "plain.vcf").read_text()
    fetched = list(
        pysam.VariantFile(str(tmp_path / "out.vcf.gz")).fetch(records[0][0], records[2][1] - 1, records[2][1])
    )
    assert [r.pos for r in fetched] == [records[2][1]] and INFO_ID in fetched[0].info


def test_without_an_annotation_the_command_says_what_to_supply(tmp_path, capsys):
    write_vcf(tmp_path / "in.vcf", [("chrI", 10, "A", "G")])
    code = cli.main(
        [
            "--verbose",
            "--data-dir",
            str(tmp_path),
            "vcf",
            str(tmp_path / "in.vcf"),
            "-o",
            str(tmp_path / "o.vcf"),
        ]
    )
    assert code == 2 and capsys.readouterr().err == f"error: {NO_ANNOTATION}\n"
    assert cli.main(["--verbose", "vcf", str(tmp_path / "in.vcf"), "-o", str(tmp_path / "o.txt")]) == 2
    assert "must end in .vcf" in capsys.readouterr().err and not (tmp_path / "o.vcf").exists()


def test_the_command_reads_a_gff3_and_its_genome(tmp_path, capsys):
    genome = made_up_genome(tmp_path)
    (tmp_path / "a.gff3").write_text(
        "I\tmade\tintron\t41\t70\t.\t+\t.\tID=i1;Parent=g1\nI\tmade\tintron\t121\t149\t.\t-\t.\tID=i2;Parent=g2\n"
    )
    write_vcf(
        tmp_path / "in.vcf",
        [
            ("chrI", 45, INTRON_PLUS[4], "C"),
            ("chrI", 149, INTRON_MINUS[0].translate(str.maketrans("ACGT", "TGCA")), "T"),
        ],
    )
    model = install_toy_model(tmp_path, LENGTH)
    argv = [
        "vcf",
        str(tmp_path / "in.vcf"),
        "-o",
        str(tmp_path / "o.vcf"),
        "--table",
        str(tmp_path / "t.csv"),
    ]
    argv += ["--annotation", str(tmp_path / "a.gff3"), "--genome", str(genome), "--model", str(model)]
    assert cli.main(argv) == 0
    table = pd.read_csv(tmp_path / "t.csv", keep_default_na=False)
    assert table["gene"].tolist() == ["g1", "g2"] and table["site"].tolist() == ["5SS", "5SS"]
    assert table["variant_intron"].tolist() == [
        INTRON_PLUS[:4] + "C" + INTRON_PLUS[5:],
        "A" + INTRON_MINUS[1:],
    ]
    assert "2 records, 2 in 2 annotated introns: 2 ALT x intron scored" in capsys.readouterr().out


def test_a_vcf_variant_scores_as_the_same_mutant_pasted_on_the_predict_page(
    introns, real_data_dir, tmp_path, monkeypatch
):
    at = toy_page(ROOT / "app_pages" / "predict.py", tmp_path, monkeypatch, LENGTH)
    records, _ = kinds_on_both_strands(introns)
    write_vcf(tmp_path / "in.vcf", records[1:2] + records[8:9])  # an insertion (+), a deletion (-)
    table = tmp_path / "t.csv"
    argv = ["--data-dir", str(real_data_dir), "vcf", str(tmp_path / "in.vcf"), "-o", str(tmp_path / "o.vcf")]
    assert cli.main([*argv, "--table", str(table), "--model", str(tmp_path / "models" / "toy")]) == 0
    at.run()
    for row in pd.read_csv(table).itertuples():
        at.text_area(key="intron_text").set_value(row.variant_intron)
        at.text_area(key="wildtype_text").set_value(row.wildtype_intron).run()
        shown = {m.label: m.value for m in at.metric}
        assert shown["Change (mutant − wild-type)"] == prediction_text(
            row.change, row.change_sd, 2, signed=True
        )
        assert shown["Predicted splicing efficiency"].startswith(f"{row.variant_eff:.3f} ± ")
        assert shown["Wild-type"].startswith(f"{row.wt_eff:.3f} ± ")
        predictor = toy_predictor(LENGTH)  # the page's own call, to the last bit
        pair = [row.variant_intron, row.wildtype_intron]
        members = predictor.intron_members(pair, [find_branch_start(s, BRANCH_PWM) for s in pair])
        assert (float(members[0].mean()), float(members[1].mean())) == (row.variant_eff, row.wt_eff)


@pytest.mark.parametrize("blend", [None, PeerBlend(GuanineShare(), 0.5, (0.25, 0.75))])
def test_long_introns_score_as_the_predictor_does_each_view_read_once(introns, blend):
    """With a peer blend too: each view is blended as the predictor blends it."""
    long = introns[introns["sequence"].str.len() > 300].iloc[0]["sequence"]
    middle = len(long) // 2
    variants = [long[:middle] + OTHER[long[middle]] + long[middle + 1 :], long[:40] + long[41:], long]
    predictor = replace(toy_predictor(LENGTH), blend=blend)
    scoring = EntryScorer(predictor, BRANCH_PWM)
    got = scoring.members(variants)
    want = predictor.intron_members(variants, [find_branch_start(s, BRANCH_PWM) for s in variants])
    np.testing.assert_array_equal(got, want)
    # the SNV in the middle changes a few of the 16 views (windows overlap); the rest are the wild type's, read once
    assert 16 * 2 < len(scoring.views) <= 16 * 2 + 4
