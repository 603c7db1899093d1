"""Downloading the data files from pinned commits of their public sources, each checked against a sha256."""

import hashlib
import io
import os
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from splice_core.data.contexts import FULL_LENGTH, FULL_SLICE
from splice_core.data.library import (
    LIBRARY_FILES,
    REPORTER_FILE,
    REPORTER_LENGTHS,
    WILDTYPE_COLUMNS,
    WILDTYPE_FILE,
    DataFileError,
    data_dir,
    require_columns,
    validate_library,
)
from splice_core.files.zip_bounds import unpacking_problem

LIBRARY_REPO = ("DvirSchirman/SplicingLib", "cb3f3318372669f2436947b8133abeebccac9cbc")
# ramyarangan/cs230_project, since renamed splice_predictor (its README is still titled cs230_project)
ANNOTATION_REPO = ("ramyarangan/splice_predictor", "3715f197b04271edd17b87b56278b94efc62a59e")
WILDTYPE_ANNOTATION = (
    "Chromosome",
    "Start",
    "End",
    "Strand",
    "Length (bp)",
    "5'SS to BP (bp)",
    "BP to 3'SS (bp)",
    "type",
    "5'SS",
    "BP",
    "3'SS",
    "Expanded 5'SS",
    "Conservation 5'SS",
    "Expanded BP",
    "Conservation BP",
    "Expanded 3'SS",
    "Conservation 3'SS",
    "Total Junction Counts",
    "Gene",
    "sequence",
)
CLONING_INDEX = "AACATCTA"  # the last 8 nt of the upstream reporter in most constructs
REPORTER_HEADERS = {
    "upstream": f"upstream reporter sequence (302 nt); its last 8 nt are the cloning index, {CLONING_INDEX} for most "
    "constructs (other indices seen: TGTTGGGA, AAGCCATG, GCTAAAGA)",
    "downstream": "downstream reporter sequence (1102 nt)",
}
FASTA_WIDTH = 80


def library_file(payload: bytes) -> bytes:
    """The authors' workbook as downloaded, once its unpacked size and its ``Data`` sheet pass the checks."""
    problem = unpacking_problem(io.BytesIO(payload))
    if problem:
        raise DataFileError(f"downloaded {LIBRARY_FILES[1]}: {problem}")
    validate_library(pd.read_excel(io.BytesIO(payload), sheet_name="Data"), f"downloaded {LIBRARY_FILES[1]}")
    return payload


def wildtype_file(payload: bytes) -> bytes:
    """The annotation columns of the wild-type intron table (its RNA-seq columns are dropped), as CSV."""
    frame = pd.read_csv(io.BytesIO(payload))
    require_columns(frame, WILDTYPE_COLUMNS, f"downloaded {WILDTYPE_FILE}")
    return frame[[c for c in WILDTYPE_ANNOTATION if c in frame]].to_csv(index=False).encode()


def fasta_text(records: dict[str, str]) -> str:
    """FASTA of ``{header: sequence}``, lines of 80 nt."""
    lines = []
    for header, sequence in records.items():
        lines.append(f">{header}")
        lines += [sequence[i : i + FASTA_WIDTH] for i in range(0, len(sequence), FASTA_WIDTH)]
    return "\n".join(lines) + "\n"


def reporter_file(payload: bytes) -> bytes:
    """reporter.fa from a construct table whose ``full_seq`` is upstream + ``seq[10:221]`` + downstream.

    The pieces are the most common ones among the full-length constructs with the usual cloning index.
    """
    frame = pd.read_csv(io.BytesIO(payload), usecols=["full_seq"])
    full = frame["full_seq"].dropna().str.upper()
    up = REPORTER_LENGTHS["upstream"]
    full = full[(full.str.len() == FULL_LENGTH) & (full.str[up - len(CLONING_INDEX) : up] == CLONING_INDEX)]
    if full.empty:
        raise DataFileError(
            f"no full-length construct with the cloning index {CLONING_INDEX} in the downloaded table"
        )
    down = up + FULL_SLICE.stop - FULL_SLICE.start
    pieces = {"upstream": full.str[:up].mode()[0], "downstream": full.str[down:].mode()[0]}
    return fasta_text({REPORTER_HEADERS[name]: seq for name, seq in pieces.items()}).encode()


@dataclass(frozen=True)
class Source:
    """One data file: its original (repository, pinned commit, path), how fetch derives the file it writes, and
    the sha256 of that file (for the authors' workbook, written as downloaded: the original's own sum)."""

    repo: tuple[str, str]
    path: str
    derive: Callable[[bytes], bytes]
    sha256: str

    @property
    def urls(self) -> list[str]:
        """The original at its pinned commit, from GitHub's raw host, then from github.com."""
        name, commit = self.repo
        return [
            f"https://raw.githubusercontent.com/{name}/{commit}/{self.path}",
            f"https://github.com/{name}/raw/{commit}/{self.path}",
        ]


SOURCES = {
    LIBRARY_FILES[1]: Source(
        LIBRARY_REPO,
        "analysis/Data/SplicingLibData_SingleIntrons.xlsx",
        library_file,
        "9d2a4b19c0d8d054b599d357e8ba12607cab34ba8267a6e90802fc8a8e069f88",  # 3,558,803 bytes
    ),
    WILDTYPE_FILE: Source(
        ANNOTATION_REPO,
        "data/wildtype_introns.csv",
        wildtype_file,
        "1b9208124b7aca907953d558bb48a33a41fb83aa02366cf518c609afbb4e3365",
    ),
    REPORTER_FILE: Source(
        ANNOTATION_REPO,
        "data/splicing_data_sample.csv",
        reporter_file,
        "1d2f9eb213dc15c0ffc4c0160db42b8f048e29a04a2f88e00ad8f642b358962b",
    ),
}
NO_NETWORK_HELP = (
    "Could not download {name}: {reason}.\n"
    "Without internet, copy the files by hand into {directory}:\n"
    "  - SplicingLibData_SingleIntrons.xlsx (GitHub DvirSchirman/SplicingLib, analysis/Data/) or splicing_library.csv\n"
    "  - wildtype_introns.csv (GitHub ramyarangan/splice_predictor, formerly cs230_project, data/)\n"
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


def sha256(payload: bytes) -> str:
    """The hex sha256 of ``payload``."""
    return hashlib.sha256(payload).hexdigest()


def checked_file(name: str, payload: bytes) -> bytes:
    """The file to write for a downloaded original: derived, checked, and matching its pinned sha256."""
    source = SOURCES[name]
    try:
        written = source.derive(payload)
    except DataFileError:
        raise
    except Exception as err:
        raise DataFileError(f"{name}: the downloaded file cannot be read ({err})") from err
    if sha256(written) != source.sha256:
        raise DataFileError(
            f"{name}: sha256 {sha256(written)} is not the pinned {source.sha256} "
            f"({source.repo[0]}@{source.repo[1][:10]}, {source.path}); nothing was written"
        )
    return written


def present(root: Path, name: str) -> bool:
    """True when the data directory already has the file (for the library: the CSV or the workbook)."""
    return (root / name).exists() or (name == LIBRARY_FILES[1] and (root / LIBRARY_FILES[0]).exists())


def fetch_all(directory=None) -> list[Path]:
    """Download, check and write every data file not already present; returns the paths written."""
    root = data_dir(directory)
    root.mkdir(parents=True, exist_ok=True)
    written = []
    for name, source in SOURCES.items():
        if present(root, name):
            continue
        try:
            payload = download(source.urls)
        except Exception as err:
            raise DataFileError(NO_NETWORK_HELP.format(name=name, reason=err, directory=root)) from err
        target = root / name
        partial = target.with_name(f".{name}.part")
        partial.write_bytes(checked_file(name, payload))
        os.replace(partial, target)
        written.append(target)
    return written
