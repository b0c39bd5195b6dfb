"""Reading notification files and rows (contract.md, "Notification file").

* `read_rows` streams a CSV or JSON-lines file: each data row, or the reason
  it cannot be read, with its line number. Problems with the file as a whole
  (no header, required columns missing) refuse the file.
* `parse_row` turns a dict of strings (a CSV row or a JSON line) into a
  `ParsedRow`, or raises `Refused` naming every field that is wrong and why.
* `content_hash` is a row's identity as received: the same row sent again is
  the same hash (the intake stores it once).
* `serve_reader` (run as ``python -m homeward.episodes.parsing``) does all of
  that for a whole file in a second process and sends the results to the
  importing process (importing.py, `ReaderProcess`), so that a large file is
  read and checked on one core while the other matches and writes.

It knows nothing of the database and imports nothing of Django.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import pickle
import re
import struct
import sys
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from json.encoder import encode_basestring, encode_basestring_ascii
from pathlib import Path
from typing import Iterator

from homeward.problems import Problem, Refused

from .rules import LONDON

FIELDS = (
    "source",
    "source_ref",
    "child_ref",
    "first_name",
    "last_name",
    "dob",
    "sex",
    "missing_from",
    "category",
    "last_seen_at",
    "reported_at",
    "risk_level",
    "postcode",
    "provider_urn",
    "responsible_authority",
    "returned_at",
    "found_postcode",
    "flags",
    "notes",
)
REQUIRED = ("source", "source_ref", "first_name", "last_name", "dob", "last_seen_at")
RISK_LEVELS = ("high", "medium", "low", "no_apparent_risk")
FEED_FLAGS = ("cse", "cce", "trafficking", "uasc", "county_lines", "gangs", "substance_misuse", "mental_health")
MAX_FIELD_LENGTH = {"notes": 4000}
DEFAULT_MAX_LENGTH = 200
POSTCODE = re.compile(r"^[A-Z]{1,2}[0-9][0-9A-Z]?( ?[0-9]([A-Z]{2})?)?$")


@dataclass
class ParsedRow:
    source: str
    source_ref: str
    child_ref: str
    first_name: str
    last_name: str
    dob: date
    sex: str
    missing_from: str
    category: str
    last_seen_at: datetime
    reported_at: datetime | None
    risk_level: str
    postcode: str
    provider_urn: str
    responsible_authority: str
    returned_at: datetime | None
    found_postcode: str
    flags: list[str]
    notes: str
    raw: dict = field(default_factory=dict)


def parse_datetime(value: str) -> datetime:
    """ISO 8601; without an offset, Europe/London local time."""
    text = value.strip()
    if not text:
        raise ValueError("blank")
    if text.endswith("Z"):
        text = text[:-1] + "+00:00"
    parsed = datetime.fromisoformat(text)
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=LONDON)
    # Held in UTC from here on: Python compares and subtracts two times of the
    # same zone by their wall clocks, which is wrong across a clock change.
    return parsed.astimezone(timezone.utc)


def parse_date(value: str) -> date:
    text = value.strip()
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        raise ValueError("not YYYY-MM-DD")
    return date.fromisoformat(text)


def normalise_postcode(value: str) -> str:
    text = re.sub(r"\s+", "", value.strip().upper())
    if len(text) > 4:
        return f"{text[:-3]} {text[-3:]}"
    return text


def parse_row(row: dict) -> ParsedRow:
    """The row's values, checked (see `parse_row_checked`, which this gives
    exactly: a row that is plain text and right in every field is read by a
    quicker path; any other goes through the full checks)."""
    parsed = _parse_plain(row)
    if parsed is None:
        parsed = parse_row_checked(row)
    return parsed


_POSTCODES: dict[str, str | None] = {}  # value as received -> normalised, or None when not a postcode
_FLAG_LISTS: dict[str, tuple[str, ...] | None] = {}
_RISKS = frozenset(("",) + RISK_LEVELS)
_FEED_FLAGS = frozenset(FEED_FLAGS)
_FIELD_NAMES = frozenset(FIELDS)


def _plain_postcode(value: str) -> str | None:
    """normalise_postcode of a valid (or blank) postcode; None otherwise."""
    found = _POSTCODES.get(value, False)
    if found is False:
        pc = normalise_postcode(value)
        found = pc if not pc or POSTCODE.match(pc) else None
        if len(_POSTCODES) > 100_000:
            _POSTCODES.clear()
        _POSTCODES[value] = found
    return found


def _plain_flags(value: str) -> tuple[str, ...] | None:
    found = _FLAG_LISTS.get(value, False)
    if found is False:
        flags: list[str] = []
        found = ()
        for item in value.split(";"):
            flag = item.strip().lower()
            if not flag:
                continue
            if flag not in _FEED_FLAGS:
                found = None
                break
            if flag not in flags:
                flags.append(flag)
        if found is not None:
            found = tuple(flags)
        if len(_FLAG_LISTS) > 10_000:
            _FLAG_LISTS.clear()
        _FLAG_LISTS[value] = found
    return found


def _plain_datetime(text: str) -> datetime | None:
    if not text:
        return None
    try:
        return parse_datetime(text)
    except ValueError:
        return _BAD


_BAD = datetime.min  # a marker: not a date-time


def _parse_plain(row: dict) -> ParsedRow | None:
    """parse_row for a row of text values that passes every check; None for
    anything else (then parse_row_checked says what is wrong)."""
    values: dict[str, str] = {}
    for key, value in row.items():
        if value.__class__ is not str or key.__class__ is not str:
            return None
        value = value.strip()
        if len(value) > DEFAULT_MAX_LENGTH and key in _FIELD_NAMES \
                and len(value) > MAX_FIELD_LENGTH.get(key, DEFAULT_MAX_LENGTH):
            return None
        values[key] = value
    get = values.get
    source, source_ref, first_name, last_name = get("source"), get("source_ref"), get("first_name"), get("last_name")
    dob_text, seen_text = get("dob"), get("last_seen_at")
    if not (source and source_ref and first_name and last_name and dob_text and seen_text):
        return None
    if not (len(dob_text) == 10 and dob_text.isascii() and dob_text[4] == "-" and dob_text[7] == "-"
            and dob_text[:4].isdigit() and dob_text[5:7].isdigit() and dob_text[8:].isdigit()):
        return None
    try:
        dob = date.fromisoformat(dob_text)
    except ValueError:
        return None
    last_seen_at = _plain_datetime(seen_text)
    reported_at = _plain_datetime(get("reported_at", ""))
    returned_at = _plain_datetime(get("returned_at", ""))
    if last_seen_at is _BAD or reported_at is _BAD or returned_at is _BAD:
        return None
    sex = get("sex", "").upper()
    if sex not in ("", "M", "F"):
        return None
    missing_from = get("missing_from", "").lower()
    if missing_from not in ("", "home", "care"):
        return None
    category = get("category", "").lower() or "missing"
    if category not in ("missing", "absent"):
        return None
    risk = get("risk_level", "").lower()
    if risk not in _RISKS:
        return None
    flags = _plain_flags(get("flags", ""))
    if flags is None:
        return None
    ra = get("responsible_authority", "")
    if ra and not (len(ra) == 3 and ra.isascii() and ra.isdigit()):
        return None
    postcode = _plain_postcode(get("postcode", ""))
    found_postcode = _plain_postcode(get("found_postcode", ""))
    if postcode is None or found_postcode is None:
        return None
    if returned_at is not None and returned_at < last_seen_at:
        return None
    if reported_at is not None and reported_at < last_seen_at:
        return None
    if last_seen_at.date() < dob:
        return None
    return ParsedRow(source, source_ref, get("child_ref", ""), first_name, last_name, dob, sex, missing_from,
                     category, last_seen_at, reported_at, risk, postcode, get("provider_urn", "").upper(), ra,
                     returned_at, found_postcode, list(flags), get("notes", ""), dict(row))


def parse_row_checked(row: dict) -> ParsedRow:
    """Every check of a row, each problem named (the reference for parse_row)."""
    problems: list[Problem] = []
    values: dict[str, str] = {}
    for key, raw_value in row.items():
        if raw_value is None:
            raw_value = ""
        if not isinstance(raw_value, str):
            if isinstance(raw_value, (int, float)) and not isinstance(raw_value, bool):
                raw_value = str(raw_value)
            else:
                problems.append(Problem(str(key), "must be text"))
                continue
        values[str(key)] = raw_value.strip()

    for name in REQUIRED:
        if not values.get(name):
            problems.append(Problem(name, "is required and was blank or missing"))
    for name in FIELDS:
        limit = MAX_FIELD_LENGTH.get(name, DEFAULT_MAX_LENGTH)
        if len(values.get(name, "")) > limit:
            problems.append(Problem(name, f"is longer than {limit} characters"))

    def dt(name: str, required: bool) -> datetime | None:
        text = values.get(name, "")
        if not text:
            return None
        try:
            return parse_datetime(text)
        except ValueError:
            problems.append(Problem(name, f"'{text[:40]}' is not an ISO 8601 date-time (e.g. 2024-07-05T21:10)"))
            return None

    dob = None
    if values.get("dob"):
        try:
            dob = parse_date(values["dob"])
        except ValueError:
            problems.append(Problem("dob", f"'{values['dob'][:40]}' is not a date as YYYY-MM-DD"))
    last_seen_at = dt("last_seen_at", True)
    reported_at = dt("reported_at", False)
    returned_at = dt("returned_at", False)

    sex = values.get("sex", "").upper()
    if sex not in ("", "M", "F"):
        problems.append(Problem("sex", f"'{values['sex'][:10]}' must be M, F or blank"))
    missing_from = values.get("missing_from", "").lower()
    if missing_from not in ("", "home", "care"):
        problems.append(Problem("missing_from", f"'{values['missing_from'][:20]}' must be home, care or blank"))
    category = values.get("category", "").lower() or "missing"
    if category not in ("missing", "absent"):
        problems.append(Problem("category", f"'{values['category'][:20]}' must be missing or absent"))
    risk = values.get("risk_level", "").lower()
    if risk not in ("",) + RISK_LEVELS:
        problems.append(Problem("risk_level", f"'{values['risk_level'][:20]}' must be one of {', '.join(RISK_LEVELS)}"))
    flags: list[str] = []
    for item in values.get("flags", "").split(";"):
        flag = item.strip().lower()
        if not flag:
            continue
        if flag not in FEED_FLAGS:
            problems.append(Problem("flags", f"'{flag[:30]}' is not a known flag ({', '.join(FEED_FLAGS)})"))
        elif flag not in flags:
            flags.append(flag)
    ra = values.get("responsible_authority", "")
    if ra and not re.fullmatch(r"\d{3}", ra):
        problems.append(Problem("responsible_authority", f"'{ra[:20]}' is not a three-digit authority code"))
    postcodes = {}
    for name in ("postcode", "found_postcode"):
        pc = normalise_postcode(values.get(name, ""))
        if pc and not POSTCODE.match(pc):
            problems.append(Problem(name, f"'{values[name][:20]}' is not a UK postcode"))
        postcodes[name] = pc

    if last_seen_at and returned_at and returned_at < last_seen_at:
        problems.append(Problem("returned_at", "is before last_seen_at"))
    if last_seen_at and reported_at and reported_at < last_seen_at:
        problems.append(Problem("reported_at", "is before last_seen_at"))
    if dob and last_seen_at and last_seen_at.date() < dob:
        problems.append(Problem("last_seen_at", "is before the child's date of birth"))

    if problems:
        raise Refused(problems)
    assert dob is not None and last_seen_at is not None
    return ParsedRow(
        source=values["source"],
        source_ref=values["source_ref"],
        child_ref=values.get("child_ref", ""),
        first_name=values["first_name"],
        last_name=values["last_name"],
        dob=dob,
        sex=sex,
        missing_from=missing_from,
        category=category,
        last_seen_at=last_seen_at,
        reported_at=reported_at,
        risk_level=risk,
        postcode=postcodes["postcode"],
        provider_urn=values.get("provider_urn", "").upper(),
        responsible_authority=ra,
        returned_at=returned_at,
        found_postcode=postcodes["found_postcode"],
        flags=flags,
        notes=values.get("notes", ""),
        raw=dict(row),
    )


# --- a row's identity -----------------------------------------------------------------


def content_hash(row: dict) -> str:
    """SHA-256 of the row as received (every field, sorted by name, None as
    blank): the same row sent again has the same hash."""
    return hashlib.sha256(_canonical(row).encode("utf-8")).hexdigest()


def _canonical_slow(row: dict) -> str:
    return json.dumps({k: ("" if v is None else v) for k, v in row.items()}, sort_keys=True, ensure_ascii=False)


_ORDERS: dict[tuple, tuple] = {}  # the row's field names -> (positions sorted by name, their JSON keys)


def _canonical(row: dict) -> str:
    """What _canonical_slow gives, built from the JSON encoder's own string
    escaping when every name and value is text (the usual case)."""
    keys = tuple(row)
    order = _ORDERS.get(keys)
    if order is None:
        if not all(k.__class__ is str for k in keys):
            return _canonical_slow(row)
        positions = sorted(range(len(keys)), key=keys.__getitem__)
        order = (positions, [encode_basestring(keys[i]) + ": " for i in positions])
        if len(_ORDERS) > 1000:
            _ORDERS.clear()
        _ORDERS[keys] = order
    values = tuple(row.values())
    parts = []
    for i, key in zip(order[0], order[1]):
        value = values[i]
        if value.__class__ is not str:
            if value is None:
                value = ""
            else:
                return _canonical_slow(row)
        parts.append(key + encode_basestring(value))
    return "{" + ", ".join(parts) + "}"


_RAW_KEYS: dict[tuple, list[str]] = {}


def raw_json(row: dict) -> str:
    """The row as stored (json.dumps of the dict, as the database layer writes
    a JSON field), built quickly when every name and value is text."""
    keys = tuple(row)
    encoded = _RAW_KEYS.get(keys)
    if encoded is None:
        if not all(k.__class__ is str for k in keys):
            return json.dumps(row)
        encoded = [encode_basestring_ascii(k) + ": " for k in keys]
        if len(_RAW_KEYS) > 1000:
            _RAW_KEYS.clear()
        _RAW_KEYS[keys] = encoded
    parts = []
    for key, value in zip(encoded, row.values()):
        if value.__class__ is not str:
            return json.dumps(row)
        parts.append(key + encode_basestring_ascii(value))
    return "{" + ", ".join(parts) + "}"


# --- reading a file ---------------------------------------------------------------------

MAX_COLUMNS = 200
MAX_LINE_BYTES = 1_000_000
csv.field_size_limit(MAX_LINE_BYTES)


@dataclass
class RowError:
    line: int
    reason: str


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


# --- the reader process -------------------------------------------------------------------
#
# For a large file, importing.py runs `python -m homeward.episodes.parsing PATH FORMAT NAME`
# and reads what it writes: frames (8-byte length, then a pickle) of
#   ("rows", [record, ...])    a record per data row, in file order:
#       (line, reason)                          a row that cannot be read (a RowError)
#       (line, [(field, message), ...])         a row refused by parse_row
#       (line, read, fields, hash, stored JSON) a row to take in: `fields` are its ParsedRow's
#                                               values (`parsed_from` makes the ParsedRow again),
#                                               `read` the values of RULES_READ in the row as
#                                               received (all the intake reads of it)
#   ("refused", [(field, message), ...])        the file as a whole is refused
#   ("end",)
# Only built-in types cross the pipe.

FRAME_ROWS = 500
FRAME_LENGTH = struct.Struct("<Q")
# What the episode rules read of a row as received, beyond its ParsedRow (intake.Note).
RULES_READ = ("category", "missing_from", "provider_urn", "postcode", "found_postcode")
_PARSED_FIELDS = tuple(f for f in ParsedRow.__dataclass_fields__ if f != "raw")


def prepare(row: dict) -> tuple | list:
    """What the intake needs of a row: (its ParsedRow's values, content
    hash, JSON as stored), or why parse_row refuses it: [(field, message)]."""
    try:
        parsed = parse_row(row)
    except Refused as exc:
        return [(p.field, p.message) for p in exc.problems]
    d = parsed.__dict__
    return tuple(d[name] for name in _PARSED_FIELDS), content_hash(row), raw_json(row)


def parsed_from(fields: tuple, row: dict) -> ParsedRow:
    """The ParsedRow of prepared values (`prepare`) and the row they came from
    (or the part of it the reader sends, RULES_READ)."""
    return ParsedRow(*fields, raw=row)


def serve_reader(path: str, fmt: str, name: str, out) -> None:
    """Read, check and hash every row of a file and write the frames (above) to `out`."""

    def send(message) -> None:
        data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
        out.write(FRAME_LENGTH.pack(len(data)))
        out.write(data)

    try:
        with open(path, "rb") as stream:
            batch: list[tuple] = []
            for line_no, row in read_rows(stream, fmt, name):
                if isinstance(row, RowError):
                    batch.append((line_no, row.reason))
                else:
                    prepared = prepare(row)
                    if prepared.__class__ is list:
                        batch.append((line_no, prepared))
                    else:
                        read = {k: row[k] for k in RULES_READ if k in row}
                        batch.append((line_no, read, *prepared))
                if len(batch) >= FRAME_ROWS:
                    send(("rows", batch))
                    batch = []
            if batch:
                send(("rows", batch))
        send(("end",))
    except Refused as exc:
        send(("refused", [(p.field, p.message) for p in exc.problems]))
    out.flush()


def _main(argv: list[str]) -> int:
    import gc

    out = sys.stdout.buffer
    sys.stdout = sys.stderr  # nothing else may write to the pipe
    gc.freeze()  # what is loaded now lives as long as the process: no collection needs to look at it
    try:
        serve_reader(argv[0], argv[1], argv[2], out)
    except BrokenPipeError:  # the importing process stopped reading: it has stopped
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(_main(sys.argv[1:]))
