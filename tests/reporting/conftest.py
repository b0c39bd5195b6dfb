"""Fixtures for the key figures: the authorities the scenarios use (helpers.py builds the worlds)."""

from types import SimpleNamespace

import pytest

from homeward.placements.models import Authority


@pytest.fixture
def la(db):
    """Kent (886), Southwark (210) and Nottinghamshire (891)."""
    return SimpleNamespace(
        kent=Authority.objects.get(code="886"),
        southwark=Authority.objects.get(code="210"),
        notts=Authority.objects.get(code="891"),
    )
