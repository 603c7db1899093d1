"""Annotated introns on a genome: from the data directory's R64 intron table, or from a GFF3 and a genome FASTA.

One table, one row per intron: ``chrom`` (canonical, :mod:`splice_core.variants.chromosomes`), ``start`` and ``end`` (BED
style: 0-based start, end exclusive; a 1-based VCF position ``p`` is inside when ``start < p <= end``),
``strand``, ``gene`` (the name shown), ``locus`` (what SGD's locus page takes), ``sequence`` (the intron 5'->3',
reverse-complemented on the minus strand) and ``branch`` (0-based start of the annotated 8-nt branch site in the
intron, -1 where none is annotated).
"""

import os
import urllib.parse
from pathlib import Path

import numpy as np
import pandas as pd

from splice_core.data.library import DataFileError
from splice_core.data.pwm import SITE_LENGTHS
from splice_core.variants.chromosomes import canonical_chromosome

INTRON_COLUMNS = ("chrom", "start", "end", "strand", "gene", "locus", "sequence", "branch")
BRANCH_A = 5  # the branch A's 0-based offset in the 8-nt branch site (TACTAAC: A at 5)
SGD_LOCUS = "https://www.yeastgenome.org/locus/{}"
GFF3_COLUMNS = ("seqid", "source", "type", "start", "end", "score", "strand", "phase", "attributes")
EXON_TYPES = ("exon", "CDS")
_COMPLEMENT = str.maketrans("ACGTNacgtn", "TGCANtgcan")


def reverse_complement(sequence: str) -> str:
    """The reverse complement of a DNA string."""
    return sequence.translate(_COMPLEMENT)[::-1]


def sgd_link(locus: str) -> str:
    """The SGD locus page of a gene (SGD takes systematic and standard names)."""
    return SGD_LOCUS.format(urllib.parse.quote(str(locus)))


def table_introns(wildtype: pd.DataFrame) -> pd.DataFrame:
    """The intron table of the data directory's ``wildtype_introns.csv`` (its ``Chromosome``, ``Start``, ``End``,
    ``Strand``, ``Gene`` and ``sequence``; ``5'SS to BP (bp)`` - 1 is the branch A's 0-based index)."""
    missing = [c for c in ("Chromosome", "Start", "End", "Strand") if c not in wildtype.columns]
    if missing:
        raise DataFileError(
            f"the intron table has no {', '.join(missing)} column: it cannot place VCF records"
        )
    fallback = pd.Series([f"intron {i + 1}" for i in range(len(wildtype))], index=wildtype.index)
    genes = wildtype["Gene"].astype(str) if "Gene" in wildtype.columns else fallback
    branch_a = wildtype.get("5'SS to BP (bp)", pd.Series(np.nan, index=wildtype.index))
    branch = (pd.to_numeric(branch_a, errors="coerce") - 1 - BRANCH_A).fillna(-1).astype(int)
    table = pd.DataFrame(
        {
            "chrom": wildtype["Chromosome"].astype(str).map(canonical_chromosome),
            "start": wildtype["Start"].astype(int),
            "end": wildtype["End"].astype(int),
            "strand": wildtype["Strand"].astype(str),
            "gene": genes.to_numpy(),
            "locus": genes.to_numpy(),
            "sequence": wildtype["sequence"].astype(str).str.upper().str.replace("U", "T"),
            "branch": branch.clip(lower=-1).to_numpy(),
        }
    )
    check_introns(table, "the intron table")
    return sorted_introns(table)


def check_introns(table: pd.DataFrame, source: str) -> None:
    """Refuse an intron table whose lengths disagree with its coordinates or whose strand is not + or -."""
    bad_strand = ~table["strand"].isin(["+", "-"])
    bad_length = table["sequence"].str.len() != table["end"] - table["start"]
    for bad, what in (
        (bad_strand, "a strand other than + or -"),
        (bad_length, "a sequence not End - Start long"),
    ):
        if bad.any():
            row = int(np.flatnonzero(bad.to_numpy())[0])
            raise DataFileError(f"{source}: intron {row + 1} ({table['gene'].iloc[row]}) has {what}")


def sorted_introns(table: pd.DataFrame) -> pd.DataFrame:
    """Introns ordered by chromosome and start, indexed 0..N-1."""
    return table.sort_values(["chrom", "start", "end"], kind="stable").reset_index(drop=True)


def gff3_attributes(text: str) -> dict[str, str]:
    """A GFF3 column-9 text as a dict (values percent-decoded)."""
    pairs = (item.split("=", 1) for item in str(text).strip().split(";") if "=" in item)
    return {key.strip(): urllib.parse.unquote(value.strip()) for key, value in pairs}


def read_gff3(path: str | os.PathLike) -> pd.DataFrame:
    """The feature lines of a GFF3 file (up to its ``##FASTA`` section) with their attributes as a dict column."""
    rows = []
    with open(path) as handle:
        for line in handle:
            if line.startswith("##FASTA"):
                break
            if line.startswith("#") or not line.strip():
                continue
            fields = line.rstrip("\n").split("\t")
            if len(fields) != len(GFF3_COLUMNS):
                raise DataFileError(
                    f"{path}: a line has {len(fields)} tab-separated columns, not 9: {line[:60]!r}"
                )
            rows.append(fields)
    frame = pd.DataFrame(rows, columns=list(GFF3_COLUMNS))
    frame["start"], frame["end"] = frame["start"].astype(int), frame["end"].astype(int)
    frame["attributes"] = frame["attributes"].map(gff3_attributes)
    return frame


def feature_names(features: pd.DataFrame) -> dict[str, tuple[str, str]]:
    """Each feature ID -> (gene shown, locus) of the gene it belongs to (following Parent links up to a gene)."""
    by_id = {a["ID"]: a for a in features["attributes"] if "ID" in a}

    def gene_of(identifier: str, depth: int = 0) -> dict:
        attributes = by_id.get(identifier, {"ID": identifier})
        parent = attributes.get("Parent", "").split(",")[0]
        return gene_of(parent, depth + 1) if parent in by_id and depth < 5 else attributes

    names = {}
    for identifier in by_id:
        gene = gene_of(identifier)
        locus = gene.get("Name", gene["ID"])
        names[identifier] = (gene.get("gene", locus), locus)
    return names


def feature_introns(features: pd.DataFrame) -> pd.DataFrame:
    """(seqid, start, end, strand, parent) of every intron, 1-based inclusive: the file's ``intron`` features, else the
    gaps between consecutive exons (or CDS parts) of each transcript."""
    parent = features["attributes"].map(lambda a: a.get("Parent", "").split(",")[0])
    columns = ["seqid", "start", "end", "strand"]
    explicit = features[features["type"] == "intron"]
    if len(explicit):
        return explicit[columns].assign(parent=parent[explicit.index])
    parts = features[features["type"].isin(EXON_TYPES)].assign(parent=parent)
    parts = parts[parts["type"] == ("exon" if (parts["type"] == "exon").any() else "CDS")]
    rows = []
    for (seqid, strand, owner), group in parts.sort_values("start").groupby(["seqid", "strand", "parent"]):
        starts, ends = group["start"].to_numpy(), group["end"].to_numpy()
        rows += [
            (seqid, e + 1, s - 1, strand, owner) for e, s in zip(ends[:-1], starts[1:]) if s - 1 >= e + 1
        ]
    return pd.DataFrame(rows, columns=[*columns, "parent"])


def gff3_introns(gff3: str | os.PathLike, genome: str | os.PathLike) -> pd.DataFrame:
    """The intron table of a GFF3 annotation, sequences read from a genome FASTA (indexed with pysam's faidx)."""
    import pysam

    for path in (gff3, genome):
        if not Path(path).is_file():
            raise FileNotFoundError(f"no such file: {path}")
    features = read_gff3(gff3)
    found = feature_introns(features)
    if found.empty:
        raise DataFileError(f"{gff3}: no intron features, and no transcript with two or more exons")
    names = feature_names(features)
    with pysam.FastaFile(str(genome)) as fasta:
        contigs = {canonical_chromosome(name): name for name in fasta.references}
        rows = []
        for seqid, start, end, strand, owner in found.itertuples(index=False):
            contig = contigs.get(canonical_chromosome(seqid))
            if contig is None:
                raise DataFileError(f"{genome}: no sequence named {seqid} (the GFF3's seqid)")
            bases = fasta.fetch(contig, int(start) - 1, int(end)).upper()
            gene, locus = names.get(owner, (owner, owner))
            sequence = reverse_complement(bases) if strand == "-" else bases
            rows.append(
                (canonical_chromosome(seqid), int(start) - 1, int(end), strand, gene, locus, sequence, -1)
            )
    table = pd.DataFrame(rows, columns=list(INTRON_COLUMNS)).drop_duplicates(
        ["chrom", "start", "end", "strand"]
    )
    check_introns(table, str(gff3))
    return sorted_introns(table)


def branch_in_range(branch: int, length: int) -> bool:
    """True when an annotated branch start leaves the whole 8-nt site inside the intron."""
    return 0 <= branch <= length - SITE_LENGTHS["branch"]


NO_ANNOTATION = (
    "no intron annotation: the R64 intron table is data and does not ship with the package; put wildtype_introns.csv "
    "in the data directory (python -m splice_core fetch, or --data-dir / $SPLICE_DATA_DIR), or give "
    "--annotation FILE.gff3 --genome FILE.fa"
)


def annotated_introns(
    directory: str | os.PathLike | None = None,
    gff3: str | os.PathLike | None = None,
    genome: str | os.PathLike | None = None,
) -> pd.DataFrame:
    """The introns to score variants on: a GFF3 with its genome when given, else the data directory's R64 table.

    Raises DataFileError saying what to supply when there is neither.
    """
    from splice_core.data.library import WILDTYPE_FILE, data_dir, read_wildtype

    if (gff3 is None) != (genome is None):
        raise DataFileError("--annotation and --genome go together: a GFF3 needs its genome FASTA")
    if gff3 is not None:
        return gff3_introns(gff3, genome)
    if not (data_dir(directory) / WILDTYPE_FILE).is_file():
        raise DataFileError(NO_ANNOTATION)
    return table_introns(read_wildtype(directory))
