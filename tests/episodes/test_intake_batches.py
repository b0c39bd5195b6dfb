"""The batched intake (homeward/episodes/intake.py): rows taken a chunk at a
time give what rows taken one by one give, whatever the chunk boundaries.

Each test imports a small file with tiny chunks (`chunk_rows`), so that
originals and updates, reporters and overlapping episodes fall in the same
chunk or in different ones.
"""

from __future__ import annotations

import csv
import io

import pytest
from django.db import IntegrityError, transaction

from homeward.access.models import AuditEvent
from homeward.episodes import intake as intake_module
from homeward.episodes.importing import import_notifications
from homeward.episodes.models import Episode, Notification
from homeward.episodes.services import notification_apply
from homeward.people.models import Child, ChildAlias, ChildFlag, ChildIdentifier, MatchReview
from homeward.placements.models import Authority

FIELDS = ["source", "source_ref", "child_ref", "first_name", "last_name", "dob", "sex", "missing_from", "category",
          "last_seen_at", "reported_at", "risk_level", "postcode", "provider_urn", "responsible_authority",
          "returned_at", "found_postcode", "flags", "notes"]


@pytest.fixture
def kent(db):
    return Authority.objects.get(code="886")


def row(ref, source="police:kent", **values):
    base = {"source": source, "source_ref": ref, "first_name": "Amy", "last_name": "Stone", "dob": "2010-01-01",
            "sex": "F", "missing_from": "home", "last_seen_at": "2024-05-01T20:00"}
    return {f: "" for f in FIELDS} | base | values


def feed(rows) -> io.BytesIO:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=FIELDS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return io.BytesIO(out.getvalue().encode())


def take(kent, rows, chunk_rows=2):
    summary, _ = import_notifications(actor=None, authority=kent, stream=feed(rows), name="feed.csv",
                                      chunk_rows=chunk_rows)
    return summary


def counts(summary):
    return summary.created, summary.updated, summary.merged, summary.unchanged, len(summary.rejected)


def snapshot():
    """Everything the intake writes, without ids (which differ between runs)."""
    children = {c.pk: (c.first_name, c.last_name, str(c.dob), c.sex, c.responsible_authority_id,
                       c.home_authority_id, c.home_postcode) for c in Child.objects.all()}
    notes = {n.pk: (n.source, n.source_ref, n.content_hash) for n in Notification.objects.all()}
    episodes = []
    for e in Episode.objects.all():
        episodes.append((
            sorted(notes[pk] for pk in e.notifications.values_list("pk", flat=True)), children[e.child_id],
            e.started_at, e.last_seen_at, e.reported_at, e.returned_at, e.status, e.found_postcode, e.postcode,
            e.category, e.missing_from, e.placement_id, e.responsible_authority_id, e.provider_id, e.risk_level,
            [(r.previous_level, r.risk_level, r.source) for r in e.risk_changes.order_by("changed_at", "id")],
        ))
    return {
        "children": sorted(children.values()),
        "episodes": sorted(episodes, key=repr),
        "aliases": sorted((children[a.child_id], a.first_name, a.last_name, a.source)
                          for a in ChildAlias.objects.all()),
        "flags": sorted((children[f.child_id], f.flag, f.source, f.start_date) for f in ChildFlag.objects.all()),
        "identifiers": sorted((children[i.child_id], i.authority_id, i.value) for i in ChildIdentifier.objects.all()),
        "reviews": sorted((children[r.reported_child_id], children[r.candidate_id], notes[r.notification_id],
                           round(r.score, 6)) for r in MatchReview.objects.all()),
    }


def state_after(action):
    """The state `action` leaves, then undone (so that several ways can be compared in one test)."""
    with transaction.atomic():
        action()
        state = snapshot()
        transaction.set_rollback(True)
    return state


# --- originals, updates and reporters across chunks -------------------------------


def test_an_update_and_its_original_in_the_same_chunk(kent):
    rows = [
        row("K-1", risk_level="medium"),
        row("K-1", risk_level="low", returned_at="2024-05-02T08:00", found_postcode="CT1 1AA"),
    ]
    summary = take(kent, rows, chunk_rows=10)
    assert counts(summary) == (1, 1, 0, 0, 0)
    episode = Episode.objects.get()
    assert (episode.status, episode.risk_level, episode.found_postcode) == ("returned", "low", "CT1 1AA")
    assert episode.notifications.count() == 2
    assert list(episode.risk_changes.values_list("previous_level", "risk_level")) == [("", "medium"), ("medium", "low")]


def test_an_update_in_the_next_chunk_updates_the_stored_episode(kent):
    rows = [row("K-1", risk_level="medium"), row("K-2", first_name="Bo", dob="2011-02-02"),
            row("K-1", risk_level="low", returned_at="2024-05-02T08:00")]
    summary = take(kent, rows, chunk_rows=2)
    assert counts(summary) == (2, 1, 0, 0, 0)
    episode = Episode.objects.get(child__first_name="Amy")
    assert (episode.status, episode.risk_level) == ("returned", "low")


def test_a_second_reporters_row_in_the_next_chunk_joins_the_episode(kent):
    police = row("K-1", first_name="Callum", last_name="Reid", dob="2008-11-02", sex="M", missing_from="care",
                 last_seen_at="2024-07-06T19:20", risk_level="high")
    home = row("HOME-77", source="provider:SC999001", first_name="Callum", last_name="Reid", dob="2008-11-02",
               sex="M", missing_from="care", last_seen_at="2024-07-06T19:00")
    summary = take(kent, [police, home], chunk_rows=1)
    assert counts(summary) == (1, 0, 1, 0, 0)
    episode = Episode.objects.get()
    assert Child.objects.count() == 1
    assert episode.notifications.count() == 2
    assert episode.started_at.isoformat() == "2024-07-06T18:00:00+00:00"  # the home's 19:00 BST
    assert (episode.missing_from, episode.risk_level) == ("care", "high")


def test_a_second_chunk_that_makes_two_episodes_overlap_merges_them(kent):
    first = [
        row("K-1", last_seen_at="2024-05-01T20:00", returned_at="2024-05-02T08:00", risk_level="low"),
        row("P-1", source="provider:SC1", last_seen_at="2024-05-02T10:00", returned_at="2024-05-02T12:00"),
    ]
    summary = take(kent, first, chunk_rows=5)
    assert counts(summary) == (2, 0, 0, 0, 0) and Episode.objects.count() == 2
    # The police correct their return: the child was not home until 11:00,
    # after the home reported her gone at 10:00: one episode.
    correction = row("K-1", last_seen_at="2024-05-01T20:00", returned_at="2024-05-02T11:00", risk_level="low")
    summary = take(kent, [row("K-9", first_name="Bo", dob="2011-02-02"), correction], chunk_rows=1)
    assert counts(summary) == (1, 1, 0, 0, 0)
    episode = Episode.objects.get(child__first_name="Amy")
    assert episode.notifications.count() == 3
    assert (episode.started_at.isoformat(), episode.returned_at.isoformat()) == (
        "2024-05-01T19:00:00+00:00", "2024-05-02T10:00:00+00:00")


def test_a_changed_account_reaching_an_older_episode_beyond_the_chunk_merges_it(kent):
    # Two January episodes; then, with rows from June, an update moves the
    # second one's start back into the first: the first (older than anything
    # else the chunk touches) must still be found and merged.
    take(kent, [
        row("K-1", last_seen_at="2024-01-01T10:00", returned_at="2024-01-02T10:00"),
        row("K-2", last_seen_at="2024-01-10T10:00", returned_at="2024-01-11T10:00"),
    ], chunk_rows=5)
    summary = take(kent, [
        row("K-3", last_seen_at="2024-06-01T10:00"),
        row("K-2", last_seen_at="2024-01-01T12:00", returned_at="2024-01-11T10:00"),
    ], chunk_rows=5)
    assert counts(summary) == (1, 1, 0, 0, 0)
    january = Episode.objects.filter(started_at__month=1)
    assert january.count() == 1
    assert sorted(january.get().notifications.values_list("source_ref", flat=True)) == ["K-1", "K-2", "K-2"]
    assert Episode.objects.count() == 2


@pytest.mark.parametrize("chunk_rows", [1, 5])
def test_a_late_report_of_an_earlier_episode_while_the_child_is_missing_now(kent, chunk_rows):
    """The child is missing now; a report of an earlier, finished episode
    arrives: a second episode, closed (the row-by-row code stored it open
    first, which the one-open-episode constraint refused)."""
    rows = [row("K-1", last_seen_at="2024-05-10T20:00"),
            row("K-2", last_seen_at="2024-05-01T20:00", returned_at="2024-05-02T08:00")]
    summary = take(kent, rows, chunk_rows=chunk_rows)
    assert counts(summary) == (2, 0, 0, 0, 0)
    assert sorted(Episode.objects.values_list("status", flat=True)) == ["open", "returned"]


def test_the_same_row_twice_in_a_file_or_in_two_files_is_unchanged(kent):
    rows = [row("K-1"), row("K-1")]
    assert counts(take(kent, rows, chunk_rows=5)) == (1, 0, 0, 1, 0)
    assert counts(take(kent, rows, chunk_rows=1)) == (0, 0, 0, 2, 0)
    assert Notification.objects.count() == 1


# --- rejected rows -----------------------------------------------------------------


def test_a_rejected_row_in_a_chunk_does_not_affect_the_others(kent):
    rows = [
        row("K-1", risk_level="medium"),
        row("K-1", returned_at="2024-04-30T00:00"),  # an update returning her before she went
        row("K-2", first_name="Bo", dob="2010-13-01"),  # no such date
        row("K-3", first_name="Cy", dob="2011-03-03", responsible_authority="999"),
        row("K-4", first_name="Di", dob="2012-04-04"),
    ]
    summary = take(kent, rows, chunk_rows=10)
    assert counts(summary) == (2, 0, 0, 0, 3)
    reasons = {e.line: e.reason for e in summary.rejected}
    assert "returned_at" in reasons[3] and "dob" in reasons[4] and "'999' is not a known" in reasons[5]
    amy = Episode.objects.get(child__first_name="Amy")
    assert (amy.returned_at, amy.risk_level, amy.notifications.count()) == (None, "medium", 1)
    assert sorted(Child.objects.values_list("first_name", flat=True)) == ["Amy", "Di"]


def test_a_row_the_database_refuses_is_rejected_alone(kent, monkeypatch):
    """When writing a chunk fails, it is rolled back and its rows are taken
    one by one: only the row that cannot be stored is rejected."""
    insert = intake_module._Table.insert

    def failing(self, objs, **kwargs):
        if self.model is Notification and any(o.source_ref == "K-BAD" for o in objs):
            raise IntegrityError("refused by the database")
        return insert(self, objs, **kwargs)

    monkeypatch.setattr(intake_module._Table, "insert", failing)
    rows = [row("K-1"), row("K-BAD", first_name="Bo", dob="2011-02-02"), row("K-3", first_name="Cy", dob="2012-03-03")]
    summary = take(kent, rows, chunk_rows=10)
    assert counts(summary) == (2, 0, 0, 0, 1)
    assert summary.rejected[0].line == 3 and "could not be stored (IntegrityError" in summary.rejected[0].reason
    assert sorted(Child.objects.values_list("first_name", flat=True)) == ["Amy", "Cy"]


# --- which child --------------------------------------------------------------------


def test_the_same_child_reported_twice_in_one_chunk_is_one_child(kent):
    rows = [
        row("K-1", first_name="Callum", last_name="Reid", dob="2008-11-02", sex="M", last_seen_at="2024-03-01T20:00",
            returned_at="2024-03-02T08:00"),
        row("K-2", first_name="Cal", last_name="Reid", dob="2008-11-02", sex="M", last_seen_at="2024-04-01T20:00"),
        row("K-3", first_name="Callum", last_name="Reid", dob="2008-11-02", sex="M", last_seen_at="2024-05-01T20:00",
            returned_at="2024-05-01T22:00"),
    ]
    summary = take(kent, rows, chunk_rows=10)
    assert counts(summary) == (2, 0, 1, 0, 0) or counts(summary) == (3, 0, 0, 0, 0)
    assert Child.objects.count() == 1
    assert list(ChildAlias.objects.values_list("first_name", "last_name")) == [("Cal", "Reid")]


def test_a_child_ref_given_earlier_in_the_chunk_finds_the_child(kent):
    rows = [
        row("K-1", child_ref="K777", first_name="Jade", last_name="Okafor", dob="2009-01-20", missing_from="care",
            responsible_authority="886", last_seen_at="2024-03-01T20:00", returned_at="2024-03-01T23:00"),
        # Another name altogether, but the council's own identifier: the same child.
        row("K-2", child_ref="K777", first_name="Jayde", last_name="Smith", dob="2009-01-20", missing_from="care",
            responsible_authority="886", last_seen_at="2024-04-01T20:00"),
    ]
    summary = take(kent, rows, chunk_rows=10)
    assert counts(summary) == (2, 0, 0, 0, 0)
    assert Child.objects.count() == 1
    assert ChildIdentifier.objects.get().value == "K777"


def test_an_uncertain_match_makes_a_new_child_and_a_review_in_the_same_chunk(kent):
    rows = [
        row("K-1", first_name="Aisha", last_name="Khan", dob="2009-06-06", last_seen_at="2024-03-01T20:00",
            returned_at="2024-03-01T23:00"),
        row("K-2", first_name="Amira", last_name="Khan", dob="2009-06-06", last_seen_at="2024-04-01T20:00"),  # a twin?
    ]
    summary = take(kent, rows, chunk_rows=10)
    assert (summary.created, summary.review) == (2, 1)
    review = MatchReview.objects.get()
    assert (review.reported_child.first_name, review.candidate.first_name) == ("Amira", "Aisha")
    assert review.notification.source_ref == "K-2"


# --- the whole: chunks, the single-row path, a crash -----------------------------------


@pytest.fixture
def synthetic(tmp_path):
    from homeward.synth.generator import generate

    generate(authority="886", children=150, years=1, seed=5, out_dir=tmp_path / "synth")
    return (tmp_path / "synth" / "notifications.csv").read_bytes()


def test_any_chunk_size_and_the_single_row_path_give_the_same_records(kent, synthetic):
    def in_chunks(n):
        return lambda: import_notifications(actor=None, authority=kent, stream=io.BytesIO(synthetic), name="s.csv",
                                            chunk_rows=n)

    def one_by_one():
        from homeward.episodes.importing import RowError, read_rows
        from homeward.problems import Refused

        for line, values in read_rows(io.BytesIO(synthetic), "csv"):
            if isinstance(values, RowError):
                continue
            try:
                notification_apply(actor=None, area_authority=kent, row=values, line=line)
            except Refused:
                pass

    whole = state_after(in_chunks(100_000))
    assert len(whole["episodes"]) > 80 and whole["reviews"] and whole["aliases"] and whole["identifiers"]
    assert state_after(in_chunks(1)) == whole
    assert state_after(in_chunks(7)) == whole
    assert state_after(one_by_one) == whole


def test_a_small_matching_index_gives_the_same_records(kent, synthetic, monkeypatch):
    whole = state_after(lambda: import_notifications(actor=None, authority=kent, stream=io.BytesIO(synthetic),
                                                     name="s.csv", chunk_rows=13))
    monkeypatch.setattr(intake_module, "INDEX_LIMIT", 5)  # dates of birth dropped and read again all the time
    monkeypatch.setattr(intake_module.ChildIndex.__init__, "__defaults__", (5,))
    assert state_after(lambda: import_notifications(actor=None, authority=kent, stream=io.BytesIO(synthetic),
                                                    name="s.csv", chunk_rows=13)) == whole


def test_a_file_stopped_half_way_keeps_its_first_chunks_and_a_rerun_completes_it(kent, synthetic, monkeypatch):
    clean = state_after(lambda: import_notifications(actor=None, authority=kent, stream=io.BytesIO(synthetic),
                                                     name="s.csv", chunk_rows=20))
    apply = intake_module.Intake.apply
    calls = []

    def crashing(self, items):
        calls.append(len(items))
        if len(calls) == 3:
            raise KeyboardInterrupt  # the process is stopped during the third chunk
        return apply(self, items)

    monkeypatch.setattr(intake_module.Intake, "apply", crashing)
    with pytest.raises(KeyboardInterrupt):
        import_notifications(actor=None, authority=kent, stream=io.BytesIO(synthetic), name="s.csv", chunk_rows=20)
    stored = Notification.objects.count()
    assert 0 < stored <= 40
    monkeypatch.setattr(intake_module.Intake, "apply", apply)
    summary, _ = import_notifications(actor=None, authority=kent, stream=io.BytesIO(synthetic), name="s.csv",
                                      chunk_rows=20)
    assert summary.unchanged == stored
    assert snapshot() == clean


def test_a_file_is_audited_once_per_chunk_and_once_for_the_whole(kent):
    rows = [row("K-1"), row("K-2", first_name="Bo", dob="2011-02-02"), row("K-1", returned_at="2024-05-02T08:00"),
            row("K-4", dob="bad")]
    before = AuditEvent.objects.count()
    summary, batch = import_notifications(actor=None, authority=kent, stream=feed(rows), name="feed.csv", chunk_rows=2)
    events = list(AuditEvent.objects.order_by("pk")[before:])
    assert [e.action for e in events] == ["import", "import", "import"]
    chunks, whole = events[:2], events[2]
    assert [(e.payload["batch"], e.payload["created"], e.payload["updated"]) for e in chunks] == [
        (batch.pk, 2, 0), (batch.pk, 0, 1)]
    assert all(e.object_type == "importbatch" and e.object_id == str(batch.pk) for e in events)
    assert (whole.payload["rows"], whole.payload["rejected"]) == (4, 1)


def test_a_single_row_is_audited_as_before(kent):
    before = AuditEvent.objects.count()
    outcome = notification_apply(actor=None, area_authority=kent, row=row("K-1"))
    event = AuditEvent.objects.order_by("pk")[before:].get()
    assert (event.action, event.object_type, event.object_id, event.child_id) == (
        "create", "episode", str(outcome.episode.pk), outcome.child.pk)
    assert event.payload["notification"] == outcome.episode.notifications.get().pk
    assert (outcome.kind, outcome.review) == ("created", False)


def test_episode_events_name_the_episodes_each_chunk_started_updated_or_returned(kent, monkeypatch):
    """Off until the followers are switched on (intake.PUBLISH_EVENTS); then a
    chunk publishes, after it commits, one event of each kind with its ids."""
    from homeward import events

    heard = []
    monkeypatch.setattr(intake_module, "PUBLISH_EVENTS", True)
    monkeypatch.setattr(events, "publish", lambda name, *, episode_ids, actor=None: heard.append((name, episode_ids)))
    take(kent, [row("K-1"), row("K-2", first_name="Bo", dob="2011-02-02", returned_at="2024-05-02T08:00")],
         chunk_rows=5)
    amy, bo = (Episode.objects.get(child__first_name=n).pk for n in ("Amy", "Bo"))
    assert dict(heard) == {"episode.started": [amy, bo], "episode.updated": [], "episode.returned": [bo]}
    heard.clear()
    take(kent, [row("K-1", returned_at="2024-05-02T09:00")], chunk_rows=5)
    assert dict(heard) == {"episode.started": [], "episode.updated": [amy], "episode.returned": [amy]}
