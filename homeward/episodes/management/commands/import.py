from __future__ import annotations

import os
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from homeward.placements.services import authority_get
from homeward.problems import Refused


class Command(BaseCommand):
    help = "Import files: `import notifications FILE --authority CODE`, `import ssda903 HEADER EPISODES --authority CODE`."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="kind", required=True)
        n = sub.add_parser("notifications", help="missing notifications, CSV or JSON lines (contract.md)")
        n.add_argument("file")
        n.add_argument("--authority", required=True, help="the area authority whose feed this is (DfE code)")
        n.add_argument("--format", choices=["csv", "jsonl"], help="default: from the file name or its content")
        n.add_argument("--no-progress", action="store_true")
        s = sub.add_parser("ssda903", help="the authority's SSDA903 header and episodes CSV files")
        s.add_argument("header")
        s.add_argument("episodes")
        s.add_argument("--authority", required=True, help="the responsible authority (DfE code)")

    def handle(self, *args, **options):
        if options["kind"] == "ssda903":
            from homeward.placements.ssda903 import run_ssda903_command

            status = run_ssda903_command(
                self.stdout, header=options["header"], episodes=options["episodes"], authority_code=options["authority"]
            )
            if status:
                raise SystemExit(status)
            return
        try:
            authority = authority_get(options["authority"], "--authority")
        except Refused as exc:
            raise CommandError(exc.problems[0].message) from None
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"{path}: no such file")
        from homeward.episodes.importing import format_summary, import_notifications

        bar = None
        if not options["no_progress"]:
            from tqdm import tqdm

            out = self.stderr._out
            on_terminal = getattr(out, "isatty", lambda: False)()  # (tqdm shows nothing elsewhere: disable=None)
            bar = tqdm(total=_rows_in(path) if on_terminal else None, unit="rows", desc=path.name, disable=None,
                       dynamic_ncols=True, mininterval=0.5, file=out)
        try:
            summary, _ = import_notifications(
                actor=None, authority=authority, path=path, fmt=options.get("format"),
                progress=(lambda n: bar.update(n)) if bar is not None else None,
            )
        except Refused as exc:
            raise CommandError("; ".join(p.message for p in exc.problems)) from None
        finally:
            if bar is not None:
                if bar.total is not None and bar.n != bar.total:
                    bar.total = bar.n  # a CSV value holding line breaks: lines are not rows
                bar.close()
        self.stdout.write(format_summary(summary, path.name))
        if summary.rejected:
            raise SystemExit(1)


def _rows_in(path: Path) -> int | None:
    """About how many rows the file holds, for the progress bar: its lines,
    less a CSV header (a quoted value may hold line breaks: then fewer)."""
    lines, last = 0, b"\n"
    try:
        with path.open("rb") as f:
            while chunk := f.read(1 << 20):
                lines += chunk.count(b"\n")
                last = chunk[-1:]
            f.seek(0)
            first = f.read(4096).lstrip(b"\xef\xbb\xbf").lstrip()
    except OSError:
        return None
    if last != b"\n":
        lines += 1  # a last line without its line break
    header = 0 if first.startswith((b"{", b"[")) else 1
    return max(lines - header, 0)

