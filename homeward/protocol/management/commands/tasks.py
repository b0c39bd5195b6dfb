"""`homeward tasks --authority CODE [--state open|all] [--format json|csv]` (contract.md, "Tasks").

The tasks raised for that authority (by its protocol), overdue first, as a
JSON list (the default) or CSV with a header row. Each task:

    {"id", "rule", "state", "due_at",
     "child": {"child_ref", "first_name", "last_name", "dob"},
     "episode": {"id", "last_seen_at", "source_refs"} or null,
     "protocol_version", "reason"}

`child_ref` is the authority's own identifier for the child (SSDA903 CHILD),
else the responsible authority's, else null; times are ISO 8601 in UK time
with their offset. The export is audited.
"""

from __future__ import annotations

import csv
import io
import json
from collections import defaultdict

from django.core.management.base import BaseCommand
from django.db.models import Case, IntegerField, Value, When
from django.utils import timezone

from homeward.access.audit import audit_record
from homeward.access.models import AuditEvent

from .protocol import authority_by_code

CSV_FIELDS = ["id", "rule", "state", "due_at", "child_ref", "first_name", "last_name", "dob", "episode_id",
              "episode_last_seen_at", "episode_source_refs", "protocol_version", "reason", "owner_organisation",
              "owner_role", "owner_user", "raised_at", "closed_at", "closed_reason"]


def iso(moment) -> str | None:
    return timezone.localtime(moment).isoformat() if moment is not None else None


def task_rows(authority, state: str = "open") -> list[dict]:
    from homeward.episodes.models import Notification
    from homeward.people.models import ChildIdentifier

    from ...models import Task

    qs = Task.objects.filter(authority=authority)
    if state == "open":
        qs = qs.filter(state="open")
    qs = (qs.select_related("child", "episode", "protocol_version", "owner_organisation", "owner_user")
          .annotate(closed=Case(When(state="open", then=Value(0)), default=Value(1), output_field=IntegerField()))
          .order_by("closed", "due_at", "pk"))
    tasks = list(qs)
    child_ids = {t.child_id for t in tasks}
    refs: dict[int, dict[int, str]] = defaultdict(dict)
    for child_id, authority_id, value in ChildIdentifier.objects.filter(
            child_id__in=child_ids, kind="la_child").values_list("child_id", "authority_id", "value"):
        refs[child_id][authority_id] = value
    sources: dict[int, list[str]] = defaultdict(list)
    for episode_id, ref in (Notification.objects.filter(episode_id__in={t.episode_id for t in tasks if t.episode_id})
                            .order_by("received_at", "pk").values_list("episode_id", "source_ref")):
        if ref not in sources[episode_id]:
            sources[episode_id].append(ref)
    rows = []
    for t in tasks:
        child = t.child
        ref = refs[child.pk].get(authority.pk) or refs[child.pk].get(child.responsible_authority_id)
        episode = None
        if t.episode_id:
            episode = {"id": t.episode_id, "last_seen_at": iso(t.episode.last_seen_at or t.episode.started_at),
                       "source_refs": sources.get(t.episode_id, [])}
        rows.append({
            "id": t.pk,
            "rule": t.rule,
            "state": t.state,
            "due_at": iso(t.due_at),
            "child": {"child_ref": ref, "first_name": child.first_name, "last_name": child.last_name,
                      "dob": child.dob.isoformat()},
            "episode": episode,
            "protocol_version": t.protocol_version.number,
            "reason": t.reason,
            "_task": t,
        })
    return rows


def _cell(value) -> str:
    """A CSV cell that a spreadsheet will not run as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


class Command(BaseCommand):
    help = "The tasks raised for an authority: `tasks --authority CODE [--state open|all] [--format json|csv]`."

    def add_arguments(self, parser):
        parser.add_argument("--authority", required=True, metavar="CODE", help="the authority's three-digit DfE code")
        parser.add_argument("--state", choices=["open", "all"], default="open",
                            help="open (default) or all, with done and cancelled")
        parser.add_argument("--format", choices=["json", "csv"], default="json", help="json (default) or csv")

    def handle(self, *args, **options):
        authority = authority_by_code(options["authority"])
        rows = task_rows(authority, options["state"])
        if options["format"] == "json":
            out = json.dumps([{k: v for k, v in r.items() if not k.startswith("_")} for r in rows], indent=2,
                             ensure_ascii=False)
            self.stdout.write(out)
        else:
            buffer = io.StringIO()
            writer = csv.writer(buffer, lineterminator="\n")
            writer.writerow(CSV_FIELDS)
            for r in rows:
                t = r["_task"]
                episode = r["episode"] or {}
                writer.writerow([_cell(v) for v in (
                    r["id"], r["rule"], r["state"], r["due_at"], r["child"]["child_ref"], r["child"]["first_name"],
                    r["child"]["last_name"], r["child"]["dob"], episode.get("id"), episode.get("last_seen_at"),
                    ";".join(episode.get("source_refs", [])), r["protocol_version"], r["reason"],
                    t.owner_organisation.name if t.owner_organisation_id else "", t.owner_role,
                    t.owner_user.username if t.owner_user_id else "", iso(t.created_at), iso(t.closed_at),
                    t.closed_reason,
                )])
            self.stdout.write(buffer.getvalue(), ending="")
        audit_record(actor=None, action=AuditEvent.Action.EXPORT, object_type="task", object_id=authority.code,
                     summary=f"Exported {len(rows)} tasks for {authority.code} ({options['state']})",
                     payload={"authority": authority.code, "state": options["state"], "format": options["format"],
                              "task_ids": [r["id"] for r in rows][:500]})
