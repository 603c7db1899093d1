"""Text cells no spreadsheet evaluates (CSV/formula injection, the OWASP rule), in every table this project writes.

A text cell starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is read by spreadsheets as a
formula (``=HYPERLINK(...)`` from an input's ``id`` would come back live). In CSV such a cell gets a leading
``'`` and every text cell is quoted (so a ``;`` inside a cell cannot start a new cell in a locale that splits
on it); in xlsx every text cell is a plain string cell, never a formula. Numbers stay numbers, and text that
is a plain number (``-0.5``) is left as it is.
"""

import csv
import io
import re

import pandas as pd

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
PLAIN_NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")
ESCAPE = "'"


def is_formula_like(text: str) -> bool:
    """True when a spreadsheet would read ``text`` as a formula: it starts with a formula character and is no plain number."""
    return text.startswith(FORMULA_STARTS) and not PLAIN_NUMBER.fullmatch(text)


def defused_text(value):
    """``value`` with a leading ``'`` when it is formula-like text; any other value as it is."""
    return ESCAPE + value if isinstance(value, str) and is_formula_like(value) else value


def defused_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with every formula-like text cell (and column name) escaped; numeric columns untouched."""
    out = frame.copy()
    for column in out.columns:
        if not pd.api.types.is_numeric_dtype(out[column]):
            out[column] = out[column].map(defused_text)
    out.columns = [defused_text(str(c)) for c in out.columns]
    return out


def write_csv(frame: pd.DataFrame, handle, header: bool = True) -> None:
    """Append ``frame`` to an open text file as CSV: formula-like text escaped, every text cell quoted, numbers bare."""
    defused_frame(frame).to_csv(handle, index=False, header=header, quoting=csv.QUOTE_NONNUMERIC)


def csv_text(frame: pd.DataFrame) -> str:
    """``frame`` as CSV text written by :func:`write_csv` (for a download button)."""
    buffer = io.StringIO()
    write_csv(frame, buffer)
    return buffer.getvalue()


def xlsx_cells(sheet, values) -> list:
    """One row of write-only ``sheet`` cells: text as plain strings (never a formula), other values as they are."""
    from openpyxl.cell import WriteOnlyCell

    cells = []
    for value in values:
        cell = WriteOnlyCell(sheet, value)
        if isinstance(value, str):
            cell.data_type = "s"  # openpyxl makes any text starting with '=' a formula
        cells.append(cell)
    return cells
