"""Tests for splice_core.fetch with the network replaced: failures give hand-copy help, downloads are verified."""
import io
import urllib.error
import urllib.request

import pandas as pd
import pytest

from conftest import make_library, make_wildtype
from splice_core import fetch
from splice_core.fetch import SOURCES, download, fetch_all, verify
from splice_core.library import LIBRARY_FILES, REPORTER_FILE, WILDTYPE_FILE, DataFileError, read_library, read_wildtype

XLSX_NAME = LIBRARY_FILES[1]


def xlsx_bytes(frame: pd.DataFrame, sheet: str = "Data") -> bytes:
    """``frame`` as an xlsx workbook with one sheet."""
    buffer = io.BytesIO()
    frame.to_excel(buffer, sheet_name=sheet, index=False, engine="openpyxl")
    return buffer.getvalue()


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """``frame`` as CSV bytes."""
    return frame.to_csv(index=False).encode()


def fake_download(payloads: dict[str, bytes], calls: list):
    """A stand-in for :func:`fetch.download` that answers by file name."""
    def download_stub(urls: list[str], timeout: float = 60) -> bytes:
        calls.append(urls[0])
        return next(payload for name, payload in payloads.items() if urls[0].endswith(name))
    return download_stub


def write_reporter(directory) -> None:
    """A made-up reporter.fa."""
    (directory / REPORTER_FILE).write_text(">up\n" + "A" * 302 + "\n>down\n" + "C" * 1102 + "\n")


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


def test_fetch_writes_verified_files(tmp_path, monkeypatch):
    library, wildtype = make_library(n_designs=6), make_wildtype(n=5)
    calls = []
    payloads = {XLSX_NAME: xlsx_bytes(library), WILDTYPE_FILE: csv_bytes(wildtype)}
    monkeypatch.setattr(fetch, "download", fake_download(payloads, calls))
    write_reporter(tmp_path)
    written = fetch_all(tmp_path)
    assert written == [tmp_path / XLSX_NAME, tmp_path / WILDTYPE_FILE]
    assert calls == [SOURCES[XLSX_NAME][0], SOURCES[WILDTYPE_FILE][0]]
    assert (tmp_path / XLSX_NAME).read_bytes() == payloads[XLSX_NAME]
    assert len(read_library(tmp_path)) == len(library)
    pd.testing.assert_frame_equal(read_wildtype(tmp_path), wildtype)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([XLSX_NAME, WILDTYPE_FILE, REPORTER_FILE])
    calls.clear()
    assert fetch_all(tmp_path) == []  # present files are not downloaded again
    assert calls == []


def test_existing_csv_library_is_not_downloaded(tmp_path, monkeypatch):
    calls = []
    monkeypatch.setattr(fetch, "download", fake_download({WILDTYPE_FILE: csv_bytes(make_wildtype(n=3))}, calls))
    make_library(n_designs=3).to_csv(tmp_path / LIBRARY_FILES[0], index=False)
    write_reporter(tmp_path)
    assert fetch_all(tmp_path) == [tmp_path / WILDTYPE_FILE]
    assert calls == [SOURCES[WILDTYPE_FILE][0]]


def test_missing_reporter_is_named(tmp_path, monkeypatch):
    payloads = {XLSX_NAME: xlsx_bytes(make_library(n_designs=3)), WILDTYPE_FILE: csv_bytes(make_wildtype(n=3))}
    monkeypatch.setattr(fetch, "download", fake_download(payloads, []))
    with pytest.raises(DataFileError, match="reporter.fa is missing"):
        fetch_all(tmp_path)
    assert (tmp_path / WILDTYPE_FILE).is_file()  # what could be downloaded was kept


@pytest.mark.parametrize(
    ("name", "payload", "problem"),
    [
        (XLSX_NAME, b"<html>rate limited</html>", "cannot be read"),
        (XLSX_NAME, xlsx_bytes(make_library(n_designs=3), sheet="Index"), "cannot be read"),
        (XLSX_NAME, xlsx_bytes(make_library(n_designs=3).drop(columns=["seq"])), "missing column(s) seq"),
        (WILDTYPE_FILE, csv_bytes(make_wildtype(n=3).drop(columns=["BP"])), "missing column(s) BP"),
        (WILDTYPE_FILE, b"", "cannot be read"),
    ],
)
def test_verify_rejects_bad_downloads(name, payload, problem):
    with pytest.raises(DataFileError) as info:
        verify(name, payload)
    assert name in str(info.value)
    assert problem in str(info.value)


def test_bad_download_is_not_written(tmp_path, monkeypatch):
    monkeypatch.setattr(fetch, "download", fake_download({XLSX_NAME: b"<html>not found</html>"}, []))
    with pytest.raises(DataFileError, match="cannot be read"):
        fetch_all(tmp_path)
    assert list(tmp_path.iterdir()) == []
