"""Which known child a report is about: the matching rules.

Pure Python (no Django): records in, scores and decisions out. The service
layer (``resolve.py``) fetches candidates and acts on the decision.

How a report is compared with one known identity of a child
------------------------------------------------------------
A Fellegi–Sunter style sum of evidence. Each field is compared at one of a few
*levels* (date of birth exact / day-month swapped / one digit out / different,
first name exact / nickname / typo / different, ...). Each level carries a
weight ``log2(m / u)``, where ``m`` is how often true matches show that level
and ``u`` how often two different children do. The weights add up to the
score, in bits: +1 bit doubles the odds that the two records are the same
child. The ``m`` and ``u`` values are written next to each weight below; they
are reasoned estimates for children's records in England, not fitted values.
:mod:`homeward.people.matching_eval` measures the rules on synthetic data with
known truth so the team can tune them.

The score alone never merges two children. ``match`` also needs all of:

* the date of birth exactly the same (a swapped or mistyped one goes to review);
* the first names confirmed: the same, the same first given name with extra
  given names on one side, or variants in ``data/nicknames.csv``. A first
  name that only *looks* like the other (a typo, an initial, a middle name)
  goes to review, because twins share a date of birth and a surname and are
  sometimes given similar names;
* the surnames exactly the same, sharing a part of a double-barrelled or
  hyphenated surname, or one typo apart;
* the recorded sexes not contradicting each other;
* no contradicting identifier.

And two hard rules: first names that clearly differ never ``match`` (twins),
and a date of birth that differs by more than a small edit together with
clearly different first names is ``no_match`` (siblings share surnames and
addresses), unless the identifiers agree, when it goes to review.

A council identifier that agrees (``child_id``) is decisive unless the rest
of the record contradicts it: then the pair goes to review.

:func:`best_match` picks among several candidates: it returns ``match`` only
when the best candidate is clearly ahead of the next one; two candidates that
would both match (duplicates, or a report that fits two children) go to
review.

Names never appear in reasons or in errors: reasons are fixed codes, safe to
store and to log.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Hashable, Iterable
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Literal, TypeVar

from rapidfuzz.distance import OSA, JaroWinkler

__all__ = [
    "AMBIGUITY_MARGIN",
    "BLOCKING_KEY_VERSION",
    "Decision",
    "ID_SUPPORT_THRESHOLD",
    "MATCH_THRESHOLD",
    "MatchResult",
    "NicknameIndex",
    "PersonRecord",
    "REVIEW_THRESHOLD",
    "best_match",
    "blocking_keys",
    "compare",
    "compare_dob",
    "compare_given",
    "compare_surname",
    "default_nicknames",
    "dob_variants",
    "name_keys",
    "normalise_name",
    "normalise_postcode",
    "normalise_sex",
    "nysiis",
    "pick_best",
    "rank_candidates",
]

Decision = Literal["match", "review", "no_match"]
K = TypeVar("K", bound=Hashable)

NICKNAMES_PATH = Path(__file__).with_name("data") / "nicknames.csv"


# ---------------------------------------------------------------------------
# Records and results
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class PersonRecord:
    """What a report says about a child, or one known identity of a child.

    ``sex`` takes M/F (or male/female/boy/girl); anything else (U, unknown,
    blank) counts as not recorded. ``postcode`` is a full UK postcode or just
    its outward code (district). ``provider_urn`` is the Ofsted URN of the
    placement. ``aliases`` are other (first, last) names the child is known
    by. ``child_id`` is an agency identifier for the child that must be
    unique across everything compared with it, so qualify it with its issuer,
    e.g. ``"la_child:886:C123456"``; it is compared exactly (ignoring case and
    spaces).
    """

    first_name: str
    last_name: str
    dob: date | None
    sex: str | None = None
    postcode: str | None = None
    provider_urn: str | None = None
    aliases: tuple[tuple[str, str], ...] = ()
    child_id: str | None = None

    def __post_init__(self) -> None:
        # Accept lists from callers but keep the record hashable.
        if self.aliases.__class__ in (tuple, list) and not self.aliases:
            object.__setattr__(self, "aliases", ())
            return
        object.__setattr__(self, "aliases", tuple((str(f or ""), str(l or "")) for f, l in self.aliases))


@dataclass(frozen=True)
class MatchResult:
    """The outcome of comparing a report with a candidate.

    ``score`` is the sum of evidence in bits. ``reasons`` are stable codes
    (no names) saying which level each field reached and, when the score was
    high enough to match but the decision is not ``match``, why
    (``review_only:...``, ``ambiguous:...``). ``evidence`` pairs each
    scoring reason with its weight, for display.
    """

    score: float
    decision: Decision
    reasons: tuple[str, ...]
    evidence: tuple[tuple[str, float], ...] = field(default=(), compare=False)


# ---------------------------------------------------------------------------
# Weights (bits) and thresholds
# ---------------------------------------------------------------------------


def _w(m: float, u: float) -> float:
    """Fellegi–Sunter weight of a comparison level: log2(m/u)."""
    return math.log2(m / u)


# Date of birth. u: children aged 0-17 spread over ~6,600 birth dates.
W_DOB_EXACT = _w(0.92, 1 / 6600)  # 12.57
W_DOB_SWAPPED = _w(0.015, 1 / 6600)  # 6.63  day and month exchanged (03/05 vs 05/03)
W_DOB_NEAR = _w(0.04, 20 / 6600)  # 3.72  one digit wrong, two adjacent digits exchanged, year +-1
W_DOB_DIFFERENT = _w(0.025, 0.996)  # -5.32

# First (given) names. u: the share of pairs of different children at that level.
W_GIVEN_EXACT = _w(0.80, 0.006)  # 7.06
W_GIVEN_FIRST_TOKEN = _w(0.05, 0.003)  # 4.06  "Callum James" vs "Callum"
W_GIVEN_VARIANT = _w(0.08, 0.004)  # 4.32  nickname or spelling variant (nicknames.csv)
W_GIVEN_MIDDLE = _w(0.01, 0.001)  # 3.32  known by a middle name ("Amy Elizabeth" vs "Beth")
W_GIVEN_COMMON_PREFIX = _w(0.005, 0.005)  # 0.00  only "Mohammed" (etc.) agrees
W_GIVEN_FUZZY = _w(0.03, 0.008)  # 1.91  a typo (Jaro-Winkler >= 0.90, or one edit)
W_GIVEN_INITIAL = _w(0.01, 0.0025)  # 2.00  "J" vs "James"
W_GIVEN_DIFFERENT = _w(0.02, 0.97)  # -5.60

# Surnames.
W_SURNAME_EXACT = _w(0.85, 0.002)  # 8.73  (also: the same parts in another order)
W_SURNAME_PART = _w(0.04, 0.001)  # 5.32  "Smith-Jones" vs "Jones"
W_SURNAME_FUZZY = _w(0.04, 0.003)  # 3.74  a typo, in the whole surname or in one part
W_SURNAME_DIFFERENT = _w(0.06, 0.99)  # -4.04 (surnames change: care, adoption, marriage of a parent)

# Penalties for the less usual ways of lining the names up.
SWAP_PENALTY = 1.0  # first and last names exchanged
ALIAS_PENALTY = 0.5  # the agreement used a known alias rather than the main name

# Sex (only M/F compared).
W_SEX_AGREE = _w(0.98, 0.5)  # 0.97
W_SEX_DIFFERENT = _w(0.01, 0.5)  # -5.64

# Where the child lives or is placed. Not Fellegi-Sunter weights: siblings
# share addresses and placements, and children in care move, so these are kept
# small, only corroborating, and never count against a match when they differ.
W_POSTCODE_SAME = 2.0
W_POSTCODE_DISTRICT_SAME = 1.0
W_PROVIDER_URN_SAME = 1.5

# Identifier for the child (qualified by its issuer).
W_IDENTIFIER_AGREE = _w(0.98, 1e-6)  # 19.90
W_IDENTIFIER_DIFFERENT = _w(0.02, 0.999)  # -5.64

# Thresholds, in bits. They were set from the scenario table below (sex not
# recorded, no postcode or URN), not fitted:
#
#   all exact                                   28.4  match
#   swapped first/last names                    27.4  match
#   nickname, same DOB and surname              25.6  match
#   hyphenated surname part                     25.0  match
#   one typo in surname                         23.4  match
#   nickname + surname part                     22.2  match
#   nickname + surname typo                     20.6  review (needs one more item, e.g. sex agrees)
#   typo in first name                          23.2  review (first name not confirmed)
#   day/month swapped DOB, names exact          22.4  review (DOB not exact)
#   one digit wrong in DOB, names exact         19.5  review
#   no DOB, names exact                         15.8  review
#   twins: same DOB and surname, other first    15.7  review (never match)
#   same first name and DOB, other surname      15.6  review
#   same names, different DOB                   10.5  no_match (review with sex and postcode)
#   sibling: different DOB and first name         -   no_match (rule)
#
# MATCH_THRESHOLD sits just above the weakest pair of soft name agreements
# (nickname + surname typo, 20.6): such a pair needs one corroborating item.
# Every automatic match also passes the rules in the module docstring, so the
# threshold is not the only guard.
MATCH_THRESHOLD = 21.0
# REVIEW_THRESHOLD sits above "same names, different date of birth" (10.5) and
# "same names, date of birth missing, surname typo" so that namesakes (there
# are many Oliver Smiths) reach the queue only with some corroboration (the
# same postcode district, placement or sex), and below "twins" (15.7) so a
# possible twin always reaches a person.
REVIEW_THRESHOLD = 12.0
# best_match: the best candidate must lead the runner-up by this many bits
# (16 times the odds) to be matched. Less than that is the gap between an exact
# first name and a nickname (2.7) or a hyphen part (3.4): two candidates that
# close are equally plausible to a person too.
AMBIGUITY_MARGIN = 4.0
# With agreeing identifiers, the rest of the evidence must not be net against
# the match (names changed or DOB corrected are fine; everything different is
# not).
ID_SUPPORT_THRESHOLD = 0.0

# Given names that say little on their own because many boys bear them as a
# first of several given names (Muhammad Ali, Muhammad Hamza...). When one side
# has more given names, these are skipped to find the distinctive one.
COMMON_LEADING_GIVEN_NAMES = frozenset(
    {
        "mohammed", "muhammad", "mohammad", "mohamed", "mohamad", "muhammed", "muhamed",
        "muhamad", "mohammod", "mahomed", "mohd", "md", "mhd", "mohamet", "mahamed", "maxamed",
        "syed", "sayed", "sayyid", "seyed", "sayid", "saiyed",
        "abdul", "abdel", "abdur", "abd",
    }
)

# Surname particles: sharing one is not sharing a part ("Al Amin" / "Al Hassan"),
# and dropping one changes nothing ("Al-Hassan" / "Hassan", "de Souza" / "Souza").
SURNAME_PARTICLES = frozenset(
    {
        "al", "el", "ul", "bin", "bint", "ibn", "van", "von", "der", "den", "de",
        "da", "di", "du", "la", "le", "del", "della", "dos", "das",
    }
)

GIVEN_FUZZY_JW = 0.90  # Jaro-Winkler at or above: a typo (callum/calum .96; ella/ellie .85 is not)
SURNAME_FUZZY_JW = 0.90
FUZZY_MIN_LEN_FOR_ONE_EDIT = 4  # one edit (or transposition) counts as a typo from 4 letters (smith/smyth, khan/kahn)

# Bump when blocking_keys changes, or when nicknames.csv changes: stored keys
# must then be recomputed.
BLOCKING_KEY_VERSION = 1


# ---------------------------------------------------------------------------
# Normalisation
# ---------------------------------------------------------------------------

_SPECIAL_LETTERS = str.maketrans(
    {
        "ß": "ss", "ẞ": "ss", "æ": "ae", "Æ": "ae", "ø": "o", "Ø": "o", "ł": "l", "Ł": "l",
        "đ": "d", "Đ": "d", "ð": "d", "Ð": "d", "þ": "th", "Þ": "th", "œ": "oe", "Œ": "oe",
        "ı": "i", "ħ": "h", "Ħ": "h", "ŀ": "l", "Ŀ": "l", "ŧ": "t", "Ŧ": "t",
    }
)
_DROPPED = frozenset("'’‘`´ʼʻ\u02bc\u2032")  # apostrophes join: O'Brien -> obrien


def _normalise_once(s: str) -> str:
    s = unicodedata.normalize("NFKD", s.translate(_SPECIAL_LETTERS)).casefold()
    s = unicodedata.normalize("NFKD", s.translate(_SPECIAL_LETTERS))
    out: list[str] = []
    for ch in s:
        cat = unicodedata.category(ch)
        if ch in _DROPPED or cat[0] == "M" or cat == "Cf":
            continue  # apostrophes, accents and other combining marks, zero-width joiners
        if ch.isalpha():
            out.append(ch)
        else:
            out.append(" ")  # spaces, hyphens, dots, digits and other punctuation separate words
    return " ".join("".join(out).split())


def normalise_name(s: str | None) -> str:
    """A name for comparison: case-folded, accents and apostrophes removed,
    hyphens, digits and other punctuation turned into single spaces.

    "  O'Brien-Smith " -> "obrien smith"; "Zoë" -> "zoe"; "ŁUKASZ" -> "lukasz".
    Letters of other scripts are kept as they are. Idempotent.
    """
    if not s:
        return ""
    return _normalise_cached(str(s))


@lru_cache(maxsize=65536)
def _normalise_cached(s: str) -> str:
    prev, cur = None, s
    for _ in range(4):  # reaches a fixed point in one or two rounds
        prev, cur = cur, _normalise_once(cur)
        if cur == prev:
            break
    return cur


def _joined(s: str) -> str:
    return s.replace(" ", "")


_SEX = {
    "m": "M", "male": "M", "boy": "M", "man": "M",
    "f": "F", "female": "F", "girl": "F", "woman": "F",
}


def normalise_sex(s: str | None) -> str | None:
    """'M', 'F', or None when not recorded or not M/F (U, unknown, X, blank)."""
    if not s:
        return None
    return _SEX.get(str(s).strip().casefold())


_POSTCODE_FULL = re.compile(r"^([A-Z]{1,2}[0-9][A-Z0-9]?)([0-9][A-Z]{2})$")
_POSTCODE_OUTWARD = re.compile(r"^[A-Z]{1,2}[0-9][A-Z0-9]?$")


def normalise_postcode(s: str | None) -> tuple[str | None, str | None]:
    """(full postcode, district) for a UK postcode, e.g. ("SW1A1AA", "SW1A").

    A bare outward code gives (None, district). Anything else (NFA, blank,
    foreign) gives (None, None).
    """
    if not s:
        return None, None
    return _normalise_postcode(str(s))


@lru_cache(maxsize=65536)
def _normalise_postcode(s: str) -> tuple[str | None, str | None]:
    t = re.sub(r"[^A-Z0-9]", "", s.upper())
    m = _POSTCODE_FULL.match(t)
    if m:
        return t, m.group(1)
    if _POSTCODE_OUTWARD.match(t):
        return None, t
    return None, None


def _normalise_code(s: str | None) -> str | None:
    if not s:
        return None
    return _normalise_code_text(str(s))


@lru_cache(maxsize=65536)
def _normalise_code_text(s: str) -> str | None:
    t = re.sub(r"\s+", "", s).upper()
    return t or None


# ---------------------------------------------------------------------------
# Phonetic key: NYSIIS (New York State Identification and Intelligence System)
# ---------------------------------------------------------------------------

_VOWELS = frozenset("AEIOU")


def nysiis(name: str | None) -> str:
    """The original NYSIIS code of a name (Taft, 1970), without truncation.

    Used only for blocking. Works on the name's A-Z letters after
    :func:`normalise_name`; "" when there are none.
    Mohammed, Muhammad and Mohamed all give "MAHANAD".
    """
    s = "".join(ch for ch in normalise_name(name).upper() if "A" <= ch <= "Z")
    if not s:
        return ""
    for old, new in (("MAC", "MCC"), ("KN", "NN"), ("K", "C"), ("PH", "FF"), ("PF", "FF"), ("SCH", "SSS")):
        if s.startswith(old):
            s = new + s[len(old):]
            break
    if s.endswith(("EE", "IE")):
        s = s[:-2] + "Y"
    elif s.endswith(("DT", "RT", "RD", "NT", "ND")):
        s = s[:-2] + "D"
    c = list(s)
    key = [c[0]]
    i = 1
    while i < len(c):
        ch = c[i]
        nxt = c[i + 1] if i + 1 < len(c) else ""
        if ch == "E" and nxt == "V":
            c[i], c[i + 1] = "A", "F"
        elif ch in _VOWELS:
            c[i] = "A"
        elif ch == "Q":
            c[i] = "G"
        elif ch == "Z":
            c[i] = "S"
        elif ch == "M":
            c[i] = "N"
        elif ch == "K":
            c[i] = "N" if nxt == "N" else "C"
        elif ch == "S" and c[i + 1 : i + 3] == ["C", "H"]:
            # SCH -> SSS, entered in the key as "SS" (as jellyfish and most
            # implementations do): "Bosch" -> "BAS", not "B".
            c[i : i + 3] = ["S", "S", "S"]
            if key[-1] != "S":
                key.extend("SS")
            i += 3
            continue
        elif ch == "P" and nxt == "H":
            c[i : i + 2] = ["F", "F"]
        elif ch == "H" and (c[i - 1] not in _VOWELS or nxt == "" or nxt not in _VOWELS):
            c[i] = c[i - 1]
        elif ch == "W" and c[i - 1] in _VOWELS:
            c[i] = c[i - 1]
        if c[i] != key[-1]:
            key.append(c[i])
        i += 1
    code = "".join(key)
    if len(code) > 1 and code.endswith("S"):
        code = code[:-1]
    if code.endswith("AY"):
        code = code[:-2] + "Y"
    if len(code) > 1 and code.endswith("A"):
        code = code[:-1]
    return code


# ---------------------------------------------------------------------------
# Nicknames and name variants
# ---------------------------------------------------------------------------


class NicknameIndex:
    """Given-name variant groups: two names are variants if one group holds both."""

    def __init__(self, groups: Iterable[Iterable[str]]):
        self.groups: tuple[frozenset[str], ...] = ()
        self._heads: list[str] = []
        by_name: dict[str, set[int]] = {}
        kept: list[frozenset[str]] = []
        for group in groups:
            names = [_joined(normalise_name(n)) for n in group]
            names = [n for n in names if n]
            if len(set(names)) < 2:
                continue
            gid = len(kept)
            kept.append(frozenset(names))
            self._heads.append(names[0])
            for n in names:
                by_name.setdefault(n, set()).add(gid)
        self.groups = tuple(kept)
        self._by_name = {n: frozenset(g) for n, g in by_name.items()}

    @classmethod
    def load(cls, path: str | Path = NICKNAMES_PATH) -> NicknameIndex:
        """Read a file of groups: one per line, ';'-separated, '#' comments."""
        groups = []
        with open(path, encoding="utf-8") as fh:
            for line in fh:
                line = line.strip()
                if line and not line.startswith("#"):
                    groups.append(line.split(";"))
        return cls(groups)

    def variants(self, a: str, b: str) -> bool:
        """Whether two (normalised) given names share a group."""
        ga = self._by_name.get(_joined(a))
        gb = self._by_name.get(_joined(b))
        return bool(ga and gb and not ga.isdisjoint(gb))

    def heads(self, name: str) -> frozenset[str]:
        """The first name of each group holding this name (for blocking keys)."""
        return frozenset(self._heads[g] for g in self._by_name.get(_joined(name), ()))

    def __len__(self) -> int:
        return len(self.groups)


@lru_cache(maxsize=1)
def default_nicknames() -> NicknameIndex:
    """The variant groups shipped in ``data/nicknames.csv`` (loaded once)."""
    return NicknameIndex.load(NICKNAMES_PATH)


# ---------------------------------------------------------------------------
# Field comparisons
# ---------------------------------------------------------------------------

# Levels are the reason codes themselves.
DOB_EXACT, DOB_SWAPPED, DOB_NEAR, DOB_DIFFERENT, DOB_MISSING = (
    "dob_exact", "dob_day_month_swapped", "dob_near", "dob_differs", "dob_missing",
)
GIVEN_EXACT = "first_name_exact"
GIVEN_FIRST_TOKEN = "first_name_first_given_name"
GIVEN_VARIANT = "first_name_variant"
GIVEN_MIDDLE = "first_name_middle_name"
GIVEN_COMMON_PREFIX = "first_name_common_prefix_only"
GIVEN_FUZZY = "first_name_fuzzy"
GIVEN_INITIAL = "first_name_initial"
GIVEN_DIFFERENT = "first_name_differs"
GIVEN_MISSING = "first_name_missing"
SURNAME_EXACT = "surname_exact"
SURNAME_PART = "surname_shared_part"
SURNAME_FUZZY = "surname_fuzzy"
SURNAME_DIFFERENT = "surname_differs"
SURNAME_MISSING = "surname_missing"

_DOB_WEIGHT = {
    DOB_EXACT: W_DOB_EXACT, DOB_SWAPPED: W_DOB_SWAPPED, DOB_NEAR: W_DOB_NEAR,
    DOB_DIFFERENT: W_DOB_DIFFERENT, DOB_MISSING: 0.0,
}
_GIVEN_WEIGHT = {
    GIVEN_EXACT: W_GIVEN_EXACT, GIVEN_FIRST_TOKEN: W_GIVEN_FIRST_TOKEN, GIVEN_VARIANT: W_GIVEN_VARIANT,
    GIVEN_MIDDLE: W_GIVEN_MIDDLE, GIVEN_COMMON_PREFIX: W_GIVEN_COMMON_PREFIX, GIVEN_FUZZY: W_GIVEN_FUZZY,
    GIVEN_INITIAL: W_GIVEN_INITIAL, GIVEN_DIFFERENT: W_GIVEN_DIFFERENT, GIVEN_MISSING: 0.0,
}
_SURNAME_WEIGHT = {
    SURNAME_EXACT: W_SURNAME_EXACT, SURNAME_PART: W_SURNAME_PART, SURNAME_FUZZY: W_SURNAME_FUZZY,
    SURNAME_DIFFERENT: W_SURNAME_DIFFERENT, SURNAME_MISSING: 0.0,
}
# First-name levels that can support an automatic match.
CONFIRMING_GIVEN = frozenset({GIVEN_EXACT, GIVEN_FIRST_TOKEN, GIVEN_VARIANT})
CONFIRMING_SURNAME = frozenset({SURNAME_EXACT, SURNAME_PART, SURNAME_FUZZY})
# Deterministic preference among equal scores (higher is better).
_GIVEN_RANK = {lvl: i for i, lvl in enumerate(reversed(list(_GIVEN_WEIGHT)))}
_SURNAME_RANK = {lvl: i for i, lvl in enumerate(reversed(list(_SURNAME_WEIGHT)))}


def _dob_digits(d: date) -> str:
    return f"{d.year:04d}{d.month:02d}{d.day:02d}"


def compare_dob(a: date | None, b: date | None) -> str:
    """The level at which two dates of birth agree."""
    if a is None or b is None:
        return DOB_MISSING
    if a == b:
        return DOB_EXACT
    return _compare_dob(a, b)


@lru_cache(maxsize=65536)
def _compare_dob(a: date, b: date) -> str:
    if a.year == b.year and a.month == b.day and a.day == b.month:
        return DOB_SWAPPED
    sa, sb = _dob_digits(a), _dob_digits(b)
    diff = [i for i in range(8) if sa[i] != sb[i]]
    if len(diff) == 1:
        return DOB_NEAR
    if len(diff) == 2 and diff[1] == diff[0] + 1 and sa[diff[0]] == sb[diff[1]] and sa[diff[1]] == sb[diff[0]]:
        return DOB_NEAR  # two adjacent digits exchanged: 2012 / 2021, 12th / 21st
    if (a.month, a.day) == (b.month, b.day) and abs(a.year - b.year) == 1:
        return DOB_NEAR
    return DOB_DIFFERENT


def _fuzzy(a: str, b: str, jw: float) -> bool:
    if JaroWinkler.similarity(a, b) >= jw:
        return True
    return min(len(a), len(b)) >= FUZZY_MIN_LEN_FOR_ONE_EDIT and OSA.distance(a, b, score_cutoff=1) <= 1


def _given_token(a: str, b: str, nick: NicknameIndex) -> str:
    """Level for two single given-name words."""
    if len(a) == 1 or len(b) == 1:
        return GIVEN_INITIAL if a[0] == b[0] else GIVEN_DIFFERENT
    if a == b:
        return GIVEN_EXACT
    if nick.variants(a, b):
        return GIVEN_VARIANT
    if _fuzzy(a, b, GIVEN_FUZZY_JW):
        return GIVEN_FUZZY
    return GIVEN_DIFFERENT


_AGREE_TOKEN = frozenset({GIVEN_EXACT, GIVEN_VARIANT})


def compare_given(a: str, b: str, nick: NicknameIndex | None = None) -> str:
    """The level at which two given names (normalised, possibly several words) agree."""
    return _compare_given(a, b, nick or default_nicknames())


@lru_cache(maxsize=65536)
def _compare_given(a: str, b: str, nick: NicknameIndex) -> str:
    if not a or not b:
        return GIVEN_MISSING
    ja, jb = _joined(a), _joined(b)
    if ja == jb:
        return GIVEN_INITIAL if len(ja) == 1 else GIVEN_EXACT
    if nick.variants(ja, jb):
        return GIVEN_VARIANT  # also "Abdul Rahman" / "Abdirahman"
    ta, tb = a.split(), b.split()
    da = [t for t in ta if t not in COMMON_LEADING_GIVEN_NAMES]
    db = [t for t in tb if t not in COMMON_LEADING_GIVEN_NAMES]
    if not da or not db:
        la = [t for t in ta if t in COMMON_LEADING_GIVEN_NAMES]
        lb = [t for t in tb if t in COMMON_LEADING_GIVEN_NAMES]
        common = any(_given_token(x, y, nick) in _AGREE_TOKEN for x in la for y in lb)
        if common and not da and not db:
            return GIVEN_VARIANT  # "Mohammed" / "Muhammad", "Md" / "Mohammed"
        if common:
            return GIVEN_COMMON_PREFIX  # "Mohammed" / "Mohammed Ali": says little
        da, db = da or ta, db or tb
    level = _given_token(da[0], db[0], nick)
    if level in _AGREE_TOKEN:
        ra, rb = da[1:], db[1:]
        if ra and rb and not any(_given_token(x, y, nick) != GIVEN_DIFFERENT for x in ra for y in rb):
            return GIVEN_DIFFERENT  # "Mary Jane" / "Mary Ann", "Muhammad Hamza" / "Muhammad Hassan"
        if level == GIVEN_VARIANT:
            return GIVEN_VARIANT
        if da == db and len(da) < len(ta) and len(db) < len(tb):
            return GIVEN_VARIANT  # "Mohammed Ali" / "Muhammad Ali": only the common prefix is spelt differently
        return GIVEN_FIRST_TOKEN  # "Callum James" / "Callum", "Muhammad Hamza" / "Hamza"
    if any(_given_token(x, db[0], nick) in _AGREE_TOKEN for x in da[1:]) or any(
        _given_token(da[0], y, nick) in _AGREE_TOKEN for y in db[1:]
    ):
        return GIVEN_MIDDLE
    jda, jdb = "".join(da), "".join(db)
    if level == GIVEN_FUZZY or (min(len(jda), len(jdb)) > 1 and _fuzzy(jda, jdb, GIVEN_FUZZY_JW)):
        return GIVEN_FUZZY
    if level == GIVEN_INITIAL:
        return GIVEN_INITIAL
    return GIVEN_DIFFERENT


def _surname_parts(s: str) -> set[str]:
    return {t for t in s.split() if len(t) > 1 and t not in SURNAME_PARTICLES}


@lru_cache(maxsize=65536)
def compare_surname(a: str, b: str) -> str:
    """The level at which two surnames (normalised) agree."""
    if not a or not b:
        return SURNAME_MISSING
    ja, jb = _joined(a), _joined(b)
    if ja == jb:
        return SURNAME_EXACT
    pa, pb = _surname_parts(a), _surname_parts(b)
    if pa and pa == pb:
        return SURNAME_EXACT  # "Smith Jones" / "Jones-Smith"
    if pa & pb:
        return SURNAME_PART
    if _fuzzy(ja, jb, SURNAME_FUZZY_JW):
        return SURNAME_FUZZY
    if (len(pa) > 1 or len(pb) > 1) and any(_fuzzy(x, y, SURNAME_FUZZY_JW) for x in pa for y in pb):
        return SURNAME_FUZZY  # a typo in one part of a double-barrelled name
    return SURNAME_DIFFERENT


# ---------------------------------------------------------------------------
# Comparing two records
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class _NameFit:
    score: float
    given: str
    surname: str
    swapped: bool
    alias: bool

    def sort_key(self) -> tuple:
        return (
            round(self.score, 9), _GIVEN_RANK[self.given], _SURNAME_RANK[self.surname],
            not self.swapped, not self.alias,
        )


def _names(rec: PersonRecord) -> tuple[tuple[str, str, bool], ...]:
    """The record's names, normalised: (first, last, is an alias), the main
    name first (worked out once a record: a record does not change)."""
    out = rec.__dict__.get("_names")
    if out is None:
        out = ((normalise_name(rec.first_name), normalise_name(rec.last_name), False),
               *((normalise_name(first), normalise_name(last), True) for first, last in rec.aliases))
        rec.__dict__["_names"] = out
    return out


def _fit(given_a: str, given_b: str, sur_a: str, sur_b: str, swapped: bool, alias: bool, nick: NicknameIndex) -> _NameFit:
    g = compare_given(given_a, given_b, nick)
    s = compare_surname(sur_a, sur_b)
    score = _GIVEN_WEIGHT[g] + _SURNAME_WEIGHT[s]
    if swapped:
        score -= SWAP_PENALTY
    if alias:
        score -= ALIAS_PENALTY
    return _NameFit(score, g, s, swapped, alias)


def _best_name_fit(a: PersonRecord, b: PersonRecord, nick: NicknameIndex) -> _NameFit:
    """The best way to line up the two records' names: straight or with one
    record's first and last names exchanged, main names or aliases.

    Both exchanges are tried, so the result is the same whichever record
    comes first.
    """
    return names_fit(_names(a), _names(b), nick)[0]


@lru_cache(maxsize=32768)
def names_fit(names_a: tuple, names_b: tuple, nick: NicknameIndex) -> tuple[_NameFit, float]:
    """The best _fit of two records' names (as _names gives them), and the
    highest score of any way of lining them up. A function of the names
    alone, so remembered: the same names meet again and again."""
    # _fit and _NameFit.sort_key, without making a _NameFit for every way tried.
    best = None
    best_key = None
    top = None
    for fa, la, alias_a in names_a:
        for fb, lb, alias_b in names_b:
            alias = alias_a or alias_b
            for given_a, given_b, sur_a, sur_b, swapped in (
                (fa, fb, la, lb, False),
                (la, fb, fa, lb, True),  # a's names exchanged
                (fa, lb, la, fb, True),  # b's names exchanged
            ):
                g = _compare_given(given_a, given_b, nick)  # compare_given, nick given
                s = compare_surname(sur_a, sur_b)
                score = _GIVEN_WEIGHT[g] + _SURNAME_WEIGHT[s]
                if swapped:
                    score -= SWAP_PENALTY
                if alias:
                    score -= ALIAS_PENALTY
                if top is None or score > top:
                    top = score
                key = (round(score, 9), _GIVEN_RANK[g], _SURNAME_RANK[s], not swapped, not alias)
                if best_key is None or key > best_key:
                    best_key = key
                    best = (score, g, s, swapped, alias)
    assert best is not None
    return _NameFit(*best), top


def compare(report: PersonRecord, candidate: PersonRecord, *, nicknames: NicknameIndex | None = None) -> MatchResult:
    """Compare a report with one known identity of a child.

    Symmetric: ``compare(a, b)`` and ``compare(b, a)`` give the same score,
    decision and reasons.
    """
    nick = nicknames or default_nicknames()
    evidence: list[tuple[str, float]] = []

    id_a, id_b = _normalise_code(report.child_id), _normalise_code(candidate.child_id)
    identifier = None
    if id_a and id_b:
        identifier = "identifier_agrees" if id_a == id_b else "identifier_differs"
        evidence.append((identifier, W_IDENTIFIER_AGREE if id_a == id_b else W_IDENTIFIER_DIFFERENT))

    dob = compare_dob(report.dob, candidate.dob)
    evidence.append((dob, _DOB_WEIGHT[dob]))

    names = _best_name_fit(report, candidate, nick)
    evidence.append((names.given, _GIVEN_WEIGHT[names.given]))
    evidence.append((names.surname, _SURNAME_WEIGHT[names.surname]))
    if names.swapped:
        evidence.append(("names_swapped", -SWAP_PENALTY))
    if names.alias:
        evidence.append(("alias_used", -ALIAS_PENALTY))

    sex_a, sex_b = normalise_sex(report.sex), normalise_sex(candidate.sex)
    sex = None
    if sex_a and sex_b:
        sex = "sex_agrees" if sex_a == sex_b else "sex_differs"
        evidence.append((sex, W_SEX_AGREE if sex_a == sex_b else W_SEX_DIFFERENT))

    (full_a, district_a), (full_b, district_b) = normalise_postcode(report.postcode), normalise_postcode(candidate.postcode)
    if full_a and full_a == full_b:
        evidence.append(("postcode_same", W_POSTCODE_SAME))
    elif district_a and district_a == district_b:
        evidence.append(("postcode_district_same", W_POSTCODE_DISTRICT_SAME))

    urn_a, urn_b = _normalise_code(report.provider_urn), _normalise_code(candidate.provider_urn)
    if urn_a and urn_a == urn_b:
        evidence.append(("provider_urn_same", W_PROVIDER_URN_SAME))

    score = 0.0
    for _, weight in evidence:
        score += weight
    score = round(score, 6)

    # Rules on top of the score.
    hard: list[str] = []  # never match, whatever the identifiers say
    soft: list[str] = []  # never match on names and DOB alone
    if sex == "sex_differs":
        hard.append("review_only:sex_differs")
    if identifier == "identifier_differs":
        hard.append("review_only:identifier_differs")
    if names.given == GIVEN_DIFFERENT:
        hard.append("review_only:first_names_differ")
    if dob != DOB_EXACT:
        soft.append("review_only:dob_not_exact")
    if names.given not in CONFIRMING_GIVEN and names.given != GIVEN_DIFFERENT:
        soft.append("review_only:first_name_not_confirmed")
    if names.surname not in CONFIRMING_SURNAME:
        soft.append("review_only:surname_not_confirmed")
    sibling = dob == DOB_DIFFERENT and names.given == GIVEN_DIFFERENT
    nameless = names.given == GIVEN_MISSING and names.surname == SURNAME_MISSING

    extra: list[str] = []
    decision: Decision
    if identifier == "identifier_agrees":
        if hard or sibling or score - W_IDENTIFIER_AGREE < ID_SUPPORT_THRESHOLD:
            decision = "review"
            extra = ["review_only:identifier_conflicts_with_details", *hard]
        else:
            decision = "match"
    elif sibling:
        decision = "no_match"
        extra = ["no_match:different_dob_and_first_name"]
    elif nameless:
        decision = "no_match"  # a date of birth alone is shared by too many children
        extra = ["no_match:no_names_to_compare"]
    elif score >= MATCH_THRESHOLD and not hard and not soft:
        decision = "match"
    elif score >= REVIEW_THRESHOLD:
        decision = "review"
        if score >= MATCH_THRESHOLD:
            extra = hard + soft
    else:
        decision = "no_match"

    reasons = tuple(code for code, _ in evidence) + tuple(extra)
    return MatchResult(score, decision, reasons, tuple((c, round(w, 3)) for c, w in evidence))


# ---------------------------------------------------------------------------
# Choosing among candidates
# ---------------------------------------------------------------------------

_DECISION_RANK = {"match": 2, "review": 1, "no_match": 0}


def rank_candidates(
    report: PersonRecord,
    candidates: Iterable[tuple[K, PersonRecord]],
    *,
    nicknames: NicknameIndex | None = None,
) -> list[tuple[K, MatchResult]]:
    """Each candidate key with its best comparison, best first.

    A key may come several times (one child, several known identities); its
    identity that supports the report best counts. Ties keep input order.
    """
    best: dict[K, MatchResult] = {}
    for key, rec in candidates:
        result = compare(report, rec, nicknames=nicknames)
        prev = best.get(key)
        if prev is None or (_DECISION_RANK[result.decision], result.score) > (_DECISION_RANK[prev.decision], prev.score):
            best[key] = result
    return sorted(best.items(), key=lambda kv: (-_DECISION_RANK[kv[1].decision], -kv[1].score))


def best_match(
    report: PersonRecord,
    candidates: Iterable[tuple[K, PersonRecord]],
    *,
    nicknames: NicknameIndex | None = None,
) -> tuple[K | None, MatchResult]:
    """The candidate the report is about, if any.

    Returns ``(key, result)``: ``match`` only when the best candidate would
    match on its own and leads every other candidate by at least
    ``AMBIGUITY_MARGIN`` bits, none of which would also match (an agreeing
    identifier wins outright); ``review`` with the best candidate's key
    otherwise, when it reaches review; ``(None, no_match)`` when nothing
    does. Use :func:`rank_candidates` for the whole list (the review queue).
    """
    return pick_best(rank_candidates(report, candidates, nicknames=nicknames))


def pick_best(ranked: list[tuple[K, MatchResult]]) -> tuple[K | None, MatchResult]:
    """best_match's choice from candidates already ranked (rank_candidates):
    what best_match gives for them. Only the two best are looked at."""
    if not ranked:
        return None, MatchResult(0.0, "no_match", ("no_candidates",))
    key, best = ranked[0]
    if best.decision == "no_match":
        return None, best
    if best.decision == "match" and len(ranked) > 1:
        runner = ranked[1][1]
        by_identifier = "identifier_agrees" in best.reasons and "identifier_agrees" not in runner.reasons
        if not by_identifier:
            why = None
            if runner.decision == "match":
                why = "ambiguous:runner_up_also_matches"
            elif best.score - runner.score < AMBIGUITY_MARGIN:
                why = "ambiguous:runner_up_within_margin"
            if why:
                best = MatchResult(best.score, "review", best.reasons + (why,), best.evidence)
    return key, best


# ---------------------------------------------------------------------------
# Blocking: finding candidates cheaply
# ---------------------------------------------------------------------------


def _given_keys(first: str, nick: NicknameIndex) -> set[str]:
    toks = normalise_name(first).split()
    distinctive = [t for t in toks if t not in COMMON_LEADING_GIVEN_NAMES] or toks
    keys: set[str] = set()
    for t in distinctive:
        if len(t) > 1:
            keys.add(nysiis(t))
            keys.update("=" + h for h in nick.heads(t))
    joined = _joined(normalise_name(first))
    if len(joined) > 1:
        keys.update("=" + h for h in nick.heads(joined))
    keys.discard("")
    return keys


def _surname_keys(last: str) -> set[str]:
    norm = normalise_name(last)
    keys = {nysiis(t) for t in _surname_parts(norm)}
    if len(_joined(norm)) > 1:
        keys.add(nysiis(_joined(norm)))
    keys.discard("")
    return keys


def name_keys(first: str, last: str, *, nicknames: NicknameIndex | None = None) -> set[str]:
    """Phonetic keys of a name, used inside :func:`blocking_keys`.

    NYSIIS codes of the surname run together and of each of its parts (not
    particles like "al", "van"), and of each distinctive given name; plus
    ``=head`` for each nickname group holding a given name, so that Lizzie and
    Elizabeth share ``=elizabeth``.
    """
    nick = nicknames or default_nicknames()
    return _given_keys(first, nick) | _surname_keys(last)


def blocking_keys(rec: PersonRecord, *, nicknames: NicknameIndex | None = None) -> set[str]:
    """Keys to store in an index for each known identity, and to look up for a
    report: a candidate worth comparing shares at least one key with it.

    * ``id:<child_id>`` - the identifier, exactly.
    * ``dob:<yyyy-mm-dd>`` - the date of birth. Catches every name change,
      unknown nickname and spelling when the DOB is right.
    * ``dobdm:<yyyy>-<lo>-<hi>`` - the DOB with day and month in either order:
      day/month swaps.
    * ``dobt:<i>:<digits>`` - YYYYMMDD with the two digits at i, i+1 put in
      order: two adjacent digits exchanged (2012/2021, 12th/21st).
    * ``dob1:<digits with one '_'>:<name key>`` - a DOB with one digit wrong,
      with one name key in common (any name key, so swapped names still meet).
    * ``dobmd:<mmdd>:<name key>`` - the same birthday with a name key in
      common: year off by one (2009/2010).
    * ``nm:<key>:<key>`` - a given-name key with a surname key, in either
      order: the right names with a wrong or missing DOB, and swapped names.

    Name keys come from :func:`name_keys`, for the main name and each alias.
    The keys depend on the nickname file: see ``BLOCKING_KEY_VERSION``. A
    report with only an initial for a first name gets no ``nm`` keys (too
    common to be worth it) but still all the DOB keys.
    """
    nick = nicknames or default_nicknames()
    keys: set[str] = set()
    ident = _normalise_code(rec.child_id)
    if ident:
        keys.add(f"id:{ident}")
    all_name_keys: set[str] = set()
    for first, last in ((rec.first_name, rec.last_name), *rec.aliases):
        g, s = _given_keys(first, nick), _surname_keys(last)
        all_name_keys |= g | s
        for gk in g:
            for sk in s:
                lo, hi = sorted((gk, sk))
                keys.add(f"nm:{lo}:{hi}")
    d = rec.dob
    if d is not None:
        keys.add(f"dob:{d.isoformat()}")
        lo_dm, hi_dm = sorted((d.month, d.day))
        keys.add(f"dobdm:{d.year:04d}-{lo_dm:02d}-{hi_dm:02d}")
        digits = _dob_digits(d)
        for i in range(7):
            pair = "".join(sorted(digits[i : i + 2]))
            keys.add(f"dobt:{i}:{digits[:i]}{pair}{digits[i + 2:]}")
        for nk in all_name_keys:
            for i in range(8):
                keys.add(f"dob1:{digits[:i]}_{digits[i + 1:]}:{nk}")
            keys.add(f"dobmd:{d.month:02d}{d.day:02d}:{nk}")
    return keys


def dob_variants(dob: date | None) -> frozenset[date]:
    """Dates of birth a report's DOB could be a small slip for, itself included.

    The date, the date with day and month swapped, every valid date one digit
    away in YYYYMMDD, every valid date with two adjacent digits exchanged, and
    the same day a year either side; only dates within 20 years of it. For a
    query like ``dob__in=...`` (about 50 dates). Empty for no DOB.
    """
    if dob is None:
        return frozenset()
    out = {dob}
    y, m, d = dob.year, dob.month, dob.day
    digits = [int(ch) for ch in _dob_digits(dob)]
    found = []  # (year, month, day) of each slip, valid or not
    for i, place in enumerate((1000, 100, 10, 1, 10, 1, 10, 1)):  # one digit of YYYYMMDD wrong
        for c in range(10):
            delta = (c - digits[i]) * place
            found.append((y + delta, m, d) if i < 4 else (y, m + delta, d) if i < 6 else (y, m, d + delta))
    for i in range(7):  # two adjacent digits exchanged
        s = digits[:]
        s[i], s[i + 1] = s[i + 1], s[i]
        found.append((s[0] * 1000 + s[1] * 100 + s[2] * 10 + s[3], s[4] * 10 + s[5], s[6] * 10 + s[7]))
    found.append((y, d, m))  # day and month exchanged
    for year, month, day in found:
        if year >= 1 and 1 <= month <= 12 and 1 <= day <= 31:  # (the others cannot be dates)
            try:
                out.add(date(year, month, day))
            except ValueError:
                pass
    for dy in (-1, 1):
        try:
            out.add(dob.replace(year=dob.year + dy))
        except ValueError:
            pass  # 29 February, or the ends of the calendar
    return frozenset(d for d in out if abs(d.year - dob.year) <= 20)
