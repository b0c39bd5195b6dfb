"""Reading notification files (CSV or JSON lines) and importing them.

A file is streamed; each row is taken or rejected on its own, with its line
number and reason, and a rejected row changes nothing stored. Rows are taken
in a chunk at a time by the intake engine (intake.py). Problems
with the file as a whole (no header, required columns missing, not a
notification file at all) refuse the file before anything is stored.
"""

from __future__ import annotations

import csv
import io
import json
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator

from django.utils import timezone

from homeward.access.audit import audit_record
from homeward.access.models import AuditEvent
from homeward.problems import Problem, Refused

from .models import ImportBatch
from .parsing import FIELDS, REQUIRED

MAX_COLUMNS = 200
MAX_LINE_BYTES = 1_000_000
csv.field_size_limit(MAX_LINE_BYTES)


@dataclass
class RowError:
    line: int
    reason: str


@dataclass
class Summary:
    created: int = 0
    updated: int = 0
    merged: int = 0
    unchanged: int = 0
    review: int = 0
    rejected: list[RowError] = field(default_factory=list)

    @property
    def rows(self) -> int:
        return self.created + self.updated + self.merged + self.unchanged + len(self.rejected)

    def as_dict(self) -> dict:
        return {
            "rows": self.rows,
            "created": self.created,
            "updated": self.updated,
            "merged": self.merged,
            "unchanged": self.unchanged,
            "review": self.review,
            "rejected": [{"line": e.line, "reason": e.reason} for e in self.rejected],
        }


def _decode_line(raw: bytes, line_no: int) -> str | RowError:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        return RowError(line_no, f"is not UTF-8 text (byte 0x{raw[exc.start]:02x} at position {exc.start + 1})")


def detect_format(path: Path, head: bytes) -> str:
    suffix = path.suffix.lower()
    if suffix in (".jsonl", ".ndjson", ".json"):
        return "jsonl"
    if suffix == ".csv":
        return "csv"
    return "jsonl" if head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"{") else "csv"


def read_rows(stream: io.BufferedIOBase, fmt: str, name: str = "file") -> Iterator[tuple[int, dict | RowError]]:
    """Yield (line number, row) or (line number, RowError) for every data row."""
    if fmt == "jsonl":
        yield from _read_jsonl(stream)
    else:
        yield from _read_csv(stream, name)


def _read_jsonl(stream) -> Iterator[tuple[int, dict | RowError]]:
    for line_no, raw in enumerate(stream, start=1):
        if line_no == 1 and raw.startswith(b"\xef\xbb\xbf"):
            raw = raw[3:]
        if not raw.strip():
            continue
        if len(raw) > MAX_LINE_BYTES:
            yield line_no, RowError(line_no, f"is longer than {MAX_LINE_BYTES} bytes")
            continue
        text = _decode_line(raw, line_no)
        if isinstance(text, RowError):
            yield line_no, text
            continue
        try:
            obj = json.loads(text)
        except json.JSONDecodeError as exc:
            reason = "is not complete JSON (the file may be truncated)" if "Unterminated" in exc.msg or "Expecting" in exc.msg and exc.pos >= len(text.rstrip()) - 1 else f"is not valid JSON ({exc.msg})"
            yield line_no, RowError(line_no, reason)
            continue
        if not isinstance(obj, dict):
            yield line_no, RowError(line_no, "is not a JSON object")
            continue
        if len(obj) > MAX_COLUMNS:
            yield line_no, RowError(line_no, f"has {len(obj)} fields; at most {MAX_COLUMNS} are accepted")
            continue
        yield line_no, obj


def _physical_lines(stream) -> Iterator[tuple[int, str | RowError]]:
    for line_no, raw in enumerate(stream, start=1):
        if line_no == 1 and raw.startswith(b"\xef\xbb\xbf"):
            raw = raw[3:]
        if len(raw) > MAX_LINE_BYTES:
            yield line_no, RowError(line_no, f"is longer than {MAX_LINE_BYTES} bytes")
            continue
        yield line_no, _decode_line(raw, line_no)


def _read_csv(stream, name: str) -> Iterator[tuple[int, dict | RowError]]:
    lines = _physical_lines(stream)
    header_line = None
    for line_no, text in lines:
        if isinstance(text, RowError):
            raise Refused(Problem("file", f"{name}: the header (line {line_no}) is not UTF-8 text"))
        if text.strip():
            header_line = text
            break
    if header_line is None:
        raise Refused(Problem("file", f"{name}: the file is empty"))
    header = next(csv.reader([header_line]))
    header = [h.strip() for h in header]
    if len(header) > MAX_COLUMNS:
        raise Refused(Problem("file", f"{name}: the header has {len(header)} columns; at most {MAX_COLUMNS} are accepted"))
    missing = [f for f in REQUIRED if f not in header]
    if missing:
        raise Refused(Problem("file", f"{name}: the header lacks the required column(s) {', '.join(missing)}"))
    duplicates = sorted({h for h in header if header.count(h) > 1})
    if duplicates:
        raise Refused(Problem("file", f"{name}: the header repeats the column(s) {', '.join(duplicates)}"))

    # Assemble records from physical lines, so that a quoted field may span
    # lines and each record is reported by the line it starts on.
    pending: list[str] = []
    start_line = 0
    for line_no, text in lines:
        if isinstance(text, RowError):
            if pending:
                yield start_line, RowError(start_line, "is not complete: a later line is not UTF-8 text")
                pending = []
            yield line_no, text
            continue
        if not pending:
            if not text.strip():
                continue
            start_line = line_no
        pending.append(text)
        joined = "".join(pending)
        if joined.count('"') % 2 == 1:  # inside a quoted field: read on
            if len(pending) > 1000:
                yield start_line, RowError(start_line, "has a quoted field that never ends")
                pending = []
            continue
        pending = []
        try:
            values = next(csv.reader([joined]))
        except csv.Error as exc:
            yield start_line, RowError(start_line, f"cannot be read as CSV ({exc})")
            continue
        if len(values) != len(header):
            why = "the file may be truncated" if len(values) < len(header) else "a value may hold an unquoted comma"
            yield start_line, RowError(
                start_line, f"has {len(values)} columns but the header has {len(header)} ({why})"
            )
            continue
        yield start_line, dict(zip(header, values))
    if pending:
        yield start_line, RowError(start_line, "ends inside a quoted field (the file may be truncated)")


def import_notifications(
    *,
    actor,
    authority,
    path: Path | None = None,
    stream: io.BufferedIOBase | None = None,
    name: str | None = None,
    fmt: str | None = None,
    progress: Callable[[int], None] | None = None,
    chunk_rows: int | None = None,
) -> tuple[Summary, ImportBatch]:
    """Import a notification file for the area authority's feed.

    The file is streamed and taken in by the intake engine a chunk of rows at
    a time, each chunk in one transaction (homeward/episodes/intake.py): a
    file that stops half way leaves its earlier chunks stored, and importing
    it again stores the rest (rows already stored are unchanged).
    """
    from .intake import CHUNK_ROWS, Intake, Item

    if stream is None:
        if path is None:
            raise ValueError("a path or a stream is needed")
        try:
            stream = path.open("rb")
        except OSError as exc:
            raise Refused(Problem("file", f"{path}: cannot be opened ({exc.strerror})")) from None
    name = name or (path.name if path else "upload")
    buffered = io.BufferedReader(stream) if not hasattr(stream, "peek") else stream
    head = buffered.peek(64)[:64]
    fmt = fmt or detect_format(Path(name), head)
    summary = Summary()
    batch = ImportBatch.objects.create(kind="notifications", area_authority=authority, filename=name[:300],
                                       actor_username=getattr(actor, "username", "") or "")
    intake = Intake(actor=actor, area_authority=authority, batch=batch, chunk_rows=chunk_rows or CHUNK_ROWS)
    pending: list[tuple[int, dict | RowError]] = []

    def take() -> None:
        items = [Item(row=row, line=line_no) for line_no, row in pending if not isinstance(row, RowError)]
        results = iter(intake.apply(items))
        for line_no, row in pending:
            if isinstance(row, RowError):
                summary.rejected.append(row)
                continue
            result = next(results)
            if result.kind is None:
                reason = "; ".join(f"{p.field}: {p.message}" for p in result.problems)
                summary.rejected.append(RowError(line_no, reason))
            else:
                setattr(summary, result.kind, getattr(summary, result.kind) + 1)
                summary.review += int(result.review)
        if progress is not None:
            progress(len(pending))
        pending.clear()

    for line_no, row in read_rows(buffered, fmt, name):
        pending.append((line_no, row))
        if len(pending) >= intake.chunk_rows:
            take()
    if pending:
        take()
    batch.finished_at = timezone.now()
    batch.summary = summary.as_dict()
    batch.save(update_fields=["finished_at", "summary"])
    audit_record(actor=actor, action=AuditEvent.Action.IMPORT, obj=batch,
                 summary=f"Imported notifications from {name}"[:300],
                 payload={k: v for k, v in summary.as_dict().items() if k != "rejected"} | {"rejected": len(summary.rejected)})
    return summary, batch


def format_summary(summary: Summary, name: str) -> str:
    lines = [
        f"{name}: {summary.rows} rows: {summary.created} created, {summary.updated} updated, "
        f"{summary.merged} merged, {summary.unchanged} unchanged, {len(summary.rejected)} rejected"
        + (f"; {summary.review} sent to the match review queue" if summary.review else "")
    ]
    for error in summary.rejected:
        lines.append(f"{name}:{error.line}: {error.reason}")
    return "\n".join(lines)
