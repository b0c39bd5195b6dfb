"""The matching rules (homeward/people/matching.py): pure, no database."""

from __future__ import annotations

import dataclasses
from datetime import date

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from homeward.people import matching as m
from homeward.people.matching import PersonRecord, best_match, blocking_keys, compare, rank_candidates

DOB = date(2011, 3, 14)


def rec(first="Callum", last="Smith", dob=DOB, **kw) -> PersonRecord:
    return PersonRecord(first_name=first, last_name=last, dob=dob, **kw)


def decision(a: PersonRecord, b: PersonRecord) -> str:
    return compare(a, b).decision


# ---------------------------------------------------------------------------
# Normalisation and the phonetic key
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("  O'Brien-Smith ", "obrien smith"),
        ("ZOË", "zoe"),
        ("Łukasz", "lukasz"),
        ("Groß", "gross"),
        ("Søren", "soren"),
        ("Mary-Jane  Ann", "mary jane ann"),
        ("D’Souza", "dsouza"),
        ("Smith2", "smith"),
        ("", ""),
        (None, ""),
    ],
)
def test_normalise_name_folds_case_accents_and_punctuation(raw, expected):
    assert m.normalise_name(raw) == expected


@given(st.text())
def test_normalise_name_is_idempotent(s):
    once = m.normalise_name(s)
    assert m.normalise_name(once) == once


@given(st.text())
def test_normalise_name_has_no_stray_spaces(s):
    out = m.normalise_name(s)
    assert out == " ".join(out.split())


@pytest.mark.parametrize(
    "raw, expected",
    [("M", "M"), ("male", "M"), ("Girl", "F"), ("f", "F"), ("U", None), ("", None), (None, None), ("X", None)],
)
def test_normalise_sex_keeps_only_male_and_female(raw, expected):
    assert m.normalise_sex(raw) == expected


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("me14 1xx", ("ME141XX", "ME14")),
        ("SW1A 1AA", ("SW1A1AA", "SW1A")),
        ("SE15", (None, "SE15")),
        ("NFA", (None, None)),
        (None, (None, None)),
    ],
)
def test_normalise_postcode_gives_full_code_and_district(raw, expected):
    assert m.normalise_postcode(raw) == expected


# Reference values of the original NYSIIS algorithm (as in the test data of
# the jellyfish library, which implements it too).
@pytest.mark.parametrize(
    "name, code",
    [
        ("Worthy", "WARTY"), ("Ogata", "OGAT"), ("montgomery", "MANTGANARY"), ("Costales", "CASTAL"),
        ("Tu", "T"), ("martincevic", "MARTANCAFAC"), ("Catherine", "CATARAN"), ("Katherine", "CATARAN"),
        ("Katerina", "CATARAN"), ("Johnathan", "JANATAN"), ("Jonathan", "JANATAN"), ("John", "JAN"),
        ("Teresa", "TARAS"), ("Theresa", "TARAS"), ("Jessica", "JASAC"), ("Joshua", "JAS"),
        ("Bosch", "BAS"), ("Lapher", "LAFAR"), ("wiyh", "WY"), ("MacArthur", "MCARTAR"),
        ("Pheenard", "FANAD"), ("Schmittie", "SNATY"), ("Knaqze", "NAGS"), ("Knokno", "NAN"),
        ("Knoko", "NAC"), ("Macaw", "MC"), ("", ""), ("T", "T"), ("K", "C"), ("PFEISTER", "FASTAR"),
        ("SARAH", "SAR"),
    ],
)
def test_nysiis_reference_values(name, code):
    assert m.nysiis(name) == code


def test_nysiis_gives_common_spellings_of_mohammed_one_key():
    assert {m.nysiis(n) for n in ("Mohammed", "Muhammad", "Mohamed", "Mohammad")} == {"MAHANAD"}


# ---------------------------------------------------------------------------
# The nickname file
# ---------------------------------------------------------------------------


def test_nickname_file_has_a_few_hundred_groups():
    assert 250 <= len(m.default_nicknames()) <= 1000


def test_nickname_file_lines_are_clean_groups():
    for line in m.NICKNAMES_PATH.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        names = [m.normalise_name(n).replace(" ", "") for n in line.split(";")]
        assert all(names), line
        assert len(set(names)) == len(names) >= 2, line


@pytest.mark.parametrize(
    "a, b",
    [
        ("Callum", "Cal"), ("Elizabeth", "Lizzie"), ("Elizabeth", "Beth"), ("Mohammed", "Muhammad"),
        ("Mohammed", "Mohamed"), ("Muhammad", "Mohamed"), ("Aisha", "Ayesha"), ("Hussain", "Hussein"),
        ("Łukasz", "Luke"), ("Zuzanna", "Susan"), ("Oluwaseun", "Seun"), ("Yusuf", "Yousef"),
        ("Fatima", "Fadumo"), ("Abdirahman", "Abdul Rahman"), ("Katarzyna", "Kasia"), ("Harpreet", "Harprit"),
    ],
)
def test_nickname_groups_know_common_variants(a, b):
    nick = m.default_nicknames()
    a, b = m.normalise_name(a), m.normalise_name(b)
    assert nick.variants(a, b) and nick.variants(b, a)


@pytest.mark.parametrize(
    "a, b",
    [
        # Names often given to different children (twins, siblings): never variants.
        ("Ella", "Ellie"), ("Ava", "Eva"), ("Jack", "John"), ("Mia", "Amelia"), ("Leo", "Leon"),
        ("Kai", "Kayden"), ("Jacob", "James"), ("Alexander", "Alexandra"), ("Samuel", "Samantha"),
        ("Christopher", "Christine"), ("Charles", "Charlotte"), ("George", "Georgia"),
        ("Mohammed", "Mahmoud"), ("Syed", "Saeed"), ("Zara", "Sarah"), ("Olivia", "Olive"),
        ("Danielle", "Daniel"), ("Harrison", "Henry"), ("Oluwaseun", "Oluwaseyi"),
    ],
)
def test_nickname_groups_keep_commonly_distinct_names_apart(a, b):
    assert not m.default_nicknames().variants(m.normalise_name(a), m.normalise_name(b))


# ---------------------------------------------------------------------------
# compare: what matches
# ---------------------------------------------------------------------------


def test_identical_details_match():
    r = rec(sex="M", postcode="ME14 1XX", provider_urn="SC100001")
    assert decision(r, r) == "match"


@pytest.mark.parametrize(
    "reported, known",
    [("Cal", "Callum"), ("Lizzie", "Elizabeth"), ("Beth", "Elizabeth"), ("Mohamed", "Muhammad"), ("Mo", "Mohammed")],
)
def test_nickname_with_same_dob_matches(reported, known):
    result = compare(rec(reported), rec(known))
    assert result.decision == "match"
    assert "first_name_variant" in result.reasons


def test_swapped_first_and_last_name_matches():
    result = compare(rec("Smith", "Callum"), rec("Callum", "Smith"))
    assert result.decision == "match"
    assert "names_swapped" in result.reasons


def test_swapped_names_with_a_nickname_match():
    assert decision(rec("Smith", "Cal"), rec("Callum", "Smith")) == "match"


@pytest.mark.parametrize("reported", ["Jones", "Smith", "Smith Jones", "Jones-Smith"])
def test_hyphenated_surname_part_matches(reported):
    assert decision(rec(last=reported), rec(last="Smith-Jones")) == "match"


def test_surname_particles_are_neither_needed_nor_enough():
    assert m.compare_surname("al hassan", "al amin") == "surname_differs"
    assert m.compare_surname("al hassan", "hassan") == "surname_exact"
    assert m.compare_surname("de souza", "souza") == "surname_exact"


@pytest.mark.parametrize(
    "reported, known",
    [("Smyth", "Smith"), ("Thomson", "Thompson"), ("Kahn", "Khan"), ("Kowalcyzk", "Kowalczyk"), ("Smith-Jnoes", "Smith-Jones")],
)
def test_one_typo_in_surname_matches(reported, known):
    result = compare(rec(last=reported), rec(last=known))
    assert result.decision == "match"


def test_accents_case_and_punctuation_do_not_matter():
    assert decision(rec("ZOË", "O'BRIEN"), rec("Zoe", "Obrien")) == "match"


def test_extra_given_name_on_one_side_matches():
    result = compare(rec("Callum James"), rec("Callum"))
    assert result.decision == "match"
    assert "first_name_first_given_name" in result.reasons


def test_known_by_distinctive_name_after_muhammad_matches():
    assert decision(rec("Muhammad Hamza", "Khan"), rec("Hamza", "Khan")) == "match"


def test_alias_matches():
    known = rec("Callum", "Smith", aliases=(("Kyle", "Brown"),))
    result = compare(rec("Kyle", "Brown"), known)
    assert result.decision == "match"
    assert "alias_used" in result.reasons


def test_identifier_agreement_matches_despite_changed_surname():
    a = rec("Callum", "Smith", child_id="la_child:886:C1")
    b = rec("Callum", "Okafor", child_id="la_child:886:c1 ")
    result = compare(a, b)
    assert result.decision == "match"
    assert "identifier_agrees" in result.reasons


# ---------------------------------------------------------------------------
# compare: what goes to review, and what never matches
# ---------------------------------------------------------------------------


def test_twins_with_different_first_names_never_match():
    amy = rec("Amy", "Smith", sex="F", postcode="ME14 1XX", provider_urn="SC100001")
    beth = rec("Jessica", "Smith", sex="F", postcode="ME14 1XX", provider_urn="SC100001")
    result = compare(amy, beth)
    assert result.decision == "review"  # a person decides: maybe a middle name, maybe a twin
    assert "first_name_differs" in result.reasons


@pytest.mark.parametrize(
    "a, b",
    [("Ava", "Eva"), ("Ella", "Ellie"), ("Mary Jane", "Mary Ann"), ("Muhammad Hamza", "Muhammad Hassan"), ("Alexander", "Alexandra")],
)
def test_twins_with_similar_first_names_never_match(a, b):
    assert decision(rec(a), rec(b)) != "match"


def test_twins_never_match_even_with_agreeing_identifier():
    a = rec("Amy", "Smith", child_id="X1")
    b = rec("Jessica", "Smith", child_id="X1")
    result = compare(a, b)
    assert result.decision == "review"
    assert "review_only:identifier_conflicts_with_details" in result.reasons


def test_different_sex_never_matches():
    result = compare(rec(sex="M"), rec(sex="F"))
    assert result.decision == "review"
    assert "review_only:sex_differs" in result.reasons
    assert decision(rec(sex="M", child_id="X1"), rec(sex="F", child_id="X1")) == "review"


def test_boy_and_girl_twins_are_no_match():
    assert decision(rec("Oliver", sex="M"), rec("Grace", sex="F")) == "no_match"


def test_unknown_sex_is_no_evidence():
    assert compare(rec(sex="U"), rec(sex="F")).score == compare(rec(), rec()).score


def test_day_month_swapped_dob_goes_to_review_not_match():
    result = compare(rec(dob=date(2011, 3, 5)), rec(dob=date(2011, 5, 3)))
    assert result.decision == "review"
    assert "dob_day_month_swapped" in result.reasons


@pytest.mark.parametrize("other", [date(2011, 3, 15), date(2011, 3, 24), date(2011, 8, 14), date(2010, 3, 14), date(2012, 3, 14)])
def test_one_digit_wrong_dob_goes_to_review_not_match(other):
    result = compare(rec(dob=other), rec())
    assert result.decision == "review"
    assert "dob_near" in result.reasons


def test_adjacent_digits_exchanged_in_dob_goes_to_review():
    assert m.compare_dob(date(2012, 1, 12), date(2012, 1, 21)) == "dob_near"
    assert m.compare_dob(date(2012, 6, 1), date(2021, 6, 1)) == "dob_near"
    assert decision(rec(dob=date(2012, 1, 12)), rec(dob=date(2012, 1, 21))) == "review"


def test_missing_dob_goes_to_review():
    assert decision(rec(dob=None), rec()) == "review"


def test_one_typo_in_first_name_goes_to_review():
    result = compare(rec("Jaems"), rec("James"))
    assert result.decision == "review"
    assert "review_only:first_name_not_confirmed" in result.reasons


def test_middle_name_used_goes_to_review():
    result = compare(rec("Beth"), rec("Amy Elizabeth"))
    assert result.decision == "review"
    assert "first_name_middle_name" in result.reasons


def test_initial_goes_to_review():
    assert decision(rec("C"), rec("Callum")) == "review"


def test_common_leading_given_name_alone_does_not_match():
    result = compare(rec("Muhammad", "Khan"), rec("Muhammad Hamza", "Khan"))
    assert result.decision == "review"
    assert "first_name_common_prefix_only" in result.reasons


def test_changed_surname_goes_to_review():
    assert decision(rec(last="Okafor"), rec(last="Smith")) == "review"


def test_sibling_with_different_dob_and_first_name_is_no_match():
    sibling = rec("Jack", dob=date(2013, 7, 2), sex="M", postcode="ME14 1XX", provider_urn="SC100001")
    known = rec("Callum", sex="M", postcode="ME14 1XX", provider_urn="SC100001")
    result = compare(sibling, known)
    assert result.decision == "no_match"
    assert "no_match:different_dob_and_first_name" in result.reasons


def test_same_names_and_different_dob_needs_corroboration_for_review():
    assert decision(rec(dob=date(2008, 11, 2)), rec()) == "no_match"
    here = dict(sex="M", postcode="ME14 1XX")
    assert decision(rec(dob=date(2008, 11, 2), **here), rec(**here)) == "review"


def test_identifier_disagreement_never_matches():
    assert decision(rec(child_id="A1"), rec(child_id="A2")) == "review"


def test_a_date_of_birth_alone_is_no_match():
    result = compare(rec("", ""), rec("", "", sex="M"))
    assert result.decision == "no_match"
    assert "no_match:no_names_to_compare" in result.reasons


def test_a_missing_first_name_goes_to_review():
    assert decision(rec(""), rec()) == "review"


def test_nickname_groups_can_be_supplied():
    groups = m.NicknameIndex([["Callum", "Cally"]])
    assert compare(rec("Cally"), rec(), nicknames=groups).decision == "match"
    assert compare(rec("Cal"), rec(), nicknames=groups).decision == "review"


def test_everything_different_is_no_match():
    assert decision(rec("Grace", "Okafor", date(2009, 8, 30)), rec()) == "no_match"


def test_postcode_and_placement_only_corroborate():
    base = compare(rec(), rec()).score
    assert compare(rec(postcode="ME14 1XX"), rec(postcode="ME14 1XX")).score == pytest.approx(base + m.W_POSTCODE_SAME)
    assert compare(rec(postcode="ME14 1XX"), rec(postcode="ME14 5AB")).score == pytest.approx(base + m.W_POSTCODE_DISTRICT_SAME)
    assert compare(rec(postcode="ME14 1XX"), rec(postcode="SE15 2AA")).score == pytest.approx(base)
    assert compare(rec(provider_urn="SC1"), rec(provider_urn="sc1")).score == pytest.approx(base + m.W_PROVIDER_URN_SAME)
    assert compare(rec(provider_urn="SC1"), rec(provider_urn="SC2")).score == pytest.approx(base)


def test_score_is_the_sum_of_the_evidence():
    result = compare(rec("Cal", "Smyth", sex="M", postcode="ME14 1XX"), rec(sex="M", postcode="ME14 2YY"))
    assert result.score == pytest.approx(sum(w for _, w in result.evidence), abs=0.01)


def test_reasons_never_contain_names():
    result = compare(rec("Zebedee", "Quartermaine"), rec("Zebedee", "Quartermain"))
    assert not any("zebedee" in r.lower() or "quarter" in r.lower() for r in result.reasons)


def test_thresholds_are_ordered():
    assert 0 < m.REVIEW_THRESHOLD < m.MATCH_THRESHOLD
    assert m.AMBIGUITY_MARGIN > 0


# ---------------------------------------------------------------------------
# best_match
# ---------------------------------------------------------------------------


def test_two_equally_good_candidates_goes_to_review():
    # "Cal" is a nickname of both Callum and Calvin.
    key, result = best_match(rec("Cal"), [(1, rec("Callum")), (2, rec("Calvin"))])
    assert result.decision == "review"
    assert "ambiguous:runner_up_also_matches" in result.reasons


def test_duplicate_records_of_one_child_go_to_review():
    key, result = best_match(rec(), [(1, rec()), (2, rec())])
    assert result.decision == "review"


def test_close_runner_up_goes_to_review():
    # The runner-up cannot match (first name only a typo) but is close behind.
    key, result = best_match(rec("Cal"), [(1, rec("Callum")), (2, rec("Carl"))])
    assert key == 1
    assert result.decision == "review"
    assert "ambiguous:runner_up_within_margin" in result.reasons


def test_best_match_picks_the_right_twin():
    twins = [(1, rec("Amy", sex="F")), (2, rec("Jessica", sex="F"))]
    key, result = best_match(rec("Jessica", sex="F"), twins)
    assert (key, result.decision) == (2, "match")
    key, result = best_match(rec("Jess", sex="F"), twins)
    assert (key, result.decision) == (2, "match")


def test_clear_leader_matches():
    key, result = best_match(rec(), [(1, rec("Grace", "Okafor")), (2, rec()), (3, rec("Jack", dob=date(2013, 1, 1)))])
    assert (key, result.decision) == (2, "match")


def test_several_identities_of_one_child_count_once():
    candidates = [(7, rec()), (7, rec("Kyle", "Brown")), (8, rec("Grace", "Okafor"))]
    assert best_match(rec(), candidates)[0] == 7
    assert best_match(rec(), candidates)[1].decision == "match"


def test_identifier_match_wins_over_a_name_duplicate():
    key, result = best_match(rec(child_id="X1"), [(1, rec()), (2, rec(child_id="X1"))])
    assert (key, result.decision) == (2, "match")


def test_no_candidates_is_no_match():
    assert best_match(rec(), []) == (None, m.MatchResult(0.0, "no_match", ("no_candidates",)))


def test_best_match_returns_no_key_for_no_match():
    key, result = best_match(rec(), [(1, rec("Grace", "Okafor", date(2001, 1, 1)))])
    assert key is None and result.decision == "no_match"


def test_rank_candidates_orders_best_first():
    ranked = rank_candidates(rec(), [(1, rec("Grace", "Okafor")), (2, rec()), (3, rec("Cal"))])
    assert [k for k, _ in ranked] == [2, 3, 1]


# ---------------------------------------------------------------------------
# Blocking
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "report",
    [
        rec("Cal"),
        rec("Smith", "Callum"),
        rec(last="Smyth"),
        rec(last="Smith-Jones"),
        rec(dob=None),
        rec(dob=date(2011, 3, 15)),
        rec(dob=date(2011, 3, 11)),
        rec(dob=date(2010, 3, 14)),
        rec(dob=date(2012, 3, 14)),
        rec(dob=date(2011, 3, 4)),
        rec(dob=date(2008, 11, 2), sex="M", postcode="ME14 1XX"),
        rec("Kyle", "Brown"),
    ],
)
def test_blocking_keys_find_designed_variations(report):
    known = rec(sex="M", postcode="ME14 1XX", aliases=(("Kyle", "Brown"),))
    assert compare(report, known).decision != "no_match"
    assert blocking_keys(report) & blocking_keys(known)


def test_blocking_keys_catch_day_month_swap_and_transposed_digits():
    assert blocking_keys(rec(dob=date(2011, 3, 5))) & blocking_keys(rec("Grace", "Okafor", date(2011, 5, 3)))
    assert blocking_keys(rec(dob=date(2011, 3, 12))) & blocking_keys(rec("Grace", "Okafor", date(2011, 3, 21)))


def test_blocking_keys_do_not_join_unrelated_children():
    assert not blocking_keys(rec()) & blocking_keys(rec("Grace", "Okafor", date(2004, 9, 30)))


def test_name_keys_join_nicknames_and_spellings():
    assert m.name_keys("Lizzie", "Smith") & m.name_keys("Elizabeth", "Jones")
    assert m.name_keys("Mohammed", "Khan") & m.name_keys("Muhammad", "Ali")
    assert m.name_keys("Callum", "Smith-Jones") >= {m.nysiis("Smith"), m.nysiis("Jones")}


def test_dob_variants_cover_swaps_and_one_digit_errors():
    variants = m.dob_variants(date(2011, 3, 5))
    for d in [date(2011, 3, 5), date(2011, 5, 3), date(2011, 3, 6), date(2012, 3, 5), date(2010, 3, 5), date(2011, 3, 15), date(2011, 8, 5)]:
        assert d in variants
    assert date(2011, 4, 6) not in variants
    assert m.dob_variants(None) == frozenset()
    assert date(2012, 2, 29) in m.dob_variants(date(2012, 2, 29))
    assert all(abs(d.year - 2011) <= 20 for d in variants)


# ---------------------------------------------------------------------------
# Properties
# ---------------------------------------------------------------------------

FIRST_NAMES = [
    "Callum", "Cal", "Elizabeth", "Lizzie", "Beth", "Mohammed", "Muhammad", "Mohamed", "Amy", "Jessica",
    "Jess", "Oliver", "Ollie", "Grace", "Muhammad Hamza", "Hamza", "Mary Jane", "Mary", "Ava", "Eva",
    "Ella", "Ellie", "Zoë", "Zoe", "Jack", "John", "Aisha", "Ayesha", "Kyle", "C",
]
LAST_NAMES = [
    "Smith", "Smyth", "Smith-Jones", "Jones", "Khan", "Kahn", "O'Brien", "Obrien", "Okafor", "Nowak",
    "Al-Hassan", "Hassan", "Begum", "Nguyen", "Kowalczyk",
]
letters = st.text(alphabet="abcdefghijklmnopqrstuvwxyzéł -'", min_size=0, max_size=12)
names = st.one_of(st.sampled_from(FIRST_NAMES + LAST_NAMES), letters)
dobs = st.one_of(st.none(), st.dates(min_value=date(2008, 1, 1), max_value=date(2008, 12, 31)), st.sampled_from([DOB, date(2011, 3, 4), date(2011, 4, 3)]))
records = st.builds(
    PersonRecord,
    first_name=names,
    last_name=names,
    dob=dobs,
    sex=st.sampled_from([None, "M", "F", "U"]),
    postcode=st.sampled_from([None, "ME14 1XX", "ME14 2YY", "SE15 2AA", "NFA"]),
    provider_urn=st.sampled_from([None, "SC100001", "SC100002"]),
    aliases=st.lists(st.tuples(names, names), max_size=2).map(tuple),
    child_id=st.sampled_from([None, None, None, "X1", "X2"]),
)


@settings(max_examples=200, suppress_health_check=[HealthCheck.too_slow])
@given(records, records)
def test_compare_is_symmetric(a, b):
    ab, ba = compare(a, b), compare(b, a)
    assert ab.score == ba.score
    assert ab.decision == ba.decision
    assert ab.reasons == ba.reasons


@settings(max_examples=200, suppress_health_check=[HealthCheck.too_slow])
@given(records)
def test_a_record_always_matches_itself(r):
    assume(len(m.normalise_name(r.first_name).replace(" ", "")) > 1)
    assume(m.normalise_name(r.last_name))
    assume(r.dob is not None)
    assert compare(r, r).decision == "match"
    assert compare(r, dataclasses.replace(r)).decision == "match"


@settings(max_examples=200, suppress_health_check=[HealthCheck.too_slow])
@given(records, records, st.sampled_from([("M", "F"), ("F", "M"), ("male", "girl")]))
def test_disagreeing_sex_never_matches(a, b, sexes):
    a, b = dataclasses.replace(a, sex=sexes[0]), dataclasses.replace(b, sex=sexes[1])
    assert compare(a, b).decision != "match"
    assert compare(a, dataclasses.replace(a, sex=sexes[1])).decision != "match"


@settings(max_examples=200, suppress_health_check=[HealthCheck.too_slow])
@given(records, records)
def test_match_needs_exact_dob_or_identifier(a, b):
    result = compare(a, b)
    if result.decision == "match":
        assert "dob_exact" in result.reasons or "identifier_agrees" in result.reasons
        assert "first_name_differs" not in result.reasons


@settings(max_examples=200, suppress_health_check=[HealthCheck.too_slow])
@given(records, records)
def test_decision_follows_the_thresholds(a, b):
    result = compare(a, b)
    if "identifier_agrees" in result.reasons:
        return
    if result.decision == "match":
        assert result.score >= m.MATCH_THRESHOLD
    elif result.decision == "review":
        assert result.score >= m.REVIEW_THRESHOLD


@settings(max_examples=200, suppress_health_check=[HealthCheck.too_slow])
@given(records, st.lists(st.tuples(st.integers(0, 5), records), max_size=6))
def test_best_match_agrees_with_compare(report, candidates):
    key, result = best_match(report, candidates)
    if result.decision == "match":
        assert key is not None
        assert any(k == key and compare(report, c).decision == "match" for k, c in candidates)
        others = [compare(report, c) for k, c in candidates if k != key]
        assert all(o.decision != "match" for o in others) or "identifier_agrees" in result.reasons
    if result.decision == "no_match":
        assert key is None


def _typo(s: str, i: int) -> str:
    if len(s) < 5:
        return s
    i = 1 + i % (len(s) - 2)
    return s[:i] + s[i + 1] + s[i] + s[i + 2:]  # exchange two neighbouring letters


def _one_digit(d: date, n: int) -> date:
    """A valid date one digit away from d (in YYYYMMDD), chosen by n."""
    digits = f"{d.year:04d}{d.month:02d}{d.day:02d}"
    options = []
    for i in range(8):
        for c in "0123456789":
            if c != digits[i]:
                t = digits[:i] + c + digits[i + 1:]
                try:
                    options.append(date(int(t[:4]), int(t[4:6]), int(t[6:])))
                except ValueError:
                    pass
    return options[n % len(options)]


perturbations = st.sampled_from(
    ["same", "nickname", "swap", "surname_typo", "surname_part", "dob_swap", "dob_digit", "dob_year", "no_dob", "alias"]
)


@settings(max_examples=200, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.sampled_from([("Callum", "Cal"), ("Elizabeth", "Lizzie"), ("Mohammed", "Muhammad"), ("Jessica", "Jess"), ("Aisha", "Ayesha")]),
    st.sampled_from(["Smith", "Kowalczyk", "Okafor", "Hussain", "Nguyen", "Thompson"]),
    st.dates(min_value=date(2006, 1, 1), max_value=date(2020, 12, 31)),
    perturbations,
    st.integers(0, 200),
)
def test_blocking_keys_find_every_designed_variation_that_is_not_rejected(pair, last, dob, how, n):
    first, nickname = pair
    known = rec(first, last, dob, aliases=(("Kyle", "Brown"),))
    report = {
        "same": lambda: rec(first, last, dob),
        "nickname": lambda: rec(nickname, last, dob),
        "swap": lambda: rec(last, first, dob),
        "surname_typo": lambda: rec(first, _typo(last, n), dob),
        "surname_part": lambda: rec(first, f"{last}-Jones", dob),
        "dob_swap": lambda: rec(first, last, date(dob.year, dob.day, dob.month) if dob.day <= 12 else dob),
        "dob_digit": lambda: rec(first, last, _one_digit(dob, n)),
        "dob_year": lambda: rec(first, last, dob.replace(year=dob.year - 1) if (dob.month, dob.day) != (2, 29) else dob),
        "no_dob": lambda: rec(first, last, None),
        "alias": lambda: rec("Kyle", "Brown", dob),
    }[how]()
    if compare(report, known).decision != "no_match":
        assert blocking_keys(report) & blocking_keys(known)
