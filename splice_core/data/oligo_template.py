"""Which parts of the library's oligo design a model needs to read bare introns, and getting them."""

import os
from collections.abc import Callable

from splice_core.data.contexts import CONTEXTS_NEEDING_TEMPLATE
from splice_core.data.library import DataFileError

WHAT = {
    "template": "the library's oligo design (the library file in the data directory)",
    "reporter": "the reporter transcript (reporter.fa in the data directory)",
}
Loaders = dict[str, Callable[[], object]]


def needed_template_inputs(context: str) -> tuple[str, ...]:
    """The design inputs (``template``, ``reporter``) a model of ``context`` needs for bare introns."""
    if context not in CONTEXTS_NEEDING_TEMPLATE:
        return ()
    return ("template", "reporter") if context == "full" else ("template",)


def template_inputs(context: str, loaders: Loaders) -> dict[str, object]:
    """Keyword arguments ``template`` and ``reporter`` for a model of ``context`` (None where not needed).

    ``loaders`` map each name to a function that returns it, or None or raises DataFileError when it is not
    there; a missing input the model needs raises DataFileError saying what to add.
    """
    out: dict[str, object] = {"template": None, "reporter": None}
    for name in needed_template_inputs(context):
        try:
            value, reason = loaders[name](), ""
        except DataFileError as err:
            value, reason = None, f" ({err})"
        if value is None:
            raise DataFileError(
                f"a {context!r} model needs {WHAT[name]}{reason}: add it, or choose an intron-context model"
            )
        out[name] = value
    return out


def data_dir_loaders(directory: str | os.PathLike | None = None) -> Loaders:
    """Loaders of the design inputs from a data directory (default: ``$SPLICE_DATA_DIR`` or ``data/``)."""
    from splice_core.data.contexts import library_to_template
    from splice_core.data.library import read_library, read_reporter

    return {
        "template": lambda: library_to_template(read_library(directory)),
        "reporter": lambda: read_reporter(directory),
    }
