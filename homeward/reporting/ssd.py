"""The Standard Safeguarding Dataset's `ssd_missing` table (Data to Insight's
SSD data model), one row per episode (`homeward export ssd-missing`;
docs/exports.md).

The episodes are the same as the Annex A list's (annex_a.py: the
authority's episodes starting in the period, definitions.md "Whose
episode"), built from the same facts, so both reconcile with `report kpis`.

Columns, with the SSD's own names:

- `miss_table_id`: Homeward's episode number;
- `miss_person_id`: the authority's identifier for the child (its SSDA903
  CHILD), or Homeward's `HW<record>` when it holds none; merged duplicate
  records appear under the record they survive as;
- `miss_missing_episode_start_date`, `miss_missing_episode_end_date`: ISO
  8601 date and time, Europe/London local time, `YYYY-MM-DDTHH:MM:SS`; the end
  blank while the child is still missing;
- `miss_missing_episode_type`: `M` (missing) or `A` (absent: away from
  placement without authorisation);
- `miss_missing_rhi_offered`: `Y` when an offer of a return home interview
  is recorded; `N` when the episode ended, an interview was required (the
  rules of `report kpis`) and no offer is recorded; blank otherwise (still
  missing, or no interview required and none offered);
- `miss_missing_rhi_accepted`: `Y` when the child accepted (the interview is
  arranged or done), `N` when the child, or a parent or carer, declined;
  blank otherwise (no answer yet, the child could not be contacted, or no
  offer).
"""

from __future__ import annotations

from datetime import date, datetime

from . import rules
from .annex_a import EpisodeFacts, audit_export, period_facts, write_csv

HEADER = (
    "miss_table_id",
    "miss_person_id",
    "miss_missing_episode_start_date",
    "miss_missing_episode_type",
    "miss_missing_episode_end_date",
    "miss_missing_rhi_offered",
    "miss_missing_rhi_accepted",
)
ACCEPTED = ("accepted", "completed")
DECLINED = ("declined_by_child", "declined_by_parent_or_carer")


def iso_local(moment: datetime | None) -> str:
    """ISO 8601 date and time in Europe/London local time, to the second."""
    if moment is None:
        return ""
    return moment.astimezone(rules.LONDON).replace(tzinfo=None, microsecond=0).isoformat(timespec="seconds")


def rhi_offered(f: EpisodeFacts) -> str:
    if f.interview is not None and f.interview.offered_at is not None:
        return "Y"
    if f.returned_at is not None and f.not_required is None:
        return "N"
    return ""


def rhi_accepted(f: EpisodeFacts) -> str:
    progress = f.interview.progress if f.interview is not None else ""
    if progress in ACCEPTED:
        return "Y"
    if progress in DECLINED:
        return "N"
    return ""


def ssd_row(f: EpisodeFacts) -> list[str]:
    return [
        str(f.episode_id),
        f.child_ref,
        iso_local(f.started_at),
        "A" if f.category == "absent" else "M",
        iso_local(f.returned_at),
        rhi_offered(f),
        rhi_accepted(f),
    ]


def ssd_rows(facts: list[EpisodeFacts]) -> list[list[str]]:
    return [ssd_row(f) for f in facts]


def export(*, actor, authority, start: date, end: date, protocol: dict | None = None, out: str = "") -> tuple[str, int]:
    """The table as CSV text, and its number of rows. Audited."""
    facts = period_facts(authority, start, end, protocol)
    text = write_csv(HEADER, ssd_rows(facts))
    audit_export(actor=actor, object_type="ssd_missing", title="SSD ssd_missing table", authority=authority,
                 start=start, end=end, rows=len(facts), out=out)
    return text, len(facts)
