"""``vcf`` on 1,000,000 made-up records over the R64 chromosomes (about 1% in annotated introns), beside the naive way.

    python benchmarks/bench_vcf.py [--records 1000000] [--intronic 0.01] [--naive-sample 200]

Needs the data directory (``wildtype_introns.csv``: $SPLICE_DATA_DIR or ../shared/data). Writes a sorted VCF: the
intronic share at random positions of random annotated introns (REF the intron's own base; SNVs, insertions,
deletions, two-base substitutions and two-ALT records), the rest at random positions outside the introns. Ours is
the command as a user runs it (``python -m splice_core vcf in.vcf -o out.vcf.gz --table t.csv``, shipped model, a
fresh process): records/s from its start (model load included) and its peak resident memory (the child's maximum
RSS). The naive way calls the model once per ALT x intron (the variant and its wild type in one call), timed on a
sample of --naive-sample entries and scaled to all of them; its reading and writing are not counted.
"""

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from splice_core.variants.alleles import genomic_bases  # noqa: E402
from splice_core.variants.annotation import annotated_introns  # noqa: E402
from splice_core.variants.chromosomes import ROMAN  # noqa: E402

# R64 chromosome lengths (nt), for made-up positions.
R64_LENGTHS = (
    230218, 813184, 316620, 1531933, 576874, 270161, 1090940, 562643,
    439888, 745751, 666816, 1078177, 924431, 784333, 1091291, 948066,
)  # fmt: skip
HEADER = (
    "##fileformat=VCFv4.2\n"
    + "".join(f"##contig=<ID=chr{r},length={n}>\n" for r, n in zip(ROMAN, R64_LENGTHS))
    + "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\n"
)
OTHER = {"A": "C", "C": "G", "G": "T", "T": "A", "N": "A"}


def data_dir() -> Path:
    """The data directory: $SPLICE_DATA_DIR, else ../shared/data beside the project."""
    return Path(os.environ.get("SPLICE_DATA_DIR", ROOT.parent / "shared" / "data"))


def intronic_record(rng: np.random.Generator, intron) -> tuple[int, str, str]:
    """(1-based pos, REF, ALT) of a random variant inside an intron, REF its own bases."""
    bases = genomic_bases(intron.sequence, intron.strand)
    i = int(rng.integers(1, len(bases) - 3))
    kind = rng.choice(["snv", "ins", "del", "mnv", "multi"], p=[0.7, 0.1, 0.1, 0.05, 0.05])
    ref = bases[i]
    alt = {
        "snv": OTHER[ref],
        "ins": ref + "".join(rng.choice(list("ACGT"), int(rng.integers(1, 6)))),
        "mnv": OTHER[ref] + OTHER[bases[i + 1]],
        "multi": ",".join(b for b in "ACGT" if b != ref)[:3],
        "del": ref,
    }[kind]
    if kind == "del":
        ref = bases[i : i + int(rng.integers(2, 4))]
    elif kind == "mnv":
        ref = bases[i : i + 2]
    return intron.start + i + 1, ref, alt


def write_vcf(path: Path, n: int, share: float, introns, seed: int = 0) -> tuple[int, int]:
    """A sorted VCF of about ``n`` made-up records, ``share`` of them in introns: (records, intronic records)."""
    rng = np.random.default_rng(seed)
    by_chrom = {f"chr{r}": [] for r in ROMAN}
    n_intronic = int(round(n * share))
    for intron in introns.iloc[rng.integers(0, len(introns), n_intronic)].itertuples():
        if intron.chrom in by_chrom:
            by_chrom[intron.chrom].append(intronic_record(rng, intron))
    lengths = np.array(R64_LENGTHS, float)
    counts = rng.multinomial(n - sum(map(len, by_chrom.values())), lengths / lengths.sum())
    for (chrom, records), count, length in zip(by_chrom.items(), counts, R64_LENGTHS):
        inside = introns[introns["chrom"] == chrom]
        pos = rng.integers(1, length + 1, count)
        hit = np.zeros(count, bool)
        for start, end in zip(inside["start"], inside["end"]):
            hit |= (pos > start - 3) & (pos <= end)
        bases = rng.choice(list("ACGT"), count)
        records += [(int(p), b, OTHER[b]) for p, b in zip(pos[~hit], bases[~hit])]
    with open(path, "w") as handle:
        handle.write(HEADER)
        for chrom, records in by_chrom.items():
            records.sort()
            handle.writelines(f"{chrom}\t{p}\t.\t{r}\t{a}\t.\t.\t.\n" for p, r, a in records)
    return sum(len(r) for r in by_chrom.values()), n_intronic


def run_ours(source: Path, folder: Path) -> tuple[float, float, str]:
    """(seconds, peak resident MB, the command's summary line) of ``vcf`` in a fresh process."""
    command = [sys.executable, "-m", "splice_core", "--data-dir", str(data_dir()), "vcf", str(source)]
    command += ["-o", str(folder / "out.vcf.gz"), "--table", str(folder / "t.csv")]
    start = time.perf_counter()
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=True)
    seconds = time.perf_counter() - start
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return seconds, peak_mb, done.stdout.strip().splitlines()[-1]


def naive_seconds(table_path: Path, sample: int, seed: int = 0) -> tuple[float, int]:
    """(seconds per ALT x intron, entries in all) of one model call per entry (variant and wild type), on a sample."""
    import pandas as pd

    from splice_core.models.store import PRETRAINED_DIR
    from splice_core.predict.predictor import load_predictor

    table = pd.read_csv(table_path, keep_default_na=False)
    scored = table[table["error"] == ""]
    predictor = load_predictor(PRETRAINED_DIR)
    rows = scored.sample(min(sample, len(scored)), random_state=seed)
    predictor.predict_introns([rows["variant_intron"].iloc[0], rows["wildtype_intron"].iloc[0]])  # warm-up
    start = time.perf_counter()
    for row in rows.itertuples():
        predictor.predict_introns([row.variant_intron, row.wildtype_intron])
    return (time.perf_counter() - start) / len(rows), len(table)


def main() -> None:
    """Write the VCF, run both ways, print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--intronic", type=float, default=0.01)
    parser.add_argument("--naive-sample", type=int, default=200)
    args = parser.parse_args()
    introns = annotated_introns(data_dir())
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        source = folder / "in.vcf"
        start = time.perf_counter()
        n, n_intronic = write_vcf(source, args.records, args.intronic, introns)
        print(
            f"wrote {n:,} records ({n_intronic:,} intronic) in {time.perf_counter() - start:.1f} s",
            flush=True,
        )
        seconds, peak_mb, line = run_ours(source, folder)
        print(f"ours: {line}", flush=True)
        print(
            f"ours: {seconds:.1f} s end to end, {n / seconds:,.0f} records/s, peak resident {peak_mb:,.0f} MB"
        )
        per_entry, entries = naive_seconds(folder / "t.csv", args.naive_sample)
        naive = per_entry * entries
        print(
            f"naive (one model call per ALT x intron, {per_entry * 1000:.1f} ms each, scaled from {args.naive_sample} "
            f"to {entries:,}): {naive:.0f} s for the scoring alone, {n / naive:,.0f} records/s; ours {naive / seconds:.1f}x faster"
        )


if __name__ == "__main__":
    main()
