"""Arguments every sub-command shares: the global options, a sub-command parser with its example, bounded numbers, and the checks of a model or data folder named on the command line."""

import argparse
import sys
from collections.abc import Callable
from pathlib import Path

from splice_core.seq.intron_text import Wording

MODULE_PROG = "python -m splice_core"

SCRIPT_PROG = "splice-predict"  # the command pyproject.toml installs

DEFAULT_OUT = Path("runs")

CLI_WORDING = Wording(
    "give one intron (predict scores a file of many)",
    "give its sequence, or a file holding it (5' splice site first, 3' splice site last)",
)


def prog_name() -> str:
    """How the user called the CLI: ``splice-predict`` when installed as that command, else ``python -m splice_core``."""
    return SCRIPT_PROG if Path(sys.argv[0]).name == SCRIPT_PROG else MODULE_PROG


def global_options(after_command: bool = False) -> argparse.ArgumentParser:
    """The options every command takes, before its name or after it.

    After it (``after_command``) an option left out sets nothing, so one given before the name is kept.
    """
    options = argparse.ArgumentParser(add_help=False)
    unset = argparse.SUPPRESS if after_command else None
    options.add_argument(
        "--data-dir",
        type=Path,
        default=unset,
        help="data directory (default: $SPLICE_DATA_DIR or data/)",
    )
    options.add_argument(
        "--verbose",
        action="store_true",
        default=unset if after_command else False,
        help="show TensorFlow's own start-up and device log lines",
    )
    return options


def command(sub, name: str, help: str, example: str) -> argparse.ArgumentParser:
    """A sub-command parser with its help, the global options and an example shown under ``--help``."""
    return sub.add_parser(
        name,
        help=help,
        description=help[0].upper() + help[1:] + ".",
        epilog=f"example:\n  {prog_name()} {example}",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        parents=[global_options(after_command=True)],
    )


class OneLineParser(argparse.ArgumentParser):
    """An argument parser whose every error is one line (the problem, then where the help is), exit status 2."""

    def error(self, message: str):
        """Print the problem on one line and exit 2."""
        self.exit(2, f"error: {message} (see {self.prog} --help)\n")


def bounded(kind: type = int, low: float | None = None, high: float | None = None) -> Callable[[str], float]:
    """An argparse type: the text as ``kind``, refused (one line, exit 2) outside ``low``..``high``."""

    def parse(text: str):
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(
                f"expected {'a whole number' if kind is int else 'a number'}, got {text!r}"
            ) from None
        if (low is not None and value < low) or (high is not None and value > high):
            span = f"at least {low}" if high is None else f"within {low}..{high}"
            raise argparse.ArgumentTypeError(f"must be {span}, got {text}")
        return value

    return parse


def edit_count(text: str) -> int:
    """``--edits``: a whole number within 1 and the design search's most edits."""
    from splice_core.design.search import MAX_EDITS

    return bounded(int, 1, MAX_EDITS)(text)


def design_count(text: str) -> int:
    """``--n``: a whole number within 1 and the most designs one search makes."""
    from splice_core.design.search import MAX_DESIGNS

    return bounded(int, 1, MAX_DESIGNS)(text)


def check_model_option(path: Path | None) -> None:
    """An OSError when a ``--model``-like option names no model folder (None: the default model, not checked)."""
    from splice_core.models.store import check_model_folder

    if path is not None:
        check_model_folder(path)


def check_library(directory: Path | None) -> None:
    """FileNotFoundError, before any training, when the data directory holds no library."""
    from splice_core.data.library import LIBRARY_FILES, data_dir, library_path

    if library_path(directory) is None:
        raise FileNotFoundError(
            f"{data_dir(directory)}: no {' or '.join(LIBRARY_FILES)} in the data directory "
            f"({prog_name()} fetch gets it, or set --data-dir / $SPLICE_DATA_DIR)"
        )


SHARE = bounded(float, 0.0, 1.0)  # an efficiency or a share: 0..1
AT_LEAST_1 = bounded(int, 1)  # a count


def intron_argument(text: str) -> str:
    """The intron of a command-line argument: the sequence itself, or the text of a file holding it."""
    path = Path(text)
    return path.read_text() if len(text) < 4096 and path.is_file() else text


def number_range(text: str, kind=float) -> tuple:
    """``LOW-HIGH`` (or one value) as a (low, high) tuple."""
    low, _, high = text.partition("-")
    try:
        return kind(low), kind(high or low)
    except ValueError as err:
        raise argparse.ArgumentTypeError(f"expected LOW-HIGH, got {text!r}") from err
