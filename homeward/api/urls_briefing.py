"""API routes of the briefing part, included in homeward/api/urls.py (namespace `api`)."""

from django.urls import path

from . import views_briefing as views

urlpatterns = [
    path("episodes/<int:pk>/briefing/", views.BriefingView.as_view(), name="episode-briefing"),
    path("episodes/<int:pk>/briefing.pdf", views.BriefingPdfView.as_view(), name="episode-briefing-pdf"),
]
