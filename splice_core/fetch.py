"""Downloading the original data files from their public sources into the data directory."""
import io
import os
import urllib.error
import urllib.request
from pathlib import Path

import pandas as pd

from .library import (
    LIBRARY_FILES,
    REPORTER_FILE,
    WILDTYPE_COLUMNS,
    WILDTYPE_FILE,
    DataFileError,
    data_dir,
    require_columns,
    validate_library,
)

SOURCES = {
    LIBRARY_FILES[1]: [
        f"https://raw.githubusercontent.com/DvirSchirman/SplicingLib/{branch}/analysis/Data/SplicingLibData_SingleIntrons.xlsx"
        for branch in ("master", "main")
    ],
    WILDTYPE_FILE: [
        f"https://raw.githubusercontent.com/ramyarangan/cs230_project/{branch}/data/wildtype_introns.csv"
        for branch in ("master", "main")
    ],
}
NO_NETWORK_HELP = (
    "Could not download {name}: {reason}.\n"
    "Without internet, copy the files by hand into {directory}:\n"
    "  - SplicingLibData_SingleIntrons.xlsx (GitHub DvirSchirman/SplicingLib, analysis/Data/) or splicing_library.csv\n"
    "  - wildtype_introns.csv (GitHub ramyarangan/cs230_project, data/)\n"
    "  - reporter.fa (two records: upstream 302 nt, downstream 1,102 nt of the reporter transcript)\n"
    "or point SPLICE_DATA_DIR at a directory that has them."
)


def download(urls: list[str], timeout: float = 60) -> bytes:
    """The bytes of the first URL that answers; raises the last error when none does."""
    error: Exception | None = None
    for url in urls:
        try:
            with urllib.request.urlopen(url, timeout=timeout) as response:
                return response.read()
        except (urllib.error.URLError, TimeoutError, OSError) as err:
            error = err
    raise error if error else ValueError("no URL given")


def verify(name: str, payload: bytes) -> None:
    """Raise DataFileError unless ``payload`` parses and passes the checks :func:`read_library` makes."""
    is_library = name.endswith(".xlsx")
    try:
        frame = pd.read_excel(io.BytesIO(payload), sheet_name="Data") if is_library else pd.read_csv(io.BytesIO(payload))
    except Exception as err:  # noqa: BLE001 - whatever the parser says, the download is unusable
        raise DataFileError(f"{name}: the downloaded file cannot be read ({err})") from err
    if is_library:
        validate_library(frame, f"downloaded {name}")
    else:
        require_columns(frame, WILDTYPE_COLUMNS, f"downloaded {name}")


def fetch_all(directory=None) -> list[Path]:
    """Download, verify and write every source file not already present; returns the paths written."""
    root = data_dir(directory)
    root.mkdir(parents=True, exist_ok=True)
    written = []
    for name, urls in SOURCES.items():
        target = root / name
        if target.exists() or (name == LIBRARY_FILES[1] and (root / LIBRARY_FILES[0]).exists()):
            continue
        try:
            payload = download(urls)
        except Exception as err:  # noqa: BLE001 - every network failure gets the same help text
            raise DataFileError(NO_NETWORK_HELP.format(name=name, reason=err, directory=root)) from err
        verify(name, payload)
        partial = target.with_name(f".{name}.part")
        partial.write_bytes(payload)
        os.replace(partial, target)
        written.append(target)
    if not (root / REPORTER_FILE).exists():
        raise DataFileError(
            f"{root / REPORTER_FILE} is missing: the reporter transcript has no single public file; "
            "copy reporter.fa from the project's shared data or derive it from cs230_project's full_seq column."
        )
    return written
