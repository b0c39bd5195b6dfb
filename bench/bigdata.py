"""National-scale synthetic data for the benchmarks: N children and M missing
episodes over the 153 English authorities and ten years, written straight
through the database driver.

    .venv/bin/python bench/bigdata.py --database-url sqlite:////tmp/bigdata.db
    .venv/bin/python bench/bigdata.py --database-url postgres://postgres@127.0.0.1:5432/homeward_bigdata
    .venv/bin/python bench/bigdata.py --database-url ... --children 20000 --episodes 50000   # a small one

Defaults: 1,000,000 children and 2,500,000 episodes (about ten years of
national volume), seed 1, statutory years 2016-17 to 2025-26 (the data ends
on 1 April 2026), return home interviews included (`--no-interviews` to leave
them out).

From other benchmarks::

    sys.path.insert(0, str(ROOT / "bench"))
    from bigdata import ensure_bigdata
    info = ensure_bigdata("postgres://postgres@127.0.0.1:5432/homeward_bigdata", 1_000_000, 2_500_000, 1)

`ensure_bigdata` reuses a database that this generator filled completely with
the same parameters (a row in its own table `bench_bigdata`, written last),
after `homeward migrate` (for migrations added since); otherwise it starts
again: the SQLite file is deleted, or the PostgreSQL database dropped and
created, then `homeward migrate`, then the fill. The database's name is the
one in the URL: never point it at a database you want to keep.

How it is fast: the generator is plain Python with one seeded random
generator; episodes are generated per child into compact arrays, then
written in order of their start (as a live system would have stored them),
their ids following that order. Rows go in through the driver (sqlite3
executemany in one transaction with synchronous=OFF; PostgreSQL COPY with
foreign-key triggers off for the session), after the secondary indexes of
the tables filled are dropped; they are created again afterwards, then
ANALYZE. Every column of a table is written: those the generator does not
set get their type's empty value (so a column added later with a default
does not break the fill).

What the data looks like (synthetic: no real child, place or record):

- authorities sized like real ones: a lognormal spread with the largest
  (Kent, Birmingham, Essex, Lancashire, Hampshire, ...) about 3% of all
  episodes each and the smallest (Isles of Scilly, City of London, Rutland)
  a few hundred over ten years;
- a quarter of the children looked after, going missing 3.5 times as often
  (about 40% of episodes from care); 15% of them were missing from home
  before coming into care; placements (one to three, with providers:
  children's homes, fostering agencies, semi-independent and residential
  provision) in their own authority for 58% of them, otherwise mostly in
  the same region; 18% of care episodes absent rather than missing;
- episodes per child skewed (a lognormal propensity: most children once, a
  few dozens of times), clustered over weeks to years before the child is
  18; durations lognormal (median 12 hours; about 70% under 24 hours, 8% over
  72); a few hundred episodes still open (children still missing);
- postcodes: each authority holds a share of the districts of its postcode
  areas (data from homeward/placements/reference/authorities.csv, district
  ranges from homeward/synth/geography.py and a table below); a home's or a
  provider's postcode is in its authority; found postcodes (82% of ended
  episodes) near where the child went missing, in the area's town-centre
  districts, in a neighbouring authority, or in central London (county
  lines), using unit postcodes from homeward/places/data/synthetic-postcodes.csv
  where that directory has the district, so that they can be placed on a map;
- about 0.5% of child records are merged duplicates (pointing at the record
  they survive as, holding nothing);
- a return home interview for every ended episode (unless --no-interviews):
  the requirement and its exclusions, offers, outcomes and dates.
"""

from __future__ import annotations

import argparse
import bisect
import csv
import itertools
import json
import math
import os
import random
import sqlite3
import subprocess
import sys
import time
from array import array
from dataclasses import asdict, dataclass
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

GENERATOR_VERSION = 1
MARKER = "bench_bigdata"
DEFAULT_END = date(2026, 4, 1)
CHUNK = 50_000

# --- parameters ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Params:
    children: int
    episodes: int
    seed: int
    interviews: bool = True
    end: str = DEFAULT_END.isoformat()
    years: int = 10
    version: int = GENERATOR_VERSION

    def as_json(self) -> str:
        return json.dumps(asdict(self), sort_keys=True)


def _log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# --- databases ----------------------------------------------------------------------------------


class Database:
    """The few things the fill needs from SQLite or PostgreSQL, through the driver."""

    vendor = ""

    def __init__(self, url: str):
        import dj_database_url

        self.url = url
        self.settings = dj_database_url.parse(url)

    @classmethod
    def of(cls, url: str) -> "Database":
        if url.startswith("sqlite"):
            return SqliteDatabase(url)
        if url.startswith(("postgres", "pgsql")):
            return PostgresDatabase(url)
        raise SystemExit(f"bigdata: {url}: not a sqlite:/// or postgres:// URL")


class SqliteDatabase(Database):
    vendor = "sqlite"

    @property
    def path(self) -> Path:
        return Path(self.settings["NAME"])

    def read_marker(self) -> str | None:
        if not self.path.exists():
            return None
        try:
            conn = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True)
            try:
                row = conn.execute(f"SELECT params FROM {MARKER}").fetchone()
            finally:
                conn.close()
        except sqlite3.Error:
            return None
        return row[0] if row else None

    def recreate(self) -> None:
        for suffix in ("", "-wal", "-shm", "-journal"):
            p = Path(str(self.path) + suffix)
            if p.exists():
                p.unlink()
        self.path.parent.mkdir(parents=True, exist_ok=True)

    def connect(self):
        conn = sqlite3.connect(self.path, isolation_level=None)
        conn.execute("PRAGMA journal_mode=OFF")  # no journal while filling (a failed fill is started again)
        conn.execute("PRAGMA synchronous=OFF")
        conn.execute("PRAGMA foreign_keys=OFF")
        conn.execute("PRAGMA cache_size=-1000000")
        conn.execute("PRAGMA temp_store=MEMORY")
        conn.execute("PRAGMA threads=4")  # sorting for CREATE INDEX on more than one core
        conn.execute("PRAGMA mmap_size=8000000000")
        self.conn = conn
        return conn

    def query(self, sql: str, params=()) -> list[tuple]:
        return self.conn.execute(sql, params).fetchall()

    def execute(self, sql: str) -> None:
        self.conn.execute(sql)

    def columns(self, table: str) -> list[tuple[str, bool, str, bool]]:
        """(name, not null, type, json) of each column."""
        sql = self.query("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?", (table,))[0][0]
        out = []
        for _cid, name, ctype, notnull, _default, _pk in self.query(f'PRAGMA table_info("{table}")'):
            out.append((name, bool(notnull), ctype.lower(), f'JSON_VALID("{name}")' in sql))
        return out

    def drop_indexes(self, table: str) -> list[str]:
        rows = self.query("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL",
                          (table,))
        for name, _sql in rows:
            self.execute(f'DROP INDEX "{name}"')
        return [sql for _name, sql in rows]

    def begin(self) -> None:
        self.execute("BEGIN")

    def commit(self) -> None:
        self.execute("COMMIT")

    def insert(self, table: str, columns: list[str], rows: list[tuple]) -> None:
        marks = ", ".join("?" for _ in columns)
        cols = ", ".join(f'"{c}"' for c in columns)
        self.conn.executemany(f'INSERT INTO "{table}" ({cols}) VALUES ({marks})', rows)

    def ts(self, seconds: int) -> str:
        return _ts_text(seconds)

    def boolean(self, value: bool):
        return 1 if value else 0

    def finish_table(self, table: str) -> None:
        pass  # AUTOINCREMENT keeps sqlite_sequence at the highest id inserted

    def analyze(self) -> None:
        self.execute("ANALYZE")

    def write_marker(self, params: Params, info: dict) -> None:
        self.execute("PRAGMA journal_mode=WAL")  # as Homeward runs it
        self.execute(f"CREATE TABLE IF NOT EXISTS {MARKER} (params text NOT NULL, info text NOT NULL)")
        self.execute(f"DELETE FROM {MARKER}")
        self.conn.execute(f"INSERT INTO {MARKER} VALUES (?, ?)", (params.as_json(), json.dumps(info)))
        self.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    def read_info(self) -> dict:
        conn = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True)
        try:
            return json.loads(conn.execute(f"SELECT info FROM {MARKER}").fetchone()[0])
        finally:
            conn.close()

    def close(self) -> None:
        self.conn.close()


class PostgresDatabase(Database):
    vendor = "postgresql"

    def _connect(self, dbname: str, autocommit: bool = True):
        import psycopg

        s = self.settings
        return psycopg.connect(host=s["HOST"] or "127.0.0.1", port=s["PORT"] or 5432, user=s["USER"] or "postgres",
                               password=s["PASSWORD"] or None, dbname=dbname, autocommit=autocommit)

    @property
    def name(self) -> str:
        return self.settings["NAME"]

    def read_marker(self) -> str | None:
        import psycopg

        try:
            with self._connect(self.name) as conn:
                if not conn.execute("SELECT to_regclass(%s)", [MARKER]).fetchone()[0]:
                    return None
                row = conn.execute(f"SELECT params FROM {MARKER}").fetchone()
        except psycopg.OperationalError:
            return None
        return row[0] if row else None

    def read_info(self) -> dict:
        with self._connect(self.name) as conn:
            return json.loads(conn.execute(f"SELECT info FROM {MARKER}").fetchone()[0])

    def recreate(self) -> None:
        with self._connect("postgres") as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{self.name}"')

    def connect(self):
        conn = self._connect(self.name, autocommit=True)
        conn.execute("SET session_replication_role = replica")  # no foreign-key triggers while filling
        conn.execute("SET maintenance_work_mem = '1GB'")
        conn.execute("SET synchronous_commit = off")
        self.conn = conn
        return conn

    def query(self, sql: str, params=()) -> list[tuple]:
        return self.conn.execute(sql, params).fetchall()

    def execute(self, sql: str) -> None:
        self.conn.execute(sql)

    def columns(self, table: str) -> list[tuple[str, bool, str, bool]]:
        rows = self.query(
            "SELECT column_name, is_nullable = 'NO', data_type FROM information_schema.columns"
            " WHERE table_name = %s AND table_schema = current_schema() ORDER BY ordinal_position", (table,))
        return [(name, notnull, dtype.lower(), dtype.lower() in ("json", "jsonb")) for name, notnull, dtype in rows]

    def drop_indexes(self, table: str) -> list[str]:
        """Drop the indexes that no constraint owns (the primary key and unique
        constraints stay); return their definitions."""
        rows = self.query(
            "SELECT i.relname, pg_get_indexdef(i.oid) FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid"
            " JOIN pg_class t ON t.oid = x.indrelid WHERE t.relname = %s"
            " AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)", (table,))
        for name, _sql in rows:
            self.execute(f'DROP INDEX "{name}"')
        return [sql for _name, sql in rows]

    def begin(self) -> None:
        pass

    def commit(self) -> None:
        pass

    def insert(self, table: str, columns: list[str], rows: list[tuple]) -> None:
        cols = ", ".join(f'"{c}"' for c in columns)
        lines = []
        for row in rows:
            lines.append("\t".join("\\N" if v is None else str(v) for v in row))
        lines.append("")
        with self.conn.cursor() as cur:
            with cur.copy(f'COPY "{table}" ({cols}) FROM STDIN') as copy:
                copy.write("\n".join(lines))

    def ts(self, seconds: int) -> str:
        return _ts_text(seconds) + "+00"

    def boolean(self, value: bool):
        return "t" if value else "f"

    def finish_table(self, table: str) -> None:
        self.execute(f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'),"
                     f" GREATEST((SELECT MAX(id) FROM \"{table}\"), 1))")

    def analyze(self) -> None:
        self.execute("ANALYZE")

    def write_marker(self, params: Params, info: dict) -> None:
        self.execute(f"CREATE TABLE IF NOT EXISTS {MARKER} (params text NOT NULL, info text NOT NULL)")
        self.execute(f"DELETE FROM {MARKER}")
        self.conn.execute(f"INSERT INTO {MARKER} VALUES (%s, %s)", (params.as_json(), json.dumps(info)))

    def close(self) -> None:
        self.conn.close()


_EPOCH = date(1970, 1, 1)
_DAYS: dict[int, str] = {}
_CLOCK: list[str] = []  # " HH:MM:SS" for each second of a day, made on first use


def _ts_text(seconds: int) -> str:
    """Seconds since the Unix epoch (UTC) as Django stores a datetime: 'YYYY-MM-DD HH:MM:SS'."""
    if not _CLOCK:
        _CLOCK.extend(f" {h:02d}:{m:02d}:{s:02d}" for h in range(24) for m in range(60) for s in range(60))
    d, s = divmod(seconds, 86400)
    day = _DAYS.get(d)
    if day is None:
        day = _DAYS[d] = (_EPOCH + timedelta(days=d)).isoformat()
    return day + _CLOCK[s]


def _day_seconds(day: date) -> int:
    return (day - _EPOCH).days * 86400


class Table:
    """Rows for one table: the columns the generator sets, then every other
    column with its type's empty value."""

    def __init__(self, db: Database, name: str, columns: list[str], now_seconds: int):
        self.db, self.name = db, name
        info = db.columns(name)
        known = {c[0] for c in info}
        missing = [c for c in columns if c not in known]
        if missing:
            raise SystemExit(f"bigdata: table {name} has no column(s) {', '.join(missing)}: the schema changed")
        self.columns = list(columns)
        tail = []
        for cname, notnull, ctype, is_json in info:
            if cname in columns:
                continue
            self.columns.append(cname)
            if not notnull:
                tail.append(None)
            elif is_json:
                tail.append("{}")
            elif "bool" in ctype:
                tail.append(db.boolean(False))
            elif any(t in ctype for t in ("int", "real", "double", "numeric", "decimal", "float")):
                tail.append(0)
            elif "timestamp" in ctype or "datetime" in ctype:
                tail.append(db.ts(now_seconds))
            elif ctype == "date":
                tail.append(_ts_text(now_seconds)[:10])
            else:
                tail.append("")
        self.tail = tuple(tail)
        self.rows: list[tuple] = []
        self.count = 0

    def add(self, values: tuple) -> None:
        self.rows.append(values + self.tail)
        if len(self.rows) >= CHUNK:
            self.flush()

    def flush(self) -> None:
        if self.rows:
            self.db.insert(self.name, self.columns, self.rows)
            self.count += len(self.rows)
            self.rows = []


# --- geography ----------------------------------------------------------------------------------

# Postcode area -> (lowest, highest) district number, roughly as in Royal
# Mail's lists (homeward/synth/geography.py's own table wins where it has one).
AREA_DISTRICTS: dict[str, tuple[int, int]] = {
    "AL": (1, 10), "B": (1, 98), "BA": (1, 22), "BB": (1, 18), "BD": (1, 24), "BH": (1, 31), "BL": (0, 9),
    "BN": (1, 45), "BR": (1, 8), "BS": (1, 49), "CA": (1, 28), "CB": (1, 25), "CH": (1, 66), "CM": (0, 24),
    "CO": (1, 16), "CR": (0, 9), "CT": (1, 21), "CV": (1, 47), "CW": (1, 12), "DA": (1, 18), "DE": (1, 75),
    "DH": (1, 9), "DL": (1, 17), "DN": (1, 41), "DT": (1, 11), "DY": (1, 14), "E": (1, 18), "EC": (1, 4),
    "EN": (1, 11), "EX": (1, 39), "FY": (0, 8), "GL": (1, 56), "GU": (1, 52), "HA": (0, 9), "HD": (1, 9),
    "HG": (1, 5), "HP": (1, 27), "HR": (1, 9), "HU": (1, 20), "HX": (1, 7), "IG": (1, 11), "IP": (1, 33),
    "KT": (1, 24), "L": (1, 40), "LA": (1, 23), "LE": (1, 67), "LN": (1, 13), "LS": (1, 29), "LU": (1, 7),
    "M": (1, 90), "ME": (1, 20), "MK": (1, 46), "N": (1, 22), "NE": (1, 71), "NG": (1, 34), "NN": (1, 18),
    "NR": (1, 35), "NW": (1, 11), "OL": (1, 16), "OX": (1, 49), "PE": (1, 38), "PL": (1, 35), "PO": (1, 41),
    "PR": (0, 26), "RG": (1, 45), "RH": (1, 20), "RM": (1, 20), "S": (1, 45), "SE": (1, 28), "SG": (1, 19),
    "SK": (1, 23), "SL": (0, 9), "SM": (1, 7), "SN": (1, 26), "SO": (14, 53), "SP": (1, 11), "SR": (1, 8),
    "SS": (0, 17), "ST": (1, 21), "SW": (1, 20), "SY": (1, 25), "TA": (1, 24), "TD": (1, 15), "TF": (1, 13),
    "TN": (1, 40), "TQ": (1, 14), "TR": (1, 27), "TS": (1, 29), "TW": (1, 20), "UB": (1, 11), "W": (1, 14),
    "WA": (1, 16), "WC": (1, 2), "WD": (3, 25), "WF": (1, 17), "WN": (1, 8), "WR": (1, 15), "WS": (1, 15),
    "WV": (1, 16), "YO": (1, 62),
}
# Relative size of the largest and smallest authorities (the rest: a lognormal spread around 1).
SIZE = {"886": 5.0, "330": 3.6, "881": 3.4, "888": 3.2, "850": 3.0, "919": 2.7, "936": 2.7, "926": 2.3,
        "860": 2.3, "383": 2.6, "352": 2.4, "341": 2.0, "373": 2.0, "878": 2.0, "855": 1.8, "925": 2.0,
        "201": 0.03, "420": 0.01, "857": 0.12}
LONDON_HOTSPOTS = ("SE1", "N1", "E1", "NW1", "WC2", "W1", "EC1")


@dataclass
class AuthorityGeo:
    id: int
    code: str
    region: str
    weight: float
    districts: list[str]  # outward codes this authority's homes are in
    centres: list[str]  # its town-centre districts


def _directory_units() -> dict[str, list[str]]:
    """Unit postcodes by district from the places part's synthetic directory, if present."""
    path = ROOT / "homeward" / "places" / "data" / "synthetic-postcodes.csv"
    units: dict[str, list[str]] = {}
    if not path.exists():
        return units
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            pcds = (row.get("pcds") or "").strip()
            if " " in pcds:
                units.setdefault(pcds.split(" ")[0], []).append(pcds)
    return units


def build_geography(authorities: list[tuple[int, str, str, str]], rng: random.Random) -> list[AuthorityGeo]:
    from homeward.synth import geography as geo

    sharing: dict[str, list[str]] = {}
    for _id, code, _region, areas in authorities:
        for area in filter(None, (a.strip().upper() for a in (areas or "").split(";"))):
            sharing.setdefault(area, []).append(code)
    out = []
    for pk, code, region, areas in authorities:
        districts, centres = [], []
        for area in filter(None, (a.strip().upper() for a in (areas or "").split(";"))):
            if area in geo.DISTRICTS:
                lo, hi, towns = geo.DISTRICTS[area]
            else:
                lo, hi = AREA_DISTRICTS.get(area, (1, 9))
                towns = (lo if lo > 0 else 1,)
            numbers = list(range(lo, hi + 1))
            owners = sorted(sharing[area])
            k, n = owners.index(code), len(owners)
            size = max(1, math.ceil(len(numbers) / n))
            mine = numbers[k * size:(k + 1) * size] or numbers[-size:]
            districts += [f"{area}{d}" for d in mine]
            centres += [f"{area}{d}" for d in towns if d in mine] or [f"{area}{mine[0]}"]
        if not districts:
            districts, centres = ["XX1"], ["XX1"]
        weight = SIZE.get(code, rng.lognormvariate(0.0, 0.5))
        out.append(AuthorityGeo(pk, code, region, weight, districts, centres[:3]))
    return out


# --- the generator ------------------------------------------------------------------------------

INWARD = "ABDEFGHJLNPQRSTUWXYZ"
ETHNICITIES = (("WBRI", 66), ("WOTH", 4), ("WIRT", 1), ("WROM", 1), ("MWBC", 4), ("MWBA", 1), ("MWAS", 1),
               ("MOTH", 3), ("AIND", 1), ("APKN", 2), ("ABAN", 1), ("AOTH", 2), ("BCRB", 2), ("BAFR", 4),
               ("BOTH", 2), ("CHNE", 0.3), ("OOTH", 2.7), ("REFU", 1), ("NOBT", 1))
PROVIDER_KINDS = (("children_home", "K2", 40), ("fostering_agency", "U4", 30), ("foster_carer", "U1", 8),
                  ("semi_independent", "H5", 17), ("residential_school", "S1", 3), ("secure", "K1", 2))
RISK = (("medium", 58), ("low", 30), ("high", 7), ("no_apparent_risk", 5))
FOUND_WHERE = ("", "", "", "", "Friend's house", "Town centre", "Railway station", "Bus station", "Park",
               "Shopping centre", "Relative's address", "Fast food restaurant", "Address of an adult",
               "Returned by themselves", "Street")
FOUND_BY = ("", "Police", "Carer", "Parent", "Returned by themselves", "Staff")
PROGRESS_DONE = (("completed", 55), ("declined_by_child", 14), ("declined_by_parent_or_carer", 3),
                 ("unable_to_contact", 8), ("offered", 4), ("accepted", 2), ("", 14))
HOUR, DAY = 3600, 86400


def _chooser(rng: random.Random, items, weights):
    cum = list(itertools.accumulate(weights))
    total = cum[-1]
    rand, bis = rng.random, bisect.bisect_right

    def choose():
        return items[bis(cum, rand() * total)]

    return choose


class Generator:
    def __init__(self, db: Database, params: Params, log=_log):
        self.db, self.p, self.log = db, params, log
        self.rng = random.Random(params.seed)
        end = date.fromisoformat(params.end)
        self.end_day = end
        self.start_day = date(end.year - params.years, end.month, end.day)
        self.t_start, self.t_end = _day_seconds(self.start_day), _day_seconds(end)
        self.now = self.t_end + 30 * DAY  # "created" and "updated" times of rows the generator does not time
        self.units = _directory_units()

    # -- postcodes
    def unit(self, district: str) -> str:
        known = self.units.get(district)
        if known and self.rng.random() < 0.7:
            return self.rng.choice(known)
        r = self.rng
        return f"{district} {r.randint(1, 9)}{INWARD[r.randrange(20)]}{INWARD[r.randrange(20)]}"

    def run(self) -> dict:
        t0 = time.perf_counter()
        rng, p, db = self.rng, self.p, self.db
        authorities = db.query("SELECT id, code, region, postcode_areas FROM placements_authority ORDER BY code")
        if len(authorities) < 2:
            raise SystemExit("bigdata: the database holds no authorities: did `homeward migrate` run?")
        geos = build_geography(authorities, rng)
        by_id = {g.id: g for g in geos}
        regions: dict[str, list[AuthorityGeo]] = {}
        for g in geos:
            regions.setdefault(g.region, []).append(g)
        pick_authority = _chooser(rng, geos, [g.weight for g in geos])
        pick_in_region = {r: _chooser(rng, gs, [g.weight for g in gs]) for r, gs in regions.items()}

        def elsewhere(g: AuthorityGeo) -> AuthorityGeo:
            for _ in range(5):
                other = pick_in_region[g.region]() if rng.random() < 0.75 else pick_authority()
                if other.id != g.id:
                    return other
            return g

        # -- providers: about 20 per authority of average size
        db.begin()
        providers = Table(db, "placements_provider", ["id", "urn", "name", "kind", "postcode", "host_authority_id"],
                          self.now)
        from homeward.synth import names as nm

        pick_kind = _chooser(rng, PROVIDER_KINDS, [k[2] for k in PROVIDER_KINDS])
        total_weight = sum(g.weight for g in geos)
        by_host: dict[int, list[tuple[int, str, str]]] = {}
        pid = 0
        for g in geos:
            for _ in range(max(2, round(20 * len(geos) * g.weight / total_weight))):
                pid += 1
                kind, place, _w = pick_kind()
                postcode = self.unit(rng.choice(g.districts))
                label = {"children_home": nm.HOME_KINDS, "fostering_agency": nm.AGENCY_KINDS,
                         "semi_independent": nm.SEMI_KINDS, "residential_school": nm.SCHOOL_KINDS}.get(kind, ("House",))
                name = f"{rng.choice(nm.PLACE_WORDS)}{rng.choice(nm.PLACE_SUFFIXES)} {rng.choice(label)}"
                providers.add((pid, f"SC{700000 + pid}", name, kind, postcode, g.id))
                by_host.setdefault(g.id, []).append((pid, place, postcode))
        providers.flush()
        db.finish_table("placements_provider")

        # -- how many episodes each child has: one each, the rest by a skewed propensity
        n, m = p.children, p.episodes
        dup = [i % 200 == 199 for i in range(n + 1)]  # merged duplicate records (ids 199, 399, ...)
        real = [i for i in range(1, n + 1) if not dup[i]]
        if m < len(real):
            raise SystemExit(f"bigdata: {m} episodes for {len(real)} children (besides duplicates): give at least one each")
        lac = array("b", [0]) * (n + 1)
        weights = []
        for i in real:
            looked_after = rng.random() < 0.25
            lac[i] = 1 if looked_after else 0
            weights.append(rng.lognormvariate(0.0, 1.0) * (3.5 if looked_after else 1.0))
        cum = list(itertools.accumulate(weights))
        total = cum[-1]
        counts = array("i", [0]) * (n + 1)
        for i in real:
            counts[i] = 1
        rand = rng.random
        for _ in range(m - len(real)):
            counts[real[bisect.bisect_right(cum, rand() * total)]] += 1
        del weights, cum
        self.log(f"  counts: {time.perf_counter() - t0:.1f} s; most episodes of one child: {max(counts)}")

        # -- children, placements, identifiers; episodes into arrays
        children = Table(db, "people_child", ["id", "first_name", "last_name", "dob", "sex", "ethnicity",
                                              "home_postcode", "home_authority_id", "responsible_authority_id",
                                              "merged_into_id", "created_at", "updated_at"], self.now)
        placements = Table(db, "placements_placement", [
            "id", "child_id", "responsible_authority_id", "host_authority_id", "provider_id", "place_code",
            "place_provider", "legal_status", "reason_ceased", "start_date", "end_date", "home_postcode",
            "placement_postcode", "created_at", "updated_at"], self.now)
        identifiers = Table(db, "people_childidentifier", ["id", "child_id", "kind", "authority_id", "value"], self.now)
        e_child, e_start, e_ret, e_next = array("i"), array("q"), array("q"), array("q")
        e_area, e_resp, e_plac, e_prov, e_bits, e_from = (array("i"), array("i"), array("i"), array("i"),
                                                          array("b"), array("i"))
        postcodes: dict[str, int] = {}
        postcode_list: list[str] = []

        def pc_index(text: str) -> int:
            k = postcodes.get(text)
            if k is None:
                k = postcodes[text] = len(postcode_list)
                postcode_list.append(text)
            return k

        c_auth = array("i", [0]) * (n + 1)
        c_dob = array("i", [0]) * (n + 1)
        pick_eth = _chooser(rng, [e[0] for e in ETHNICITIES], [e[1] for e in ETHNICITIES])
        pick_risk = _chooser(rng, range(len(RISK)), [r[1] for r in RISK])
        span_all = self.t_end - self.t_start
        placement_id = ident_id = 0
        ts, day_text = db.ts, (lambda s: _ts_text(s)[:10])
        lognorm, randint, choice = rng.lognormvariate, rng.randint, rng.choice
        for i in range(1, n + 1):
            if dup[i]:
                j = i - 1 - rng.randrange(min(150, i - 1))
                if dup[j]:
                    j -= 1
                g = by_id[c_auth[j]]
                c_auth[i] = g.id
                sex = "F" if rand() < 0.5 else "M"
                first = choice(nm.FEMALE_FIRST if sex == "F" else nm.MALE_FIRST)
                children.add((i, first, choice(nm.SURNAMES), date.fromordinal(c_dob[j]).isoformat(), sex, "",
                              "", g.id, None, j, ts(self.now - 90 * DAY), ts(self.now - 90 * DAY)))
                continue
            g = pick_authority()
            c_auth[i] = g.id
            count = counts[i]
            care = lac[i] == 1
            # when: the age at the first episode, a span of weeks to years before 18
            age = rng.triangular(9.5, 17.9, 14.5)
            max_span = max(0, int((18.0 - age) * 365.25 * DAY) - 2 * DAY)
            span = 0 if count == 1 else min(int(count * rng.uniform(4, 40) * DAY), max_span, 4 * 365 * DAY,
                                            span_all - 2 * DAY)
            first_ts = self.t_start + int(rand() * (span_all - span - DAY))
            dob = date.fromordinal(_EPOCH.toordinal() + first_ts // DAY) - timedelta(days=int(age * 365.25))
            c_dob[i] = dob.toordinal()
            starts = sorted(first_ts + int(rand() * span) for _ in range(count - 1))
            starts.insert(0, first_ts)
            for k in range(1, count):  # at least 30 minutes apart
                if starts[k] < starts[k - 1] + 1800:
                    starts[k] = starts[k - 1] + 1800
            sex = "F" if rand() < 0.49 else ("M" if rand() < 0.97 else "U")
            first = choice(nm.FEMALE_FIRST if sex == "F" else nm.MALE_FIRST)
            home_pc = self.unit(choice(g.districts))
            home_first = care and count > 1 and rand() < 0.15
            # placements: from care_start to after the last episode, one to three
            spells: list[tuple[int, int, int | None, int, int, str, int]] = []  # (start day, end day|None, id, host, provider, place, pc)
            care_from = None
            if care:
                care_from_ts = starts[randint(1, count - 1)] - DAY if home_first else first_ts - randint(30, 700) * DAY
                care_from = care_from_ts // DAY
                last_day = starts[-1] // DAY + 1
                cuts = sorted({care_from} | {randint(care_from + 1, last_day) for _ in range(
                    randint(0, 2) if last_day - care_from > 180 else 0)})
                end_day = None if rand() < 0.5 else last_day + randint(10, 300)
                if end_day is not None and end_day > self.now // DAY:
                    end_day = None
                host = g if rand() < 0.58 else elsewhere(g)
                for k, sday in enumerate(cuts):
                    if k and rand() < 0.5:
                        host = g if rand() < 0.58 else elsewhere(g)
                    eday = cuts[k + 1] if k + 1 < len(cuts) else end_day
                    prov, place, ppc = choice(by_host.get(host.id) or by_host[g.id])
                    placement_id += 1
                    spells.append((sday, eday, placement_id, host.id, prov, place, pc_index(ppc)))
                    placements.add((placement_id, i, g.id, host.id, prov, place,
                                    "PR0" if host.id == g.id else "PR4", "C2", "",
                                    day_text(sday * DAY), day_text(eday * DAY) if eday is not None else None,
                                    home_pc.split(" ")[0], ppc, ts(sday * DAY), ts(sday * DAY)))
                ident_id += 1
                identifiers.add((ident_id, i, "la_child", g.id, f"{g.code}-{i}"))
            children.add((i, first, choice(nm.SURNAMES), dob.isoformat(), sex, pick_eth(), home_pc,
                          g.id if (not care or home_first) else None, g.id if care else None, None,
                          ts(first_ts), ts(starts[-1])))
            home_pc_i = pc_index(home_pc)
            away = g if rand() < 0.94 else elsewhere(g)
            for k in range(count):
                s = starts[k]
                nxt = starts[k + 1] if k + 1 < count else 0
                hours = min(max(lognorm(2.485, 1.25), 0.25), 24 * 120.0)
                r = s + int(hours * HOUR)
                if nxt and r > nxt - 900:
                    r = max(s + 300, nxt - 900)
                last = k + 1 == count
                if last and ((s > self.t_end - 45 * DAY and rand() < 0.5) or rand() < 0.0005):
                    r = -1  # still missing
                spell = None
                if care and s // DAY >= care_from:
                    day = s // DAY
                    for sp in spells:
                        if sp[0] <= day and (sp[1] is None or day < sp[1]):
                            spell = sp
                            break
                    if spell is None:
                        spell = spells[-1]
                e_child.append(i)
                e_start.append(s)
                e_ret.append(r)
                e_next.append(nxt)
                if spell is not None:
                    e_area.append(spell[3])
                    e_resp.append(g.id)
                    e_plac.append(spell[2])
                    e_prov.append(spell[4])
                    e_from.append(spell[6])
                    bits = 1 | (2 if rand() < 0.18 else 0)
                else:
                    e_area.append(g.id if rand() < 0.9 else away.id)
                    e_resp.append(0)
                    e_plac.append(0)
                    e_prov.append(0)
                    e_from.append(home_pc_i)
                    bits = 2 if rand() < 0.02 else 0
                e_bits.append(bits | (pick_risk() << 2))
            if i % 200_000 == 0:
                self.log(f"  {i:,} children: {time.perf_counter() - t0:.0f} s")
        children.flush()
        placements.flush()
        identifiers.flush()
        for table in ("people_child", "placements_placement", "people_childidentifier"):
            db.finish_table(table)
        db.commit()
        self.log(f"  children, placements: {time.perf_counter() - t0:.0f} s; {len(e_start):,} episodes to write")

        # -- episodes (and interviews) in order of start
        order = sorted(range(len(e_start)), key=e_start.__getitem__)
        episodes = Table(db, "episodes_episode", [
            "id", "child_id", "area_authority_id", "responsible_authority_id", "placement_id", "provider_id",
            "category", "missing_from", "started_at", "last_seen_at", "reported_at", "returned_at", "risk_level",
            "postcode", "found_postcode", "found_where", "found_by", "status", "created_at", "updated_at"], self.now)
        interviews = Table(db, "interviews_interview", [
            "id", "episode_id", "episode_number", "child_id", "area_authority_id", "lead_authority_id", "missing_from",
            "episode_started_at", "returned_at", "timescale", "timescale_source", "due_at", "required", "exclusion",
            "exclusion_detail", "placed_by_other_authority", "cancelled_reason", "progress", "offered_at",
            "last_attempt_at", "completed_at", "recorded_at", "created_at", "updated_at"], self.now) \
            if p.interviews else None
        pick_done = _chooser(rng, [x[0] for x in PROGRESS_DONE], [x[1] for x in PROGRESS_DONE])
        timescale = json.dumps({"hours": 72})
        yes, no = db.boolean(True), db.boolean(False)
        open_count = 0
        db.begin()
        for rank, k in enumerate(order):
            eid = rank + 1
            child, s, r, area, resp = e_child[k], e_start[k], e_ret[k], e_area[k], e_resp[k]
            bits = e_bits[k]
            care = bool(bits & 1)
            category = "absent" if bits & 2 else "missing"
            risk = RISK[bits >> 2][0]
            from_pc = postcode_list[e_from[k]]
            reported = s + int(rng.uniform(0.2, 6.0) * HOUR)
            ended = r >= 0
            if ended and r < reported:
                reported = r
            found_pc = found_where = found_by = ""
            if ended:
                if rand() < 0.82:
                    found_pc = self._found(from_pc, by_id[area], elsewhere)
                found_where = choice(FOUND_WHERE)
                found_by = choice(FOUND_BY)
                status = "closed" if r < self.t_end - 30 * DAY else "returned"
            else:
                open_count += 1
                status = "open"
            s_text, rep_text = ts(s), ts(reported)
            r_text = ts(r) if ended else None
            episodes.add((eid, child, area, resp or None, e_plac[k] or None, e_prov[k] or None, category,
                          "care" if care else "home", s_text, s_text, rep_text, r_text, risk, from_pc, found_pc,
                          found_where, found_by, status, rep_text, r_text or rep_text))
            if interviews is not None and ended:
                nxt = e_next[k]
                due = r + 72 * HOUR
                lead = resp if care else c_auth[child]
                exclusion = ""
                dob = date.fromordinal(c_dob[child])
                returned_day = date.fromordinal(_EPOCH.toordinal() + r // DAY)
                if nxt and nxt < due:
                    exclusion = "new_episode"
                elif (returned_day.year - dob.year - ((returned_day.month, returned_day.day) < (dob.month, dob.day))) >= 18:
                    exclusion = "turned_18"
                progress = offered = completed = attempt = None
                if not exclusion:
                    progress = pick_done()
                    if progress not in ("", "unable_to_contact"):
                        offered = r + int(rng.uniform(1, 100) * HOUR)
                    if progress == "completed":
                        completed = offered + int(rng.uniform(1, 96) * HOUR)
                    if progress == "unable_to_contact":
                        attempt = r + int(rng.uniform(24, 120) * HOUR)
                recorded = completed or attempt or offered
                interviews.add((eid, eid, eid, child, area, lead, "care" if care else "home", s_text, r_text,
                                timescale, "bench", ts(due), no if exclusion else yes, exclusion, "",
                                yes if care and lead != area else no, "", progress or "",
                                ts(offered) if offered else None, ts(attempt) if attempt else None,
                                ts(completed) if completed else None, ts(recorded) if recorded else None,
                                ts(r + 60), ts(recorded or r + 60)))
            if eid % 500_000 == 0:
                self.log(f"  {eid:,} episodes: {time.perf_counter() - t0:.0f} s")
        episodes.flush()
        db.finish_table("episodes_episode")
        if interviews is not None:
            interviews.flush()
            db.finish_table("interviews_interview")
        db.commit()
        return {"children": children.count, "episodes": episodes.count, "open_episodes": open_count,
                "placements": placements.count, "providers": providers.count,
                "interviews": interviews.count if interviews is not None else 0,
                "merged_duplicates": sum(dup[1:n + 1]), "from": self.start_day.isoformat(),
                "to": self.end_day.isoformat()}

    def _found(self, from_pc: str, area: AuthorityGeo, elsewhere) -> str:
        """Where a child was found: near where they went missing, in the area's
        town centres, in another authority, or in central London."""
        r = self.rng.random()
        district = from_pc.split(" ")[0]
        if r < 0.45:
            pass
        elif r < 0.72:
            district = self.rng.choice(area.districts)
        elif r < 0.88:
            district = self.rng.choice(area.centres)
        elif r < 0.95:
            district = self.rng.choice(elsewhere(area).centres)
        else:
            district = self.rng.choice(LONDON_HOTSPOTS)
        return self.unit(district)


# --- the fill ---------------------------------------------------------------------------------

BIG_TABLES = ("placements_provider", "people_child", "placements_placement", "people_childidentifier",
              "episodes_episode", "interviews_interview")


def migrate(url: str, log=_log) -> None:
    env = dict(os.environ, DATABASE_URL=url)
    done = subprocess.run([sys.executable, "-m", "homeward.cli", "migrate"], cwd=ROOT, env=env,
                          capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"bigdata: `homeward migrate` failed:\n{done.stdout}\n{done.stderr}")


def fill(url: str, params: Params, log=_log) -> dict:
    db = Database.of(url)
    started = time.perf_counter()
    log(f"bigdata: filling {url} with {params.children:,} children and {params.episodes:,} episodes "
        f"(seed {params.seed}{', interviews' if params.interviews else ''})")
    db.recreate()
    migrate(url, log)
    log(f"  migrated: {time.perf_counter() - started:.0f} s")
    db.connect()
    try:
        dropped = {t: db.drop_indexes(t) for t in BIG_TABLES}
        info = Generator(db, params, log).run()
        t = time.perf_counter()
        for table, statements in dropped.items():
            for sql in statements:
                db.execute(sql)
        log(f"  indexes: {time.perf_counter() - t:.0f} s")
        t = time.perf_counter()
        db.analyze()
        log(f"  analyze: {time.perf_counter() - t:.0f} s")
        info["fill_seconds"] = round(time.perf_counter() - started, 1)
        db.write_marker(params, info)
    finally:
        db.close()
    log(f"bigdata: done in {info['fill_seconds']:.0f} s: {json.dumps(info)}")
    return info


def ensure_bigdata(database_url: str, children: int = 1_000_000, episodes: int = 2_500_000, seed: int = 1, *,
                   interviews: bool = True, end: date = DEFAULT_END, years: int = 10, force: bool = False,
                   log=_log) -> dict:
    """A database at `database_url` filled by this generator with these
    parameters: reused when it already is (and complete), otherwise made
    again from nothing. Returns what it holds (counts, period, fill time)."""
    params = Params(children=children, episodes=episodes, seed=seed, interviews=interviews, end=end.isoformat(),
                    years=years)
    db = Database.of(database_url)
    if not force and db.read_marker() == params.as_json():
        info = db.read_info()
        log(f"bigdata: reusing {database_url} ({children:,} children, {episodes:,} episodes, seed {seed})")
        migrate(database_url, log)  # migrations added since it was filled (nothing to do, usually)
        return info
    return fill(database_url, params, log)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", ""),
                        help="sqlite:////path/file.db or postgres://user@host:port/NAME (default: $DATABASE_URL); "
                             "the file or database is replaced")
    parser.add_argument("--children", type=int, default=1_000_000)
    parser.add_argument("--episodes", type=int, default=2_500_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--no-interviews", action="store_true", help="leave the return home interviews out")
    parser.add_argument("--end", type=date.fromisoformat, default=DEFAULT_END,
                        help="the day after the data's last day (default 2026-04-01)")
    parser.add_argument("--years", type=int, default=10)
    parser.add_argument("--force", action="store_true", help="fill again even if the database already matches")
    args = parser.parse_args(argv)
    if not args.database_url:
        parser.error("give --database-url (or set DATABASE_URL)")
    if args.children < 1 or args.episodes < 1 or args.years < 1:
        parser.error("--children, --episodes and --years must be at least 1")
    info = ensure_bigdata(args.database_url, args.children, args.episodes, args.seed,
                          interviews=not args.no_interviews, end=args.end, years=args.years, force=args.force)
    print(json.dumps(info, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
