"""British National Grid (OSGB36) to WGS84 with the Ordnance Survey's formulae."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from homeward.places import rules


def dms(d, m, s):
    return d + m / 60 + s / 3600


def metres_between(a, b) -> float:
    (lat1, lon1), (lat2, lon2) = a, b
    k = math.cos(math.radians((lat1 + lat2) / 2))
    return math.hypot((lat1 - lat2) * 111_320, (lon1 - lon2) * 111_320 * k)


def test_the_os_guide_worked_example_inverse_projection_to_osgb36_is_exact():
    # "A guide to coordinate systems in Great Britain", annex C: E 651409.903 N 313177.270
    # -> 52°39'27.2531"N 1°43'4.5177"E on OSGB36.
    lat, lon = rules.grid_to_osgb36(651409.903, 313177.270)
    assert lat == pytest.approx(dms(52, 39, 27.2531), abs=1e-7)
    assert lon == pytest.approx(dms(1, 43, 4.5177), abs=1e-7)


def test_the_os_guide_worked_example_forward_projection():
    e, n = rules.osgb36_to_grid(dms(52, 39, 27.2531), dms(1, 43, 4.5177))
    assert e == pytest.approx(651409.903, abs=0.01)
    assert n == pytest.approx(313177.270, abs=0.01)


def test_the_worked_example_in_wgs84_is_within_a_few_metres_of_the_published_value():
    # The same point on WGS84 (Helmert): 52°39'28.72"N 1°42'57.79"E.
    got = rules.grid_to_wgs84(651409.903, 313177.270)
    assert metres_between(got, (dms(52, 39, 28.72), dms(1, 42, 57.79))) < 1.0


def test_the_datum_shift_between_osgb36_and_wgs84_is_applied():
    # OSGB36 and WGS84 differ by up to ~120 m in Great Britain: the datum shift is applied.
    osgb = rules.grid_to_osgb36(530000, 180000)
    wgs = rules.grid_to_wgs84(530000, 180000)
    assert 50 < metres_between(osgb, wgs) < 150


@settings(max_examples=200, deadline=None)
@given(st.floats(min_value=0, max_value=700_000), st.floats(min_value=0, max_value=1_250_000))
def test_grid_to_wgs84_and_back_round_trips_to_within_five_centimetres(easting, northing):
    # (The inverse Helmert is the same transformation with the signs changed,
    # as the OS publishes it: not an exact inverse, but within millimetres
    # to centimetres across the grid.)
    lat, lon = rules.grid_to_wgs84(easting, northing)
    e, n = rules.wgs84_to_grid(lat, lon)
    assert abs(e - easting) < 0.05 and abs(n - northing) < 0.05
