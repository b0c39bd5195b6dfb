"""Measure a generated data set against the calibration targets.

``measure(out_dir)`` reads the files :func:`homeward.synth.generate` wrote
(notifications, truth, SSDA903 tables) and recomputes the figures the
generator is calibrated to, from the files alone. Episodes are grouped by
their true episode id; rows marked ``bad`` are ignored, as an importer would
reject them. An episode starts at its earliest ``last_seen_at`` and ends at its
earliest ``returned_at`` (definitions.md); it is *from care* when any of its
rows says ``care`` or carries a responsible authority or child reference.
Durations here are wall-clock hours (the clock change is ignored).
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import pathlib
import statistics
from collections import Counter, defaultdict

RESIDENTIAL = {"K2", "H5", "K1", "S1", "R1"}


def _d903(s: str) -> int | None:
    if not s:
        return None
    d, m, y = s.split("/")
    return dt.date(int(y), int(m), int(d)).toordinal()


def _read903(path: pathlib.Path, out: dict, la: str):
    if not path.exists():
        return
    with open(path, encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            out[(la, row["CHILD"])].append((_d903(row["DECOM"]), _d903(row["DEC"]), row["PLACE"]))


def measure(out_dir: pathlib.Path) -> dict:
    out = pathlib.Path(out_dir)
    meta = json.loads((out / "synth.json").read_text(encoding="utf-8"))
    start = dt.date.fromisoformat(meta["start"])
    end = dt.date.fromisoformat(meta["end"])
    authority = meta["authority"]

    people = {}
    with open(out / "truth_children.csv", encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            people[row["true_child"]] = row

    placements: dict = defaultdict(list)
    _read903(out / "ssda903_episodes.csv", placements, authority)
    for sub in sorted((out / "ola").glob("*")) if (out / "ola").exists() else []:
        _read903(sub / "ssda903_episodes.csv", placements, sub.name)

    episodes: dict[str, dict] = {}
    kinds = Counter()
    care_rows = care_rows_ref = 0
    rows = 0
    with open(out / "notifications.csv", encoding="utf-8", newline="") as nf, \
            open(out / "truth.csv", encoding="utf-8", newline="") as tf:
        for note, truth in zip(csv.DictReader(nf), csv.DictReader(tf)):
            rows += 1
            kinds[truth["kind"]] += 1
            if truth["kind"] == "bad":
                continue
            ep = episodes.get(truth["true_episode"])
            if ep is None:
                ep = episodes[truth["true_episode"]] = {
                    "child": truth["true_child"], "start": None, "end": None, "care": False,
                    "sources": set(), "risk": set(), "flags": False,
                }
            seen = dt.datetime.fromisoformat(note["last_seen_at"])
            if ep["start"] is None or seen < ep["start"]:
                ep["start"] = seen
            if note["returned_at"]:
                back = dt.datetime.fromisoformat(note["returned_at"])
                if ep["end"] is None or back < ep["end"]:
                    ep["end"] = back
            is_care = note["missing_from"] == "care" or bool(note["responsible_authority"]) or bool(note["child_ref"])
            if is_care:
                ep["care"] = True
                care_rows += 1
                care_rows_ref += bool(note["child_ref"])
            ep["sources"].add((note["source"], note["source_ref"]))
            if note["risk_level"]:
                ep["risk"].add(note["risk_level"])
            if note["flags"]:
                ep["flags"] = True

    eps = list(episodes.values())
    home_eps = [e for e in eps if not e["care"]]
    care_eps = [e for e in eps if e["care"]]

    # Durations.
    durations = [(e["end"] - e["start"]).total_seconds() / 3600 for e in eps if e["end"] is not None]
    open_eps = sum(1 for e in eps if e["end"] is None)

    # Children.
    def by_child(items):
        got = Counter(e["child"] for e in items)
        return got

    home_children = by_child(home_eps)
    care_children = by_child(care_eps)
    missing_children = set(e["child"] for e in eps)
    male = sum(1 for c in missing_children if people[c]["sex"] == "M")

    # Ages at the start of each episode.
    def age(e) -> float:
        dob = dt.date.fromisoformat(people[e["child"]]["dob"])
        d = e["start"].date()
        return d.year - dob.year - ((d.month, d.day) < (dob.month, dob.day))

    ages = Counter(age(e) for e in eps)

    # Placement type at the start of care episodes.
    place_kinds = Counter()
    for e in care_eps:
        person = people[e["child"]]
        rows903 = placements.get((person["authority"], person["child_ref"]), [])
        day = e["start"].toordinal()
        place = "unknown"
        for s, f, pl in rows903:
            if s <= day and (f is None or day < f):
                place = pl
        if place == "K2":
            place_kinds["children_home"] += 1
        elif place == "H5":
            place_kinds["semi_independent"] += 1
        elif place.startswith("U"):
            place_kinds["foster"] += 1
        else:
            place_kinds["other"] += 1

    # Seasons and time of day.
    months = Counter(e["start"].month for e in eps)
    spring_summer = sum(months[m] for m in range(3, 9))
    autumn_winter = sum(months[m] for m in (9, 10, 11, 12, 1, 2))
    evening = sum(1 for e in eps if e["start"].hour >= 16)

    # Looked-after children per 12-month slice (own children only).
    own_lac_refs = {p["child_ref"]: cid for cid, p in people.items() if p["group"] == "looked_after"}
    per_year = []
    y0 = start
    while y0 < end:
        y1 = min(_add_years(y0, 1), end)
        a, b = y0.toordinal(), y1.toordinal()
        looked_after = set()
        for (la, ref), spells in placements.items():
            if la != authority:
                continue
            if any(s < b and (f is None or f >= a) for s, f, _ in spells):
                looked_after.add(ref)
        went = Counter()
        for e in care_eps:
            p = people[e["child"]]
            if p["group"] == "looked_after" and a <= e["start"].toordinal() < b:
                went[p["child_ref"]] += 1
        n_went = sum(1 for ref in went if ref in looked_after)
        per_year.append({
            "from": y0.isoformat(), "to": y1.isoformat(),
            "looked_after": len(looked_after), "went_missing": n_went,
            "share_missing": round(n_went / len(looked_after), 4) if looked_after else 0.0,
            "episodes": sum(went.values()),
            "episodes_per_missing_child": round(sum(went.values()) / n_went, 2) if n_went else 0.0,
            "episodes_per_looked_after_child": round(sum(went.values()) / len(looked_after), 3) if looked_after else 0.0,
            "missing_children_with_1_or_2": round(sum(1 for v in went.values() if v <= 2) / n_went, 3) if n_went else 0.0,
        })
        y0 = y1

    # Children with 5 or more episodes starting in one calendar month.
    monthly = Counter((e["child"], e["start"].year, e["start"].month) for e in eps)
    five_in_month = len({c for (c, _, _), n in monthly.items() if n >= 5})

    risk_rank = {"no_apparent_risk": 0, "low": 1, "medium": 2, "high": 3}
    max_risk = Counter()
    for e in eps:
        if e["risk"]:
            max_risk[max(e["risk"], key=risk_rank.__getitem__)] += 1

    total = len(eps) or 1
    return {
        "rows": rows,
        "rows_by_kind": dict(sorted(kinds.items())),
        "bad_row_share": round(kinds["bad"] / rows, 4) if rows else 0.0,
        "episodes": {"total": len(eps), "from_home": len(home_eps), "from_care": len(care_eps), "open_at_end": open_eps},
        "children": {
            "missing": len(missing_children), "from_home": len(home_children), "from_care": len(care_children),
            "in_data_set": len(people),
        },
        "looked_after_by_year": per_year,
        "share_duration_le_48h": round(sum(1 for h in durations if h <= 48) / len(durations), 4) if durations else 0.0,
        "median_duration_hours": round(statistics.median(durations), 1) if durations else 0.0,
        "share_duration_over_7_days": round(sum(1 for h in durations if h > 168) / len(durations), 4) if durations else 0.0,
        "male_share_missing_children": round(male / len(missing_children), 4) if missing_children else 0.0,
        "share_incidents_aged_16_17": round((ages[16] + ages[17]) / total, 4),
        "share_incidents_aged_10_17": round(sum(ages[a] for a in range(10, 18)) / total, 4),
        "care_incidents_by_placement": {k: round(v / (len(care_eps) or 1), 4) for k, v in sorted(place_kinds.items())},
        "episodes_spring_summer": spring_summer,
        "episodes_autumn_winter": autumn_winter,
        "share_evening_16_to_24": round(evening / total, 4),
        "home_children_share_one_episode": round(sum(1 for v in home_children.values() if v == 1) / len(home_children), 4) if home_children else 0.0,
        "home_episodes_per_child": round(len(home_eps) / len(home_children), 2) if home_children else 0.0,
        "care_episodes_per_child": round(len(care_eps) / len(care_children), 2) if care_children else 0.0,
        "children_5_plus_in_a_month": five_in_month,
        "care_episodes_two_reporters_share": round(sum(1 for e in care_eps if len(e["sources"]) > 1) / (len(care_eps) or 1), 4),
        "care_rows_with_child_ref_share": round(care_rows_ref / care_rows, 4) if care_rows else 0.0,
        "episodes_with_flags_share": round(sum(1 for e in eps if e["flags"]) / total, 4),
        "episode_highest_risk": {k: round(max_risk[k] / total, 4) for k in risk_rank},
    }


def _add_years(d: dt.date, years: int) -> dt.date:
    try:
        return d.replace(year=d.year + years)
    except ValueError:
        return d.replace(year=d.year + years, day=28)
