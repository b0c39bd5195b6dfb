"""`homeward postcodes load`: the ONS Postcode Directory and Code-Point Open layouts,
bad rows, re-loading, district centroids and partial postcodes."""

from __future__ import annotations

import pytest

from homeward.cli import main
from homeward.places import rules
from homeward.places.directory import LayoutError, geocode, postcodes_load
from homeward.places.models import Postcode, PostcodeDistrict

from .conftest import write_onspd


def test_onspd_layout_loads_every_good_row_and_derives_district_centroids(db, tmp_path):
    summary = postcodes_load(write_onspd(tmp_path / "onspd.csv"))
    assert summary.layout == "onspd"
    assert (summary.rows, summary.loaded, summary.bad) == (7, 7, 0)
    ct1 = Postcode.objects.get(postcode="CT1 2AB")
    assert (ct1.district, ct1.latitude, ct1.longitude, ct1.source) == ("CT1", 51.278, 1.08, "onspd")
    district = PostcodeDistrict.objects.get(district="CT1")
    assert district.postcodes == 2
    assert district.latitude == pytest.approx((51.278 + 51.28) / 2)
    assert district.longitude == pytest.approx((1.08 + 1.09) / 2)
    assert summary.districts == PostcodeDistrict.objects.count() == 6


def test_onspd_without_pcds_uses_the_seven_character_pcd_column(db, tmp_path):
    path = tmp_path / "old.csv"
    path.write_text("PCD,LAT,LONG,OSGRDIND\nME141AA,51.28,0.52,1\nN1  6AA,51.54,-0.1,1\n", encoding="utf-8")
    summary = postcodes_load(path)
    assert summary.loaded == 2
    assert set(Postcode.objects.values_list("postcode", flat=True)) == {"ME14 1AA", "N1 6AA"}


def test_bad_rows_are_reported_with_line_and_reason_and_the_rest_is_loaded(db, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text(
        "pcds,lat,long\n"
        "CT1 2AB,51.278,1.08\n"       # 2 good
        "NOTAPC,51.2,1.0\n"           # 3 not a postcode
        "CT1,51.2,1.0\n"              # 4 partial
        "CT1 3AA,north,1.0\n"         # 5 latitude not a number
        "CT1 4AA,51.2,\n"             # 6 no longitude: the ONS marks unlocated postcodes so
        "CT1 5AA,99.999999,0.000000\n"  # 7 the ONS's "no coordinates"
        "CT1 6AA,40.0,1.0\n"          # 8 not in the UK
        ",51.2,1.0\n"                 # 9 missing
        "CT1 7AA,51.2\n"              # 10 too few columns
        "ct17ab,51.281,1.081\n",      # 11 good, written compactly
        encoding="utf-8")
    summary = postcodes_load(path)
    assert summary.loaded == 2
    assert sorted(Postcode.objects.values_list("postcode", flat=True)) == ["CT1 2AB", "CT1 7AB"]
    problems = {p.line: (p.field, p.reason) for p in summary.problems}
    assert problems[3] == ("pcds", "'NOTAPC' is not a UK postcode")
    assert problems[4] == ("pcds", "a partial postcode: the directory needs full unit postcodes")
    assert problems[5] == ("lat", "'north' is not a number")
    assert problems[6] == ("long", "'' is not a number")
    assert problems[8][0] == "lat" and "not in the United Kingdom" in problems[8][1]
    assert problems[9] == ("pcds", "missing")
    assert problems[10][0] == "row" and "2 columns" in problems[10][1]
    assert 7 not in problems and summary.no_coordinates == 1
    assert summary.bad == 7


def test_reloading_is_idempotent_and_updates_moved_postcodes(db, tmp_path):
    path = write_onspd(tmp_path / "onspd.csv")
    postcodes_load(path)
    first = dict(Postcode.objects.values_list("postcode", "pk"))
    again = postcodes_load(path)
    assert again.loaded == 7 and Postcode.objects.count() == 7
    assert dict(Postcode.objects.values_list("postcode", "pk")) == first  # updated in place, not re-created
    moved = tmp_path / "moved.csv"
    moved.write_text("pcds,lat,long\nCT1 2AB,51.3,1.1\nCT9 1AA,51.39,1.38\n", encoding="utf-8")
    postcodes_load(moved)
    assert Postcode.objects.count() == 8
    assert Postcode.objects.get(postcode="CT1 2AB").latitude == 51.3
    assert PostcodeDistrict.objects.get(district="CT1").latitude == pytest.approx((51.3 + 51.28) / 2)


def test_code_point_open_without_a_header_is_converted_from_the_national_grid(db, tmp_path):
    path = tmp_path / "ct.csv"
    # Postcode, positional quality, eastings, northings, country, ... as the OS ships it.
    path.write_text(
        '"CT1 2AB",10,615100,157700,"E92000001","E19000003","E18000008","E10000016","E07000106","E05004978"\n'
        '"CT1  3AA",10,615900,157950,"E92000001","","","","",""\n'
        '"CT1 4ZZ",90,0,0,"E92000001","","","","",""\n'
        '"CT1 5AA",10,815000,157000,"E92000001","","","","",""\n',
        encoding="utf-8")
    summary = postcodes_load(path)
    assert summary.layout == "codepoint"
    assert (summary.loaded, summary.no_coordinates, summary.bad) == (2, 1, 1)
    assert summary.problems[0].line == 4 and summary.problems[0].field == "eastings"
    pc = Postcode.objects.get(postcode="CT1 2AB")
    lat, lon = rules.grid_to_wgs84(615100, 157700)
    assert (pc.latitude, pc.longitude) == (pytest.approx(lat, abs=1e-6), pytest.approx(lon, abs=1e-6))
    assert 51.2 < pc.latitude < 51.35 and 1.0 < pc.longitude < 1.2  # Canterbury
    assert pc.source == "codepoint"


def test_code_point_open_with_a_header(db, tmp_path):
    path = tmp_path / "cp.csv"
    path.write_text("Postcode,Positional_quality_indicator,Eastings,Northings\nME15 6AA,10,576000,154000\n",
                    encoding="utf-8")
    assert postcodes_load(path).loaded == 1
    assert Postcode.objects.get().district == "ME15"


def test_a_file_in_another_layout_is_refused_naming_the_file(db, tmp_path):
    path = tmp_path / "people.csv"
    path.write_text("name,age\nA,3\n", encoding="utf-8")
    with pytest.raises(LayoutError, match=r"people\.csv: line 1: not a postcode directory"):
        postcodes_load(path)
    with pytest.raises(LayoutError, match="cannot be read"):
        postcodes_load(tmp_path / "missing.csv")


def test_partial_postcodes_resolve_to_their_district_centroid(directory):
    for text in ("CT1", "ct1", "ct1 2", "CT1 9ZZ"):  # CT1 9ZZ is not in the directory
        located = geocode(text)
        assert located.district == "CT1" and located.precision == "district"
        assert located.latitude == pytest.approx((51.278 + 51.28) / 2)
    unit = geocode("ct12ab")
    assert (unit.postcode, unit.precision, unit.latitude) == ("CT1 2AB", "unit", 51.278)
    unknown = geocode("XX9 9XX")
    assert (unknown.district, unknown.precision, unknown.latitude) == ("XX9", "none", None)
    assert geocode("NFA").district == ""


def test_the_command_prints_a_summary_and_rejected_rows_and_fails_cleanly(world, tmp_path, capsys):
    path = tmp_path / "bad.csv"
    path.write_text("pcds,lat,long\nCT1 2AB,51.278,1.08\nXX,1,1\n", encoding="utf-8")
    assert main(["postcodes", "load", str(path)]) == 0
    out = capsys.readouterr().out
    assert "1 postcodes loaded or updated" in out and "1 rejected" in out
    assert f"rejected: {path}: line 3: pcds: 'XX' is not a UK postcode" in out
    other = tmp_path / "other.csv"
    other.write_text("a,b\n1,2\n", encoding="utf-8")
    assert main(["postcodes", "load", str(other)]) != 0
    err = capsys.readouterr().err
    assert f"{other}: line 1" in err and "Traceback" not in err
    assert main(["postcodes", "lookup", "ct1"]) == 0
    assert "district CT1" in capsys.readouterr().out


def test_the_shipped_synthetic_directory_loads_and_covers_the_generators_districts(db):
    from homeward.places.demo import SYNTHETIC_POSTCODES
    from homeward.synth import geography as geo

    summary = postcodes_load(SYNTHETIC_POSTCODES)
    assert summary.bad == 0 and 1000 < summary.loaded < 5000
    lo, hi, _ = geo.district_range("CT")
    districts = set(PostcodeDistrict.objects.values_list("district", flat=True))
    assert {f"CT{n}" for n in range(lo, hi + 1)} <= districts
    assert {"SE1", "N1", "E1", "NW1", "WC2"} <= districts
    assert geocode("ME15 6AA").precision == "unit"  # the tests' and demo's named postcodes
