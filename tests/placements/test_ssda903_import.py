"""`homeward import ssda903`: the service `ssda903_import` and the command body
`run_ssda903_command` (homeward/placements/ssda903.py, docs/ssda903-import.md)."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pytest
from django.utils import timezone

from homeward.access.models import AuditEvent
from homeward.people.models import Child, ChildIdentifier
from homeward.placements.models import Authority, Placement, Provider
from homeward.placements.services import authorities_load_reference
from homeward.placements.ssda903 import (
    Ssda903Refused,
    provider_kind_for,
    run_ssda903_command,
    ssda903_import,
)

# The example files of the shared spec (spec/examples/header.csv and
# episodes.csv), embedded here; tests/fixtures/examples holds copies of the
# files (compared with the spec itself, when it is beside the checkout, by
# tests/episodes/test_import_examples.py).
EXAMPLES = Path(__file__).resolve().parents[1] / "fixtures" / "examples"

HEADER = """CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB
X2001,M,02/11/2008,WBRI,,,
X2002,F,19/06/2010,MWBC,,0,
"""
EPISODES = """CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE,HOME_POST,PL_POST,URN
X2001,14/01/2023,S,C2,N1,K2,PR4,,X1,,ME14 1,ME15 6,SC999001
X2002,01/09/2022,S,C2,N1,U1,PR1,,X1,,CT1 2,CT2 7,XXXXXXX
"""
EPISODE_COLUMNS = "CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE,HOME_POST,PL_POST,URN"


def write(tmp_path: Path, name: str, text: str, encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def fmt(day: dt.date) -> str:
    return day.strftime("%d/%m/%Y")


@pytest.fixture
def kent(db):
    authorities_load_reference()
    return Authority.objects.get(code="886")


def run(tmp_path, kent, header=HEADER, episodes=EPISODES, **kw):
    return ssda903_import(
        actor=None, authority=kent,
        header_path=write(tmp_path, kw.get("header_name", "header.csv"), header),
        episodes_path=write(tmp_path, kw.get("episodes_name", "episodes.csv"), episodes),
    )


def child(kent, ref) -> Child:
    return ChildIdentifier.objects.get(kind="la_child", authority=kent, value=ref).child


def rejections(summary) -> set[tuple[str, int, str]]:
    return {(Path(r["file"]).name, r["line"], r["field"]) for r in summary["rejected"]}


# --- the example files ---------------------------------------------------------------------


def test_reference_data_me_is_claimed_by_kent_and_medway_ct_by_kent_alone(kent):
    claiming = lambda area: sorted(  # noqa: E731
        a.code for a in Authority.objects.all() if area in a.postcode_areas.split(";")
    )
    assert claiming("ME") == ["886", "887"]
    assert claiming("CT") == ["886"]


def test_embedded_copies_are_the_spec_examples():
    assert (EXAMPLES / "header.csv").read_text(encoding="utf-8") == HEADER
    assert (EXAMPLES / "episodes.csv").read_text(encoding="utf-8") == EPISODES


def test_example_files_import_two_children_and_two_placements(tmp_path, kent):
    summary = run(tmp_path, kent)
    assert summary["children_created"] == 2
    assert summary["placements_created"] == 2
    assert summary["providers_created"] == 1
    assert summary["rejected"] == []

    callum = child(kent, "X2001")
    assert (callum.first_name, callum.last_name) == ("", "")
    assert callum.dob == dt.date(2008, 11, 2)
    assert callum.sex == "M"
    assert callum.ethnicity == "WBRI"
    assert callum.responsible_authority == kent
    other = child(kent, "X2002")
    assert (other.dob, other.sex, other.ethnicity) == (dt.date(2010, 6, 19), "F", "MWBC")

    home = Placement.objects.get(child=callum)
    assert home.start_date == dt.date(2023, 1, 14)
    assert home.end_date is None
    assert (home.place_code, home.place_provider, home.legal_status, home.reason_ceased) == ("K2", "PR4", "C2", "X1")
    assert (home.home_postcode, home.placement_postcode) == ("ME14 1", "ME15 6")
    assert home.responsible_authority == kent
    assert home.provider.urn == "SC999001"
    assert home.provider.name == "Provider SC999001"
    assert home.provider.kind == Provider.Kind.CHILDREN_HOME
    assert home.provider.host_authority is None
    # No PL_LA, an unknown provider, and ME is claimed by Kent and by Medway:
    # the host is not guessed.
    assert home.host_authority is None

    foster = Placement.objects.get(child=other)
    assert foster.place_code == "U1"
    assert foster.provider is None  # XXXXXXX: no provider
    assert foster.host_authority == kent  # CT is Kent's alone
    assert Provider.objects.filter(urn="XXXXXXX").count() == 0
    assert summary["host_from"] == {"PL_LA": 0, "PL_LOCATION": 0, "provider": 0, "postcode": 1, "none": 1}


def test_importing_twice_changes_nothing(tmp_path, kent):
    first = run(tmp_path, kent)
    stamps = {
        "children": dict(Child.objects.values_list("pk", "updated_at")),
        "placements": dict(Placement.objects.values_list("pk", "updated_at")),
    }
    counts = (Child.objects.count(), Placement.objects.count(), Provider.objects.count(), ChildIdentifier.objects.count())
    events = AuditEvent.objects.exclude(action="import").count()

    second = run(tmp_path, kent)
    assert first["children_created"] == 2 and first["placements_created"] == 2
    assert (second["children_created"], second["children_updated"], second["children_unchanged"]) == (0, 0, 2)
    assert (second["placements_created"], second["placements_updated"], second["placements_unchanged"]) == (0, 0, 2)
    assert second["providers_created"] == 0
    assert (Child.objects.count(), Placement.objects.count(), Provider.objects.count(),
            ChildIdentifier.objects.count()) == counts
    assert dict(Child.objects.values_list("pk", "updated_at")) == stamps["children"]
    assert dict(Placement.objects.values_list("pk", "updated_at")) == stamps["placements"]
    assert AuditEvent.objects.exclude(action="import").count() == events  # no writes, so no write events
    assert AuditEvent.objects.filter(action="import").count() == 2


def test_one_import_audit_event_with_the_counts(tmp_path, kent):
    run(tmp_path, kent)
    event = AuditEvent.objects.get(action="import")
    assert event.payload["children_created"] == 2
    assert event.payload["placements_created"] == 2
    assert event.payload["providers_created"] == 1
    assert event.payload["rejected"] == 0
    assert event.payload["authority"] == "886"
    # Every write of a child's record leaves its own event (contract.md).
    callum = child(kent, "X2001")
    assert AuditEvent.objects.filter(child_id=callum.pk, action="create").count() == 2  # child, placement


def test_a_changed_dec_updates_the_placement(tmp_path, kent):
    run(tmp_path, kent)
    placement = Placement.objects.get(child=child(kent, "X2001"))
    before = placement.updated_at
    ended = EPISODES.replace("K2,PR4,,X1,", "K2,PR4,20/03/2024,E13,")
    summary = run(tmp_path, kent, episodes=ended)
    assert (summary["placements_updated"], summary["placements_unchanged"], summary["placements_created"]) == (1, 1, 0)
    placement.refresh_from_db()
    assert placement.end_date == dt.date(2024, 3, 20)
    assert placement.reason_ceased == "E13"
    assert placement.updated_at > before
    assert Placement.objects.count() == 2
    update = AuditEvent.objects.filter(action="update", object_type="placement", object_id=str(placement.pk)).get()
    assert update.payload["fields"] == ["end_date", "reason_ceased"]


def test_a_changed_header_updates_the_child(tmp_path, kent):
    run(tmp_path, kent)
    summary = run(tmp_path, kent, header=HEADER.replace("X2002,F,19/06/2010,MWBC", "X2002,F,20/06/2010,MWBC"))
    assert (summary["children_updated"], summary["children_unchanged"]) == (1, 1)
    assert child(kent, "X2002").dob == dt.date(2010, 6, 20)


def test_older_sex_codes_1_and_2(tmp_path, kent):
    header = HEADER.replace("X2001,M,", "X2001,1,").replace("X2002,F,", "X2002,2,")
    summary = run(tmp_path, kent, header=header)
    assert summary["rejected"] == []
    assert child(kent, "X2001").sex == "M"
    assert child(kent, "X2002").sex == "F"
    # Importing the same children with the new codes changes nothing.
    again = run(tmp_path, kent)
    assert again["children_unchanged"] == 2


def test_sex_u_and_blank(tmp_path, kent):
    header = HEADER.replace("X2001,M,", "X2001,U,").replace("X2002,F,", "X2002,,")
    run(tmp_path, kent, header=header)
    assert child(kent, "X2001").sex == "U"
    assert child(kent, "X2002").sex == ""


# --- bad rows --------------------------------------------------------------------------------


def test_each_kind_of_bad_row_is_rejected_with_file_line_and_field_and_the_rest_imported(tmp_path, kent):
    future = fmt(timezone.localdate() + dt.timedelta(days=30))
    header = (
        "CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB\n"
        "A1,M,02/11/2008,WBRI,,,\n"          # 2 good
        ",F,19/06/2010,WBRI,,,\n"            # 3 missing CHILD
        "A3,F,31/02/2010,WBRI,,,\n"          # 4 not a real date
        f"A4,F,{future},WBRI,,,\n"           # 5 DOB in the future
        "A5,F,2010-06-19,WBRI,,,\n"          # 6 not DD/MM/YYYY
        "A6,F,19/06/2010,WBRI\n"             # 7 too few columns
        "A7,X,19/06/2010,WBRI,,,\n"          # 8 bad SEX
        "A8,F,19/06/2010,WBRI,,,\n"          # 9 good
        "A1,M,02/11/2008,WBRI,,,\n"          # 10 the same CHILD again
    )
    episodes = (
        f"{EPISODE_COLUMNS}\n"
        "A1,01/01/2023,S,C2,N1,K2,PR4,01/06/2023,X1,,ME14 1,CT2 7,SC999001\n"   # 2 good
        "ZZ9,01/01/2023,S,C2,N1,K2,PR4,,X1,,ME14 1,CT2 7,SC999001\n"            # 3 unknown CHILD
        ",01/01/2023,S,C2,N1,K2,PR4,,X1,,ME14 1,CT2 7,SC999001\n"               # 4 missing CHILD
        "A1,1/13/2023,S,C2,N1,K2,PR4,,X1,,ME14 1,CT2 7,SC999001\n"              # 5 bad DECOM
        "A8,01/06/2023,S,C2,N1,U4,PR1,01/05/2023,X1,,ME14 1,CT2 7,XXXXXXX\n"    # 6 DEC before DECOM
        "A8,01/06/2023,S,C2,N1,U4\n"                                             # 7 too few columns
        "A8,01/06/2023,S,C2,N1,U4,PR1,,X1,,ME14 1,CT2 7,XXXXXXX,extra\n"         # 8 too many columns
        "A3,01/06/2023,S,C2,N1,U4,PR1,,X1,,ME14 1,CT2 7,XXXXXXX\n"               # 9 its header row was rejected
        "A8,01/06/2023,S,C2,N1,U4,PR1,,X1,,ME14 1,CT2 7,XXXXXXX\n"               # 10 good
        "A8,01/07/2023,S,C2,N1,,PR1,,X1,,ME14 1,CT2 7,XXXXXXX\n"                 # 11 blank PLACE
        "A1,01/06/2023,S,C2,N1,K2,PR9,,X1,,ME14 1,CT2 7,SC999001\n"              # 12 bad PLACE_PROVIDER
        "A1,01/07/2023,S,C2,N1,K2,PR4,,X1,,NOT A POSTCODE,CT2 7,SC999001\n"      # 13 bad HOME_POST
        "A1,01/01/2000,S,C2,N1,K2,PR4,01/02/2000,X1,,ME14 1,CT2 7,SC999001\n"    # 14 before the DOB
        f"A1,{future},S,C2,N1,K2,PR4,,X1,,ME14 1,CT2 7,SC999001\n"              # 15 DECOM in the future
    )
    summary = run(tmp_path, kent, header=header, episodes=episodes)
    assert rejections(summary) == {
        ("header.csv", 3, "CHILD"),
        ("header.csv", 4, "DOB"),
        ("header.csv", 5, "DOB"),
        ("header.csv", 6, "DOB"),
        ("header.csv", 7, "UPN"),
        ("header.csv", 8, "SEX"),
        ("header.csv", 10, "CHILD"),
        ("episodes.csv", 3, "CHILD"),
        ("episodes.csv", 4, "CHILD"),
        ("episodes.csv", 5, "DECOM"),
        ("episodes.csv", 6, "DEC"),
        ("episodes.csv", 7, "PLACE_PROVIDER"),
        ("episodes.csv", 8, "column 14"),
        ("episodes.csv", 9, "CHILD"),
        ("episodes.csv", 11, "PLACE"),
        ("episodes.csv", 12, "PLACE_PROVIDER"),
        ("episodes.csv", 13, "HOME_POST"),
        ("episodes.csv", 14, "DECOM"),
        ("episodes.csv", 15, "DECOM"),
    }
    reasons = {(Path(r["file"]).name, r["line"]): r["reason"] for r in summary["rejected"]}
    assert "in the future" in reasons[("header.csv", 5)]
    assert "not in the header file" in reasons[("episodes.csv", 3)]
    assert "rejected in the header file (line 4)" in reasons[("episodes.csv", 9)]
    assert "before the start" in reasons[("episodes.csv", 6)]
    assert summary["rows_rejected"] == 19
    assert (summary["children_created"], summary["placements_created"]) == (2, 2)
    assert set(ChildIdentifier.objects.values_list("value", flat=True)) == {"A1", "A8"}
    assert Placement.objects.count() == 2
    assert AuditEvent.objects.get(action="import").payload["rejected"] == 19


def test_overlapping_episodes_for_one_child_are_rejected(tmp_path, kent):
    episodes = (
        f"{EPISODE_COLUMNS}\n"
        "X2001,14/01/2023,S,C2,N1,K2,PR4,01/03/2023,X1,,ME14 1,CT2 7,SC999001\n"  # 2
        "X2001,01/03/2023,P,C2,N1,K2,PR4,01/06/2023,X1,,ME14 1,CT2 7,SC999001\n"  # 3 starts as 2 ends: fine
        "X2001,01/05/2023,P,C2,N1,K2,PR4,01/07/2023,X1,,ME14 1,CT2 7,SC999001\n"  # 4 overlaps 3
        "X2001,01/07/2023,P,C2,N1,H5,PR4,,,,ME14 1,CT2 7,SC999002\n"              # 5 open
        "X2001,01/09/2023,P,C2,N1,H5,PR4,,,,ME14 1,CT2 7,SC999002\n"              # 6 starts while 5 is open
        "X2001,14/01/2023,S,C2,N1,K2,PR4,01/03/2023,X1,,ME14 1,CT2 7,SC999001\n"  # 7 a repeat of 2
        "X2002,01/05/2023,S,C2,N1,U1,PR1,,,,CT1 2,CT2 7,XXXXXXX\n"                # 8 another child: fine
    )
    summary = run(tmp_path, kent, episodes=episodes)
    assert rejections(summary) == {("episodes.csv", 4, "DECOM"), ("episodes.csv", 6, "DECOM"), ("episodes.csv", 7, "DECOM")}
    reason = next(r["reason"] for r in summary["rejected"] if r["line"] == 4)
    assert "overlaps the episode from 01/03/2023 on line 3" in reason
    assert summary["placements_created"] == 4
    assert sorted(Placement.objects.filter(child=child(kent, "X2001")).values_list("start_date", flat=True)) == [
        dt.date(2023, 1, 14), dt.date(2023, 3, 1), dt.date(2023, 7, 1),
    ]


def test_values_too_long_for_the_database_are_rejected_not_crashed(tmp_path, kent):
    header = HEADER.replace("X2002,F,19/06/2010,MWBC", "X2002,F,19/06/2010,MWBCXX") + ("Y" * 60) + ",M,01/01/2010,WBRI,,,\n"
    episodes = EPISODES + "X2001,01/06/2024,P,C2,N1,K2,PR4,,X1,,ME14 1,CT2 7," + "S" * 30 + "\n"
    summary = run(tmp_path, kent, header=header, episodes=episodes)
    assert rejections(summary) == {
        ("header.csv", 3, "ETHNIC"), ("header.csv", 4, "CHILD"), ("episodes.csv", 3, "CHILD"), ("episodes.csv", 4, "URN"),
    }
    assert summary["children_created"] == 1


def test_control_characters_and_an_unclosed_quote_are_rejected_not_stored(tmp_path, kent):
    # PostgreSQL cannot store NUL; a line break in a value means a quote was not closed.
    header = HEADER + "X2003\x00,F,01/01/2011,WBRI,,,\n" + 'X2004,"F,01/01/2011,WBRI,,,\nX2005,F,01/01/2011,WBRI,,,\n'
    summary = run(tmp_path, kent, header=header)
    assert rejections(summary) == {("header.csv", 4, "CHILD"), ("header.csv", 5, "SEX")}
    assert "quote" in next(r["reason"] for r in summary["rejected"] if r["line"] == 5)
    assert set(ChildIdentifier.objects.values_list("value", flat=True)) == {"X2001", "X2002"}


# --- whole files refused --------------------------------------------------------------------


def test_a_header_file_without_dob_is_refused_and_nothing_stored(tmp_path, kent):
    header = "CHILD,SEX,ETHNIC\nX2001,M,WBRI\n"
    with pytest.raises(Ssda903Refused) as caught:
        run(tmp_path, kent, header=header)
    assert caught.value.file.endswith("header.csv")
    assert caught.value.line == 1
    assert caught.value.field == "DOB"
    assert "lacks the required column DOB" in str(caught.value)
    assert "header.csv" in str(caught.value)
    assert Child.objects.count() == 0
    assert Placement.objects.count() == 0
    assert Provider.objects.count() == 0
    assert not AuditEvent.objects.filter(action="import").exists()


def test_an_episodes_file_without_decom_and_place_is_refused_and_the_header_not_stored(tmp_path, kent):
    with pytest.raises(Ssda903Refused) as caught:
        run(tmp_path, kent, episodes="CHILD,DEC\nX2001,\n")
    assert caught.value.field == "DECOM, PLACE"
    assert "episodes.csv" in str(caught.value)
    assert Child.objects.count() == 0


def test_files_given_the_wrong_way_round_are_refused_with_a_hint(tmp_path, kent):
    with pytest.raises(Ssda903Refused) as caught:
        run(tmp_path, kent, header=EPISODES, episodes=HEADER)
    assert "looks like the episodes file" in str(caught.value)


def test_a_file_that_is_not_utf8_is_refused(tmp_path, kent):
    header = HEADER + "X2003,F,01/01/2011,WOTH,,,Zoë\n"
    with pytest.raises(Ssda903Refused) as caught:
        ssda903_import(
            actor=None, authority=kent,
            header_path=write(tmp_path, "header.csv", header, encoding="latin-1"),
            episodes_path=write(tmp_path, "episodes.csv", EPISODES),
        )
    assert caught.value.file.endswith("header.csv")
    assert caught.value.line == 4
    assert "not UTF-8" in str(caught.value)
    assert Child.objects.count() == 0


def test_utf16_and_missing_and_empty_files_are_refused(tmp_path, kent):
    with pytest.raises(Ssda903Refused, match="UTF-16"):
        ssda903_import(
            actor=None, authority=kent,
            header_path=write(tmp_path, "header.csv", HEADER, encoding="utf-16"),
            episodes_path=write(tmp_path, "episodes.csv", EPISODES),
        )
    with pytest.raises(Ssda903Refused, match="no such file"):
        ssda903_import(actor=None, authority=kent, header_path=tmp_path / "nope.csv",
                       episodes_path=write(tmp_path, "episodes.csv", EPISODES))
    with pytest.raises(Ssda903Refused, match="is empty"):
        run(tmp_path, kent, episodes="\n\n")
    assert Child.objects.count() == 0


def test_bom_crlf_extra_columns_lower_case_headers_and_blank_trailing_lines_are_tolerated(tmp_path, kent):
    header = "\ufeff" + HEADER.replace("CHILD,SEX", "child,sex").replace("MC_DOB", "MC_DOB,NOTES").replace(",,,\n", ",,,,x\n").replace(",0,\n", ",0,,y\n")
    header = header.replace("\n", "\r\n") + "\r\n\r\n,,,,,,,\r\n"
    episodes = "\ufeff" + EPISODES.replace("\n", ",\r\n").replace("URN,", "URN,LOCAL_REF") + "\r\n  \r\n"
    summary = run(tmp_path, kent, header=header, episodes=episodes)
    assert summary["rejected"] == []
    assert (summary["children_created"], summary["placements_created"]) == (2, 2)
    assert (summary["header_rows"], summary["episode_rows"]) == (2, 2)
    assert child(kent, "X2001").sex == "M"


def test_quoted_values_and_full_postcodes(tmp_path, kent):
    episodes = EPISODES.replace("ME14 1,ME15 6,SC999001", '"me14 1","me156aa","sc999001"')
    run(tmp_path, kent, episodes=episodes)
    placement = Placement.objects.get(child=child(kent, "X2001"))
    assert placement.placement_postcode == "ME15 6AA"
    assert placement.home_postcode == "ME14 1"
    assert placement.provider.urn == "SC999001"


# --- the host authority -----------------------------------------------------------------------


def test_pl_la_and_pl_location_are_taken_when_present(tmp_path, kent):
    medway = Authority.objects.get(code="887")
    episodes = (
        f"{EPISODE_COLUMNS},PL_LA,PL_LOCATION\n"
        "X2001,14/01/2023,S,C2,N1,K2,PR4,01/03/2023,X1,,ME14 1,ME15 6,SC999001,887,OUT\n"  # 2 PL_LA
        "X2001,01/03/2023,P,C2,N1,K2,PR4,01/04/2023,X1,,ME14 1,ME15 6,SC999003,,IN\n"      # 3 IN: Kent
        "X2001,01/04/2023,P,C2,N1,K2,PR4,01/05/2023,X1,,ME14 1,CT2 7,,,OUT\n"              # 4 OUT: CT is Kent's, so not known
        "X2001,01/05/2023,P,C2,N1,K2,PR4,01/06/2023,X1,,ME14 1,ME15 6,SC999001,,\n"        # 5 provider's host (from line 2)
        "X2001,01/06/2023,P,C2,N1,K2,PR4,01/07/2023,X1,,ME14 1,ME15 6,,999,\n"             # 6 unknown PL_LA
        "X2001,01/07/2023,P,C2,N1,K2,PR4,01/08/2023,X1,,ME14 1,ME15 6,,887,IN\n"           # 7 contradiction
        "X2001,01/08/2023,P,C2,N1,K2,PR4,01/09/2023,X1,,ME14 1,ME15 6,,886,OUT\n"          # 8 contradiction
        "X2001,01/09/2023,P,C2,N1,K2,PR4,,,,ME14 1,ME15 6,,,SOMEWHERE\n"                   # 9 bad PL_LOCATION
        "X2002,01/09/2022,S,C2,N1,U1,PR1,,X1,,CT1 2,CT2 7,XXXXXXX,886,IN\n"                # 10
    )
    summary = run(tmp_path, kent, episodes=episodes)
    assert rejections(summary) == {
        ("episodes.csv", 6, "PL_LA"), ("episodes.csv", 7, "PL_LOCATION"), ("episodes.csv", 8, "PL_LOCATION"),
        ("episodes.csv", 9, "PL_LOCATION"),
    }
    unknown = next(r for r in summary["rejected"] if r["line"] == 6)
    assert unknown["reason"] == "'999' is not a known local authority code"
    hosts = dict(Placement.objects.filter(child=child(kent, "X2001")).values_list("start_date", "host_authority__code"))
    assert hosts == {
        dt.date(2023, 1, 14): "887",
        dt.date(2023, 3, 1): "886",
        dt.date(2023, 4, 1): None,
        dt.date(2023, 5, 1): "887",
    }
    # A provider first seen with PL_LA (or IN) records that host authority.
    assert Provider.objects.get(urn="SC999001").host_authority == medway
    assert Provider.objects.get(urn="SC999003").host_authority == kent
    assert summary["host_from"] == {"PL_LA": 2, "PL_LOCATION": 1, "provider": 1, "postcode": 0, "none": 1}
    assert Placement.objects.get(child=child(kent, "X2002")).placed_out_of_area is False


def test_a_known_provider_gives_its_host_authority(world, tmp_path):
    # Oakview (SC100001) is a children's home in Kent; Southwark places a child there.
    episodes = EPISODES.replace("SC999001", "SC100001").replace("XXXXXXX", "SC100001")
    summary = run(tmp_path, world.southwark, episodes=episodes)
    assert summary["providers_created"] == 0
    placements = Placement.objects.filter(child__identifiers__authority=world.southwark, provider=world.oakview)
    assert placements.count() == 2
    assert {p.host_authority for p in placements} == {world.kent}
    assert all(p.placed_out_of_area for p in placements)
    # Provider records belong to others: an import does not change them.
    world.oakview.refresh_from_db()
    assert (world.oakview.name, world.oakview.kind) == ("Oakview", Provider.Kind.CHILDREN_HOME)


def test_provider_kind_from_place():
    assert provider_kind_for("K2") == Provider.Kind.CHILDREN_HOME
    assert provider_kind_for("K1") == Provider.Kind.SECURE
    assert provider_kind_for("H5") == Provider.Kind.SEMI_INDEPENDENT
    assert provider_kind_for("S1") == Provider.Kind.RESIDENTIAL_SCHOOL
    assert provider_kind_for("U4", "PR4") == Provider.Kind.FOSTERING_AGENCY
    assert provider_kind_for("U4", "PR1") == Provider.Kind.FOSTER_CARER
    assert provider_kind_for("R1") == Provider.Kind.OTHER
    assert provider_kind_for("P1") == Provider.Kind.OTHER


# --- children and placements already known ------------------------------------------------------


def test_an_existing_child_keeps_their_names(world, tmp_path):
    ChildIdentifier.objects.create(child=world.callum, kind="la_child", authority=world.kent, value="X2001")
    summary = run(tmp_path, world.kent)
    assert summary["children_created"] == 1  # X2002
    # Callum's record already held what the header says except his ethnicity.
    assert summary["children_updated"] == 1
    world.callum.refresh_from_db()
    assert (world.callum.first_name, world.callum.last_name) == ("Callum", "Reid")
    assert world.callum.ethnicity == "WBRI"
    # His existing placement (not in the file) is left alone, and counted.
    assert world.callum.placements.count() == 2
    assert summary["placements_not_in_files"] == 1
    assert summary["children_not_in_files"] == 0


def test_a_merged_child_is_updated_through_the_survivor(world, tmp_path):
    duplicate = Child.objects.create(first_name="", last_name="", dob=dt.date(2008, 11, 2), merged_into=world.callum)
    ChildIdentifier.objects.create(child=duplicate, kind="la_child", authority=world.kent, value="X2001")
    run(tmp_path, world.kent)
    assert Placement.objects.filter(child=world.callum, start_date=dt.date(2023, 1, 14)).exists()
    assert not Placement.objects.filter(child=duplicate).exists()


def test_children_and_placements_no_longer_in_the_files_are_left_alone_and_counted(tmp_path, kent):
    run(tmp_path, kent)
    header = "\n".join(HEADER.splitlines()[:2]) + "\n"
    episodes = "\n".join(EPISODES.splitlines()[:2]) + "\n"
    summary = run(tmp_path, kent, header=header, episodes=episodes)
    assert summary["children_not_in_files"] == 1
    assert summary["placements_not_in_files"] == 1
    assert Child.objects.count() == 2
    assert Placement.objects.count() == 2


# --- the command body -------------------------------------------------------------------------


def test_command_prints_the_summary_and_exits_0(tmp_path, kent):
    out = io.StringIO()
    status = run_ssda903_command(
        out, header=str(write(tmp_path, "header.csv", HEADER)), episodes=str(write(tmp_path, "episodes.csv", EPISODES)),
        authority_code="886",
    )
    assert status == 0
    text = out.getvalue()
    assert "Kent (886)" in text
    assert "children: 2 created, 0 updated, 0 unchanged" in text
    assert "placements: 2 created, 0 updated, 0 unchanged" in text
    assert "providers: 1 created" in text


def test_command_lists_rejections_as_file_line_field_reason_and_exits_1(tmp_path, kent):
    header_path = write(tmp_path, "header.csv", HEADER + "X2003,F,31/02/2010,WBRI,,,\n")
    out = io.StringIO()
    status = run_ssda903_command(out, header=str(header_path), episodes=str(write(tmp_path, "episodes.csv", EPISODES)),
                                 authority_code="886")
    assert status == 1
    assert f"{header_path}:4: DOB: '31/02/2010' is not a real date" in out.getvalue()
    assert Child.objects.count() == 2


def test_command_refused_file_exits_1_naming_file_line_and_field(tmp_path, kent):
    header_path = write(tmp_path, "header.csv", "CHILD,SEX\nX2001,M\n")
    out = io.StringIO()
    status = run_ssda903_command(out, header=str(header_path), episodes=str(write(tmp_path, "episodes.csv", EPISODES)),
                                 authority_code="886")
    assert status == 1
    assert f"{header_path}:1: DOB: the header row lacks the required column DOB" in out.getvalue()
    assert "Nothing was imported." in out.getvalue()
    assert Child.objects.count() == 0


def test_command_unknown_authority_exits_2(tmp_path, kent):
    out = io.StringIO()
    status = run_ssda903_command(out, header="header.csv", episodes="episodes.csv", authority_code="999")
    assert status == 2
    assert "'999' is not a known local authority code" in out.getvalue()


def test_a_user_of_another_authority_cannot_import(world, tmp_path):
    from homeward.problems import Refused

    with pytest.raises(Refused):
        ssda903_import(
            actor=world.southwark_missing_officer, authority=world.kent,
            header_path=write(tmp_path, "header.csv", HEADER), episodes_path=write(tmp_path, "episodes.csv", EPISODES),
        )
    with pytest.raises(Refused):
        ssda903_import(
            actor=world.kent_police, authority=world.kent,
            header_path=write(tmp_path, "header.csv", HEADER), episodes_path=write(tmp_path, "episodes.csv", EPISODES),
        )
    summary = ssda903_import(
        actor=world.kent_missing_officer, authority=world.kent,
        header_path=write(tmp_path, "header.csv", HEADER), episodes_path=write(tmp_path, "episodes.csv", EPISODES),
    )
    assert summary["children_created"] == 2
    assert AuditEvent.objects.get(action="import").actor_username == "kent.missing_officer"


def test_synthetic_data_set_imports_cleanly_and_again_unchanged(tmp_path, kent):
    from homeward.synth.generator import generate

    generate(authority="886", children=300, years=2, seed=3, out_dir=tmp_path / "synth")
    header, episodes = tmp_path / "synth" / "ssda903_header.csv", tmp_path / "synth" / "ssda903_episodes.csv"
    first = ssda903_import(actor=None, authority=kent, header_path=header, episodes_path=episodes)
    assert first["rejected"] == []
    assert first["children_created"] == first["header_rows"] > 0
    assert first["placements_created"] == first["episode_rows"] > 0
    assert first["host_from"]["PL_LA"] == first["episode_rows"]
    second = ssda903_import(actor=None, authority=kent, header_path=header, episodes_path=episodes)
    assert second["children_unchanged"] == first["header_rows"]
    assert second["placements_unchanged"] == first["episode_rows"]
    assert second["providers_created"] == 0
