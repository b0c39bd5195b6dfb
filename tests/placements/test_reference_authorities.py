"""Checks on the shipped reference list of English local authorities.

Plain pytest: no Django needed. The CSV lives at
homeward/placements/reference/authorities.csv.
"""

import csv
import re
from pathlib import Path

import pytest

CSV_PATH = (
    Path(__file__).resolve().parents[2]
    / "homeward"
    / "placements"
    / "reference"
    / "authorities.csv"
)

COLUMNS = [
    "code",
    "name",
    "region",
    "police_force",
    "police_force_name",
    "postcode_areas",
]

REGIONS = {
    "North East",
    "North West",
    "Yorkshire and the Humber",
    "East Midlands",
    "West Midlands",
    "East of England",
    "London",
    "South East",
    "South West",
}

# 153 English local authorities with children's services responsibilities
# submit the SSDA903 return from April 2023: the 152 of 2021-22, less Cumbria
# (909), plus Cumberland (942) and Westmorland and Furness (943). North
# Yorkshire (815) and Somerset (933) kept their codes when they became
# unitary. The count includes the City of London and the Isles of Scilly.
EXPECTED_ROWS = 153

# DfE codes 201-213 (inner London) and 301-320 (outer London).
LONDON_CODES = {f"{n}" for n in range(201, 214)} | {f"{n}" for n in range(301, 321)}


@pytest.fixture(scope="module")
def rows():
    with CSV_PATH.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        assert reader.fieldnames == COLUMNS
        return list(reader)


@pytest.fixture(scope="module")
def by_code(rows):
    return {row["code"]: row for row in rows}


def test_row_count(rows):
    assert len(rows) == EXPECTED_ROWS


def test_codes_are_unique_three_digit(rows):
    codes = [row["code"] for row in rows]
    assert len(codes) == len(set(codes))
    for code in codes:
        assert re.fullmatch(r"\d{3}", code), code


def test_names_are_present_and_unique(rows):
    names = [row["name"].strip() for row in rows]
    assert all(names)
    assert len(names) == len(set(names))


@pytest.mark.parametrize(
    "code,name",
    [
        ("886", "Kent"),
        ("891", "Nottinghamshire"),
        ("312", "Hillingdon"),
        ("210", "Southwark"),
        ("201", "City of London"),
        ("202", "Camden"),
        ("942", "Cumberland"),
        ("943", "Westmorland and Furness"),
        ("815", "North Yorkshire"),
        ("933", "Somerset"),
        ("825", "Buckinghamshire"),
        ("940", "North Northamptonshire"),
        ("941", "West Northamptonshire"),
        ("838", "Dorset"),
        ("839", "Bournemouth Christchurch and Poole"),
    ],
)
def test_known_codes(by_code, code, name):
    assert code in by_code
    assert by_code[code]["name"] == name


@pytest.mark.parametrize("code", ["909", "928", "835", "836", "837"])
def test_abolished_authorities_absent(by_code, code):
    # Cumbria, Northamptonshire, old Dorset county, Poole, Bournemouth.
    assert code not in by_code


def test_every_row_well_formed(rows):
    for row in rows:
        assert row["region"] in REGIONS, row
        assert re.fullmatch(r"[a-z-]+", row["police_force"]), row
        assert row["police_force_name"].strip(), row
        areas = row["postcode_areas"].split(";")
        assert areas and areas != [""], row
        for area in areas:
            assert re.fullmatch(r"[A-Z]{1,2}", area), row


def test_each_police_force_has_one_name(rows):
    names = {}
    for row in rows:
        names.setdefault(row["police_force"], set()).add(row["police_force_name"])
    for slug, found in names.items():
        assert len(found) == 1, (slug, found)


def test_london_boroughs_map_to_met_except_city(rows, by_code):
    london = [row for row in rows if row["region"] == "London"]
    assert {row["code"] for row in london} == LONDON_CODES
    for row in london:
        if row["code"] == "201":
            assert row["name"] == "City of London"
            assert row["police_force"] == "city-of-london"
        else:
            assert row["police_force"] == "met", row
    # And nothing outside London is policed by the Met.
    for row in rows:
        if row["region"] != "London":
            assert row["police_force"] not in {"met", "city-of-london"}, row


def test_example_forces(by_code):
    assert by_code["886"]["police_force"] == "kent"
    assert by_code["886"]["police_force_name"] == "Kent Police"
    assert by_code["891"]["police_force"] == "nottinghamshire"
    assert by_code["210"]["police_force_name"] == "Metropolitan Police Service"
