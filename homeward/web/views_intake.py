"""Pages for taking in notifications: uploading a file, and the match review queue.

An upload goes through the same import as `homeward import notifications`
(homeward/episodes/importing.py) and shows the same summary. The review queue
shows a report that might be about a child already known beside that child;
a person decides whether they are the same child (the records are merged,
reversibly) or not (they are kept apart for good).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from homeward.access.roles import can_import
from homeward.access.scope import authority_ids_for
from homeward.episodes.importing import import_notifications
from homeward.people.merging import child_unmerge, review_confirm, review_reject, reviews_pending
from homeward.people.models import ChildMerge
from homeward.people.selectors import child_get
from homeward.placements.models import Authority
from homeward.problems import Refused

from .forms import Errors

MAX_UPLOAD_BYTES = 50 * 1024 * 1024


def _import_authorities(request) -> list[Authority]:
    return list(Authority.objects.filter(pk__in=authority_ids_for(request.user)).order_by("name"))


@login_required
@require_http_methods(["GET", "POST"])
def import_upload(request):
    if not can_import(getattr(request.user, "role", "") or ""):
        raise PermissionDenied("Your role cannot import notifications")
    authorities = _import_authorities(request)
    errors = Errors(first_field="file")
    summary = None
    chosen = authorities[0].code if len(authorities) == 1 else (request.POST.get("authority") or "")
    if request.method == "POST":
        upload = request.FILES.get("file")
        authority = next((a for a in authorities if a.code == request.POST.get("authority")), None)
        if authority is None:
            errors.add("authority", "Choose the area whose feed this file is")
        if upload is None:
            errors.add("file", "Choose a notification file (CSV or JSON lines)")
        elif upload.size > MAX_UPLOAD_BYTES:
            errors.add("file", "The file is larger than 50 MB: import it with the homeward command instead")
        if not errors:
            try:
                result, _ = import_notifications(actor=request.user, authority=authority, stream=upload.file,
                                                 name=upload.name)
            except Refused as refused:
                for problem in refused.problems:
                    errors.add("file", problem.message)
            else:
                summary = result
    return render(request, "web/import_upload.html", {
        "errors": errors,
        "authority_options": [("", "Choose an area")] + [(a.code, f"{a.name} ({a.code})") for a in authorities],
        "chosen": chosen,
        "summary": summary,
        "rejected_rows": [[str(e.line), e.reason] for e in summary.rejected] if summary else [],
    })


def _reason_text(code: str) -> str:
    return code.replace("review_only:", "").replace("ambiguous:", "").replace("_", " ")


@login_required
@require_GET
def review_queue(request):
    pending = list(reviews_pending(actor=request.user).select_related("reported_child", "candidate")[:100])
    items = []
    for review in pending:
        items.append({
            "review": review,
            "reported": child_get(actor=request.user, pk=review.reported_child_id),
            "candidate": child_get(actor=request.user, pk=review.candidate_id),
            "reasons": [_reason_text(r) for r in review.reasons],
        })
    merges = [m for m in ChildMerge.objects.filter(undone_at__isnull=True).select_related("survivor", "duplicate")
              .order_by("-merged_at")[:200]
              if m.survivor_id in _visible_ids(request, m)]
    return render(request, "web/review_queue.html", {"items": items, "merges": merges[:50]})


def _visible_ids(request, merge) -> set[int]:
    from homeward.access.scope import children_visible_to

    return set(children_visible_to(request.user).filter(pk__in=[merge.survivor_id]).values_list("pk", flat=True))


def _review_for(request, pk: int):
    review = reviews_pending(actor=request.user).filter(pk=pk).first()
    if review is None:
        raise Http404("No such review")
    return review


@login_required
@require_POST
def review_decide(request, pk: int):
    review = _review_for(request, pk)
    decision = request.POST.get("decision")
    try:
        if decision == "same":
            review_confirm(actor=request.user, review=review)
            messages.success(request, "The two records are merged into one child. The merge can be undone below.")
        elif decision == "different":
            review_reject(actor=request.user, review=review)
            messages.success(request, "Recorded as two different children: they will not be suggested again.")
        else:
            messages.error(request, "Choose whether they are the same child")
    except Refused as refused:
        messages.error(request, "; ".join(p.message for p in refused.problems))
    return redirect("web:review_queue")


@login_required
@require_POST
def merge_undo(request, pk: int):
    merge = ChildMerge.objects.filter(pk=pk, undone_at__isnull=True).first()
    if merge is None or not _visible_ids(request, merge):
        raise Http404("No such merge")
    try:
        child_unmerge(actor=request.user, merge=merge)
        messages.success(request, "The merge is undone: the two records are separate again.")
    except Refused as refused:
        messages.error(request, "; ".join(p.message for p in refused.problems))
    return redirect("web:review_queue")
