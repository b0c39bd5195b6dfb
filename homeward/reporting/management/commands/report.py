"""`homeward report <kind> ...`: figures and exports (contract.md, "Command line").

Each kind of report is a `Report` subclass registered in REPORTS: adding one
(e.g. `hotspots`) is a class with `name`, `help`, `add_arguments` and `run`,
and a line in REPORTS. Shared options (`--authority CODE|all`, `--from`,
`--to`) and their checks are in `Report.add_period_arguments` and
`Report.period`. Every export is audited.

Bad input (a bad date, `--to` not after `--from`, an unknown authority code)
raises CommandError: `homeward` prints the message and exits non-zero,
without a traceback.
"""

from __future__ import annotations

import re
from datetime import date

from django.core.management.base import BaseCommand, CommandError

from homeward.access.audit import audit_record
from homeward.access.models import AuditEvent

DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def parse_day(value: str, option: str) -> date:
    text = (value or "").strip()
    try:
        if not DATE.match(text):
            raise ValueError
        return date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"{option}: '{value}' is not a date: give it as YYYY-MM-DD") from None


def authority_or_all(code: str):
    """The Authority with this DfE code, or None for `all`."""
    from homeward.placements.models import Authority

    code = (code or "").strip()
    if code.lower() == "all":
        return None
    authority = Authority.objects.filter(code=code).first()
    if authority is None:
        raise CommandError(f"--authority: '{code}' is not a known local authority code "
                           "(see `homeward authority add`, or give 'all')")
    return authority


class Report:
    """One kind of report: a subcommand of `homeward report`."""

    name = ""
    help = ""

    def add_arguments(self, parser) -> None:  # pragma: no cover - interface
        raise NotImplementedError

    def run(self, command: BaseCommand, options: dict) -> None:  # pragma: no cover - interface
        raise NotImplementedError

    # shared options and checks
    @staticmethod
    def add_period_arguments(parser) -> None:
        parser.add_argument("--authority", required=True, metavar="CODE|all",
                            help="the authority's three-digit DfE code, or 'all' for every authority together")
        parser.add_argument("--from", dest="start", required=True, metavar="YYYY-MM-DD",
                            help="the first day of the period")
        parser.add_argument("--to", dest="end", required=True, metavar="YYYY-MM-DD",
                            help="the day after the last day of the period (exclusive)")

    @staticmethod
    def period(options: dict) -> tuple[date, date]:
        start = parse_day(options["start"], "--from")
        end = parse_day(options["end"], "--to")
        if end <= start:
            raise CommandError(f"--to ({end}) must be after --from ({start}): --to is the day after the period's "
                               "last day (exclusive)")
        return start, end

    @staticmethod
    def audit_export(*, object_type: str, authority, start: date, end: date, fmt: str, **extra) -> None:
        audit_record(
            actor=None,
            action=AuditEvent.Action.EXPORT,
            object_type=object_type,
            object_id=authority.code if authority else "all",
            summary=f"Exported {object_type} for {authority.code if authority else 'all authorities'}, "
                    f"{start.isoformat()} to {end.isoformat()} (exclusive)",
            payload={"authority": authority.code if authority else "all", "from": start.isoformat(),
                     "to": end.isoformat(), "format": fmt, **extra},
        )


class KpisReport(Report):
    name = "kpis"
    help = "the key figures for the period (contract.md, 'Key figures'), each with its definition"

    def add_arguments(self, parser) -> None:
        self.add_period_arguments(parser)
        parser.add_argument("--format", choices=["json", "csv", "html", "pdf"], default="json",
                            help="json (default), csv (figure,value,definition) or html (a standalone page)")
        parser.add_argument("--suppress", metavar="N",
                            help="for published output: show counts from 1 to N-1 as \"<N\" (N at least 2)")

    def run(self, command: BaseCommand, options: dict) -> None:
        from homeward.reporting.kpis import key_figures
        from homeward.reporting.render import apply_suppression, render

        start, end = self.period(options)
        fmt = options["format"]
        if fmt == "pdf":
            raise CommandError("--format pdf is not available yet: use --format html and print the page to PDF")
        threshold = None
        if options.get("suppress") not in (None, ""):
            try:
                threshold = int(options["suppress"])
            except ValueError:
                threshold = 0
            if threshold < 2:
                raise CommandError(f"--suppress: '{options['suppress']}' is not a whole number of 2 or more")
        authority = authority_or_all(options["authority"])
        figures = key_figures(authority=authority, start=start, end=end)
        if threshold:
            figures = apply_suppression(figures, threshold)
        kwargs = {"authority_name": authority.name if authority else None} if fmt == "html" else {}
        output = render(figures, fmt, **kwargs)
        extra = {"suppress": threshold} if threshold else {}
        self.audit_export(object_type="kpis", authority=authority, start=start, end=end, fmt=fmt, **extra)
        command.stdout.write(output, ending="")


# The kinds of report, in the order `homeward report --help` lists them.
REPORTS: list[Report] = [KpisReport()]


class Command(BaseCommand):
    help = "Figures and exports: `report kpis --authority CODE|all --from YYYY-MM-DD --to YYYY-MM-DD [--format json|csv|html] [--suppress N]`."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="report", required=True, metavar="{" + ",".join(r.name for r in REPORTS) + "}")
        for report in REPORTS:
            report_parser = sub.add_parser(report.name, help=report.help, description=report.help)
            report.add_arguments(report_parser)

    def handle(self, *args, **options):
        report = next(r for r in REPORTS if r.name == options["report"])
        report.run(self, options)
