from django.urls import path

from . import (
    urls_briefing, urls_intake, urls_intelligence, urls_interviews, urls_periodic, urls_places, urls_reports, views,
)

app_name = "web"
urlpatterns = [
    path("", views.home, name="home"),
    path("sign-in/", views.sign_in, name="login"),
    path("sign-out/", views.sign_out, name="logout"),
    path("children/", views.children, name="children"),
    path("children/<int:pk>/", views.child_detail, name="child"),
    path("children/<int:pk>/report-missing/", views.report_missing, name="report_missing"),
    path("report-missing/", views.report_find, name="report_find"),
    path("episodes/<int:pk>/", views.episode_detail, name="episode"),
    path("episodes/<int:pk>/risk/", views.episode_risk, name="episode_risk"),
    path("episodes/<int:pk>/return/", views.record_return, name="record_return"),
    path("account/", views.account, name="account"),
    path("account/tokens/", views.token_new, name="token_create"),
    path("account/tokens/<int:pk>/revoke/", views.token_remove, name="token_revoke"),
    path("audit/", views.audit, name="audit"),
    *urls_intake.urlpatterns,
    *urls_interviews.urlpatterns,
    *urls_reports.urlpatterns,
    *urls_periodic.urlpatterns,
    *urls_places.urlpatterns,
    *urls_intelligence.urlpatterns,
    *urls_briefing.urlpatterns,
]
