"""The exploitation panel's shortlist: who and what it lists, for whom, and why."""

from __future__ import annotations

import datetime as dt

import pytest
from django.http import Http404
from django.utils import timezone

from homeward.intelligence.selectors import shortlist


def period(days: int = 90):
    until = timezone.localdate() + dt.timedelta(days=1)
    return {"since": until - dt.timedelta(days=days), "until": until}


def test_kent_sees_the_person_linked_to_both_children_and_why(world, dean, went_missing_together):
    result = shortlist(actor=world.kent_exploitation_officer, **period())
    assert [r.label for r in result.people] == ["Dean Mills"] and result.people[0].count == 2
    assert {link.child.first_name for link in result.people[0].why} == {"Callum", "Jade"}
    assert [(r.label, r.count) for r in result.places] == [("Maidstone station, CT1 1QU", 2)]
    children = {r.label: r for r in result.children}
    assert set(children) == {"Callum Reid", "Jade Okafor"}
    assert children["Callum Reid"].count == 3  # Jade (by the rules), Dean, the station shared with Jade
    assert any(text.startswith("Went missing together with Jade Okafor (Oakview") for text in children["Callum Reid"].why)


def test_southwark_sees_only_its_child_so_nobody_links_two_of_its_children(world, dean, went_missing_together):
    result = shortlist(actor=world.southwark_exploitation_officer, **period())
    assert result.people == []  # Dean is linked to one child Southwark sees
    assert [r.label for r in result.children] == ["Jade Okafor"]
    assert "Callum" not in " ".join(result.children[0].why)
    assert all(link.child.first_name == "Jade" for r in result.places for link in r.why)


def test_episodes_before_the_period_do_not_count(world, dean, went_missing_together):
    result = shortlist(actor=world.kent_exploitation_officer, **period(days=5))
    assert result.people == [] and result.places == [] and result.children == []


def test_a_social_worker_gets_no_shortlist(world, dean, went_missing_together):
    with pytest.raises(Http404):
        shortlist(actor=world.kent_social_worker, **period())
