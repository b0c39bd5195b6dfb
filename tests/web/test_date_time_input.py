"""Reading typed dates and times as Europe/London time, and showing durations."""

from __future__ import annotations

import datetime as dt

import pytest

from homeward.web.forms import DateTimeInput, Errors
from homeward.web.templatetags.homeward import humanise_duration

UTC = dt.timezone.utc


def read(day, month, year, time):
    errors = Errors()
    field = DateTimeInput("x", "When?", "the child was last seen")
    field.bind({"x-day": day, "x-month": month, "x-year": year, "x-time": time})
    return field.clean(errors), errors


@pytest.mark.parametrize(
    "typed, expected",
    [
        (("5", "7", "2024", "21:10"), dt.datetime(2024, 7, 5, 20, 10, tzinfo=UTC)),  # BST
        (("05", "01", "2024", "21.10"), dt.datetime(2024, 1, 5, 21, 10, tzinfo=UTC)),  # GMT, dot accepted
        (("5", "1", "2024", "0930"), dt.datetime(2024, 1, 5, 9, 30, tzinfo=UTC)),
        (("31", "3", "2024", "02:30"), dt.datetime(2024, 3, 31, 1, 30, tzinfo=UTC)),  # just after the change
        # 01:30 on 27 October 2024 happened twice: the first (BST) is taken.
        (("27", "10", "2024", "01:30"), dt.datetime(2024, 10, 27, 0, 30, tzinfo=UTC)),
    ],
)
def test_typed_times_are_london_wall_clock_times(typed, expected):
    value, errors = read(*typed)
    assert not errors and value.astimezone(UTC) == expected  # (PEP 495: an ambiguous time never == across zones)


def test_a_time_skipped_when_the_clocks_go_forward_is_refused():
    value, errors = read("31", "3", "2024", "01:30")
    assert value is None and "clocks went forward" in errors.items[0]["text"]
    assert errors.items[0]["href"] == "#x-time"


def test_a_date_without_a_time_is_refused():
    value, errors = read("5", "7", "2024", "")
    assert value is None and errors.by_field["x"] == "Enter the time the child was last seen"


@pytest.mark.parametrize(
    "delta, text",
    [
        (dt.timedelta(minutes=1), "1 minute"),
        (dt.timedelta(minutes=59), "59 minutes"),
        (dt.timedelta(hours=1), "1 hour 0 minutes"),
        (dt.timedelta(hours=5, minutes=1), "5 hours 1 minute"),
        (dt.timedelta(days=1), "1 day 0 hours"),
        (dt.timedelta(days=2, hours=3, minutes=59), "2 days 3 hours"),
        (dt.timedelta(seconds=-5), "0 minutes"),
    ],
)
def test_durations_read_as_days_and_hours(delta, text):
    assert humanise_duration(delta) == text
