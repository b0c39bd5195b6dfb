"""API routes of the places part, included in homeward/api/urls.py (namespace `api`)."""

from django.urls import path

from . import views_places

urlpatterns: list = [
    path("hotspots/", views_places.HotspotsView.as_view(), name="hotspots"),
]
