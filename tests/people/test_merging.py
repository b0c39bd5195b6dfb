"""Merging duplicate child records, undoing merges, and the match review queue
(homeward/people/merging.py)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from homeward.access.models import AuditEvent
from homeward.access.scope import children_visible_to
from homeward.episodes.models import Episode, Notification, RiskChange
from homeward.episodes.services import notification_apply
from homeward.people.merging import child_merge, child_unmerge, review_confirm, review_reject, reviews_pending
from homeward.people.models import (
    Allocation, Child, ChildAlias, ChildFlag, ChildIdentifier, ChildMerge, MatchReview,
)
from homeward.people.resolve import by_identifier, follow_merges
from homeward.placements.models import Placement
from homeward.problems import Refused

NOW = timezone.now().replace(second=0, microsecond=0)


def at(days_ago: float, hours: float = 0) -> str:
    return timezone.localtime(NOW - dt.timedelta(days=days_ago) + dt.timedelta(hours=hours)).isoformat()


def report(world, child, ref, last_seen, returned="", source="police:kent", risk="medium", **extra):
    row = {
        "source": source, "source_ref": ref, "first_name": child.first_name, "last_name": child.last_name,
        "dob": child.dob.isoformat(), "last_seen_at": last_seen, "returned_at": returned, "risk_level": risk,
        **extra,
    }
    return notification_apply(actor=None, area_authority=world.kent, row=row, child=child).episode


@pytest.fixture
def dup(world):
    """A second record for Callum (Kent's looked-after child at Oakview), with
    one of everything, and episodes: one overlapping an episode of Callum's
    record, one on its own."""
    callum = world.callum
    cal = Child.objects.create(first_name="Cal", last_name="Reid", dob=callum.dob, sex="M", responsible_authority=world.kent)
    Placement.objects.create(child=cal, responsible_authority=world.kent, host_authority=world.kent,
                             place_code="U4", start_date=timezone.localdate() - dt.timedelta(days=800),
                             end_date=timezone.localdate() - dt.timedelta(days=500))
    ChildIdentifier.objects.create(child=cal, kind=ChildIdentifier.Kind.LA_CHILD, authority=world.kent, value="K777")
    ChildAlias.objects.create(child=cal, first_name="Callum", last_name="Reid-Smith", source="police:kent")
    ChildFlag.objects.create(child=cal, flag="cce", source="police:kent", start_date=timezone.localdate() - dt.timedelta(days=30))
    Allocation.objects.create(child=cal, kind=Allocation.Kind.RHI, organisation=world.rhi_org)

    # Callum's record: two episodes. Cal's record: one overlapping Callum's
    # first (it starts earlier and ends later), one apart.
    world.s_first = report(world, callum, "KNT-1", at(20), at(20, 10), risk="low")
    world.s_second = report(world, callum, "KNT-2", at(10), at(10, 5))
    world.d_overlap = report(world, cal, "MIS-1", at(20, -2), at(20, 20), source="provider:SC100001", risk="high")
    world.d_apart = report(world, cal, "MIS-2", at(5), at(5, 3), source="provider:SC100001")
    return cal


def snapshot(merges: bool = True):
    """Everything a merge may touch, as plain values (`merges`: and the number
    of merges, which an undo keeps)."""
    state = {
        "episodes": {e["id"]: e for e in Episode.objects.values()},
        "notifications": dict(Notification.objects.values_list("pk", "episode_id")),
        "risk_changes": {r["id"]: r for r in RiskChange.objects.values()},
        "placements": dict(Placement.objects.values_list("pk", "child_id")),
        "identifiers": dict(ChildIdentifier.objects.values_list("pk", "child_id")),
        "aliases": dict(ChildAlias.objects.values_list("pk", "child_id")),
        "flags": dict(ChildFlag.objects.values_list("pk", "child_id")),
        "allocations": dict(Allocation.objects.values_list("pk", "child_id")),
        "merged_into": dict(Child.objects.values_list("pk", "merged_into_id")),
        "reviews": dict(MatchReview.objects.values_list("pk", "state")),
    }
    if merges:
        state["merges"] = ChildMerge.objects.count()
    return state


# --- merging and undoing --------------------------------------------------------------


def test_merge_moves_every_row_of_the_duplicate_to_the_survivor(world, dup):
    callum = world.callum
    merge = child_merge(actor=world.kent_missing_officer, survivor=callum, duplicate=dup)

    dup.refresh_from_db()
    assert dup.merged_into == callum
    for related in ("episodes", "placements", "identifiers", "aliases", "flags", "allocations"):
        assert not getattr(dup, related).exists(), related
    assert Placement.objects.filter(child=callum).count() == 2
    assert ChildIdentifier.objects.get(value="K777").child == callum
    assert {(a.first_name, a.last_name) for a in callum.aliases.all()} == {("Callum", "Reid-Smith"), ("Cal", "Reid")}
    assert callum.flags.filter(flag="cce").exists()
    assert callum.allocations.filter(organisation=world.rhi_org).exists()
    assert Notification.objects.filter(episode__child=callum).count() == 4
    moved = merge.moved
    for kind in ("placements", "identifiers", "aliases", "flags", "allocations"):
        assert len(moved[kind]) == 1, kind
    assert moved["episodes"] == [world.d_apart.pk]
    assert moved["alias_added"] == ChildAlias.objects.get(child=callum, first_name="Cal").pk
    assert sorted(moved["notifications"]) == sorted(
        Notification.objects.filter(source="provider:SC100001").values_list("pk", flat=True)
    )


def test_overlapping_episodes_become_one_on_merge(world, dup):
    callum = world.callum
    merge = child_merge(actor=world.kent_missing_officer, survivor=callum, duplicate=dup)

    episodes = list(Episode.objects.filter(child=callum).order_by("started_at"))
    assert len(episodes) == 3  # Callum's two, Cal's apart; Cal's overlapping one folded in
    joined = Episode.objects.get(pk=world.s_first.pk)
    # definitions.md: the earliest last-seen time, the earliest return.
    assert joined.started_at == world.d_overlap.started_at
    assert joined.returned_at == world.s_first.returned_at
    assert set(joined.notifications.values_list("source_ref", flat=True)) == {"KNT-1", "MIS-1"}
    assert not Episode.objects.filter(pk=world.d_overlap.pk).exists()
    assert merge.moved["folded"] == [{
        "episode": world.d_overlap.pk, "child": dup.pk, "into": world.s_first.pk,
        "notifications": [Notification.objects.get(source_ref="MIS-1").pk],
        "risk_changes": sorted(RiskChange.objects.filter(episode=joined, source="provider:SC100001").values_list("pk", flat=True)),
    }]
    # The fold is the whole of the overlap: no two episodes of the child overlap.
    for a, b in zip(episodes, episodes[1:]):
        assert a.returned_at is not None and a.returned_at <= b.started_at


def test_merge_then_unmerge_restores_every_row_to_its_child_and_the_episode_times(world, dup):
    before = snapshot(merges=False)
    merge = child_merge(actor=world.kent_missing_officer, survivor=world.callum, duplicate=dup)
    assert snapshot(merges=False) != before

    child_unmerge(actor=world.kent_missing_officer, merge=merge)

    after = snapshot(merges=False)
    assert after["episodes"] == before["episodes"]  # same ids, children, times, risk, status, every field
    assert after["notifications"] == before["notifications"]
    assert after["risk_changes"] == before["risk_changes"]
    for kind in ("placements", "identifiers", "aliases", "flags", "allocations", "merged_into"):
        assert after[kind] == before[kind], kind
    merge.refresh_from_db()
    assert merge.undone_at is not None and merge.undone_by == world.kent_missing_officer
    dup.refresh_from_db()
    assert dup.merged_into is None
    assert children_visible_to(world.kent_missing_officer).filter(pk=dup.pk).exists()


def test_overlapping_episodes_folded_on_merge_are_restored_on_undo(world, dup):
    merge = child_merge(actor=world.kent_missing_officer, survivor=world.callum, duplicate=dup)
    child_unmerge(actor=world.kent_missing_officer, merge=merge)

    restored = Episode.objects.get(pk=world.d_overlap.pk)
    assert restored.child == dup
    assert (restored.started_at, restored.returned_at, restored.risk_level) == (
        world.d_overlap.started_at, world.d_overlap.returned_at, "high")
    assert list(restored.notifications.values_list("source_ref", flat=True)) == ["MIS-1"]
    first = Episode.objects.get(pk=world.s_first.pk)
    assert (first.started_at, first.returned_at, first.risk_level) == (
        world.s_first.started_at, world.s_first.returned_at, "low")
    assert list(first.notifications.values_list("source_ref", flat=True)) == ["KNT-1"]


def test_an_episode_bridging_two_of_the_survivors_folds_all_three_and_undo_restores_them(world):
    callum = world.callum
    cal = Child.objects.create(first_name="Cal", last_name="Reid", dob=callum.dob, responsible_authority=world.kent)
    a = report(world, callum, "KNT-A", at(9), at(9, 4))
    b = report(world, callum, "KNT-B", at(9, 6), at(9, 9))
    bridge = report(world, cal, "MIS-X", at(9, 2), at(9, 8), source="provider:SC100001")
    before = snapshot(merges=False)

    merge = child_merge(actor=world.kent_missing_officer, survivor=callum, duplicate=cal)
    assert Episode.objects.filter(child=callum).count() == 1
    one = Episode.objects.get(child=callum)
    assert one.pk == a.pk and one.notifications.count() == 3
    assert {f["episode"] for f in merge.moved["folded"]} == {b.pk, bridge.pk}

    child_unmerge(actor=world.kent_missing_officer, merge=merge)
    assert snapshot(merges=False) == before


def test_merge_folds_open_episodes_of_both_records_into_one(world):
    callum = world.callum
    cal = Child.objects.create(first_name="Cal", last_name="Reid", dob=callum.dob, responsible_authority=world.kent)
    mine = report(world, callum, "KNT-O", at(1))
    theirs = report(world, cal, "MIS-O", at(1, -3), source="provider:SC100001")
    before = snapshot(merges=False)

    merge = child_merge(actor=world.kent_missing_officer, survivor=callum, duplicate=cal)
    one = Episode.objects.get(child=callum)
    assert one.pk == mine.pk and one.returned_at is None and one.started_at == theirs.started_at

    child_unmerge(actor=world.kent_missing_officer, merge=merge)
    assert snapshot(merges=False) == before


def test_undo_takes_a_later_update_of_a_folded_report_back_with_it(world, dup):
    merge = child_merge(actor=world.kent_missing_officer, survivor=world.callum, duplicate=dup)
    # The home corrects its report after the merge: it follows its report's episode.
    report(world, dup, "MIS-1", at(20, -2), at(20, 15), source="provider:SC100001", risk="medium")
    assert Episode.objects.get(pk=world.s_first.pk).notifications.count() == 3

    child_unmerge(actor=world.kent_missing_officer, merge=merge)

    restored = Episode.objects.get(pk=world.d_overlap.pk)
    assert restored.child_id == dup.pk
    assert restored.notifications.count() == 2
    assert restored.returned_at.isoformat() == dt.datetime.fromisoformat(at(20, 15)).astimezone(dt.timezone.utc).isoformat()
    first = Episode.objects.get(pk=world.s_first.pk)
    assert (first.started_at, first.returned_at) == (world.s_first.started_at, world.s_first.returned_at)


def test_merge_keeps_one_copy_of_rows_both_records_hold_and_undo_gives_the_duplicate_its_own(world, dup):
    callum = world.callum
    ChildAlias.objects.create(child=callum, first_name="Callum", last_name="Reid-Smith", source="la:886")
    ChildFlag.objects.create(child=callum, flag="cce", source="police:kent", start_date=timezone.localdate() - dt.timedelta(days=30))
    before = snapshot(merges=False)

    merge = child_merge(actor=world.kent_missing_officer, survivor=callum, duplicate=dup)
    assert callum.aliases.filter(last_name="Reid-Smith").count() == 1
    assert callum.flags.filter(flag="cce").count() == 1
    assert len(merge.moved["dropped"]["aliases"]) == 1 and len(merge.moved["dropped"]["flags"]) == 1

    child_unmerge(actor=world.kent_missing_officer, merge=merge)
    assert snapshot(merges=False) == before


def test_the_survivors_episodes_learn_the_duplicates_placement_and_forget_it_on_undo(world):
    ellie = world.ellie  # lives at home in Kent
    episode = report(world, ellie, "KNT-E", at(3), at(3, 6))
    assert episode.missing_from == "home"
    in_care = Child.objects.create(first_name="Ellie", last_name="Hart", dob=ellie.dob, sex="F", responsible_authority=world.kent)
    Placement.objects.create(child=in_care, responsible_authority=world.kent, host_authority=world.kent,
                             provider=world.oakview, place_code="K2", start_date=timezone.localdate() - dt.timedelta(days=10))
    before = snapshot(merges=False)

    merge = child_merge(actor=world.kent_missing_officer, survivor=ellie, duplicate=in_care)
    episode.refresh_from_db()
    assert (episode.missing_from, episode.provider) == ("care", world.oakview)

    child_unmerge(actor=world.kent_missing_officer, merge=merge)
    assert snapshot(merges=False) == before


def test_a_placement_both_records_hold_is_kept_once_and_given_back_on_undo(world):
    callum = world.callum
    theirs = Placement.objects.get(child=callum)
    cal = Child.objects.create(first_name="Cal", last_name="Reid", dob=callum.dob, responsible_authority=world.kent)
    Placement.objects.create(child=cal, responsible_authority=world.kent, host_authority=world.kent,
                             provider=world.oakview, place_code="K2", start_date=theirs.start_date)
    before = snapshot(merges=False)

    merge = child_merge(actor=world.kent_missing_officer, survivor=callum, duplicate=cal)
    assert list(Placement.objects.filter(child=callum)) == [theirs]
    assert len(merge.moved["dropped"]["placements"]) == 1

    child_unmerge(actor=world.kent_missing_officer, merge=merge)
    assert snapshot(merges=False) == before


# --- refusals -------------------------------------------------------------------------


def refused(call, **kwargs) -> Refused:
    before = snapshot(), AuditEvent.objects.count()
    with pytest.raises(Refused) as info:
        call(**kwargs)
    assert (snapshot(), AuditEvent.objects.count()) == before  # a refusal changes nothing
    return info.value


def fields(exc: Refused) -> set[str]:
    return {p.field for p in exc.problems}


def test_merging_a_record_into_itself_is_refused(world):
    exc = refused(child_merge, actor=world.kent_missing_officer, survivor=world.callum, duplicate=world.callum)
    assert fields(exc) == {"duplicate"}


def test_merging_into_or_from_a_record_already_merged_is_refused(world, dup):
    other = Child.objects.create(first_name="C", last_name="Reid", dob=world.callum.dob, responsible_authority=world.kent)
    child_merge(actor=world.kent_missing_officer, survivor=world.callum, duplicate=dup)
    exc = refused(child_merge, actor=world.kent_missing_officer, survivor=dup, duplicate=other)
    assert fields(exc) == {"survivor"} and "already been merged" in exc.problems[0].message
    exc = refused(child_merge, actor=world.kent_missing_officer, survivor=other, duplicate=dup)
    assert fields(exc) == {"duplicate"}


def test_a_persona_who_cannot_see_one_of_the_children_is_refused(world):
    # Sam lives at home in Southwark: outside Kent's scope.
    exc = refused(child_merge, actor=world.kent_missing_officer, survivor=world.ellie, duplicate=world.sam)
    assert fields(exc) == {"duplicate"}
    exc = refused(child_merge, actor=world.southwark_missing_officer, survivor=world.ellie, duplicate=world.sam)
    assert fields(exc) == {"survivor"}
    refused(child_merge, actor=world.kent_analyst, survivor=world.ellie, duplicate=world.callum)


def test_different_dates_of_birth_need_a_manager_and_force(world):
    twin = Child.objects.create(first_name="Callum", last_name="Reid", dob=world.callum.dob - dt.timedelta(days=1),
                                responsible_authority=world.kent)
    exc = refused(child_merge, actor=world.kent_missing_officer, survivor=world.callum, duplicate=twin)
    assert fields(exc) == {"dob"}
    exc = refused(child_merge, actor=world.kent_missing_officer, survivor=world.callum, duplicate=twin, force=True)
    assert fields(exc) == {"force"}
    exc = refused(child_merge, actor=world.kent_team_manager, survivor=world.callum, duplicate=twin)
    assert fields(exc) == {"dob"}

    merge = child_merge(actor=world.kent_team_manager, survivor=world.callum, duplicate=twin, force=True)
    assert merge.moved["forced"] is True
    twin.refresh_from_db()
    assert twin.merged_into == world.callum


def test_two_different_placements_starting_the_same_day_are_refused(world):
    callum = world.callum
    cal = Child.objects.create(first_name="Cal", last_name="Reid", dob=callum.dob, responsible_authority=world.kent)
    Placement.objects.create(child=cal, responsible_authority=world.kent, place_code="U4",
                             start_date=Placement.objects.get(child=callum).start_date)
    exc = refused(child_merge, actor=world.kent_missing_officer, survivor=callum, duplicate=cal)
    assert fields(exc) == {"placements"}


def test_undoing_twice_is_refused(world, dup):
    merge = child_merge(actor=world.kent_missing_officer, survivor=world.callum, duplicate=dup)
    child_unmerge(actor=world.kent_missing_officer, merge=merge)
    exc = refused(child_unmerge, actor=world.kent_missing_officer, merge=merge)
    assert "already been undone" in exc.problems[0].message


def test_undo_is_refused_naming_what_moved_since(world, dup):
    merge = child_merge(actor=world.kent_missing_officer, survivor=world.callum, duplicate=dup)
    ChildIdentifier.objects.filter(value="K777").update(child=world.ellie)
    exc = refused(child_unmerge, actor=world.kent_missing_officer, merge=merge)
    assert fields(exc) == {"identifiers"}
    assert "now belong to another child's record" in exc.problems[0].message


def test_undo_after_a_later_report_joined_the_survivors_episodes_still_gives_the_duplicate_its_own(world, dup):
    merge = child_merge(actor=world.kent_missing_officer, survivor=world.callum, duplicate=dup)
    # A later report bridges the joined episode and Callum's next one: one episode now.
    report(world, world.callum, "KNT-9", at(20, 1), at(10, 1))
    assert not Episode.objects.filter(pk=world.s_second.pk).exists()

    child_unmerge(actor=world.kent_missing_officer, merge=merge)

    restored = Episode.objects.get(pk=world.d_overlap.pk)
    assert restored.child == dup and list(restored.notifications.values_list("source_ref", flat=True)) == ["MIS-1"]
    assert set(Notification.objects.filter(episode__child=world.callum).values_list("source_ref", flat=True)) == {
        "KNT-1", "KNT-2", "KNT-9"}


def test_undo_is_refused_when_the_joined_episode_was_joined_into_another_since(world, dup):
    merge = child_merge(actor=world.kent_missing_officer, survivor=world.callum, duplicate=dup)
    # Two later reports: an earlier episode, then one bridging it and the
    # joined episode, which is folded into the earlier one.
    report(world, world.callum, "KNT-8", at(25), at(25, 2))
    report(world, world.callum, "KNT-9", at(25, 1), at(20, 1))
    assert not Episode.objects.filter(pk=world.s_first.pk).exists()
    exc = refused(child_unmerge, actor=world.kent_missing_officer, merge=merge)
    assert fields(exc) == {"episodes"}
    assert "joined with another" in exc.problems[0].message


def test_undo_of_a_merge_whose_survivor_was_merged_again_must_wait(world, dup):
    third = Child.objects.create(first_name="Callum", last_name="Reid", dob=world.callum.dob, responsible_authority=world.kent)
    first = child_merge(actor=world.kent_missing_officer, survivor=world.callum, duplicate=dup)
    second = child_merge(actor=world.kent_missing_officer, survivor=third, duplicate=world.callum)
    exc = refused(child_unmerge, actor=world.kent_missing_officer, merge=first)
    assert "undo that merge first" in exc.problems[0].message
    child_unmerge(actor=world.kent_missing_officer, merge=second)
    child_unmerge(actor=world.kent_missing_officer, merge=first)
    assert Episode.objects.filter(child=dup).count() == 2


def test_undo_by_a_persona_who_cannot_see_the_child_is_refused(world, dup):
    merge = child_merge(actor=world.kent_missing_officer, survivor=world.callum, duplicate=dup)
    refused(child_unmerge, actor=world.met_police, merge=merge)


# --- audit and scope ------------------------------------------------------------------


def test_merge_and_undo_write_audit_events_for_both_children(world, dup):
    officer = world.kent_missing_officer
    merge = child_merge(actor=officer, survivor=world.callum, duplicate=dup)
    events = AuditEvent.objects.filter(object_type="childmerge", object_id=str(merge.pk))
    assert sorted(events.values_list("child_id", flat=True)) == sorted([world.callum.pk, dup.pk])
    assert {e.actor_username for e in events} == {officer.username}
    assert all(e.action == AuditEvent.Action.UPDATE and e.payload["duplicate"] == dup.pk for e in events)

    child_unmerge(actor=officer, merge=merge)
    undo = events.filter(summary__startswith="Undid")
    assert sorted(undo.values_list("child_id", flat=True)) == sorted([world.callum.pk, dup.pk])


def test_the_merged_duplicate_leaves_scope_but_its_old_id_leads_to_the_survivor(world, dup):
    officer = world.kent_missing_officer
    assert children_visible_to(officer).filter(pk=dup.pk).exists()
    child_merge(actor=officer, survivor=world.callum, duplicate=dup)

    assert not children_visible_to(officer).filter(pk=dup.pk).exists()
    assert children_visible_to(officer).filter(pk=world.callum.pk).exists()
    assert follow_merges(Child.objects.get(pk=dup.pk)) == world.callum
    assert by_identifier(authority=world.kent, value="K777") == world.callum
    # A further report about the duplicate's old identifier reaches the survivor.
    outcome = notification_apply(actor=None, area_authority=world.kent, row={
        "source": "la:886", "source_ref": "MFH-1", "child_ref": "K777", "first_name": "Cal", "last_name": "Reid",
        "dob": dup.dob.isoformat(), "last_seen_at": at(2), "responsible_authority": "886",
    })
    assert outcome.child == world.callum


# --- the review queue -----------------------------------------------------------------


def review_world(world):
    """Beth Hart is known; a report of 'Amy Elizabeth Hart', same birthday, is
    uncertain (a middle name?): a new record and a review."""
    beth = Child.objects.create(first_name="Beth", last_name="Hart", dob=dt.date(2010, 6, 1), sex="F", home_authority=world.kent)
    outcome = notification_apply(actor=None, area_authority=world.kent, row={
        "source": "police:kent", "source_ref": "KNT-R1", "first_name": "Amy Elizabeth", "last_name": "Hart",
        "dob": "2010-06-01", "sex": "F", "last_seen_at": at(3), "returned_at": at(3, 4),
    })
    assert outcome.review and outcome.child != beth
    return beth, outcome.child, MatchReview.objects.get(reported_child=outcome.child, candidate=beth)


def test_confirming_a_review_merges_the_reported_record_into_the_candidate(world):
    beth, amy, review = review_world(world)
    officer = world.kent_missing_officer
    assert list(reviews_pending(actor=officer)) == [review]

    merge = review_confirm(actor=officer, review=review)

    review.refresh_from_db()
    amy.refresh_from_db()
    assert review.state == MatchReview.State.CONFIRMED and review.decided_by == officer
    assert amy.merged_into == beth and merge.duplicate == amy and merge.moved["review"] == review.pk
    assert Episode.objects.filter(child=beth).count() == 1
    assert list(reviews_pending(actor=officer)) == []
    assert AuditEvent.objects.filter(object_type="matchreview", object_id=str(review.pk)).exists()

    child_unmerge(actor=officer, merge=merge)
    review.refresh_from_db()
    assert review.state == MatchReview.State.UNDONE


def test_rejecting_a_review_keeps_the_records_apart(world):
    beth, amy, review = review_world(world)
    officer = world.kent_missing_officer
    review_reject(actor=officer, review=review)
    review.refresh_from_db()
    assert review.state == MatchReview.State.REJECTED and review.decided_at is not None
    assert list(reviews_pending(actor=officer)) == []
    assert AuditEvent.objects.filter(object_type="matchreview", summary__startswith="Rejected").count() == 2

    # A decided review cannot be decided again.
    refused(review_confirm, actor=officer, review=review)
    refused(review_reject, actor=officer, review=review)


def test_after_a_rejection_a_report_that_fits_the_reported_record_is_linked_to_it(world):
    beth, amy, review = review_world(world)
    # Without the decision, the next report fits Amy's record best but Beth's
    # too closely to choose: another record and another review.
    row = {"source": "police:kent", "first_name": "Amy Elizabeth", "last_name": "Hart", "dob": "2010-06-01",
           "sex": "F", "last_seen_at": at(1), "returned_at": at(1, 2)}
    from django.db import transaction

    with transaction.atomic():
        undecided = notification_apply(actor=None, area_authority=world.kent, row={**row, "source_ref": "KNT-R2"})
        assert undecided.child not in (amy, beth) and undecided.review
        transaction.set_rollback(True)

    review_reject(actor=world.kent_missing_officer, review=review)
    outcome = notification_apply(actor=None, area_authority=world.kent, row={**row, "source_ref": "KNT-R2"})
    assert outcome.child == amy and not outcome.review
    # A report of Beth's own name still goes to Beth.
    beths = notification_apply(actor=None, area_authority=world.kent, row={
        **row, "source_ref": "KNT-R3", "first_name": "Beth", "last_seen_at": at(6), "returned_at": at(6, 1)})
    assert beths.child == beth


def test_reviews_pending_lists_only_reviews_whose_two_records_the_actor_can_see(world):
    beth, amy, review = review_world(world)
    southwark_child = Child.objects.create(first_name="Amy", last_name="Hart", dob=dt.date(2010, 6, 1), sex="F",
                                           home_authority=world.southwark)
    hidden = MatchReview.objects.create(reported_child=amy, candidate=southwark_child, score=20.0)
    assert list(reviews_pending(actor=world.kent_missing_officer)) == [review]
    assert hidden not in reviews_pending(actor=world.southwark_missing_officer)
    assert list(reviews_pending(actor=world.kent_analyst)) == []
    exc = refused(review_reject, actor=world.kent_missing_officer, review=hidden)
    assert fields(exc) == {"candidate"}
    refused(review_confirm, actor=world.kent_missing_officer, review=hidden)
