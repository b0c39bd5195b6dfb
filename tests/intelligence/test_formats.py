"""Phone numbers, vehicle registrations, ages and sources on a person of concern's record."""

from __future__ import annotations

import pytest

from homeward.intelligence import formats


@pytest.mark.parametrize("typed, canonical", [
    ("07700 900123", "07700900123"),
    ("+44 7700 900123", "07700900123"),
    ("+44 (0)7700 900123", "07700900123"),
    ("0044 7700-900-123", "07700900123"),
    ("020 7946 0123", "02079460123"),
    ("01632 96000", "0163296000"),  # 10 digits: some area codes have them
    ("+33 6 12 34 56 78", "+33612345678"),
])
def test_a_phone_number_however_written_has_one_canonical_form(typed, canonical):
    assert formats.parse_phone(typed) == canonical


def test_a_blank_phone_number_is_refused():
    with pytest.raises(ValueError, match="Enter the phone number"):
        formats.parse_phone("  ")


@pytest.mark.parametrize("typed", [
    "077009001",  # 9 digits
    "077009001234",  # 12 digits
    "7700900123",  # no leading 0
    "07700 9OO123",  # letters O for zeros
    "call me",
    "+1234567",  # international: 7 digits
    "+1234567890123456",  # 16 digits
    "+0612345678",
])
def test_what_is_not_a_phone_number_is_refused(typed):
    with pytest.raises(ValueError, match="phone number"):
        formats.parse_phone(typed)


def test_numbers_are_shown_as_people_write_them():
    assert formats.show_phone("07700900123") == "07700 900123"
    assert formats.show_phone("02079460123") == "020 7946 0123"
    assert formats.show_phone("0163296000") == "0163 296000"
    assert formats.show_phone("+33612345678") == "+33612345678"


@pytest.mark.parametrize("typed, canonical", [
    ("ab12cde", "AB12 CDE"),
    ("AB12 CDE", "AB12 CDE"),
    ("ab-12-cde", "AB12 CDE"),
    ("A123 BCD", "A123 BCD"),
    ("a1bcd", "A1 BCD"),
    ("ABC 123D", "ABC 123D"),
    ("XYZ 1234", "XYZ 1234"),  # dateless, and Northern Ireland's
    ("1234 AB", "1234 AB"),
    ("AB 1", "AB 1"),
])
def test_uk_registrations_in_each_format_have_one_canonical_form(typed, canonical):
    assert formats.parse_registration(typed) == canonical


@pytest.mark.parametrize("typed, reason", [
    ("", "Enter the registration"),
    ("AB12 CD", "not a UK vehicle registration"),  # a letter short
    ("AB123 CDE", "not a UK vehicle registration"),
    ("ABCD", "not a UK vehicle registration"),  # no number
    ("12345", "not a UK vehicle registration"),
    ("IB12 CDE", "never I, Q or Z"),
    ("AQ12 CDE", "never I, Q or Z"),
    ("AB12 C£E", "only letters and numbers"),
    ("AB12 ÇDE", "only letters and numbers"),
])
def test_what_is_not_a_uk_registration_is_refused(typed, reason):
    with pytest.raises(ValueError, match=reason):
        formats.parse_registration(typed)


@pytest.mark.parametrize("typed, ages", [
    ("", (None, None)),
    ("25", (25, 25)),
    ("about 25", (25, 25)),
    ("25 years old", (25, 25)),
    ("20-25", (20, 25)),
    ("20 to 25", (20, 25)),
    ("0", (0, 0)),
    ("120", (120, 120)),
])
def test_an_age_or_a_range_is_read(typed, ages):
    assert formats.parse_age(typed) == ages


@pytest.mark.parametrize("typed, reason", [
    ("121", "from 0 to 120"),
    ("30-20", "must not be more than"),
    ("twenties", "not an age"),
    ("-5", "not an age"),
    ("20-130", "from 0 to 120"),
])
def test_an_age_that_is_not_one_is_refused(typed, reason):
    with pytest.raises(ValueError, match=reason):
        formats.parse_age(typed)


def test_ages_are_shown_as_about_or_a_range():
    assert formats.show_age(25, 25) == "about 25"
    assert formats.show_age(20, 25) == "20 to 25"
    assert formats.show_age(None, None) == ""


@pytest.mark.parametrize("typed, canonical", [
    ("rhi:12", "rhi:12"),
    ("RHI: 12", "rhi:12"),
    ("police:KNT-000101", "police:KNT-000101"),
    ("police:MET/2025/0042", "police:MET/2025/0042"),
    ("officer", "officer"),
    ("episode:7", "episode:7"),
    ("meeting:3", "meeting:3"),
])
def test_sources_are_read(typed, canonical):
    assert str(formats.parse_source(typed)) == canonical


@pytest.mark.parametrize("typed, reason", [
    ("", "Enter where this came from"),
    ("rhi:", "interview number"),
    ("rhi:0", "interview number"),
    ("rhi:abc", "interview number"),
    ("police:", "force's reference"),
    ("police:KNT 000101", "force's reference"),
    ("a friend", "is not a source"),
    ("officer:bob", "is not a source"),
])
def test_a_source_that_is_not_one_is_refused(typed, reason):
    with pytest.raises(ValueError, match=reason):
        formats.parse_source(typed)


def test_sources_are_described_in_words():
    assert formats.describe_source("rhi:12") == "Return interview 12"
    assert formats.describe_source("police:KNT-1") == "Police KNT-1"
    assert formats.describe_source("officer") == "Officer’s own knowledge"
