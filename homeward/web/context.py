from django.conf import settings
from django.urls import reverse

from homeward.access.roles import (
    can_import, can_record_episodes, can_search_audit, can_see_figures, can_see_named_records,
    can_see_people_of_concern,
)


def service(request):
    """What every page needs: the service name, who is signed in, and the navigation."""
    user = getattr(request, "user", None)
    signed_in = user is not None and user.is_authenticated
    membership = user.membership if signed_in else None
    role = membership.role if membership else ""
    nav = []
    if signed_in:
        path = request.path
        items = [("Missing now", reverse("web:home"), path == reverse("web:home"))]
        if can_see_named_records(role):
            report = reverse("web:report_find")
            items.append(("Children", reverse("web:children"),
                          path.startswith(reverse("web:children")) and not path.endswith("/report-missing/")))
            if can_record_episodes(role):
                items.append(("Report a child missing", report,
                              path == report or path.endswith("/report-missing/")))
        if role in ("rhi_worker", "missing_officer", "social_worker", "team_manager", "senior_manager"):
            items.append(("Return interviews", reverse("web:interview_worklist"),
                          path.startswith(reverse("web:interview_worklist"))))
        if role in ("missing_officer", "team_manager", "senior_manager", "analyst"):
            items.append(("Interview figures", reverse("web:interview_figures"),
                          path.startswith(reverse("web:interview_figures"))))
        if can_see_figures(role):
            items.append(("Key figures", reverse("web:reports_kpis"),
                          path.startswith(reverse("web:reports_kpis")) and not path.startswith("/reports/partnership/")))
            items.append(("Partnership report", reverse("web:periodic_partnership"),
                          path.startswith("/reports/partnership/")))
            items.append(("Hotspots", reverse("web:places_hotspots"), path.startswith(reverse("web:places_hotspots"))))
        if can_see_people_of_concern(role):
            items.append(("People of concern", reverse("web:intel_people"),
                          path.startswith("/intelligence/") and not path.startswith("/intelligence/shortlist/")))
            items.append(("Exploitation panel", reverse("web:intel_shortlist"),
                          path.startswith("/intelligence/shortlist/")))
        if role in ("team_manager", "senior_manager"):
            items.append(("Interview quality", reverse("web:interview_quality"),
                          path.startswith(reverse("web:interview_quality"))))
        if role in ("missing_officer", "social_worker", "team_manager", "senior_manager", "police", "rhi_worker",
                    "care_staff"):
            items.append(("Tasks", reverse("tasks_mine"), path.startswith("/tasks/")))
        if role in ("missing_officer", "social_worker", "team_manager", "senior_manager"):
            items.append(("Meetings", reverse("meeting_list"), path.startswith("/meetings/")))
        if role == "admin":
            items.append(("Protocol", reverse("protocol_current"), path.startswith("/protocol/")))
        if can_see_named_records(role):
            items.append(("Possible duplicates", reverse("web:review_queue"), path.startswith(reverse("web:review_queue"))))
        if can_import(role):
            items.append(("Import", reverse("web:import_upload"), path.startswith(reverse("web:import_upload"))))
        if can_search_audit(role):
            items.append(("Audit trail", reverse("web:audit"), path.startswith(reverse("web:audit"))))
        items.append(("Account", reverse("web:account"), path.startswith(reverse("web:account"))))
        nav = [{"text": text, "href": href, "current": current} for text, href, current in items]
    return {
        "service_name": settings.SERVICE_NAME,
        "membership": membership,
        "nav": nav,
        "can_record": can_record_episodes(role),
        "can_see_named": can_see_named_records(role),
    }
