"""The partnership report as a document: sections of charts, each chart
followed by its data table, every figure's definition beside it; as the
page's body (homeward/web/views_periodic.py), a standalone HTML file, or a
PDF laid out from that same HTML (pdf.render_pdf). And `homeward report
partnership` (docs/reports.md).

One template, `web/reports/periodic_body.html`, renders the report for the
page and for the document the PDF is made from, so the two cannot disagree.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from django.contrib.staticfiles import finders
from django.template.loader import render_to_string

from . import charts, periodic
from .charts import Series
from .definitions import label_of

PRINT_CSS = "homeward/periodic-print.css"
BODY_TEMPLATE = "web/reports/periodic_body.html"
DOCUMENT_TEMPLATE = "web/reports/periodic_document.html"
TITLE = "Children missing from home and care"


@dataclass
class Table:
    caption: str
    head: list[str]
    rows: list[list[str]]
    chart: str = ""  # the id of the chart the table gives the data of
    numeric_from: int = 1  # columns from this one are numbers (aligned right)


@dataclass
class Block:
    table: Table
    svg: str = ""


@dataclass
class Section:
    id: str
    title: str
    intro: list[str] = field(default_factory=list)
    blocks: list[Block] = field(default_factory=list)
    after: list[str] = field(default_factory=list)
    definitions: list[tuple[str, str]] = field(default_factory=list)


# --- values -----------------------------------------------------------------------------------


def show(value) -> str:
    """A figure as printed: 1,234; a withheld count's marker ("<5"); "–" for none."""
    if value is None:
        return "–"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        return f"{value:,.2f}".rstrip("0").rstrip(".") if not value.is_integer() else f"{int(value):,}"
    return str(value)


def show_percent(value) -> str:
    return "–" if value is None else f"{show(value)}%"


def _month_label(key: str, short: bool = False) -> str:
    year, month = key.split("-")
    name = periodic.MONTH_NAMES[int(month) - 1]
    return f"{name[:3]}" if short else f"{name} {year}"


def _order(values: dict, labels: dict) -> list[str]:
    """Keys by value, largest first (a withheld count after the exact ones),
    then by label; zeros left out."""
    def rank(key):
        v = values[key]
        return (0, -v) if isinstance(v, int) else (1, 0)

    return sorted((k for k, v in values.items() if v != 0), key=lambda k: (rank(k), labels.get(k, k)))


# --- the sections ---------------------------------------------------------------------------------


class _Builder:
    def __init__(self, fig: dict):
        self.fig = fig
        self.this, self.last = fig["this"], fig["last"]
        self.period = periodic.parse_period(fig["period"]["code"])
        self.earlier = periodic.parse_period(fig["comparison"]["code"])
        self.now_name, self.then_name = self.period.short, self.earlier.short
        self.defs = fig["definitions"]
        self.authority = fig["authority"]["name"]
        self.threshold = (fig.get("suppression") or {}).get("threshold")

    def k(self, part: str, group: str, key: str):
        return self.__dict__[part]["key"][group][key]

    def x(self, part: str, group: str, key: str | None = None):
        value = self.__dict__[part]["extra"][group]
        return value if key is None else value[key]

    def d(self, *keys: str) -> str:
        return " ".join(self.defs.get(k, "") for k in keys).strip()

    def two_years(self, rows: list[tuple[str, object, object]]) -> list[list[str]]:
        return [[label, show(a), show(b)] for label, a, b in rows]

    def chart_and_table(self, kind: str, chart_id: str, title: str, categories: list[str], series: list[Series],
                        *, head0: str, summary: str = "", axis_label: str = "", short: list[str] | None = None,
                        extra_columns: list[tuple[str, list]] | None = None) -> Block:
        draw = {"column": charts.column_chart, "bar": charts.bar_chart, "line": charts.line_chart}[kind]
        kwargs = {"short_categories": short} if short and kind != "bar" else {}
        svg = draw(chart_id=chart_id, title=title, categories=categories, series=series, summary=summary,
                   axis_label=axis_label, **kwargs)
        head = [head0] + [s.name for s in series] + [name for name, _ in (extra_columns or [])]
        rows = []
        for i, category in enumerate(categories):
            rows.append([category] + [show(s.values[i]) for s in series]
                        + [show(values[i]) for _, values in (extra_columns or [])])
        return Block(Table(caption=f"{title}: the data", head=head, rows=rows, chart=chart_id), svg)

    # sections ------------------------------------------------------------------------------

    def summary(self) -> Section:
        rows = [
            ("Episodes", "episodes", "total"), ("Children", "children", "total"),
            ("Episodes from home", "episodes", "from_home"), ("Episodes from care", "episodes", "from_care"),
            ("Children missing from home", "children", "from_home"),
            ("Children missing from care", "children", "from_care"),
            ("Absent episodes (whereabouts known)", "episodes", "absent"),
            ("Episodes still open at the end of the period", "episodes", "open_at_end"),
            ("Children who reached the repeat missing threshold", "repeat", "three_in_ninety_children"),
            ("Children listed for a monthly review", "repeat", "monthly_multiple_children"),
        ]
        table = [[label, show(self.k("this", g, key)), show(self.k("last", g, key))] for label, g, key in rows]
        table.append(["Looked-after children who went missing (%)",
                      show_percent(self.k("this", "looked_after", "went_missing_percent")),
                      show_percent(self.k("last", "looked_after", "went_missing_percent"))])
        return Section(
            "summary", "Summary",
            intro=[f"The figures of {self.authority} for {self.period.phrase}, against the same period a year "
                   f"earlier ({self.earlier.label})."],
            blocks=[Block(Table("The period at a glance", ["Figure", self.now_name, self.then_name], table))],
            definitions=[
                ("Episodes", self.d("episodes.total")), ("Children", self.d("children.total")),
                ("From home, from care", self.d("episodes.from_care", "children.from_care")),
                ("Absent", self.d("episodes.absent")), ("Open at the end", self.d("episodes.open_at_end")),
            ],
        )

    def months(self) -> Section:
        months_now = list(self.this["key"]["episodes_by_month"])
        months_then = list(self.last["key"]["episodes_by_month"])
        labels = [_month_label(m) for m in months_now]
        short = [_month_label(m, short=True) for m in months_now]
        episodes = [Series(self.now_name, [self.this["key"]["episodes_by_month"][m] for m in months_now]),
                    Series(self.then_name, [self.last["key"]["episodes_by_month"][m] for m in months_then])]
        children = [Series(self.now_name, [self.x("this", "children_by_month", m) for m in months_now]),
                    Series(self.then_name, [self.x("last", "children_by_month", m) for m in months_then])]
        return Section(
            "by-month", "Episodes and children by month",
            intro=["Each month of the period beside the same month a year earlier. Children are counted once in "
                   "each month they went missing in, so the months add up to more than the period's children."],
            blocks=[
                self.chart_and_table("column", "chart-episodes-by-month", "Episodes by month", labels, episodes,
                                     head0="Month", short=short, axis_label="Episodes",
                                     summary=f"episodes starting in each month, {self.now_name} against "
                                             f"{self.then_name}"),
                self.chart_and_table("line", "chart-children-by-month", "Children by month", labels, children,
                                     head0="Month", short=short, axis_label="Children",
                                     summary=f"children with an episode starting in each month, {self.now_name} "
                                             f"against {self.then_name}"),
            ],
            definitions=[("Episodes by month", self.d("episodes_by_month")),
                         ("Children by month", self.d("children_by_month"))],
        )

    def home_and_care(self) -> Section:
        cats = ["Episodes from home", "Episodes from care", "Children from home", "Children from care"]
        keys = [("episodes", "from_home"), ("episodes", "from_care"), ("children", "from_home"),
                ("children", "from_care")]
        series = [Series(self.now_name, [self.k("this", g, k) for g, k in keys]),
                  Series(self.then_name, [self.k("last", g, k) for g, k in keys])]
        return Section(
            "home-and-care", "From home and from care",
            intro=["A child who went missing both from home and from care in the period counts once in each, and "
                   "once in the total."],
            blocks=[self.chart_and_table("column", "chart-home-care", "Missing from home and from care", cats, series,
                                         head0="Figure", summary="episodes and children from home and from care")],
            definitions=[("From home", self.d("episodes.from_home")), ("From care", self.d("episodes.from_care")),
                         ("Children", self.d("children.from_home"))],
        )

    def repeat(self) -> Section:
        groups = [key for key, _, _ in periodic.EPISODE_COUNT_GROUPS]
        cats = [periodic.EPISODE_COUNT_LABELS[g] for g in groups]
        series = [Series(self.now_name, [self.x("this", "children_by_episodes", g) for g in groups]),
                  Series(self.then_name, [self.x("last", "children_by_episodes", g) for g in groups])]
        proto = self.fig["protocol"]
        n, days = proto["repeat_missing_meeting"]["episodes"], proto["repeat_missing_meeting"]["days"]
        monthly = proto["monthly_multiple_missing"]["episodes"]
        thresholds = Table(
            "Repeat missing thresholds", ["Children", self.now_name, self.then_name],
            self.two_years([
                (f"Reached the threshold for a multi-agency meeting ({n} episodes in {days} days)",
                 self.k("this", "repeat", "three_in_ninety_children"),
                 self.k("last", "repeat", "three_in_ninety_children")),
                (f"Listed for a monthly review ({monthly} or more episodes in a month)",
                 self.k("this", "repeat", "monthly_multiple_children"),
                 self.k("last", "repeat", "monthly_multiple_children")),
            ]))
        months_now = list(self.this["extra"]["monthly_review_by_month"])
        months_then = list(self.last["extra"]["monthly_review_by_month"])
        review = [Series(self.now_name, [self.x("this", "monthly_review_by_month", m) for m in months_now]),
                  Series(self.then_name, [self.x("last", "monthly_review_by_month", m) for m in months_then])]
        return Section(
            "repeat", "Repeat missing",
            intro=["Most children who go missing do so once. Children by their number of episodes in the period:"],
            blocks=[
                self.chart_and_table("column", "chart-repeat", "Children by number of episodes", cats, series,
                                     head0="Episodes in the period", axis_label="Children",
                                     short=["1", "2", "3", "4", "5 to 9", "10+"],
                                     summary="children by how many episodes they had in the period"),
                Block(thresholds),
                self.chart_and_table("column", "chart-monthly-review", "Children listed for the monthly review",
                                     [_month_label(m) for m in months_now], review, head0="Month",
                                     short=[_month_label(m, short=True) for m in months_now], axis_label="Children",
                                     summary=f"children with {monthly} or more episodes starting in the month"),
            ],
            definitions=[
                ("Children by number of episodes", self.d("children_by_episode_count")),
                ("Repeat missing threshold", self.d("repeat.three_in_ninety_children")),
                ("Monthly review", self.d("repeat.monthly_multiple_children")),
                ("Monthly review, by month", self.d("monthly_review_by_month")),
            ],
        )

    def durations(self) -> Section:
        keys = ["under_24", "24_to_72", "72_to_168", "over_168"]
        cats = [label_of(f"duration_hours.{k}") for k in keys]
        series = [Series(self.now_name, [self.k("this", "duration_hours", k) for k in keys]),
                  Series(self.then_name, [self.k("last", "duration_hours", k) for k in keys])]
        other = Table("Returns and open episodes", ["Figure", self.now_name, self.then_name], self.two_years([
            ("Episodes with a return recorded", self.x("this", "durations", "ended"),
             self.x("last", "durations", "ended")),
            ("Median duration (hours)", self.k("this", "duration_hours", "median"),
             self.k("last", "duration_hours", "median")),
            ("Episodes still open at the end of the period (no duration)", self.k("this", "episodes", "open_at_end"),
             self.k("last", "episodes", "open_at_end")),
        ]))
        return Section(
            "durations", "How long children were missing",
            intro=["Durations are real elapsed hours from the start of the episode to the return. An episode with no "
                   "return has no duration: it is shown on its own line, never as zero."],
            blocks=[self.chart_and_table("column", "chart-durations", "Episodes by duration", cats, series,
                                         head0="Duration", axis_label="Episodes",
                                         summary="episodes with a return recorded, by how long they lasted"),
                    Block(other)],
            definitions=[("Duration", self.d("duration_hours.median")),
                         ("Bands", self.d("duration_hours.under_24", "duration_hours.24_to_72",
                                          "duration_hours.72_to_168", "duration_hours.over_168")),
                         ("Open at the end", self.d("episodes.open_at_end"))],
        )

    def looked_after(self) -> Section:
        t = Table("Looked-after children", ["Figure", self.now_name, self.then_name], [
            ["Children looked after at any time in the period", show(self.k("this", "looked_after", "children")),
             show(self.k("last", "looked_after", "children"))],
            ["Looked-after children who went missing", show(self.k("this", "looked_after", "went_missing")),
             show(self.k("last", "looked_after", "went_missing"))],
            ["of whom unaccompanied asylum-seeking children", show(self.x("this", "uasc", "looked_after_went_missing")),
             show(self.x("last", "uasc", "looked_after_went_missing"))],
            ["Looked-after children who went missing (%)",
             show_percent(self.k("this", "looked_after", "went_missing_percent")),
             show_percent(self.k("last", "looked_after", "went_missing_percent"))],
            ["Episodes from care", show(self.k("this", "looked_after", "episodes")),
             show(self.k("last", "looked_after", "episodes"))],
            ["Episodes per looked-after child", show(self.k("this", "looked_after", "episodes_per_child")),
             show(self.k("last", "looked_after", "episodes_per_child"))],
        ])
        months_now = list(self.this["extra"]["looked_after_by_month"])
        months_then = list(self.last["extra"]["looked_after_by_month"])
        series = [Series(self.now_name, [self.x("this", "looked_after_by_month", m) for m in months_now]),
                  Series(self.then_name, [self.x("last", "looked_after_by_month", m) for m in months_then])]
        return Section(
            "looked-after", f"{self.authority}’s looked-after children",
            intro=[f"The children {self.authority} looks after, wherever they live. Children placed in "
                   f"{self.authority} by other authorities are not counted here (see the next section)."],
            blocks=[Block(t), self.chart_and_table(
                "column", "chart-looked-after-by-month", "Looked-after children who went missing, by month",
                [_month_label(m) for m in months_now], series, head0="Month",
                short=[_month_label(m, short=True) for m in months_now], axis_label="Children",
                summary="own looked-after children with an episode from care starting in each month")],
            definitions=[
                ("Children looked after", self.d("looked_after.children")),
                ("Went missing", self.d("looked_after.went_missing")),
                ("Percentage", self.d("looked_after.went_missing_percent")),
                ("Episodes per looked-after child", self.d("looked_after.episodes_per_child")),
                ("Unaccompanied asylum-seeking children", self.d("uasc")),
                ("By month", self.d("looked_after_by_month")),
            ],
        )

    def _placements(self, which: str) -> Section:
        names = self.fig.get("authority_names", {})
        inward = which == "placed_in"
        key_e = "placed_in_episodes" if inward else "own_placed_out_episodes"
        key_c = "placed_in_children" if inward else "own_placed_out_children"
        summary = Table("Summary", ["Figure", self.now_name, self.then_name], self.two_years([
            ("Episodes", self.k("this", "placements", key_e), self.k("last", "placements", key_e)),
            ("Children", self.k("this", "placements", key_c), self.k("last", "placements", key_c)),
            ("of whom unaccompanied asylum-seeking children", self.x("this", "uasc", f"{which}_children"),
             self.x("last", "uasc", f"{which}_children")),
        ]))
        by_eps = self.x("this", f"{which}_authority_episodes")
        by_ch = self.x("this", f"{which}_authority_children")
        labels = {code: names.get(code, code) for code in by_eps}
        who = "Placing authority" if inward else "Authority where placed"
        authorities = Table(f"By {who.lower()}, {self.now_name}", [who, "Episodes", "Children"],
                            [[labels[c], show(by_eps[c]), show(by_ch.get(c, 0))] for c in _order(by_eps, labels)])
        t_eps, t_ch = self.x("this", f"{which}_type_episodes"), self.x("this", f"{which}_type_children")
        types = Table(f"By placement type, {self.now_name}", ["Placement type", "Episodes", "Children"],
                      [[periodic.PLACEMENT_TYPE_LABELS[t], show(t_eps[t]), show(t_ch[t])]
                       for t in _order(t_eps, periodic.PLACEMENT_TYPE_LABELS)])
        bands = [k for k, _, _, _ in periodic.DISTANCE_BANDS] + [periodic.UNKNOWN_DISTANCE]
        series = [Series(self.now_name, [self.x("this", f"{which}_distance_children", b) for b in bands]),
                  Series(self.then_name, [self.x("last", f"{which}_distance_children", b) for b in bands])]
        distance = self.chart_and_table(
            "bar", f"chart-{which.replace('_', '-')}-distance", "Children by distance from home",
            [periodic.DISTANCE_LABELS[b] for b in bands], series, head0="Distance from home", axis_label="Children",
            summary="children by the straight-line distance from their home postcode to the placement",
            extra_columns=[(f"Episodes, {self.now_name}",
                            [self.x("this", f"{which}_distance_episodes", b) for b in bands])])
        unknown = self.x("this", f"{which}_distance_children", periodic.UNKNOWN_DISTANCE)
        after = []
        if unknown != 0:
            after.append(f"The distance is not known for {show(unknown)} of these children in {self.now_name}: a "
                         "home or placement postcode is not recorded, or is not in Homeward's postcode directory.")
        title = (f"Children placed in {self.authority} by other authorities" if inward
                 else f"{self.authority}’s children placed out of area")
        intro = ([f"Children another authority looks after, placed in {self.authority}, who went missing here. The "
                  "placing authority is told of each episode and is responsible for the return home interview."]
                 if inward else
                 [f"Children {self.authority} looks after, placed in another authority's area, who went missing."])
        return Section(
            which.replace("_", "-"), title, intro=intro,
            blocks=[Block(summary), Block(authorities), Block(types), distance], after=after,
            definitions=[
                ("Episodes", self.d(f"placements.{key_e}")), ("Children", self.d(f"placements.{key_c}")),
                ("Breakdowns", self.d(which)), ("Placement type", self.d("placement_type")),
                ("Distance from home", self.d("distance")),
                ("Unaccompanied asylum-seeking children", self.d("uasc")),
            ],
        )

    def interviews(self) -> Section:
        def pct(part: str, key_part: dict):
            ri = key_part["return_interviews"]
            return show_percent(periodic.percent(ri[part], ri["required"]))

        rows = []
        for label, key, with_pct in (
                ("Episodes that required an interview", "required", False),
                ("Offered", "offered", True), ("Offered in time", "offered_in_time", True),
                ("Completed", "completed", True), ("Completed in time", "completed_in_time", True),
                ("Declined", "declined", True), ("Not required", "not_required", False)):
            this, last = self.this["key"]["return_interviews"], self.last["key"]["return_interviews"]
            rows.append([label, show(this[key]), pct(key, self.this["key"]) if with_pct else "",
                         show(last[key]), pct(key, self.last["key"]) if with_pct else ""])
        timeliness = Table("Timeliness", ["Episodes", self.now_name, "% of required", self.then_name,
                                          "% of required"], rows)
        outcomes = [key for key, _ in periodic.OUTCOMES]
        series = [Series(self.now_name, [self.x("this", "interview_outcomes", k) for k in outcomes]),
                  Series(self.then_name, [self.x("last", "interview_outcomes", k) for k in outcomes])]
        overdue = self.x("this", "interview_outcomes", "overdue")
        required = self.x("this", "interview_outcomes", "required")
        after = [f"Of the {show(required)} interviews required in {self.now_name} by the records of return "
                 f"interviews, {show(overdue)} had no outcome and were past their due time."]
        if required != self.k("this", "return_interviews", "required"):
            after.append("The timeliness table decides from the episodes which of them required an interview; the "
                         "outcomes are counted from the interview records, which can differ for an episode whose "
                         "interview record is not yet up to date.")
        after += [n for n in self.fig.get("notes", []) if "interview" in n.lower()]
        due = self.d("return_interviews.offered_in_time")
        return Section(
            "return-interviews", "Return home interviews",
            intro=["Percentages divide by the episodes that required an interview offer (the exclusions removed)."],
            blocks=[Block(timeliness),
                    self.chart_and_table("bar", "chart-interview-outcomes", "Outcomes of the interviews required",
                                         [periodic.OUTCOME_LABELS[k] for k in outcomes], series, head0="Outcome",
                                         axis_label="Interviews", summary="required interviews by outcome")],
            after=after,
            definitions=[
                ("Required", self.d("return_interviews.required")),
                ("Not required", self.d("return_interviews.not_required")),
                ("Offered in time", due), ("Completed in time", self.d("return_interviews.completed_in_time")),
                ("Declined", self.d("return_interviews.declined")),
                ("Outcomes", self.d("interview_outcomes")),
            ],
        )

    def reasons(self) -> Section:
        from homeward.interviews.models import Reason

        labels = dict(Reason.choices)
        totals = self.x("this", "reasons_total")
        codes = _order(totals, labels)[:10]
        blocks = []
        after = []
        if codes:
            series = [Series("From home", [self.x("this", "reasons_home", c) for c in codes]),
                      Series("From care", [self.x("this", "reasons_care", c) for c in codes])]
            blocks.append(self.chart_and_table(
                "bar", "chart-reasons", "Reasons children gave for going missing", [labels[c] for c in codes],
                series, head0="Reason", axis_label="Interviews",
                summary=f"the reasons given most often in completed interviews, {self.now_name}",
                extra_columns=[("All", [totals[c] for c in codes])]))
        else:
            after.append("No reasons are recorded in completed return home interviews of this period.")
        return Section(
            "reasons", "Why children went missing",
            intro=["What children said in their return home interviews, from home and from care."],
            blocks=blocks, after=after, definitions=[("Reasons", self.d("reasons"))])

    def about(self) -> Section:
        proto = self.fig["protocol"]
        rhi = proto["return_interview"]
        due = (f"{rhi['working_days']} working days" if rhi.get("working_days") else f"{rhi['hours']} hours")
        intro = [
            f"The period is {self.period.label} ({self.period.code}); the comparison is {self.earlier.label} "
            f"({self.earlier.code}). An episode belongs to the period in which it started (Europe/London time); "
            "periods include their first day and end as the day after their last begins.",
            f"Thresholds used: a multi-agency meeting at {proto['repeat_missing_meeting']['episodes']} episodes in "
            f"{proto['repeat_missing_meeting']['days']} days; a monthly review at "
            f"{proto['monthly_multiple_missing']['episodes']} or more episodes in a month; return home interviews "
            f"due {due} after the return ({self.fig.get('protocol_source', 'the protocol')}).",
        ]
        suppression = self.fig.get("suppression")
        if suppression:
            intro.append("Small numbers: " + suppression["rule"])
        else:
            intro.append("Small numbers are not suppressed in this copy: it is for internal use only and must not "
                         "be published.")
        located = self.this.get("located") or {}
        if located.get("postcodes"):
            intro.append(f"Distances: of the {located['postcodes']:,} postcodes needed, Homeward's postcode "
                         f"directory located {located['units']:,} to the postcode and "
                         f"{located['districts']:,} districts by their centre.")
        else:
            intro.append("Distances: no postcodes were needed, or none could be located.")
        intro += [n for n in self.fig.get("notes", []) if "interview" not in n.lower()]
        return Section("about", "About these figures", intro=intro)

    def sections(self) -> list[Section]:
        return [self.summary(), self.months(), self.home_and_care(), self.repeat(), self.durations(),
                self.looked_after(), self._placements("placed_in"), self._placements("placed_out"),
                self.interviews(), self.reasons(), self.about()]


def sections(fig: dict) -> list[Section]:
    return _Builder(fig).sections()


def report_context(fig: dict) -> dict:
    """What the body template needs (the page adds its form around it)."""
    period = periodic.parse_period(fig["period"]["code"])
    return {
        "report": fig,
        "report_title": f"{TITLE}: {fig['authority']['name']}",
        "report_period": period.title,
        "report_sections": sections(fig),
        "suppression": fig.get("suppression"),
    }


def print_css() -> str:
    path = finders.find(PRINT_CSS)
    return Path(path).read_text(encoding="utf-8") if path else ""


def render_document(fig: dict, *, inline_css: bool = True) -> str:
    """The standalone HTML document: the report's body with a heading; its
    stylesheet written in (for a file to open anywhere) or left for the PDF
    to apply."""
    context = report_context(fig)
    context.update({"inline_css": print_css() if inline_css else "", "service_name": _service_name()})
    return render_to_string(DOCUMENT_TEMPLATE, context)


def render_pdf_document(fig: dict) -> tuple[bytes, str]:
    """(the PDF, the HTML it was laid out from)."""
    from .pdf import render_pdf

    html = render_document(fig, inline_css=False)
    return render_pdf(html, stylesheets=[print_css()]), html


def filename(fig: dict, extension: str) -> str:
    return f"missing-children-{fig['authority']['code']}-{fig['period']['code']}.{extension}"


def _service_name() -> str:
    from django.conf import settings

    return getattr(settings, "SERVICE_NAME", "Homeward")


def figures_for(*, authority, period_code: str, suppress: int | None):
    """The figures, with the names of the authorities they mention."""
    from homeward.placements.models import Authority

    fig = periodic.partnership_figures(authority=authority, period=periodic.parse_period(period_code),
                                       suppress=suppress)
    codes = set()
    for part in ("this", "last"):
        for which in ("placed_in", "placed_out"):
            codes |= set(fig[part]["extra"][f"{which}_authority_episodes"])
    names = {code: f"{name} ({code})" for name, code in
             Authority.objects.filter(code__in=codes).values_list("name", "code")}
    names["unknown"] = "Not known"
    fig["authority_names"] = names
    return fig


# --- `homeward report partnership` ---------------------------------------------------------------------
#
# The command (homeward/reporting/management/commands/report.py) imports
# PartnershipReport from here; this module imports the command's `Report`
# only when PartnershipReport is first asked for (PEP 562), so that either
# module can be imported first without a circular import.


def _define_report_class():
    from django.core.management.base import CommandError

    from homeward.reporting.management.commands.report import Report, authority_or_all

    class PartnershipReport(Report):
        name = "partnership"
        help = ("the quarterly or annual report for the safeguarding partnership and the corporate parenting "
                "panel, with the same period last year (docs/reports.md)")

        def add_arguments(self, parser) -> None:
            parser.add_argument("--authority", required=True, metavar="CODE",
                                help="the authority's three-digit DfE code")
            parser.add_argument("--period", required=True, metavar="YYYY-Qn|YYYY-YY",
                                help="a calendar quarter (2025-Q1: January to March 2025) or a financial year "
                                     "(2025-26: 1 April 2025 to 31 March 2026)")
            parser.add_argument("--format", choices=["html", "pdf", "json"], default="html",
                                help="html (default: a standalone page), pdf, or json (the figures)")
            parser.add_argument("--out", metavar="FILE", help="write to this file (default: standard output)")
            parser.add_argument("--suppress", metavar="N", default="5",
                                help="show counts from 1 to N-1 as \"<N\" (default 5, for published output; "
                                     "0 for none, for internal use only)")

        def run(self, command, options: dict) -> None:
            import json

            from homeward.reporting.pdf import PdfError

            try:
                period = periodic.parse_period(options["period"])
            except periodic.PeriodError as exc:
                raise CommandError(f"--period: {exc}") from None
            try:
                threshold = int(str(options.get("suppress", "5")).strip())
            except ValueError:
                threshold = -1
            if threshold != 0 and threshold < 2:
                raise CommandError(f"--suppress: '{options.get('suppress')}' is not 0 or a whole number of 2 or more")
            if (options["authority"] or "").strip().lower() == "all":
                raise CommandError("--authority: the partnership report is for one authority: give its code")
            authority = authority_or_all(options["authority"])
            fmt = options["format"]
            out = options.get("out")
            target = None
            if out:
                target = Path(out)
                if not target.parent.exists():
                    raise CommandError(f"--out: the folder of '{out}' does not exist")
            fig = figures_for(authority=authority, period_code=period.code, suppress=threshold or None)
            if fmt == "json":
                data: bytes | str = json.dumps(fig, indent=2, ensure_ascii=False, default=str) + "\n"
            elif fmt == "html":
                data = render_document(fig)
            else:
                try:
                    data, _ = render_pdf_document(fig)
                except PdfError as exc:
                    raise CommandError(f"the PDF could not be made: {exc}") from None
            self.audit_export(object_type="partnership_report", authority=authority, start=period.start,
                              end=period.end, fmt=fmt, period=period.code, suppress=threshold or None)
            if target is not None:
                try:
                    if isinstance(data, bytes):
                        target.write_bytes(data)
                    else:
                        target.write_text(data, encoding="utf-8")
                except OSError as exc:
                    raise CommandError(f"--out: cannot write '{out}': {exc.strerror}") from None
                command.stderr.write(f"Wrote {out}")
                return
            if isinstance(data, bytes):
                stream = getattr(command.stdout, "_out", None)
                buffer = getattr(stream, "buffer", None)
                if buffer is None or (hasattr(stream, "isatty") and stream.isatty()):
                    raise CommandError("--format pdf: give --out FILE (or redirect the output to a file)")
                buffer.write(data)
                buffer.flush()
                return
            command.stdout.write(data, ending="")

    PartnershipReport.__qualname__ = "PartnershipReport"
    return PartnershipReport


def __getattr__(name: str):
    if name == "PartnershipReport":
        cls = globals().get("_PartnershipReport")
        if cls is None:
            made = _define_report_class()
            # (defining it imports the command, which asks for it again: keep the first one made)
            cls = globals().setdefault("_PartnershipReport", made)
        return cls
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
