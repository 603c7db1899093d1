"""The command line's entry point: the parser of every sub-command, one clear error line, the exit code.

Sub-commands live one group per module (``data_commands``: fetch; ``training_commands``: train, evaluate, sweep,
reproduce, ship; ``scoring_commands``: predict, native, scan; ``vcf_commands``: vcf; ``design_commands``: design),
each as an ``add_<name>(sub)`` that registers its parser (help, options, an example) and its ``cmd_<name>(args)``;
:data:`SUBCOMMANDS` lists them. Heavy modules (pandas, TensorFlow) are imported inside the ``cmd_`` functions only, so
``--help`` answers at once.
"""

import argparse
import contextlib
import errno
import io
import os
import sys
from collections.abc import Callable

from splice_core.cli.arguments import OneLineParser, global_options, prog_name
from splice_core.cli.data_commands import add_fetch
from splice_core.cli.design_commands import add_design
from splice_core.cli.scoring_commands import add_native, add_predict, add_scan, cmd_predict
from splice_core.cli.training_commands import add_evaluate, add_reproduce, add_ship, add_sweep, add_train
from splice_core.cli.vcf_commands import add_vcf, cmd_vcf
from splice_core.models.scoring_imports import skip_unused_imports

SUBCOMMANDS: tuple[Callable, ...] = (
    add_fetch,
    add_train,
    add_evaluate,
    add_predict,
    add_native,
    add_scan,
    add_vcf,
    add_sweep,
    add_reproduce,
    add_ship,
    add_design,
)


def parser() -> argparse.ArgumentParser:
    """The argument parser with one sub-command per task."""
    prog = prog_name()
    top = OneLineParser(
        prog=prog,
        description="Yeast intron splicing-efficiency models.",
        epilog=f"example:\n  {prog} predict introns.fa -o scored.csv\n\n'{prog} COMMAND --help' shows a command's options.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        parents=[global_options()],
    )
    sub = top.add_subparsers(dest="command", required=True, metavar="COMMAND", help="the task to run")
    for add in SUBCOMMANDS:
        add(sub)
    return top


@contextlib.contextmanager
def native_logs_hidden():
    """Send what native libraries (TensorFlow's C++ start-up lines) write to file descriptor 2 to /dev/null.

    Python's own ``sys.stderr`` (errors, progress bars, tracebacks) still reaches the terminal through a copy
    of the original descriptor.
    """
    sys.stderr.flush()
    saved = os.dup(2)
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 2)
    os.close(devnull)
    original = sys.stderr
    sys.stderr = io.TextIOWrapper(os.fdopen(saved, "wb", buffering=0, closefd=False), write_through=True)
    try:
        yield
    finally:
        sys.stderr.flush()
        sys.stderr = original
        os.dup2(saved, 2)
        os.close(saved)


def error_line(err: Exception) -> str:
    """The one line a failed command prints after ``error:`` (a full disk says what was kept)."""
    if isinstance(err, OSError) and err.errno in (errno.ENOSPC, errno.EDQUOT):
        where = f" writing {err.filename}" if err.filename else ""
        return f"no space left on the device{where}: nothing was written under the final name, earlier files are kept"
    if isinstance(err, OSError) and err.filename and err.strerror:
        return f"{err.filename}: {err.strerror}"
    return str(err)


def main(argv: list[str] | None = None, own_process: bool = False) -> int:
    """Run a sub-command; data and input problems print one clear line and exit 2.

    ``own_process``: the command owns its interpreter (``python -m splice_core``, ``splice-predict``), so the
    single-process ``predict`` may keep packages it never uses out of it (:mod:`splice_core.models.scoring_imports`).
    """
    args = parser().parse_args(argv)
    if own_process and (args.func is cmd_vcf or (args.func is cmd_predict and args.ray is None)):
        skip_unused_imports()
    with contextlib.nullcontext() if args.verbose else native_logs_hidden():
        try:
            return args.func(args)
        except (OSError, ValueError) as err:  # DataFileError is a ValueError; a full disk an OSError
            print(f"error: {error_line(err)}", file=sys.stderr)
            return 2


def run() -> int:
    """The console entry point (``splice-predict``, ``python -m splice_core``): :func:`main` owning the process."""
    return main(own_process=True)
