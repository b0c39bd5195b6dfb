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
    def output_target(command: BaseCommand, options: dict, *, binary: bool):
        """Where the output goes: a path (--out FILE, checked now, before any
        work) or standard output. Bytes (pdf, xlsx) are refused on a
        terminal."""
        from pathlib import Path

        out = options.get("out")
        if out:
            path = Path(out)
            if path.is_dir():
                raise CommandError(f"--out: '{out}' is a folder: give a file name")
            if not path.parent.exists():
                raise CommandError(f"--out: the folder of '{out}' does not exist")
            return path
        if binary:
            stream = getattr(command.stdout, "_out", command.stdout)
            if getattr(stream, "buffer", None) is None:
                raise CommandError(f"--format {options.get('format')} writes bytes: give --out FILE")
            if stream.isatty():
                raise CommandError(f"--format {options.get('format')} writes bytes: redirect standard output "
                                   "to a file or give --out FILE")
        return None

    @staticmethod
    def write_output(command: BaseCommand, target, output: str | bytes) -> None:
        """Write the report to the --out file or standard output."""
        if target is not None:
            try:
                if isinstance(output, bytes):
                    target.write_bytes(output)
                else:
                    target.write_text(output, encoding="utf-8")
            except OSError as exc:
                raise CommandError(f"--out: cannot write '{target}': {exc.strerror or exc}") from None
            return
        if isinstance(output, bytes):
            stream = getattr(command.stdout, "_out", command.stdout)
            stream.flush()
            stream.buffer.write(output)
            stream.buffer.flush()
            return
        command.stdout.write(output, ending="")

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

    # filter name -> (metavar, help); the values are checked by reporting/filters.py
    FILTER_HELP = {
        "missing_from": ("home|care", "only episodes from home, or from care"),
        "children": ("own|placed-in", "only the authority's own children, or children placed in its area by "
                                      "other authorities"),
        "age_band": ("under-10|10-13|14-15|16-17", "only episodes of children of that age on the day the "
                                                   "episode started"),
        "sex": ("M|F|U", "only children of that sex (U: not known or not recorded)"),
        "ethnicity": ("CODE", "only children of that DfE ethnicity code, e.g. WBRI"),
        "placement_type": ("PLACE", "only episodes from a placement of that SSDA903 type, e.g. K2"),
        "provider": ("URN", "only episodes from the provider with that Ofsted URN"),
    }

    def add_arguments(self, parser) -> None:
        from homeward.reporting.filters import NAMES

        self.add_period_arguments(parser)
        parser.add_argument("--format", choices=["json", "csv", "html", "pdf", "xlsx"], default="json",
                            help="json (default), csv (figure,value,definition), html (a standalone page), "
                                 "pdf (that page, printed) or xlsx (a workbook); pdf and xlsx are bytes: "
                                 "redirect standard output or give --out")
        parser.add_argument("--out", metavar="FILE", help="write to FILE instead of standard output")
        parser.add_argument("--suppress", metavar="N",
                            help="for published output: show counts from 1 to N-1 as \"<N\" (N at least 2)")
        group = parser.add_argument_group("filters", "count only the episodes that match (docs/figures.md)")
        for name, (option, _) in NAMES.items():
            metavar, text = self.FILTER_HELP[name]
            group.add_argument(option, dest=f"filter_{name}", metavar=metavar, help=text)

    @staticmethod
    def filters(options: dict):
        """The filters given, checked (reporting/filters.py), or CommandError
        naming each bad option and why."""
        from homeward.problems import Refused
        from homeward.reporting.filters import NAMES, parse_filters

        values = {name: options.get(f"filter_{name}") for name in NAMES}
        try:
            return parse_filters(values)
        except Refused as refused:
            raise CommandError("; ".join(f"{NAMES[p.field][0]}: {p.message}" for p in refused.problems)) from None

    @staticmethod
    def suppression(options: dict) -> int | None:
        if options.get("suppress") in (None, ""):
            return None
        try:
            threshold = int(options["suppress"])
        except ValueError:
            threshold = 0
        if threshold < 2:
            raise CommandError(f"--suppress: '{options['suppress']}' is not a whole number of 2 or more")
        return threshold

    def run(self, command: BaseCommand, options: dict) -> None:
        from homeward.reporting.kpis import key_figures
        from homeward.reporting.periodic import protocol_for_period
        from homeward.reporting.render import BINARY_FORMATS, apply_suppression, render

        start, end = self.period(options)
        fmt = options["format"]
        threshold = self.suppression(options)
        filters = self.filters(options)
        authority = authority_or_all(options["authority"])
        target = self.output_target(command, options, binary=fmt in BINARY_FORMATS)
        protocol, source = protocol_for_period(authority, end)
        figures = key_figures(authority=authority, start=start, end=end, filters=filters, protocol=protocol)
        if protocol:  # (with Homeward's defaults, the definitions carry the numbers)
            figures["notes"].append(f"Thresholds and timescales: {source}.")
        if threshold:
            figures = apply_suppression(figures, threshold)
        kwargs = {"authority_name": authority.name if authority else None} if fmt in ("html", "pdf", "xlsx") else {}
        if fmt == "xlsx" and filters:
            kwargs["filters_described"] = filters.describe()
        try:
            output = render(figures, fmt, **kwargs)
        except Exception as exc:  # the PDF layout (PdfError) and the like: a message, not a traceback
            from homeward.reporting.pdf import PdfError

            if isinstance(exc, PdfError):
                raise CommandError(f"--format pdf: {exc}") from None
            raise
        extra = {"suppress": threshold} if threshold else {}
        if filters:
            extra["filters"] = filters.given()
        self.write_output(command, target, output)
        self.audit_export(object_type="kpis", authority=authority, start=start, end=end, fmt=fmt, **extra)


# The kinds of report, in the order `homeward report --help` lists them.
REPORTS: list[Report] = [KpisReport()]
from homeward.reporting.partnership_report import PartnershipReport; REPORTS.append(PartnershipReport())  # noqa: E402,E702
REPORTS.append(__import__("homeward.places.reports", fromlist=["HotspotsReport"]).HotspotsReport())


class Command(BaseCommand):
    help = ("Figures and exports: `report kpis --authority CODE|all --from YYYY-MM-DD --to YYYY-MM-DD "
            "[--format json|csv|html|pdf|xlsx] [--out FILE] [--suppress N] [filters]`.")

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="report", required=True, metavar="{" + ",".join(r.name for r in REPORTS) + "}")
        for report in REPORTS:
            report_parser = sub.add_parser(report.name, help=report.help, description=report.help)
            report.add_arguments(report_parser)

    def handle(self, *args, **options):
        report = next(r for r in REPORTS if r.name == options["report"])
        report.run(self, options)
