"""Merging duplicate child records, reversibly, and the match review queue.

definitions.md: a child is one person whatever number of records the agencies
hold for them; duplicate records that are merged count once.

`child_merge` moves everything the duplicate record holds (episodes with their
notifications, placements, identifiers, aliases, flags, allocations) to the
surviving record, adds the duplicate's name as an alias of the survivor, and
leaves the duplicate in place pointing at the survivor (`merged_into`), so
that its old id still leads to the child (`resolve.follow_merges`) and the
merge can be undone. Two episodes of the survivor that now overlap in time
are one episode (definitions.md, "Episode"): they are folded together with the
same helpers a notification uses, and the merge records what was folded into
what, and which notifications each held.

`ChildMerge.moved` is the complete record of the merge, in JSON:

* ``episodes``, ``placements``, ``identifiers``, ``aliases``, ``flags``,
  ``allocations``: ids of the duplicate's rows now on the survivor;
  ``notifications``: ids of every notification that was on the duplicate's
  episodes (they travel with their episodes);
* ``alias_added``: the alias made from the duplicate's name, if one was made;
* ``dropped``: the duplicate's aliases, flags and placements the survivor
  already held identically, removed rather than doubled, kept whole so that
  the undo can put them back;
* ``folded``: in order, each episode folded into another: its id, its child,
  the episode it went ``into``, its notifications and risk changes;
* ``episodes_before``: every episode the merge touched, whole, as it was
  before; ``episodes_after``: the same episodes' fields and notifications as
  the merge left them, to tell on undo whether anything changed since;
* ``risk_changes_created``: risk history rows the recomputing wrote;
* ``notification_high_water``: the highest notification id at the merge,
  to recognise later updates of a folded report;
* ``review``, ``forced``.

`child_unmerge` puts every row back on its child, re-creates folded episodes
with their own ids and notifications (and any later update of the same
report), restores every touched episode exactly as it was when nothing
changed it since the merge, and recomputes those that did change. It refuses,
naming what, when a moved row has since gone or moved to another record, or
when the survivor has itself been merged since.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any, Iterable

from django.core import serializers
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone

from homeward.access.audit import audit_record
from homeward.access.models import AuditEvent
from homeward.access.roles import MANAGER_ROLES
from homeward.access.scope import children_visible_to
from homeward.episodes.models import Episode, Notification, RiskChange
from homeward.episodes.services import _merge_episodes, _overlapping, recompute
from homeward.placements.models import Placement
from homeward.problems import Problem, Refused

from .models import Allocation, Child, ChildAlias, ChildFlag, ChildIdentifier, ChildMerge, MatchReview

# The rows a merge moves, by the name used in ChildMerge.moved.
MOVED_KINDS: dict[str, Any] = {
    "placements": Placement,
    "identifiers": ChildIdentifier,
    "aliases": ChildAlias,
    "flags": ChildFlag,
    "allocations": Allocation,
    "episodes": Episode,
}
KIND_WORDS = {
    "placements": "placement",
    "identifiers": "identifier",
    "aliases": "alias",
    "flags": "flag",
    "allocations": "allocation",
    "episodes": "episode",
}
# Relations of a child that the merge handles (moves, or leaves on purpose:
# reviews and merges name the records themselves).
HANDLED_CHILD_RELATIONS = frozenset(
    {"episodes", "placements", "identifiers", "aliases", "flags", "allocations",
     "reviews_as_reported", "reviews_as_candidate", "merges_in", "merges_out", "merged"}
)
HANDLED_EPISODE_RELATIONS = frozenset({"notifications", "risk_changes"})
PLACEMENT_FIELDS = (
    "responsible_authority_id", "host_authority_id", "provider_id", "place_code", "place_provider",
    "legal_status", "reason_ceased", "start_date", "end_date", "home_postcode", "placement_postcode",
)


# --- whole rows, kept in JSON ------------------------------------------------------


def _json_safe(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_json_safe(v) for v in value]
    if hasattr(value, "isoformat"):
        return value.isoformat()  # full precision, with the offset (unlike DjangoJSONEncoder)
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return str(value)


def _rows(objs: Iterable) -> list[dict]:
    """Model instances as plain JSON: model, pk and every field."""
    return _json_safe(serializers.serialize("python", list(objs)))


def _restore(rows: list[dict]) -> None:
    """Write rows back exactly as they were kept (same ids, same values)."""
    for obj in serializers.deserialize("python", rows):
        obj.save()


def _fields(row: dict) -> dict:
    return {k: v for k, v in row["fields"].items() if k != "updated_at"}


def _episode_rows(pks: Iterable[int]) -> dict[int, dict]:
    return {row["pk"]: row for row in _rows(Episode.objects.filter(pk__in=list(pks)).order_by("pk"))}


def _notification_ids(episode_pk: int) -> list[int]:
    return sorted(Notification.objects.filter(episode_id=episode_pk).values_list("pk", flat=True))


# --- checks -------------------------------------------------------------------------


def _lock(*children: Child) -> None:
    """Lock the children's rows for the transaction and refresh the instances."""
    list(Child.objects.select_for_update().filter(pk__in=[c.pk for c in children]).order_by("pk"))
    for child in children:
        child.refresh_from_db()


def _visible(actor, *children: Child) -> set[int]:
    return set(children_visible_to(actor).filter(pk__in=[c.pk for c in children]).values_list("pk", flat=True))


def _unhandled_relations(obj, handled: frozenset) -> list[str]:
    """Names of other kinds of rows that point at obj (added by later parts of
    Homeward that merging does not know how to move yet)."""
    found = []
    for rel in obj._meta.related_objects:
        name = rel.get_accessor_name()
        if name in handled or rel.many_to_many or rel.one_to_one:
            continue
        if rel.related_model._default_manager.filter(**{rel.field.name: obj}).exists():
            found.append(rel.related_model._meta.verbose_name_plural)
    return found


def _check_merge(actor, survivor: Child, duplicate: Child, force: bool) -> None:
    if survivor.pk == duplicate.pk:
        raise Refused(Problem("duplicate", "A record cannot be merged into itself: choose two different records"))
    _lock(survivor, duplicate)
    if survivor.merged_into_id is not None:
        raise Refused(Problem("survivor", "This record has already been merged into another record: "
                                          "merge into that record instead"))
    if duplicate.merged_into_id is not None:
        raise Refused(Problem("duplicate", "This record has already been merged into another record"))
    visible = _visible(actor, survivor, duplicate)
    hidden = [p for p, c in (("survivor", survivor), ("duplicate", duplicate)) if c.pk not in visible]
    if hidden:
        raise Refused([Problem(p, "You cannot see this record, so you cannot merge it") for p in hidden])
    problems = []
    if survivor.dob != duplicate.dob:
        if not force:
            problems.append(Problem("dob", "The two records have different dates of birth. Only a team manager "
                                           "or senior manager can merge them, confirming they are one child"))
        elif getattr(actor, "role", None) not in MANAGER_ROLES:
            problems.append(Problem("force", "Only a team manager or senior manager can merge records "
                                             "with different dates of birth"))
    other = _unhandled_relations(duplicate, HANDLED_CHILD_RELATIONS)
    if other:
        problems.append(Problem("duplicate", "The record holds " + ", ".join(other) + ", which merging cannot move yet"))
    if problems:
        raise Refused(problems)


# --- merging ----------------------------------------------------------------------


def _same_placement(a: Placement, b: Placement) -> bool:
    return all(getattr(a, f) == getattr(b, f) for f in PLACEMENT_FIELDS)


@transaction.atomic
def child_merge(
    *, actor, survivor: Child, duplicate: Child, review: MatchReview | None = None, force: bool = False
) -> ChildMerge:
    """Merge the duplicate record into the survivor, reversibly (see the module
    docstring). `force` lets a team or senior manager merge two records whose
    dates of birth differ."""
    if review is not None and {review.reported_child_id, review.candidate_id} != {survivor.pk, duplicate.pk}:
        raise Refused(Problem("review", "This possible match is about other records"))
    _check_merge(actor, survivor, duplicate, force)

    moved: dict[str, Any] = {kind: [] for kind in MOVED_KINDS}
    moved.update(notifications=[], alias_added=None, dropped={"placements": [], "aliases": [], "flags": []},
                 folded=[], episodes_before=[], episodes_after={}, risk_changes_created=[],
                 review=review.pk if review is not None else None, forced=survivor.dob != duplicate.dob)
    both = [survivor.pk, duplicate.pk]
    before = _episode_rows(Episode.objects.filter(child_id__in=both).values_list("pk", flat=True))
    risk_before = set(RiskChange.objects.filter(episode__child_id__in=both).values_list("pk", flat=True))
    moved["notifications"] = sorted(
        Notification.objects.filter(episode__child=duplicate).values_list("pk", flat=True)
    )

    # Placements first, so that recomputed episodes find them.
    problems = []
    for placement in Placement.objects.filter(child=duplicate).order_by("start_date", "pk"):
        twin = Placement.objects.filter(child=survivor, start_date=placement.start_date).first()
        if twin is None:
            moved["placements"].append(placement.pk)
        elif _same_placement(placement, twin):
            moved["dropped"]["placements"] += _rows([placement])
        else:
            problems.append(Problem("placements", f"Both records have a placement starting on "
                                                  f"{placement.start_date:%d %B %Y} with different details: "
                                                  "correct the placements before merging"))
    if problems:
        raise Refused(problems)
    dropped_placements = [row["pk"] for row in moved["dropped"]["placements"]]
    Placement.objects.filter(pk__in=dropped_placements).delete()  # their episodes are recomputed below
    Placement.objects.filter(pk__in=moved["placements"]).update(child=survivor)

    moved["identifiers"] = list(ChildIdentifier.objects.filter(child=duplicate).order_by("pk").values_list("pk", flat=True))
    ChildIdentifier.objects.filter(pk__in=moved["identifiers"]).update(child=survivor)

    survivor_names = set(ChildAlias.objects.filter(child=survivor).values_list("first_name", "last_name"))
    for alias in ChildAlias.objects.filter(child=duplicate).order_by("pk"):
        if (alias.first_name, alias.last_name) in survivor_names:
            moved["dropped"]["aliases"] += _rows([alias])
        else:
            moved["aliases"].append(alias.pk)
    ChildAlias.objects.filter(pk__in=[r["pk"] for r in moved["dropped"]["aliases"]]).delete()
    ChildAlias.objects.filter(pk__in=moved["aliases"]).update(child=survivor)
    own_name = (duplicate.first_name.strip(), duplicate.last_name.strip())
    if (own_name[0].casefold(), own_name[1].casefold()) != (survivor.first_name.casefold(), survivor.last_name.casefold()):
        alias, created = ChildAlias.objects.get_or_create(
            child=survivor, first_name=own_name[0], last_name=own_name[1], defaults={"source": "merged record"}
        )
        if created:
            moved["alias_added"] = alias.pk

    survivor_flags = set(ChildFlag.objects.filter(child=survivor).values_list("flag", "source", "start_date"))
    for flag in ChildFlag.objects.filter(child=duplicate).order_by("pk"):
        if (flag.flag, flag.source, flag.start_date) in survivor_flags:
            moved["dropped"]["flags"] += _rows([flag])
        else:
            moved["flags"].append(flag.pk)
    ChildFlag.objects.filter(pk__in=[r["pk"] for r in moved["dropped"]["flags"]]).delete()
    ChildFlag.objects.filter(pk__in=moved["flags"]).update(child=survivor)

    moved["allocations"] = list(Allocation.objects.filter(child=duplicate).order_by("pk").values_list("pk", flat=True))
    Allocation.objects.filter(pk__in=moved["allocations"]).update(child=survivor)

    # Episodes: moved, or folded into the survivor's episode they overlap.
    touched: set[int] = set()
    for episode in list(Episode.objects.filter(child=duplicate).order_by("started_at", "pk")):
        if not Episode.objects.filter(pk=episode.pk).exists():
            continue  # already folded into an earlier one
        clash = _overlapping(survivor, episode.started_at, episode.returned_at, exclude=[episode.pk])
        if not clash:
            Episode.objects.filter(pk=episode.pk).update(child=survivor)
            moved["episodes"].append(episode.pk)
            touched.add(episode.pk)
            continue
        target = clash[0]
        _fold(moved, target, clash[1:] + [episode], actor)
        touched.add(target.pk)
        while True:  # the joined episode may now reach another one
            target.refresh_from_db()
            more = _overlapping(survivor, target.started_at, target.returned_at, exclude=[target.pk])
            if not more:
                break
            _fold(moved, target, more, actor)
    folded_ids = {f["episode"] for f in moved["folded"]}
    moved["episodes"] = [pk for pk in moved["episodes"] if pk not in folded_ids]
    touched -= folded_ids

    # The survivor's episodes now know the duplicate's placements (home or care).
    recompute_ids = set(moved["episodes"])
    if moved["placements"] or dropped_placements:
        recompute_ids |= set(Episode.objects.filter(child=survivor).values_list("pk", flat=True)) - touched
    for episode in Episode.objects.filter(pk__in=recompute_ids).select_related("child").order_by("started_at"):
        recompute(episode, actor=actor)
    touched |= recompute_ids

    duplicate.merged_into = survivor
    duplicate.save(update_fields=["merged_into", "updated_at"])

    moved["episodes_before"] = [before[pk] for pk in sorted(touched | folded_ids) if pk in before]
    after = _episode_rows(touched)
    moved["episodes_after"] = {
        str(pk): {"fields": _fields(row), "notifications": _notification_ids(pk)} for pk, row in after.items()
    }
    moved["risk_changes_created"] = sorted(
        set(RiskChange.objects.filter(episode__child=survivor).values_list("pk", flat=True)) - risk_before
    )
    moved["notification_high_water"] = Notification.objects.order_by("-pk").values_list("pk", flat=True).first() or 0

    merge = ChildMerge.objects.create(
        survivor=survivor, duplicate=duplicate, moved=moved, merged_by=actor if getattr(actor, "pk", None) else None
    )
    counts = {kind: len(moved[kind]) for kind in MOVED_KINDS} | {"folded": len(moved["folded"])}
    for child, summary in ((survivor, "Merged a duplicate record into this child's record"),
                           (duplicate, "Merged this record into another child's record")):
        audit_record(actor=actor, action=AuditEvent.Action.UPDATE, obj=merge, child_id=child.pk, summary=summary,
                     payload={"survivor": survivor.pk, "duplicate": duplicate.pk, "review": moved["review"],
                              "forced": moved["forced"], "moved": counts})
    return merge


def _fold(moved: dict, target: Episode, others: list[Episode], actor) -> None:
    """Fold `others` into `target` (one episode), recording each for the undo."""
    for other in others:
        extra = _unhandled_relations(other, HANDLED_EPISODE_RELATIONS)
        if extra:
            raise Refused(Problem("episodes", "An episode that would be joined with an overlapping one holds "
                                              + ", ".join(extra) + ", which merging cannot move yet"))
        moved["folded"].append({
            "episode": other.pk,
            "child": other.child_id,
            "into": target.pk,
            "notifications": _notification_ids(other.pk),
            "risk_changes": sorted(RiskChange.objects.filter(episode=other).values_list("pk", flat=True)),
        })
    _merge_episodes(target, others)
    target.refresh_from_db()
    recompute(target, actor=actor)


# --- undoing ----------------------------------------------------------------------


def _undo_problems(merge: ChildMerge, survivor: Child) -> list[Problem]:
    moved = merge.moved
    problems = []
    for kind, model in MOVED_KINDS.items():
        ids = moved.get(kind, [])
        where = dict(model.objects.filter(pk__in=ids).values_list("pk", "child_id"))
        gone = [i for i in ids if i not in where]
        elsewhere = [i for i in ids if where.get(i) not in (None, survivor.pk)]
        word = KIND_WORDS[kind]
        if gone:
            problems.append(Problem(kind, f"The {word} record(s) {_ids(gone)} moved by the merge no longer exist"))
        if elsewhere:
            problems.append(Problem(kind, f"The {word} record(s) {_ids(elsewhere)} moved by the merge "
                                          "now belong to another child's record"))
    folded = moved.get("folded", [])
    if folded:
        folded_ids = {f["episode"] for f in folded}
        into = {f["into"] for f in folded} - folded_ids
        present = dict(Episode.objects.filter(pk__in=into).values_list("pk", "child_id"))
        lost = sorted(pk for pk in into if present.get(pk) != survivor.pk)
        if lost:
            problems.append(Problem("episodes", f"The episode(s) {_ids(lost)} that overlapping episodes were joined "
                                                "into have since been removed, joined with another or moved"))
        wanted = sorted({n for f in folded for n in f["notifications"]})
        at = dict(Notification.objects.filter(pk__in=wanted).values_list("pk", "episode_id"))
        astray = [n for n in wanted if at.get(n) not in into]
        if astray and not lost:
            problems.append(Problem("episodes", f"The notification(s) {_ids(astray)} of joined episodes are no longer "
                                                "on the episode they were joined into (a later report changed it)"))
    return problems


def _ids(ids: list[int]) -> str:
    shown = ", ".join(str(i) for i in ids[:10])
    return shown + (f" and {len(ids) - 10} more" if len(ids) > 10 else "")


@transaction.atomic
def child_unmerge(*, actor, merge: ChildMerge) -> None:
    """Undo a merge: every row back on its record, folded episodes re-created
    with their notifications, the duplicate record current again."""
    merge = ChildMerge.objects.select_for_update().select_related("survivor", "duplicate").get(pk=merge.pk)
    if merge.undone_at is not None:
        raise Refused(Problem("merge", "This merge has already been undone"))
    survivor, duplicate = merge.survivor, merge.duplicate
    _lock(survivor, duplicate)
    if survivor.merged_into_id is not None:
        raise Refused(Problem("merge", "The record has since been merged into another record: undo that merge first"))
    if duplicate.merged_into_id != survivor.pk:
        raise Refused(Problem("merge", "The duplicate record is no longer merged into this record"))
    if survivor.pk not in _visible(actor, survivor):
        raise Refused(Problem("merge", "You cannot see this record, so you cannot undo its merge"))
    problems = _undo_problems(merge, survivor)
    if problems:
        raise Refused(problems)
    try:
        with transaction.atomic():
            _put_back(merge, survivor, duplicate, actor)
    except IntegrityError as exc:
        raise Refused(Problem("merge", "The records have changed since the merge in a way that cannot be undone "
                                       f"automatically ({str(exc).splitlines()[0][:120]})")) from None

    duplicate.merged_into = None
    duplicate.save(update_fields=["merged_into", "updated_at"])
    merge.undone_at = timezone.now()
    merge.undone_by = actor if getattr(actor, "pk", None) else None
    merge.save(update_fields=["undone_at", "undone_by"])
    review_id = merge.moved.get("review")
    if review_id:
        MatchReview.objects.filter(pk=review_id, state=MatchReview.State.CONFIRMED).update(state=MatchReview.State.UNDONE)
    for child, summary in ((survivor, "Undid the merge of a duplicate record into this child's record"),
                           (duplicate, "Undid the merge of this record into another child's record")):
        audit_record(actor=actor, action=AuditEvent.Action.UPDATE, obj=merge, child_id=child.pk, summary=summary,
                     payload={"survivor": survivor.pk, "duplicate": duplicate.pk, "review": review_id})


def _put_back(merge: ChildMerge, survivor: Child, duplicate: Child, actor) -> None:
    moved = merge.moved
    dropped = moved.get("dropped", {})
    # Rows the survivor had too were removed: back first (episodes point at placements).
    for kind in ("placements", "aliases", "flags"):
        _restore(dropped.get(kind, []))
    for kind, model in MOVED_KINDS.items():
        if kind != "episodes":
            model.objects.filter(pk__in=moved.get(kind, [])).update(child=duplicate)
    if moved.get("alias_added"):
        ChildAlias.objects.filter(pk=moved["alias_added"], child=survivor).delete()

    before = {row["pk"]: row for row in moved.get("episodes_before", [])}
    after = {int(pk): state for pk, state in moved.get("episodes_after", {}).items()}
    now = _episode_rows(after)
    unchanged = {
        pk for pk, state in after.items()
        if pk in now and _fields(now[pk]) == state["fields"] and _notification_ids(pk) == state["notifications"]
    }
    stale = set(after) - unchanged

    # The duplicate's episodes go home; then every touched episode gets its
    # old row back (returns first, so that at no moment a child has two open
    # episodes), or, if it changed since the merge, just its child.
    Episode.objects.filter(pk__in=moved.get("episodes", [])).update(child=duplicate)
    rows = [before[pk] for pk in unchanged if pk in before]
    rows.sort(key=lambda r: (r["fields"]["returned_at"] is None, r["pk"]))
    _restore(rows)
    for pk in stale:
        if pk in before:
            Episode.objects.filter(pk=pk).update(child_id=before[pk]["fields"]["child"])

    # Folded episodes, last first: re-created with their ids, their
    # notifications and risk history, and any later update of their reports.
    high_water = moved.get("notification_high_water", 0)
    for fold in reversed(moved.get("folded", [])):
        _restore([before[fold["episode"]]])
        episode_pk, into = fold["episode"], fold["into"]
        Notification.objects.filter(pk__in=fold["notifications"]).update(episode_id=episode_pk)
        RiskChange.objects.filter(pk__in=fold["risk_changes"]).update(episode_id=episode_pk)
        keys = set(Notification.objects.filter(pk__in=fold["notifications"]).values_list("source", "source_ref"))
        later = [
            n.pk for n in Notification.objects.filter(episode_id=into, pk__gt=high_water)
            if (n.source, n.source_ref) in keys
        ]
        if later:
            Notification.objects.filter(pk__in=later).update(episode_id=episode_pk)
            stale |= {episode_pk, into}
    RiskChange.objects.filter(pk__in=moved.get("risk_changes_created", [])).delete()

    # What changed since the merge is derived again from its notifications.
    by_child: dict[int, list[Episode]] = defaultdict(list)
    for episode in Episode.objects.filter(pk__in=stale).select_related("child").order_by("started_at"):
        if not episode.notifications.exists():
            continue
        recompute(episode, actor=actor)
        by_child[episode.child_id].append(episode)
    for episodes in by_child.values():
        for episode in episodes:
            if not Episode.objects.filter(pk=episode.pk).exists():
                continue
            episode.refresh_from_db()
            clash = _overlapping(episode.child, episode.started_at, episode.returned_at, exclude=[episode.pk])
            if clash:
                _merge_episodes(episode, clash)
                recompute(episode, actor=actor)


# --- the review queue ----------------------------------------------------------------


def _pending(review: MatchReview) -> MatchReview:
    review = MatchReview.objects.select_for_update().select_related("reported_child", "candidate").get(pk=review.pk)
    if review.state != MatchReview.State.PENDING:
        raise Refused(Problem("review", f"This possible match has already been decided: {review.get_state_display().lower()}"))
    return review


@transaction.atomic
def review_confirm(*, actor, review: MatchReview, force: bool = False) -> ChildMerge:
    """The reported record is the candidate child: merge it into the candidate."""
    review = _pending(review)
    merge = child_merge(actor=actor, survivor=review.candidate, duplicate=review.reported_child, review=review, force=force)
    review.state = MatchReview.State.CONFIRMED
    review.decided_by = actor if getattr(actor, "pk", None) else None
    review.decided_at = timezone.now()
    review.save(update_fields=["state", "decided_by", "decided_at"])
    audit_record(actor=actor, action=AuditEvent.Action.UPDATE, obj=review, child_id=review.candidate_id,
                 summary="Confirmed a possible match: the same child", payload={"merge": merge.pk})
    return merge


@transaction.atomic
def review_reject(*, actor, review: MatchReview) -> MatchReview:
    """The two records are different children: keep them apart for good (the
    matcher does not let either stand in the way of the other again, see
    resolve.kept_apart)."""
    review = _pending(review)
    children = (review.reported_child, review.candidate)
    merged = [p for p, c in zip(("reported_child", "candidate"), children) if c.merged_into_id is not None]
    if merged:
        raise Refused([Problem(p, "This record has since been merged into another record") for p in merged])
    visible = _visible(actor, *children)
    hidden = [p for p, c in zip(("reported_child", "candidate"), children) if c.pk not in visible]
    if hidden:
        raise Refused([Problem(p, "You cannot see this record, so you cannot decide this match") for p in hidden])
    review.state = MatchReview.State.REJECTED
    review.decided_by = actor if getattr(actor, "pk", None) else None
    review.decided_at = timezone.now()
    review.save(update_fields=["state", "decided_by", "decided_at"])
    for child in children:
        audit_record(actor=actor, action=AuditEvent.Action.UPDATE, obj=review, child_id=child.pk,
                     summary="Rejected a possible match: different children",
                     payload={"reported_child": review.reported_child_id, "candidate": review.candidate_id})
    return review


def reviews_pending(*, actor) -> QuerySet[MatchReview]:
    """Possible matches waiting for a person, best score first: those whose
    two records are both current (not merged) and both within the actor's
    scope. Like `child_list`, the page that shows them audits what it lists."""
    visible = children_visible_to(actor).values("pk")
    return (
        MatchReview.objects.filter(state=MatchReview.State.PENDING, reported_child__in=visible, candidate__in=visible)
        .select_related("reported_child", "candidate", "notification")
        .order_by("-score", "created_at", "pk")
    )
