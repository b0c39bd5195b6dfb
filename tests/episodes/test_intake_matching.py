"""Which known children the intake compares a report with (intake.ChildIndex:
blocking), and that the decision is the matching rules' (resolve.decide)."""

from __future__ import annotations

import datetime as dt

import pytest

from homeward.episodes.intake import ChildIndex
from homeward.episodes.parsing import parse_row
from homeward.people.models import Child, ChildAlias
from homeward.people.resolve import candidate_children, decide, person_record, report_record
from homeward.placements.models import Authority

DOB = dt.date(2009, 6, 6)


@pytest.fixture
def kent(db):
    return Authority.objects.get(code="886")


def child(first, last, dob=DOB, sex="F", postcode="", **extra):
    return Child.objects.create(first_name=first, last_name=last, dob=dob, sex=sex, home_postcode=postcode, **extra)


def report(first, last, dob=DOB, sex="F", postcode=""):
    return parse_row({"source": "police:kent", "source_ref": "K-1", "first_name": first, "last_name": last,
                      "dob": dob.isoformat(), "sex": sex, "postcode": postcode, "last_seen_at": "2024-05-01T20:00"})


def candidates(index, parsed):
    index.ensure([parsed.dob, *index.variants(parsed.dob)])
    found = index.candidates(parsed.dob, parsed.first_name, parsed.last_name, parsed.postcode, parsed.provider_urn)
    return {r.cid for r in found}


def test_same_date_of_birth_and_a_name_in_common_is_compared_strangers_are_not(kent):
    aisha = child("Aisha", "Khan")
    amira = child("Amira", "Khan")  # a sister, or a twin: the same surname
    other_aisha = child("Aisha", "Patel")  # the same first name
    stranger = child("Zoe", "Brown")  # only the date of birth in common
    found = candidates(ChildIndex(), report("Aisha", "Khan"))
    assert {aisha.pk, amira.pk, other_aisha.pk} <= found
    assert stranger.pk not in found


def test_nicknames_swapped_names_and_aliases_are_compared(kent):
    callum = child("Callum", "Reid", sex="M")
    jo = child("Josephine", "Okafor")
    ChildAlias.objects.create(child=jo, first_name="Jo", last_name="Mensah", source="police:kent")
    index = ChildIndex()
    assert callum.pk in candidates(index, report("Cal", "Reid", sex="M"))
    assert callum.pk in candidates(index, report("Reid", "Cal", sex="M"))  # names the wrong way round
    assert jo.pk in candidates(index, report("Jo", "Mensah"))  # known under another surname


def test_typos_in_both_names_or_only_the_same_place_still_reach_the_comparison(kent):
    ellie = child("Ellie", "Hart", postcode="CT2 7NZ")
    # Both names mistyped (the phonetic keys differ): the initials meet.
    assert ellie.pk in candidates(ChildIndex(), report("Elie", "Hrat"))
    # A different surname, a mistyped first name, but the same street: this may
    # be her, so a person should see it (the rules send it to review).
    parsed = report("Ellei", "Walsh", postcode="CT2 7NZ")
    assert ellie.pk in candidates(ChildIndex(), parsed)
    key, decision, scored = decide(report_record(parsed), [(ellie.pk, person_record(ellie))])
    assert (decision, [k for k, _, _ in scored]) == ("review", [ellie.pk])


def test_a_date_of_birth_slip_is_compared_when_the_surname_agrees(kent):
    swapped = child("Sam", "Price", dob=dt.date(2009, 5, 6), sex="M")  # day and month the wrong way round
    digit = child("Sam", "Price", dob=dt.date(2008, 6, 6), sex="M")  # one digit out
    other = child("Sam", "Jones", dob=dt.date(2009, 5, 6), sex="M")  # the slip, but another surname
    found = candidates(ChildIndex(), report("Sam", "Price", sex="M"))
    assert {swapped.pk, digit.pk} <= found and other.pk not in found


def test_blocking_gives_the_decision_of_comparing_every_candidate(kent):
    """On these children, comparing only the blocked candidates decides as
    comparing every child of the same or a nearly-same date of birth does (as
    resolve_child does)."""
    for first, last, dob in [("Callum", "Reid", DOB), ("Cal", "Reid", dt.date(2009, 6, 16)), ("Kallum", "Reed", DOB),
                             ("Liam", "Reid", DOB), ("Ruby", "Stone", DOB), ("Callum", "Smith", dt.date(2009, 6, 7))]:
        child(first, last, dob=dob, sex="M")
    index = ChildIndex()
    for first, last in [("Callum", "Reid"), ("Cal", "Reid"), ("Callum", "Reed"), ("Ruby", "Stone"), ("Tom", "Hill")]:
        parsed = report(first, last, sex="M")
        blocked = candidates(index, parsed)
        everyone = list(candidate_children(parsed.dob))
        full = decide(report_record(parsed), [(c.pk, person_record(c)) for c in everyone])
        mine = decide(report_record(parsed), [(c.pk, person_record(c)) for c in everyone if c.pk in blocked])
        assert mine == full, (first, last)


def test_children_dropped_from_a_full_index_are_read_again(kent):
    first = child("Ava", "Wood", dob=dt.date(2010, 1, 1))
    second = child("Ava", "Wood", dob=dt.date(2012, 3, 3))
    index = ChildIndex(limit=1)
    assert first.pk in candidates(index, report("Ava", "Wood", dob=dt.date(2010, 1, 1)))
    index.commit()  # between chunks: trimmed to the limit
    assert len(index.recs) <= 1
    assert second.pk in candidates(index, report("Ava", "Wood", dob=dt.date(2012, 3, 3)))
    index.commit()
    assert first.pk in candidates(index, report("Ava", "Wood", dob=dt.date(2010, 1, 1)))


def test_a_merged_record_is_not_a_candidate(kent):
    survivor = child("Mia", "Ford")
    duplicate = child("Mia", "Ford", merged_into=survivor)
    assert candidates(ChildIndex(), report("Mia", "Ford")) == {survivor.pk}
    assert duplicate.pk != survivor.pk



def test_a_candidate_is_skipped_only_when_it_cannot_reach_the_review_queue(kent):
    """ChildIndex.may_reach_review must be True whenever compare() scores at
    least the review threshold, or a candidate that belongs in the review
    queue could be skipped (this guards it against changes to the rules)."""
    import random

    from homeward.people import matching

    rng = random.Random(7)
    firsts = ["Callum", "Cal", "Kallum", "Callum James", "James", "J", "Mohammed Ali", "Muhammad", "Ali", "Amy",
              "Aimee", "Elizabeth", "Lizzie", "Beth", "Zoe", "Zoë", "Reid", "Smith", "Hassan", "Yusuf"]
    lasts = ["Reid", "Reed", "Read", "Smith", "Smyth", "Smith-Jones", "Jones", "Ali", "O'Brien", "Obrien", "Callum",
             "Hart", "Al Hassan", "Hassan", "Hasan", "Stone", "Amy"]
    dobs = [DOB, dt.date(2009, 6, 7), dt.date(2009, 7, 6), dt.date(2008, 6, 6), dt.date(2009, 6, 16),
            dt.date(2001, 1, 1)]
    postcodes = ["", "CT2 7NZ", "CT2 7NA", "ME15 6AA"]
    index = ChildIndex()
    skipped = 0
    for i in range(3000):
        aliases = [(rng.choice(firsts), rng.choice(lasts)) for _ in range(rng.choice([0, 0, 1, 2]))]
        rec = index._make(i, rng.choice(dobs), rng.choice(firsts), rng.choice(lasts), rng.choice(["", "M", "F"]),
                          rng.choice(postcodes), rng.choice(["", "SC1"]), aliases)
        first, last, dob = rng.choice(firsts), rng.choice(lasts), rng.choice(dobs)
        report = matching.PersonRecord(first_name=first, last_name=last, dob=dob, sex=rng.choice([None, "M", "F"]),
                                       postcode=rng.choice(postcodes) or None, provider_urn=rng.choice([None, "SC1"]))
        result = matching.compare(report, rec.person())
        if not index.may_reach_review([(index._name(first), index._name(last), False)], dob, rec):
            skipped += 1
            assert result.score < matching.REVIEW_THRESHOLD and result.decision == "no_match", (
                first, last, dob, rec.first, rec.last, rec.aliases, result)
    assert skipped > 500  # and it does skip


def test_a_crowded_date_of_birth_finds_the_children_a_look_at_each_would(kent, monkeypatch):
    """Where more than WEAK_KEYS_UP_TO children share a date of birth (the 1 January
    given to children whose birthday is not known), the index looks children up
    by name key instead of looking at each: the same children, also after the
    intake adds children and aliases there."""
    monkeypatch.setattr(ChildIndex, "WEAK_KEYS_UP_TO", 3)
    for first, last in [("Mohammed", "Ali"), ("Muhammad", "Khan"), ("Omar", "Ali"), ("Zoe", "Brown"),
                        ("Ali", "Hassan"), ("Yusuf", "Ibrahim"), ("Amir", "Karimi")]:
        child(first, last, sex="M")
    index = ChildIndex()

    def looking_at_each(parsed):
        names = index.given_keys(parsed.first_name) | index.surname_keys(parsed.last_name) | index.given_keys(
            parsed.last_name)
        return {r.cid for r in index.buckets[parsed.dob.toordinal()] if index._shares(r, names)}

    reports = [report(f, l, sex="M") for f, l in [("Mohammed", "Ali"), ("Ali", "Omar"), ("Mohamed", "Karimi"),
                                                  ("Zoe", "Brown"), ("Tom", "Hill"), ("Yusuf", "Ebrahim")]]
    for parsed in reports:
        assert candidates(index, parsed) == looking_at_each(parsed)
    assert index.crowded and len(looking_at_each(reports[0])) >= 2 and not candidates(index, reports[4])
    new = index.add(index.new_id(), dob=DOB, first="Tom", last="Hill", sex="M", postcode="")
    index.add_alias(index.recs[Child.objects.get(first_name="Zoe").pk].cid, "Yusuf", "Brown")
    for parsed in reports:
        assert candidates(index, parsed) == looking_at_each(parsed)
    assert new.cid in candidates(index, reports[4])
    assert Child.objects.get(first_name="Zoe").pk in candidates(index, reports[5])
