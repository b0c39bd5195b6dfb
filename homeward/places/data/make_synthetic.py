"""Make Homeward's SYNTHETIC postcode directory and district outlines.

    .venv/bin/python -m homeward.places.data.make_synthetic

Writes, deterministically (same output every run):

- homeward/places/data/synthetic-postcodes.csv: a small postcode directory in
  the layout of the ONS Postcode Directory (pcd, pcd2, pcds, oseast1m,
  osnrth1m, lat, long) for the postcode districts the synthetic data
  generator uses (homeward/synth/geography.py), a few unit postcodes per
  district, plus the postcodes the tests and the demo name;
- homeward/places/static/places/district-outlines.geojson: an outline for
  each of those districts (WGS84), for the hotspot map.

NOT REAL DATA. Each postcode area is placed near the town it is named after,
with plausible coordinates, but the districts inside it are laid out by a
seeded random process, their outlines are the cells of a Voronoi diagram of
the district sites (cut off at a distance from each site), and the unit
postcodes are random points inside their district. Do not use them for
anything but the demo and tests: load the ONS Postcode Directory or
Code-Point Open for real work (docs/places.md).

The sites are laid out on the British National Grid (metres) and converted
with homeward.places.rules.grid_to_wgs84, the loader's own conversion.
"""

from __future__ import annotations

import csv
import json
import math
import random
from pathlib import Path

from homeward.places import rules
from homeward.synth import geography as geo

HERE = Path(__file__).resolve().parent
CSV_PATH = HERE / "synthetic-postcodes.csv"
GEOJSON_PATH = HERE.parent / "static" / "places" / "district-outlines.geojson"
SEED = 20240401
UNITS_PER_DISTRICT = 4

# Postcode area -> (easting, northing, radius in metres): roughly where the
# area is (the town it is named after) and how far it spreads.
AREAS: dict[str, tuple[int, int, int]] = {
    "CT": (618000, 156000, 19000), "ME": (578000, 160000, 13000), "TN": (570000, 138000, 24000),
    "DA": (553000, 172000, 8000), "SE": (535000, 175000, 6500), "SW": (526500, 175500, 5500),
    "BR": (542000, 166000, 6000), "BN": (530000, 107000, 16000), "RH": (527000, 135000, 15000),
    "PO": (487000, 104000, 8000), "GU": (495000, 150000, 21000), "KT": (517000, 163000, 9000),
    "NG": (457000, 345000, 18000), "DE": (430000, 345000, 30000), "S": (435000, 385000, 22000),
    "LE": (458000, 304000, 16000), "LN": (497000, 372000, 18000), "PE": (518000, 295000, 30000),
    "UB": (509000, 182000, 6000), "HA": (515000, 188000, 5500), "W": (522000, 180000, 4500),
    "TW": (514000, 172000, 7500),
}
# Central London districts the generator sends children to (geo.LONDON_HOTSPOTS), fixed.
FIXED = {"N1": (532500, 183800), "E1": (534500, 181600), "NW1": (528900, 183000), "WC2": (530200, 181000),
         "SE1": (532000, 179600)}
# Postcodes the tests and the demo name, so they are found at unit precision.
NAMED_UNITS = ("CT1 2AB", "CT2 7NZ", "ME15 6AA", "SE15 4AA", "CT1 1AA", "CT9 1AA", "ME14 1AA", "TN23 1AA",
               "DA1 1AA", "SE1 7PB")


def districts() -> dict[str, str]:
    """Every district the synthetic generator can write -> its area."""
    out = {}
    for area in AREAS:
        lo, hi, _ = geo.district_range(area)
        for n in range(lo, hi + 1):
            out[f"{area}{n}"] = area
    for area, n in geo.LONDON_HOTSPOTS:
        out[f"{area}{n}"] = area
    return out


def layout(rng: random.Random) -> dict[str, tuple[float, float]]:
    """A site (easting, northing) for every district: town centres near the
    middle of their area, the rest spread by best-candidate sampling."""
    sites: dict[str, tuple[float, float]] = dict(FIXED)
    all_districts = districts()
    order = []
    for area, (e, n, r) in AREAS.items():
        _, _, centres = geo.district_range(area)
        for k, c in enumerate(centres):
            name = f"{area}{c}"
            if name in sites:
                continue
            angle = 2 * math.pi * k / max(1, len(centres))
            off = 0.0 if k == 0 else 0.3 * r
            sites[name] = (e + off * math.cos(angle), n + off * math.sin(angle))
        order += [d for d, a in all_districts.items() if a == area and d not in sites]
    for name in order:
        e, n, r = AREAS[all_districts[name]]
        best, best_d = None, -1.0
        for _ in range(40):
            rho, theta = r * math.sqrt(rng.random()), 2 * math.pi * rng.random()
            cand = (e + rho * math.cos(theta), n + rho * math.sin(theta))
            d = min(math.dist(cand, s) for s in sites.values())
            if d > best_d:
                best, best_d = cand, d
        sites[name] = best
    return sites


def cap_radius(name: str, all_districts: dict[str, str]) -> float:
    area = all_districts[name]
    if area not in AREAS:
        return 1500.0
    _, _, r = AREAS[area]
    count = sum(1 for a in all_districts.values() if a == area)
    return 1.7 * r / math.sqrt(count)


def clip(poly: list[tuple[float, float]], site, other) -> list[tuple[float, float]]:
    """The part of a convex polygon nearer `site` than `other` (Sutherland-Hodgman, one edge)."""
    mx, my = (site[0] + other[0]) / 2, (site[1] + other[1]) / 2
    dx, dy = other[0] - site[0], other[1] - site[1]

    def inside(p):
        return (p[0] - mx) * dx + (p[1] - my) * dy <= 0

    def cross(p, q):
        fp = (p[0] - mx) * dx + (p[1] - my) * dy
        fq = (q[0] - mx) * dx + (q[1] - my) * dy
        t = fp / (fp - fq)
        return (p[0] + t * (q[0] - p[0]), p[1] + t * (q[1] - p[1]))

    out = []
    for i, p in enumerate(poly):
        q = poly[(i + 1) % len(poly)]
        if inside(p):
            out.append(p)
            if not inside(q):
                out.append(cross(p, q))
        elif inside(q):
            out.append(cross(p, q))
    return out


def cells(sites: dict[str, tuple[float, float]]) -> dict[str, list[tuple[float, float]]]:
    all_districts = districts()
    out = {}
    for name, site in sites.items():
        cap = cap_radius(name, all_districts)
        poly = [(site[0] + cap * math.cos(2 * math.pi * k / 20), site[1] + cap * math.sin(2 * math.pi * k / 20))
                for k in range(20)]
        for other_name, other in sites.items():
            if other_name != name and math.dist(site, other) < 2 * cap + 1:
                poly = clip(poly, site, other)
        out[name] = poly
    return out


def inward_codes(rng: random.Random, count: int, taken: set[str]) -> list[str]:
    codes = []
    while len(codes) < count:
        code = f"{rng.randrange(10)}{rng.choice(geo.INWARD_LETTERS)}{rng.choice(geo.INWARD_LETTERS)}"
        if code not in taken:
            taken.add(code)
            codes.append(code)
    return codes


def units(rng: random.Random, sites, polys) -> list[tuple[str, float, float]]:
    named: dict[str, list[str]] = {}
    for pc in NAMED_UNITS:
        out, inward = pc.split(" ")
        named.setdefault(out, []).append(inward)
    rows = []
    for name in sorted(sites, key=rules.area_sort_key):
        poly = polys[name]
        xs, ys = [p[0] for p in poly], [p[1] for p in poly]
        taken = set(named.get(name, []))
        inwards = named.get(name, []) + inward_codes(rng, UNITS_PER_DISTRICT, taken)
        for inward in inwards:
            while True:  # a random point of the cell, drawn towards its site
                q = (rng.uniform(min(xs), max(xs)), rng.uniform(min(ys), max(ys)))
                if _inside(q, poly):
                    break
            s = sites[name]
            p = (s[0] + 0.6 * (q[0] - s[0]), s[1] + 0.6 * (q[1] - s[1]))
            rows.append((f"{name} {inward}", round(p[0]), round(p[1])))
    return rows


def _inside(p, poly) -> bool:
    sign = 0
    for i, a in enumerate(poly):
        b = poly[(i + 1) % len(poly)]
        c = (b[0] - a[0]) * (p[1] - a[1]) - (b[1] - a[1]) * (p[0] - a[0])
        if c != 0:
            if sign == 0:
                sign = 1 if c > 0 else -1
            elif (c > 0) != (sign > 0):
                return False
    return True


def pcd(postcode: str, width: int) -> str:
    out, inward = postcode.split(" ")
    return out.ljust(width - 3) + inward


def main() -> None:
    rng = random.Random(SEED)
    sites = layout(rng)
    polys = cells(sites)
    rows = units(rng, sites, polys)
    CSV_PATH.parent.mkdir(parents=True, exist_ok=True)
    with CSV_PATH.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["pcd", "pcd2", "pcds", "oseast1m", "osnrth1m", "lat", "long"])
        for postcode, e, n in rows:
            lat, lon = rules.grid_to_wgs84(e, n)
            w.writerow([pcd(postcode, 7), pcd(postcode, 8), postcode, e, n, f"{lat:.6f}", f"{lon:.6f}"])
    features = []
    for name in sorted(polys, key=rules.area_sort_key):
        ring = [list(reversed([round(v, 5) for v in rules.grid_to_wgs84(*p)])) for p in polys[name]]
        ring.append(ring[0])
        features.append({"type": "Feature", "properties": {"district": name, "synthetic": True},
                         "geometry": {"type": "Polygon", "coordinates": [ring]}})
    GEOJSON_PATH.parent.mkdir(parents=True, exist_ok=True)
    GEOJSON_PATH.write_text(json.dumps({
        "type": "FeatureCollection",
        "name": "Homeward synthetic postcode district outlines (NOT REAL BOUNDARIES)",
        "features": features,
    }, separators=(",", ":")) + "\n", encoding="utf-8")
    print(f"{len(rows)} postcodes -> {CSV_PATH}")
    print(f"{len(features)} district outlines -> {GEOJSON_PATH}")


if __name__ == "__main__":
    main()
