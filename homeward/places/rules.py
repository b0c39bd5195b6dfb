"""The rules of places, as pure functions (no Django, no database).

- Postcodes: reading what people type ("ct12ab", "CT1 2AB", "CT1", "ct1 2")
  into the canonical unit postcode ("CT1 2AB") and its district (the outward
  code, "CT1").
- What makes two places the same place (`place_key`).
- British National Grid (OSGB36) eastings and northings to WGS84 latitude
  and longitude, with the Ordnance Survey's published formulae ("A guide to
  coordinate systems in Great Britain", annexes B and C, and the 7-parameter
  Helmert transformation of section 6.6): accurate to about 5 metres, which
  is what the OS says of the Helmert transformation and more than enough for
  postcodes.
- Hotspot figures: the order of areas, small-number suppression and the
  trend against the previous period.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache

# --- postcodes ---------------------------------------------------------------------------

_OUTWARD = re.compile(r"^[A-Z]{1,2}[0-9][A-Z0-9]?$")
_INWARD = re.compile(r"^[0-9][A-Z]{2}$")
_INWARD_PARTIAL = re.compile(r"^[0-9][A-Z]{0,2}$")
_FULL_COMPACT = re.compile(r"^([A-Z]{1,2}[0-9][A-Z0-9]?)([0-9][A-Z]{2})$")


@dataclass(frozen=True)
class ParsedPostcode:
    """What a piece of text says about a postcode.

    ``postcode``: the full unit postcode, canonical ("CT1 2AB"), or None for
    a partial one. ``district``: the outward code ("CT1"), or None when the
    text is not a postcode at all.
    """

    postcode: str | None
    district: str | None

    @property
    def precision(self) -> str:
        if self.postcode:
            return "unit"
        if self.district:
            return "district"
        return "none"


NOT_A_POSTCODE = ParsedPostcode(None, None)


@lru_cache(maxsize=100_000)
def parse_postcode(text: str | None) -> ParsedPostcode:
    """Read a full or partial UK postcode.

    - "ct12ab", "CT1 2AB", " ct1  2ab " -> ("CT1 2AB", "CT1")
    - "CT1", "ct1 2", "CT1 2A" (a district, a sector, a postcode being typed)
      -> (None, "CT1"): a partial postcode resolves to its district. The space
      decides: "CT1 2" is sector 2 of CT1, while "CT12" is the district CT12.
    - anything else ("NFA", "unknown", "", a foreign code) -> (None, None).
    """
    if not text:
        return NOT_A_POSTCODE
    t = re.sub(r"\s+", " ", str(text).upper()).strip()
    if not t:
        return NOT_A_POSTCODE
    if " " in t:
        outward, _, inward = t.partition(" ")
        inward = inward.replace(" ", "")
        if not _OUTWARD.match(outward):
            return NOT_A_POSTCODE
        if _INWARD.match(inward):
            return ParsedPostcode(f"{outward} {inward}", outward)
        if _INWARD_PARTIAL.match(inward):
            return ParsedPostcode(None, outward)
        return NOT_A_POSTCODE
    m = _FULL_COMPACT.match(t)
    if m:
        return ParsedPostcode(f"{m.group(1)} {m.group(2)}", m.group(1))
    if _OUTWARD.match(t):
        return ParsedPostcode(None, t)
    return NOT_A_POSTCODE


def canonical_postcode(text: str | None) -> str | None:
    """The full unit postcode in canonical form, or None."""
    return parse_postcode(text).postcode


def district_of(text: str | None) -> str | None:
    """The postcode district (outward code) of a full or partial postcode, or None."""
    return parse_postcode(text).district


def normalise_label(text: str | None) -> str:
    """A place's text for comparing: case, spacing and punctuation at the ends ignored."""
    t = re.sub(r"\s+", " ", str(text or "")).strip().strip(".,;:").strip()
    return t.casefold()


@lru_cache(maxsize=100_000)
def place_key(label: str | None, postcode_text: str | None) -> str:
    """What makes two places the same place: the text (normalised) and the
    postcode (canonical, or the district for a partial one, or the raw text
    upper-cased when it is not a postcode). "McDonald's, CT1 2AB" and
    "mcdonald's ct12ab" are one place; the postcode CT1 2AB alone is another
    (a place known only by its postcode)."""
    return _place_key(normalise_label(label), parse_postcode(postcode_text), postcode_text)


def place_key_if_something(label: str | None, postcode_text: str | None) -> str | None:
    """`place_key`, or None when there is nothing to record: no text and no
    postcode (full or partial)."""
    normalised, parsed = normalise_label(label), parse_postcode(postcode_text)
    if not normalised and parsed.district is None:
        return None
    return _place_key(normalised, parsed, postcode_text)


def _place_key(normalised: str, parsed: ParsedPostcode, postcode_text: str | None) -> str:
    where = parsed.postcode or parsed.district or re.sub(r"\s+", " ", str(postcode_text or "")).strip().upper()
    return f"{normalised[:300]}|{where[:30]}"


# What an interview's kind of place says about how the child used it.
STAYED_KINDS = frozenset({"address", "hotel"})


def role_for_named_place(kind: str) -> str:
    """A place named in a return interview: where the child stayed (an
    address, a hotel or short-let) or a place they spend time at."""
    return "stayed" if kind in STAYED_KINDS else "frequented"


# --- British National Grid to WGS84 ---------------------------------------------------------

# Airy 1830 ellipsoid (OSGB36) and GRS80 (WGS84 / ETRS89, the same to a metre here).
AIRY_A, AIRY_B = 6377563.396, 6356256.909
GRS80_A, GRS80_B = 6378137.000, 6356752.3141
# National Grid projection: true origin 49°N 2°W, false origin -100 km N, +400 km E.
F0 = 0.9996012717
LAT0, LON0 = math.radians(49.0), math.radians(-2.0)
E0, N0 = 400000.0, -100000.0
# Helmert transformation OSGB36 -> WGS84 (the OS's WGS84 -> OSGB36 parameters, inverted).
TX, TY, TZ = 446.448, -125.157, 542.060  # metres
S_PPM = -20.4894  # scale, parts per million
RX, RY, RZ = 0.1502, 0.2470, 0.8421  # arc-seconds

# Great Britain's National Grid covers 0-700 km east and 0-1300 km north.
GRID_EASTING_MAX, GRID_NORTHING_MAX = 700000.0, 1300000.0


def _meridional_arc(lat: float, a: float, b: float) -> float:
    n = (a - b) / (a + b)
    n2, n3 = n * n, n * n * n
    d, s = lat - LAT0, lat + LAT0
    return b * F0 * (
        (1 + n + 1.25 * n2 + 1.25 * n3) * d
        - (3 * n + 3 * n2 + 2.625 * n3) * math.sin(d) * math.cos(s)
        + (1.875 * n2 + 1.875 * n3) * math.sin(2 * d) * math.cos(2 * s)
        - (35 / 24) * n3 * math.sin(3 * d) * math.cos(3 * s)
    )


def grid_to_osgb36(easting: float, northing: float) -> tuple[float, float]:
    """National Grid easting and northing (metres) to OSGB36 latitude and
    longitude in degrees (OS guide, annex C: transverse Mercator, inverse)."""
    a, b = AIRY_A, AIRY_B
    e2 = 1 - (b * b) / (a * a)
    lat = LAT0
    m = 0.0
    while True:
        lat = (northing - N0 - m) / (a * F0) + lat
        m = _meridional_arc(lat, a, b)
        if abs(northing - N0 - m) < 0.00001:  # 0.01 mm
            break
    sin_lat, cos_lat, tan_lat = math.sin(lat), math.cos(lat), math.tan(lat)
    nu = a * F0 / math.sqrt(1 - e2 * sin_lat * sin_lat)
    rho = a * F0 * (1 - e2) / (1 - e2 * sin_lat * sin_lat) ** 1.5
    eta2 = nu / rho - 1
    t2, t4, t6 = tan_lat ** 2, tan_lat ** 4, tan_lat ** 6
    sec = 1 / cos_lat
    vii = tan_lat / (2 * rho * nu)
    viii = tan_lat / (24 * rho * nu ** 3) * (5 + 3 * t2 + eta2 - 9 * t2 * eta2)
    ix = tan_lat / (720 * rho * nu ** 5) * (61 + 90 * t2 + 45 * t4)
    x = sec / nu
    xi = sec / (6 * nu ** 3) * (nu / rho + 2 * t2)
    xii = sec / (120 * nu ** 5) * (5 + 28 * t2 + 24 * t4)
    xiia = sec / (5040 * nu ** 7) * (61 + 662 * t2 + 1320 * t4 + 720 * t6)
    de = easting - E0
    lat_out = lat - vii * de ** 2 + viii * de ** 4 - ix * de ** 6
    lon_out = LON0 + x * de - xi * de ** 3 + xii * de ** 5 - xiia * de ** 7
    return math.degrees(lat_out), math.degrees(lon_out)


def osgb36_to_grid(lat_deg: float, lon_deg: float) -> tuple[float, float]:
    """OSGB36 latitude and longitude (degrees) to National Grid easting and
    northing (OS guide, annex C: transverse Mercator, forward). Used by the
    tests and the synthetic data script."""
    a, b = AIRY_A, AIRY_B
    e2 = 1 - (b * b) / (a * a)
    lat, lon = math.radians(lat_deg), math.radians(lon_deg)
    sin_lat, cos_lat, tan_lat = math.sin(lat), math.cos(lat), math.tan(lat)
    nu = a * F0 / math.sqrt(1 - e2 * sin_lat * sin_lat)
    rho = a * F0 * (1 - e2) / (1 - e2 * sin_lat * sin_lat) ** 1.5
    eta2 = nu / rho - 1
    m = _meridional_arc(lat, a, b)
    t2 = tan_lat ** 2
    i = m + N0
    ii = nu / 2 * sin_lat * cos_lat
    iii = nu / 24 * sin_lat * cos_lat ** 3 * (5 - t2 + 9 * eta2)
    iiia = nu / 720 * sin_lat * cos_lat ** 5 * (61 - 58 * t2 + t2 * t2)
    iv = nu * cos_lat
    v = nu / 6 * cos_lat ** 3 * (nu / rho - t2)
    vi = nu / 120 * cos_lat ** 5 * (5 - 18 * t2 + t2 * t2 + 14 * eta2 - 58 * t2 * eta2)
    dl = lon - LON0
    northing = i + ii * dl ** 2 + iii * dl ** 4 + iiia * dl ** 6
    easting = E0 + iv * dl + v * dl ** 3 + vi * dl ** 5
    return easting, northing


def _to_cartesian(lat: float, lon: float, a: float, b: float, h: float = 0.0) -> tuple[float, float, float]:
    e2 = 1 - (b * b) / (a * a)
    sin_lat = math.sin(lat)
    nu = a / math.sqrt(1 - e2 * sin_lat * sin_lat)
    return ((nu + h) * math.cos(lat) * math.cos(lon), (nu + h) * math.cos(lat) * math.sin(lon),
            ((1 - e2) * nu + h) * sin_lat)


def _from_cartesian(x: float, y: float, z: float, a: float, b: float) -> tuple[float, float]:
    e2 = 1 - (b * b) / (a * a)
    p = math.hypot(x, y)
    lat = math.atan2(z, p * (1 - e2))
    for _ in range(10):
        nu = a / math.sqrt(1 - e2 * math.sin(lat) ** 2)
        new = math.atan2(z + e2 * nu * math.sin(lat), p)
        if abs(new - lat) < 1e-12:
            lat = new
            break
        lat = new
    return lat, math.atan2(y, x)


def _helmert(x: float, y: float, z: float, *, sign: float) -> tuple[float, float, float]:
    s = sign * S_PPM * 1e-6
    rx, ry, rz = (sign * math.radians(r / 3600) for r in (RX, RY, RZ))
    tx, ty, tz = sign * TX, sign * TY, sign * TZ
    return (tx + (1 + s) * x - rz * y + ry * z,
            ty + rz * x + (1 + s) * y - rx * z,
            tz - ry * x + rx * y + (1 + s) * z)


def osgb36_to_wgs84(lat_deg: float, lon_deg: float) -> tuple[float, float]:
    x, y, z = _to_cartesian(math.radians(lat_deg), math.radians(lon_deg), AIRY_A, AIRY_B)
    lat, lon = _from_cartesian(*_helmert(x, y, z, sign=1.0), GRS80_A, GRS80_B)
    return math.degrees(lat), math.degrees(lon)


def wgs84_to_osgb36(lat_deg: float, lon_deg: float) -> tuple[float, float]:
    x, y, z = _to_cartesian(math.radians(lat_deg), math.radians(lon_deg), GRS80_A, GRS80_B)
    lat, lon = _from_cartesian(*_helmert(x, y, z, sign=-1.0), AIRY_A, AIRY_B)
    return math.degrees(lat), math.degrees(lon)


def grid_to_wgs84(easting: float, northing: float) -> tuple[float, float]:
    """British National Grid easting and northing (metres, OSGB36) to WGS84
    (latitude, longitude) in degrees, to within about 5 metres."""
    return osgb36_to_wgs84(*grid_to_osgb36(easting, northing))


def wgs84_to_grid(lat_deg: float, lon_deg: float) -> tuple[float, float]:
    """WGS84 latitude and longitude to National Grid easting and northing."""
    return osgb36_to_grid(*wgs84_to_osgb36(lat_deg, lon_deg))


def in_great_britain(lat: float, lon: float) -> bool:
    """Coordinates plausible for a UK postcode (Great Britain, Northern
    Ireland, the Channel Islands and the Isle of Man), not the ONS's
    "no coordinates" marker 99.999999 / 0.000000."""
    return 49.0 <= lat <= 61.0 and -9.0 <= lon <= 2.5


# --- hotspots ---------------------------------------------------------------------------------

# The H3 resolution areas are counted at: about 5 km² a hexagon, a
# neighbourhood of a town (average edge 1.4 km).
H3_RESOLUTION = 7

# Counts from 1 to THRESHOLD - 1 are replaced for roles that see figures only.
DEFAULT_SUPPRESSION_THRESHOLD = 5


@dataclass(frozen=True)
class AreaCount:
    key: str | None  # the district or H3 cell; None: no place found
    episodes: int
    children: int


_DISTRICT_PARTS = re.compile(r"^([A-Z]+)([0-9]+)([A-Z]?)$")


def area_sort_key(key: str | None) -> tuple:
    """Districts in their natural order (CT1, CT2, CT10, CTA...: letters,
    then the number as a number, then a letter), H3 cells as text; no area
    (None) last."""
    if key is None:
        return (1, "", 0, "")
    m = _DISTRICT_PARTS.match(key)
    if m:
        return (0, m.group(1), int(m.group(2)), m.group(3))
    return (0, key, 0, "")


def hotspot_order(rows: list[AreaCount]) -> list[AreaCount]:
    """Most episodes first; among equal episodes, most children first; then
    the area's name in natural order (CT2 before CT10), with the episodes
    with no place found (None) last among equals. Deterministic whatever
    order the database returns."""
    return sorted(rows, key=lambda r: (-r.episodes, -r.children, area_sort_key(r.key)))


def suppress(count: int | None, threshold: int | None) -> int | str | None:
    """A count as a role that sees figures only may see it: 1 to threshold-1
    become "<threshold" (0 is shown: no child can be identified from nobody)."""
    if count is None or not threshold or count == 0 or count >= threshold:
        return count
    return f"<{threshold}"


def suppression_rule(threshold: int) -> str:
    return (f"Counts from 1 to {threshold - 1} are shown as “<{threshold}” so that no child can be identified. "
            "The change against the previous period is not shown where either count is hidden.")


def previous_period(start: date, end: date) -> tuple[date, date]:
    """The period of the same length just before [start, end)."""
    length = (end - start).days
    return start - timedelta(days=length), start


def trend(current: int, previous: int) -> str:
    """"up", "down", "same" or "new" (none before)."""
    if previous == 0:
        return "same" if current == 0 else "new"
    if current > previous:
        return "up"
    if current < previous:
        return "down"
    return "same"


def change_text(current: int, previous: int) -> str:
    """The change against the previous period in words, e.g. "up 3 (from 4)"."""
    kind = trend(current, previous)
    if kind == "new":
        return "new (none before)"
    if kind == "same":
        return "no change" if current else "none"
    diff = abs(current - previous)
    return f"{kind} {diff} (from {previous})"
