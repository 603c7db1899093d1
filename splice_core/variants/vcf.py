"""A VCF scored against annotated introns and written back: every ALT x intron it overlaps, streamed in chunks.

Records are read and written with pysam (htslib): the output is the input with two INFO fields declared in its
header, :data:`INFO_ID` (one ``ALLELE|GENE|WT_EFF|VAR_EFF|CHANGE|CHANGE_SD|SITE`` entry per ALT x intron scored)
and :data:`ERROR_ID` (``ALLELE|GENE|REASON`` for one that is not). Records outside every intron are written as
they were read. Scoring goes through :class:`splice_core.predict.predictor.Predictor` as the Predict page's does: the
branch site of each sequence at the branch PWM's best match, the members' mean and spread, the change's spread
over the members' own changes.
"""

import bisect
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from splice_core.data.pwm import branch_scan
from splice_core.predict.tables import TABLE_FORMATS, ScoredWriter
from splice_core.seq.views import scan_in_chunks
from splice_core.variants.alleles import (
    REF_MISMATCH,
    Change,
    IntronEdit,
    applied,
    checked_alt,
    genomic_bases,
    intron_edit,
    ref_matches,
    sites_hit,
    trimmed_change,
)
from splice_core.variants.chromosomes import canonical_chromosome

if TYPE_CHECKING:
    from splice_core.predict.predictor import Predictor

INFO_ID = "SPLICE_EFF"
ERROR_ID = "SPLICE_EFF_ERR"
INFO_FORMAT = "ALLELE|GENE|WT_EFF|VAR_EFF|CHANGE|CHANGE_SD|SITE"
ERROR_FORMAT = "ALLELE|GENE|REASON"
HEADER_LINES = (
    (
        INFO_ID,
        "Predicted splicing efficiency (0..1) of each annotated intron the record overlaps, per ALT (splice-predict): "
        f"{INFO_FORMAT}. CHANGE = VAR_EFF - WT_EFF; CHANGE_SD: the ensemble members' spread of their own changes; "
        "SITE: the splice sites the ALT changes (5SS, BP, 3SS; . for none)",
    ),
    (ERROR_ID, f"ALT x intron pairs of the record that were not scored (splice-predict): {ERROR_FORMAT}"),
)
CHUNK_ENTRIES = 2_048  # ALT x intron entries scored at a time
CHUNK_RECORDS = 20_000  # records held at most before they are written
VIEW_CACHE = 100_000  # model reads (an intron, or one view of a long one) kept with their predictions: ~20 MB
VCF_SUFFIXES = (".vcf", ".vcf.gz", ".vcf.bgz")
TABLE_COLUMNS = (
    "record",
    "chrom",
    "pos",
    "id",
    "ref",
    "alt",
    "gene",
    "locus",
    "strand",
    "intron",
    "kind",
    "intron_position",
    "intron_change",
    "site",
    "wt_eff",
    "variant_eff",
    "change",
    "change_sd",
    "error",
    "variant_intron",
    "wildtype_intron",
)


MINIMAL_HEADER = "##fileformat=VCFv4.2"
VCF_COLUMNS = ("#CHROM", "POS", "ID", "REF", "ALT", "QUAL", "FILTER", "INFO", "FORMAT")


def pasted_vcf(text: str) -> str:
    """Pasted VCF text as a file pysam reads: a header line added when the records come without one (samples named
    ``SAMPLE1``...), fields separated by tabs (VCF fields hold no white space), records of 5 to 7 fields given ``.``
    for the rest (QUAL, FILTER, INFO)."""
    lines = [line.split() for line in text.strip().splitlines() if line.strip()]
    records = ["\t".join(f + ["."] * (8 - len(f))) for f in lines if not f[0].startswith("#")]
    header = [" ".join(f) for f in lines if f[0].startswith("#")]
    if header and header[-1].startswith("#CHROM"):
        header[-1] = header[-1].replace(" ", "\t")
        return "\n".join([*header, *records]) + "\n"
    width = max((line.count("\t") + 1 for line in records), default=8)
    columns = list(VCF_COLUMNS[: min(width, 9)]) + [f"SAMPLE{i}" for i in range(1, width - 8)]
    head = header or [MINIMAL_HEADER]
    return "\n".join([*head, "\t".join(columns), *records]) + "\n"


def vcf_output_kind(path: str | os.PathLike) -> str:
    """``bgzip`` for a ``.vcf.gz``/``.vcf.bgz`` output, ``text`` for ``.vcf``; raises ValueError for another name."""
    name = Path(path).name.lower()
    if not name.endswith(VCF_SUFFIXES):
        raise ValueError(f"{path}: a VCF output must end in {', '.join(VCF_SUFFIXES)}")
    return "text" if name.endswith(".vcf") else "bgzip"


class IntronIndex:
    """The introns of a table by canonical chromosome, for finding those a record's REF overlaps."""

    def __init__(self, introns: pd.DataFrame):
        self.introns = introns
        self.by_chrom = {
            chrom: (part["start"].tolist(), part["end"].tolist(), part.index.tolist())
            for chrom, part in introns.groupby("chrom")
        }
        self.longest = int((introns["end"] - introns["start"]).max()) if len(introns) else 0
        self.names: dict[str, str] = {}

    def overlapping(self, chrom: str, start: int, ref_length: int) -> list[int]:
        """Rows of the introns a record's REF ``[start, start + ref_length)`` shares a base with."""
        canonical = self.names.get(chrom)
        if canonical is None:
            canonical = self.names[chrom] = canonical_chromosome(chrom)
        found = self.by_chrom.get(canonical)
        if found is None:
            return []
        starts, ends, rows = found
        stop = start + max(ref_length, 1)
        low, high = bisect.bisect_left(starts, start - self.longest), bisect.bisect_left(starts, stop)
        return [rows[i] for i in range(low, high) if ends[i] > start]


@dataclass
class Entry:
    """One ALT x intron of a record: its edit (None: the intron is unchanged), the scored intron, or why not scored."""

    allele: int  # 1-based ALT index
    alt: str
    intron: int
    kind: str = ""
    edit: IntronEdit | None = None
    sequence: str = ""
    site: str = "."
    error: str = ""
    scores: tuple[float, float, float, float] | None = None  # wt, variant, change, change spread


def record_entries(record, index: IntronIndex) -> list[Entry]:
    """Every ALT x intron entry of a record (empty when it overlaps no intron)."""
    rows = index.overlapping(record.chrom, record.start, len(record.ref))
    entries = []
    for row in rows:
        intron = index.introns.loc[row]
        plus = genomic_bases(intron["sequence"], intron["strand"])
        matches = ref_matches(record.start, record.ref, int(intron["start"]), plus)
        for allele, alt in enumerate(record.alts or (), start=1):
            entries.append(allele_entry(record.start, record.ref, alt, allele, row, intron, matches))
    return entries


def allele_entry(start: int, ref: str, alt: str, allele: int, row: int, intron, matches: bool) -> Entry:
    """One ALT applied to one intron (or the reason it is not)."""
    entry = Entry(allele, str(alt), row)
    if not matches:
        entry.error = REF_MISMATCH
        return entry
    try:
        change: Change = trimmed_change(start, ref.upper(), checked_alt(alt))
        entry.kind = change.kind
        entry.edit = intron_edit(change, int(intron["start"]), int(intron["end"]), intron["strand"])
        edits = [] if entry.edit is None else [entry.edit]
        entry.sequence = applied(intron["sequence"], edits)
    except ValueError as err:
        entry.error = str(err)
        return entry
    if entry.edit is not None:
        entry.site = sites_hit(entry.edit, len(intron["sequence"]), int(intron["branch"]))
    return entry


@dataclass
class EntryScorer:
    """Each ensemble member's prediction for intron sequences, as the Predict page gets it; wild types kept once."""

    predictor: "Predictor"
    branch_pwm: np.ndarray
    design: dict = field(default_factory=dict)
    wild: dict[int, np.ndarray] = field(default_factory=dict)
    views: dict[tuple[str, int], np.ndarray] = field(default_factory=dict)

    def members(self, sequences: list[str]) -> np.ndarray:
        """``(N, K)`` member predictions, each distinct sequence scored once, its branch at the PWM's best match.

        As :meth:`Predictor.intron_members` does, a long intron is the mean over its views; each distinct view is
        read once, and views seen before (a wild type's views that a variant leaves as they were) are not read again.
        """
        from splice_core.seq.views import mean_over_views

        unique = list(dict.fromkeys(sequences))
        if not unique:
            return np.zeros((0, self.predictor.n_members), np.float32)
        branches = scan_in_chunks(unique, self.branch_starts)
        reads, read_branch, owner = self.predictor.model_reads(unique, branches, self.design.get("template"))
        keys = list(zip(reads, np.asarray(read_branch).tolist()))
        new = [k for k in dict.fromkeys(keys) if k not in self.views]
        if len(self.views) + len(new) > VIEW_CACHE:
            self.views.clear()
        if new:
            fresh = self.predictor.read_members(
                [r for r, _ in new], np.array([b for _, b in new]), **self.design
            )
            self.views.update(zip(new, fresh))
        values = np.array([self.views[k] for k in keys]).reshape(len(keys), -1)
        scored = values if len(reads) == len(unique) else mean_over_views(values, owner, len(unique))
        where = {s: i for i, s in enumerate(unique)}
        return scored[[where[s] for s in sequences]]

    def branch_starts(self, introns: list[str]) -> np.ndarray:
        """0-based starts of the branch PWM's best match (:func:`splice_core.data.sites.find_branch_start` for many)."""
        return branch_scan(introns, np.asarray(self.branch_pwm))[0]

    def wild_type(self, rows: list[int], introns: pd.DataFrame) -> np.ndarray:
        """``(N, K)`` member predictions of the wild-type introns of ``rows`` (each scored once per run)."""
        new = sorted(set(rows) - set(self.wild))
        for row, members in zip(new, self.members(introns.loc[new, "sequence"].tolist())):
            self.wild[row] = members
        return np.array([self.wild[r] for r in rows]).reshape(len(rows), -1)

    def score(self, entries: list[Entry], introns: pd.DataFrame) -> None:
        """Fill each scorable entry's (wt, variant, change, change spread)."""
        from splice_core.analysis.variant_effects import change_with_spread
        from splice_core.predict.predictor import mean_and_spread

        todo = [e for e in entries if not e.error]
        if not todo:
            return
        wild = self.wild_type([e.intron for e in todo], introns)
        variant = self.members([e.sequence for e in todo])
        wt_mean, _ = mean_and_spread(wild)
        var_mean, _ = mean_and_spread(variant)
        for i, entry in enumerate(todo):
            change, spread = change_with_spread(variant[i], wild[i])
            entry.scores = (float(wt_mean[i]), float(var_mean[i]), change, spread)


def info_values(entries: list[Entry], introns: pd.DataFrame) -> tuple[list[str], list[str]]:
    """(the :data:`INFO_ID` entries, the :data:`ERROR_ID` entries) of a record."""
    scored, failed = [], []
    for e in entries:
        gene = str(introns.at[e.intron, "gene"]).replace("|", "_").replace(",", "_")
        if e.error:
            failed.append(f"{e.alt}|{gene}|{e.error}")
        else:
            wt, var, change, spread = e.scores
            scored.append(f"{e.alt}|{gene}|{wt:.4f}|{var:.4f}|{change:+.4f}|{spread:.4f}|{e.site}")
    return scored, failed


def table_rows(number: int, record, entries: list[Entry], introns: pd.DataFrame) -> list[dict]:
    """The ``--table`` rows of one record (one per entry)."""
    rows = []
    for e in entries:
        intron = introns.loc[e.intron]
        wt, var, change, spread = e.scores or (np.nan,) * 4
        rows.append(
            {
                "record": number,
                "chrom": record.chrom,
                "pos": record.pos,
                "id": record.id or "",
                "ref": record.ref,
                "alt": e.alt,
                "gene": intron["gene"],
                "locus": intron["locus"],
                "strand": intron["strand"],
                "intron": f"{intron['chrom']}:{intron['start'] + 1}-{intron['end']}",
                "kind": e.kind,
                "intron_position": e.edit.start + 1 if e.edit is not None else np.nan,
                "intron_change": e.edit.label(intron["sequence"]) if e.edit is not None else "",
                "site": e.site if not e.error else "",
                "wt_eff": wt,
                "variant_eff": var,
                "change": change,
                "change_sd": spread,
                "error": e.error,
                "variant_intron": e.sequence,
                "wildtype_intron": intron["sequence"],
            }
        )
    return rows


class VcfWriter:
    """Writes the VCF text htslib formats to ``path`` (bgzipped and tabix-indexed for ``.gz``), complete or not at all."""

    def __init__(self, path: str | os.PathLike, header):
        import pysam

        self.path = Path(path)
        self.kind = vcf_output_kind(self.path)
        self.partial = self.path.with_name(f".partial.{self.path.name}")
        if self.kind == "bgzip":
            self.handle = pysam.BGZFile(str(self.partial), "wb")
        else:
            self.handle = open(self.partial, "wb")  # noqa: SIM115 - a streamed writer, closed by close()
        self.write(str(header))

    def write(self, text: str) -> None:
        """Append VCF text."""
        self.handle.write(text.encode())

    def close(self) -> None:
        """Finish, index (``.gz``) and move the file to its name."""
        import pysam

        self.handle.close()
        if self.kind == "bgzip":
            try:
                pysam.tabix_index(str(self.partial), preset="vcf", force=True)
            except OSError as err:
                self.discard()
                raise ValueError(
                    f"{self.path}: the output cannot be tabix-indexed ({err}); is the input sorted by position?"
                ) from err
            os.replace(f"{self.partial}.tbi", f"{self.path}.tbi")
        os.replace(self.partial, self.path)

    def discard(self) -> None:
        """Drop the unfinished file."""
        self.handle.close()
        for leftover in (self.partial, Path(f"{self.partial}.tbi")):
            leftover.unlink(missing_ok=True)


@dataclass
class VcfSummary:
    """Counts of a scored VCF."""

    records: int = 0
    overlapping: int = 0
    scored: int = 0
    failed: int = 0
    haplotypes: int = 0


def open_vcf(source: str | os.PathLike):
    """The input as a pysam ``VariantFile`` (htslib's warnings about undeclared fields kept quiet); one clear error
    for a file that is not a VCF."""
    import pysam

    if not Path(source).is_file():
        raise FileNotFoundError(f"no such file: {source}")
    pysam.set_verbosity(0)
    try:
        return pysam.VariantFile(str(source))
    except (OSError, ValueError) as err:
        raise ValueError(f"{source}: not a readable VCF ({err})") from err


def declare_fields(header) -> None:
    """Declare the INFO fields this module writes in a VCF header (kept when the input already declares them)."""
    for identifier, description in HEADER_LINES:
        if identifier not in header.info:
            header.add_meta(
                "INFO",
                items=[("ID", identifier), ("Number", "."), ("Type", "String"), ("Description", description)],
            )


def record_chunks(vcf, index: IntronIndex) -> Iterator[list[tuple[int, object, list[Entry]]]]:
    """(1-based record number, record, its entries), at most :data:`CHUNK_ENTRIES` entries or
    :data:`CHUNK_RECORDS` records at a time; a record htslib cannot parse is one clear error."""
    chunk, entries = [], 0
    number = 0
    iterator = iter(vcf)
    while True:
        try:
            record = next(iterator)
        except StopIteration:
            break
        except (OSError, ValueError) as err:
            raise ValueError(f"record {number + 1} cannot be read ({err})") from err
        number += 1
        found = record_entries(record, index)
        chunk.append((number, record, found))
        entries += len(found)
        if entries >= CHUNK_ENTRIES or len(chunk) >= CHUNK_RECORDS:
            yield chunk
            chunk, entries = [], 0
    if chunk:
        yield chunk


def score_vcf(
    scorer: EntryScorer,
    introns: pd.DataFrame,
    source: str | os.PathLike,
    output: str | os.PathLike,
    table: str | os.PathLike | None = None,
    haplotypes: str | os.PathLike | None = None,
    on_progress: Callable[[VcfSummary], None] | None = None,
) -> VcfSummary:
    """Score every ALT x intron of a VCF; write the annotated VCF (and ``table``, ``haplotypes``: CSV or xlsx)."""
    from splice_core.variants.haplotypes import HaplotypeCollector

    vcf_output_kind(output)
    vcf = open_vcf(source)
    declare_fields(vcf.header)
    index = IntronIndex(introns)
    writers = []
    try:
        out = VcfWriter(output, vcf.header)
        writers.append(out)
        rows = ScoredWriter(table, TABLE_FORMATS) if table else None
        haps = HaplotypeCollector(scorer, introns, list(vcf.header.samples)) if haplotypes else None
        hap_writer = ScoredWriter(haplotypes, TABLE_FORMATS) if haplotypes else None
        writers += [w for w in (rows, hap_writer) if w is not None]
        summary = VcfSummary()
        for chunk in record_chunks(vcf, index):
            write_chunk(chunk, scorer, introns, out, rows, summary)
            if haps is not None:
                hap_table = haps.add(chunk)
                summary.haplotypes += write_rows(hap_writer, hap_table)
            if on_progress is not None:
                on_progress(summary)
        if haps is not None:
            summary.haplotypes += write_rows(hap_writer, haps.finish())
            if hap_writer.rows == 0:
                hap_writer.write(haps.empty_table())
        if rows is not None and rows.rows == 0:
            rows.write(pd.DataFrame(columns=list(TABLE_COLUMNS)))
    except BaseException:
        for writer in writers:
            writer.discard()
        raise
    finally:
        vcf.close()
    for writer in writers:
        writer.close()
    return summary


def write_rows(writer: ScoredWriter, frame: pd.DataFrame) -> int:
    """Append a table's rows (none: nothing written); returns how many."""
    if len(frame):
        writer.write(frame)
    return len(frame)


def write_chunk(
    chunk, scorer: EntryScorer, introns: pd.DataFrame, out: VcfWriter, rows, summary: VcfSummary
) -> None:
    """Score a chunk's entries, write its records (INFO added where they overlap an intron) and its table rows."""
    scorer.score([e for _, _, entries in chunk for e in entries], introns)
    lines, table = [], []
    for number, record, entries in chunk:
        summary.records += 1
        if entries:
            summary.overlapping += 1
            scored, failed = info_values(entries, introns)
            summary.scored += len(scored)
            summary.failed += len(failed)
            for identifier, values in ((INFO_ID, scored), (ERROR_ID, failed)):
                if values:
                    record.info[identifier] = values
            if rows is not None:
                table += table_rows(number, record, entries, introns)
        lines.append(str(record))
    out.write("".join(lines))
    if rows is not None and table:
        rows.write(pd.DataFrame(table, columns=list(TABLE_COLUMNS)))
