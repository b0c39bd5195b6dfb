"""Importing a responsible authority's SSDA903 header and episodes files.

`homeward import ssda903 HEADER EPISODES --authority CODE` (contract.md) calls
`run_ssda903_command`, which calls `ssda903_import`. What the import takes and
how it decides a placement's host authority: docs/ssda903-import.md.

In short:

* Both files are read and checked as files first (readable, UTF-8, a header
  row with the required columns). A file that fails is refused whole, naming
  the file, and nothing is stored.
* Each header row creates or updates one child, found by the authority's own
  identifier (ChildIdentifier kind ``la_child``, issued by the authority, value
  ``CHILD``). Each episodes row creates or updates one placement of that child,
  matched on the child and the start date (``DECOM``).
* A bad row is rejected on its own, with the file, line and field, and the rest
  is imported. A rejected row changes nothing stored.
* Children and placements the files no longer contain are left alone and
  counted. Importing the same files twice changes nothing.
* The header rows are written in one transaction and the episodes rows in
  another, each row in its own savepoint; one ``import`` audit event records
  the counts.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from django.db import DatabaseError, transaction
from django.utils import timezone

from homeward.access.audit import audit_record
from homeward.access.models import AuditEvent
from homeward.access.roles import COUNCIL_CASE_ROLES, Role
from homeward.people.models import Child, ChildIdentifier, Sex
from homeward.people.resolve import follow_merges
from homeward.problems import Problem, Refused

from .models import Authority, Placement, Provider
from .services import authority_get

HEADER_REQUIRED = ("CHILD", "DOB")
EPISODES_REQUIRED = ("CHILD", "DECOM", "PLACE")
# The URN an SSDA903 episode carries when there is no Ofsted-registered
# provider to name (foster placements with the authority's own carers, placed
# with parents, ...).
NO_PROVIDER_URN = "XXXXXXX"
# SEX: M/F/U from 2024/25; 1/2 in earlier years.
SEX_CODES = {"M": Sex.MALE, "F": Sex.FEMALE, "U": Sex.UNKNOWN, "1": Sex.MALE, "2": Sex.FEMALE}
PLACE_PROVIDERS = ("PR0", "PR1", "PR2", "PR3", "PR4", "PR5")
# PLACE_PROVIDER codes of private and voluntary providers: a foster placement
# through one of them is with an independent fostering agency.
AGENCY_PROVIDERS = ("PR3", "PR4", "PR5")

DATE = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")
PLACE = re.compile(r"[A-Z][0-9]")
CODE = re.compile(r"[A-Z0-9]+")
# A full or SSDA903-style partial postcode: "ME15 6AA", "ME15 6", "ME15".
POSTCODE = re.compile(r"[A-Z]{1,2}[0-9][0-9A-Z]?( [0-9]([A-Z]{2})?)?")
AREA = re.compile(r"([A-Z]{1,2})[0-9]")
# Control characters (NUL among them: PostgreSQL cannot store it) and line
# breaks have no place in an SSDA903 value; a line break inside one means a
# quote was not closed.
CONTROL = re.compile(r"[\x00-\x1f\x7f]")

# Field lengths of the models the values end up in: checked here, so that a
# long value is a rejected row and not a database error (PostgreSQL enforces
# them; SQLite does not).
MAX_LENGTH = {
    "CHILD": ChildIdentifier._meta.get_field("value").max_length,
    "ETHNIC": Child._meta.get_field("ethnicity").max_length,
    "LS": Placement._meta.get_field("legal_status").max_length,
    "REC": Placement._meta.get_field("reason_ceased").max_length,
    "HOME_POST": Placement._meta.get_field("home_postcode").max_length,
    "PL_POST": Placement._meta.get_field("placement_postcode").max_length,
    "URN": Provider._meta.get_field("urn").max_length,
}
CHUNK = 500


class Ssda903Refused(Refused):
    """A whole file refused: unreadable, not UTF-8, or without the required columns."""

    def __init__(self, file: str, reason: str, *, line: int | None = None, field: str = "file"):
        self.file = file
        self.line = line
        self.field = field
        self.reason = reason
        super().__init__(Problem(field, f"{file}: {reason}"))

    def location_text(self) -> str:
        """`FILE:LINE: FIELD: reason`, or `FILE: reason` when no line applies."""
        if self.line is None:
            return f"{self.file}: {self.reason}"
        return f"{self.file}:{self.line}: {self.field}: {self.reason}"


@dataclass
class _Bad:
    """One rejected field of one row."""

    line: int
    field: str
    reason: str


@dataclass
class _Table:
    name: str
    columns: list[str]
    rows: list[tuple[int, dict[str, str] | _Bad]] = field(default_factory=list)


# --- reading the files ------------------------------------------------------------------


def _read_table(path, *, required: tuple[str, ...], other_required: tuple[str, ...], kind: str) -> _Table:
    """The file's data rows as dicts of stripped strings keyed by upper-case column.

    Refuses the whole file when it cannot be read, is not UTF-8, has no header
    row or lacks a required column. A row with the wrong number of values is
    returned as a `_Bad`; rows with nothing in them are skipped.
    """
    name = str(path)
    try:
        data = Path(path).read_bytes()
    except FileNotFoundError:
        raise Ssda903Refused(name, "no such file") from None
    except IsADirectoryError:
        raise Ssda903Refused(name, "is a directory, not a file") from None
    except OSError as exc:
        raise Ssda903Refused(name, f"cannot be read ({exc.strerror or exc.__class__.__name__})") from None
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise Ssda903Refused(
            name, "is UTF-16 text, not UTF-8; save it as CSV UTF-8 and import it again", line=1, field="encoding"
        )
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8):]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise Ssda903Refused(
            name,
            f"is not UTF-8 text (byte 0x{data[exc.start]:02x} on line {line}); save it as CSV UTF-8 and import it again",
            line=line,
            field="encoding",
        ) from None

    reader = csv.reader(io.StringIO(text, newline=""))
    last_line = 0
    try:
        columns: list[str] | None = None
        header_line = 0
        for values in reader:
            start, last_line = last_line + 1, reader.line_num
            if any(v.strip() for v in values):
                columns = [v.strip().upper() for v in values]
                header_line = start
                break
        if columns is None:
            raise Ssda903Refused(name, f"is empty: an SSDA903 {kind} file starts with a header row naming its columns")
        missing = [c for c in required if c not in columns]
        if missing:
            hint = ""
            if all(c in columns for c in other_required):
                hint = f" (it looks like the {'episodes' if kind == 'header' else 'header'} file)"
            raise Ssda903Refused(
                name,
                f"the header row lacks the required column{'s' if len(missing) > 1 else ''} "
                f"{', '.join(missing)}{hint}",
                line=header_line,
                field=", ".join(missing),
            )
        repeated = sorted({c for c in columns if c and columns.count(c) > 1})
        if repeated:
            raise Ssda903Refused(
                name, f"the header row repeats the column(s) {', '.join(repeated)}", line=header_line,
                field=", ".join(repeated),
            )
        table = _Table(name=name, columns=columns)
        width = len(columns)
        for values in reader:
            start, last_line = last_line + 1, reader.line_num
            if not any(v.strip() for v in values):
                continue  # a blank line, or a row of empty cells
            broken = next(
                (i for i, v in enumerate(values) if "\n" in v or "\r" in v or CONTROL.search(v.strip())), None
            )
            if broken is not None:
                what = values[broken]
                table.rows.append((start, _Bad(
                    start, columns[broken] if broken < width and columns[broken] else f"column {broken + 1}",
                    "holds a line break: a quote (\") may not be closed" if ("\n" in what or "\r" in what)
                    else "holds a control character",
                )))
                continue
            if len(values) > width and not any(v.strip() for v in values[width:]):
                values = values[:width]  # trailing empty cells
            if len(values) < width:
                table.rows.append((start, _Bad(
                    start, columns[len(values)] or f"column {len(values) + 1}",
                    f"the row has {len(values)} values but the header row has {width} columns "
                    "(the row or the file may be cut short)",
                )))
                continue
            if len(values) > width:
                table.rows.append((start, _Bad(
                    start, f"column {width + 1}",
                    f"the row has {len(values)} values but the header row has {width} columns "
                    "(a value may hold an unquoted comma)",
                )))
                continue
            table.rows.append((start, {c: v.strip() for c, v in zip(columns, values) if c}))
    except csv.Error as exc:
        raise Ssda903Refused(name, f"cannot be read as CSV ({exc})", line=last_line + 1, field="file") from None
    return table


# --- checking values --------------------------------------------------------------------


def _date(value: str) -> date:
    match = DATE.fullmatch(value)
    if not match:
        raise ValueError(f"'{value}' is not a date in the form DD/MM/YYYY")
    day, month, year = (int(g) for g in match.groups())
    try:
        parsed = date(year, month, day)
    except ValueError:
        raise ValueError(f"'{value}' is not a real date") from None
    if year < 1900:
        raise ValueError(f"'{value}' is too long ago to be right")
    return parsed


def _fmt(day: date) -> str:
    return day.strftime("%d/%m/%Y")


def _postcode(value: str) -> str:
    """Upper case with one space between the outward and inward parts."""
    text = " ".join(value.upper().split())
    if " " not in text and len(text) >= 5 and re.fullmatch(r".*[0-9][A-Z]{2}", text):
        text = f"{text[:-3]} {text[-3:]}"
    return text


def _too_long(row: dict[str, str], column: str) -> str | None:
    limit = MAX_LENGTH[column]
    value = row.get(column, "")
    if len(value) > limit:
        return f"'{value}' is longer than {limit} characters"
    return None


@dataclass
class _HeaderRow:
    child_ref: str
    dob: date
    sex: str
    ethnicity: str


def _check_header_row(row: dict[str, str], line: int, today: date) -> _HeaderRow | list[_Bad]:
    bad: list[_Bad] = []
    child_ref = row.get("CHILD", "")
    if not child_ref:
        bad.append(_Bad(line, "CHILD", "is blank: every row needs the child's identifier"))
    elif reason := _too_long(row, "CHILD"):
        bad.append(_Bad(line, "CHILD", reason))
    dob = None
    if not row.get("DOB"):
        bad.append(_Bad(line, "DOB", "is blank"))
    else:
        try:
            dob = _date(row["DOB"])
        except ValueError as exc:
            bad.append(_Bad(line, "DOB", str(exc)))
        else:
            if dob > today:
                bad.append(_Bad(line, "DOB", f"{row['DOB']} is in the future"))
    sex = row.get("SEX", "").upper()
    if sex:
        if sex not in SEX_CODES:
            bad.append(_Bad(line, "SEX", f"'{row['SEX']}' is not M, F or U (or 1, 2 in files before 2024/25)"))
        else:
            sex = SEX_CODES[sex]
    ethnicity = row.get("ETHNIC", "").upper()
    if ethnicity and (reason := _too_long(row, "ETHNIC")):
        bad.append(_Bad(line, "ETHNIC", reason))
    if bad:
        return bad
    return _HeaderRow(child_ref=child_ref, dob=dob, sex=sex, ethnicity=ethnicity)


@dataclass
class _EpisodeRow:
    child_ref: str
    start: date
    end: date | None
    place: str
    place_provider: str
    legal_status: str
    reason_ceased: str
    home_postcode: str
    placement_postcode: str
    urn: str | None
    pl_la: Authority | None
    location: str


def _check_episode_row(
    row: dict[str, str], line: int, today: date, *, dob: date | None, authority: Authority,
    authorities: dict[str, Authority],
) -> _EpisodeRow | list[_Bad]:
    bad: list[_Bad] = []
    start = end = None
    if not row.get("DECOM"):
        bad.append(_Bad(line, "DECOM", "is blank: every episode needs its start date"))
    else:
        try:
            start = _date(row["DECOM"])
        except ValueError as exc:
            bad.append(_Bad(line, "DECOM", str(exc)))
        else:
            if start > today:
                bad.append(_Bad(line, "DECOM", f"{row['DECOM']} is in the future"))
            elif dob is not None and start < dob:
                bad.append(_Bad(line, "DECOM", f"{row['DECOM']} is before the child's date of birth ({_fmt(dob)})"))
    if row.get("DEC"):
        try:
            end = _date(row["DEC"])
        except ValueError as exc:
            bad.append(_Bad(line, "DEC", str(exc)))
        else:
            if start is not None and end < start:
                bad.append(_Bad(line, "DEC", f"{row['DEC']} is before the start of the episode (DECOM {row['DECOM']})"))
            elif end > today:
                bad.append(_Bad(line, "DEC", f"{row['DEC']} is in the future"))
    place = row.get("PLACE", "").upper()
    if not place:
        bad.append(_Bad(line, "PLACE", "is blank: every episode needs its placement type"))
    elif not PLACE.fullmatch(place):
        bad.append(_Bad(line, "PLACE", f"'{row['PLACE']}' is not an SSDA903 placement type (such as K2, U4, H5)"))
    place_provider = row.get("PLACE_PROVIDER", "").upper()
    if place_provider and place_provider not in PLACE_PROVIDERS:
        bad.append(_Bad(line, "PLACE_PROVIDER", f"'{row['PLACE_PROVIDER']}' is not one of PR0 to PR5"))
    codes = {}
    for column in ("LS", "REC"):
        value = row.get(column, "").upper()
        if value and (reason := _too_long(row, column)):
            bad.append(_Bad(line, column, reason))
        elif value and not CODE.fullmatch(value):
            bad.append(_Bad(line, column, f"'{row[column]}' is not an SSDA903 code"))
        codes[column] = value
    postcodes = {}
    for column in ("HOME_POST", "PL_POST"):
        value = _postcode(row.get(column, ""))
        if value and (len(value) > MAX_LENGTH[column] or not POSTCODE.fullmatch(value)):
            bad.append(_Bad(line, column, f"'{row[column]}' is not a postcode (such as ME15 6 or ME15 6AA)"))
        postcodes[column] = value
    urn = row.get("URN", "").upper() or None
    if urn == NO_PROVIDER_URN:
        urn = None
    elif urn is not None and (len(urn) > MAX_LENGTH["URN"] or not CODE.fullmatch(urn)):
        bad.append(_Bad(line, "URN", f"'{row['URN']}' is not an Ofsted URN (or {NO_PROVIDER_URN} for none)"))
    pl_la = None
    if row.get("PL_LA"):
        pl_la = authorities.get(row["PL_LA"])
        if pl_la is None:
            bad.append(_Bad(line, "PL_LA", f"'{row['PL_LA']}' is not a known local authority code"))
    location = row.get("PL_LOCATION", "").upper()
    if location and location not in ("IN", "OUT"):
        bad.append(_Bad(line, "PL_LOCATION", f"'{row['PL_LOCATION']}' is not IN or OUT"))
    elif pl_la is not None and location == "IN" and pl_la.pk != authority.pk:
        bad.append(_Bad(line, "PL_LOCATION", f"is IN, but PL_LA {pl_la.code} is another authority"))
    elif pl_la is not None and location == "OUT" and pl_la.pk == authority.pk:
        bad.append(_Bad(line, "PL_LOCATION", f"is OUT, but PL_LA {pl_la.code} is the responsible authority"))
    if bad:
        return bad
    return _EpisodeRow(
        child_ref=row["CHILD"], start=start, end=end, place=place, place_provider=place_provider,
        legal_status=codes["LS"], reason_ceased=codes["REC"], home_postcode=postcodes["HOME_POST"],
        placement_postcode=postcodes["PL_POST"], urn=urn, pl_la=pl_la, location=location,
    )


def _overlaps(a_start: date, a_end: date | None, b_start: date, b_end: date | None) -> bool:
    """Episodes run from their start to their end (an end is the start of the next)."""
    if a_start == b_start:
        return True
    return (b_end is None or a_start < b_end) and (a_end is None or b_start < a_end)


# --- providers and host authorities ------------------------------------------------------


def provider_kind_for(place: str, place_provider: str = "") -> str:
    """A new provider's kind, guessed from the episode's PLACE (and PLACE_PROVIDER)."""
    if place == "K2":
        return Provider.Kind.CHILDREN_HOME
    if place == "K1":
        return Provider.Kind.SECURE  # K1: secure children's home
    if place == "H5":
        return Provider.Kind.SEMI_INDEPENDENT
    if place == "S1":
        return Provider.Kind.RESIDENTIAL_SCHOOL
    if place.startswith("U"):
        return Provider.Kind.FOSTERING_AGENCY if place_provider in AGENCY_PROVIDERS else Provider.Kind.FOSTER_CARER
    return Provider.Kind.OTHER  # R1 residential care home, R2 NHS, R5 YOI, P*, T*, Z1, ...


def postcode_area(postcode: str) -> str | None:
    """The area (the leading letters) of a full or partial postcode: "ME15 6" -> "ME"."""
    match = AREA.match(postcode or "")
    return match.group(1) if match else None


def areas_claimed(authorities) -> dict[str, list[Authority]]:
    claimed: dict[str, list[Authority]] = {}
    for authority in authorities:
        for area in filter(None, (a.strip().upper() for a in authority.postcode_areas.split(";"))):
            claimed.setdefault(area, []).append(authority)
    return claimed


def decide_host(
    *, authority: Authority, pl_la: Authority | None, location: str, provider: Provider | None,
    postcode: str, claimed: dict[str, list[Authority]],
) -> tuple[Authority | None, str]:
    """The host authority of a placement and where it came from.

    PL_LA when given; else the responsible authority when PL_LOCATION is IN;
    else the provider's recorded host authority; else the one authority that
    claims the placement postcode's area; else none. When PL_LOCATION is OUT
    a guess that gives the responsible authority is not taken.
    """
    if pl_la is not None:
        return pl_la, "PL_LA"
    if location == "IN":
        return authority, "PL_LOCATION"
    guesses = []
    if provider is not None and provider.host_authority_id is not None:
        guesses.append((provider.host_authority, "provider"))
    area = postcode_area(postcode)
    if area and len(claimed.get(area, [])) == 1:
        guesses.append((claimed[area][0], "postcode"))
    for host, how in guesses:
        if location == "OUT" and host.pk == authority.pk:
            continue
        return host, how
    return None, "none"


# --- the import -------------------------------------------------------------------------


def _chunks(items: list, size: int = CHUNK):
    for i in range(0, len(items), size):
        yield items[i:i + size]


def _check_actor(actor, authority: Authority) -> None:
    if actor is None:
        return  # the command line
    role = getattr(actor, "role", None) or ""
    organisation = getattr(actor, "organisation", None)
    allowed = role in COUNCIL_CASE_ROLES or role == Role.ADMIN
    if not allowed or organisation is None or organisation.authority_id != authority.pk:
        raise Refused(Problem("__all__", f"Only {authority.name}'s own staff can import its SSDA903 files"))


def ssda903_import(*, actor, authority: Authority, header_path, episodes_path) -> dict:
    """Import the authority's SSDA903 header and episodes files. Returns the summary.

    Raises `Ssda903Refused` (a `Refused`) when a file is refused whole; then
    nothing is stored. Rows that cannot be taken are listed under "rejected"
    as {file, line, field, reason}; the rest are imported.
    """
    _check_actor(actor, authority)
    started = timezone.now()
    today = timezone.localdate()
    header = _read_table(header_path, required=HEADER_REQUIRED, other_required=EPISODES_REQUIRED, kind="header")
    episodes = _read_table(episodes_path, required=EPISODES_REQUIRED, other_required=HEADER_REQUIRED, kind="episodes")

    summary = {
        "authority": authority.code,
        "header": header.name,
        "episodes": episodes.name,
        "header_rows": len(header.rows),
        "episode_rows": len(episodes.rows),
        "children_created": 0,
        "children_updated": 0,
        "children_unchanged": 0,
        "children_not_in_files": 0,
        "placements_created": 0,
        "placements_updated": 0,
        "placements_unchanged": 0,
        "placements_not_in_files": 0,
        "providers_created": 0,
        "host_from": {"PL_LA": 0, "PL_LOCATION": 0, "provider": 0, "postcode": 0, "none": 0},
        "rows_rejected": 0,
        "rejected": [],
    }
    rejected_lines: set[tuple[str, int]] = set()

    def reject(table: _Table, bad: list[_Bad]) -> None:
        for b in bad:
            summary["rejected"].append({"file": table.name, "line": b.line, "field": b.field, "reason": b.reason})
            rejected_lines.add((table.name, b.line))

    audit_actor = actor
    touched_children: set[int] = set()
    # CHILD -> (child, dob) for the header rows taken; CHILD -> line of a rejected one.
    taken: dict[str, tuple[Child, date]] = {}
    header_rejected: dict[str, int] = {}
    header_seen: dict[str, int] = {}

    # ---- the header: children
    with transaction.atomic():
        known: dict[str, Child] = {}
        for ident in ChildIdentifier.objects.select_related("child").filter(
            kind=ChildIdentifier.Kind.LA_CHILD, authority=authority
        ):
            known[ident.value] = ident.child
        for line, row in header.rows:
            if isinstance(row, _Bad):
                reject(header, [row])
                continue
            checked = _check_header_row(row, line, today)
            ref = row.get("CHILD", "")
            if isinstance(checked, list):
                reject(header, checked)
                if ref:
                    header_rejected.setdefault(ref, line)
                continue
            if ref in header_seen:
                reject(header, [_Bad(line, "CHILD", f"'{ref}' is on line {header_seen[ref]} already")])
                continue
            header_seen[ref] = line
            try:
                with transaction.atomic():
                    child, outcome = _apply_child(
                        actor=audit_actor, authority=authority, row=checked, existing=known.get(ref)
                    )
            except DatabaseError as exc:
                reject(header, [_Bad(line, "CHILD", f"could not be stored ({exc.__class__.__name__})")])
                header_rejected.setdefault(ref, line)
                continue
            known[ref] = child
            taken[ref] = (child, checked.dob)
            touched_children.add(child.pk)
            summary[f"children_{outcome}"] += 1
        stored = {follow_merges(c).pk for c in known.values()}
        summary["children_not_in_files"] = len(stored - touched_children)

    # ---- the episodes: providers and placements
    touched_placements: set[int] = set()
    with transaction.atomic():
        authorities = {a.code: a for a in Authority.objects.all()}
        claimed = areas_claimed(authorities.values())
        urns = sorted({
            row.get("URN", "").upper() for _, row in episodes.rows
            if isinstance(row, dict) and row.get("URN", "").upper() not in ("", NO_PROVIDER_URN)
        })
        providers: dict[str, Provider] = {}
        for chunk in _chunks(urns):
            for provider in Provider.objects.select_related("host_authority").filter(urn__in=chunk):
                providers[provider.urn.upper()] = provider
        existing: dict[tuple[int, date], Placement] = {}
        for chunk in _chunks(sorted({c.pk for c, _ in taken.values()})):
            for placement in Placement.objects.filter(child_id__in=chunk):
                existing[(placement.child_id, placement.start_date)] = placement
        accepted: dict[int, list[tuple[date, date | None, int]]] = {}

        for line, row in episodes.rows:
            if isinstance(row, _Bad):
                reject(episodes, [row])
                continue
            ref = row.get("CHILD", "")
            if not ref:
                reject(episodes, [_Bad(line, "CHILD", "is blank: every row needs the child's identifier")])
                continue
            if ref not in taken:
                if ref in header_rejected:
                    why = f"'{ref}' was rejected in the header file (line {header_rejected[ref]}), so its episodes are not taken"
                else:
                    why = f"'{ref}' is not in the header file"
                reject(episodes, [_Bad(line, "CHILD", why)])
                continue
            child, dob = taken[ref]
            checked = _check_episode_row(row, line, today, dob=dob, authority=authority, authorities=authorities)
            if isinstance(checked, list):
                reject(episodes, checked)
                continue
            clash = next(
                (other for other in accepted.get(child.pk, []) if _overlaps(checked.start, checked.end, other[0], other[1])),
                None,
            )
            if clash is not None:
                reject(episodes, [_Bad(
                    line, "DECOM",
                    f"the episode from {_fmt(checked.start)} overlaps the episode from {_fmt(clash[0])} "
                    f"on line {clash[2]} for the same child",
                )])
                continue
            try:
                with transaction.atomic():
                    placement, outcome, new_provider, how = _apply_placement(
                        actor=audit_actor, authority=authority, child=child, row=checked,
                        existing=existing.get((child.pk, checked.start)), providers=providers, claimed=claimed,
                    )
            except DatabaseError as exc:
                reject(episodes, [_Bad(line, "DECOM", f"could not be stored ({exc.__class__.__name__})")])
                continue
            if new_provider is not None:
                providers[checked.urn] = new_provider
                summary["providers_created"] += 1
            accepted.setdefault(child.pk, []).append((checked.start, checked.end, line))
            existing[(child.pk, checked.start)] = placement
            touched_placements.add(placement.pk)
            summary[f"placements_{outcome}"] += 1
            summary["host_from"][how] += 1
        summary["placements_not_in_files"] = (
            Placement.objects.filter(responsible_authority=authority).count() - len(touched_placements)
        )

    summary["rows_rejected"] = len(rejected_lines)
    _record_import(actor=audit_actor, authority=authority, summary=summary, started=started)
    return summary


def _apply_child(*, actor, authority: Authority, row: _HeaderRow, existing: Child | None) -> tuple[Child, str]:
    if existing is None:
        child = Child.objects.create(
            first_name="", last_name="", dob=row.dob, sex=row.sex, ethnicity=row.ethnicity,
            responsible_authority=authority,
        )
        ChildIdentifier.objects.create(
            child=child, kind=ChildIdentifier.Kind.LA_CHILD, authority=authority, value=row.child_ref
        )
        audit_record(
            actor=actor, action=AuditEvent.Action.CREATE, obj=child, child_id=child.pk,
            summary=f"Created a child's record from {authority.code}'s SSDA903 header",
            payload={"source": f"ssda903:{authority.code}"},
        )
        return child, "created"
    child = follow_merges(existing)
    wanted = {"dob": row.dob, "responsible_authority_id": authority.pk}
    if row.sex:
        wanted["sex"] = row.sex
    if row.ethnicity:
        wanted["ethnicity"] = row.ethnicity
    changed = [name for name, value in wanted.items() if getattr(child, name) != value]
    if not changed:
        return child, "unchanged"
    for name in changed:
        setattr(child, name, wanted[name])
    fields = [name.removesuffix("_id") for name in changed]
    child.save(update_fields=[*fields, "updated_at"])
    audit_record(
        actor=actor, action=AuditEvent.Action.UPDATE, obj=child, child_id=child.pk,
        summary=f"Updated a child's record from {authority.code}'s SSDA903 header",
        payload={"source": f"ssda903:{authority.code}", "fields": sorted(fields)},
    )
    return child, "updated"


def _apply_placement(
    *, actor, authority: Authority, child: Child, row: _EpisodeRow, existing: Placement | None,
    providers: dict[str, Provider], claimed: dict[str, list[Authority]],
) -> tuple[Placement, str, Provider | None, str]:
    provider = providers.get(row.urn) if row.urn else None
    host, how = decide_host(
        authority=authority, pl_la=row.pl_la, location=row.location, provider=provider,
        postcode=row.placement_postcode, claimed=claimed,
    )
    new_provider = None
    if row.urn and provider is None:
        provider = new_provider = Provider.objects.create(
            urn=row.urn, name=f"Provider {row.urn}", kind=provider_kind_for(row.place, row.place_provider),
            # Only what the file says for certain: PL_LA, or IN the responsible authority.
            host_authority=host if how in ("PL_LA", "PL_LOCATION") else None,
        )
        audit_record(
            actor=actor, action=AuditEvent.Action.CREATE, obj=provider,
            summary=f"Created provider {row.urn} from {authority.code}'s SSDA903 episodes",
        )
    wanted = {
        "responsible_authority_id": authority.pk,
        "host_authority_id": host.pk if host else None,
        "provider_id": provider.pk if provider else None,
        "place_code": row.place,
        "place_provider": row.place_provider,
        "legal_status": row.legal_status,
        "reason_ceased": row.reason_ceased,
        "end_date": row.end,
        "home_postcode": row.home_postcode,
        "placement_postcode": row.placement_postcode,
    }
    if existing is None:
        placement = Placement.objects.create(child=child, start_date=row.start, **wanted)
        audit_record(
            actor=actor, action=AuditEvent.Action.CREATE, obj=placement, child_id=child.pk,
            summary=f"Recorded a placement from {authority.code}'s SSDA903 episodes",
            payload={"source": f"ssda903:{authority.code}"},
        )
        return placement, "created", new_provider, how
    changed = [name for name, value in wanted.items() if getattr(existing, name) != value]
    if not changed:
        return existing, "unchanged", new_provider, how
    for name in changed:
        setattr(existing, name, wanted[name])
    fields = [name.removesuffix("_id") for name in changed]
    existing.save(update_fields=[*fields, "updated_at"])
    audit_record(
        actor=actor, action=AuditEvent.Action.UPDATE, obj=existing, child_id=child.pk,
        summary=f"Updated a placement from {authority.code}'s SSDA903 episodes",
        payload={"source": f"ssda903:{authority.code}", "fields": sorted(fields)},
    )
    return existing, "updated", new_provider, how


def _record_import(*, actor, authority: Authority, summary: dict, started) -> None:
    from homeward.episodes.models import ImportBatch

    counts = {k: v for k, v in summary.items() if k not in ("rejected", "header", "episodes")}
    with transaction.atomic():
        batch = ImportBatch.objects.create(
            kind="ssda903", area_authority=authority,
            filename=f"{Path(summary['header']).name}; {Path(summary['episodes']).name}"[:300],
            actor_username=getattr(actor, "username", "") or "", started_at=started, finished_at=timezone.now(),
            summary=counts | {"rejected": len(summary["rejected"])},
        )
        audit_record(
            actor=actor, action=AuditEvent.Action.IMPORT, obj=batch,
            summary=f"Imported {authority.code}'s SSDA903 files {batch.filename}"[:300],
            payload=counts | {"rejected": len(summary["rejected"])},
        )


# --- the command line -------------------------------------------------------------------


def format_summary(summary: dict, authority: Authority | None = None) -> str:
    """The human summary: the counts, then each rejection as `FILE:LINE: FIELD: reason`."""
    who = f"{authority.name} ({authority.code})" if authority else summary["authority"]
    hosts = summary["host_from"]
    lines = [
        f"SSDA903 import for {who}",
        f"  {summary['header']}: {summary['header_rows']} rows; children: {summary['children_created']} created, "
        f"{summary['children_updated']} updated, {summary['children_unchanged']} unchanged",
        f"  {summary['episodes']}: {summary['episode_rows']} rows; placements: {summary['placements_created']} created, "
        f"{summary['placements_updated']} updated, {summary['placements_unchanged']} unchanged",
        f"  providers: {summary['providers_created']} created",
        f"  host authority from PL_LA {hosts['PL_LA']}, PL_LOCATION {hosts['PL_LOCATION']}, "
        f"provider {hosts['provider']}, postcode {hosts['postcode']}, not known {hosts['none']}",
        f"  left alone (stored for {summary['authority']} but not taken from these files): "
        f"{summary['children_not_in_files']} children, {summary['placements_not_in_files']} placements",
        f"  rejected: {summary['rows_rejected']} rows",
    ]
    for r in summary["rejected"]:
        lines.append(f"{r['file']}:{r['line']}: {r['field']}: {r['reason']}")
    return "\n".join(lines)


def run_ssda903_command(stdout, *, header, episodes, authority_code) -> int:
    """`homeward import ssda903 HEADER EPISODES --authority CODE`. Returns the exit status.

    0 when everything was taken; 1 when rows were rejected or a file was
    refused (then nothing is stored); 2 when the authority code is unknown.
    """

    def say(text: str) -> None:
        stdout.write(text if text.endswith("\n") else text + "\n")

    try:
        authority = authority_get(authority_code, "--authority")
    except Refused as exc:
        say(exc.problems[0].message)
        return 2
    try:
        summary = ssda903_import(actor=None, authority=authority, header_path=header, episodes_path=episodes)
    except Ssda903Refused as exc:
        say(exc.location_text())
        say("Nothing was imported.")
        return 1
    except Refused as exc:
        say("; ".join(p.message for p in exc.problems))
        return 1
    say(format_summary(summary, authority))
    return 1 if summary["rejected"] else 0
