"""The briefing's rules, as pure functions: what a profile may hold, what
changed between two versions, the places a child has been found before.

Nothing here knows of HTTP or the database; tests/briefing/test_rules.py
tries them at their edges.
"""

from __future__ import annotations

import re
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime

from homeward.problems import Problem

MIN_HEIGHT_CM = 50
MAX_HEIGHT_CM = 230
MAX_LINES = 30  # entries in one list (friends, places, numbers)
MAX_LINE = 300  # characters in one entry
MAX_SHORT = {"hair": 200, "eyes": 100, "last_seen_where": 300}
MAX_TEXT = 4000  # characters in a longer text (marks, medication, clothing)

# A UK postcode anywhere in a line of text ("Nan's flat, 4 Hill Rd, ME15 6AA").
_POSTCODE_IN_TEXT = re.compile(r"\b([A-Z]{1,2}[0-9][A-Z0-9]?) ?([0-9][A-Z]{2})\b", re.IGNORECASE)


def split_lines(value) -> list[str]:
    """One entry a line: blank lines and surrounding spaces dropped. A list
    is taken as already split (each entry trimmed, blanks dropped)."""
    if value is None:
        return []
    items = value if isinstance(value, (list, tuple)) else str(value).splitlines()
    return [" ".join(str(item).split()) for item in items if str(item).strip()]


def check_lines(field: str, label: str, lines: list[str]) -> list[Problem]:
    if len(lines) > MAX_LINES:
        return [Problem(field, f"{label}: enter {MAX_LINES} lines or fewer (there are {len(lines)})")]
    for number, line in enumerate(lines, start=1):
        if len(line) > MAX_LINE:
            return [Problem(field, f"{label}: line {number} must be {MAX_LINE} characters or fewer")]
    return []


def check_text(field: str, label: str, value: str, limit: int = MAX_TEXT) -> list[Problem]:
    if len(value) > limit:
        return [Problem(field, f"{label} must be {limit:,} characters or fewer")]
    return []


def parse_height(value) -> tuple[int | None, str]:
    """A height in whole centimetres from what was typed ("165", "165cm",
    "165 cm"), and the problem if it is not one. Blank is no height."""
    if value is None:
        return None, ""
    if isinstance(value, bool):
        return None, "Enter the height in centimetres, like 165"
    if isinstance(value, int):
        number = value
    else:
        text = str(value).strip().lower().replace(" ", "")
        if not text:
            return None, ""
        if text.endswith("cm"):
            text = text[:-2]
        if not text.isdigit():
            return None, "Enter the height in whole centimetres, like 165"
        number = int(text)
    if not MIN_HEIGHT_CM <= number <= MAX_HEIGHT_CM:
        return None, f"Enter a height from {MIN_HEIGHT_CM} to {MAX_HEIGHT_CM} centimetres"
    return number, ""


def postcode_in(text: str) -> str:
    """The first UK postcode written in a line, normalised ("ME15 6AA"), or ''."""
    match = _POSTCODE_IN_TEXT.search(text or "")
    return f"{match.group(1).upper()} {match.group(2).upper()}" if match else ""


def changed_fields(before: dict, after: dict) -> list[str]:
    """The names whose values differ, in `after`'s order."""
    return [name for name in after if before.get(name) != after.get(name)]


def check_last_seen(last_seen_at: datetime | None, *, now: datetime, dob, returned_at: datetime | None,
                    field: str = "last_seen_at") -> list[Problem]:
    """When the carer last saw the child: not in the future, not before the
    child was born, not after the child came back."""
    if last_seen_at is None:
        return []
    if last_seen_at > now:
        return [Problem(field, "The time the child was last seen must be in the past")]
    if dob is not None and last_seen_at.date() < dob:
        return [Problem(field, "The time the child was last seen must be after their date of birth")]
    if returned_at is not None and last_seen_at > returned_at:
        return [Problem(field, "The time the child was last seen must be before they came back")]
    return []


@dataclass(frozen=True)
class FoundBefore:
    """A place a child was found at the end of earlier episodes."""

    where: str
    postcode: str
    times: int
    last: datetime | None


def places_found(episodes) -> list[FoundBefore]:
    """Where the child was found before, grouped by postcode (or, without
    one, by the words used), most often first, then most recent. `episodes`
    are objects with `found_postcode`, `found_where` and `returned_at`."""
    groups: OrderedDict[str, dict] = OrderedDict()
    for e in episodes:
        postcode = " ".join((e.found_postcode or "").upper().split())
        where = " ".join((e.found_where or "").split())
        if not postcode and not where:
            continue
        key = postcode or where.lower()
        group = groups.setdefault(key, {"where": [], "postcode": postcode, "times": 0, "last": None})
        group["times"] += 1
        if where and where not in group["where"]:
            group["where"].append(where)
        if e.returned_at is not None and (group["last"] is None or e.returned_at > group["last"]):
            group["last"] = e.returned_at
    found = [FoundBefore(where="; ".join(g["where"]), postcode=g["postcode"], times=g["times"], last=g["last"])
             for g in groups.values()]
    found.sort(key=lambda f: (-f.times, -(f.last.timestamp() if f.last else 0)))
    return found
