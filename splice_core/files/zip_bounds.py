"""What a zip container (an .xlsx workbook) may unpack to, checked from its directory before any reader opens it.

An .xlsx is a zip: a small upload whose ``xl/sharedStrings.xml`` unpacks to gigabytes would be read whole by
openpyxl. The directory's sizes are binding (Python's zipfile, which openpyxl and pandas read through, stops
an entry at its stated size and fails its checksum), so checking them bounds what any later read unpacks.
"""

import zipfile

MIB = 1 << 20
MAX_ENTRIES = 10_000  # a workbook holds a few dozen parts
MAX_ENTRY_BYTES = 1024 * MIB  # one sheet of Excel's 1,048,576 rows of a few columns stays well within this
MAX_WHOLE_BYTES = 256 * MIB  # parts openpyxl reads whole (shared strings, styles), not streamed
MAX_TOTAL_BYTES = 2048 * MIB
MAX_RATIO = 200  # unpacked over packed size; spreadsheets' XML packs 5 to 50 times, a zip bomb about 1,000
RATIO_FROM_BYTES = MIB  # small parts may pack any amount (an empty sheet's XML packs 20 times)
STREAMED_PARTS = "xl/worksheets/"


def size_text(n_bytes: int) -> str:
    """A byte count for a message, in MB."""
    return f"{n_bytes / MIB:,.0f} MB" if n_bytes >= MIB else f"{n_bytes:,} bytes"


def entry_problem(entry: zipfile.ZipInfo) -> str | None:
    """Why one zip entry unpacks to too much, or None."""
    limit = MAX_ENTRY_BYTES if entry.filename.startswith(STREAMED_PARTS) else MAX_WHOLE_BYTES
    if entry.file_size > limit:
        return (
            f"its part {entry.filename} unpacks to {size_text(entry.file_size)} (at most {size_text(limit)})"
        )
    ratio = entry.file_size / max(entry.compress_size, 1)
    if entry.file_size > RATIO_FROM_BYTES and ratio > MAX_RATIO:
        return f"its part {entry.filename} unpacks {ratio:,.0f} times its packed size (at most {MAX_RATIO})"
    return None


def zip_problem(entries: list[zipfile.ZipInfo]) -> str | None:
    """Why a zip's entries unpack to too much (count, an entry's size or ratio, the total), or None."""
    if len(entries) > MAX_ENTRIES:
        return f"it holds {len(entries):,} parts (at most {MAX_ENTRIES:,})"
    total = sum(e.file_size for e in entries)
    if total > MAX_TOTAL_BYTES:
        return f"it unpacks to {size_text(total)} (at most {size_text(MAX_TOTAL_BYTES)})"
    return next((p for p in map(entry_problem, entries) if p), None)


def unpacking_problem(source) -> str | None:
    """Why the zip at ``source`` (a path or a binary file, left where it was) unpacks to too much, or None.

    A file that is no zip at all has no such problem: the reader that opens it says what it is not.
    """
    position = source.tell() if hasattr(source, "tell") else None
    try:
        with zipfile.ZipFile(source) as archive:
            problem = zip_problem(archive.infolist())
    except zipfile.BadZipFile:
        problem = None
    finally:
        if position is not None:
            source.seek(position)
    return (
        problem
        and f"refused: {problem}; a workbook that unpacks this far could exhaust the memory (a zip bomb)"
    )
