"""What each key figure means: one plain-English sentence per figure key,
printed beside the figure in every output (JSON, CSV, HTML), as
definitions.md asks ("every report prints the definition of each figure
beside it").

The sentences that depend on the protocol (the repeat thresholds, when an
interview offer is due) are written with the protocol's values: use
`definitions_for(protocol)`; `DEFINITIONS` holds them with the defaults.
"""

from __future__ import annotations

from copy import deepcopy

# The protocol parameters the figures use, with definitions.md's defaults.
# `kpis.key_figures(protocol=...)` takes a dict of this shape; missing keys
# keep their defaults (protocol.md rule names).
DEFAULT_PROTOCOL: dict = {
    "repeat_missing_meeting": {"episodes": 3, "days": 90},
    "monthly_multiple_missing": {"episodes": 5},
    "return_interview": {"hours": 72, "working_days": None},
}


def resolve_protocol(protocol: dict | None) -> dict:
    """The defaults overlaid, rule by rule, with what the protocol gives."""
    out = deepcopy(DEFAULT_PROTOCOL)
    for rule, values in (protocol or {}).items():
        if rule in out and isinstance(values, dict):
            out[rule].update({k: v for k, v in values.items() if k in out[rule]})
    repeat = out["repeat_missing_meeting"]
    monthly = out["monthly_multiple_missing"]
    rhi = out["return_interview"]
    if int(repeat["episodes"]) < 1 or int(repeat["days"]) < 1 or int(monthly["episodes"]) < 1:
        raise ValueError("the repeat missing thresholds must be whole numbers of 1 or more")
    if not rhi.get("working_days") and not rhi.get("hours"):
        raise ValueError("the return interview rule needs hours or working days")
    return out


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def _due_phrase(rhi: dict) -> str:
    if rhi.get("working_days"):
        return (f"{rhi['working_days']} working days after the return (same clock time; weekends and "
                "England and Wales bank holidays skipped)")
    hours = rhi["hours"]
    hours = int(hours) if float(hours).is_integer() else hours
    return f"{hours} hours after the return"


def definitions_for(protocol: dict | None = None) -> dict[str, str]:
    p = resolve_protocol(protocol)
    n = int(p["repeat_missing_meeting"]["episodes"])
    days = int(p["repeat_missing_meeting"]["days"])
    monthly = int(p["monthly_multiple_missing"]["episodes"])
    due = _due_phrase(p["return_interview"])
    ended = "the period's episodes with a return recorded"
    return {
        "episodes.total": (
            "Episodes that started in the period (last seen, or reported if unknown, in Europe/London time), "
            "of the authority's own children wherever placed and of children who went missing in its area; "
            "several reports of one episode count once."
        ),
        "episodes.from_home": (
            "Of the period's episodes, those in which the child was not looked after when the episode started "
            "(missing from home)."
        ),
        "episodes.from_care": (
            "Of the period's episodes, those in which the child was looked after when the episode started: "
            "Homeward held a placement open then or, holding no placement for the child, the reporter said care."
        ),
        "episodes.absent": (
            "Of the period's episodes, those recorded as absent (away from the placement without authorisation, "
            "whereabouts known; SSDA903 code A) rather than missing."
        ),
        "episodes.open_at_end": (
            "Of the period's episodes, those still open when the period ended: no return recorded, or a return "
            "on or after the period's end."
        ),
        "children.total": (
            "Distinct children with at least one episode in the period; a child's duplicate records that were "
            "merged count once."
        ),
        "children.from_home": (
            "Distinct children with at least one episode from home in the period (a child with episodes from "
            "home and from care counts in both, and once in the total)."
        ),
        "children.from_care": (
            "Distinct children with at least one episode from care in the period (a child with episodes from "
            "home and from care counts in both, and once in the total)."
        ),
        "children_by_episode_count": (
            "For each number of episodes a child had in the period, how many children had that many "
            "(1, 2 and 3 always listed; higher numbers when they occur)."
        ),
        "duration_hours.median": (
            f"Median duration of {ended}, in real elapsed hours from the start to the return "
            "(one decimal place; empty when none returned); open episodes are not counted as zero."
        ),
        "duration_hours.under_24": f"Of {ended}, those that lasted less than 24 hours.",
        "duration_hours.24_to_72": f"Of {ended}, those that lasted at least 24 and less than 72 hours.",
        "duration_hours.72_to_168": f"Of {ended}, those that lasted at least 72 and less than 168 hours (7 days).",
        "duration_hours.over_168": f"Of {ended}, those that lasted 168 hours (7 days) or more.",
        "episodes_by_month": (
            "Episodes by the calendar month (Europe/London) in which they started; every month of the period "
            "is listed, zeros included."
        ),
        "return_interviews.required": (
            f"Of {ended}, those that called for a return home interview offer: all except those where the "
            f"child started a new episode before the offer was due ({due}), was placed in the area by another "
            "authority (whose responsibility the interview is), or was 18 or had died by the time the offer was due."
        ),
        "return_interviews.offered": (
            "Of the episodes that required an interview, those where an offer of an interview is recorded."
        ),
        "return_interviews.offered_in_time": (
            "Of the episodes that required an interview, those where the offer was made at or before the due time "
            f"recorded with the interview: the protocol's timescale in force at the return ({due} by default)."
        ),
        "return_interviews.completed": (
            "Of the episodes that required an interview, those where the interview is recorded as having taken place."
        ),
        "return_interviews.completed_in_time": (
            "Of the episodes that required an interview, those where the interview took place at or before the due "
            f"time recorded with the interview: the protocol's timescale in force at the return ({due} by default)."
        ),
        "return_interviews.declined": (
            "Of the episodes that required an interview, those where the child, or their parent or carer, "
            "declined it."
        ),
        "return_interviews.not_required": (
            f"Of {ended}, those that needed no interview offer, for one of the three reasons given for "
            "'required'."
        ),
        "repeat.three_in_ninety_children": (
            f"Children who reached the repeat missing threshold in the period: an episode starting in the period "
            f"was at least their {_ordinal(n)} within {days} consecutive calendar days (first and {_ordinal(n)} "
            f"start dates at most {days - 1} days apart; the earlier episodes may be before the period)."
        ),
        "repeat.monthly_multiple_children": (
            f"Children with at least {monthly} episodes starting in one calendar month of the period, listed "
            "for that month's Multiple Missing and Hotspots review."
        ),
        "placements.placed_in_episodes": (
            "Episodes in the authority's area of children another authority is responsible for (placed in)."
        ),
        "placements.placed_in_children": "Distinct children of the placed-in episodes.",
        "placements.own_placed_out_episodes": (
            "Episodes of the authority's own looked-after children whose placement is in another authority's "
            "area (placed out of area)."
        ),
        "placements.own_placed_out_children": "Distinct children of the placed-out-of-area episodes.",
        "looked_after.children": (
            "Distinct children the authority looked after at any time in the period: its own children with a "
            "placement open on at least one day of the period (children placed by other authorities excluded)."
        ),
        "looked_after.went_missing": (
            "Distinct children of the authority's own with at least one episode from care in the period."
        ),
        "looked_after.went_missing_percent": (
            "Looked-after children who went missing, as a percentage of the children looked after (one decimal "
            "place; empty when none were looked after)."
        ),
        "looked_after.episodes": "Episodes from care of the authority's own children in the period.",
        "looked_after.episodes_per_child": (
            "Episodes from care of the authority's own children, divided by the children looked after (two "
            "decimal places; empty when none were looked after)."
        ),
    }


DEFINITIONS: dict[str, str] = definitions_for(None)

# Short labels for tables (HTML), in the order the figures are shown.
GROUPS: list[tuple[str, str]] = [
    ("episodes", "Episodes"),
    ("children", "Children"),
    ("children_by_episode_count", "Children by number of episodes"),
    ("duration_hours", "Duration (hours)"),
    ("episodes_by_month", "Episodes by month"),
    ("return_interviews", "Return home interviews"),
    ("repeat", "Repeat missing"),
    ("placements", "Placed in and placed out of area"),
    ("looked_after", "Looked-after children"),
]

LABELS: dict[str, str] = {
    "episodes.total": "Episodes",
    "episodes.from_home": "From home",
    "episodes.from_care": "From care",
    "episodes.absent": "Absent",
    "episodes.open_at_end": "Open at the end of the period",
    "children.total": "Children",
    "children.from_home": "From home",
    "children.from_care": "From care",
    "duration_hours.median": "Median (hours)",
    "duration_hours.under_24": "Under 24 hours",
    "duration_hours.24_to_72": "24 to 72 hours",
    "duration_hours.72_to_168": "72 hours to 7 days",
    "duration_hours.over_168": "7 days or more",
    "return_interviews.required": "Required",
    "return_interviews.offered": "Offered",
    "return_interviews.offered_in_time": "Offered in time",
    "return_interviews.completed": "Completed",
    "return_interviews.completed_in_time": "Completed in time",
    "return_interviews.declined": "Declined",
    "return_interviews.not_required": "Not required",
    "repeat.three_in_ninety_children": "Children meeting the repeat threshold",
    "repeat.monthly_multiple_children": "Children listed for monthly multiple missing",
    "placements.placed_in_episodes": "Placed-in episodes",
    "placements.placed_in_children": "Placed-in children",
    "placements.own_placed_out_episodes": "Own children placed out: episodes",
    "placements.own_placed_out_children": "Own children placed out: children",
    "looked_after.children": "Children looked after",
    "looked_after.went_missing": "Looked-after children who went missing",
    "looked_after.went_missing_percent": "Looked-after children who went missing (%)",
    "looked_after.episodes": "Episodes from care",
    "looked_after.episodes_per_child": "Episodes per looked-after child",
}


def definition_of(key: str, definitions: dict[str, str] | None = None) -> str:
    """The definition of a figure key; keys of a listed group (a month, a
    number of episodes) take their group's definition."""
    defs = definitions if definitions is not None else DEFINITIONS
    if key in defs:
        return defs[key]
    group = key.split(".", 1)[0]
    return defs.get(group, "")


def label_of(key: str) -> str:
    if key in LABELS:
        return LABELS[key]
    group, _, rest = key.partition(".")
    if group == "children_by_episode_count":
        return f"{rest} episode" + ("" if rest == "1" else "s")
    if group == "episodes_by_month":
        from datetime import date

        year, month = rest.split("-")
        return date(int(year), int(month), 1).strftime("%B %Y")
    return key
