"""Reading and validating the data directory: designed-intron library, wild-type introns, reporter."""
import hashlib
import os
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

LIBRARY_FILES = ("splicing_library.csv", "SplicingLibData_SingleIntrons.xlsx")
WILDTYPE_FILE = "wildtype_introns.csv"
REPORTER_FILE = "reporter.fa"
SITE_OFFSET = 41  # 0-based index in `seq` = site index column + SITE_OFFSET
OLIGO_LENGTH = 230
SEQUENCE_COLUMNS = ("seq", "intron_seq")
INDEX_COLUMNS = ("SS5_inds", "branch_inds", "SS3_inds")
TRAINING_COLUMNS = ("type", "BC", "splicing_eff", *SEQUENCE_COLUMNS, *INDEX_COLUMNS)
WILDTYPE_COLUMNS = ("5'SS", "BP", "3'SS", "Length (bp)", "BP to 3'SS (bp)", "sequence")
_NON_ACGT = re.compile(r"[^ACGT]")


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
    return Path(env) if env else Path(__file__).resolve().parent.parent / "data"


def library_path(directory: str | os.PathLike | None = None) -> Path | None:
    """Path of the library file in the data directory (CSV preferred over xlsx), or None."""
    root = data_dir(directory)
    for name in LIBRARY_FILES:
        if (root / name).is_file():
            return root / name
    return None


def file_sha256(path: str | os.PathLike) -> str:
    """Hex SHA-256 of a file's bytes."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def read_table(path: str | os.PathLike, sheet: str = "Data") -> pd.DataFrame:
    """A CSV, or the ``sheet`` of an xlsx workbook, as a DataFrame."""
    path = Path(path)
    if not path.is_file():
        raise DataFileError(f"{path}: file not found")
    if path.suffix.lower() in (".xlsx", ".xls"):
        try:
            return pd.read_excel(path, sheet_name=sheet)
        except ValueError as err:
            raise DataFileError(f"{path}: no sheet named '{sheet}' ({err})") from err
    try:
        return pd.read_csv(path)
    except (pd.errors.ParserError, UnicodeDecodeError, pd.errors.EmptyDataError) as err:
        raise DataFileError(f"{path}: not a readable CSV ({err})") from err


def require_columns(frame: pd.DataFrame, columns: tuple[str, ...], path: str | os.PathLike) -> None:
    """Raise DataFileError naming ``path`` when any of ``columns`` is missing."""
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise DataFileError(f"{path}: missing column(s) {', '.join(missing)}")


def first_bad_sequence(values: pd.Series) -> tuple[int, str] | None:
    """(row position, problem) of the first value that is not an upper-case ACGT string, or None."""
    text = values.astype(str)
    bad = values.isna().to_numpy() | text.str.contains(_NON_ACGT).to_numpy() | (text.str.len() == 0).to_numpy()
    if not bad.any():
        return None
    row = int(np.flatnonzero(bad)[0])
    value = values.iloc[row]
    if pd.isna(value) or not str(value):
        return row, "empty sequence"
    letter = _NON_ACGT.search(str(value))
    return row, f"non-ACGT letter '{letter.group()}' at position {letter.start() + 1}"


def validate_library(frame: pd.DataFrame, path: str | os.PathLike) -> None:
    """Raise DataFileError for missing columns, non-ACGT sequences or site indices outside ``seq``."""
    require_columns(frame, TRAINING_COLUMNS, path)
    for column in SEQUENCE_COLUMNS:
        bad = first_bad_sequence(frame[column])
        if bad is not None:
            raise DataFileError(f"{path}: row {bad[0] + 1}, column {column}: {bad[1]}")
    indices = frame[list(INDEX_COLUMNS)].apply(pd.to_numeric, errors="coerce").to_numpy()
    starts = indices + SITE_OFFSET
    lengths = frame["seq"].str.len().to_numpy()[:, None]
    bad = np.isnan(indices) | (starts < 0) | (starts >= lengths)
    intron_start = starts[:, 0]
    mismatch = ~bad[:, 0] & ~np.array(
        [s[int(i):].startswith(t) for s, i, t in zip(frame["seq"], np.nan_to_num(intron_start), frame["intron_seq"])]
    )
    bad[:, 0] |= mismatch
    if bad.any():
        row, col = map(int, np.argwhere(bad)[0])
        raise DataFileError(
            f"{path}: row {row + 1}, column {INDEX_COLUMNS[col]}: bad site index "
            f"{frame[INDEX_COLUMNS[col]].iloc[row]!r} (seq[index + {SITE_OFFSET}:] must lie in seq"
            + (" and start with intron_seq)" if col == 0 else ")")
        )


def read_library(path: str | os.PathLike | None = None) -> pd.DataFrame:
    """The validated library (CSV or the authors' xlsx) with ``design`` and ``usable`` columns added.

    ``path`` is a file or a data directory (default: :func:`data_dir`).
    """
    path = Path(path) if path is not None else data_dir()
    if path.is_dir() or not path.suffix:
        found = library_path(path)
        if found is None:
            raise DataFileError(f"{path}: no {' or '.join(LIBRARY_FILES)} in the data directory")
        path = found
    frame = read_table(path)
    validate_library(frame, path)
    frame = frame.reset_index(drop=True)
    frame["splicing_eff"] = pd.to_numeric(frame["splicing_eff"], errors="coerce")
    frame["design"] = frame["intron_seq"]
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
    for column in ("5'SS", "BP", "3'SS", "sequence"):
        bad = first_bad_sequence(frame[column].astype(str).str.upper())
        if bad is not None:
            raise DataFileError(f"{path}: row {bad[0] + 1}, column {column}: {bad[1]}")
    return frame


def fasta_records(text: str, source: str = "FASTA") -> list[tuple[str, str]]:
    """(header, sequence) records of FASTA text, sequence lines joined."""
    records: list[tuple[str, list[str]]] = []
    for line in text.splitlines():
        line = line.strip()
        if line.startswith(">"):
            records.append((line[1:].strip(), []))
        elif line:
            if not records:
                raise DataFileError(f"{source}: sequence before the first '>' header")
            records[-1][1].append(line)
    return [(name, "".join(parts)) for name, parts in records]


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
    return Reporter(upstream=records[0][1].upper(), downstream=records[1][1].upper())
