"""Tables of introns in and out: CSV/xlsx tables or FASTA read in chunks (encoding, delimiter and intron column told
from the file), and scored or plain tables written complete or not at all (CSV, xlsx, FASTA)."""

import codecs
import contextlib
import io
import os
import zipfile
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd

from splice_core.data.library import DataFileError, iter_fasta_records
from splice_core.files.formula_cells import defused_text, write_csv, xlsx_cells
from splice_core.files.path_checks import check_input_path, check_output_file
from splice_core.files.zip_bounds import unpacking_problem

INTRON_COLUMNS = ("intron_seq", "intron", "sequence")  # matched in any case, surrounding spaces ignored
DELIMITERS = (",", ";", "\t")  # of a CSV (or a .txt table), told from its header line
SNIFF_BYTES = (
    65_536  # the start of a file read to tell its encoding, its delimiter, or whether a .txt file is FASTA
)
NOT_TEXT = "not a text table or FASTA"
MEASURED_COLUMN = "splicing_eff"
FASTA_SUFFIXES = (".fa", ".fasta", ".fna", ".txt")
INPUT_SUFFIXES = (*FASTA_SUFFIXES, ".csv", ".xlsx")
OUTPUT_FORMATS = {".csv": "csv", ".xlsx": "xlsx", ".fa": "fasta", ".fasta": "fasta", ".fna": "fasta"}
TABLE_FORMATS = {".csv": "csv", ".xlsx": "xlsx"}  # tables that are not scored introns (scan, design)
XLSX_MAX_ROWS = 1_048_575  # Excel's sheet limit, less the header row
# MB an uploaded file may have (.streamlit/config.toml's server.maxUploadSize): about 1,300,000 introns of CSV;
# the upload is held in memory while it streams, and 1,000,000 rows streamed at 813 MB peak.
UPLOAD_LIMIT_MB = 200
CHUNK_ROWS = 5_000  # rows read, scored and written at a time: ~15 MB of one-hot input, frequent progress
Source = str | os.PathLike | bytes


def input_kind(name: str) -> str:
    """``fasta``, ``csv`` or ``xlsx`` from a file name's suffix; DataFileError for any other suffix."""
    suffix = Path(name).suffix.lower()
    if suffix in FASTA_SUFFIXES:
        return "fasta"
    if suffix in (".csv", ".xlsx"):
        return suffix[1:]
    raise DataFileError(
        f"{name}: unknown file type {suffix or '(no suffix)'!r}; use one of {', '.join(INPUT_SUFFIXES)}"
    )


def suffixes_named(formats: dict[str, str]) -> str:
    """The suffixes of ``formats`` for a message, one group per format: ``.csv, .xlsx or .fa/.fasta/.fna``."""
    groups = ["/".join(s for s in formats if formats[s] == f) for f in dict.fromkeys(formats.values())]
    return ", ".join(groups[:-1]) + (" or " if len(groups) > 1 else "") + groups[-1]


def output_format(path: str | os.PathLike, formats: dict[str, str] = OUTPUT_FORMATS) -> str:
    """The format (``csv``, ``xlsx``, ``fasta``) ``formats`` gives an output path's suffix; ValueError for any other."""
    suffix = Path(path).suffix.lower()
    if suffix not in formats:
        raise ValueError(
            f"{path}: cannot write {suffix or 'a file without a suffix'!r}; name it {suffixes_named(formats)}"
        )
    return formats[suffix]


def checked_output(path: str | os.PathLike, formats: dict[str, str] = OUTPUT_FORMATS) -> str:
    """The output's format; ValueError for a suffix not in ``formats``, an OSError when it cannot be written there."""
    format_ = output_format(path, formats)
    check_output_file(path)
    return format_


def check_input_file(path: str | os.PathLike) -> None:
    """Raise, in the user's terms, for an input path that cannot be scored: missing, a folder, or as :func:`check_input`."""
    check_input_path(path)
    check_input(path)


def check_input(source: "Source", name: str | None = None) -> None:
    """Raise DataFileError for an input that cannot be scored: of an unknown type, unreadable, or without a row.

    Reads up to its first row (the header, the intron column, the encoding of the start are checked), so it
    answers at once for any size, before a model loads.
    """
    for frame, _ in input_chunks(source, name, chunk_rows=1):
        if len(frame):
            break


def open_binary(source: Source) -> io.BufferedIOBase:
    """A binary file object over a path or the file's bytes."""
    return io.BytesIO(source) if isinstance(source, bytes) else open(source, "rb")


def source_size(handle) -> int:
    """Size in bytes of an open binary file (at least 1)."""
    position = handle.tell()
    size = handle.seek(0, io.SEEK_END)
    handle.seek(position)
    return max(size, 1)


def file_head(handle) -> bytes:
    """The first :data:`SNIFF_BYTES` of an open binary file, left where it was."""
    position = handle.tell()
    head = handle.read(SNIFF_BYTES)
    handle.seek(position)
    return head


def first_line(handle, encoding: str = "utf-8") -> str:
    """The first non-blank line within the first :data:`SNIFF_BYTES` of an open binary file, left where it was."""
    head = file_head(handle).decode(encoding, errors="ignore")  # a character cut at the end is dropped
    return next((line.strip() for line in head.splitlines() if line.strip()), "")


def text_encoding(head: bytes, name: str) -> str:
    """The encoding of a text input from its first bytes (UTF-8, with or without a BOM, or UTF-16).

    DataFileError when it is no text: NUL bytes outside UTF-16, or bytes that are not UTF-8.
    """
    if head.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        raise DataFileError(f"{name}: UTF-32 text is not read; save it as UTF-8 (or UTF-16)")
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if b"\0" in head:
        even, odd = head[0::2], head[1::2]
        if odd and odd.count(0) > 0.9 * len(odd) and even.count(0) == 0:
            return "utf-16-le"
        if even and even.count(0) > 0.9 * len(even) and odd.count(0) == 0:
            return "utf-16-be"
        raise DataFileError(f"{name}: {NOT_TEXT} (it holds binary data)")
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=len(head) < SNIFF_BYTES)
    except UnicodeDecodeError as err:
        raise DataFileError(f"{name}: {not_utf8(err, at_start=True)}") from err
    return "utf-8"


def not_utf8(err: UnicodeDecodeError, at_start: bool = False) -> str:
    """What an undecodable byte means for an input: it is no text table or FASTA (in UTF-8 or UTF-16)."""
    byte = err.object[err.start : err.start + 1].hex()
    where = f" at {err.start + 1:,}" if at_start else ""
    return f"{NOT_TEXT}: byte 0x{byte}{where} is not {err.encoding.upper()} text (save it as UTF-8)"


def delimiter_of(header: str) -> str:
    """The delimiter of a table's header line: the most frequent of comma, semicolon and tab (a comma on a tie)."""
    counts = [header.count(d) for d in DELIMITERS]
    return DELIMITERS[counts.index(max(counts))]


def content_kind(name: str, first: str) -> str:
    """The input's kind by its suffix, except that a .txt file whose first line is no FASTA header is a table."""
    kind = input_kind(name)
    return "csv" if Path(name).suffix.lower() == ".txt" and first and not first.startswith(">") else kind


def matching_column(columns, names: tuple[str, ...]) -> str | None:
    """The first column whose name is one of ``names`` in any case, surrounding spaces ignored (None if none)."""
    keys = {}
    for column in columns:
        keys.setdefault(str(column).strip().lower(), column)
    return next((keys[n] for n in names if n in keys), None)


def columns_named(columns, width: int = 30) -> str:
    """A table's column names for a message, each cut to ``width`` characters."""
    names = [str(c) if len(str(c)) <= width else str(c)[: width - 1] + "…" for c in columns]
    return ", ".join(repr(n) for n in names) or "none"


def csv_chunks(
    handle, chunk_rows: int, sep: str, encoding: str = "utf-8"
) -> Iterator[tuple[pd.DataFrame, float]]:
    """(rows, fraction of the file read) of a CSV separated by ``sep``, ``chunk_rows`` rows at a time.

    With semicolons, a decimal comma is read too (as spreadsheets in many locales write it).
    """
    size = source_size(handle)
    decimal = "," if sep == ";" else "."
    with pd.read_csv(handle, sep=sep, decimal=decimal, chunksize=chunk_rows, encoding=encoding) as reader:
        for frame in reader:
            yield frame, min(handle.tell() / size, 1.0)


def fasta_chunks(
    handle, name: str, chunk_rows: int, encoding: str = "utf-8"
) -> Iterator[tuple[pd.DataFrame, float]]:
    """(``id``/``intron_seq`` rows, fraction of the file read) of a FASTA file, ``chunk_rows`` records at a time."""
    size = source_size(handle)
    text = io.TextIOWrapper(handle, encoding=encoding)  # strict: a byte that is no text stops the read
    records, start = [], 0
    for record in iter_fasta_records(text, name):
        records.append(record)
        if len(records) == chunk_rows:
            yield (
                pd.DataFrame(records, columns=["id", "intron_seq"], index=range(start, start + len(records))),
                min(handle.tell() / size, 1.0),
            )
            records, start = [], start + len(records)
    if records:
        yield (
            pd.DataFrame(records, columns=["id", "intron_seq"], index=range(start, start + len(records))),
            1.0,
        )


def xlsx_chunks(handle, name: str, chunk_rows: int) -> Iterator[tuple[pd.DataFrame, float]]:
    """(rows, fraction of the sheet read) of an xlsx sheet (``Data`` when present, else the first), streamed."""
    import openpyxl

    problem = unpacking_problem(handle)  # before openpyxl unpacks anything
    if problem:
        raise DataFileError(f"{name}: {problem}")
    book = openpyxl.load_workbook(handle, read_only=True, data_only=True)
    try:
        sheet = book["Data"] if "Data" in book.sheetnames else book.worksheets[0]
        rows = sheet.iter_rows(values_only=True)
        header = [str(h) for h in next(rows, ())]
        total = max((sheet.max_row or 1) - 1, 1)
        block, start = [], 0
        for row in rows:
            block.append(row)
            if len(block) == chunk_rows:
                yield (
                    pd.DataFrame(block, columns=header, index=range(start, start + len(block))),
                    min((start + len(block)) / total, 1.0),
                )
                block, start = [], start + len(block)
        if block:
            yield pd.DataFrame(block, columns=header, index=range(start, start + len(block))), 1.0
    finally:
        book.close()


def kind_chunks(handle, name: str, chunk_rows: int) -> Iterator[tuple[pd.DataFrame, float]]:
    """The chunks of an open input by its kind (FASTA, CSV or xlsx), its text encoding told from its first bytes."""
    if input_kind(name) == "xlsx":
        if not file_head(handle).startswith(b"PK"):
            raise DataFileError(f"{name}: not an xlsx workbook (an xlsx file is a zip)")
        return xlsx_chunks(handle, name, chunk_rows)
    head = file_head(handle)
    encoding = text_encoding(head, name)
    first = first_line(handle, encoding)
    if not first:
        raise DataFileError(f"{name}: the file is empty")
    if content_kind(name, first) == "fasta":
        return fasta_chunks(handle, name, chunk_rows, encoding)
    return csv_chunks(handle, chunk_rows, delimiter_of(first), encoding)


def input_chunks(
    source: Source, name: str | None = None, chunk_rows: int = CHUNK_ROWS
) -> Iterator[tuple[pd.DataFrame, float]]:
    """The input's rows in order, in chunks (the row index runs on across chunks), with the fraction read so far.

    ``source`` is a path or the file's bytes (``name`` then gives the type). Raises DataFileError for a file that
    cannot be read, has no rows, or has no intron column.
    """
    name = str(name or source)
    input_kind(name)  # an unknown suffix fails before the file is opened
    any_rows = False
    with open_binary(source) as handle:
        try:
            chunks = kind_chunks(handle, name, chunk_rows)
            for frame, fraction in chunks:
                if not any_rows and matching_column(frame.columns, INTRON_COLUMNS) is None:
                    raise DataFileError(
                        f"{name}: needs an intron column ({' or '.join(INTRON_COLUMNS)}, in any case) or FASTA "
                        f"records; found the columns {columns_named(frame.columns)}"
                    )
                any_rows = any_rows or len(frame) > 0
                yield frame, fraction
        except DataFileError:
            raise
        except UnicodeDecodeError as err:
            raise DataFileError(f"{name}: {not_utf8(err)}") from err
        except (
            ValueError,
            KeyError,
            OSError,
            zipfile.BadZipFile,
            pd.errors.ParserError,
        ) as err:
            raise DataFileError(f"{name}: cannot read the file ({err})") from err
    if not any_rows:
        raise DataFileError(f"{name}: no rows to score (the file holds only a header, or nothing)")


def intron_column(frame: pd.DataFrame) -> pd.Series:
    """The first intron column present in a batch table (names matched as :func:`matching_column` does)."""
    return frame[matching_column(frame.columns, INTRON_COLUMNS)]


class ScoredWriter:
    """Writes a table's chunks to ``path`` in the format its suffix names, into a temporary file moved in at the end.

    ``formats``: the suffixes taken (FASTA needs scored introns; :data:`TABLE_FORMATS` for any other table).
    """

    def __init__(self, path: str | os.PathLike, formats: dict[str, str] = OUTPUT_FORMATS):
        self.path = Path(path)
        self.format = checked_output(self.path, formats)
        self.partial = self.path.with_name(f".{self.path.name}.partial")
        self.rows = 0
        self.book = self.sheet = self.handle = None
        if self.format == "xlsx":
            import openpyxl

            self.book = openpyxl.Workbook(write_only=True)
            self.sheet = self.book.create_sheet("Predictions")
        else:
            self.handle = open(self.partial, "w", encoding="utf-8", newline="")  # noqa: SIM115 - a streamed writer, closed by close()

    def write(self, scored: pd.DataFrame) -> None:
        """Append one scored chunk."""
        if self.format == "csv":
            write_csv(scored, self.handle, header=self.rows == 0)
        elif self.format == "fasta":
            self.handle.write(fasta_text(scored))
        else:
            if self.rows + len(scored) > XLSX_MAX_ROWS:
                raise ValueError(
                    f"{self.path}: an xlsx sheet holds at most {XLSX_MAX_ROWS:,} rows; write .csv for more"
                )
            if self.rows == 0:
                self.sheet.append(xlsx_cells(self.sheet, [str(c) for c in scored.columns]))
            for row in scored.astype(object).where(scored.notna(), None).itertuples(index=False):
                self.sheet.append(xlsx_cells(self.sheet, row))
        self.rows += len(scored)

    def close(self) -> None:
        """Finish the file and move it to its name."""
        if self.book is not None:
            self.book.save(self.partial)
        else:
            self.handle.close()
        os.replace(self.partial, self.path)

    def abandon(self, err: BaseException) -> None:
        """Drop the unfinished file after ``err``; an OSError naming no file (a full disk) is given the output's name."""
        self.discard()
        if isinstance(err, OSError) and err.filename is None:
            err.filename = str(self.path)

    def discard(self) -> None:
        """Drop the unfinished file."""
        if self.handle is not None:
            with contextlib.suppress(OSError):  # closing flushes, and a full disk fails that again
                self.handle.close()
        self.partial.unlink(missing_ok=True)


def write_table(
    table: pd.DataFrame, path: str | os.PathLike, formats: dict[str, str] = TABLE_FORMATS
) -> None:
    """Write a whole table to ``path`` (CSV or a real xlsx workbook by its suffix): complete, or not at all."""
    writer = ScoredWriter(path, formats)
    try:
        writer.write(table)
        writer.close()
    except BaseException as err:
        writer.abandon(err)
        raise


def header_text(text) -> str:
    """Text for one FASTA header line: line breaks (which would start a new line of the file) made spaces."""
    return " ".join(("" if pd.isna(text) else str(text)).splitlines())


def header_note(name: str, text) -> str:
    """`` name="text"`` for a FASTA header (double quotes in the text made single), or nothing for no text."""
    text = header_text(text)
    return f' {name}="{text.replace(chr(34), chr(39))}"' if text else ""


def fasta_text(scored: pd.DataFrame) -> str:
    """Scored rows as FASTA: the id (else ``row<N>``), the scores, the interval and any warning or reason the model is
    guessing in the header, the sequence below."""
    ids = (
        scored["id"].astype(str)
        if "id" in scored.columns
        else pd.Series([f"row{i + 1}" for i in scored.index], index=scored.index)
    )
    lines = []
    for name, seq, eff, sd, low, high, guessing, error, warning in zip(
        ids,
        intron_column(scored),
        scored["predicted_eff"],
        scored["predicted_sd"],
        scored["interval_low"],
        scored["interval_high"],
        scored["guessing"],
        scored["error"],
        scored["warning"],
    ):
        scores = (
            f"predicted_eff={eff:.4f} predicted_sd={sd:.4f}"
            if np.isfinite(eff)
            else f"error={header_text(error)}"
        )
        if np.isfinite(eff) and np.isfinite(low):
            scores += f" interval={low:.4f}-{high:.4f}"
        sequence = "" if pd.isna(seq) else defused_text(header_text(seq))  # an unscored row's text, as given
        notes = header_note("guessing", guessing) + header_note("warning", warning)
        lines.append(f">{header_text(name)} {scores}{notes}\n{sequence}\n")
    return "".join(lines)
