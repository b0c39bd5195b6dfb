"""The offline postcode directory: loading it and looking postcodes up.

`homeward postcodes load FILE` reads one of two published layouts, detected
from the file itself:

- **ONS Postcode Directory** (ONSPD, and its National Statistics Postcode
  Lookup cousin): a CSV with a header row naming at least a postcode column
  (`pcds`, `pcd`, `pcd7`, `pcd8` or `pcd2`, in that order of preference) and
  `lat` and `long` (WGS84 degrees). Other columns are ignored. Postcodes the
  ONS holds no coordinates for (latitude 99.999999) are skipped and counted.
- **Code-Point Open** (Ordnance Survey): a CSV with the postcode, then the
  positional quality indicator, then eastings and northings (British National
  Grid, metres), with no header row as the OS ships it, or with a header row
  naming `postcode`, `eastings` and `northings`. Coordinates are converted to
  WGS84 by rules.grid_to_wgs84. Postcodes with no grid reference (0, 0) are
  skipped and counted.

The file is streamed (the ONSPD holds 2.7 million rows) and written in
batches of BATCH rows with an upsert on the postcode, so loading the same or
a newer file again updates what changed and adds nothing twice. A row that
cannot be read is reported with its line number and the reason and the rest
is still loaded. District centroids (the mean of the district's postcodes)
are derived afterwards, and places already recorded are located again
(services.places_geocode).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction
from django.db.models import Avg, Count
from django.utils import timezone

from . import rules
from .models import Postcode, PostcodeDistrict

BATCH = 5000
MAX_PROBLEMS_KEPT = 1000  # reported row by row; beyond that only counted

ONS_POSTCODE_COLUMNS = ("pcds", "pcd", "pcd7", "pcd8", "pcd2")


class LayoutError(ValueError):
    """The file is not in a layout Homeward can read (names the file and why)."""


@dataclass
class RowProblem:
    line: int
    field: str
    reason: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.field}: {self.reason}"


@dataclass
class LoadSummary:
    filename: str
    layout: str = ""
    rows: int = 0
    loaded: int = 0  # postcodes written (new or updated)
    no_coordinates: int = 0
    bad: int = 0
    problems: list[RowProblem] = field(default_factory=list)
    districts: int = 0
    places_located: int = 0

    def add_problem(self, line: int, field_name: str, reason: str) -> None:
        self.bad += 1
        if len(self.problems) < MAX_PROBLEMS_KEPT:
            self.problems.append(RowProblem(line, field_name, reason))


@dataclass(frozen=True)
class Layout:
    name: str  # "onspd" or "codepoint"
    postcode: int
    first: int  # latitude or easting column
    second: int  # longitude or northing column
    has_header: bool
    postcode_name: str
    first_name: str
    second_name: str


def detect_layout(first_row: list[str], filename: str) -> Layout:
    """Which layout a file is in, from its first row."""
    names = [c.strip().lstrip("\ufeff").lower() for c in first_row]
    if "lat" in names and "long" in names:
        pc = next((c for c in ONS_POSTCODE_COLUMNS if c in names), None)
        if pc is None:
            raise LayoutError(f"{filename}: line 1: the header has lat and long but no postcode column "
                              f"(one of {', '.join(ONS_POSTCODE_COLUMNS)})")
        return Layout("onspd", names.index(pc), names.index("lat"), names.index("long"), True, pc, "lat", "long")
    if "eastings" in names and "northings" in names:
        pc = "postcode" if "postcode" in names else None
        if pc is None:
            raise LayoutError(f"{filename}: line 1: the header has eastings and northings but no postcode column")
        return Layout("codepoint", names.index(pc), names.index("eastings"), names.index("northings"), True,
                      pc, "eastings", "northings")
    # Code-Point Open as the OS ships it: no header; postcode, quality, eastings, northings, ...
    if len(first_row) >= 4 and rules.canonical_postcode(first_row[0]) and _is_number(first_row[2]) \
            and _is_number(first_row[3]):
        return Layout("codepoint", 0, 2, 3, False, "postcode", "eastings", "northings")
    raise LayoutError(
        f"{filename}: line 1: not a postcode directory Homeward can read: expected the ONS Postcode Directory "
        "(a header with pcds or pcd, lat and long) or Code-Point Open (postcode, quality, eastings, northings; "
        "or a header with postcode, eastings and northings)")


def _is_number(text: str) -> bool:
    try:
        float(text)
    except (TypeError, ValueError):
        return False
    return True


def read_directory(stream: io.TextIOBase, filename: str, summary: LoadSummary) -> Iterator[tuple[str, float, float]]:
    """(canonical postcode, latitude, longitude) for every good row of the
    file; problems are added to `summary`."""
    reader = csv.reader(stream)
    try:
        first = next(reader)
    except StopIteration:
        raise LayoutError(f"{filename}: the file is empty") from None
    except csv.Error as exc:
        raise LayoutError(f"{filename}: line 1: not a CSV file ({exc})") from None
    layout = detect_layout(first, filename)
    summary.layout = layout.name
    rows: Iterator[list[str]] = reader
    if not layout.has_header:
        rows = _chain_first(first, reader)
    width = max(layout.postcode, layout.first, layout.second) + 1
    line = 1 if layout.has_header else 0
    while True:
        try:
            row = next(rows)
        except StopIteration:
            return
        except csv.Error as exc:
            line = reader.line_num
            summary.rows += 1
            summary.add_problem(line, "row", f"not readable as CSV ({exc})")
            continue
        line = reader.line_num
        if not row or all(not c.strip() for c in row):
            continue
        summary.rows += 1
        if len(row) < width:
            summary.add_problem(line, "row", f"has {len(row)} columns, expected at least {width}")
            continue
        raw_pc = row[layout.postcode]
        parsed = rules.parse_postcode(raw_pc)
        if parsed.postcode is None:
            reason = "a partial postcode: the directory needs full unit postcodes" if parsed.district else (
                "missing" if not raw_pc.strip() else f"'{raw_pc.strip()[:20]}' is not a UK postcode")
            summary.add_problem(line, layout.postcode_name, reason)
            continue
        a_text, b_text = row[layout.first].strip(), row[layout.second].strip()
        try:
            a = float(a_text)
        except ValueError:
            summary.add_problem(line, layout.first_name, f"'{a_text[:20]}' is not a number")
            continue
        try:
            b = float(b_text)
        except ValueError:
            summary.add_problem(line, layout.second_name, f"'{b_text[:20]}' is not a number")
            continue
        if layout.name == "onspd":
            if a == 99.999999 or (a == 0 and b == 0) or a_text == "" or b_text == "":
                summary.no_coordinates += 1
                continue
            if not -90 <= a <= 90:
                summary.add_problem(line, "lat", f"{a_text} is not a latitude")
                continue
            if not -180 <= b <= 180:
                summary.add_problem(line, "long", f"{b_text} is not a longitude")
                continue
            lat, lon = a, b
        else:
            if a == 0 and b == 0:
                summary.no_coordinates += 1
                continue
            if not 0 <= a <= rules.GRID_EASTING_MAX:
                summary.add_problem(line, "eastings", f"{a_text} is outside the National Grid (0 to 700000)")
                continue
            if not 0 <= b <= rules.GRID_NORTHING_MAX:
                summary.add_problem(line, "northings", f"{b_text} is outside the National Grid (0 to 1300000)")
                continue
            lat, lon = rules.grid_to_wgs84(a, b)
        if not rules.in_great_britain(lat, lon):
            summary.add_problem(line, layout.first_name, f"{lat:.5f}, {lon:.5f} is not in the United Kingdom")
            continue
        yield parsed.postcode, lat, lon


def _chain_first(first: list[str], rest) -> Iterator[list[str]]:
    yield first
    yield from rest


def _write(batch: dict[str, tuple[float, float]], source: str, now) -> int:
    objs = [Postcode(postcode=pc, district=pc.split(" ")[0], latitude=round(lat, 6), longitude=round(lon, 6),
                     source=source, loaded_at=now) for pc, (lat, lon) in batch.items()]
    Postcode.objects.bulk_create(objs, batch_size=1000, update_conflicts=True, unique_fields=["postcode"],
                                 update_fields=["district", "latitude", "longitude", "source", "loaded_at"])
    return len(objs)


def postcodes_load(path: str | Path, *, progress: Callable[[int], None] | None = None,
                   relocate: bool = True) -> LoadSummary:
    """Load a postcode directory file (either layout); see the module's docstring.

    Raises LayoutError (naming the file) when the file cannot be read at all.
    """
    path = Path(path)
    filename = str(path)
    summary = LoadSummary(filename=filename)
    try:
        stream = path.open("r", encoding="utf-8-sig", newline="")
    except OSError as exc:
        raise LayoutError(f"{filename}: cannot be read ({exc.strerror or exc})") from None
    now = timezone.now()
    with stream:
        batch: dict[str, tuple[float, float]] = {}
        try:
            rows = read_directory(stream, filename, summary)
            source = None
            for postcode, lat, lon in rows:
                source = source or summary.layout
                batch[postcode] = (lat, lon)  # a postcode repeated later in the file: the later row wins
                if len(batch) >= BATCH:
                    with transaction.atomic():
                        summary.loaded += _write(batch, source, now)
                    batch = {}
                    if progress:
                        progress(summary.rows)
            if batch:
                with transaction.atomic():
                    summary.loaded += _write(batch, source or summary.layout, now)
        except UnicodeDecodeError as exc:
            raise LayoutError(f"{filename}: line {summary.rows + 1}: not UTF-8 text ({exc.reason})") from None
    summary.districts = districts_derive()
    if relocate:
        from .services import places_geocode

        summary.places_located = places_geocode()
    return summary


@transaction.atomic
def districts_derive() -> int:
    """Every district's centroid from its postcodes (re-derived whole)."""
    now = timezone.now()
    rows = (Postcode.objects.order_by().values("district")
            .annotate(lat=Avg("latitude"), lon=Avg("longitude"), n=Count("id")))
    objs = [PostcodeDistrict(district=r["district"], latitude=round(r["lat"], 6), longitude=round(r["lon"], 6),
                             postcodes=r["n"], updated_at=now) for r in rows]
    PostcodeDistrict.objects.bulk_create(objs, batch_size=1000, update_conflicts=True, unique_fields=["district"],
                                         update_fields=["latitude", "longitude", "postcodes", "updated_at"])
    PostcodeDistrict.objects.exclude(district__in=[o.district for o in objs]).delete()
    return len(objs)


# --- looking up ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Located:
    postcode: str  # canonical unit postcode or ""
    district: str  # outward code or ""
    latitude: float | None
    longitude: float | None
    precision: str  # unit / district / none


NOWHERE = Located("", "", None, None, "none")


def geocode(text: str | None) -> Located:
    """Where a full or partial postcode is: at the unit postcode when the
    directory holds it, else at its district's centroid, else not located
    (the district is still given when the text is a postcode)."""
    parsed = rules.parse_postcode(text)
    if parsed.district is None:
        return NOWHERE
    return geocode_many([parsed])[0]


def geocode_many(items: list[rules.ParsedPostcode], cache: dict | None = None) -> list[Located]:
    """`geocode` for many parsed postcodes at once (two queries). `cache`:
    a dict kept by the caller over several calls (one run of a sync), so
    that each postcode and district is looked up once."""
    if cache is None:
        cache = {}
    units = cache.setdefault("units", {})  # postcode -> (lat, lon) or None when not held
    districts = cache.setdefault("districts", {})
    wanted_units = sorted({p.postcode for p in items if p.postcode and p.postcode not in units})
    wanted_districts = sorted({p.district for p in items if p.district and p.district not in districts})
    for chunk in _chunks(wanted_units, 500):
        units.update(dict.fromkeys(chunk))
        units.update({pc: (lat, lon) for pc, lat, lon in
                      Postcode.objects.filter(postcode__in=chunk).order_by().values_list("postcode", "latitude",
                                                                                        "longitude")})
    for chunk in _chunks(wanted_districts, 500):
        districts.update(dict.fromkeys(chunk))
        districts.update({d: (lat, lon) for d, lat, lon in PostcodeDistrict.objects.filter(district__in=chunk)
                          .order_by().values_list("district", "latitude", "longitude")})
    answers = cache.setdefault("located", {})  # ParsedPostcode -> Located
    out = []
    for p in items:
        located = answers.get(p)
        if located is None:
            if p.district is None:
                located = NOWHERE
            elif p.postcode and units.get(p.postcode) is not None:
                lat, lon = units[p.postcode]
                located = Located(p.postcode, p.district, lat, lon, "unit")
            elif districts.get(p.district) is not None:
                lat, lon = districts[p.district]
                located = Located(p.postcode or "", p.district, lat, lon, "district")
            else:
                located = Located(p.postcode or "", p.district, None, None, "none")
            answers[p] = located
        out.append(located)
    return out


def _chunks(items: list, size: int):
    for i in range(0, len(items), size):
        yield items[i:i + size]


def directory_is_empty() -> bool:
    return not PostcodeDistrict.objects.exists()
