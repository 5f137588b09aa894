"""CSV as the site writes it: every CSV file under ``data/`` is made here, by one function.

The files are UTF-8 with a byte-order mark (so that spreadsheet programs read the dashes
and accents correctly), with RFC 4180 quoting and line ends.

A spreadsheet runs a cell that begins with ``=``, ``+``, ``-``, ``@``, a tab or a carriage
return as a formula (``=HYPERLINK(...)`` can send a reader's data elsewhere; DDE formulas
such as ``+cmd|...`` can start programs), and the text of a cell comes from content that
anyone may propose. So, by OWASP's rule for CSV injection, a text cell that begins with one
of them is written with a single quote before it, and quoted. Numbers are written as they
are (a negative number is not a formula), so a text's only way into a cell is as text.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

#: What a spreadsheet takes as the start of a formula (OWASP, "CSV Injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
#: What marks a text that would otherwise start like a formula.
PREFIX = "'"
#: The byte-order mark every CSV file starts with.
BOM = "\ufeff".encode()

#: A cell: text, a number, or nothing (an empty cell).
Cell = str | int | None


def neutralise(text: str) -> str:
    """The text as a cell shows it safely: with a single quote before it if a spreadsheet
    would otherwise run it as a formula."""
    return PREFIX + text if text.startswith(FORMULA_STARTS) else text


def _field(cell: Cell) -> str:
    # Written here rather than by the csv module, which quotes every text or only those that
    # need it, not chosen ones; the quoting itself is RFC 4180's (tests read it back with
    # the csv module).
    if cell is None:
        return ""
    if isinstance(cell, bool) or not isinstance(cell, int | str):
        raise TypeError(f"a CSV cell is text, a whole number or None, not {cell!r}")
    if isinstance(cell, int):
        return str(cell)
    formula = cell.startswith(FORMULA_STARTS)
    if formula or any(c in cell for c in '",\r\n'):
        return '"' + (PREFIX if formula else "") + cell.replace('"', '""') + '"'
    return cell


def csv_rows(rows: Iterable[Sequence[Cell]]) -> bytes:
    """Rows of a CSV file, without its byte-order mark (for files made in parts)."""
    # A line with nothing on it is no row at all to a reader: a row of one empty cell is
    # written as a quoted empty text, as the csv module does.
    return "".join(('""' if len(row) == 1 and row[0] in (None, "")
                    else ",".join(_field(cell) for cell in row)) + "\r\n"
                   for row in rows).encode()


def csv_file(header: Sequence[str], rows: Iterable[Sequence[Cell]]) -> bytes:
    """A whole CSV file: the byte-order mark, the header and the rows."""
    return BOM + csv_rows([header, *rows])
