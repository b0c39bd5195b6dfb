"""Synthetic, realistic data for Homeward: notifications, SSDA903 tables, truth.

Pure Python (no Django). One call, :func:`generate`, writes a data set for one
*area authority*: the missing-notification feed that authority would import,
its own looked-after children's SSDA903 header and episodes, the SSDA903 rows
other ("placing") authorities hold for the children they placed into the area,
the providers used, and the known truth for measuring record matching.
Everything is driven by one ``random.Random(seed)``, so the same arguments
give byte-identical files.

Who is in the data set
----------------------
``children`` is the number of distinct children, split as follows (the shares
are choices, documented in docs/synthetic-data.md):

* 52% the authority's own looked-after children, i.e. the SSDA903 header:
  children looked after at any time in the window. A share ``1/(1+0.4*years)``
  were already in care when the window opened (England's looked-after
  population turns over at about 40% a year: ~83,000 in care at 31 March,
  ~33,000 starting each year); the rest start during the window.
  9% are unaccompanied asylum-seeking children (England 2024: 9%).
* 40% children living at home who go missing at least once in the window.
* 8% children placed in the area by the neighbouring authorities (none when
  there are no neighbours), mostly teenagers in children's homes and
  semi-independent accommodation.

Calibration targets (England, DfE "Children looked after in England" 2023-24,
NCA missing persons data, Kent corporate parenting report 2018)
--------------------------------------------------------------------------
* ~11% of looked-after children go missing in a year (DfE: 11-12%); Kent
  reported 0.71-0.79 incidents per looked-after child, and 59% of its missing
  children had only one or two episodes in a year.
* ~5-6 incidents a year per looked-after child who goes missing, skewed:
  "propensity tiers" (low ~1/yr, mid ~4.5/yr, high ~16/yr) with episodes in
  clusters, so a few children have 5+ episodes in one month.
* ~90% of episodes last 48 hours or less: a mixture of a few hours (47%),
  overnight 8-24 h (29%), 1-2 days (13.5%), 2-7 days (8.5%) and a tail of
  one to several weeks (2%). Episodes still open when the data ends have no
  return row.
* ~56% of missing children male (looked-after children 54% male plus UASC,
  children at home 52%).
* ~half of incidents by 16-17-year-olds, nearly all by 10-17-year-olds.
* Of incidents from care, ~half from children's homes and semi-independent
  accommodation, ~a quarter from foster care (placement-specific rates).
* More children missing from home than from care, most of them once; children
  missing from care go missing more often.
* Seasonal (March-August ~25% above September-February) and evening peaks.

Time left in care depends on age (young children leave sooner, teenagers
mostly stay until 18), which keeps the missing rate steady from year to year.
``homeward.synth.measure`` recomputes the figures from the files. One run,
``generate(authority="886", children=3000, years=2, seed=1,
end=date(2025, 4, 1))``, gave: 11.6% and 11.1% of own looked-after children
missing in 2023-24 and 2024-25, 4.7 and 4.8 episodes each; 90.2% of episodes
within 48 hours, 8 open at the end; 55.9% of missing children male; 52.7% of
episodes by 16-17-year-olds; care episodes 45% from children's homes, 12%
semi-independent, 27% foster care; 74% of children missing from home missing
once; 2,066 episodes March-August against 1,599 September-February; 21.6% of
care episodes reported twice; 0.19% bad rows. See docs/synthetic-data.md.

Messiness
---------
About a fifth of care episodes are reported twice (the home as
``provider:<URN>`` and the police, or the police and the social worker as
``la:<code>``) with last-seen times minutes apart and different references;
returns come as later rows with the same ``source`` and ``source_ref``
(sometimes a day late); names are misspelt (a swapped or dropped letter),
shortened (``Callum`` -> ``Cal``), hyphenated or swapped surnames, aliases;
``child_ref`` is on most but not all care rows and never on home rows; about
0.2% of rows are bad (impossible date, return before last seen, a blank
required field) and marked ``bad`` in truth.csv.

Streaming
---------
Rows are generated child by child (only that child's state is held) and
appended to one temporary file per calendar month of sending; each month is
then sorted on its own and appended to notifications.csv, so memory is bounded
by the busiest month, not by the size of the data set.
"""

from __future__ import annotations

import bisect
import csv
import datetime as _dt
import functools
import json
import math
import operator
import os
import pathlib
import random
import shutil
import tempfile
import time
from dataclasses import dataclass

from . import geography as geo
from . import names as nm

__all__ = [
    "generate",
    "NOTIFICATION_FIELDS",
    "HEADER_FIELDS",
    "EPISODE_FIELDS",
    "PROVIDER_FIELDS",
    "TRUTH_FIELDS",
    "TRUTH_CHILD_FIELDS",
    "FLAGS",
    "ETHNIC_CODES",
]

NOTIFICATION_FIELDS = (
    "source", "source_ref", "child_ref", "first_name", "last_name", "dob", "sex",
    "missing_from", "category", "last_seen_at", "reported_at", "risk_level",
    "postcode", "provider_urn", "responsible_authority", "returned_at",
    "found_postcode", "flags", "notes",
)
HEADER_FIELDS = ("CHILD", "SEX", "DOB", "ETHNIC", "UPN", "MOTHER", "MC_DOB")
EPISODE_FIELDS = (
    "CHILD", "DECOM", "RNE", "LS", "CIN", "PLACE", "PLACE_PROVIDER", "DEC", "REC",
    "REASON_PLACE_CHANGE", "HOME_POST", "PL_POST", "URN", "PL_LA", "PL_LOCATION",
)
PROVIDER_FIELDS = ("urn", "name", "type", "postcode", "authority")
TRUTH_FIELDS = ("line", "true_child", "true_episode", "kind")
TRUTH_CHILD_FIELDS = (
    "true_child", "group", "authority", "child_ref", "first_name", "last_name", "dob", "sex",
)
FLAGS = ("cse", "cce", "county_lines", "trafficking", "uasc", "gangs", "substance_misuse", "mental_health")
ETHNIC_CODES = (
    "WBRI", "WIRI", "WOTH", "MWBC", "MWBA", "MWAS", "MOTH", "AIND", "APKN", "ABAN",
    "AOTH", "BCRB", "BAFR", "BOTH", "CHNE", "OOTH", "REFU", "NOBT",
)

# Field positions in a notification row.
F_SOURCE, F_REF, F_CHILD_REF, F_FIRST, F_LAST, F_DOB, F_SEX, F_FROM, F_CAT = range(9)
F_LAST_SEEN, F_REPORTED, F_RISK, F_POSTCODE, F_URN, F_RESP, F_RETURNED = range(9, 16)
F_FOUND, F_FLAGS, F_NOTES = range(16, 19)

GENERATOR_VERSION = 1  # bump when the same seed would give different files
DAY = 1440  # minutes
YEAR_DAYS = 365.25

# ---------------------------------------------------------------------------
# Calibration constants (see the module docstring and docs/synthetic-data.md)
# ---------------------------------------------------------------------------
SHARE_HOME = 0.40
SHARE_PLACED_IN = 0.08
P_UASC = 0.09
P_UASC_PLACED_IN = 0.12
LAC_TURNOVER = 0.4  # starters a year per child in care

# Age at 31 March of children in care (England): weight per single year 0..17.
STOCK_AGE = [4.0] + [13 / 4] * 4 + [17 / 5] * 5 + [38 / 6] * 6 + [27 / 2] * 2
# Age on starting to be looked after: under 1 19%, 1-4 16%, 5-9 15%, 10-15 27%, 16-17 23%.
ENTRY_AGE = [19.0] + [16 / 4] * 4 + [15 / 5] * 5 + [27 / 6] * 6 + [23 / 2] * 2
UASC_AGE = {14: 1, 15: 3, 16: 6, 17: 3}
PLACED_IN_AGE = {11: 2, 12: 4, 13: 7, 14: 11, 15: 15, 16: 16, 17: 8}
# Age at first episode of children missing from home.
HOME_AGE = {8: 0.5, 9: 1, 10: 2, 11: 4, 12: 7, 13: 11, 14: 15, 15: 18, 16: 22, 17: 18}
# Number of episodes in the window of a child missing from home.
HOME_COUNT = {1: 71, 2: 14, 3: 5.5, 4: 3, 5: 2, 6: 1.2, 7: 0.8, 8: 0.6, 10: 0.6, 12: 0.5, 15: 0.4, 20: 0.3, 30: 0.1}

# Looked-after children: chance of being "missing-prone" by age, the tiers and
# their yearly rates when active, and multipliers by placement and age.
TIERS = {"low": (0.45, 1.1, 1.0), "mid": (0.35, 4.5, 1.5), "high": (0.20, 17.0, 2.6)}  # share, rate/yr, cluster size
PLACE_MULT = {
    "K2": 1.2, "H5": 1.1, "K1": 0.15, "S1": 1.0, "R1": 0.4, "P1": 2.0, "P2": 2.0, "P3": 0.8,
    "U1": 0.6, "U2": 0.6, "U3": 0.6, "U4": 0.6, "U5": 0.6, "U6": 0.7,
}


def _age_mult(age: float) -> float:
    if age < 9:
        return 0.0
    if age < 11:
        return 0.25
    if age < 13:
        return 0.55
    if age < 15:
        return 0.95
    if age < 16:
        return 1.1
    return 1.3


AGE_MULT_MAX = 1.3


def _mean_stay(age: float) -> float:
    """Mean remaining years in care by age: young children leave sooner
    (adoption, special guardianship, return home); teenagers mostly stay
    until 18. Keeps the age profile of the looked-after population steady."""
    if age < 5:
        return 1.3
    if age < 10:
        return 3.0
    if age < 14:
        return 4.0
    return 6.0

# Monthly weights (January first): spring and summer above autumn and winter.
MONTH_W = (0.82, 0.88, 1.0, 1.1, 1.15, 1.15, 1.15, 1.1, 1.0, 0.95, 0.85, 0.8)
MONTH_W_MAX = max(MONTH_W)
# Hour of the day children are last seen.
HOUR_W = (3, 2, 1.5, 1, 0.8, 0.8, 1, 1.5, 2.5, 2.5, 2.5, 2.5, 3, 3, 3.5, 5, 6, 7, 8, 8.5, 8.5, 8, 7, 5)

ETHNIC_W = {
    "WBRI": 66, "WIRI": 0.5, "WOTH": 5, "MWBC": 4.5, "MWBA": 1.5, "MWAS": 1.5, "MOTH": 3.5,
    "AIND": 0.5, "APKN": 1.2, "ABAN": 0.5, "AOTH": 1.3, "BCRB": 1.5, "BAFR": 3.5, "BOTH": 2,
    "CHNE": 0.1, "OOTH": 2.5, "REFU": 0.3, "NOBT": 0.3,
}
ETHNIC_UASC_W = {"AOTH": 35, "BAFR": 33, "OOTH": 20, "WOTH": 5, "BOTH": 5, "REFU": 2}
CIN_W = {"N1": 62, "N2": 3, "N3": 3, "N4": 8, "N5": 14, "N6": 2, "N7": 0.3}
LS_W = {"C2": 62, "V2": 18, "C1": 12, "E1": 5, "J2": 1, "L1": 0.5, "V3": 1.5}
REC_AT_18 = {"E17": 25, "E5": 30, "E6": 5, "E8": 40}
REC_EARLY = {"E4A": 40, "E13": 15, "E41": 5, "E45": 10, "E46": 5, "E8": 20, "E15": 3, "E3": 2}
REASON_CHANGE = {"CARPL": 40, "CLOSE": 6, "ALLEG": 3, "STAND": 5, "APPRR": 4, "CREQB": 12, "CREQO": 10, "CHILD": 8, "LAREQ": 7, "OTHER": 5}

# Placement mixes by age band (before the missing-prone adjustment).
PLACE_MIX = {
    "young": {"UK": 25, "UO": 63, "P1": 10, "K2": 2},
    "mid": {"UK": 15, "UO": 60, "K2": 14, "P1": 7, "S1": 2, "K1": 0.7, "R1": 0.3},
    "old": {"UK": 10, "UO": 44, "K2": 14, "H5": 20, "P2": 6, "P1": 5, "K1": 0.7, "P3": 0.3},
    "uasc_young": {"UO": 70, "K2": 30},
    "uasc_old": {"H5": 52, "UO": 33, "K2": 12, "P2": 3},
}
# Missing-prone children are placed in residential settings more often.
PRONE_PLACE_MULT = {"K2": 2.2, "H5": 2.0, "P1": 1.5, "P2": 2.0}
PLACED_IN_MIX = {"K2": 52, "H5": 22, "UO": 23, "S1": 2, "K1": 1}
KIN = {"U1": 30, "U2": 5, "U3": 65}
NONKIN = {"U4": 35, "U5": 3, "U6": 62}
# Chance a placement of this kind is outside the authority's area.
OUT_OF_AREA = {"K2": 0.4, "H5": 0.3, "K1": 0.6, "S1": 0.5, "R1": 0.5, "UO_IFA": 0.25, "UO": 0.08, "UK": 0.15, "P1": 0.04, "P2": 0.1, "P3": 0.3}
PROVIDER_TYPE = {"K2": "children_home", "H5": "semi_independent", "K1": "secure", "S1": "residential_school", "R1": "children_home"}
HOME_TYPES = frozenset(("children_home", "semi_independent", "secure", "residential_school"))

# Chance a reporter gives the responsible authority / the child's SSDA903 id.
RESP_P = {"provider": 0.95, "police": 0.8, "la": 1.0}
CHILD_REF_P = {"provider": 0.9, "police": 0.55, "la": 1.0}
P_BAD = 0.002
P_ABSENT = 0.09
SERIOUS = frozenset(("cse", "cce", "county_lines", "trafficking"))
RISKS = ("no_apparent_risk", "low", "medium", "high")


class _Weighted:
    """Weighted choice with a precomputed cumulative table (fast, deterministic)."""

    __slots__ = ("items", "cum", "total")

    def __init__(self, pairs):
        if isinstance(pairs, dict):
            pairs = list(pairs.items())
        self.items = [p[0] for p in pairs]
        self.cum = []
        total = 0.0
        for _, w in pairs:
            total += w
            self.cum.append(total)
        self.total = total

    def pick(self, rng: random.Random):
        return self.items[bisect.bisect_right(self.cum, rng.random() * self.total)]


class _Scramble:
    """A keyed permutation of 0..domain-1 (Feistel network with cycle walking).

    Turns counters into identifiers that look random but never repeat,
    without remembering the ones already given out.
    """

    __slots__ = ("domain", "half", "mask", "keys")

    def __init__(self, rng: random.Random, domain: int):
        bits = max(2, (domain - 1).bit_length())
        bits += bits % 2
        self.domain = domain
        self.half = bits // 2
        self.mask = (1 << self.half) - 1
        self.keys = [rng.getrandbits(32) for _ in range(4)]

    def __call__(self, n: int) -> int:
        x = n
        while True:
            left, right = x >> self.half, x & self.mask
            for k in self.keys:
                left, right = right, left ^ (((right * 0x9E3779B1) ^ k) >> 7 & self.mask)
            x = (left << self.half) | right
            if x < self.domain:
                return x


# Providers whose identity is fixed by (authority, type, index): URN spaces.
_FIXED_PROVIDERS = {"children_home": 200, "secure": 200, "fostering_agency": 200, "semi_independent": 200, "residential_school": 100}
_SC_TYPES = {"children_home": 0, "secure": 1, "fostering_agency": 2}
_URN_SCRAMBLE_SC = _Scramble(random.Random("homeward.synth urn SC"), 600_000)
_URN_SCRAMBLE_SEMI = _Scramble(random.Random("homeward.synth urn semi"), 200_000)
_URN_SCRAMBLE_SCHOOL = _Scramble(random.Random("homeward.synth urn school"), 100_000)


def _add_years(d: _dt.date, years: int) -> _dt.date:
    try:
        return d.replace(year=d.year + years)
    except ValueError:  # 29 February
        return d.replace(year=d.year + years, day=28)


def _upn(rng: random.Random, la: str, dob: _dt.date) -> str:
    body = la + f"{rng.randrange(2000, 7000):04d}" + f"{(dob.year + 4) % 100:02d}" + f"{rng.randrange(1000):03d}"
    total = sum(map(operator.mul, map(int, body), range(2, 14)))
    return "ABCDEFGHJKLMNPQRTUVWXYZ"[total % 23] + body


@dataclass(slots=True)
class _Provider:
    urn: str
    name: str
    type: str
    postcode: str
    authority: str
    used: bool = False
    refs: int = 0


class _Placement:
    __slots__ = ("start", "end", "place", "pr", "urn903", "provider", "agency", "postcode", "la", "reason")

    def __init__(self, start, end, place, pr, urn903, provider, agency, postcode, la):
        self.start = start
        self.end = end  # ordinal day the placement ended, or None when open at the end of the data
        self.place = place
        self.pr = pr
        self.urn903 = urn903
        self.provider = provider
        self.agency = agency
        self.postcode = postcode
        self.la = la
        self.reason = ""


class _Person:
    __slots__ = (
        "pid", "first", "last", "sex", "dob", "dob_s", "nick", "alias", "last_variants",
        "first_variants", "flags", "group", "la", "child_ref", "home_pc", "uasc", "k", "bday18",
    )


class _Generator:
    def __init__(self, *, authority, children, years, seed, out_dir, end, neighbours, postcode_areas, police_force):
        if not (isinstance(authority, str) and len(authority) == 3 and authority.isdigit()):
            raise ValueError(f"authority must be a three-digit DfE code, not {authority!r}")
        if children < 0:
            raise ValueError("children must be 0 or more")
        if years < 1:
            raise ValueError("years must be 1 or more")
        self.authority = authority
        self.children = int(children)
        self.years = int(years)
        self.seed = seed
        self.out = pathlib.Path(out_dir)
        self.end = end if end is not None else _dt.date.today()
        self.start = _add_years(self.end, -self.years)
        self.ws = self.start.toordinal()
        self.we = self.end.toordinal()
        self.end_min = self.we * DAY
        self.neighbours = list(dict.fromkeys(n for n in (geo.neighbours_for(authority) if neighbours is None else neighbours) if n != authority))
        for n in self.neighbours:
            if not (isinstance(n, str) and len(n) == 3 and n.isdigit()):
                raise ValueError(f"neighbour authority codes must be three-digit DfE codes, not {n!r}")
        self.areas = tuple(postcode_areas) if postcode_areas else geo.areas_for(authority)
        self.police = police_force or geo.police_for(authority)
        self.police_prefix = geo.police_prefix(self.police)
        self.rng = random.Random(seed)
        self.hours = _Weighted([(h, w) for h, w in enumerate(HOUR_W)])
        self._day_cache: dict[int, tuple[str, int, int]] = {}
        self._tod = [f"T{m // 60:02d}:{m % 60:02d}" for m in range(DAY)]
        self._spring_forward = self._dst_days()
        self.counts = {
            "rows": 0, "original": 0, "update": 0, "second_reporter": 0, "bad": 0,
            "episodes": 0, "episodes_home": 0, "episodes_care": 0, "episodes_open_at_end": 0,
            "episodes_two_reporters": 0,
        }
        self._police_seq = 0
        self._police_ids = _Scramble(self.rng, 10 ** 7)
        self._la_seq = 0
        self._la_ids = _Scramble(self.rng, 10 ** 7)
        self._bucket_files: dict[int, object] = {}
        self._seq = 0
        self.w = {k: _Weighted(v) for k, v in {
            "stock_age": list(enumerate(STOCK_AGE)), "entry_age": list(enumerate(ENTRY_AGE)),
            "uasc_age": UASC_AGE, "in_age": PLACED_IN_AGE, "home_age": HOME_AGE, "home_count": HOME_COUNT,
            "ethnic": ETHNIC_W, "ethnic_uasc": ETHNIC_UASC_W, "cin": CIN_W, "ls": LS_W,
            "rec18": REC_AT_18, "rec_early": REC_EARLY, "reason": REASON_CHANGE, "kin": KIN,
            "nonkin": NONKIN, "placed_in": PLACED_IN_MIX,
            "tier": {k: v[0] for k, v in TIERS.items()},
        }.items()}
        self.mix = {k: _Weighted(v) for k, v in PLACE_MIX.items()}
        prone_mix = {}
        for k, v in PLACE_MIX.items():
            prone_mix[k] = _Weighted({p: w * PRONE_PLACE_MULT.get(p, 1.0) for p, w in v.items()})
        self.mix_prone = prone_mix

    # ------------------------------------------------------------------ time
    def _dst_days(self) -> set[int]:
        days = set()
        for y in range(self.start.year - 1, self.end.year + 2):
            d = _dt.date(y, 3, 31)
            days.add((d - _dt.timedelta(days=(d.weekday() + 1) % 7)).toordinal())
        return days

    def _day(self, d: int) -> tuple[str, int, int]:
        got = self._day_cache.get(d)
        if got is None:
            date = _dt.date.fromordinal(d)
            got = (date.isoformat(), date.month, date.year)
            self._day_cache[d] = got
        return got

    def _dt(self, minute: int) -> str:
        d, m = divmod(minute, DAY)
        if 60 <= m < 120 and d in self._spring_forward:
            m = 120  # 01:00-02:00 does not exist on the day the clocks go forward
        return self._day(d)[0] + self._tod[m]

    def _season_ok(self, d: int) -> bool:
        return self.rng.random() * MONTH_W_MAX < MONTH_W[self._day(d)[1] - 1]

    def _season_day(self, a: int, b: int) -> int:
        r = self.rng
        while True:
            d = a + int(r.random() * (b - a))
            if self._season_ok(d):
                return d

    def _clock(self, d: int) -> int:
        return d * DAY + self.hours.pick(self.rng) * 60 + int(self.rng.random() * 60)

    # ------------------------------------------------------------ postcodes
    def _postcode(self, areas, district: int | None = None, area: str | None = None) -> str:
        r = self.rng
        if area is None:
            area = areas[int(r.random() * len(areas))]
        lo, hi, _ = geo.district_range(area)
        if district is None:
            district = lo + int(r.random() * (hi - lo + 1))
        letters = geo.INWARD_LETTERS
        return f"{area}{district} {int(r.random() * 10)}{letters[int(r.random() * 20)]}{letters[int(r.random() * 20)]}"

    def _near(self, pc: str) -> str:
        r = self.rng
        letters = geo.INWARD_LETTERS
        return f"{pc.split(' ')[0]} {int(r.random() * 10)}{letters[int(r.random() * 20)]}{letters[int(r.random() * 20)]}"

    @staticmethod
    def _short_pc(pc: str) -> str:
        """SSDA903 style: the outward code and the first character of the inward."""
        return pc[:-2] if pc else ""

    def _make_hotspots(self):
        self.hotspots = []
        for area in self.areas:
            _, _, centres = geo.district_range(area)
            for dist in centres:
                for _ in range(2):
                    self.hotspots.append(self._postcode(self.areas, dist, area))
        self.london = [self._postcode((a,), dist, a) for a, dist in geo.LONDON_HOTSPOTS]

    def _found(self, base_pc: str, home_pc: str, care: bool) -> str:
        r = self.rng
        u = r.random()
        if u < 0.40:
            return self._near(base_pc) if base_pc else ""
        if care and u < 0.52:
            return self._near(home_pc) if home_pc else ""
        if u < 0.72:
            return self.hotspots[int(r.random() * len(self.hotspots))]
        if u < 0.80:
            return self._postcode(self.areas)
        if u < 0.86:
            return self.london[int(r.random() * len(self.london))]
        return ""

    # ------------------------------------------------------------ providers
    def _make_pools(self):
        n = self.children
        self.pools: dict[str, dict[str, _Weighted]] = {}
        self.providers: list[_Provider] = []
        self._urns: set[str] = set()
        sizes_own = {
            "children_home": max(3, round(n / 110)), "semi_independent": max(2, round(n / 260)),
            "fostering_agency": max(2, round(n / 700)), "secure": 1, "residential_school": max(1, round(n / 1500)),
        }
        sizes_other = {
            "children_home": max(2, round(n / 500)), "semi_independent": max(1, round(n / 1200)),
            "fostering_agency": 1, "secure": 1, "residential_school": 1,
        }
        for la in [self.authority] + self.neighbours:
            sizes = sizes_own if la == self.authority else sizes_other
            areas = self.areas if la == self.authority else geo.areas_for(la)
            pool = {}
            for ptype, count in sizes.items():
                provs = [self._provider(ptype, la, areas, i) for i in range(count)]
                weights = [self.rng.lognormvariate(0, 0.8) for _ in provs]
                pool[ptype] = _Weighted(list(zip(provs, weights)))
            self.pools[la] = pool

    def _provider(self, ptype: str, la: str, areas, index: int) -> _Provider:
        """The index-th synthetic provider of a type in an authority's area.

        The first providers of each kind are a fixed function of (authority,
        type, index), not of the seed: every run that uses homes in Kent uses
        the same Kent homes, with the same URNs, names and postcodes, so data
        sets generated for neighbouring authorities fit together. URNs of
        different providers never collide. Very large runs go beyond the fixed
        range with seed-dependent providers.
        """
        fixed = index < _FIXED_PROVIDERS[ptype] and la.isdigit()
        r = random.Random(f"homeward.synth provider {la} {ptype} {index}") if fixed else self.rng
        if fixed:
            slot = int(la) * 3 * 200 + _SC_TYPES.get(ptype, 0) * 200 + index
            if ptype == "semi_independent":
                urn = f"2{_URN_SCRAMBLE_SEMI(int(la) * 200 + index):06d}"
            elif ptype == "residential_school":
                urn = f"{100000 + _URN_SCRAMBLE_SCHOOL(int(la) * 100 + index)}"
            else:
                urn = f"SC{_URN_SCRAMBLE_SC(slot):06d}"
        else:
            while True:
                # Outside the fixed URN spaces, so never equal to a fixed one.
                if ptype == "semi_independent":
                    urn = f"3{r.randrange(0, 1000000):06d}"
                elif ptype == "residential_school":
                    urn = f"{r.randrange(200000, 1000000)}"
                else:
                    urn = f"SC{r.randrange(600000, 1000000):06d}"
                if urn not in self._urns:
                    break
        self._urns.add(urn)
        word = nm.PLACE_WORDS[int(r.random() * len(nm.PLACE_WORDS))]
        if r.random() < 0.5:
            word += nm.PLACE_SUFFIXES[int(r.random() * len(nm.PLACE_SUFFIXES))]
        kinds = {
            "children_home": nm.HOME_KINDS, "semi_independent": nm.SEMI_KINDS,
            "fostering_agency": nm.AGENCY_KINDS, "residential_school": nm.SCHOOL_KINDS,
            "secure": nm.SECURE_KINDS,
        }[ptype]
        name = f"{word} {kinds[int(r.random() * len(kinds))]}"
        area = areas[int(r.random() * len(areas))]
        lo, hi, _ = geo.district_range(area)
        letters = geo.INWARD_LETTERS
        postcode = (f"{area}{lo + int(r.random() * (hi - lo + 1))} "
                    f"{int(r.random() * 10)}{letters[int(r.random() * 20)]}{letters[int(r.random() * 20)]}")
        prov = _Provider(urn, name, ptype, postcode, la)
        self.providers.append(prov)
        return prov

    # --------------------------------------------------------------- people
    def _person(self, pid: str, sex: str, uasc: bool) -> _Person:
        r = self.rng
        p = _Person()
        p.pid = pid
        p.sex = sex
        p.uasc = uasc
        p.k = 0
        if uasc:
            firsts = nm.UASC_MALE_FIRST if sex == "M" else nm.UASC_FEMALE_FIRST
            p.first = firsts[int(r.random() * len(firsts))]
            p.last = nm.UASC_SURNAMES[int(r.random() * len(nm.UASC_SURNAMES))]
        else:
            firsts = nm.MALE_FIRST if sex == "M" else nm.FEMALE_FIRST
            p.first = firsts[int(r.random() * len(firsts))]
            p.last = nm.SURNAMES[int(r.random() * len(nm.SURNAMES))]
        p.nick = None
        nicks = nm.NICKNAMES.get(p.first)
        if nicks and r.random() < 0.6:
            p.nick = nicks[int(r.random() * len(nicks))]
        p.first_variants = nm.TRANSLITERATIONS.get(p.first)
        p.alias = None
        if r.random() < 0.025:
            pool = nm.MALE_FIRST if sex == "M" else nm.FEMALE_FIRST
            p.alias = pool[int(r.random() * len(pool))]
        p.last_variants = nm.TRANSLITERATIONS.get(p.last)
        u = r.random()
        if not uasc and u < 0.06:
            other = nm.SURNAMES[int(r.random() * len(nm.SURNAMES))]
            if other != p.last:
                a, b = p.last, other
                p.last = f"{a}-{b}"
                p.last_variants = (a, b, f"{b}-{a}", f"{a} {b}")
        elif not uasc and u < 0.10:
            other = nm.SURNAMES[int(r.random() * len(nm.SURNAMES))]
            if other != p.last:
                p.last_variants = (other,)
        p.flags = ()
        return p

    def _set_dob(self, p: _Person, dob: int):
        p.dob = dob
        d = _dt.date.fromordinal(dob)
        p.dob_s = d.isoformat()
        p.bday18 = _add_years(d, 18).toordinal()

    def _flags(self, p: _Person, group: str, tier: str | None):
        r = self.rng
        # Children at home who go missing once or twice carry flags less often
        # than looked-after children who go missing; frequent missers most.
        if tier == "high":
            scale = 1.8
        elif group == "home":
            scale = 0.35
        else:
            scale = 1.0 if tier else 0.5
        out = []
        if r.random() < (0.16 if p.sex == "F" else 0.04) * scale:
            out.append("cse")
        cce = r.random() < (0.14 if p.sex == "M" else 0.06) * scale
        if cce:
            out.append("cce")
            if r.random() < 0.5:
                out.append("county_lines")
        if r.random() < (0.15 if p.uasc else 0.012) * scale:
            out.append("trafficking")
        if p.uasc:
            out.append("uasc")
        if r.random() < 0.05 * scale:
            out.append("gangs")
        if r.random() < 0.14 * scale:
            out.append("substance_misuse")
        if r.random() < 0.13 * scale:
            out.append("mental_health")
        p.flags = tuple(f for f in FLAGS if f in out)

    def _age(self, p: _Person, day: int) -> float:
        return (day - p.dob) / YEAR_DAYS

    # --------------------------------------------------- looked-after children
    def _tier(self, age: float, uasc: bool, placed_in: bool) -> str | None:
        r = self.rng
        if placed_in:
            p = 0.42
        elif uasc:
            p = 0.26
        elif age < 9:
            p = 0.0
        elif age < 11:
            p = 0.05
        elif age < 13:
            p = 0.17
        else:
            p = 0.40
        return self.w["tier"].pick(r) if r.random() < p else None

    def _career(self, a: int, b: int) -> tuple[int, int]:
        """The part of [a, b) during which a missing-prone child is active."""
        r = self.rng
        if r.random() < 0.55 or b - a < 150:
            return a, b
        s = a + int(r.random() * (b - a))
        return s, s + 120 + int(r.random() * 420)

    def _choose_place(self, age: float, uasc: bool, prone: bool) -> str:
        if uasc:
            band = "uasc_old" if age >= 16 else "uasc_young"
        else:
            band = "young" if age < 10 else "mid" if age < 16 else "old"
        kind = (self.mix_prone if prone else self.mix)[band].pick(self.rng)
        return kind

    def _placement(self, kind: str, start: int, end: int | None, p: _Person, own_la: str, host_la: str | None = None) -> _Placement:
        """A placement of the kind given; host_la forces where it is (else chosen)."""
        r = self.rng
        if kind == "UK":
            place = self.w["kin"].pick(r)
            pr = "PR1"
        elif kind == "UO":
            place = self.w["nonkin"].pick(r)
            u = r.random()
            pr = "PR1" if u < 0.55 else "PR4" if u < 0.95 else "PR5"
        else:
            place = kind
            if place in ("K2", "H5", "S1", "R1"):
                u = r.random()
                pr = "PR4" if u < 0.8 else "PR1" if u < 0.95 else "PR5"
            elif place == "K1":
                pr = "PR1" if r.random() < 0.7 else "PR2"
            elif place == "P1":
                pr = "PR0"
            elif place == "P2":
                pr = "PR1"
            else:
                pr = "PR4"
        key = "UO_IFA" if kind == "UO" and pr in ("PR4", "PR5") else kind
        if host_la is None:
            host_la = own_la
            if self._candidate_hosts(own_la) and r.random() < OUT_OF_AREA.get(key, 0.1):
                hosts = self._candidate_hosts(own_la)
                host_la = hosts[int(r.random() * len(hosts))]
        areas = self.areas if host_la == self.authority else geo.areas_for(host_la)
        provider = agency = None
        urn = "XXXXXXX"
        ptype = PROVIDER_TYPE.get(place)
        if ptype and host_la in self.pools:
            provider = self.pools[host_la][ptype].pick(r)
            provider.used = True
            urn = provider.urn
            postcode = provider.postcode
        else:
            if place == "P1" and host_la == own_la and p.home_pc:
                postcode = p.home_pc
            else:
                postcode = self._postcode(areas)
            if pr in ("PR4", "PR5") and place.startswith("U"):
                pool_la = host_la if host_la in self.pools else self.authority
                agency = self.pools[pool_la]["fostering_agency"].pick(r)
                agency.used = True
        return _Placement(start, end, place, pr, urn, provider, agency, postcode, host_la)

    def _candidate_hosts(self, own_la: str) -> list[str]:
        # Own children may be placed in a neighbour's area; a neighbour's
        # children placed elsewhere than here go back to their own area.
        return self.neighbours if own_la == self.authority else []

    def _care_history(self, p: _Person, care_start: int, care_end: int | None, tier, uasc: bool) -> list[_Placement]:
        """Placements from care_start to care_end (None: still in care when the data ends)."""
        r = self.rng
        limit = care_end if care_end is not None else self.we
        rate = 0.3 + (0.45 if tier else 0.0) + (0.35 if tier == "high" else 0.0)
        out = []
        t = care_start
        while True:
            age = self._age(p, t)
            kind = self._choose_place(age, uasc, tier is not None)
            length = max(7, int(r.expovariate(rate) * YEAR_DAYS))
            nt = t + length
            last = nt >= limit or len(out) >= 14
            plc = self._placement(kind, t, None if last else nt, p, p.la)
            out.append(plc)
            if last:
                plc.end = care_end
                break
            plc.reason = self.w["reason"].pick(r)
            t = nt
        return out

    def _lac(self, pid: str, child_ref: str):
        """One of the authority's own looked-after children."""
        r = self.rng
        ws, we = self.ws, self.we
        stock_share = 1 / (1 + LAC_TURNOVER * self.years)
        uasc = r.random() < P_UASC
        for _ in range(50):
            stock = r.random() < stock_share
            if uasc:
                sex = "M" if r.random() < 0.93 else "F"
                age = self.w["uasc_age"].pick(r)
                care_start = ws - int(r.random() * 540) if stock else ws + int(r.random() * (we - ws))
                dob = care_start - int((age + r.random()) * YEAR_DAYS)
                if r.random() < 0.4:
                    dob = _dt.date(_dt.date.fromordinal(dob).year, 1, 1).toordinal()
            else:
                sex = "M" if r.random() < 0.55 else "F"
                if stock:
                    age = self.w["stock_age"].pick(r)
                    dob = ws - int((age + r.random()) * YEAR_DAYS)
                    care_start = ws - min(int(r.expovariate(1 / (2.5 * YEAR_DAYS))), ws - dob - 1)
                else:
                    age = self.w["entry_age"].pick(r)
                    care_start = ws + int(r.random() * (we - ws))
                    dob = care_start - int((age + r.random()) * YEAR_DAYS)
            bday18 = _add_years(_dt.date.fromordinal(dob), 18).toordinal()
            if bday18 > max(ws, care_start) + 1 and care_start > dob:
                break
        p = self._person(pid, sex, uasc)
        self._set_dob(p, dob)
        p.group = "looked_after"
        p.la = self.authority
        p.child_ref = child_ref
        p.home_pc = "" if uasc else self._postcode(self.areas)
        # End of care.
        if uasc:
            care_end = p.bday18 if r.random() < 0.9 else care_start + int(r.expovariate(1 / 400))
        elif stock:
            care_end = ws + int(r.expovariate(1 / (_mean_stay(self._age(p, ws)) * YEAR_DAYS)))
        elif r.random() < 0.2:  # short stays (returned home within weeks)
            care_end = care_start + 1 + int(r.expovariate(1 / 60))
        else:
            care_end = care_start + 1 + int(r.expovariate(1 / (_mean_stay(self._age(p, care_start)) * YEAR_DAYS)))
        care_end = max(care_end, care_start + 1, ws + 1)
        if care_end >= p.bday18:
            care_end, rec = p.bday18, self.w["rec18"].pick(r)
        else:
            rec = self.w["rec_early"].pick(r)
        if care_end >= we:
            care_end, rec = None, ""
        ref_day = (max(ws, care_start) + min(we, care_end or we)) // 2
        tier = self._tier(self._age(p, ref_day), uasc, False)
        if tier or care_start > ws + 30:  # only children who may go missing need flags
            self._flags(p, "looked_after", tier)
        placements = self._care_history(p, care_start, care_end, tier, uasc)
        ls = self._legal_status(p, care_start, uasc)
        cin = "N8" if uasc else self.w["cin"].pick(r)
        ls_change = None
        if ls == "C1":  # an interim care order becomes a full care order
            ls_change = care_start + 90 + int(r.random() * 240)
            if care_end is not None and ls_change >= care_end or ls_change >= we:
                ls_change = None
            if ls_change is None and (care_end is None or care_end - care_start > 400):
                ls = "C2"
        self._write_903(self.header_w, self.episodes_w, p, ethnic=self._ethnic(uasc), cin=cin, ls=ls,
                        ls_change=ls_change, placements=placements, rec=rec, la=self.authority)
        self._write_truth_child(p)
        # Missing episodes.
        starts: list[tuple[int, _Placement | None]] = []
        if tier:
            lam, csize = TIERS[tier][1], TIERS[tier][2]
            c0, c1 = self._career(max(ws, care_start), min(we, care_end or we))
            for plc in placements:
                a = max(plc.start, c0, ws)
                b = min(plc.end if plc.end is not None else we, c1, we, p.bday18)
                if b - a < 1:
                    continue
                self._cluster_starts(starts, p, a, b, lam * PLACE_MULT.get(plc.place, 0.6), csize, plc)
            # Some children who come into care were going missing from home first.
            if care_start > ws + 30 and self._age(p, care_start) >= 11 and r.random() < 0.4:
                a = max(ws, care_start - 180)
                for _ in range(1 + int(r.random() * r.random() * 4)):
                    d = a + int(r.random() * (care_start - 2 - a))
                    if d >= a:
                        starts.append((self._clock(d), None))
        self._run_episodes(p, starts, placements)

    def _placed_in(self, pid: str, la: str, child_ref: str):
        """A child placed in the area by another authority (la)."""
        r = self.rng
        ws, we = self.ws, self.we
        uasc = r.random() < P_UASC_PLACED_IN
        for _ in range(50):
            sex = ("M" if r.random() < 0.93 else "F") if uasc else ("M" if r.random() < 0.58 else "F")
            age = self.w["in_age"].pick(r)
            stock = r.random() < 0.5
            pin_start = ws - int(r.random() * 720) if stock else ws + int(r.random() * (we - ws))
            dob = pin_start - int((age + r.random()) * YEAR_DAYS)
            bday18 = _add_years(_dt.date.fromordinal(dob), 18).toordinal()
            pin_end = pin_start + 14 + int(r.expovariate(1 / (1.3 * YEAR_DAYS)))
            if bday18 > max(ws, pin_start) + 1 and pin_end > ws:
                break
        p = self._person(pid, sex, uasc)
        self._set_dob(p, dob)
        p.group = "placed_in"
        p.la = la
        p.child_ref = child_ref
        p.home_pc = "" if uasc else self._postcode(geo.areas_for(la))
        care_start = max(dob + 30, pin_start - int(r.expovariate(1 / 500)))
        placements = []
        if care_start < pin_start - 14:
            placements.append(self._placement("UO", care_start, pin_start, p, la, host_la=la))
            placements[-1].reason = self.w["reason"].pick(r)
        else:
            care_start = pin_start
        kind = self.w["placed_in"].pick(r)
        if kind == "H5" and self._age(p, pin_start) < 16:
            kind = "K2"
        pin = self._placement(kind, pin_start, pin_end, p, la, host_la=self.authority)
        placements.append(pin)
        if pin_end >= p.bday18:
            pin.end = care_end = p.bday18
            rec = self.w["rec18"].pick(r)
        elif r.random() < 0.5:
            pin.reason = self.w["reason"].pick(r)
            care_end = min(p.bday18, pin_end + 30 + int(r.expovariate(1 / 500)))
            back = self._placement("UO" if r.random() < 0.7 else "K2", pin_end, care_end, p, la, host_la=la)
            placements.append(back)
            rec = self.w["rec18"].pick(r) if care_end == p.bday18 else self.w["rec_early"].pick(r)
        else:
            care_end = pin_end
            rec = self.w["rec_early"].pick(r)
        if care_end >= we:
            care_end, rec = None, ""
            for plc in placements:
                if plc.end is not None and plc.end >= we:
                    plc.end = None
                    plc.reason = ""
            while placements and placements[-1].start >= we:
                placements.pop()
                placements[-1].end = None
                placements[-1].reason = ""
        tier = self._tier(self._age(p, max(ws, pin_start)), uasc, True)
        if tier and pin.place.startswith("U"):
            tier = tier if r.random() < 0.6 else None
        if tier:
            self._flags(p, "placed_in", tier)
        ls = self._legal_status(p, care_start, uasc)
        if ls == "C1":
            ls = "C2"
        cin = "N8" if uasc else self.w["cin"].pick(r)
        hw, ew = self.ola_writers[la]
        self._write_903(hw, ew, p, ethnic=self._ethnic(uasc), cin=cin, ls=ls, ls_change=None,
                        placements=placements, rec=rec, la=la)
        self._write_truth_child(p)
        starts: list[tuple[int, _Placement | None]] = []
        if tier and pin.start < we:
            lam, csize = TIERS[tier][1], TIERS[tier][2]
            a0 = max(ws, pin.start)
            b0 = min(we, pin.end if pin.end is not None else we, p.bday18)
            if b0 > a0:
                c0, c1 = self._career(a0, b0)
                a, b = max(a0, c0), min(b0, c1)
                if b > a:
                    self._cluster_starts(starts, p, a, b, lam * PLACE_MULT.get(pin.place, 0.6), csize, pin)
        self._run_episodes(p, starts, placements)

    def _legal_status(self, p: _Person, care_start: int, uasc: bool) -> str:
        if uasc:
            return "V2"
        ls = self.w["ls"].pick(self.rng)
        if ls == "E1" and self._age(p, care_start) >= 8:  # placement orders are for young children
            ls = "C2"
        if ls == "J2" and self._age(p, care_start) < 12:  # remand
            ls = "V2"
        return ls

    def _ethnic(self, uasc: bool) -> str:
        return (self.w["ethnic_uasc"] if uasc else self.w["ethnic"]).pick(self.rng)

    def _cluster_starts(self, out, p: _Person, a: int, b: int, rate: float, csize: float, plc):
        """Episode start times in days [a, b): clusters at rate/csize a year, thinned by season and age."""
        r = self.rng
        parent_rate = rate / csize / YEAR_DAYS * MONTH_W_MAX * AGE_MULT_MAX  # per day, before thinning
        if parent_rate <= 0:
            return
        t = a + r.expovariate(parent_rate)
        extra_p = 1 - 1 / csize  # geometric number of follow-ups with mean csize - 1
        while t < b:
            d = int(t)
            if r.random() * MONTH_W_MAX * AGE_MULT_MAX < MONTH_W[self._day(d)[1] - 1] * _age_mult(self._age(p, d)):
                out.append((self._clock(d), plc))
                dd = t
                while r.random() < extra_p:
                    dd += 0.3 + r.expovariate(1 / 4.0)
                    if dd >= b:
                        break
                    out.append((self._clock(int(dd)), plc))
            t += r.expovariate(parent_rate)

    # ------------------------------------------------------- children at home
    def _home(self, pid: str):
        r = self.rng
        ws, we = self.ws, self.we
        sex = "M" if r.random() < 0.55 else "F"
        p = self._person(pid, sex, False)
        first = self._season_day(ws, we - 3)
        age = self.w["home_age"].pick(r)
        self._set_dob(p, first - int((age + r.random()) * YEAR_DAYS))
        p.group = "home"
        p.la = self.authority
        p.child_ref = ""
        p.home_pc = self._postcode(self.areas)
        n = self.w["home_count"].pick(r)
        self._flags(p, "home", "high" if n >= 5 else "home")
        starts = [(self._clock(first), None)]
        d = first
        median_gap = max(2.0, 120.0 / n)
        for _ in range(n - 1):
            while True:
                d2 = d + 1 + int(r.lognormvariate(math.log(median_gap), 1.0))
                if d2 >= we or self._season_ok(d2):
                    break
            d = d2
            if d >= we or d >= p.bday18:
                break
            starts.append((self._clock(d), None))
        self._write_truth_child(p)
        self._run_episodes(p, starts, [])

    # ---------------------------------------------------------------- episodes
    def _duration(self, absent: bool) -> int:
        r = self.rng
        if absent:
            return 30 + int(r.random() * r.random() * 450)
        u = r.random()
        if u < 0.47:
            h = min(12.0, max(0.5, r.lognormvariate(math.log(3.0), 0.75)))
        elif u < 0.76:
            h = 8 + r.random() * 16
        elif u < 0.895:
            h = 24 + r.random() * 24
        elif u < 0.98:
            h = 48 + r.random() * 120
        else:
            h = min(24 * 60, 168 + r.expovariate(1 / 240))
        return int(h * 60)

    def _run_episodes(self, p: _Person, starts, placements):
        if not starts:
            return
        r = self.rng
        starts.sort(key=lambda s: s[0])
        prev_end = -1
        for start, plc in starts:
            if start < prev_end + 120:
                start = prev_end + 180 + int(r.random() * 2160)
            day = start // DAY
            if day >= self.we or day >= p.bday18:
                continue
            if plc is not None:
                limit = (plc.end if plc.end is not None else 10 ** 9)
                if day >= limit:
                    continue
            absent = plc is not None and r.random() < P_ABSENT
            ret = start + self._duration(absent)
            if plc is not None and plc.end is not None and ret >= plc.end * DAY:
                ret = max(start + 30, plc.end * DAY - 60 - int(r.random() * 300))
            if ret >= p.bday18 * DAY:
                ret = max(start + 30, p.bday18 * DAY - 60)
            self._episode(p, start, ret, plc, absent)
            prev_end = ret

    def _risk(self, p: _Person, flags, absent: bool, age: float) -> str:
        u = self.rng.random()
        if absent:
            return "no_apparent_risk" if u < 0.3 else "low" if u < 0.9 else "medium"
        if SERIOUS.intersection(flags):
            hi, med, low = 0.16, 0.78, 0.97
        else:
            hi, med, low = 0.03, 0.55, 0.92
        if age < 13:
            hi += 0.06
        return "high" if u < hi else "medium" if u < med else "low" if u < low else "no_apparent_risk"

    def _name(self, p: _Person, role: str) -> tuple[str, str]:
        r = self.rng
        first, last = p.first, p.last
        u = r.random()
        if p.nick and u < (0.55 if role == "provider" else 0.18):
            first = p.nick
        elif p.alias and u < 0.35:
            first = p.alias
        elif p.first_variants and u < 0.35:
            first = p.first_variants[int(r.random() * len(p.first_variants))]
        if p.last_variants and r.random() < 0.4:
            last = p.last_variants[int(r.random() * len(p.last_variants))]
        if r.random() < 0.035:
            if r.random() < 0.6:
                first = self._typo(first)
            else:
                last = self._typo(last)
        return first, last

    def _typo(self, s: str) -> str:
        r = self.rng
        if len(s) < 4:
            return s
        i = 1 + int(r.random() * (len(s) - 2))
        if r.random() < 0.5 and s[i] != s[i + 1]:
            return s[:i] + s[i + 1] + s[i] + s[i + 2:]  # swap two letters
        return s[:i] + s[i + 1:]  # drop one letter

    def _dob(self, p: _Person) -> str:
        r = self.rng
        u = r.random()
        if u < 0.006:
            y, m, d = p.dob_s.split("-")
            if int(d) <= 12 and d != m:
                return f"{y}-{d}-{m}"  # day and month swapped
        elif p.uasc and u < 0.08:
            y = int(p.dob_s[:4])
            return f"{y + (1 if r.random() < 0.5 else -1)}-01-01"  # age disputed
        return p.dob_s

    def _source(self, role: str, plc: _Placement | None, day: int) -> tuple[str, str]:
        r = self.rng
        if role == "police":
            self._police_seq += 1
            return f"police:{self.police}", f"{self.police_prefix}-{self._day(day)[2] % 100:02d}-{self._police_ids(self._police_seq):07d}"
        if role == "provider":
            prov = plc.provider
            prov.refs += 1
            return f"provider:{prov.urn}", f"MIS-{prov.refs:05d}"
        self._la_seq += 1
        return f"la:{self.authority}", f"MFH{self._la_ids(self._la_seq):07d}"

    def _episode(self, p: _Person, start: int, ret: int, plc: _Placement | None, absent: bool):
        r = self.rng
        p.k += 1
        tep = f"{p.pid}-E{p.k:03d}"
        care = plc is not None
        out_of_area = care and plc.la != self.authority
        age = self._age(p, start // DAY)
        flags = [f for f in p.flags if f == "uasc" or r.random() < 0.8]
        flags_s = ";".join(flags)
        risk = self._risk(p, flags, absent, age)
        c = self.counts
        written = returned_written = 0

        # Who reports it.
        if not care:
            roles = ["police"]
        elif out_of_area:
            roles = ["la"]
        elif plc.provider is not None and plc.provider.type in HOME_TYPES:
            u = r.random()
            roles = ["provider"] if u < 0.40 else ["police"] if u < 0.62 else (
                ["provider", "police"] if r.random() < 0.75 else ["police", "provider"])
        else:
            u = r.random()
            roles = ["police"] if u < 0.86 else ["la"] if u < 0.91 else ["police", "la"]
        # Who reports the return.
        if len(roles) == 1:
            ret_by = (True,)
        else:
            u = r.random()
            police_first = roles[0] == "police"
            if u < 0.45:
                ret_by = (police_first, not police_first)
            elif u < 0.70:
                ret_by = (not police_first, police_first)
            else:
                ret_by = (True, True)

        base_pc = plc.postcode if care else p.home_pc
        found = self._found(base_pc, p.home_pc, care)
        if care:
            notes_pool = nm.NOTES_ABSENT if absent else nm.NOTES_CARE
        else:
            notes_pool = nm.NOTES_HOME
        category = "absent" if absent else ("missing" if r.random() < 0.9 else "")
        reporters_written = 0

        prev_reported = None
        rand = r.random
        fmt = self._dt
        emit = self._emit
        for i, role in enumerate(roles):
            if i == 0:
                last_seen = start
                if role == "provider":
                    reported = start + 15 + int(rand() * 75)
                elif role == "la":
                    reported = start + 60 + int(rand() * 540)
                elif care:
                    reported = start + 30 + int(rand() * 150)
                else:
                    reported = start + min(1440, 20 + int(r.lognormvariate(math.log(120), 0.8)))
            else:
                last_seen = start + 5 * int(-2 + rand() * 10)
                reported = max(prev_reported + 5 + int(rand() * 85), last_seen + 10)
            prev_reported = reported
            send = reported + 1 + int(rand() * 14)
            source, ref = self._source(role, plc, reported // DAY)
            first, last = self._name(p, role)
            f = [""] * 19
            f[F_SOURCE] = source
            f[F_REF] = ref
            f[F_FIRST] = first
            f[F_LAST] = last
            f[F_DOB] = self._dob(p)
            f[F_SEX] = p.sex if rand() < 0.96 else ""
            f[F_CAT] = category
            f[F_LAST_SEEN] = fmt(last_seen)
            f[F_REPORTED] = fmt(reported)
            if care:
                resp_p = RESP_P[role]
                ref_p = CHILD_REF_P[role]
                if p.group == "placed_in":
                    ref_p -= 0.1
                if rand() < resp_p:
                    f[F_RESP] = p.la
                if rand() < ref_p:
                    f[F_CHILD_REF] = p.child_ref
                if role == "police" and rand() < 0.3 and (f[F_RESP] or f[F_CHILD_REF]):
                    f[F_FROM] = ""
                else:
                    f[F_FROM] = "care"
                f[F_POSTCODE] = plc.postcode if role == "provider" or rand() < 0.9 else ""
                if plc.provider is not None:
                    f[F_URN] = plc.provider.urn if role != "police" or rand() < 0.85 else ""
                elif plc.agency is not None and rand() < 0.3:
                    f[F_URN] = plc.agency.urn
                f[F_RISK] = risk if role == "police" or rand() < 0.4 else ""
            else:
                f[F_FROM] = "home" if rand() < 0.9 else ""
                f[F_POSTCODE] = p.home_pc if rand() < 0.92 else ""
                f[F_RISK] = risk
            f[F_FLAGS] = flags_s if role == "police" or rand() < 0.7 else ""
            f[F_NOTES] = notes_pool[int(rand() * len(notes_pool))] if rand() < 0.55 else ""
            kind = "original" if i == 0 else "second_reporter"

            returned = None
            if ret_by[i]:
                returned = ret if i == 0 else ret + int(rand() * 25)
                returned = max(returned, last_seen + 5)
            if returned is not None and returned <= send:
                # Back before the report went in: the first row already has the return.
                f[F_RETURNED] = fmt(returned)
                f[F_FOUND] = found
                if emit(send, p.pid, tep, kind, f, last_seen):
                    written += 1
                    returned_written += 1
                    reporters_written += 1
                continue
            if emit(send, p.pid, tep, kind, f, last_seen):
                written += 1
                reporters_written += 1
            risk_now = f[F_RISK]
            # Risk escalation while still missing (police only).
            if role == "police" and ret - start > 1500 and risk_now not in ("high", "") and rand() < 0.5:
                t = start + 1440 + int(rand() * 360)
                if t < ret and t > send:
                    u = list(f)
                    risk_now = RISKS[RISKS.index(risk_now) + 1]
                    u[F_RISK] = risk_now
                    u[F_NOTES] = "risk reviewed after 24 hours"
                    emit(t, p.pid, tep, "update", u, last_seen)
            if returned is not None:
                v = rand()
                delay = 5 + int(rand() * 55) if v < 0.65 else 60 + int(rand() * 420) if v < 0.9 else 1080 + int(rand() * 1320)
                u = list(f)
                u[F_RETURNED] = fmt(returned)
                u[F_FOUND] = found if i == 0 or rand() < 0.7 else ""
                if risk_now and rand() < 0.3:
                    u[F_RISK] = "low"
                u[F_NOTES] = nm.NOTES_RETURN[int(rand() * len(nm.NOTES_RETURN))] if rand() < 0.6 else ""
                if emit(max(returned + delay, send + 1), p.pid, tep, "update", u, last_seen):
                    written += 1
                    returned_written += 1
        if written:
            c["episodes"] += 1
            c["episodes_care" if care else "episodes_home"] += 1
            if reporters_written == 2:
                c["episodes_two_reporters"] += 1
            if not returned_written:
                c["episodes_open_at_end"] += 1

    def _emit(self, send: int, tchild: str, tep: str, kind: str, f: list, last_seen: int) -> bool:
        if send >= self.end_min:
            return False
        if self.rng.random() < P_BAD:
            f = self._corrupt(list(f), last_seen)
            kind = "bad"
        notes = f[F_NOTES]
        if notes and ("," in notes or '"' in notes):
            f = list(f)
            f[F_NOTES] = '"' + notes.replace('"', '""') + '"'
        line = ",".join(f)  # only notes can hold a comma or a quote
        day = send // DAY
        _, month, year = self._day(day)
        bucket = ((year * 12 + month) - self._month0) // self._bucket_months
        fh = self._bucket_files.get(bucket)
        if fh is None:
            fh = open(os.path.join(self._tmp, f"{bucket:05d}.tmp"), "w", encoding="utf-8", newline="")
            self._bucket_files[bucket] = fh
        self._seq += 1
        fh.write(f"{send:012d}{self._seq:010d}\t{tchild}\t{tep}\t{kind}\t{line}\n")
        self.counts[kind] += 1
        self.counts["rows"] += 1
        return True

    def _corrupt(self, f: list, last_seen: int) -> list:
        r = self.rng
        u = r.random()
        if u < 0.35 and f[F_RETURNED]:
            f[F_RETURNED] = self._dt(last_seen - 60 - int(r.random() * 2880))
            return f
        if u < 0.7:
            impossible = ("02-30", "02-31", "04-31", "06-31", "09-31", "11-31", "13-01")[int(r.random() * 7)]
            field = (F_DOB, F_LAST_SEEN)[int(r.random() * 2)]
            value = f[field] or f[F_LAST_SEEN]
            year = value[:4] if value[:4].isdigit() else str(self.end.year)
            f[field] = f"{year}-{impossible}" + (value[10:] if field == F_LAST_SEEN else "")
            return f
        field = (F_SOURCE, F_REF, F_FIRST, F_LAST, F_DOB, F_LAST_SEEN)[int(r.random() * 6)]
        f[field] = ""
        return f

    # ------------------------------------------------------------------ 903
    def _write_903(self, hw, ew, p: _Person, *, ethnic, cin, ls, ls_change, placements, rec, la):
        r = self.rng
        dob = _dt.date.fromordinal(p.dob)
        age_end = self._age(p, self.we)
        if p.uasc:
            upn = "UN2" if r.random() < 0.5 else _upn(r, la, dob)
        elif age_end < 5:
            upn = "UN1"
        elif r.random() < 0.03:
            upn = "UN4"
        else:
            upn = _upn(r, la, dob)
        mother = mc_dob = ""
        if p.sex == "F" and age_end >= 12:
            mother = "0"
            if age_end >= 15 and r.random() < 0.01:
                mother = "1"
                mc_dob = _fmt903(min(self.we - 10, max(p.dob + int(15 * YEAR_DAYS), self.we - int(r.random() * 700))))
        hw.writerow((p.child_ref, p.sex, _fmt903(p.dob), ethnic, upn, mother, mc_dob))
        home_post = self._short_pc(p.home_pc)
        # Cut placements into SSDA903 episodes: a new row at each placement
        # change, and at a change of legal status within a placement.
        rows = []
        cur_ls = ls
        for i, plc in enumerate(placements):
            bounds = [(plc.start, plc.end)]
            if ls_change is not None and plc.start < ls_change and (plc.end is None or ls_change < plc.end):
                bounds = [(plc.start, ls_change), (ls_change, plc.end)]
            for j, (s, e) in enumerate(bounds):
                if j == 1:
                    rne = "L"
                    cur_ls = "C2"
                elif i == 0:
                    rne = "S"
                elif ls_change is not None and s == ls_change:
                    rne = "T"
                    cur_ls = "C2"
                else:
                    rne = "P"
                if ls_change is not None and s >= ls_change:
                    cur_ls = "C2"
                last_row = i == len(placements) - 1 and j == len(bounds) - 1
                if e is None:
                    dec = rec_row = reason = ""
                elif last_row:
                    dec, rec_row, reason = _fmt903(e), rec, ""
                else:
                    dec, rec_row = _fmt903(e), "X1"
                    reason = plc.reason if j == len(bounds) - 1 else ""
                host = plc.la
                rows.append((
                    p.child_ref, _fmt903(s), rne, cur_ls, cin, plc.place, plc.pr, dec, rec_row, reason,
                    home_post, self._short_pc(plc.postcode), plc.urn903, host, "IN" if host == la else "OUT",
                ))
        ew.writerows(rows)

    def _write_truth_child(self, p: _Person):
        self.truth_children_w.writerow((p.pid, p.group, p.la, p.child_ref, p.first, p.last, p.dob_s, p.sex))

    # ----------------------------------------------------------------- run
    def run(self) -> dict:
        t0 = time.perf_counter()
        r = self.rng
        out = self.out
        out.mkdir(parents=True, exist_ok=True)
        self._tmp = tempfile.mkdtemp(prefix=".synth-", dir=out)
        self._month0 = self.start.year * 12 + self.start.month
        total_months = (self.end.year * 12 + self.end.month) - self._month0 + 1
        self._bucket_months = max(1, math.ceil(total_months / 480))
        files = []
        try:
            self._make_hotspots()
            self._make_pools()
            n = self.children
            n_in = round(n * SHARE_PLACED_IN) if self.neighbours else 0
            n_home = round(n * SHARE_HOME)
            n_lac = n - n_in - n_home

            def open_csv(path: pathlib.Path, header):
                path.parent.mkdir(parents=True, exist_ok=True)
                fh = open(path, "w", encoding="utf-8", newline="")
                files.append(fh)
                w = csv.writer(fh, lineterminator="\n")
                w.writerow(header)
                return w

            self.header_w = open_csv(out / "ssda903_header.csv", HEADER_FIELDS)
            self.episodes_w = open_csv(out / "ssda903_episodes.csv", EPISODE_FIELDS)
            self.truth_children_w = open_csv(out / "truth_children.csv", TRUTH_CHILD_FIELDS)
            self.ola_writers = {}
            for la in self.neighbours:
                self.ola_writers[la] = (
                    open_csv(out / "ola" / la / "ssda903_header.csv", HEADER_FIELDS),
                    open_csv(out / "ola" / la / "ssda903_episodes.csv", EPISODE_FIELDS),
                )

            # Child identifiers: the authority's prefix and 6 digits (7 for
            # very large runs), scattered but never repeated. An authority's
            # own children take numbers below 900000 and the children another
            # run says it placed here take 900000 and above, so the data sets
            # of two neighbouring authorities never give one id to two children.
            def ids(prefix: str, count: int, placed_in: bool):
                width = 6 if count <= (5 * 10 ** 4 if placed_in else 45 * 10 ** 4) else 7
                top = 9 * 10 ** (width - 1)
                scramble = _Scramble(r, 10 ** width - top if placed_in else top)
                base = top if placed_in else 0
                return (f"{prefix}{base + scramble(i):0{width}d}" for i in range(count))

            pid = 0
            lac_ids = ids(geo.prefix_for(self.authority), n_lac, False)
            for _ in range(n_lac):
                pid += 1
                self._lac(f"P{pid:07d}", next(lac_ids))
            per_la = {la: ids(geo.prefix_for(la), n_in, True) for la in self.neighbours}
            for _ in range(n_in):
                pid += 1
                la = self.neighbours[int(r.random() * len(self.neighbours))]
                self._placed_in(f"P{pid:07d}", la, next(per_la[la]))
            for _ in range(n_home):
                pid += 1
                self._home(f"P{pid:07d}")
            for fh in files:
                fh.close()
            files.clear()

            with open(out / "providers.csv", "w", encoding="utf-8", newline="") as fh:
                w = csv.writer(fh, lineterminator="\n")
                w.writerow(PROVIDER_FIELDS)
                for prov in self.providers:
                    if prov.used:
                        w.writerow((prov.urn, prov.name, prov.type, prov.postcode, prov.authority))

            # Merge the monthly buckets, each sorted by sending time.
            for fh in self._bucket_files.values():
                fh.close()
            with open(out / "notifications.csv", "w", encoding="utf-8", newline="") as nf, \
                    open(out / "truth.csv", "w", encoding="utf-8", newline="") as tf:
                nf.write(",".join(NOTIFICATION_FIELDS) + "\n")
                tf.write(",".join(TRUTH_FIELDS) + "\n")
                line_no = 1
                for bucket in sorted(self._bucket_files):
                    path = os.path.join(self._tmp, f"{bucket:05d}.tmp")
                    with open(path, encoding="utf-8", newline="") as fh:
                        lines = fh.readlines()
                    os.unlink(path)
                    lines.sort()
                    nbuf, tbuf = [], []
                    for ln in lines:
                        _, tchild, tep, kind, row = ln.split("\t", 4)
                        line_no += 1
                        nbuf.append(row)
                        tbuf.append(f"{line_no},{tchild},{tep},{kind}\n")
                    nf.write("".join(nbuf))
                    tf.write("".join(tbuf))
        finally:
            for fh in files:
                fh.close()
            for fh in self._bucket_files.values():
                fh.close()
            shutil.rmtree(self._tmp, ignore_errors=True)

        c = self.counts
        summary = {
            "authority": self.authority,
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "seed": self.seed,
            "police_source": f"police:{self.police}",
            "postcode_areas": list(self.areas),
            "neighbours": list(self.neighbours),
            "children": n,
            "looked_after_children": n_lac,
            "home_children": n_home,
            "placed_in_children": n_in,
            "providers": sum(1 for p in self.providers if p.used),
            "notification_rows": c["rows"],
            "rows_by_kind": {k: c[k] for k in ("original", "update", "second_reporter", "bad")},
            "episodes": c["episodes"],
            "episodes_home": c["episodes_home"],
            "episodes_care": c["episodes_care"],
            "episodes_two_reporters": c["episodes_two_reporters"],
            "episodes_open_at_end": c["episodes_open_at_end"],
        }
        meta = dict(summary, years=self.years, generator=GENERATOR_VERSION)
        (out / "synth.json").write_text(json.dumps(meta, indent=2, sort_keys=True) + "\n", encoding="utf-8")
        summary["seconds"] = round(time.perf_counter() - t0, 3)
        return summary


@functools.lru_cache(maxsize=65536)
def _fmt903(ordinal: int) -> str:
    d = _dt.date.fromordinal(ordinal)
    return f"{d.day:02d}/{d.month:02d}/{d.year:04d}"


def generate(
    *,
    authority: str,
    children: int,
    years: int,
    seed: int,
    out_dir: pathlib.Path,
    end: _dt.date | None = None,
    neighbours: list[str] | None = None,
    postcode_areas: list[str] | None = None,
    police_force: str | None = None,
) -> dict:
    """Write a synthetic data set for the area ``authority`` into ``out_dir``.

    authority:   three-digit DfE code of the area authority (e.g. "886").
    children:    distinct children in the data set (own looked-after children +
                 children at home who go missing + children placed in by others).
    years:       length of the window in years; it ends at ``end`` (exclusive,
                 default today) and starts the same day ``years`` earlier.
    seed:        seed of the single ``random.Random`` used; the same arguments
                 give byte-identical files.
    neighbours:  codes of the authorities that place children in the area and
                 host some of this authority's children (default: built in
                 for known authorities, none otherwise).
    postcode_areas: postcode areas of the authority (default: built in for
                 known authorities, else ``["XX"]``).
    police_force: slug of the police source, ``police:<slug>`` (default: built
                 in, e.g. ``kent`` for 886, else ``force``).

    Returns a dict of summary counts. Files written: notifications.csv,
    truth.csv, truth_children.csv, ssda903_header.csv, ssda903_episodes.csv,
    ola/<CODE>/ssda903_header.csv and ssda903_episodes.csv, providers.csv.
    """
    return _Generator(
        authority=authority, children=children, years=years, seed=seed, out_dir=out_dir,
        end=end, neighbours=neighbours, postcode_areas=postcode_areas, police_force=police_force,
    ).run()
