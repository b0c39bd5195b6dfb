"""`homeward report hotspots` (contract.md, "Command line"): where the
period's episodes ended, one entry per postcode district of the place found.

    homeward report hotspots --authority CODE|all --from YYYY-MM-DD --to YYYY-MM-DD [--format json|csv]

JSON: a list of {"district", "episodes", "children"}, most episodes first;
the episodes with no place found are counted under "district": null. Ties:
most children first, then the district in natural order (CT2 before CT10),
the null entry last among equals (rules.hotspot_order). CSV: the header
`district,episodes,children`, the null district as an empty cell. Exact
figures (no suppression), as every command-line report; audited as an
export.
"""

from __future__ import annotations

import csv
import io
import json

from django.core.management.base import BaseCommand

from homeward.reporting.management.commands.report import Report, authority_or_all


class HotspotsReport(Report):
    name = "hotspots"
    help = ("where the period's episodes ended: one entry per postcode district of the place found "
            "(district, episodes, children), most episodes first; no place found: district null")

    def add_arguments(self, parser) -> None:
        self.add_period_arguments(parser)
        parser.add_argument("--format", choices=["json", "csv"], default="json", help="json (default) or csv")

    def run(self, command: BaseCommand, options: dict) -> None:
        from .hotspots import report_rows

        start, end = self.period(options)
        authority = authority_or_all(options["authority"])
        rows = report_rows(authority_id=authority.pk if authority else None, start=start, end=end)
        fmt = options["format"]
        if fmt == "csv":
            out = io.StringIO()
            writer = csv.writer(out, lineterminator="\n")
            writer.writerow(["district", "episodes", "children"])
            for r in rows:
                writer.writerow([r["district"] or "", r["episodes"], r["children"]])
            output = out.getvalue()
        else:
            output = json.dumps(rows, indent=2) + "\n"
        self.audit_export(object_type="hotspots", authority=authority, start=start, end=end, fmt=fmt)
        command.stdout.write(output, ending="")
