"""Annotated introns: the data directory's R64 table, a made-up GFF3 with its genome, and what to supply without either."""

import numpy as np
import pytest
from conftest import random_dna

from splice_core.data.library import DataFileError, read_wildtype
from splice_core.variants.annotation import (
    NO_ANNOTATION,
    annotated_introns,
    gff3_introns,
    reverse_complement,
    sgd_link,
)

INTRON_PLUS = "GTATGTAAGCATTCTACTAACAGCTTTTAG"
INTRON_MINUS = "GTACGTATTTTTTTTACTAACTCTTCCAG"


def test_the_r64_table_is_read_bed_style_with_its_annotated_branch(real_data_dir):
    introns = annotated_introns(real_data_dir)
    wildtype = read_wildtype(real_data_dir)
    assert len(introns) == len(wildtype) and set(introns["strand"]) == {"+", "-"}
    assert ((introns["end"] - introns["start"]) == introns["sequence"].str.len()).all()
    assert introns["chrom"].str.startswith("chr").all()
    has_branch = introns["branch"] >= 0
    branch_a = [s[b + 5] for s, b in zip(introns["sequence"][has_branch], introns["branch"][has_branch])]
    assert has_branch.mean() > 0.95 and set(branch_a) == {"A"}
    assert introns["sequence"].str.startswith("G").all()


def test_without_a_table_or_an_annotation_it_says_what_to_supply(tmp_path):
    with pytest.raises(DataFileError, match="wildtype_introns.csv") as err:
        annotated_introns(tmp_path)
    assert str(err.value) == NO_ANNOTATION and "--annotation FILE.gff3 --genome FILE.fa" in NO_ANNOTATION
    with pytest.raises(DataFileError, match="go together"):
        annotated_introns(tmp_path, gff3=tmp_path / "a.gff3")


def made_up_genome(tmp_path):
    """A 200-nt chromosome ``chrI`` with a plus-strand intron at 41..70 and a minus-strand intron at 121..149 (1-based)."""
    rng = np.random.default_rng(5)
    bases = random_dna(rng, 40) + INTRON_PLUS + random_dna(rng, 50) + reverse_complement(INTRON_MINUS)
    bases += random_dna(rng, 200 - len(bases))
    (tmp_path / "genome.fa").write_text(
        ">chrI made up\n" + "\n".join(bases[i : i + 60] for i in range(0, 200, 60)) + "\n"
    )
    return tmp_path / "genome.fa"


def test_introns_come_from_a_gff3_and_its_genome_by_exon_gaps_or_intron_features(tmp_path):
    genome = made_up_genome(tmp_path)
    genes = (
        "I\tmade\tgene\t10\t90\t.\t+\t.\tID=YAL001W;Name=YAL001W;gene=ABC1\n"
        "I\tmade\tmRNA\t10\t90\t.\t+\t.\tID=YAL001W_mRNA;Parent=YAL001W\n"
        "I\tmade\texon\t10\t40\t.\t+\t.\tParent=YAL001W_mRNA\n"
        "I\tmade\texon\t71\t90\t.\t+\t.\tParent=YAL001W_mRNA\n"
        "I\tmade\tgene\t100\t180\t.\t-\t.\tID=YAL002C;Name=YAL002C\n"
        "I\tmade\tmRNA\t100\t180\t.\t-\t.\tID=YAL002C_mRNA;Parent=YAL002C\n"
        "I\tmade\texon\t150\t180\t.\t-\t.\tParent=YAL002C_mRNA\n"
        "I\tmade\texon\t100\t120\t.\t-\t.\tParent=YAL002C_mRNA\n"
    )
    (tmp_path / "a.gff3").write_text("##gff-version 3\n" + genes + "##FASTA\n>chrI\nACGT\n")
    introns = gff3_introns(tmp_path / "a.gff3", genome)
    assert introns[["chrom", "start", "end", "strand", "gene", "locus"]].values.tolist() == [
        ["chrI", 40, 70, "+", "ABC1", "YAL001W"],
        ["chrI", 120, 149, "-", "YAL002C", "YAL002C"],
    ]
    assert introns["sequence"].tolist() == [INTRON_PLUS, INTRON_MINUS] and (introns["branch"] == -1).all()
    explicit = "".join(line for line in genes.splitlines(True) if "\texon\t" not in line)
    explicit += "I\tmade\tintron\t41\t70\t.\t+\t.\tParent=YAL001W_mRNA\n"
    (tmp_path / "b.gff3").write_text(explicit)
    assert gff3_introns(tmp_path / "b.gff3", genome)["sequence"].tolist() == [INTRON_PLUS]
    (tmp_path / "bad.gff3").write_text("I\tmade\tintron\t41\t70\n")
    with pytest.raises(DataFileError, match="not 9"):
        gff3_introns(tmp_path / "bad.gff3", genome)


def test_a_gene_links_to_its_sgd_locus_page():
    assert sgd_link("YFL039C") == "https://www.yeastgenome.org/locus/YFL039C"


def test_a_table_without_genes_or_branch_distances_still_places_its_introns():
    import pandas as pd

    from splice_core.variants.annotation import table_introns

    table = pd.DataFrame(
        {"Chromosome": ["I", "II"], "Start": [40, 7], "End": [70, 36], "Strand": ["+", "-"]}
    ).assign(sequence=[INTRON_PLUS, INTRON_MINUS])
    introns = table_introns(table)
    assert introns[["chrom", "gene", "branch"]].values.tolist() == [
        ["chrI", "intron 1", -1],
        ["chrII", "intron 2", -1],
    ]
