"""k-mer counts for the peer's features and the library distance: the vectorised count against a loop over windows.

    python benchmarks/bench_kmers.py [--length 148] [--repeats 5]

The input is what the mutagenesis map asks for: every single-base substitution and deletion of one intron.
"""

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from splice_core.seq.kmers import kmer_count_matrix, kmer_names


def loop_counts(introns: list[str], k: int) -> np.ndarray:
    """The naive way: a dictionary lookup per window of every intron."""
    index = {m: i for i, m in enumerate(kmer_names(k))}
    out = np.zeros((len(introns), 4**k), np.int64)
    for row, s in enumerate(introns):
        for i in range(len(s) - k + 1):
            j = index.get(s[i : i + k])
            if j is not None:
                out[row, j] += 1
    return out


def best_ms(count, introns: list[str], repeats: int) -> float:
    """Fastest of ``repeats`` runs of k = 1..4, in milliseconds."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        for k in (1, 2, 3, 4):
            count(introns, k)
        times.append(time.perf_counter() - start)
    return 1000 * min(times)


def main() -> None:
    """Print both ways' times on the same variants, and check they agree."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--length", type=int, default=148)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    intron = "".join(np.random.default_rng(0).choice(list("ACGT"), args.length))
    variants = [intron[:i] + b + intron[i + 1 :] for i in range(len(intron)) for b in "ACGT"]
    variants += [intron[:i] + intron[i + 1 :] for i in range(len(intron))]
    for k in (1, 2, 3, 4):
        assert (kmer_count_matrix(variants, k) == loop_counts(variants, k)).all()
    loop, vectorised = (
        best_ms(loop_counts, variants, args.repeats),
        best_ms(kmer_count_matrix, variants, args.repeats),
    )
    print(f"{len(variants)} variants of a {args.length}-nt intron, k = 1..4 (counts identical)")
    print(f"  loop over windows  {loop:8.1f} ms")
    print(f"  vectorised         {vectorised:8.1f} ms   ({loop / vectorised:.1f}x)")


if __name__ == "__main__":
    main()
