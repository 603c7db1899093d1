"""Tests for splice_core.data.fetch with the network replaced: pinned sources, sha256 checks, hand-copy help offline."""

import hashlib
import io
import re
import urllib.error
import urllib.request

import numpy as np
import pandas as pd
import pytest
from conftest import make_library, make_wildtype, random_dna

from splice_core.data import fetch
from splice_core.data.fetch import SOURCES, download, fetch_all, reporter_file, wildtype_file
from splice_core.data.library import (
    LIBRARY_FILES,
    REPORTER_FILE,
    WILDTYPE_FILE,
    DataFileError,
    read_library,
    read_reporter,
    read_wildtype,
)

XLSX_NAME = LIBRARY_FILES[1]


def xlsx_bytes(frame: pd.DataFrame, sheet: str = "Data") -> bytes:
    """``frame`` as an xlsx workbook with one sheet."""
    buffer = io.BytesIO()
    frame.to_excel(buffer, sheet_name=sheet, index=False, engine="openpyxl")
    return buffer.getvalue()


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """``frame`` as CSV bytes."""
    return frame.to_csv(index=False).encode()


def original_wildtype(annotation: pd.DataFrame) -> pd.DataFrame:
    """The wild-type table as its source has it: the annotation columns with RNA-seq columns among them."""
    original = annotation.copy()
    original.insert(len(original.columns) - 1, "Ares Intron Overlap", "Ares intron ")
    original["juex2_cereviu_rapa00_jt902_sacCer3"] = np.linspace(-2, 1, len(original))
    return original


def construct_table(upstream: str, downstream: str, n: int = 6, seed: int = 3) -> pd.DataFrame:
    """A construct table like the source's: ``full_seq`` = upstream + 211 nt of oligo + downstream.

    Every other construct carries another cloning index (the last 8 nt of the upstream piece)."""
    rng = np.random.default_rng(seed)
    rows = []
    for i in range(n):
        up = upstream if i % 2 == 0 else upstream[:-8] + "TGTTGGGA"
        rows.append(
            {
                "type": "synthetic",
                "barcode": random_dna(rng, 12),
                "full_seq": up + random_dna(rng, 211) + downstream,
            }
        )
    return pd.DataFrame(rows)


def toy_originals() -> tuple[dict[str, bytes], pd.DataFrame, pd.DataFrame, tuple[str, str]]:
    """Made-up originals for every source (by file name), and the library, annotation and reporter they hold."""
    rng = np.random.default_rng(5)
    library, annotation = make_library(n_designs=6), make_wildtype(n=5)
    reporter = ("GG" + random_dna(rng, 292) + "AACATCTA", random_dna(rng, 1102))
    originals = {
        XLSX_NAME: xlsx_bytes(library),
        WILDTYPE_FILE: csv_bytes(original_wildtype(annotation)),
        REPORTER_FILE: csv_bytes(construct_table(*reporter)),
    }
    return originals, library, annotation, reporter


def pin_toy_sums(monkeypatch, originals: dict[str, bytes]) -> None:
    """Pin each source to the sha256 of what fetch derives from the made-up original (the mechanism under test)."""
    for name, source in SOURCES.items():
        digest = hashlib.sha256(source.derive(originals[name])).hexdigest()
        monkeypatch.setitem(SOURCES, name, fetch.Source(source.repo, source.path, source.derive, digest))


def fake_download(originals: dict[str, bytes], calls: list):
    """A stand-in for :func:`fetch.download` that answers with the original whose source URL was asked for."""
    by_url = {SOURCES[name].urls[0]: payload for name, payload in originals.items()}

    def download_stub(urls: list[str], timeout: float = 60) -> bytes:
        calls.append(urls[0])
        return by_url[urls[0]]

    return download_stub


def test_sources_are_pinned_commits():
    for _name, source in SOURCES.items():
        for url in source.urls:
            assert re.search(r"/[0-9a-f]{40}/", url), url
            assert "/master/" not in url and "/main/" not in url
            assert url.endswith(source.path)
    assert all(re.fullmatch(r"[0-9a-f]{64}", source.sha256) for source in SOURCES.values())
    assert SOURCES[XLSX_NAME].sha256 == "9d2a4b19c0d8d054b599d357e8ba12607cab34ba8267a6e90802fc8a8e069f88"


def test_a_workbook_that_is_not_the_authors_is_refused(tmp_path, monkeypatch):
    """Made-up bytes that pass every column check are still not the pinned workbook: refused, nothing written."""
    workbook = xlsx_bytes(make_library(n_designs=3))
    for other in (WILDTYPE_FILE, REPORTER_FILE):
        (tmp_path / other).write_text("present")
    monkeypatch.setattr(fetch, "download", lambda urls, timeout=60: workbook)
    with pytest.raises(DataFileError) as info:
        fetch_all(tmp_path)
    assert f"{XLSX_NAME}: sha256 {hashlib.sha256(workbook).hexdigest()} is not the pinned" in str(info.value)
    assert SOURCES[XLSX_NAME].sha256 in str(info.value)
    assert not (tmp_path / XLSX_NAME).exists() and not list(tmp_path.glob(".*.part"))


def test_no_network_gives_hand_copy_help(tmp_path, monkeypatch):
    def offline(*args, **kwargs):
        raise urllib.error.URLError("Temporary failure in name resolution")

    monkeypatch.setattr(urllib.request, "urlopen", offline)
    target = tmp_path / "data"
    with pytest.raises(DataFileError) as info:
        fetch_all(target)
    message = str(info.value)
    assert "copy the files by hand" in message
    assert str(target) in message
    assert "Temporary failure in name resolution" in message
    assert "SPLICE_DATA_DIR" in message
    assert list(target.iterdir()) == []


def test_download_tries_every_url(monkeypatch):
    tried = []

    def urlopen(url, timeout):
        tried.append(url)
        raise urllib.error.URLError("down")

    monkeypatch.setattr(urllib.request, "urlopen", urlopen)
    with pytest.raises(urllib.error.URLError):
        download(["http://a.invalid/x", "http://b.invalid/x"])
    assert tried == ["http://a.invalid/x", "http://b.invalid/x"]


def test_fetch_writes_checked_files_including_the_reporter(tmp_path, monkeypatch):
    originals, library, annotation, reporter = toy_originals()
    pin_toy_sums(monkeypatch, originals)
    calls = []
    monkeypatch.setattr(fetch, "download", fake_download(originals, calls))
    written = fetch_all(tmp_path)
    assert written == [tmp_path / XLSX_NAME, tmp_path / WILDTYPE_FILE, tmp_path / REPORTER_FILE]
    assert calls == [SOURCES[name].urls[0] for name in (XLSX_NAME, WILDTYPE_FILE, REPORTER_FILE)]
    assert (tmp_path / XLSX_NAME).read_bytes() == originals[XLSX_NAME]
    assert len(read_library(tmp_path)) == len(library)
    pd.testing.assert_frame_equal(
        read_wildtype(tmp_path), annotation, check_like=True
    )  # RNA-seq columns dropped
    assert (read_reporter(tmp_path).upstream, read_reporter(tmp_path).downstream) == reporter
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([XLSX_NAME, WILDTYPE_FILE, REPORTER_FILE])
    calls.clear()
    assert fetch_all(tmp_path) == []  # present files are not downloaded again
    assert calls == []


def test_existing_csv_library_is_not_downloaded(tmp_path, monkeypatch):
    originals, *_ = toy_originals()
    pin_toy_sums(monkeypatch, originals)
    calls = []
    monkeypatch.setattr(fetch, "download", fake_download(originals, calls))
    make_library(n_designs=3).to_csv(tmp_path / LIBRARY_FILES[0], index=False)
    assert fetch_all(tmp_path) == [tmp_path / WILDTYPE_FILE, tmp_path / REPORTER_FILE]
    assert calls == [SOURCES[WILDTYPE_FILE].urls[0], SOURCES[REPORTER_FILE].urls[0]]


def test_a_file_that_is_not_the_pinned_one_is_refused(tmp_path, monkeypatch):
    originals, *_ = toy_originals()
    pin_toy_sums(monkeypatch, originals)
    changed = original_wildtype(make_wildtype(n=5, seed=9))
    monkeypatch.setattr(
        fetch, "download", fake_download({**originals, WILDTYPE_FILE: csv_bytes(changed)}, [])
    )
    with pytest.raises(DataFileError) as info:
        fetch_all(tmp_path)
    assert f"{WILDTYPE_FILE}: sha256" in str(info.value) and SOURCES[WILDTYPE_FILE].sha256 in str(info.value)
    assert sorted(p.name for p in tmp_path.iterdir()) == [XLSX_NAME]  # the good file before it was kept


@pytest.mark.parametrize(
    ("name", "payload", "problem"),
    [
        (XLSX_NAME, b"<html>rate limited</html>", "cannot be read"),
        (XLSX_NAME, xlsx_bytes(make_library(n_designs=3), sheet="Index"), "cannot be read"),
        (XLSX_NAME, xlsx_bytes(make_library(n_designs=3).drop(columns=["seq"])), "missing column(s) seq"),
        (WILDTYPE_FILE, csv_bytes(make_wildtype(n=3).drop(columns=["BP"])), "missing column(s) BP"),
        (WILDTYPE_FILE, b"", "cannot be read"),
        (REPORTER_FILE, b"type,full_seq\nsynthetic,ACGT\n", "no full-length construct"),
        (REPORTER_FILE, b"<html>not found</html>", "cannot be read"),
    ],
)
def test_bad_downloads_are_refused_and_not_written(tmp_path, monkeypatch, name, payload, problem):
    for other in SOURCES:
        if other != name:
            (tmp_path / other).write_text("present")
    monkeypatch.setattr(fetch, "download", lambda urls, timeout=60: payload)
    with pytest.raises(DataFileError) as info:
        fetch_all(tmp_path)
    assert name in str(info.value) or problem.startswith("no full-length")
    assert problem in str(info.value)
    assert not (tmp_path / name).exists()


def test_pinned_sums_are_those_of_the_shared_data(real_data_dir):
    """What fetch derives reproduces the shared data's wild-type table and reporter byte for byte (pinned sha256).

    The originals are not here; tables laid out like them are built from the shared files themselves."""
    annotation = (real_data_dir / WILDTYPE_FILE).read_bytes()
    derived = wildtype_file(csv_bytes(original_wildtype(pd.read_csv(io.BytesIO(annotation)))))
    assert derived == annotation
    assert hashlib.sha256(derived).hexdigest() == SOURCES[WILDTYPE_FILE].sha256
    shared = read_reporter(real_data_dir)
    derived = reporter_file(csv_bytes(construct_table(shared.upstream, shared.downstream)))
    assert derived == (real_data_dir / REPORTER_FILE).read_bytes()
    assert hashlib.sha256(derived).hexdigest() == SOURCES[REPORTER_FILE].sha256
