"""What counts as a phone number, a vehicle registration, an age or a source
on a person of concern's record: pure functions, tested at their edges.

Each ``parse_*`` returns the value in its one canonical form (so that the same
phone number typed two ways is found by one search) or raises ``ValueError``
with a reason in plain words, which the services turn into a ``Problem``
naming the field.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# --- phone numbers ------------------------------------------------------------------------

# UK numbers: 0 and 9 or 10 more digits (01xxx, 02x, 03, 05, 07 mobiles, 08);
# written with +44 or 0044 they are the same number.
UK_NUMBER = re.compile(r"^0[1-9]\d{8,9}$")
# Other countries (E.164): + then 8 to 15 digits, not starting with 0.
INTERNATIONAL_NUMBER = re.compile(r"^\+[1-9]\d{7,14}$")
PHONE_SEPARATORS = re.compile(r"[\s().\-/]")


def parse_phone(text: str) -> str:
    """A phone number in canonical form: a UK number as its 10 or 11 digits
    starting with 0 (``07700900123``), any other as ``+`` and its digits."""
    raw = (text or "").strip()
    if not raw:
        raise ValueError("Enter the phone number")
    compact = PHONE_SEPARATORS.sub("", raw)
    if compact.startswith("00"):
        compact = "+" + compact[2:]
    if compact.startswith("+44"):
        rest = compact[3:]
        if rest.startswith("0"):  # +44 (0)7700 900123
            rest = rest[1:]
        compact = "0" + rest
    if not re.fullmatch(r"\+?\d+", compact):
        raise ValueError(f"'{raw[:40]}' is not a phone number: use only digits, spaces and a leading +")
    if compact.startswith("+"):
        if INTERNATIONAL_NUMBER.match(compact):
            return compact
        raise ValueError(f"'{raw[:40]}' is not a phone number: an international number has 8 to 15 digits after +")
    if UK_NUMBER.match(compact):
        return compact
    raise ValueError(f"'{raw[:40]}' is not a UK phone number: it should have 10 or 11 digits and start with 0, "
                     "like 07700 900123")


def show_phone(canonical: str) -> str:
    """A canonical number as people write it: 07700 900123, 020 7946 0123, 01632 960001."""
    if canonical.startswith("+") or not canonical.startswith("0"):
        return canonical
    if canonical.startswith("02") and len(canonical) == 11:
        return f"{canonical[:3]} {canonical[3:7]} {canonical[7:]}"
    if len(canonical) == 11:
        return f"{canonical[:5]} {canonical[5:]}"
    return f"{canonical[:4]} {canonical[4:]}"


# --- vehicle registrations ----------------------------------------------------------------------

# Great Britain and Northern Ireland formats (DVLA, DVA), spaces removed:
REGISTRATION_FORMATS = (
    ("current", re.compile(r"^[A-Z]{2}[0-9]{2}[A-Z]{3}$")),  # AB12 CDE (since 2001)
    ("prefix", re.compile(r"^[A-Z][0-9]{1,3}[A-Z]{3}$")),  # A123 BCD (1983-2001)
    ("suffix", re.compile(r"^[A-Z]{3}[0-9]{1,3}[A-Z]$")),  # ABC 123D (1963-1983)
    ("dateless", re.compile(r"^[A-Z]{1,3}[0-9]{1,4}$")),  # ABC 1234, and Northern Ireland's
    ("dateless", re.compile(r"^[0-9]{1,4}[A-Z]{1,3}$")),  # 1234 AB
)
# Letters never issued in the current format's age identifier position and
# characters never used: I, Q and Z appear in no current-format memory tag.
CURRENT_FORBIDDEN = re.compile(r"^(?:[IQZ].|.[IQZ])")


def parse_registration(text: str) -> str:
    """A UK vehicle registration in canonical form: capitals, one space where
    DVLA puts it (``AB12 CDE``, ``A123 BCD``, ``ABC 123D``)."""
    raw = (text or "").strip()
    compact = re.sub(r"[\s\-]", "", raw.upper())
    if not compact:
        raise ValueError("Enter the registration")
    if not compact.isalnum() or not compact.isascii():
        raise ValueError(f"'{raw[:20]}' is not a UK vehicle registration: use only letters and numbers")
    for kind, pattern in REGISTRATION_FORMATS:
        if pattern.match(compact):
            if kind == "current":
                if CURRENT_FORBIDDEN.match(compact):
                    raise ValueError(f"'{raw[:20]}' is not a UK vehicle registration: the first two letters "
                                     "of a current registration are never I, Q or Z")
                return f"{compact[:4]} {compact[4:]}"
            if kind == "prefix":
                return f"{compact[:-3]} {compact[-3:]}"
            if kind == "suffix":
                return f"{compact[:3]} {compact[3:]}"
            # Dateless: letters and numbers apart.
            split = re.match(r"^([A-Z]+)([0-9]+)$|^([0-9]+)([A-Z]+)$", compact)
            parts = [p for p in split.groups() if p]
            return " ".join(parts)
    raise ValueError(f"'{raw[:20]}' is not a UK vehicle registration, like AB12 CDE: if only part of it is "
                     "known, put that in the description")


# --- ages -----------------------------------------------------------------------------------------

MAX_AGE = 120


def parse_age(text: str) -> tuple[int | None, int | None]:
    """An approximate age (``25``, ``about 25``) or a range (``20-25``,
    ``20 to 25``) as (from, to); ("", blank) is (None, None)."""
    raw = (text or "").strip().lower()
    if not raw:
        return None, None
    raw = re.sub(r"^(about|around|approx\.?|approximately|roughly|c\.)\s*", "", raw)
    raw = re.sub(r"\s*(years?( old)?|yrs?|y/?o)$", "", raw).strip()
    single = re.fullmatch(r"(\d{1,3})\s*(?:'?s)?", raw)
    if single:
        age = int(single.group(1))
        check_ages(age, age)
        return age, age
    pair = re.fullmatch(r"(\d{1,3})\s*(?:-|–|to)\s*(\d{1,3})", raw)
    if pair:
        low, high = int(pair.group(1)), int(pair.group(2))
        check_ages(low, high)
        return low, high
    raise ValueError(f"'{text.strip()[:20]}' is not an age: enter a number like 25, or a range like 20 to 25")


def check_ages(low: int | None, high: int | None) -> None:
    if low is None and high is None:
        return
    if low is None or high is None:
        raise ValueError("Enter both ends of the age range, or one age")
    for age in (low, high):
        if not 0 <= age <= MAX_AGE:
            raise ValueError(f"An age must be a number from 0 to {MAX_AGE}")
    if low > high:
        raise ValueError("The first age of a range must not be more than the second")


def show_age(low: int | None, high: int | None) -> str:
    if low is None:
        return ""
    if high is None or high == low:
        return f"about {low}"
    return f"{low} to {high}"


# --- sources --------------------------------------------------------------------------------------

# Where a piece of information came from:
#   rhi:<interview id>     a return home interview
#   police:<reference>     a police report or intelligence log (the force's reference)
#   episode:<episode id>   an episode's record (how the child was found, with whom)
#   meeting:<meeting id>   a multi-agency meeting (strategy discussion, MASE panel)
#   officer                what the officer recording it knows first-hand
SOURCE_KINDS = ("rhi", "police", "episode", "meeting", "officer")
SOURCE_WITH_ID = re.compile(r"^(rhi|episode|meeting):([1-9][0-9]{0,17})$")
SOURCE_POLICE = re.compile(r"^police:([A-Za-z0-9][A-Za-z0-9/_.\-]{0,59})$")


@dataclass(frozen=True)
class Source:
    kind: str
    ref: str = ""

    def __str__(self) -> str:
        return f"{self.kind}:{self.ref}" if self.ref else self.kind

    @property
    def number(self) -> int | None:
        return int(self.ref) if self.kind in ("rhi", "episode", "meeting") else None


def parse_source(text: str) -> Source:
    raw = (text or "").strip()
    if not raw:
        raise ValueError("Enter where this came from: rhi:<interview number>, police:<reference> or officer")
    kind, _, ref = raw.partition(":")
    kind = kind.strip().lower()
    ref = ref.strip()
    if kind == "officer" and not ref:
        return Source("officer")
    candidate = f"{kind}:{ref}"
    match = SOURCE_WITH_ID.match(candidate)
    if match:
        return Source(match.group(1), match.group(2))
    match = SOURCE_POLICE.match(candidate)
    if match:
        return Source("police", match.group(1))
    if kind in ("rhi", "episode", "meeting"):
        raise ValueError(f"'{raw[:40]}' is not a source: after {kind}: put the {_noun(kind)} number, like {kind}:123")
    if kind == "police":
        raise ValueError(f"'{raw[:40]}' is not a source: after police: put the force's reference (letters, "
                         "numbers, / - _ .), like police:KNT-000101")
    raise ValueError(f"'{raw[:40]}' is not a source: use rhi:<interview number>, police:<reference>, "
                     "episode:<episode number>, meeting:<meeting number> or officer")


def _noun(kind: str) -> str:
    return {"rhi": "return interview", "episode": "episode", "meeting": "meeting"}[kind]


def describe_source(text: str) -> str:
    """A source as people read it: 'Return interview 12', 'Police KNT-1', 'Officer'."""
    try:
        source = parse_source(text)
    except ValueError:
        return text
    return {
        "rhi": f"Return interview {source.ref}",
        "police": f"Police {source.ref}",
        "episode": f"Episode {source.ref}",
        "meeting": f"Meeting {source.ref}",
        "officer": "Officer’s own knowledge",
    }[source.kind]


def describe_place_source(text: str) -> str:
    """Where a child's link to a place came from (homeward.places ChildPlace.source)."""
    kind, _, ref = (text or "").partition(":")
    if kind == "notification":
        return f"Notification {ref}"
    if kind == "profile":
        return "The child’s record"
    return describe_source(text)


# --- names ----------------------------------------------------------------------------------------


def name_key(text: str) -> str:
    """A name folded for search: case and spacing ignored."""
    return re.sub(r"\s+", " ", (text or "").strip()).casefold()


# --- what people type into the forms ------------------------------------------------------------------


def lines_of(text: str) -> list[str]:
    """The non-blank lines of a text box, trimmed."""
    return [line.strip() for line in (text or "").replace("\r\n", "\n").split("\n") if line.strip()]


def split_vehicle_line(line: str) -> tuple[str, str]:
    """One line of the vehicles box as (registration, description):
    "AB12 CDE, black Audi A3" -> both; "silver van" -> a description only;
    "AB12 CDE" -> a registration only. A line without a comma is a
    registration when it looks like one (at most 8 letters and numbers, with
    a number among them), so that a mistyped registration is refused rather
    than kept as a description."""
    line = (line or "").strip()
    if "," in line:
        registration, _, description = line.partition(",")
        return registration.strip(), description.strip()
    compact = re.sub(r"[\s\-]", "", line)
    if compact.isalnum() and len(compact) <= 8 and any(c.isdigit() for c in compact):
        return line, ""
    return "", line
