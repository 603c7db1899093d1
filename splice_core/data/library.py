"""Reading and validating the data directory: designed-intron library, wild-type introns, reporter."""

import csv
import hashlib
import os
import re
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from splice_core import CLONE_ROOT
from splice_core.files.zip_bounds import unpacking_problem

LIBRARY_FILES = ("splicing_library.csv", "SplicingLibData_SingleIntrons.xlsx")
WILDTYPE_FILE = "wildtype_introns.csv"
REPORTER_FILE = "reporter.fa"
SITE_OFFSET = 41  # 0-based index in `seq` = site index column + SITE_OFFSET
OLIGO_LENGTH = 230
SS3_LENGTH = 3  # SS3_inds points at the first of the 3' site's three bases (…YAG), the intron's last
TAIL_BYTES = 1 << 16
CUT_OFF_HINT = "; the file may be cut off or edited"
SEQUENCE_COLUMNS = ("seq", "intron_seq")
INDEX_COLUMNS = ("SS5_inds", "branch_inds", "SS3_inds")
TRAINING_COLUMNS = ("type", "BC", "splicing_eff", *SEQUENCE_COLUMNS, *INDEX_COLUMNS)
WILDTYPE_SEQUENCES = ("5'SS", "BP", "3'SS", "sequence")
WILDTYPE_LENGTHS = ("Length (bp)", "BP to 3'SS (bp)")
WILDTYPE_COLUMNS = ("5'SS", "BP", "3'SS", *WILDTYPE_LENGTHS, "sequence")
REPORTER_LENGTHS = {"upstream": 302, "downstream": 1102}
_NON_ACGT = re.compile(r"[^ACGT]")
HISTOGRAM_BINS = np.linspace(
    0, 1, 21
)  # of measured efficiencies: the card's histograms and the Dataset page's


class DataFileError(ValueError):
    """A data file that cannot be used; the message names the file, the row and the problem."""


@dataclass(frozen=True)
class Reporter:
    """Reporter transcript pieces around the oligo: ``upstream + seq[10:221] + downstream``."""

    upstream: str
    downstream: str


def data_dir(path: str | os.PathLike | None = None) -> Path:
    """The data directory: ``path``, else ``$SPLICE_DATA_DIR``, else ``data/`` in the project."""
    if path is not None:
        return Path(path)
    env = os.environ.get("SPLICE_DATA_DIR")
    return Path(env) if env else CLONE_ROOT / "data"


def library_path(directory: str | os.PathLike | None = None) -> Path | None:
    """Path of the library file in the data directory (CSV preferred over xlsx), or None."""
    root = data_dir(directory)
    for name in LIBRARY_FILES:
        if (root / name).is_file():
            return root / name
    return None


def checked_library_dir(directory: str | os.PathLike) -> Path:
    """The library file of a data directory that training needs; DataFileError when it holds none."""
    path = library_path(directory)
    if path is None:
        raise DataFileError(f"{directory}: no library file in the data directory, nothing to train on")
    return path


def file_sha256(path: str | os.PathLike) -> str:
    """Hex SHA-256 of a file's bytes."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def read_sheet(path: Path, sheet: str) -> pd.DataFrame:
    """One sheet of an xlsx workbook as a DataFrame (its unpacked size bounded first)."""
    problem = unpacking_problem(path)
    if problem:
        raise DataFileError(f"{path}: {problem}")
    try:
        with pd.ExcelFile(path) as book:
            names = [str(name) for name in book.sheet_names]
            frame = book.parse(sheet) if sheet in names else None
    except (ValueError, ImportError, KeyError, OSError, zipfile.BadZipFile) as err:
        raise DataFileError(f"{path}: not a readable xlsx workbook ({err})") from err
    if frame is None:
        raise DataFileError(f"{path}: no sheet named '{sheet}' (sheets: {', '.join(names)})")
    return frame


def read_table(path: str | os.PathLike, sheet: str = "Data") -> pd.DataFrame:
    """A CSV, or the ``sheet`` of an xlsx workbook, as a DataFrame."""
    path = Path(path)
    if not path.is_file():
        raise DataFileError(f"{path}: file not found")
    if path.suffix.lower() in (".xlsx", ".xls"):
        return read_sheet(path, sheet)
    try:
        return pd.read_csv(path)
    except (pd.errors.ParserError, UnicodeDecodeError, pd.errors.EmptyDataError) as err:
        raise DataFileError(f"{path}: not a readable CSV ({err})") from err


def row_error(path: str | os.PathLike, row: int, column: str, problem: str) -> DataFileError:
    """A DataFileError naming the file, the 1-based data row (header not counted), the column and the problem."""
    return DataFileError(f"{path}: data row {row + 1}, column {column}: {problem}")


def require_columns(frame: pd.DataFrame, columns: tuple[str, ...], path: str | os.PathLike) -> None:
    """Raise DataFileError naming ``path`` when any of ``columns`` is missing or the table has no rows."""
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise DataFileError(f"{path}: missing column(s) {', '.join(missing)}")
    if frame.empty:
        raise DataFileError(f"{path}: no data rows")


def first_bad_sequence(values: pd.Series) -> tuple[int, str] | None:
    """(row position, problem) of the first value that is not an upper-case ACGT string, or None."""
    text = values.astype(str)
    bad = (
        values.isna().to_numpy() | text.str.contains(_NON_ACGT).to_numpy() | (text.str.len() == 0).to_numpy()
    )
    if not bad.any():
        return None
    row = int(np.flatnonzero(bad)[0])
    value = values.iloc[row]
    if pd.isna(value) or not str(value):
        return row, "empty sequence"
    letter = _NON_ACGT.search(str(value))
    return row, f"non-ACGT letter '{letter.group()}' at position {letter.start() + 1}"


def check_sequences(frame: pd.DataFrame, columns: tuple[str, ...], path: str | os.PathLike) -> None:
    """Raise DataFileError at the first value of ``columns`` that is not an upper-case ACGT string."""
    for column in columns:
        bad = first_bad_sequence(frame[column])
        if bad is not None:
            raise row_error(path, bad[0], column, bad[1])


def check_filled(frame: pd.DataFrame, columns: tuple[str, ...], path: str | os.PathLike) -> None:
    """Raise DataFileError at the first empty cell of ``columns``."""
    for column in columns:
        empty = frame[column].isna().to_numpy() | (frame[column].astype(str).str.strip() == "").to_numpy()
        if empty.any():
            raise row_error(path, int(np.flatnonzero(empty)[0]), column, "empty value")


def check_numbers(
    frame: pd.DataFrame,
    columns: tuple[str, ...],
    path: str | os.PathLike,
    low: float,
    high: float,
    integer: bool = False,
    note: str = "",
) -> None:
    """Raise DataFileError at the first filled value of ``columns`` that is not a number in ``[low, high]``."""
    for column in columns:
        values = pd.to_numeric(frame[column], errors="coerce").to_numpy(float)
        bad = frame[column].notna().to_numpy() & ~((values >= low) & (values <= high))
        if integer:
            bad |= np.isfinite(values) & (values % 1 != 0)
        if bad.any():
            row = int(np.flatnonzero(bad)[0])
            kind = "an integer" if integer else "a number"
            raise row_error(
                path, row, column, f"{frame[column].iloc[row]!s} is not {kind} from {low:g} to {high:g}{note}"
            )


def validate_library(frame: pd.DataFrame, path: str | os.PathLike) -> None:
    """Raise DataFileError for missing columns, empty cells, non-ACGT sequences, bad efficiencies or site indices."""
    require_columns(frame, TRAINING_COLUMNS, path)
    check_filled(frame, ("type", "BC", *INDEX_COLUMNS), path)
    check_sequences(frame, SEQUENCE_COLUMNS, path)
    wrong_length = (frame["seq"].str.len() != OLIGO_LENGTH).to_numpy()
    if wrong_length.any():
        row = int(np.flatnonzero(wrong_length)[0])
        raise row_error(
            path, row, "seq", f"{len(frame['seq'].iloc[row])} nt; library oligos are {OLIGO_LENGTH} nt"
        )
    check_numbers(frame, ("splicing_eff",), path, 0.0, 1.0)
    site_note = f" (seq[index + {SITE_OFFSET}] must lie in the {OLIGO_LENGTH}-nt seq)"
    check_numbers(
        frame, INDEX_COLUMNS, path, -SITE_OFFSET, OLIGO_LENGTH - SITE_OFFSET - 1, integer=True, note=site_note
    )
    check_intron_matches_indices(frame, path)
    if "intron_len" in frame.columns:
        lengths = pd.to_numeric(frame["intron_len"], errors="coerce").to_numpy(float)
        wrong = frame["intron_len"].notna().to_numpy() & (lengths != frame["intron_seq"].str.len().to_numpy())
        if wrong.any():
            row = int(np.flatnonzero(wrong)[0])
            raise row_error(
                path,
                row,
                "intron_len",
                f"{frame['intron_len'].iloc[row]!s} but intron_seq has {len(frame['intron_seq'].iloc[row])} nt{CUT_OFF_HINT}",
            )


def check_intron_matches_indices(frame: pd.DataFrame, path: str | os.PathLike) -> None:
    """Raise DataFileError at the first row whose ``intron_seq`` is not the part of ``seq`` its indices say.

    The intron runs from the 5' site (``SS5_inds``) through the 3' site's last base (``SS3_inds`` + 2).
    """
    ss5 = pd.to_numeric(frame["SS5_inds"]).astype(int) + SITE_OFFSET
    ss3 = pd.to_numeric(frame["SS3_inds"]).astype(int) + SITE_OFFSET
    starts_intron = [s[i:].startswith(t) for s, i, t in zip(frame["seq"], ss5, frame["intron_seq"])]
    if not all(starts_intron):
        row = starts_intron.index(False)
        raise row_error(
            path,
            row,
            "SS5_inds",
            f"seq[{frame['SS5_inds'].iloc[row]!s} + {SITE_OFFSET}:] does not start with intron_seq",
        )
    whole = [s[i : j + SS3_LENGTH] == t for s, i, j, t in zip(frame["seq"], ss5, ss3, frame["intron_seq"])]
    if not all(whole):
        row = whole.index(False)
        expected = ss3.iloc[row] + SS3_LENGTH - ss5.iloc[row]
        raise row_error(
            path,
            row,
            "intron_seq",
            f"{len(frame['intron_seq'].iloc[row])} nt, but SS5_inds and SS3_inds say the intron is seq[{ss5.iloc[row]}:{ss3.iloc[row] + SS3_LENGTH}] "
            f"({expected} nt){CUT_OFF_HINT}",
        )


def check_last_row_complete(path: Path, n_columns: int, n_rows: int) -> None:
    """Raise DataFileError when a CSV's last line has fewer fields than its header: the file was cut off."""
    with open(path, "rb") as handle:
        size = handle.seek(0, os.SEEK_END)
        handle.seek(max(0, size - TAIL_BYTES))
        tail = handle.read().decode("utf-8", "replace")
    lines = [line for line in tail.splitlines() if line.strip()]
    if not lines:
        return
    fields = next(csv.reader([lines[-1]]))
    if len(fields) < n_columns:
        raise DataFileError(
            f"{path}: data row {n_rows} has {len(fields)} of the header's {n_columns} fields: "
            "the file looks cut off (an interrupted download or copy); get it again"
        )


def read_library(path: str | os.PathLike | None = None) -> pd.DataFrame:
    """The validated library (CSV or the authors' xlsx) with ``construct`` and ``usable`` columns added.

    ``path`` is a file or a data directory (default: :func:`data_dir`).
    """
    path = Path(path) if path is not None else data_dir()
    if path.is_dir() or not path.suffix:
        found = library_path(path)
        if found is None:
            raise DataFileError(f"{path}: no {' or '.join(LIBRARY_FILES)} in the data directory")
        path = found
    frame = read_table(path)
    if path.suffix.lower() == ".csv":
        check_last_row_complete(path, len(frame.columns), len(frame))
    validate_library(frame, path)
    frame = frame.reset_index(drop=True)
    frame["splicing_eff"] = pd.to_numeric(frame["splicing_eff"], errors="coerce")
    frame["construct"] = frame["intron_seq"]
    frame["usable"] = frame["splicing_eff"].notna()
    frame.attrs["path"] = str(path)
    frame.attrs["sha256"] = file_sha256(path)
    frame.attrs["n_unusable"] = int((~frame["usable"]).sum())
    return frame


def usable_rows(frame: pd.DataFrame) -> pd.DataFrame:
    """Rows with a measured ``splicing_eff`` (the others cannot be trained on or scored)."""
    return frame[frame["usable"]].reset_index(drop=True)


def read_wildtype(directory: str | os.PathLike | None = None) -> pd.DataFrame:
    """The wild-type S. cerevisiae introns table, validated."""
    path = data_dir(directory) / WILDTYPE_FILE
    frame = read_table(path)
    require_columns(frame, WILDTYPE_COLUMNS, path)
    upper = frame[list(WILDTYPE_SEQUENCES)].apply(lambda c: c.astype(str).str.upper().where(c.notna()))
    check_sequences(upper, WILDTYPE_SEQUENCES, path)
    check_numbers(frame, WILDTYPE_LENGTHS, path, 0, np.inf, integer=True)
    check_filled(frame, WILDTYPE_LENGTHS, path)
    return frame


def iter_fasta_records(lines: Iterable[str], source: str = "FASTA") -> Iterator[tuple[str, str]]:
    """(header, sequence) records of FASTA lines, one at a time, sequence lines joined."""
    name, parts = None, []
    for line in lines:
        line = line.strip()
        if line.startswith(">"):
            if name is not None:
                yield name, "".join(parts)
            name, parts = line[1:].strip(), []
        elif line:
            if name is None:
                raise DataFileError(f"{source}: sequence before the first '>' header")
            parts.append(line)
    if name is not None:
        yield name, "".join(parts)


def fasta_records(text: str, source: str = "FASTA") -> list[tuple[str, str]]:
    """(header, sequence) records of FASTA text, sequence lines joined."""
    return list(iter_fasta_records(text.splitlines(), source))


def read_fasta(path: str | os.PathLike) -> list[tuple[str, str]]:
    """(header, sequence) records of a FASTA file."""
    return fasta_records(Path(path).read_text(), str(path))


def read_reporter(directory: str | os.PathLike | None = None) -> Reporter:
    """The reporter's upstream (302 nt) and downstream (1,102 nt) sequences."""
    path = data_dir(directory) / REPORTER_FILE
    if not path.is_file():
        raise DataFileError(f"{path}: file not found")
    records = read_fasta(path)
    if len(records) != 2:
        raise DataFileError(f"{path}: expected 2 records (upstream, downstream), found {len(records)}")
    pieces = {name: seq.upper() for name, (_, seq) in zip(REPORTER_LENGTHS, records)}
    for index, (name, seq) in enumerate(pieces.items()):
        bad = first_bad_sequence(pd.Series([seq]))
        if bad is not None or len(seq) != REPORTER_LENGTHS[name]:
            problem = bad[1] if bad is not None else f"{len(seq)} nt, expected {REPORTER_LENGTHS[name]}"
            raise DataFileError(f"{path}: record {index + 1} ({name}): {problem}")
    return Reporter(**pieces)
