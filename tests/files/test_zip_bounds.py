"""Hostile workbooks: an .xlsx that would unpack too far is refused from its zip directory, before openpyxl opens it."""

import io
import time
import zipfile

import openpyxl
import pandas as pd
import pytest

from splice_core.data.library import DataFileError, read_table
from splice_core.files import zip_bounds
from splice_core.files.zip_bounds import MAX_WHOLE_BYTES, unpacking_problem
from splice_core.predict.tables import check_input, input_chunks

GOOD = "GTATGTAAAATACTAACTTTTAG"


def workbook() -> bytes:
    """A real small workbook with an intron column."""
    buffer = io.BytesIO()
    pd.DataFrame({"intron": [GOOD, GOOD]}).to_excel(buffer, index=False)
    return buffer.getvalue()


def with_part(book: bytes, part: str, size: int, count: int = 1) -> bytes:
    """``book`` with ``count`` extra parts named from ``part``, each ``size`` bytes of one repeated byte (packed)."""
    buffer = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(book)) as source,
        zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as out,
    ):
        for entry in source.infolist():
            out.writestr(entry, source.read(entry))
        block = b" " * (1 << 20)
        for i in range(count):
            with out.open(part if count == 1 else f"{part}{i}", "w", force_zip64=True) as handle:
                for _ in range(size // len(block)):
                    handle.write(block)
                handle.write(block[: size % len(block)])
    return buffer.getvalue()


@pytest.fixture
def no_openpyxl(monkeypatch):
    """openpyxl's loader replaced by one that fails the test: a refused workbook must never reach it."""

    def refuse(*args, **kwargs):
        raise AssertionError("openpyxl opened a refused workbook")

    monkeypatch.setattr(openpyxl, "load_workbook", refuse)


def test_a_small_workbook_whose_shared_strings_unpack_past_the_bound_is_refused_unread(no_openpyxl):
    bomb = with_part(workbook(), "xl/sharedStrings.xml", MAX_WHOLE_BYTES + (1 << 20))
    assert len(bomb) < 2_000_000  # the upload is small
    start = time.perf_counter()
    with pytest.raises(DataFileError) as info:
        check_input(bomb, "bomb.xlsx")
    assert time.perf_counter() - start < 1.0  # read from the directory, nothing unpacked
    assert str(info.value) == (
        "bomb.xlsx: refused: its part xl/sharedStrings.xml unpacks to 257 MB (at most 256 MB); "
        "a workbook that unpacks this far could exhaust the memory (a zip bomb)"
    )


def test_ratio_count_and_total_are_bounded(monkeypatch):
    ratio = with_part(workbook(), "xl/worksheets/sheet9.xml", 4 << 20)
    assert "unpacks 1,0" in unpacking_problem(io.BytesIO(ratio)) and "(at most 200)" in unpacking_problem(
        io.BytesIO(ratio)
    )
    monkeypatch.setattr(zip_bounds, "MAX_ENTRIES", 20)
    many = with_part(workbook(), "xl/media/x", 10, count=20)
    assert "parts (at most 20)" in unpacking_problem(io.BytesIO(many))
    monkeypatch.setattr(zip_bounds, "MAX_RATIO", 10_000)
    monkeypatch.setattr(zip_bounds, "MAX_TOTAL_BYTES", 3 << 20)
    assert "it unpacks to 4 MB (at most 3 MB)" in unpacking_problem(io.BytesIO(ratio))


def test_a_real_workbook_passes_and_is_left_where_it_was():
    handle = io.BytesIO(workbook())
    handle.seek(3)
    assert unpacking_problem(handle) is None and handle.tell() == 3
    assert unpacking_problem(io.BytesIO(b"not a zip")) is None  # the reader says what it is not
    assert pd.concat(f for f, _ in input_chunks(workbook(), "x.xlsx"))["intron"].tolist() == [GOOD, GOOD]


def test_the_library_reader_bounds_a_workbook_too(tmp_path, no_openpyxl):
    path = tmp_path / "SplicingLibData_SingleIntrons.xlsx"
    path.write_bytes(with_part(workbook(), "xl/sharedStrings.xml", MAX_WHOLE_BYTES + (1 << 20)))
    with pytest.raises(DataFileError, match="sharedStrings.xml unpacks to 257 MB"):
        read_table(path)


def test_the_downloaded_workbook_is_bounded_before_it_is_read(no_openpyxl):
    from splice_core.data.fetch import library_file

    with pytest.raises(DataFileError, match="downloaded SplicingLibData_SingleIntrons.xlsx: refused"):
        library_file(with_part(workbook(), "xl/sharedStrings.xml", MAX_WHOLE_BYTES + (1 << 20)))
