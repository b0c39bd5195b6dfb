"""URLs of the places pages, included in homeward/web/urls.py (namespace `web`)."""

from django.urls import path

from . import views_places as views

urlpatterns = [
    path("hotspots/", views.hotspots, name="places_hotspots"),
    path("hotspots/map.json", views.map_data, name="places_map_data"),
    path("hotspots/episodes/", views.area_episodes, name="places_area_episodes"),
]
