"""`homeward export <kind> ...`: statutory and sector extracts as CSV.

- `export ssda903-missing --authority CODE --year YYYY`: the DfE SSDA903
  missing table (ssda903_missing.py).
- `export annex-a-missing --authority CODE --from YYYY-MM-DD --to YYYY-MM-DD
  [--out FILE]`: Ofsted Annex A list 8, missing and absent episodes
  (annex_a.py).
- `export ssd-missing --authority CODE --from ... --to ... [--out FILE]`:
  the Standard Safeguarding Dataset's `ssd_missing` table (ssd.py).

Every export is audited. Bad input (an unknown authority, a bad date, `--to`
not after `--from`, a file that cannot be written) raises CommandError:
`homeward` prints the message and exits non-zero, without a traceback.
"""

from __future__ import annotations

import os
import re
import tempfile
from datetime import date
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from homeward.placements.services import authority_get
from homeward.problems import Refused

DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")

# The period extracts: name -> (module under homeward.reporting, what it is).
PERIOD_EXPORTS = {
    "annex-a-missing": ("annex_a", "Ofsted Annex A list 8: one row per missing or absent episode of the period"),
    "ssd-missing": ("ssd", "the Standard Safeguarding Dataset's ssd_missing table: one row per episode of the period"),
}


def parse_day(value: str, option: str) -> date:
    text = (value or "").strip()
    try:
        if not DAY.match(text):
            raise ValueError
        return date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"{option}: '{value}' is not a date: give it as YYYY-MM-DD") from None


def period(options: dict) -> tuple[date, date]:
    start = parse_day(options["start"], "--from")
    end = parse_day(options["end"], "--to")
    if end <= start:
        raise CommandError(f"--to ({end}) must be after --from ({start}): --to is the day after the period's "
                           "last day (exclusive)")
    return start, end


def one_authority(code: str, kind: str):
    if (code or "").strip().lower() == "all":
        raise CommandError(f"--authority: `export {kind}` is for one authority: give its three-digit DfE code, "
                           "not 'all'")
    try:
        return authority_get(code, "--authority")
    except Refused as exc:
        raise CommandError(f"--authority: {exc.problems[0].message}") from None


def check_out(path: str) -> Path:
    """The output file, refused before any work if it cannot be written there."""
    out = Path(path)
    if out.is_dir():
        raise CommandError(f"--out: {path}: is a folder, not a file")
    folder = out.parent if str(out.parent) else Path(".")
    if not folder.is_dir():
        raise CommandError(f"--out: {path}: the folder {folder} does not exist")
    if not os.access(folder, os.W_OK) or (out.exists() and not os.access(out, os.W_OK)):
        raise CommandError(f"--out: {path}: cannot write there (permission denied)")
    return out


def write_file(out: Path, text: str) -> None:
    """Written whole or not at all: a temporary file in the same folder, then renamed."""
    folder = out.parent if str(out.parent) else Path(".")
    tmp = None
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".tmp", dir=folder)
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
        os.replace(tmp, out)
    except OSError as exc:
        if tmp is not None and os.path.exists(tmp):
            os.unlink(tmp)
        raise CommandError(f"--out: {out}: cannot write the file ({exc.strerror or exc})") from None


class Command(BaseCommand):
    help = ("Statutory and sector extracts as CSV: `export ssda903-missing --authority CODE --year YYYY`, "
            "`export annex-a-missing|ssd-missing --authority CODE --from YYYY-MM-DD --to YYYY-MM-DD [--out FILE]`.")

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="kind", required=True)
        m = sub.add_parser("ssda903-missing", help="the SSDA903 missing table for the year ending 31 March YYYY")
        m.add_argument("--authority", required=True)
        m.add_argument("--year", required=True, type=int, help="the collection year's end, e.g. 2025 for 2024-25")
        for name, (_, what) in PERIOD_EXPORTS.items():
            p = sub.add_parser(name, help=what, description=what)
            p.add_argument("--authority", required=True, metavar="CODE", help="the authority's three-digit DfE code")
            p.add_argument("--from", dest="start", required=True, metavar="YYYY-MM-DD",
                           help="the first day of the period (episodes that started on or after it)")
            p.add_argument("--to", dest="end", required=True, metavar="YYYY-MM-DD",
                           help="the day after the period's last day (exclusive)")
            p.add_argument("--out", metavar="FILE", help="write the CSV to this file (default: standard output)")

    def handle(self, *args, **options):
        if options["kind"] in PERIOD_EXPORTS:
            return self.period_export(options)
        from homeward.reporting import ssda903_missing

        try:
            authority = authority_get(options["authority"], "--authority")
        except Refused as exc:
            raise CommandError(exc.problems[0].message) from None
        if not 2000 <= options["year"] <= 2100:
            raise CommandError(f"--year: {options['year']} is not a collection year like 2025")
        text, breaks = ssda903_missing.export(actor=None, authority=authority, year=options["year"])
        if breaks:
            for b in breaks:
                self.stderr.write(str(b))
            raise CommandError(f"the SSDA903 missing table for {authority.code} {options['year']} was not written: "
                               f"{len(breaks)} rule break(s) listed above; correct the records and export again")
        self.stdout.write(text, ending="")

    def period_export(self, options: dict) -> None:
        from importlib import import_module

        kind = options["kind"]
        module = import_module(f"homeward.reporting.{PERIOD_EXPORTS[kind][0]}")
        authority = one_authority(options["authority"], kind)
        start, end = period(options)
        out = check_out(options["out"]) if options.get("out") else None
        text, rows = module.export(actor=None, authority=authority, start=start, end=end,
                                   out=str(out) if out else "")
        if out is None:
            self.stdout.write(text, ending="")
            return
        write_file(out, text)
        self.stdout.write(f"{rows} rows written to {out}")
