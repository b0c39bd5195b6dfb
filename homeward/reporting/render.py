"""The key figures as JSON, CSV, HTML, PDF or xlsx, each figure with its
definition, and small-number suppression for published output (contract.md:
`--suppress N`).

The PDF is the HTML page laid out by WeasyPrint with a print stylesheet
(homeward.reporting.pdf.render_pdf; docs/decisions/0007-pdf-from-html.md):
one document, so the page and the PDF cannot disagree. The xlsx is xlsx.py.
"""

from __future__ import annotations

import copy
import csv
import io
import json
from datetime import date, timedelta

from django.template.loader import render_to_string

from .definitions import GROUPS, definition_of, label_of

FORMATS = ("json", "csv", "html", "pdf", "xlsx")
# Formats that are bytes, not text.
BINARY_FORMATS = ("pdf", "xlsx")
CONTENT_TYPES = {
    "json": "application/json",
    "csv": "text/csv; charset=utf-8",
    "html": "text/html; charset=utf-8",
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
# The print stylesheet added to the HTML page for the PDF (a static file, so
# that the reports page can offer it too).
PRINT_STYLESHEET = "homeward/reports-print.css"

# Context rows that are not figures.
PERIOD_DEFINITIONS = {
    "authority": "The local authority (DfE code) the figures are for, or 'all' for every authority together.",
    "from": "The first day of the period (Europe/London).",
    "to": "The day after the last day of the period (exclusive: the period ends as this day begins).",
}
FILTER_DEFINITION = "A filter: only the episodes that match it are counted (see the note)."

# Figures that are not counts: never replaced by the marker.
# Rates are withheld (null) when a count they are computed from is withheld.
RATE_INPUTS: dict[str, tuple[str, ...]] = {
    "looked_after.went_missing_percent": ("looked_after.went_missing", "looked_after.children"),
    "looked_after.episodes_per_child": ("looked_after.episodes", "looked_after.children"),
}
NOT_COUNTS = frozenset({"duration_hours.median", *RATE_INPUTS})


def figure_groups(figures: dict) -> list[str]:
    """The grouped figure keys present, in the order they are shown."""
    known = [name for name, _ in GROUPS if isinstance(figures.get(name), dict)]
    extra = [k for k, v in figures.items()
             if isinstance(v, dict) and k not in known and k not in ("definitions", "suppression", "filters")]
    return known + extra


def figure_rows(figures: dict) -> list[tuple[str, object]]:
    """Every figure as (dotted key, value), in the order shown."""
    rows = []
    for group in figure_groups(figures):
        for key, value in figures[group].items():
            rows.append((f"{group}.{key}", value))
    return rows


# --- suppression ------------------------------------------------------------------


def suppression_rule(threshold: int) -> str:
    return (
        f"Counts from 1 to {threshold - 1} are shown as \"<{threshold}\" so that no child can be identified; "
        f"0 and counts of {threshold} or more are shown exactly. The period and the median duration are not "
        "counts and are shown. A rate computed from a withheld count is withheld too (null in JSON, empty in "
        "CSV and HTML). Totals are not adjusted, so a withheld count can sometimes be worked out from others."
    )


def apply_suppression(figures: dict, threshold: int) -> dict:
    """A copy of the figures with every count from 1 to threshold-1 replaced
    by the marker "<threshold", rates from a replaced count withheld (None),
    and a "suppression" entry saying so."""
    if int(threshold) < 2:
        raise ValueError("the suppression threshold must be 2 or more")
    threshold = int(threshold)
    marker = f"<{threshold}"
    out = copy.deepcopy(figures)
    withheld: set[str] = set()
    for group in figure_groups(out):
        values = out[group]
        for key, value in list(values.items()):
            dotted = f"{group}.{key}"
            if dotted in NOT_COUNTS or isinstance(value, bool) or not isinstance(value, int):
                continue
            if 1 <= value < threshold:
                values[key] = marker
                withheld.add(dotted)
    withheld_rates = []
    for rate_key, inputs in RATE_INPUTS.items():
        group, key = rate_key.split(".", 1)
        if key in out.get(group, {}) and any(i in withheld for i in inputs):
            if out[group][key] is not None:
                withheld_rates.append(rate_key)
            out[group][key] = None
    out["suppression"] = {"threshold": threshold, "rule": suppression_rule(threshold)}
    if withheld_rates:
        out.setdefault("notes", []).append(
            "Withheld because a count they are computed from is below the suppression threshold: "
            + ", ".join(withheld_rates) + "."
        )
    return out


# --- formats ----------------------------------------------------------------------


def render_json(figures: dict) -> str:
    return json.dumps(figures, indent=2, ensure_ascii=False) + "\n"


def _csv_value(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return repr(value)
    return str(value)


def render_csv(figures: dict) -> str:
    """One row per figure: figure,value,definition (the period first, then
    the figures, then the suppression rule and any notes)."""
    definitions = figures.get("definitions") or {}
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["figure", "value", "definition"])
    for key in ("authority", "from", "to"):
        if key in figures:
            writer.writerow([key, figures[key], PERIOD_DEFINITIONS[key]])
    for key, value in (figures.get("filters") or {}).items():
        writer.writerow([f"filters.{key}", value, FILTER_DEFINITION])
    for key, value in figure_rows(figures):
        writer.writerow([key, _csv_value(value), definition_of(key, definitions)])
    suppression = figures.get("suppression")
    if suppression:
        writer.writerow(["suppression.threshold", suppression["threshold"], suppression["rule"]])
    for note in figures.get("notes") or []:
        writer.writerow(["note", note, ""])
    return buffer.getvalue()


def _display(value) -> str:
    if value is None:
        return "–"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        return f"{value:,}"
    return str(value)


def _long_date(day: date) -> str:
    return f"{day.day} {day.strftime('%B %Y')}"


def display(value) -> str:
    """A figure as people read it (thousands separated, "–" for none)."""
    return _display(value)


def title_and_period(figures: dict, authority_name: str | None = None) -> tuple[str, str]:
    """("Key figures: Kent (886)", "1 April 2024 to 31 March 2025")."""
    start = date.fromisoformat(figures["from"])
    last = date.fromisoformat(figures["to"]) - timedelta(days=1)
    code = figures.get("authority", "")
    if code == "all":
        who = "All authorities"
    else:
        who = f"{authority_name} ({code})" if authority_name else f"Authority {code}"
    return f"Key figures: {who}", f"{_long_date(start)} to {_long_date(last)}"


def figure_tables(figures: dict) -> list[dict]:
    """The figures as tables, one per group, in the order shown: {"group",
    "title", "rows": [{"key", "label", "value" (as shown), "raw", "definition",
    "rowspan"}]}. A listed group (months, numbers of episodes) has one
    definition, printed beside its first row and spanning the others."""
    definitions = figures.get("definitions") or {}
    titles = dict(GROUPS)
    tables = []
    for group in figure_groups(figures):
        rows = []
        values = figures[group]
        group_definition = definitions.get(group)
        for i, (key, value) in enumerate(values.items()):
            dotted = f"{group}.{key}"
            rows.append({
                "key": dotted,
                "label": label_of(dotted),
                "value": _display(value),
                "raw": value,
                "definition": group_definition if group_definition else definition_of(dotted, definitions),
                # a listed group shows its one definition beside all its rows
                "rowspan": len(values) if group_definition and i == 0 else (1 if not group_definition else 0),
            })
        tables.append({"group": group, "title": titles.get(group, group.replace("_", " ").capitalize()),
                       "rows": rows})
    return tables


def render_html(figures: dict, *, authority_name: str | None = None, service_name: str = "Homeward") -> str:
    """A standalone page (no external assets): a table per group, each figure
    with its definition beside it."""
    title, period = title_and_period(figures, authority_name)
    context = {
        "service_name": service_name,
        "title": title,
        "period": period,
        "figures": figures,
        "tables": figure_tables(figures),
        "suppression": figures.get("suppression"),
        "notes": figures.get("notes") or [],
    }
    return render_to_string("reporting/kpis.html", context)


def print_stylesheet() -> str:
    """The CSS that lays the HTML page out for print (A4, page numbers,
    table headings repeated on every page)."""
    from django.contrib.staticfiles import finders

    path = finders.find(PRINT_STYLESHEET)
    if not path:  # pragma: no cover - the file ships with Homeward
        raise FileNotFoundError(PRINT_STYLESHEET)
    with open(path, encoding="utf-8") as handle:
        return handle.read()


def render_pdf_document(figures: dict, *, authority_name: str | None = None, service_name: str = "Homeward") -> bytes:
    """The PDF: the HTML of render_html with the print stylesheet."""
    from .pdf import render_pdf

    html = render_html(figures, authority_name=authority_name, service_name=service_name)
    return render_pdf(html, stylesheets=[print_stylesheet()])


def render(figures: dict, fmt: str, **kwargs) -> str | bytes:
    """The figures in a format: text for json, csv and html; bytes for pdf
    and xlsx."""
    if fmt == "json":
        return render_json(figures)
    if fmt == "csv":
        return render_csv(figures)
    if fmt == "html":
        return render_html(figures, **kwargs)
    if fmt == "pdf":
        return render_pdf_document(figures, **kwargs)
    if fmt == "xlsx":
        from .xlsx import render_xlsx

        return render_xlsx(figures, **kwargs)
    raise ValueError(f"unknown format {fmt!r}: choose one of {', '.join(FORMATS)}")
