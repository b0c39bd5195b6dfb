"""Reading the key figures back from each of their forms, for the tests
that check they agree: the reports page (HTML), the PDF (its text, read from
the bytes by pdf_text.py), the JSON and the xlsx (openpyxl)."""

from __future__ import annotations

import html
import io
import json
import re

from homeward.reporting.render import display, figure_tables

from .pdf_text import pdf_text

def canon(text: str) -> str:
    """A value as shown, with numbers compared as numbers ("100.0", "100"
    and "1,234" read back from a spreadsheet cell as 100 and 1234)."""
    plain = text.replace(",", "")
    try:
        number = float(plain)
    except ValueError:
        return text
    return str(int(number)) if number.is_integer() else repr(number)


_ROW = re.compile(r'<tr class="govuk-table__row" data-figure="([^"]+)"><th scope="row" class="govuk-table__header">'
                  r'(.*?)</th><td class="govuk-table__cell govuk-table__cell--numeric" data-value>(.*?)</td>', re.S)


def page_values(content: str) -> dict[str, str]:
    """{figure key: value as shown} from the reports page."""
    found = {key: canon(html.unescape(value).strip()) for key, _, value in _ROW.findall(content)}
    if not found:
        raise AssertionError("no figures on the page")
    return found


def pdf_values(pdf: bytes, figures: dict) -> dict[str, str]:
    """{figure key: the text printed right after the figure's label}, reading
    the PDF's text in order, table by table (so that "From home" of the
    episodes is not taken for "From home" of the children)."""
    text = "\n" + pdf_text(pdf) + "\n"
    position, found = 0, {}
    for table in figure_tables(figures):
        caption = re.compile(r"\n" + re.escape(table["title"]) + r"\nFigure\nValue\nDefinition\n")
        match = caption.search(text, position)
        if match is None:
            raise AssertionError(f"table {table['title']!r} not found in the PDF")
        position = match.end() - 1
        for row in table["rows"]:
            label = r"\s+".join(re.escape(word) for word in row["label"].split())
            match = re.compile(r"\n" + label + r"\n([^\n]+)\n").search(text, position)
            if match is None:
                raise AssertionError(f"{row['key']} ({row['label']!r}) not found in the PDF")
            found[row["key"]] = canon(match.group(1))
            position = match.end() - 1
    return found


def json_values(content: bytes | str) -> dict[str, str]:
    """{figure key: value as the page shows it} from the JSON."""
    figures = json.loads(content)
    return {f"{group}.{key}": canon(display(value)) for group in _groups(figures) for key, value in figures[group].items()}


def _groups(figures: dict) -> list[str]:
    return [t["group"] for t in figure_tables(figures)]


def xlsx_values(content: bytes) -> dict[str, str]:
    """{figure key: value as the page shows it} from every table sheet of the
    workbook (columns Figure, Value, Definition, Key)."""
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(content))
    found = {}
    for sheet in book.worksheets:
        header = [c.value for c in sheet[1]]
        if header[:4] != ["Figure", "Value", "Definition", "Key"]:
            continue
        for label, value, _, key in sheet.iter_rows(min_row=2, max_col=4, values_only=True):
            found[key] = canon(display(value))
    if not found:
        raise AssertionError("no figures in the workbook")
    return found
