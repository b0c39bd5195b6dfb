"""Who sees which child, decided in one place (homeward/access/scope.py)."""

import datetime as dt

import pytest
from django.utils import timezone

from homeward.access.scope import children_visible_to, episodes_visible_to
from homeward.people.models import Allocation
from homeward.placements.models import Placement

CASE_ROLES = ["missing_officer", "social_worker", "team_manager", "senior_manager"]

EXPECTED = {
    **{f"kent_{r}": {"ellie", "callum", "jade"} for r in CASE_ROLES},
    **{f"southwark_{r}": {"jade", "sam"} for r in CASE_ROLES},
    "kent_police": {"ellie", "callum", "jade"},
    "met_police": {"sam"},
    "oakview_staff": {"callum", "jade"},
    "kent_rhi_worker": set(),
    **{f"{a}_{r}": set() for a in ("kent", "southwark") for r in ("analyst", "auditor", "admin")},
}


def visible_names(world, persona):
    ids = set(children_visible_to(getattr(world, persona)).values_list("pk", flat=True))
    return {name for name in ("ellie", "callum", "jade", "sam") if getattr(world, name).pk in ids}


@pytest.mark.parametrize("persona", sorted(EXPECTED))
def test_each_persona_sees_exactly_the_children_of_its_relationships(world, persona):
    assert visible_names(world, persona) == EXPECTED[persona]


def test_allocation_brings_a_child_into_a_return_interview_workers_scope(world):
    Allocation.objects.create(child=world.ellie, kind=Allocation.Kind.RHI, user=world.kent_rhi_worker)
    assert visible_names(world, "kent_rhi_worker") == {"ellie"}


def test_allocation_to_an_organisation_covers_its_workers(world):
    Allocation.objects.create(child=world.sam, kind=Allocation.Kind.RHI, organisation=world.rhi_org)
    assert visible_names(world, "kent_rhi_worker") == {"sam"}


def test_ended_placement_no_longer_gives_the_home_or_host_authority_scope(world):
    Placement.objects.filter(child=world.jade).update(end_date=timezone.localdate() - dt.timedelta(days=1))
    assert "jade" not in visible_names(world, "oakview_staff")
    assert "jade" not in visible_names(world, "kent_police")
    assert "jade" not in visible_names(world, "kent_missing_officer")
    assert "jade" in visible_names(world, "southwark_social_worker")


def test_an_inactive_user_sees_nothing(world):
    world.kent_missing_officer.is_active = False
    world.kent_missing_officer.save()
    assert visible_names(world, "kent_missing_officer") == set()


def test_merged_duplicate_is_not_listed(world):
    world.sam.merged_into = world.ellie
    world.sam.save()
    assert "sam" not in visible_names(world, "met_police")


def test_episodes_follow_the_childs_scope(world):
    from homeward.episodes.services import episode_report_missing

    episode = episode_report_missing(
        actor=world.kent_missing_officer, child=world.ellie, area_authority=world.kent,
        last_seen_at=timezone.now() - dt.timedelta(hours=3),
    )
    assert episodes_visible_to(world.kent_police).filter(pk=episode.pk).exists()
    assert not episodes_visible_to(world.met_police).filter(pk=episode.pk).exists()
    assert not episodes_visible_to(world.kent_analyst).filter(pk=episode.pk).exists()
