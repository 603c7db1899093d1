"""``vcf --haplotypes``: per sample and genotype copy, all of its ALT alleles in one intron applied together.

A sample's genotype copies (``GT`` 0|1: copy 1 carries REF, copy 2 the ALT) are read in the order written. Copies that carry the
same alleles are one row. ``phased`` is False when two or more heterozygous genotypes of the intron are unphased
(the copies may then be mixed). An intron is finished once the (position-sorted) input has passed it.
"""

import numpy as np
import pandas as pd

from splice_core.variants.alleles import NO_SITE, applied
from splice_core.variants.chromosomes import canonical_chromosome

SORTED = "--haplotypes needs a VCF sorted by position (bcftools sort)"
HAPLOTYPE_COLUMNS = (
    "sample",
    "copies",
    "phased",
    "gene",
    "locus",
    "strand",
    "intron",
    "variants",
    "n_variants",
    "sites",
    "wt_eff",
    "haplotype_eff",
    "change",
    "change_sd",
    "error",
    "haplotype_intron",
)


def genotypes(record, samples: list[str]) -> list[tuple[tuple[int | None, ...], bool]]:
    """Each sample's (allele index per copy, phased) of a record; no ``GT``: missing."""
    out = []
    for name in samples:
        call = record.samples[name]
        try:
            out.append((tuple(call["GT"] or ()), bool(call.phased)))
        except KeyError:
            out.append(((None,), False))
    return out


class HaplotypeCollector:
    """Gathers the records of each intron and scores every sample's haplotypes once the input has passed it."""

    def __init__(self, scorer, introns: pd.DataFrame, samples: list[str]):
        self.scorer, self.introns, self.samples = scorer, introns, samples
        self.pending: dict[int, list[tuple[str, dict, list]]] = {}
        self.done: set[int] = set()
        self.chroms: set[str] = set()
        self.last: tuple[str, int] = ("", -1)

    def add(self, chunk) -> pd.DataFrame:
        """Take a chunk's records (:func:`splice_core.variants.vcf.record_chunks`); the rows of the introns it finished."""
        for _, record, entries in chunk:
            self.check_order(record.chrom, record.start)
            if not entries:
                continue
            calls = genotypes(record, self.samples)
            label = f"{record.chrom}:{record.pos}:{record.ref}"
            for row in dict.fromkeys(e.intron for e in entries):
                alleles = {e.allele: e for e in entries if e.intron == row}
                self.pending.setdefault(row, []).append((label, alleles, calls))
        if not chunk:
            return self.table([])
        _, last, _ = chunk[-1]
        chrom = canonical_chromosome(last.chrom)
        passed = [
            row
            for row in self.pending
            if self.introns.at[row, "chrom"] != chrom or self.introns.at[row, "end"] <= last.start
        ]
        return self.table(passed)

    def check_order(self, chrom: str, start: int) -> None:
        """Raise ValueError when the input goes back (to an earlier position, or to a chromosome it left)."""
        if chrom != self.last[0]:
            if chrom in self.chroms:
                raise ValueError(SORTED)
            self.chroms.add(chrom)
        elif start < self.last[1]:
            raise ValueError(SORTED)
        self.last = (chrom, start)

    def finish(self) -> pd.DataFrame:
        """The rows of every intron still open at the end of the input."""
        return self.table(list(self.pending))

    def empty_table(self) -> pd.DataFrame:
        """The haplotype table with no rows."""
        return pd.DataFrame(columns=list(HAPLOTYPE_COLUMNS))

    def table(self, rows: list[int]) -> pd.DataFrame:
        """Score and drop the pending records of ``rows``."""
        haplotypes = [h for row in rows for h in self.intron_haplotypes(row)]
        for row in rows:
            self.done.add(row)
            del self.pending[row]
        if not haplotypes:
            return self.empty_table()
        table = pd.DataFrame(haplotypes)
        from splice_core.analysis.variant_effects import change_with_spread
        from splice_core.predict.predictor import mean_and_spread

        ok = table["error"] == ""
        if ok.any():
            good = table[ok]
            wild = self.scorer.wild_type(good["intron_row"].tolist(), self.introns)
            variant = self.scorer.members(good["haplotype_intron"].tolist())
            changes = np.array([change_with_spread(v, w) for v, w in zip(variant, wild)]).reshape(-1, 2)
            table.loc[ok, "wt_eff"] = mean_and_spread(wild)[0]
            table.loc[ok, "haplotype_eff"] = mean_and_spread(variant)[0]
            table.loc[ok, ["change", "change_sd"]] = changes
        return table[list(HAPLOTYPE_COLUMNS)]

    def intron_haplotypes(self, row: int) -> list[dict]:
        """One dict per distinct (sample, set of ALT alleles) in an intron (samples carrying none: no row)."""
        intron = self.introns.loc[row]
        records = self.pending[row]
        out = []
        for s, name in enumerate(self.samples):
            groups: dict[tuple, tuple[list[int], list]] = {}
            heterozygous = sum(len(set(calls[s][0])) > 1 for _, _, calls in records)
            phased = heterozygous <= 1 or all(calls[s][1] for _, _, calls in records)
            ploidy = max(len(calls[s][0]) for _, _, calls in records)
            for copy in range(ploidy):
                carried = []
                for label, alleles, calls in records:
                    gt = calls[s][0]
                    allele = gt[copy] if copy < len(gt) else None
                    if allele:
                        carried.append((label, alleles[allele]))
                if carried:
                    groups.setdefault(carried_key(carried), ([], carried))[0].append(copy + 1)
            for numbers, carried in groups.values():
                out.append(self.haplotype(name, numbers, phased, row, intron, carried))
        return out

    def haplotype(self, sample: str, copies: list[int], phased: bool, row: int, intron, carried) -> dict:
        """One haplotype's row before scoring: its variants applied together (or the reason they cannot be)."""
        errors = [e.error for _, e in carried if e.error]
        sequence = ""
        if not errors:
            try:
                sequence = applied(intron["sequence"], [e.edit for _, e in carried if e.edit is not None])
            except ValueError as err:
                errors.append(str(err))
        sites = sorted({s for _, e in carried for s in e.site.split("&") if s != NO_SITE})
        return {
            "sample": sample,
            "copies": ",".join(map(str, copies)),
            "phased": phased,
            "gene": intron["gene"],
            "locus": intron["locus"],
            "strand": intron["strand"],
            "intron": f"{intron['chrom']}:{intron['start'] + 1}-{intron['end']}",
            "variants": ";".join(f"{label}>{e.alt}" for label, e in carried),
            "n_variants": len(carried),
            "sites": "&".join(sites) or NO_SITE,
            "wt_eff": np.nan,
            "haplotype_eff": np.nan,
            "change": np.nan,
            "change_sd": np.nan,
            "error": errors[0] if errors else "",
            "haplotype_intron": sequence,
            "intron_row": row,
        }


def carried_key(carried) -> tuple:
    """The key of a copy's carried alleles."""
    return tuple((label, e.allele) for label, e in carried)
