"""Reading one notification row (contract.md, "Notification file").

`parse_row` turns a dict of strings (a CSV row or a JSON line) into a
`ParsedRow`, or raises `Refused` naming every field that is wrong and why.
It knows nothing of the database.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, timezone

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
