"""How fast the command line answers ``--help``: ours beside a bare interpreter and the naive way (TensorFlow first).

    python benchmarks/bench_cli_help.py [--repeats 5]

Each figure is the median wall time of fresh processes. The naive way is what the parser did before it read its
choices from ``splice_core.options``: import the modules that build models (Keras, TensorFlow) first.
"""
import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
COMMANDS = ["fetch", "train", "evaluate", "predict", "reproduce", "ship"]


def seconds(args: list[str], repeats: int) -> float:
    """Median wall time of ``python ARGS`` in fresh processes."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        subprocess.run([sys.executable, *args], cwd=ROOT, capture_output=True, check=True)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    """Print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5, help="processes per figure (default: %(default)s)")
    args = parser.parse_args()
    rows = [("python -c pass (the interpreter alone)", ["-c", "pass"])]
    rows += [("python -m splice_core --help", ["-m", "splice_core", "--help"])]
    rows += [(f"python -m splice_core {c} --help", ["-m", "splice_core", c, "--help"]) for c in COMMANDS]
    rows += [("naive: import the model modules, then help", ["-c", "import splice_core.architectures, splice_core.training"])]
    for label, command in rows:
        print(f"{label:<48} {seconds(command, args.repeats):6.2f} s")


if __name__ == "__main__":
    main()
