"""Batch scoring of a large FASTA file: streamed in chunks (ours) beside reading the whole file first (naive).

    python benchmarks/bench_batch_stream.py [--introns 1000000] [--naive-cap-gb 8]

Writes random introns (60-150 nt, GT...AG) to a temporary FASTA, then scores it into a CSV with the shipped model
in a fresh process per way, and prints each way's peak resident memory (polled every 0.1 s from /proc, and the
kernel's own high-water mark) and throughput. The naive way is stopped once it passes --naive-cap-gb, so that
it cannot exhaust a shared machine; its peak is then reported as "> cap".
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

OURS = """
import sys
from splice_core.batch import score_file
from splice_core.model_store import PRETRAINED_DIR
from splice_core.predictor import load_predictor
summary = score_file(load_predictor(PRETRAINED_DIR), sys.argv[1], sys.argv[2])
print(summary.n_rows, summary.n_scored)
"""

NAIVE = """
import sys
from pathlib import Path
import pandas as pd
from splice_core.batch import score_frame
from splice_core.library import fasta_records
from splice_core.model_store import PRETRAINED_DIR
from splice_core.predictor import load_predictor
predictor = load_predictor(PRETRAINED_DIR)
frame = pd.DataFrame(fasta_records(Path(sys.argv[1]).read_text()), columns=["id", "intron_seq"])
scored = score_frame(predictor, frame)
scored.to_csv(sys.argv[2], index=False)
print(len(scored), int((scored["error"] == "").sum()))
"""

LOAD_ONLY = """
from splice_core.model_store import PRETRAINED_DIR
from splice_core.predictor import load_predictor
load_predictor(PRETRAINED_DIR)
print(0, 0)
"""


def write_introns(path: Path, n: int, seed: int = 0) -> None:
    """``n`` random introns (60-150 nt, GT...AG) as FASTA."""
    rng = np.random.default_rng(seed)
    letters = np.array(list("ACGT"))
    with open(path, "w") as handle:
        for start in range(0, n, 100_000):
            block = []
            for i in range(start, min(n, start + 100_000)):
                body = "".join(letters[rng.integers(0, 4, int(rng.integers(56, 147)))])
                block.append(f">r{i}\nGT{body}AG\n")
            handle.write("".join(block))


def rss_bytes(pid: int) -> int:
    """Resident memory of a process (0 once it is gone)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def run_way(script: str, fasta: Path, out: Path, cap: float) -> dict:
    """Run one way in a fresh process: seconds, polled peak RSS (bytes), whether it was stopped at the cap."""
    start = time.monotonic()
    process = subprocess.Popen([sys.executable, "-c", script, str(fasta), str(out)], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    peak, stopped = 0, False
    while process.poll() is None:
        peak = max(peak, rss_bytes(process.pid))
        if peak > cap:
            process.kill()
            stopped = True
        time.sleep(0.1)
    seconds = time.monotonic() - start
    output = process.stdout.read().split()
    return {"seconds": seconds, "peak": peak, "stopped": stopped, "rows": int(output[0]) if output and not stopped else None}


def main() -> None:
    """Generate the file, run the model-load baseline, ours and the naive way; print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--introns", type=int, default=1_000_000, help="introns in the generated file (default: %(default)s)")
    parser.add_argument("--naive-cap-gb", type=float, default=8.0, help="stop the naive way past this resident memory (default: %(default)s)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        fasta = Path(folder) / "introns.fa"
        write_introns(fasta, args.introns)
        print(f"{args.introns:,} random introns, {fasta.stat().st_size / 1e6:.0f} MB FASTA; shipped model, CPU, chunks of 20,000 rows")
        cap = args.naive_cap_gb * 2**30
        results = {
            "load the model only": run_way(LOAD_ONLY, fasta, Path(folder) / "none.csv", cap),
            "ours (streamed)": run_way(OURS, fasta, Path(folder) / "ours.csv", cap),
            "naive (whole file)": run_way(NAIVE, fasta, Path(folder) / "naive.csv", cap),
        }
    print(f"{'way':<22} {'peak RSS':>12} {'seconds':>9} {'introns/s':>10}")
    for name, r in results.items():
        peak = f"> {args.naive_cap_gb:g} GB" if r["stopped"] else f"{r['peak'] / 2**30:.2f} GB"
        rate = f"{args.introns / r['seconds']:,.0f}" if r["rows"] else "-"
        print(f"{name:<22} {peak:>12} {r['seconds']:>9.1f} {rate:>10}" + ("  (stopped at the cap)" if r["stopped"] else ""))
    print(f"kernel high-water mark of the largest child: {resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 2**20:.2f} GB")


if __name__ == "__main__":
    main()
