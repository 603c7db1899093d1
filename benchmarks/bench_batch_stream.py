"""Batch scoring of a large FASTA file: streamed in chunks (ours) beside reading the whole file first (naive).

    python benchmarks/bench_batch_stream.py [--introns 1000000] [--naive-cap-gb 8] [--time-limit SECONDS]

Writes random introns (60-150 nt, GT...AG) to a temporary FASTA, then scores it into a CSV with the shipped model
in a fresh process per way, and prints each way's peak memory: resident (VmHWM, the kernel's own high-water mark,
which includes TensorFlow's shared libraries) and anonymous (RssAnon, the heap, polled every 0.1 s). Ours is the
``predict`` command as a user runs it (``python -m splice_core predict in.fa -o out.csv``); the naive way reads
the whole file, scores it in one call and writes it. Throughput counts introns scored and written per second
after start-up (ours: from its start, model load included; naive: after its model loaded).
The naive way is stopped once it passes --naive-cap-gb, so that it cannot exhaust a shared machine. With
--time-limit each way stops after that many seconds (on a loaded machine).
"""

import argparse
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent

OURS = ["-m", "splice_core", "predict"]  # + the FASTA, -o, the output: the command itself

NAIVE = """
import sys
from splice_core.models.scoring_imports import skip_unused_imports
skip_unused_imports()  # as the predict command does: the ways differ only in streaming
from pathlib import Path
import pandas as pd
from splice_core.predict.batch import score_frame
from splice_core.data.library import fasta_records
from splice_core.models.store import PRETRAINED_DIR
from splice_core.predict.predictor import load_predictor
predictor = load_predictor(PRETRAINED_DIR)
print("loaded", flush=True)
frame = pd.DataFrame(fasta_records(Path(sys.argv[1]).read_text()), columns=["id", "intron_seq"])
scored = score_frame(predictor, frame)
scored.to_csv(sys.argv[2], index=False)
print("done", len(scored), flush=True)
"""

LOAD_ONLY = """
from splice_core.models.scoring_imports import skip_unused_imports
skip_unused_imports()
from splice_core.models.store import PRETRAINED_DIR
from splice_core.predict.predictor import load_predictor
load_predictor(PRETRAINED_DIR)
print("loaded", flush=True)
print("done", 0, flush=True)
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


def memory_bytes(pid: int) -> tuple[int, int]:
    """(VmHWM, RssAnon) of a process in bytes: its peak resident memory so far, its heap now ((0, 0) once gone)."""
    values = {"VmHWM:": 0, "RssAnon:": 0}
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            key = line.split(":")[0] + ":"
            if key in values:
                values[key] = int(line.split()[1]) * 1024
    except OSError:
        pass
    return values["VmHWM:"], values["RssAnon:"]


def read_lines(stream, lines: list[str]) -> None:
    """Collect a child's output lines (in a thread)."""
    for line in stream:
        lines.append(line.split())


def run_way(arguments: list[str], cap: float, time_limit: float | None) -> dict:
    """Run ``python ARGUMENTS`` in a fresh process: peak memory, seconds after the model loaded (or from its start
    when it never says "loaded"), rows written, how it ended."""
    process = subprocess.Popen(
        [sys.executable, *arguments],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    lines: list[list[str]] = []
    threading.Thread(target=read_lines, args=(process.stdout, lines), daemon=True).start()
    start, loaded, peak_rss, peak_anon, ended = time.monotonic(), None, 0, 0, "finished"
    while process.poll() is None:
        rss, anon = memory_bytes(process.pid)
        peak_rss, peak_anon = max(peak_rss, rss), max(peak_anon, anon)
        if loaded is None and any(line[:1] == ["loaded"] for line in lines):
            loaded = time.monotonic()
        if peak_rss > cap:
            process.kill()
            ended = "stopped at the memory cap"
        elif time_limit and loaded and time.monotonic() - loaded > time_limit:
            process.kill()
            ended = f"stopped after {time_limit:g} s"
        time.sleep(0.1)
    seconds = time.monotonic() - (loaded or start)
    counts = [int(line[-1]) for line in lines if line[:1] == ["done"]]
    counts += [int(line[1]) for line in lines if line[:1] == ["scored"]]  # the predict command's last line
    return {
        "seconds": seconds,
        "rss": peak_rss,
        "anon": peak_anon,
        "ended": ended,
        "rows": counts[-1] if counts else 0,
    }


def main() -> None:
    """Generate the file, run the model-load baseline, ours and the naive way; print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--introns", type=int, default=1_000_000, help="introns in the generated file (default: %(default)s)"
    )
    parser.add_argument(
        "--naive-cap-gb",
        type=float,
        default=8.0,
        help="stop the naive way past this resident memory (default: %(default)s)",
    )
    parser.add_argument(
        "--time-limit",
        type=float,
        default=None,
        help="stop each way this many seconds after its model loaded (default: none)",
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        fasta = Path(folder) / "introns.fa"
        write_introns(fasta, args.introns)
        print(
            f"{args.introns:,} random introns, {fasta.stat().st_size / 1e6:.0f} MB FASTA; shipped model, CPU",
            flush=True,
        )
        cap = args.naive_cap_gb * 2**30
        results = {
            "load the model only": run_way(["-c", LOAD_ONLY], cap, None),
            "ours (streamed)": run_way([*OURS, str(fasta), "-o", f"{folder}/ours.csv"], cap, args.time_limit),
            "naive (whole file)": run_way(
                ["-c", NAIVE, str(fasta), f"{folder}/naive.csv"], cap, args.time_limit
            ),
        }
    print(
        f"{'way':<22} {'peak RSS':>9} {'peak heap':>10} {'rows written':>13} {'seconds':>8} {'introns/s':>10}  ended"
    )
    for name, r in results.items():
        rate = f"{r['rows'] / r['seconds']:,.0f}" if r["rows"] else "-"
        print(
            f"{name:<22} {r['rss'] / 2**30:7.2f} GB {r['anon'] / 2**30:8.2f} GB {r['rows']:>13,} {r['seconds']:>8.0f} {rate:>10}  {r['ended']}"
        )


if __name__ == "__main__":
    main()
