"""Small charts as SVG, drawn on the server, for pages and PDFs alike.

Three kinds: columns (one series, or grouped: this period against the same
period last year), horizontal bars (long category names), and lines. Each
returns one `<svg>` element that:

- is an image to assistive technology (`role="img"`), named by its `<title>`
  and described by its `<desc>` (`aria-labelledby` both);
- uses presentation attributes only (`fill`, `stroke`, `font-size`, ...),
  never a `style` attribute or element, so it passes the pages' strict
  Content-Security-Policy;
- scales with its container (`viewBox`; the width and height are the
  intrinsic size);
- carries each value drawn in `data-series`, `data-category` and
  `data-value`, so that tests (and scripts) can check it against the data
  table that always follows a chart.

Values are whole numbers of 0 or more, `None` (no figure: nothing drawn,
"–" shown) or a string: a count withheld by small-number suppression (for
example "<5"), drawn as no bar with the marker written where the bar would
start, never as zero or as a guess.

Colours are the Government Analysis Function's accessible palette (dark blue
and turquoise: each at least 3:1 against white, and apart in lightness so
that they stay distinct in greyscale); a second line is also dashed.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from html import escape
from typing import Sequence

from django.utils.safestring import SafeString, mark_safe

PALETTE = ("#12436D", "#28A197", "#801650", "#F46A25")
DASHES = ("", "6 4", "2 3", "8 3 2 3")
TEXT = "#0b0c0c"
MUTED = "#505a5f"
GRID = "#b1b4b6"
FONT = "Arial, Helvetica, sans-serif"

Value = int | str | None


@dataclass(frozen=True)
class Series:
    name: str
    values: Sequence[Value]


def _attr(value) -> str:
    return escape(str(value), quote=True)


def _n(x: float) -> str:
    """A coordinate, to one decimal place."""
    text = f"{x:.1f}"
    return text[:-2] if text.endswith(".0") else text


def drawn(value: Value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def nice_top(value: float) -> int:
    """The top of the value axis: the smallest of 1, 2, 5 x 10^k (whole
    numbers, at least 1) not below `value`."""
    if value <= 1:
        return 1
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 5, 10):
        if step * power >= value:
            return int(step * power)
    return int(10 * power)  # pragma: no cover


def ticks(top: int) -> list[int]:
    """Whole-number gridlines from 0 to `top` (4 to 6 of them where possible)."""
    if top < 1:
        raise ValueError("the top of the axis is at least 1")
    parts = next(p for p in (5, 4, 2, 1) if top % p == 0)
    return list(range(0, top + 1, top // parts))


def _check(categories: Sequence[str], series: Sequence[Series]) -> None:
    if not series:
        raise ValueError("a chart needs at least one series")
    for s in series:
        if len(s.values) != len(categories):
            raise ValueError(f"series '{s.name}' has {len(s.values)} values for {len(categories)} categories")
        for v in s.values:
            if drawn(v) and v < 0:
                raise ValueError("a chart of counts cannot show a negative value")


def _shown(value: Value) -> str:
    if value is None:
        return "–"
    if drawn(value):
        return f"{value:,}"
    return str(value)


def _describe(kind: str, categories: Sequence[str], series: Sequence[Series], summary: str) -> str:
    parts = [f"{kind}: {summary}" if summary else kind + "."]
    if not summary.endswith("."):
        parts[0] += "."
    if len(series) > 1:
        parts.append("Series: " + ", ".join(s.name for s in series) + ".")
    withheld = sum(1 for s in series for v in s.values if isinstance(v, str))
    if withheld:
        parts.append(f"{withheld} small {'count is' if withheld == 1 else 'counts are'} withheld and not drawn.")
    parts.append("The table after the chart gives every value.")
    return " ".join(parts)


def _open(chart_id: str, title: str, desc: str, width: int, height: int, kind: str) -> list[str]:
    cid = _attr(chart_id)
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="hw-chart hw-chart--{kind}" id="{cid}" role="img" '
        f'aria-labelledby="{cid}-title {cid}-desc" viewBox="0 0 {width} {height}" width="{width}" '
        f'height="{height}" font-family="{FONT}" focusable="false" data-chart="{kind}">',
        f'<title id="{cid}-title">{escape(title)}</title>',
        f'<desc id="{cid}-desc">{escape(desc)}</desc>',
    ]


def _legend(series: Sequence[Series], x: float, y: float, line: bool = False) -> list[str]:
    if len(series) < 2:
        return []
    out = ['<g class="hw-chart__legend">']
    for i, s in enumerate(series):
        colour = PALETTE[i % len(PALETTE)]
        if line:
            dash = f' stroke-dasharray="{DASHES[i % len(DASHES)]}"' if DASHES[i % len(DASHES)] else ""
            out.append(f'<line x1="{_n(x)}" y1="{_n(y + 6)}" x2="{_n(x + 24)}" y2="{_n(y + 6)}" stroke="{colour}" '
                       f'stroke-width="3"{dash}/>')
        else:
            out.append(f'<rect x="{_n(x)}" y="{_n(y)}" width="14" height="14" fill="{colour}"/>')
        out.append(f'<text x="{_n(x + (30 if line else 20))}" y="{_n(y + 11)}" font-size="13" fill="{TEXT}">'
                   f'{escape(s.name)}</text>')
        x += 40 + 7.5 * len(s.name)
    out.append("</g>")
    return out


def _value_axis(top: int, x0: float, x1: float, y0: float, y1: float, label: str) -> list[str]:
    out = ['<g class="hw-chart__axis">']
    for t in ticks(top):
        y = y1 - (y1 - y0) * t / top
        out.append(f'<line x1="{_n(x0)}" y1="{_n(y)}" x2="{_n(x1)}" y2="{_n(y)}" stroke="{GRID}" stroke-width="1"/>')
        out.append(f'<text x="{_n(x0 - 6)}" y="{_n(y + 4)}" font-size="12" fill="{MUTED}" text-anchor="end">{t:,}</text>')
    out.append(f'<line x1="{_n(x0)}" y1="{_n(y1)}" x2="{_n(x1)}" y2="{_n(y1)}" stroke="{TEXT}" stroke-width="1"/>')
    if label:
        out.append(f'<text x="{_n(x0 - 44)}" y="{_n(y0 - 22)}" font-size="12" fill="{MUTED}">{escape(label)}</text>')
    out.append("</g>")
    return out


def _top_of(series: Sequence[Series]) -> int:
    return nice_top(max([v for s in series for v in s.values if drawn(v)] or [0]))


def column_chart(*, chart_id: str, title: str, categories: Sequence[str], series: Sequence[Series],
                 summary: str = "", axis_label: str = "", short_categories: Sequence[str] | None = None,
                 width: int = 640, height: int = 300) -> SafeString:
    """Vertical columns: one per category, or a group per category with a
    column per series (this period and last year, say)."""
    _check(categories, series)
    short = list(short_categories or categories)
    legend_h = 26 if len(series) > 1 else 0
    x0, x1 = 52.0, width - 12.0
    y0, y1 = 40.0 + legend_h, height - 44.0
    top = _top_of(series)
    n, k = len(categories), len(series)
    group = (x1 - x0) / max(n, 1)
    bar = group * 0.78 / k
    labels = n * k <= 16
    out = _open(chart_id, title, _describe("Column chart", categories, series, summary), width, height, "column")
    out += _legend(series, x0, 6)
    out += _value_axis(top, x0, x1, y0, y1, axis_label)
    for j, s in enumerate(series):
        colour = PALETTE[j % len(PALETTE)]
        out.append(f'<g class="hw-chart__series" data-series="{_attr(s.name)}">')
        for i, v in enumerate(s.values):
            x = x0 + group * i + group * 0.11 + bar * j
            data = f'data-series="{_attr(s.name)}" data-category="{_attr(categories[i])}" data-value="{_attr(_shown(v))}"'
            if drawn(v):
                h = (y1 - y0) * v / top
                out.append(f'<rect x="{_n(x)}" y="{_n(y1 - h)}" width="{_n(bar)}" height="{_n(h)}" fill="{colour}" {data}/>')
                if labels:
                    out.append(f'<text x="{_n(x + bar / 2)}" y="{_n(y1 - h - 4)}" font-size="12" fill="{TEXT}" '
                               f'text-anchor="middle" aria-hidden="true">{v:,}</text>')
            else:
                out.append(f'<text x="{_n(x + bar / 2)}" y="{_n(y1 - 4)}" font-size="12" fill="{TEXT}" '
                           f'text-anchor="middle" class="hw-chart__withheld" {data}>{escape(_shown(v))}</text>')
        out.append("</g>")
    out.append('<g class="hw-chart__categories">')
    for i, name in enumerate(short):
        out.append(f'<text x="{_n(x0 + group * (i + 0.5))}" y="{_n(y1 + 18)}" font-size="12" fill="{TEXT}" '
                   f'text-anchor="middle">{escape(name)}</text>')
    out.append("</g></svg>")
    return mark_safe("".join(out))


def bar_chart(*, chart_id: str, title: str, categories: Sequence[str], series: Sequence[Series],
              summary: str = "", axis_label: str = "", width: int = 640, label_width: int = 250) -> SafeString:
    """Horizontal bars, one row per category (a bar per series): for long
    category names such as reasons or placement types."""
    _check(categories, series)
    k = len(series)
    row = 8 + 18 * k
    legend_h = 26 if k > 1 else 0
    x0, x1 = float(label_width), width - 40.0
    y0 = 30.0 + legend_h
    height = int(y0 + row * len(categories) + 40)
    y1 = y0 + row * len(categories)
    top = _top_of(series)
    out = _open(chart_id, title, _describe("Bar chart", categories, series, summary), width, height, "bar")
    out += _legend(series, 12, 6)
    out.append('<g class="hw-chart__axis">')
    for t in ticks(top):
        x = x0 + (x1 - x0) * t / top
        out.append(f'<line x1="{_n(x)}" y1="{_n(y0)}" x2="{_n(x)}" y2="{_n(y1)}" stroke="{GRID}" stroke-width="1"/>')
        out.append(f'<text x="{_n(x)}" y="{_n(y1 + 16)}" font-size="12" fill="{MUTED}" text-anchor="middle">{t:,}</text>')
    out.append(f'<line x1="{_n(x0)}" y1="{_n(y0)}" x2="{_n(x0)}" y2="{_n(y1)}" stroke="{TEXT}" stroke-width="1"/>')
    if axis_label:
        out.append(f'<text x="{_n(x1)}" y="{_n(y1 + 32)}" font-size="12" fill="{MUTED}" text-anchor="end">'
                   f'{escape(axis_label)}</text>')
    out.append("</g>")
    out.append('<g class="hw-chart__categories">')
    for i, name in enumerate(categories):
        y = y0 + row * i + row / 2 + 4
        out.append(f'<text x="{_n(x0 - 8)}" y="{_n(y)}" font-size="13" fill="{TEXT}" text-anchor="end">{escape(name)}</text>')
    out.append("</g>")
    for j, s in enumerate(series):
        colour = PALETTE[j % len(PALETTE)]
        out.append(f'<g class="hw-chart__series" data-series="{_attr(s.name)}">')
        for i, v in enumerate(s.values):
            y = y0 + row * i + 4 + 18 * j
            data = f'data-series="{_attr(s.name)}" data-category="{_attr(categories[i])}" data-value="{_attr(_shown(v))}"'
            if drawn(v):
                w = (x1 - x0) * v / top
                out.append(f'<rect x="{_n(x0)}" y="{_n(y)}" width="{_n(w)}" height="14" fill="{colour}" {data}/>')
                out.append(f'<text x="{_n(x0 + w + 4)}" y="{_n(y + 12)}" font-size="12" fill="{TEXT}" '
                           f'aria-hidden="true">{v:,}</text>')
            else:
                out.append(f'<text x="{_n(x0 + 4)}" y="{_n(y + 12)}" font-size="12" fill="{TEXT}" '
                           f'class="hw-chart__withheld" {data}>{escape(_shown(v))}</text>')
        out.append("</g>")
    out.append("</svg>")
    return mark_safe("".join(out))


def line_chart(*, chart_id: str, title: str, categories: Sequence[str], series: Sequence[Series],
               summary: str = "", axis_label: str = "", short_categories: Sequence[str] | None = None,
               width: int = 640, height: int = 300) -> SafeString:
    """A line per series across the categories (months); a withheld or
    missing value breaks the line there."""
    _check(categories, series)
    short = list(short_categories or categories)
    legend_h = 26 if len(series) > 1 else 0
    x0, x1 = 52.0, width - 12.0
    y0, y1 = 40.0 + legend_h, height - 44.0
    top = _top_of(series)
    n = len(categories)
    step = (x1 - x0) / max(n, 1)
    out = _open(chart_id, title, _describe("Line chart", categories, series, summary), width, height, "line")
    out += _legend(series, x0, 6, line=True)
    out += _value_axis(top, x0, x1, y0, y1, axis_label)
    for j, s in enumerate(series):
        colour = PALETTE[j % len(PALETTE)]
        dash = DASHES[j % len(DASHES)]
        dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
        out.append(f'<g class="hw-chart__series" data-series="{_attr(s.name)}">')
        segment: list[str] = []
        segments: list[list[str]] = []
        marks: list[str] = []
        for i, v in enumerate(s.values):
            x = x0 + step * (i + 0.5)
            data = f'data-series="{_attr(s.name)}" data-category="{_attr(categories[i])}" data-value="{_attr(_shown(v))}"'
            if drawn(v):
                y = y1 - (y1 - y0) * v / top
                segment.append(f"{_n(x)},{_n(y)}")
                marks.append(f'<circle cx="{_n(x)}" cy="{_n(y)}" r="4" fill="{colour}" {data}/>')
            else:
                if segment:
                    segments.append(segment)
                segment = []
                marks.append(f'<text x="{_n(x)}" y="{_n(y1 - 4)}" font-size="12" fill="{TEXT}" text-anchor="middle" '
                             f'class="hw-chart__withheld" {data}>{escape(_shown(v))}</text>')
        if segment:
            segments.append(segment)
        for points in segments:
            if len(points) > 1:
                out.append(f'<polyline points="{" ".join(points)}" fill="none" stroke="{colour}" stroke-width="3"'
                           f'{dash_attr}/>')
        out += marks
        out.append("</g>")
    out.append('<g class="hw-chart__categories">')
    for i, name in enumerate(short):
        out.append(f'<text x="{_n(x0 + step * (i + 0.5))}" y="{_n(y1 + 18)}" font-size="12" fill="{TEXT}" '
                   f'text-anchor="middle">{escape(name)}</text>')
    out.append("</g></svg>")
    return mark_safe("".join(out))
