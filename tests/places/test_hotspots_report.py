"""`homeward report hotspots` (contract.md): hand-counted, at the edges of the period."""

from __future__ import annotations

import csv
import io
import json

import datetime as dt

import pytest

from homeward.access.models import AuditEvent
from homeward.cli import main
from homeward.placements.models import Placement
from homeward.places.hotspots import HotspotQuery, area_counts, report_rows

from .conftest import london

MARCH = ["--from", "2025-03-01", "--to", "2025-04-01"]

EXPECTED = [
    {"district": "CT1", "episodes": 3, "children": 2},
    {"district": "DA1", "episodes": 2, "children": 2},
    {"district": None, "episodes": 2, "children": 2},  # ties with DA1: the districts first
    {"district": "CT2", "episodes": 1, "children": 1},
    {"district": "ME14", "episodes": 1, "children": 1},
    {"district": "ME15", "episodes": 1, "children": 1},
    {"district": "SE1", "episodes": 1, "children": 1},
]


@pytest.fixture
def march(world, directory, make_episode, kent_child):
    # Callum and Jade have been at Oakview since 2024.
    Placement.objects.filter(child__in=[world.callum, world.jade]).update(start_date=dt.date(2024, 1, 1))
    kids = [kent_child() for _ in range(7)]
    e = make_episode
    e(world.ellie, start=london(2025, 3, 1, 0, 0), found="CT1 2AB")         # the first moment: in
    e(kids[0], start=london(2025, 3, 10, 18), found="CT1 3AA")
    e(kids[0], start=london(2025, 3, 20, 18), found="ct1")                   # partial: CT1, same child
    e(kids[1], start=london(2025, 3, 5, 18), found="ME15 6AA")
    e(kids[2], start=london(2025, 3, 6, 18), found="")                      # no place found
    e(kids[3], start=london(2025, 3, 7, 18), found="")                      # no place found
    e(kids[4], start=london(2025, 3, 8, 18), found="ME14 1AA")
    e(kids[5], start=london(2025, 3, 12, 18), found="DA1 1AA")              # DA1: not in the directory
    e(kids[6], start=london(2025, 3, 13, 18), found="DA1")
    e(kids[1], start=london(2025, 3, 31, 23, 30), found="SE1 7PB")           # 22:30 UTC (BST): still March
    e(kids[2], start=london(2025, 4, 1, 0, 0), found="CT1 2AB")             # the exclusive end: out
    e(kids[3], start=london(2025, 2, 28, 23, 59), found="CT1 2AB")          # the day before: out
    e(world.sam, area=world.southwark, start=london(2025, 3, 3, 18), found="CT1 2AB",
      source="police:met")                                                  # Southwark's child in Southwark: out
    e(world.jade, start=london(2025, 3, 4, 18), found="CT2 7NZ")            # placed in Kent by Southwark: in
    return world


def run(capsys, *args) -> str:
    code = main(["report", "hotspots", *args])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    return captured.out


def test_json_lists_districts_most_episodes_first_with_no_place_as_null(march, capsys):
    assert json.loads(run(capsys, "--authority", "886", *MARCH)) == EXPECTED


def test_csv_has_the_same_rows_with_the_null_district_as_an_empty_cell(march, capsys):
    out = run(capsys, "--authority", "886", *MARCH, "--format", "csv")
    rows = list(csv.reader(io.StringIO(out)))
    assert rows[0] == ["district", "episodes", "children"]
    assert rows[1:] == [[r["district"] or "", str(r["episodes"]), str(r["children"])] for r in EXPECTED]


def test_the_episode_at_the_exclusive_end_counts_in_the_next_period(march, capsys):
    april = json.loads(run(capsys, "--authority", "886", "--from", "2025-04-01", "--to", "2025-05-01"))
    assert april == [{"district": "CT1", "episodes": 1, "children": 1}]
    february = json.loads(run(capsys, "--authority", "886", "--from", "2025-02-28", "--to", "2025-03-01"))
    assert february == [{"district": "CT1", "episodes": 1, "children": 1}]


def test_southwark_sees_its_own_child_placed_in_kent_and_its_child_at_home(march, capsys):
    rows = json.loads(run(capsys, "--authority", "210", *MARCH))
    assert rows == [{"district": "CT1", "episodes": 1, "children": 1}, {"district": "CT2", "episodes": 1, "children": 1}]


def test_all_authorities_count_each_episode_once(march, capsys):
    rows = json.loads(run(capsys, "--authority", "all", *MARCH))
    assert sum(r["episodes"] for r in rows) == 12
    assert rows[0] == {"district": "CT1", "episodes": 4, "children": 3}


def test_an_empty_period_is_an_empty_list(march, capsys):
    assert json.loads(run(capsys, "--authority", "886", "--from", "2020-01-01", "--to", "2020-02-01")) == []


def test_the_export_is_audited(march, capsys):
    run(capsys, "--authority", "886", *MARCH)
    event = AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT, object_type="hotspots").get()
    assert event.object_id == "886" and event.payload["to"] == "2025-04-01"


@pytest.mark.parametrize("args, message", [
    (["--authority", "999", *MARCH], "'999' is not a known local authority code"),
    (["--authority", "886", "--from", "2025-04-01", "--to", "2025-03-01"], "must be after --from"),
    (["--authority", "886", "--from", "1 March", "--to", "2025-04-01"], "--from: '1 March' is not a date"),
])
def test_bad_input_exits_non_zero_with_a_message_and_no_traceback(world, capsys, args, message):
    assert main(["report", "hotspots", *args]) != 0
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err


def test_home_and_care_and_where_from_filters(march, make_episode, world):
    care = area_counts(HotspotQuery(world.kent.pk, london(2025, 3, 1).date(), london(2025, 4, 1).date(),
                                    missing_from="care"))
    assert [(r.key, r.episodes) for r in care] == [("CT2", 1)]  # Jade, from Oakview
    started = area_counts(HotspotQuery(world.kent.pk, london(2025, 3, 1).date(), london(2025, 4, 1).date(),
                                       where="from"))
    assert [(r.key, r.episodes, r.children) for r in started] == [(None, 11, 9)]  # no "postcode" was sent; Ellie, 7 children, Jade


def test_h3_cells_count_unit_and_district_places_and_not_the_unlocated(march, world):
    rows = area_counts(HotspotQuery(world.kent.pk, london(2025, 3, 1).date(), london(2025, 4, 1).date(),
                                    area="h3"))
    by_key = {r.key: r for r in rows}
    # DA1 is not in the directory: its two episodes cannot be placed on the grid.
    assert by_key[None].episodes == 4
    assert sum(r.episodes for r in rows) == 11
    assert all(k is None or len(k) == 15 for k in by_key)


def test_report_rows_agree_with_the_key_figures_total(march, world):
    from homeward.reporting.kpis import key_figures

    rows = report_rows(authority_id=world.kent.pk, start=london(2025, 3, 1).date(), end=london(2025, 4, 1).date())
    figures = key_figures(authority=world.kent, start=london(2025, 3, 1).date(), end=london(2025, 4, 1).date())
    assert sum(r["episodes"] for r in rows) == figures["episodes"]["total"] == 11


EXPECTED_ALL = [
    {"district": "CT1", "episodes": 4, "children": 3},
    {"district": "DA1", "episodes": 2, "children": 2},
    {"district": None, "episodes": 2, "children": 2},
    {"district": "CT2", "episodes": 1, "children": 1},
    {"district": "ME14", "episodes": 1, "children": 1},
    {"district": "ME15", "episodes": 1, "children": 1},
    {"district": "SE1", "episodes": 1, "children": 1},
]


@pytest.mark.parametrize("share", [0.0, 2.0], ids=["index by district", "index by start"])
def test_every_authority_counts_the_same_whichever_index_is_read(march, monkeypatch, share):
    # SQLite reads the index ordered by district over a long period
    # (hotspots._whole_country_index), the range of start times otherwise.
    from homeward.places import hotspots

    monkeypatch.setattr(hotspots, "WHOLE_INDEX_FROM", share)
    start, end = dt.date(2025, 3, 1), dt.date(2025, 4, 1)
    assert report_rows(authority_id=None, start=start, end=end) == EXPECTED_ALL
    # Edges: the first moment in, the exclusive end out, the day before out.
    assert sum(r["episodes"] for r in report_rows(authority_id=None, start=start, end=dt.date(2025, 3, 2))) == 1
    assert report_rows(authority_id=None, start=dt.date(2025, 4, 1), end=dt.date(2025, 4, 2)) == [
        {"district": "CT1", "episodes": 1, "children": 1}]
    assert report_rows(authority_id=None, start=dt.date(2025, 2, 28), end=start) == [
        {"district": "CT1", "episodes": 1, "children": 1}]
