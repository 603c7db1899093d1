"""How fast the command line answers ``--help``: ours beside a bare interpreter and the naive way (TensorFlow first).

    python benchmarks/bench_cli_help.py [--repeats 5]

Each figure is the median over fresh processes of the wall time and of the CPU time (user + system). The naive way is what the parser did before it read its
choices from ``splice_core.models.recipe_options``: import the modules that build models (Keras, TensorFlow) first.
"""

import argparse
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
COMMANDS = ["fetch", "train", "evaluate", "predict", "reproduce", "ship"]


def seconds(args: list[str], repeats: int) -> tuple[float, float]:
    """Median wall time and median CPU time (user + system) of ``python ARGS`` in fresh processes."""
    walls, cpus = [], []
    for _ in range(repeats):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        subprocess.run([sys.executable, *args], cwd=ROOT, capture_output=True, check=True)
        walls.append(time.perf_counter() - start)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)
    return statistics.median(walls), statistics.median(cpus)


def main() -> None:
    """Print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5, help="processes per figure (default: %(default)s)")
    args = parser.parse_args()
    rows = [("python -c pass (the interpreter alone)", ["-c", "pass"])]
    rows += [("python -m splice_core --help", ["-m", "splice_core", "--help"])]
    rows += [(f"python -m splice_core {c} --help", ["-m", "splice_core", c, "--help"]) for c in COMMANDS]
    rows += [
        (
            "naive: import the model modules, then help",
            ["-c", "import splice_core.models.architectures, splice_core.models.training"],
        )
    ]
    print(f"{'command':<48} {'wall':>7} {'CPU':>7}  (CPU time is what the machine's load does not inflate)")
    for label, command in rows:
        wall, cpu = seconds(command, args.repeats)
        print(f"{label:<48} {wall:6.2f}s {cpu:6.2f}s")


if __name__ == "__main__":
    main()
