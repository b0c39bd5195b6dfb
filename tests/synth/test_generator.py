"""Tests of the synthetic data generator (plain pytest, no Django).

Run with: .venv/bin/python -m pytest -p no:django -q tests/synth
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
import hashlib
import pathlib
import re
import subprocess
import sys
from collections import Counter, defaultdict

import pytest

from homeward.synth import generate, measure
from homeward.synth import names as nm

END = dt.date(2025, 4, 1)

NOTIFICATION_HEADER = (
    "source,source_ref,child_ref,first_name,last_name,dob,sex,missing_from,category,"
    "last_seen_at,reported_at,risk_level,postcode,provider_urn,responsible_authority,"
    "returned_at,found_postcode,flags,notes"
)
HEADER_903 = "CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB"
EPISODES_903 = (
    "CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE,"
    "HOME_POST,PL_POST,URN,PL_LA,PL_LOCATION"
)
FLAGS = {"cse", "cce", "county_lines", "trafficking", "uasc", "gangs", "substance_misuse", "mental_health"}
ETHNIC = {
    "WBRI", "WIRI", "WOTH", "MWBC", "MWBA", "MWAS", "MOTH", "AIND", "APKN", "ABAN",
    "AOTH", "BCRB", "BAFR", "BOTH", "CHNE", "OOTH", "REFU", "NOBT",
}
PLACES = {"U1", "U2", "U3", "U4", "U5", "U6", "K1", "K2", "H5", "R1", "S1", "P1", "P2", "P3"}
POSTCODE = re.compile(r"^[A-Z]{1,2}[0-9]{1,2} [0-9][ABD-HJLNP-UW-Z]{2}$")
SHORT_POSTCODE = re.compile(r"^[A-Z]{1,2}[0-9]{1,2} [0-9]$")
DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$")
REC_CODES = {"E11", "E12", "E2", "E3", "E4A", "E4B", "E13", "E41", "E45", "E46", "E47", "E48",
             "E5", "E6", "E7", "E8", "E9", "E14", "E15", "E16", "E17", "X1"}
REASONS = {"CARPL", "CLOSE", "ALLEG", "STAND", "APPRR", "CREQB", "CREQO", "CHILD", "LAREQ", "PLACE", "CUSTOD", "OTHER"}


# ---------------------------------------------------------------- helpers
def read_csv(path: pathlib.Path) -> list[dict]:
    """The rows of a CSV file (cached: the tests only read them)."""
    return _read_csv(str(path), path.stat().st_mtime_ns)


@functools.lru_cache(maxsize=64)
def _read_csv(path: str, mtime: int) -> list[dict]:
    with open(path, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def first_line(path: pathlib.Path) -> str:
    with open(path, encoding="utf-8") as fh:
        return fh.readline().rstrip("\n")


def parse_datetime(s: str) -> dt.datetime:
    if not DATETIME.match(s):
        raise ValueError(f"not YYYY-MM-DDTHH:MM: {s!r}")
    return dt.datetime.fromisoformat(s)


def parse_date(s: str) -> dt.date:
    if not re.match(r"^\d{4}-\d{2}-\d{2}$", s):
        raise ValueError(f"not YYYY-MM-DD: {s!r}")
    return dt.date.fromisoformat(s)


def parse_903(s: str) -> dt.date:
    d, m, y = s.split("/")
    return dt.date(int(y), int(m), int(d))


def row_problems(row: dict) -> list[str]:
    """What an importer following contract.md would reject the row for."""
    problems = []
    for field in ("source", "source_ref", "first_name", "last_name", "dob", "last_seen_at"):
        if not row[field]:
            problems.append(f"{field} blank")
    try:
        if row["dob"]:
            parse_date(row["dob"])
    except ValueError:
        problems.append("dob not a date")
    seen = back = None
    for field in ("last_seen_at", "reported_at", "returned_at"):
        if row[field]:
            try:
                value = parse_datetime(row[field])
            except ValueError:
                problems.append(f"{field} not a date-time")
                continue
            if field == "last_seen_at":
                seen = value
            elif field == "returned_at":
                back = value
    if seen and back and back < seen:
        problems.append("returned_at before last_seen_at")
    return problems


def check_fields(row: dict, authority: str, urns: set[str]) -> None:
    """Enumerations and formats of a row that an importer accepts."""
    assert re.match(r"^(police:[a-z_]+|provider:[0-9A-Z]+|la:\d{3})$", row["source"]), row
    assert row["sex"] in ("M", "F", ""), row
    assert row["missing_from"] in ("home", "care", ""), row
    assert row["category"] in ("missing", "absent", ""), row
    assert row["risk_level"] in ("high", "medium", "low", "no_apparent_risk", ""), row
    if row["flags"]:
        assert set(row["flags"].split(";")) <= FLAGS, row
    for field in ("postcode", "found_postcode"):
        if row[field]:
            assert POSTCODE.match(row[field]), row
    if row["provider_urn"]:
        assert row["provider_urn"] in urns, row
    if row["source"].startswith("provider:"):
        assert row["source"].split(":", 1)[1] in urns, row
    if row["responsible_authority"]:
        assert re.match(r"^\d{3}$", row["responsible_authority"]), row
    if row["reported_at"]:
        assert parse_datetime(row["reported_at"]) >= parse_datetime(row["last_seen_at"]), row
    if row["missing_from"] == "home":
        assert not row["child_ref"] and not row["responsible_authority"] and not row["provider_urn"], row


def episodes_of(out: pathlib.Path) -> dict[str, dict]:
    """Episodes from the truth, with the rows about them."""
    notes = read_csv(out / "notifications.csv")
    truth = read_csv(out / "truth.csv")
    eps: dict[str, dict] = {}
    for note, t in zip(notes, truth):
        ep = eps.setdefault(t["true_episode"], {"child": t["true_child"], "rows": []})
        ep["rows"].append((t["kind"], note))
    return eps


# ---------------------------------------------------------------- fixtures
@pytest.fixture(scope="module")
def mid(tmp_path_factory) -> tuple[pathlib.Path, dict, dict]:
    out = tmp_path_factory.mktemp("mid")
    summary = generate(authority="886", children=3000, years=2, seed=7, out_dir=out, end=END)
    return out, summary, measure(out)


@pytest.fixture(scope="module")
def small(tmp_path_factory) -> tuple[pathlib.Path, dict]:
    out = tmp_path_factory.mktemp("small")
    summary = generate(authority="210", children=400, years=1, seed=11, out_dir=out, end=END, neighbours=["886", "208"])
    return out, summary


def file_hashes(out: pathlib.Path) -> dict[str, str]:
    return {
        str(p.relative_to(out)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(out.rglob("*")) if p.is_file()
    }


# ------------------------------------------------------------------ tests
def test_same_seed_gives_identical_files(tmp_path, small):
    out, _ = small
    again = tmp_path / "again"
    generate(authority="210", children=400, years=1, seed=11, out_dir=again, end=END, neighbours=["886", "208"])
    assert file_hashes(again) == file_hashes(out)


def test_different_seed_differs(tmp_path, small):
    out, _ = small
    other = tmp_path / "other"
    generate(authority="210", children=400, years=1, seed=12, out_dir=other, end=END, neighbours=["886", "208"])
    mine, theirs = file_hashes(out), file_hashes(other)
    assert mine.keys() == theirs.keys()
    assert mine["notifications.csv"] != theirs["notifications.csv"]
    assert mine["ssda903_header.csv"] != theirs["ssda903_header.csv"]


def test_files_and_headers(mid):
    out, summary, _ = mid
    assert first_line(out / "notifications.csv") == NOTIFICATION_HEADER
    assert first_line(out / "ssda903_header.csv") == HEADER_903
    assert first_line(out / "ssda903_episodes.csv") == EPISODES_903
    assert first_line(out / "providers.csv") == "urn,name,type,postcode,authority"
    assert first_line(out / "truth.csv") == "line,true_child,true_episode,kind"
    for code in summary["neighbours"]:
        assert first_line(out / "ola" / code / "ssda903_header.csv") == HEADER_903
        assert first_line(out / "ola" / code / "ssda903_episodes.csv") == EPISODES_903
    assert not [p for p in out.iterdir() if p.name.startswith(".synth-")], "temporary files left behind"
    # Plain LF line endings like the examples, no byte-order mark.
    raw = (out / "notifications.csv").read_bytes()
    assert b"\r\n" not in raw and not raw.startswith(b"\xef\xbb\xbf")


def test_truth_has_one_row_per_notification(mid):
    out, summary, _ = mid
    notes = read_csv(out / "notifications.csv")
    truth = read_csv(out / "truth.csv")
    assert len(notes) == len(truth) == summary["notification_rows"]
    assert [int(t["line"]) for t in truth] == list(range(2, len(notes) + 2))
    assert {t["kind"] for t in truth} == {"original", "update", "second_reporter", "bad"}


def test_every_good_row_parses_and_every_bad_row_is_marked(mid):
    out, summary, _ = mid
    urns = {p["urn"] for p in read_csv(out / "providers.csv")}
    notes = read_csv(out / "notifications.csv")
    truth = read_csv(out / "truth.csv")
    bad = 0
    for note, t in zip(notes, truth):
        problems = row_problems(note)
        if t["kind"] == "bad":
            bad += 1
            assert problems, f"line {t['line']} is marked bad but would be accepted: {note}"
        else:
            assert not problems, f"line {t['line']}: {problems}"
            check_fields(note, "886", urns)
    assert 0.0005 < bad / len(notes) < 0.005
    kinds = Counter(problem.split()[-1] if "blank" not in problem else "blank"
                    for note, t in zip(notes, truth) if t["kind"] == "bad" for problem in row_problems(note))
    assert len(kinds) >= 2  # more than one kind of fault


def test_rows_are_in_time_order_and_updates_follow(mid):
    out, _, _ = mid
    notes = read_csv(out / "notifications.csv")
    truth = read_csv(out / "truth.csv")
    previous = None
    groups: dict[tuple, list] = defaultdict(list)
    for note, t in zip(notes, truth):
        if t["kind"] == "bad":
            continue
        groups[(note["source"], note["source_ref"])].append((t, note))
        if t["kind"] in ("original", "second_reporter"):
            reported = parse_datetime(note["reported_at"])
            if previous is not None:  # a first report is sent within minutes of reported_at
                assert reported >= previous - dt.timedelta(minutes=15), note
            previous = reported
    for key, rows in groups.items():
        assert len({t["true_episode"] for t, _ in rows}) == 1, key
        firsts = [t for t, _ in rows if t["kind"] in ("original", "second_reporter")]
        assert len(firsts) <= 1, key
        if firsts:
            assert rows[0][0]["kind"] in ("original", "second_reporter"), key
        returned = [n["returned_at"] for _, n in rows if n["returned_at"]]
        if returned:
            # Once a return is reported, later rows keep it.
            first_back = next(i for i, (_, n) in enumerate(rows) if n["returned_at"])
            assert all(n["returned_at"] for _, n in rows[first_back:]), key


def test_ssda903_tables_are_valid(mid):
    out, _, _ = mid
    header = read_csv(out / "ssda903_header.csv")
    episodes = read_csv(out / "ssda903_episodes.csv")
    check_903(header, episodes, "886", own=True, child_pattern=r"^K\d{6}$")


def check_903(header, episodes, la: str, own: bool, child_pattern: str):
    ids = [h["CHILD"] for h in header]
    assert len(ids) == len(set(ids))
    dobs = {}
    for h in header:
        assert re.match(child_pattern, h["CHILD"]), h
        assert h["SEX"] in ("M", "F"), h
        dobs[h["CHILD"]] = parse_903(h["DOB"])
        assert h["ETHNIC"] in ETHNIC, h
        assert re.match(r"^([A-HJ-NP-RT-Z]\d{12}|UN[1-5])$", h["UPN"]), h
        if not h["UPN"].startswith("UN"):
            digits = h["UPN"][1:]
            total = sum(int(c) * w for c, w in zip(digits, range(2, 14)))
            assert "ABCDEFGHJKLMNPQRTUVWXYZ"[total % 23] == h["UPN"][0], h
        assert h["MOTHER"] in ("", "0", "1"), h
        if h["SEX"] == "M":
            assert h["MOTHER"] == "", h
        assert bool(h["MC_DOB"]) == (h["MOTHER"] == "1"), h
    by_child = defaultdict(list)
    for e in episodes:
        by_child[e["CHILD"]].append(e)
    assert set(by_child) == set(ids)
    for child, rows in by_child.items():
        dob = dobs[child]
        eighteen = dob.replace(year=dob.year + 18) if (dob.month, dob.day) != (2, 29) else dt.date(dob.year + 18, 2, 28)
        assert rows[0]["RNE"] == "S"
        for i, e in enumerate(rows):
            start = parse_903(e["DECOM"])
            assert start > dob
            assert e["RNE"] in ("S", "P", "L", "T", "B", "U")
            assert e["PLACE"] in PLACES, e
            assert e["PLACE_PROVIDER"] in ("PR0", "PR1", "PR2", "PR3", "PR4", "PR5"), e
            assert e["LS"] in ("C1", "C2", "D1", "E1", "V2", "V3", "V4", "J1", "J2", "J3", "L1", "L2", "L3"), e
            assert re.match(r"^N[1-8]$", e["CIN"]), e
            assert re.match(r"^(SC\d{6}|\d{6,7}|XXXXXXX)$", e["URN"]), e
            if e["PLACE"] in ("K2", "H5", "K1", "S1"):
                assert e["URN"] != "XXXXXXX", e
            if e["PLACE"].startswith("U"):
                assert e["URN"] == "XXXXXXX", e
            assert re.match(r"^\d{3}$", e["PL_LA"]), e
            assert e["PL_LOCATION"] == ("IN" if e["PL_LA"] == la else "OUT"), e
            assert not e["HOME_POST"] or SHORT_POSTCODE.match(e["HOME_POST"]), e
            assert SHORT_POSTCODE.match(e["PL_POST"]), e
            last = i == len(rows) - 1
            if e["DEC"]:
                end = parse_903(e["DEC"])
                assert end > start, e
                assert end <= eighteen, e
                assert e["REC"] in REC_CODES, e
                assert (e["REC"] == "X1") == (not last), e
                if not last:
                    assert rows[i + 1]["DECOM"] == e["DEC"], (e, rows[i + 1])
                    if rows[i + 1]["RNE"] in ("P", "T"):
                        assert e["REASON_PLACE_CHANGE"] in REASONS, e
                    else:
                        assert e["REASON_PLACE_CHANGE"] == "", e
            else:
                assert last and e["REC"] == "" and e["REASON_PLACE_CHANGE"] == "", e
                assert END <= eighteen


def test_missing_episodes_lie_within_care(mid):
    """Care episodes of own children fall within a 903 episode; none before DOB."""
    out, _, _ = mid
    people = {p["true_child"]: p for p in read_csv(out / "truth_children.csv")}
    spans = defaultdict(list)
    for e in read_csv(out / "ssda903_episodes.csv"):
        spans[e["CHILD"]].append((parse_903(e["DECOM"]), parse_903(e["DEC"]) if e["DEC"] else None))
    checked = 0
    for ep in episodes_of(out).values():
        person = people[ep["child"]]
        good = [n for kind, n in ep["rows"] if kind != "bad"]
        if not good:
            continue
        start = min(parse_datetime(n["last_seen_at"]) for n in good)
        assert start.date() > dt.date.fromisoformat(person["dob"])
        care = any(n["missing_from"] == "care" or n["responsible_authority"] or n["child_ref"] for n in good)
        if care and person["group"] == "looked_after":
            day = start.date()
            assert any(s <= day and (f is None or day < f) for s, f in spans[person["child_ref"]]), ep
            checked += 1
        if person["group"] == "home":
            assert not care
    assert checked > 100


def test_placed_in_children_have_placing_authority_files(mid):
    out, summary, _ = mid
    people = read_csv(out / "truth_children.csv")
    placed_in = [p for p in people if p["group"] == "placed_in"]
    assert len(placed_in) == summary["placed_in_children"] > 0
    assert {p["authority"] for p in placed_in} <= set(summary["neighbours"])
    notes = read_csv(out / "notifications.csv")
    for code in summary["neighbours"]:
        header = read_csv(out / "ola" / code / "ssda903_header.csv")
        episodes = read_csv(out / "ola" / code / "ssda903_episodes.csv")
        mine = {p["child_ref"] for p in placed_in if p["authority"] == code}
        assert {h["CHILD"] for h in header} == mine
        if mine:
            check_903(header, episodes, code, own=False, child_pattern=r"^[A-Z]{1,2}\d{6}$")
            # Each child placed in has an episode located in this authority's area.
            hosted = {e["CHILD"] for e in episodes if e["PL_LA"] == "886" and e["PL_LOCATION"] == "OUT"}
            assert hosted == mine
        refs = {n["child_ref"] for n in notes if n["responsible_authority"] == code and n["child_ref"]}
        assert refs <= mine
    assert any(n["responsible_authority"] in summary["neighbours"] for n in notes)


def test_providers(mid):
    out, _, _ = mid
    providers = read_csv(out / "providers.csv")
    urns = [p["urn"] for p in providers]
    assert len(urns) == len(set(urns))
    for p in providers:
        assert p["type"] in ("children_home", "semi_independent", "fostering_agency", "residential_school", "secure"), p
        assert POSTCODE.match(p["postcode"]), p
        assert re.match(r"^\d{3}$", p["authority"]), p
        assert p["name"]
    used = {e["URN"] for e in read_csv(out / "ssda903_episodes.csv") if e["URN"] != "XXXXXXX"}
    assert used <= set(urns)
    homes_here = {p["urn"] for p in providers if p["authority"] == "886" and p["type"] == "children_home"}
    sources = Counter(n["source"] for n in read_csv(out / "notifications.csv"))
    assert any(s == f"provider:{u}" for s in sources for u in homes_here)


def test_sources_and_identifiers(mid):
    out, _, _ = mid
    notes = read_csv(out / "notifications.csv")
    truth = read_csv(out / "truth.csv")
    sources = Counter(n["source"].split(":")[0] for n in notes if n["source"])
    assert sources["police"] > sources["provider"] > 0 and sources["la"] > 0
    assert {n["source"] for n in notes if n["source"].startswith("police")} == {"police:kent"}
    assert {n["source"] for n in notes if n["source"].startswith("la")} == {"la:886"}
    care = [n for n, t in zip(notes, truth) if t["kind"] != "bad" and n["missing_from"] != "home"
            and (n["missing_from"] == "care" or n["responsible_authority"] or n["child_ref"])]
    with_ref = sum(1 for n in care if n["child_ref"]) / len(care)
    assert 0.5 < with_ref < 0.95
    assert all(not n["child_ref"] for n in notes if n["missing_from"] == "home")
    risks = Counter(n["risk_level"] for n in notes if n["risk_level"])
    assert risks["high"] < risks["medium"] and risks["high"] < risks["low"]
    flagged = sum(1 for n in notes if n["flags"]) / len(notes)
    assert 0.05 < flagged < 0.5
    assert Counter(n["category"] for n in notes)["absent"] > 0


def test_names_are_messy_but_recognisable(mid):
    out, _, _ = mid
    people = {p["true_child"]: p for p in read_csv(out / "truth_children.csv")}
    notes = read_csv(out / "notifications.csv")
    truth = read_csv(out / "truth.csv")
    nicknames = {n for values in nm.NICKNAMES.values() for n in values}
    exact = nick = other_first = surname_variant = 0
    for note, t in zip(notes, truth):
        if t["kind"] == "bad":
            continue
        person = people[t["true_child"]]
        if note["first_name"] == person["first_name"] and note["last_name"] == person["last_name"]:
            exact += 1
            continue
        if note["first_name"] != person["first_name"]:
            if note["first_name"] in nicknames:
                nick += 1
            else:
                other_first += 1
        if note["last_name"] != person["last_name"]:
            surname_variant += 1
    total = len(notes)
    assert exact / total > 0.75
    assert nick > 0 and other_first > 0 and surname_variant > 0
    assert any("-" in p["last_name"] for p in people.values())
    # Ordinary names only.
    for p in people.values():
        assert re.match(r"^[A-Z][A-Za-z'\- ]+$", p["first_name"]) and re.match(r"^[A-Z][A-Za-z'\- ]+$", p["last_name"])


def test_postcodes_are_in_the_areas(mid):
    out, _, _ = mid
    notes = read_csv(out / "notifications.csv")
    areas = {"CT", "ME", "TN", "DA"}
    for n in notes:
        if n["missing_from"] == "home" and n["postcode"]:
            assert re.match(r"^[A-Z]+", n["postcode"]).group() in areas, n
    found = [n["found_postcode"] for n in notes if n["returned_at"]]
    assert sum(1 for f in found if not f) > 0
    districts = Counter(f.split(" ")[0] for f in found if f)
    top, count = districts.most_common(1)[0]
    assert count > 3 * (sum(districts.values()) / len(districts))  # hotspots stand out
    # Hotspot postcodes repeat across different children.
    truth = read_csv(out / "truth.csv")
    children_at = defaultdict(set)
    for n, t in zip(notes, truth):
        if n["found_postcode"]:
            children_at[n["found_postcode"]].add(t["true_child"])
    assert max(len(c) for c in children_at.values()) >= 10


def test_two_reporters_and_late_returns(mid):
    out, _, m = mid
    doubles = 0
    for ep in episodes_of(out).values():
        good = [n for kind, n in ep["rows"] if kind != "bad"]
        if len({n["source"] for n in good}) > 1:
            doubles += 1
            assert len({n["source_ref"] for n in good}) > 1
            seen = sorted(parse_datetime(n["last_seen_at"]) for n in good)
            assert seen[-1] - seen[0] <= dt.timedelta(hours=1)
    assert doubles > 0
    # Returns come as later update rows, some of them a day late: the file's
    # clock (the latest first report so far) is well past the return time.
    clock = None
    lateness = []
    for note, t in zip(read_csv(out / "notifications.csv"), read_csv(out / "truth.csv")):
        if t["kind"] == "bad":
            continue
        if t["kind"] in ("original", "second_reporter"):
            reported = parse_datetime(note["reported_at"])
            clock = reported if clock is None else max(clock, reported)
        elif note["returned_at"] and clock is not None:
            lateness.append(clock - parse_datetime(note["returned_at"]))
    assert lateness
    assert sum(1 for x in lateness if x > dt.timedelta(hours=18)) > 0.03 * len(lateness)
    assert 0.12 < m["care_episodes_two_reporters_share"] < 0.3
    assert m["episodes"]["open_at_end"] > 0


def test_calibration(mid):
    out, summary, m = mid
    assert m["children"]["in_data_set"] == summary["children"] == 3000
    for year in m["looked_after_by_year"]:
        assert 0.07 <= year["share_missing"] <= 0.16, year
        assert 3.5 <= year["episodes_per_missing_child"] <= 8, year
    assert 0.85 <= m["share_duration_le_48h"] <= 0.95
    assert 0.50 <= m["male_share_missing_children"] <= 0.62
    assert 0.40 <= m["share_incidents_aged_16_17"] <= 0.60
    assert m["share_incidents_aged_10_17"] > 0.95
    assert m["episodes_spring_summer"] > m["episodes_autumn_winter"]
    assert m["share_evening_16_to_24"] > 0.45
    assert m["children"]["from_home"] > m["children"]["from_care"]
    assert m["home_children_share_one_episode"] > 0.6
    assert m["care_episodes_per_child"] > 2 * m["home_episodes_per_child"]
    assert m["children_5_plus_in_a_month"] > 0
    placement = m["care_incidents_by_placement"]
    residential = placement.get("children_home", 0) + placement.get("semi_independent", 0)
    assert 0.35 < residential < 0.7
    assert 0.15 < placement.get("foster", 0) < 0.4
    assert m["share_duration_over_7_days"] > 0


def test_defaults_for_known_and_unknown_authorities(tmp_path):
    s = generate(authority="891", children=200, years=1, seed=1, out_dir=tmp_path / "n", end=END)
    assert s["police_source"] == "police:nottinghamshire" and s["postcode_areas"] == ["NG"]
    s = generate(authority="312", children=200, years=1, seed=1, out_dir=tmp_path / "h", end=END)
    assert s["postcode_areas"] == ["UB", "HA"]
    s = generate(authority="999", children=200, years=1, seed=1, out_dir=tmp_path / "x", end=END)
    assert s["police_source"] == "police:force" and s["postcode_areas"] == ["XX"] and s["neighbours"] == []
    assert s["placed_in_children"] == 0 and not (tmp_path / "x" / "ola").exists()
    notes = read_csv(tmp_path / "x" / "notifications.csv")
    assert all(n["postcode"].startswith("XX") for n in notes if n["missing_from"] == "home" and n["postcode"])
    s = generate(authority="886", children=100, years=1, seed=1, out_dir=tmp_path / "k", end=END,
                 neighbours=["210"], postcode_areas=["ME"], police_force="kent_police")
    assert s["neighbours"] == ["210"] and (tmp_path / "k" / "ola" / "210" / "ssda903_header.csv").exists()
    notes = read_csv(tmp_path / "k" / "notifications.csv")
    assert {n["source"] for n in notes if n["source"].startswith("police")} <= {"police:kent_police"}


def test_tiny_and_invalid_arguments(tmp_path):
    s = generate(authority="886", children=0, years=1, seed=1, out_dir=tmp_path / "empty", end=END)
    assert s["notification_rows"] == 0
    assert first_line(tmp_path / "empty" / "notifications.csv") == NOTIFICATION_HEADER
    generate(authority="886", children=1, years=1, seed=1, out_dir=tmp_path / "one", end=END)
    with pytest.raises(ValueError):
        generate(authority="Kent", children=10, years=1, seed=1, out_dir=tmp_path / "bad", end=END)
    with pytest.raises(ValueError):
        generate(authority="886", children=10, years=0, seed=1, out_dir=tmp_path / "bad", end=END)


def test_no_django_and_no_global_random():
    code = (
        "import random, sys; random.seed(5); before = random.random(); random.seed(5);"
        "import pathlib, tempfile, datetime;"
        "from homeward.synth import generate;"
        "d = tempfile.mkdtemp();"
        "generate(authority='886', children=50, years=1, seed=3, out_dir=pathlib.Path(d), end=datetime.date(2025, 4, 1));"
        "assert random.random() == before, 'global random state was used';"
        "assert not any(m == 'django' or m.startswith('django.') for m in sys.modules), 'django imported'"
    )
    root = pathlib.Path(__file__).resolve().parents[2]
    subprocess.run([sys.executable, "-c", code], check=True, cwd=root)


def test_neighbouring_runs_fit_together(tmp_path, small):
    """Data sets generated separately for two neighbours can be loaded together."""
    southwark, _ = small  # 210, with neighbours 886 and 208
    kent = tmp_path / "kent"
    generate(authority="886", children=400, years=1, seed=99, out_dir=kent, end=END, neighbours=["210"])
    # Kent's file of Southwark children placed in Kent never reuses an id of
    # Southwark's own looked-after children.
    own = {h["CHILD"] for h in read_csv(southwark / "ssda903_header.csv")}
    placed = {h["CHILD"] for h in read_csv(kent / "ola" / "210" / "ssda903_header.csv")}
    assert own and placed and not own & placed
    # A provider both runs use is the same provider in both.
    a = {p["urn"]: p for p in read_csv(southwark / "providers.csv")}
    b = {p["urn"]: p for p in read_csv(kent / "providers.csv")}
    shared = a.keys() & b.keys()
    assert shared
    assert all(a[u] == b[u] for u in shared)
    assert len({(p["name"], p["postcode"]) for p in a.values()}) == len(a)
