"""Built-in geography for the synthetic data generator.

A small table of English local authorities (three-digit DfE codes) with the
police force that covers them, the postcode areas they mostly lie in, the
authorities they commonly exchange placements with, and the prefix their
synthetic SSDA903 child identifiers use. Postcodes are generated inside the
listed areas with district numbers from the ranges below, so they are
well-formed but synthetic: a generated full postcode may or may not exist.
Unknown authorities fall back to the non-existent area ``XX``.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class AuthorityInfo:
    name: str
    police: str  # police force slug, used as ``police:<slug>``
    areas: tuple[str, ...]  # postcode areas
    neighbours: tuple[str, ...]  # authorities placing into / receiving from this one
    prefix: str  # prefix of the authority's SSDA903 CHILD identifiers


AUTHORITIES: dict[str, AuthorityInfo] = {
    "886": AuthorityInfo("Kent", "kent", ("CT", "ME", "TN", "DA"), ("887", "845", "305", "303", "209", "210"), "K"),
    "887": AuthorityInfo("Medway", "kent", ("ME",), ("886", "303"), "MW"),
    "845": AuthorityInfo("East Sussex", "sussex", ("TN", "BN"), ("886", "938"), "ES"),
    "938": AuthorityInfo("West Sussex", "sussex", ("RH", "BN", "PO"), ("845", "936"), "WS"),
    "303": AuthorityInfo("Bexley", "met", ("DA", "SE"), ("305", "209", "886"), "BX"),
    "305": AuthorityInfo("Bromley", "met", ("BR", "SE"), ("209", "303", "886"), "BR"),
    "208": AuthorityInfo("Lambeth", "met", ("SE", "SW"), ("210", "209", "886"), "LB"),
    "209": AuthorityInfo("Lewisham", "met", ("SE",), ("210", "208", "305", "886"), "L"),
    "210": AuthorityInfo("Southwark", "met", ("SE",), ("208", "209", "305", "886"), "S"),
    "891": AuthorityInfo("Nottinghamshire", "nottinghamshire", ("NG",), ("892", "830", "855", "925"), "N"),
    "892": AuthorityInfo("Nottingham", "nottinghamshire", ("NG",), ("891", "830"), "NC"),
    "830": AuthorityInfo("Derbyshire", "derbyshire", ("DE", "S"), ("891", "892"), "D"),
    "855": AuthorityInfo("Leicestershire", "leicestershire", ("LE",), ("891",), "LE"),
    "925": AuthorityInfo("Lincolnshire", "lincolnshire", ("LN", "PE"), ("891",), "LN"),
    "312": AuthorityInfo("Hillingdon", "met", ("UB", "HA"), ("307", "310", "313", "936"), "H"),
    "307": AuthorityInfo("Ealing", "met", ("W", "UB"), ("312", "313"), "EA"),
    "310": AuthorityInfo("Harrow", "met", ("HA",), ("312",), "HW"),
    "313": AuthorityInfo("Hounslow", "met", ("TW",), ("312", "307", "936"), "HS"),
    "936": AuthorityInfo("Surrey", "surrey", ("GU", "KT", "RH"), ("938", "312", "313"), "SY"),
}

FALLBACK_AREAS = ("XX",)

# Postcode area -> (lowest district, highest district, town-centre districts).
# The town-centre districts are where "hotspot" found postcodes cluster.
DISTRICTS: dict[str, tuple[int, int, tuple[int, ...]]] = {
    "CT": (1, 21, (1, 9, 20)),
    "ME": (1, 20, (14, 15, 4)),
    "TN": (1, 40, (1, 23, 34)),
    "DA": (1, 18, (1, 11)),
    "SE": (1, 28, (1, 15, 5)),
    "SW": (2, 20, (9, 2)),
    "BR": (1, 8, (1,)),
    "BN": (1, 27, (1, 21)),
    "RH": (1, 20, (10,)),
    "PO": (18, 22, (21, 19)),
    "GU": (1, 35, (1,)),
    "KT": (1, 24, (1,)),
    "NG": (1, 25, (1, 18)),
    "DE": (1, 75, (1,)),
    "S": (1, 45, (1, 40)),
    "LE": (1, 19, (1,)),
    "LN": (1, 13, (1,)),
    "PE": (1, 38, (1, 21)),
    "UB": (1, 11, (8, 3)),
    "HA": (0, 9, (1,)),
    "W": (2, 14, (5,)),
    "TW": (1, 20, (3,)),
    "XX": (1, 9, (1,)),
}

# Central London districts where children from anywhere are found
# (county lines and travel into the city).
LONDON_HOTSPOTS = (("SE", 1), ("N", 1), ("E", 1), ("NW", 1), ("WC", 2))

# Letters allowed in the last two characters of a UK postcode.
INWARD_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"


def info(code: str) -> AuthorityInfo | None:
    return AUTHORITIES.get(code)


def areas_for(code: str) -> tuple[str, ...]:
    known = AUTHORITIES.get(code)
    return known.areas if known else FALLBACK_AREAS


def district_range(area: str) -> tuple[int, int, tuple[int, ...]]:
    return DISTRICTS.get(area, (1, 9, (1,)))


def police_for(code: str) -> str:
    known = AUTHORITIES.get(code)
    return known.police if known else "force"


def neighbours_for(code: str) -> list[str]:
    known = AUTHORITIES.get(code)
    return [n for n in known.neighbours if n != code] if known else []


def prefix_for(code: str) -> str:
    known = AUTHORITIES.get(code)
    return known.prefix if known else "C"


POLICE_PREFIX = {
    "kent": "KNT",
    "met": "MPS",
    "sussex": "SXP",
    "surrey": "SYP",
    "nottinghamshire": "NTP",
    "derbyshire": "DBP",
    "leicestershire": "LEP",
    "lincolnshire": "LCP",
}


def police_prefix(slug: str) -> str:
    return POLICE_PREFIX.get(slug, (slug[:3] or "POL").upper())
