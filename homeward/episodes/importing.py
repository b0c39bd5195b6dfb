"""Importing notification files (CSV or JSON lines).

A file is streamed (parsing.read_rows); each row is taken or rejected on its
own, with its line number and reason, and a rejected row changes nothing
stored. Rows are taken in a chunk at a time by the intake engine (intake.py).
Problems with the file as a whole (no header, required columns missing, not a
notification file at all) refuse the file before anything is stored.

A large file is read, checked and hashed in a second process
(`ReaderProcess`) while this one matches and writes: the same rows, the same
checks, the same results, on two cores.
"""

from __future__ import annotations

import gc
import io
import os
import pickle
import queue
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator

from django.utils import timezone

from homeward.access.audit import audit_record
from homeward.access.models import AuditEvent
from homeward.problems import Problem, Refused

from . import parsing
from .models import ImportBatch
from .parsing import (  # noqa: F401  (read_rows and RowError are this module's API too)
    FIELDS, MAX_COLUMNS, MAX_LINE_BYTES, REQUIRED, RowError, detect_format, read_rows,
)

# A file at least this large is read in a second process (import_notifications, `reader`).
READER_MIN_BYTES = 2_000_000
# SQLite: while a file is imported, the write-ahead log is copied into the
# database (a checkpoint, with its disk syncs) once it holds this many pages
# (4 kB each), not after every chunk (SQLite's default is 1,000 pages). The
# journal mode and the synchronous setting stay as they are (WAL, NORMAL).
SQLITE_CHECKPOINT_PAGES = 25_000


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


class ReaderProcess:
    """A file read, checked and hashed in a second process (parsing.serve_reader),
    while this one matches and writes: iterate for (line, RowError),
    (line, [Problem, ...]) for a row parse_row refuses, or
    (line, (read, ParsedRow, content hash, stored JSON)), in file order,
    where `read` holds the fields of the row the intake reads as received
    (parsing.RULES_READ): the row itself is stored as the JSON.

    A thread takes the frames off the pipe as they come (the reader runs
    ahead by up to `AHEAD` frames), so that neither process waits for the
    other while it has work. `close()` stops the reader (also when the
    import stops half way)."""

    AHEAD = 16  # frames of parsing.FRAME_ROWS rows: 8,000 rows

    def __init__(self, path: Path, fmt: str, name: str):
        import subprocess
        import threading

        root = str(Path(__file__).resolve().parents[2])
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in (root, os.environ.get("PYTHONPATH")) if p)}
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "homeward.episodes.parsing", str(path), fmt, name],
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,
        )
        self.frames: queue.Queue = queue.Queue(maxsize=self.AHEAD)
        self.closed = False
        self.thread = threading.Thread(target=self._pump, name="notification-reader", daemon=True)
        self.thread.start()

    def _pump(self) -> None:
        pipe = self.proc.stdout
        size = parsing.FRAME_LENGTH.size
        try:
            while not self.closed:
                head = pipe.read(size)
                if len(head) < size:
                    break
                (length,) = parsing.FRAME_LENGTH.unpack(head)
                data = pipe.read(length)
                if len(data) < length:
                    break
                self._put(data)
        except (OSError, ValueError):
            pass
        self._put(None)

    def _put(self, item) -> None:
        while not self.closed:
            try:
                self.frames.put(item, timeout=0.5)
                return
            except queue.Full:
                continue

    def __iter__(self) -> Iterator[tuple[int, RowError | tuple]]:
        parsed_from = parsing.parsed_from
        while True:
            data = self.frames.get()
            if data is None:
                self.proc.wait()
                why = self.proc.stderr.read().decode("utf-8", "replace").strip().splitlines()
                raise RuntimeError("the notification reader stopped: " + (why[-1] if why else
                                                                         f"exit status {self.proc.returncode}"))
            message = pickle.loads(data)
            kind = message[0]
            if kind == "rows":
                for record in message[1]:
                    if len(record) == 2:
                        line_no, why = record
                        yield line_no, (RowError(line_no, why) if why.__class__ is str
                                        else [Problem(f, m) for f, m in why])
                    else:
                        line_no, read, fields, digest, stored = record
                        yield line_no, (read, parsed_from(fields, read), digest, stored)
            elif kind == "refused":
                raise Refused([Problem(f, m) for f, m in message[1]])
            else:
                return

    def close(self) -> None:
        self.closed = True
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()
        self.thread.join(timeout=5)
        for pipe in (self.proc.stdout, self.proc.stderr):
            pipe.close()


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
    reader: bool | None = None,
) -> tuple[Summary, ImportBatch]:
    """Import a notification file for the area authority's feed.

    The file is streamed and taken in by the intake engine a chunk of rows at
    a time, each chunk in one transaction (homeward/episodes/intake.py): a
    file that stops half way leaves its earlier chunks stored, and importing
    it again stores the rest (rows already stored are unchanged).

    `reader`: read, check and hash the rows in a second process
    (`ReaderProcess`); by default for a file given by `path` of at least
    READER_MIN_BYTES. The results are the same either way.
    """
    from .intake import CHUNK_ROWS, Intake, Item

    opened = None
    if stream is None:
        if path is None:
            raise ValueError("a path or a stream is needed")
        try:
            stream = opened = path.open("rb")
        except OSError as exc:
            raise Refused(Problem("file", f"{path}: cannot be opened ({exc.strerror})")) from None
    try:
        name = name or (path.name if path else "upload")
        buffered = io.BufferedReader(stream) if not hasattr(stream, "peek") else stream
        head = buffered.peek(64)[:64]
        fmt = fmt or detect_format(Path(name), head)
        if reader is None:
            reader = opened is not None and os.fstat(opened.fileno()).st_size >= READER_MIN_BYTES
        if reader and path is None:
            raise ValueError("a second process reads a file given by its path only")
        summary = Summary()
        batch = ImportBatch.objects.create(kind="notifications", area_authority=authority, filename=name[:300],
                                           actor_username=getattr(actor, "username", "") or "")
        intake = Intake(actor=actor, area_authority=authority, batch=batch, chunk_rows=chunk_rows or CHUNK_ROWS,
                        collect_garbage=False)
        pending: list[tuple[int, dict | tuple | RowError]] = []

        def take() -> None:
            # A row as read (a dict), a row read and checked by the reader process (a tuple),
            # or one the reader found wrong (its problems).
            items = [Item(row=row, line=line_no) if row.__class__ is dict
                     else Item(row=row[0], line=line_no, prepared=row[1:]) if row.__class__ is tuple
                     else Item(row={}, line=line_no, prepared=row)
                     for line_no, row in pending if row.__class__ is not RowError]
            results = iter(intake.apply(items))
            for line_no, row in pending:
                if row.__class__ is RowError:
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

        # No garbage collection while the file is read: each chunk frees its
        # own objects (intake._Chunk.release), and a collection would look at
        # every child the matching index holds, again and again.
        collecting = gc.isenabled()
        gc.disable()
        rows = ReaderProcess(path, fmt, name) if reader else None
        checkpoints = _fewer_checkpoints()
        try:
            for line_no, row in rows if rows is not None else read_rows(buffered, fmt, name):
                pending.append((line_no, row))
                if len(pending) >= intake.chunk_rows:
                    take()
            if pending:
                take()
        finally:
            if rows is not None:
                rows.close()
            if collecting:
                gc.enable()
            checkpoints.restore()
    finally:
        if opened is not None:
            opened.close()
    batch.finished_at = timezone.now()
    batch.summary = summary.as_dict()
    batch.save(update_fields=["finished_at", "summary"])
    audit_record(actor=actor, action=AuditEvent.Action.IMPORT, obj=batch,
                 summary=f"Imported notifications from {name}"[:300],
                 payload={k: v for k, v in summary.as_dict().items() if k != "rejected"} | {"rejected": len(summary.rejected)})
    return summary, batch


class _fewer_checkpoints:
    """SQLITE_CHECKPOINT_PAGES for the import's connection (SQLite only), and back."""

    def __init__(self):
        from django.db import connection

        self.connection = connection
        self.before = None
        if connection.vendor == "sqlite" and SQLITE_CHECKPOINT_PAGES:
            with connection.cursor() as cursor:
                cursor.execute("PRAGMA wal_autocheckpoint")
                self.before = cursor.fetchone()[0]
                cursor.execute(f"PRAGMA wal_autocheckpoint={int(SQLITE_CHECKPOINT_PAGES)}")

    def restore(self) -> None:
        if self.before is not None and self.connection.connection is not None:
            with self.connection.cursor() as cursor:
                cursor.execute(f"PRAGMA wal_autocheckpoint={int(self.before)}")


def format_summary(summary: Summary, name: str) -> str:
    lines = [
        f"{name}: {summary.rows} rows: {summary.created} created, {summary.updated} updated, "
        f"{summary.merged} merged, {summary.unchanged} unchanged, {len(summary.rejected)} rejected"
        + (f"; {summary.review} sent to the match review queue" if summary.review else "")
    ]
    for error in summary.rejected:
        lines.append(f"{name}:{error.line}: {error.reason}")
    return "\n".join(lines)
