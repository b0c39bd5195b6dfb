"""Filters on the key figures: which episodes the figures count.

The same filters, with the same names and values, on the command line
(`report kpis --missing-from care --age-band 14-15 ...`), on the reports page
(`/reports/?missing_from=care&age_band=14-15`) and in Python
(`key_figures(..., filters=KpiFilters(...))`). `parse_filters` checks them and
refuses a bad one with `Refused([Problem(filter name, reason)])`; kpis.py
applies them in its one SQL statement and its one Python pass (no second way
of counting).

What a filtered figure means (docs/figures.md, "Filters"):

- an episode counts when it matches every filter given; a child counts when
  at least one of their episodes of the period matches;
- the repeat thresholds still count every episode of the child, and a child
  counts when the episode at which they reached 3 in 90 matches, or, for
  monthly multiple missing, when one of their episodes in the listed month
  matches;
- whether a return home interview is needed still looks at the child's next
  episode, whatever it is;
- the looked-after rate's denominator is filtered by what a placement or a
  child has (sex, ethnicity, age band, placement type, provider); under
  `missing_from=home` or `children=placed-in` the looked-after figures (about
  the authority's own children missing from care) are withheld.

Child facts (sex, ethnicity, date of birth) are the surviving record's when
duplicates were merged.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Mapping

from homeward.problems import Problem, Refused

MISSING_FROM = {"home": "Episodes from home", "care": "Episodes from care"}
CHILDREN = {
    "own": "The authority's own children (all but those placed in its area by other authorities)",
    "placed-in": "Children placed in the authority's area by other authorities",
}
# Age in whole years on the (Europe/London) day the episode started: [lower, upper).
AGE_BANDS: dict[str, tuple[int, int | None]] = {
    "under-10": (0, 10),
    "10-13": (10, 14),
    "14-15": (14, 16),
    "16-17": (16, 18),
}
AGE_BAND_LABELS = {
    "under-10": "Under 10",
    "10-13": "10 to 13",
    "14-15": "14 to 15",
    "16-17": "16 to 17",
}
SEXES = {"M": "Male", "F": "Female", "U": "Not known or not recorded"}
# The DfE ethnicity codes (SSDA903 ETHNIC, the school census).
ETHNICITIES = {
    "WBRI": "White British",
    "WIRI": "White Irish",
    "WIRT": "Traveller of Irish heritage",
    "WOTH": "Any other White background",
    "WROM": "Gypsy or Roma",
    "MWBC": "White and Black Caribbean",
    "MWBA": "White and Black African",
    "MWAS": "White and Asian",
    "MOTH": "Any other mixed background",
    "AIND": "Indian",
    "APKN": "Pakistani",
    "ABAN": "Bangladeshi",
    "AOTH": "Any other Asian background",
    "BCRB": "Black Caribbean",
    "BAFR": "Black African",
    "BOTH": "Any other Black background",
    "CHNE": "Chinese",
    "OOTH": "Any other ethnic group",
    "REFU": "Refused",
    "NOBT": "Information not yet obtained",
}
# SSDA903 PLACE: the placement type.
PLACEMENT_TYPES = {
    "A3": "Placed for adoption, with consent, with current foster carer",
    "A4": "Placed for adoption, with consent, not with current foster carer",
    "A5": "Placed for adoption, placement order, with current foster carer",
    "A6": "Placed for adoption, placement order, not with current foster carer",
    "H5": "Semi-independent or supported accommodation",
    "K1": "Secure children's home",
    "K2": "Children's home",
    "P1": "Placed with parents or others with parental responsibility",
    "P2": "Independent living (flat, lodgings, bedsit, with friends)",
    "P3": "Residential employment",
    "R1": "Residential care home",
    "R2": "NHS or health trust establishment",
    "R3": "Family centre or mother and baby unit",
    "R5": "Young offender institution or prison",
    "S1": "Residential school",
    "T0": "Temporary placement",
    "T1": "Temporary: periods with parents",
    "T2": "Temporary: holiday",
    "T3": "Temporary: hospital",
    "T4": "Temporary: other",
    "U1": "Foster placement with relative or friend, long term",
    "U2": "Foster placement with relative or friend, fostering for adoption or concurrent",
    "U3": "Foster placement with relative or friend, other",
    "U4": "Foster placement with other foster carer, long term",
    "U5": "Foster placement with other foster carer, fostering for adoption or concurrent",
    "U6": "Foster placement with other foster carer, other",
    "Z1": "Other placement",
}

# name -> (the option on the command line, the label on the page)
NAMES: dict[str, tuple[str, str]] = {
    "missing_from": ("--missing-from", "Missing from"),
    "children": ("--children", "Whose children"),
    "age_band": ("--age-band", "Age when the episode started"),
    "sex": ("--sex", "Sex"),
    "ethnicity": ("--ethnicity", "Ethnicity"),
    "placement_type": ("--placement-type", "Placement type"),
    "provider": ("--provider", "Provider's Ofsted URN"),
}


@dataclass(frozen=True)
class KpiFilters:
    """Which episodes the key figures count; None: any. Values as on the
    command line (`age_band="14-15"`, `children="placed-in"`, `provider` an
    Ofsted URN). `provider_id` and `provider_name` are filled in by
    parse_filters (kpis.py looks the URN up when they are not)."""

    missing_from: str | None = None
    children: str | None = None
    age_band: str | None = None
    sex: str | None = None
    ethnicity: str | None = None
    placement_type: str | None = None
    provider: str | None = None
    provider_id: int | None = field(default=None, compare=False)
    provider_name: str = field(default="", compare=False)

    def __bool__(self) -> bool:
        return any(getattr(self, name) for name in NAMES)

    def given(self) -> dict[str, str]:
        """The filters given, by name, in the order of NAMES."""
        return {name: getattr(self, name) for name in NAMES if getattr(self, name)}

    # what kpis.py needs to know
    @property
    def by_child(self) -> bool:
        """A filter on a fact of the child (sex, ethnicity, age)."""
        return bool(self.sex or self.ethnicity or self.age_band)

    @property
    def band(self) -> tuple[int, int | None] | None:
        return AGE_BANDS[self.age_band] if self.age_band else None

    @property
    def looked_after_withheld(self) -> bool:
        """The looked-after figures (own children missing from care) mean
        nothing under these filters."""
        return self.missing_from == "home" or self.children == "placed-in"

    def child_matches(self, sex: str | None, ethnicity: str | None) -> bool:
        """Do a child's recorded sex and ethnicity match? (`U` matches a sex
        recorded as not known, or not recorded.)"""
        if self.sex and (sex or "U") != self.sex:
            return False
        if self.ethnicity and (ethnicity or "").upper() != self.ethnicity:
            return False
        return True

    def age_matches(self, age: int) -> bool:
        band = self.band
        return band is None or (age >= band[0] and (band[1] is None or age < band[1]))

    def describe(self) -> list[str]:
        """One phrase per filter given, for people."""
        out = []
        if self.missing_from:
            out.append(MISSING_FROM[self.missing_from])
        if self.children:
            out.append(CHILDREN[self.children])
        if self.age_band:
            out.append(f"Aged {AGE_BAND_LABELS[self.age_band].lower()} on the day the episode started")
        if self.sex:
            out.append(f"Sex: {SEXES[self.sex].lower() if self.sex == 'U' else SEXES[self.sex]}")
        if self.ethnicity:
            out.append(f"Ethnicity: {ETHNICITIES[self.ethnicity]} ({self.ethnicity})")
        if self.placement_type:
            out.append(f"Placement type: {PLACEMENT_TYPES[self.placement_type]} ({self.placement_type})")
        if self.provider:
            name = f"{self.provider_name} " if self.provider_name else ""
            out.append(f"Provider: {name}(Ofsted URN {self.provider})")
        return out

    def note(self) -> str:
        return (
            "Filtered: " + "; ".join(self.describe()) + ". Every figure counts only the episodes that match "
            "(a child counts when at least one of their episodes matches). The repeat thresholds still count "
            "all of a child's episodes: a child counts when the episode that reached 3 in 90 matches, or when "
            "they had an episode that matches in the month they were listed for. Whether an interview was "
            "needed still looks at the child's next episode, whatever it was."
        )

    def as_query(self) -> dict[str, str]:
        return self.given()


NO_FILTERS = KpiFilters()


def _choice(problems: list, name: str, raw: str, allowed: Mapping[str, str], *, upper: bool = False,
            what: str) -> str | None:
    value = raw.strip()
    if upper:
        value = value.upper()
    else:
        value = value.lower()
    if not value:
        return None
    if value not in allowed:
        shown = ", ".join(allowed) if len(allowed) <= 6 else f"one of the {len(allowed)} codes in docs/figures.md"
        problems.append(Problem(name, f"'{raw.strip()[:40]}' is not {what}: give {shown}"))
        return None
    return value


def parse_filters(values: Mapping[str, object], *, look_up_provider: bool = True) -> KpiFilters:
    """KpiFilters from values typed on the command line or in the page's form
    (names as in NAMES; blank or missing values are no filter). Refused, with
    one Problem per bad filter naming it and saying why."""
    problems: list[Problem] = []

    def text(name: str) -> str:
        value = values.get(name)
        return "" if value is None else str(value)

    found = {
        "missing_from": _choice(problems, "missing_from", text("missing_from"), MISSING_FROM,
                                what="where a child can go missing from"),
        "children": _choice(problems, "children", text("children").replace("_", "-"), CHILDREN,
                            what="a group of children"),
        "age_band": _choice(problems, "age_band", text("age_band").replace("_", "-").replace("–", "-"), AGE_BANDS,
                            what="an age band"),
        "sex": _choice(problems, "sex", text("sex"), SEXES, upper=True, what="a sex Homeward records"),
        "ethnicity": _choice(problems, "ethnicity", text("ethnicity"), ETHNICITIES, upper=True,
                             what="a DfE ethnicity code"),
        "placement_type": _choice(problems, "placement_type", text("placement_type"), PLACEMENT_TYPES, upper=True,
                                  what="an SSDA903 placement type (PLACE) code"),
    }
    urn = text("provider").strip().upper()
    provider_id, provider_name = None, ""
    if urn:
        if len(urn) > 20 or not urn.replace("-", "").isalnum():
            problems.append(Problem("provider", f"'{urn[:40]}' is not an Ofsted URN: give the provider's "
                                                "unique reference number, for example SC123456"))
            urn = ""
        elif look_up_provider:
            from homeward.placements.models import Provider

            row = Provider.objects.filter(urn=urn).values_list("pk", "name").first()
            if row is None:
                problems.append(Problem("provider", f"'{urn}' is not the Ofsted URN of a provider Homeward knows"))
                urn = ""
            else:
                provider_id, provider_name = row
    if problems:
        raise Refused(problems)
    return KpiFilters(**found, provider=urn or None, provider_id=provider_id, provider_name=provider_name)


def with_provider_looked_up(filters: KpiFilters) -> KpiFilters:
    """The filters with the provider's id, looked up from its URN if needed
    (an unknown URN matches nothing)."""
    if not filters.provider or filters.provider_id is not None:
        return filters
    from homeward.placements.models import Provider

    row = Provider.objects.filter(urn=filters.provider).values_list("pk", "name").first()
    return replace(filters, provider_id=row[0] if row else -1, provider_name=row[1] if row else "")


__all__ = [
    "AGE_BANDS", "AGE_BAND_LABELS", "CHILDREN", "ETHNICITIES", "KpiFilters", "MISSING_FROM", "NAMES", "NO_FILTERS",
    "PLACEMENT_TYPES", "SEXES", "parse_filters", "with_provider_looked_up",
]
