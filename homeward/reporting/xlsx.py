"""The key figures as an Excel workbook (openpyxl): one sheet per table of
figures, each figure with its value and its definition beside it, a sheet of
every definition, and a first sheet saying what the figures are (authority,
period, filters, suppression, notes).

Numbers are written as numbers, a withheld or empty figure as an empty cell,
and a suppressed count as its marker ("<5", text). Every text cell is guarded
against formula injection: text that a spreadsheet would read as a formula
(starting with =, +, -, @, a tab or a line break) is written with a leading
apostrophe, and as text, never as a formula. Names come from the data (an
authority, a provider), so this matters.
"""

from __future__ import annotations

import io
import re

from .definitions import definition_of
from .render import PERIOD_DEFINITIONS, figure_tables, title_and_period

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")
# Characters Excel does not allow in a sheet's name, and its length limit.
_SHEET_BAD = re.compile(r"[\[\]:*?/\\]")
SHEET_NAME_MAX = 31


def safe_text(value: str) -> str:
    """Text that no spreadsheet will take for a formula (and without the
    control characters a workbook cannot hold)."""
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    text = ILLEGAL_CHARACTERS_RE.sub("", str(value))
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def sheet_name(title: str, taken: set[str]) -> str:
    base = _SHEET_BAD.sub(" ", title).strip()[:SHEET_NAME_MAX] or "Sheet"
    name, n = base, 2
    while name.lower() in taken:
        suffix = f" ({n})"
        name = base[:SHEET_NAME_MAX - len(suffix)] + suffix
        n += 1
    taken.add(name.lower())
    return name


def _put(sheet, row: int, column: int, value):
    """Write one cell: numbers as numbers, None as empty, anything else as
    guarded text."""
    cell = sheet.cell(row=row, column=column)
    if value is None:
        return cell
    if isinstance(value, bool):
        value = "yes" if value else "no"
    if isinstance(value, (int, float)):
        cell.value = value
        return cell
    cell.value = safe_text(value)
    cell.data_type = "s"
    return cell


def render_xlsx(figures: dict, *, groups: list[str] | None = None, authority_name: str | None = None,
                service_name: str = "Homeward", filters_described: list[str] | None = None) -> bytes:
    """The workbook, as bytes. `groups` (figure groups such as "episodes")
    keeps only those tables (a table downloaded on its own)."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    bold = Font(bold=True)
    wrap = Alignment(wrap_text=True, vertical="top")
    tables = [t for t in figure_tables(figures) if groups is None or t["group"] in groups]
    if groups is not None and not tables:
        raise ValueError(f"no such table: {', '.join(groups)}")
    definitions = figures.get("definitions") or {}
    title, period = title_and_period(figures, authority_name)
    book = Workbook()
    taken: set[str] = set()

    about = book.active
    about.title = sheet_name("About these figures", taken)
    lines = [
        (title, None),
        ("Period", period),
        ("authority", figures.get("authority")),
        ("from", figures.get("from")),
        ("to", figures.get("to")),
    ]
    for name, value in (figures.get("filters") or {}).items():
        lines.append((f"filter: {name}", value))
    for phrase in filters_described or []:
        lines.append(("Filtered", phrase))
    suppression = figures.get("suppression")
    if suppression:
        lines.append(("Small numbers suppressed", suppression["rule"]))
    for note in figures.get("notes") or []:
        lines.append(("Note", note))
    lines.append(("Made by", f"{service_name}. Every figure is counted by the definitions beside it (and on the "
                             "Definitions sheet); --to is exclusive: the period ends as that day begins."))
    for row, (label, value) in enumerate(lines, start=1):
        _put(about, row, 1, label).font = bold
        if value is not None:
            _put(about, row, 2, value).alignment = wrap
        if label in PERIOD_DEFINITIONS:
            _put(about, row, 3, PERIOD_DEFINITIONS[label]).alignment = wrap
    about.column_dimensions["A"].width = 26
    about.column_dimensions["B"].width = 90
    about.column_dimensions["C"].width = 60

    for table in tables:
        sheet = book.create_sheet(sheet_name(table["title"], taken))
        for column, heading in enumerate(("Figure", "Value", "Definition", "Key"), start=1):
            _put(sheet, 1, column, heading).font = bold
        for row, item in enumerate(table["rows"], start=2):
            _put(sheet, row, 1, item["label"])
            _put(sheet, row, 2, item["raw"])
            _put(sheet, row, 3, item["definition"]).alignment = wrap
            _put(sheet, row, 4, item["key"])
        sheet.freeze_panes = "A2"
        for column, width in (("A", 42), ("B", 12), ("C", 90), ("D", 40)):
            sheet.column_dimensions[column].width = width

    sheet = book.create_sheet(sheet_name("Definitions", taken))
    for column, heading in enumerate(("Key", "Figure", "Definition"), start=1):
        _put(sheet, 1, column, heading).font = bold
    row = 2
    for table in tables:
        for item in table["rows"]:
            _put(sheet, row, 1, item["key"])
            _put(sheet, row, 2, item["label"])
            _put(sheet, row, 3, definition_of(item["key"], definitions)).alignment = wrap
            row += 1
    sheet.freeze_panes = "A2"
    for column, width in (("A", 40), ("B", 42), ("C", 100)):
        sheet.column_dimensions[column].width = width

    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
