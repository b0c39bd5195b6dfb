"""URLs of the reports pages, included in homeward/web/urls.py (namespace `web`)."""

from django.urls import path

from . import views_reports

urlpatterns: list = [
    path("reports/", views_reports.kpis, name="reports_kpis"),
]
