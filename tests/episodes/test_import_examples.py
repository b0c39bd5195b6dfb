"""The contract's example files give the figures their README states."""

from pathlib import Path

import pytest

from homeward.episodes.importing import import_notifications
from homeward.episodes.models import Episode, Notification, RiskChange
from homeward.people.models import Child, ChildFlag
from homeward.placements.models import Authority

EXAMPLES = Path(__file__).resolve().parents[1] / "fixtures" / "examples"  # copies of shared/spec/examples


@pytest.fixture
def kent(db):
    return Authority.objects.get(code="886")


def run(kent, name="notifications.csv"):
    summary, _ = import_notifications(actor=None, authority=kent, path=EXAMPLES / name)
    return summary


def test_example_notifications_give_two_episodes_one_from_home(kent):
    summary = run(kent)
    assert summary.rejected == []
    assert (summary.created, summary.updated, summary.merged) == (2, 2, 1)
    ellie = Episode.objects.get(child__first_name="Ellie")
    callum = Episode.objects.get(child__first_name="Callum")
    assert Episode.objects.count() == 2 and Child.objects.count() == 2
    assert round(ellie.duration_hours, 1) == 13.1
    assert round(callum.duration_hours, 1) == 31.5
    assert ellie.missing_from == "home"
    assert callum.missing_from == "care"  # no placement known: the reporter said care
    assert callum.notifications.count() == 3
    assert callum.risk_level == "high"
    assert set(ChildFlag.objects.filter(child=callum.child).values_list("flag", flat=True)) == {"cce", "county_lines"}


def test_callums_episode_starts_when_the_home_last_saw_him_and_ends_at_police_return(kent):
    run(kent)
    callum = Episode.objects.get(child__first_name="Callum")
    from django.utils import timezone

    assert timezone.localtime(callum.started_at).strftime("%Y-%m-%d %H:%M") == "2024-07-06 19:00"
    assert timezone.localtime(callum.returned_at).strftime("%Y-%m-%d %H:%M") == "2024-07-08 02:30"
    assert callum.found_postcode == "SE1 7PB"


def test_importing_the_same_file_twice_changes_nothing(kent):
    run(kent)
    before = (Episode.objects.count(), Notification.objects.count(), RiskChange.objects.count(), Child.objects.count())
    stamps = list(Episode.objects.order_by("pk").values_list("updated_at", flat=True))
    again = run(kent)
    assert (again.created, again.updated, again.merged, again.unchanged) == (0, 0, 0, 5)
    assert (Episode.objects.count(), Notification.objects.count(), RiskChange.objects.count(), Child.objects.count()) == before
    assert list(Episode.objects.order_by("pk").values_list("updated_at", flat=True)) == stamps


def test_risk_change_from_a_later_row_is_kept_in_the_history(kent):
    run(kent)
    ellie = Episode.objects.get(child__first_name="Ellie")
    assert list(ellie.risk_changes.values_list("previous_level", "risk_level")) == [("", "medium"), ("medium", "low")]
    assert ellie.risk_level == "low"


def test_raw_rows_are_kept_exactly_as_received(kent):
    run(kent)
    first = Notification.objects.filter(source_ref="KNT-000101").order_by("pk").first()
    assert first.raw["notes"] == "reported by mother; phone switched off"
    assert first.raw["returned_at"] == ""
    assert first.line == 2


def test_fixture_copies_match_the_shared_spec_examples():
    shared = Path(__file__).resolve().parents[3] / "shared" / "spec" / "examples"
    if not shared.exists():
        pytest.skip("shared/spec/examples is not beside this checkout")
    for name in ("notifications.csv", "header.csv", "episodes.csv"):
        assert (EXAMPLES / name).read_bytes() == (shared / name).read_bytes(), name
