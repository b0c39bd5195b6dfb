"""How the intake writes a chunk (homeward/episodes/intake.py, importing.py):
stored episodes updated in the fields that changed, the database's text for
times, a chunk's objects freed when it ends, SQLite's checkpoints while a file
is imported. What is stored must be what the rules derive."""

from __future__ import annotations

import datetime as dt
import gc
from zoneinfo import ZoneInfo

import pytest
from django.db import connection

from homeward.episodes import importing
from homeward.episodes import intake as intake_module
from homeward.episodes.importing import import_notifications
from homeward.episodes.models import Episode
from homeward.episodes.services import recompute
from homeward.placements.models import Authority

from test_intake_batches import feed, row  # this folder is on the path (pytest)


@pytest.fixture
def kent(db):
    return Authority.objects.get(code="886")


def fields(episode):
    return {name: getattr(episode, name) for name in intake_module.EPISODE_FIELDS if name != "updated_at"}


def test_a_stored_episode_updated_in_later_chunks_holds_what_its_rules_derive(kent):
    """Each row in a chunk of its own: every later row updates a stored episode,
    changing some fields and not others; recomputing it afterwards changes nothing."""
    rows = [
        row("K-1", risk_level="low", postcode="CT1 1AA"),
        row("P-1", source="provider:SC1", last_seen_at="2024-05-01T19:00", missing_from="care",
            provider_urn="SC1"),
        row("K-1", risk_level="high", postcode="CT1 1AA"),
        row("K-1", risk_level="high", returned_at="2024-05-02T08:00", found_postcode="ME4 4QU"),
        row("K-1", risk_level="high", returned_at="2024-05-02T07:00", found_postcode="ME4 4QU", category="absent"),
        row("K-2", first_name="Bo", dob="2011-02-02"),
        row("K-2", first_name="Bo", dob="2011-02-02", last_seen_at="2024-04-30T10:00", reported_at="2024-04-30T11:00"),
    ]
    summary, _ = import_notifications(actor=None, authority=kent, stream=feed(rows), name="f.csv", chunk_rows=1)
    assert (summary.created, summary.merged, summary.updated) == (2, 1, 4)
    episodes = list(Episode.objects.order_by("pk"))
    amy = episodes[0]
    assert (amy.risk_level, amy.status, amy.category) == ("high", "returned", "absent")
    assert amy.returned_at == dt.datetime(2024, 5, 2, 6, 0, tzinfo=dt.timezone.utc)
    assert amy.started_at == dt.datetime(2024, 5, 1, 18, 0, tzinfo=dt.timezone.utc)  # the home's 19:00 BST
    for episode in episodes:
        stored = fields(episode)
        recompute(episode)
        episode.refresh_from_db()
        assert fields(episode) == stored


def test_only_the_changed_fields_of_a_stored_episode_are_written(kent, monkeypatch):
    take = lambda rows: import_notifications(actor=None, authority=kent, stream=feed(rows), name="f.csv")  # noqa: E731
    take([row("K-1", risk_level="low")])
    written = []
    update = intake_module._Table.update

    def watching(self, objs, names):
        written.append((self.model.__name__, list(names), len(objs)))
        return update(self, objs, names)

    monkeypatch.setattr(intake_module._Table, "update", watching)
    take([row("K-1", risk_level="low", returned_at="2024-05-02T08:00")])
    assert written == [("Episode", ["returned_at", "status", "updated_at"], 1)]
    written.clear()
    take([row("K-1", risk_level="low", returned_at="2024-05-02T08:00", notes="seen in town")])
    assert written == [("Episode", ["updated_at"], 1)]  # recomputed, unchanged: only its time of change


def test_times_are_written_as_the_database_layer_writes_them(kent):
    if connection.vendor != "sqlite":
        pytest.skip("the text of times is SQLite's")
    convert = intake_module.table(Episode)._converters([Episode._meta.get_field("started_at")])[0]
    adapt = connection.ops.adapt_datetimefield_value
    london = ZoneInfo("Europe/London")
    for moment in (dt.datetime(2024, 5, 1, 20, 0, tzinfo=dt.timezone.utc),
                   dt.datetime(2024, 5, 1, 20, 0, 0, 123456, tzinfo=dt.timezone.utc),
                   dt.datetime(2024, 3, 31, 1, 30, tzinfo=london), dt.datetime(2024, 10, 27, 1, 30, fold=1, tzinfo=london),
                   dt.datetime(1999, 12, 31, 23, 59, 59, tzinfo=dt.timezone(dt.timedelta(hours=-5)))):
        assert convert(moment) == adapt(moment)
        assert convert(moment) == adapt(moment)  # (remembered the second time)


def test_a_chunk_frees_its_objects_when_it_ends(kent):
    """No garbage collection runs while a file is imported: a chunk must not
    leave its episodes, children and notes in circles only a collection frees."""
    rows = [row(f"K-{i}", first_name=name, dob=f"2010-0{1 + i % 9}-1{i % 10}",
                last_seen_at=f"2024-05-{1 + i % 28:02d}T20:00",
                returned_at="" if i % 3 else f"2024-05-{1 + i % 28:02d}T23:00")
            for i, name in enumerate(["Amy", "Bo", "Cy", "Di", "Ed", "Flo"] * 5)]
    rows += [row("K-1", first_name="Bo", dob="2010-02-11", last_seen_at="2024-05-02T20:00",
                 returned_at="2024-05-03T08:00")]
    kinds = {intake_module._EpisodeState, intake_module._ChildState, intake_module.Note}
    # (type(), not isinstance(): isinstance would wake Django's lazy objects.)
    live = lambda: [o for o in gc.get_objects() if type(o) in kinds]  # noqa: E731
    gc.collect()
    assert live() == []
    enabled = gc.isenabled()
    gc.disable()
    try:
        summary, _ = import_notifications(actor=None, authority=kent, stream=feed(rows), name="f.csv", chunk_rows=7)
        assert summary.created >= 20
        assert live() == []
    finally:
        if enabled:
            gc.enable()


def test_sqlite_copies_its_log_less_often_while_a_file_is_imported_and_as_before_after(kent, monkeypatch):
    if connection.vendor != "sqlite":
        pytest.skip("SQLite only")

    def pages():
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA wal_autocheckpoint")
            return cursor.fetchone()[0]

    before = pages()
    seen = []
    apply = intake_module.Intake.apply
    monkeypatch.setattr(intake_module.Intake, "apply", lambda self, items: (seen.append(pages()), apply(self, items))[1])
    import_notifications(actor=None, authority=kent, stream=feed([row("K-1")]), name="f.csv")
    assert seen == [importing.SQLITE_CHECKPOINT_PAGES] != [before]
    assert pages() == before


def test_the_rows_a_chunk_makes_share_one_reading_of_the_clock(kent):
    from homeward.episodes.models import Notification

    import_notifications(actor=None, authority=kent, stream=feed([row("K-1"), row("K-2", first_name="Bo")]),
                         name="f.csv")
    received = set(Notification.objects.values_list("received_at", flat=True))
    created = set(Episode.objects.values_list("created_at", flat=True))
    assert len(received) == 1 and received == created
