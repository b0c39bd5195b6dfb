"""Routes of the JSON API, mounted at /api/ (contract.md, "Web and API")."""

from django.urls import path, re_path
from drf_spectacular.views import SpectacularJSONAPIView
from rest_framework.permissions import AllowAny
from rest_framework.routers import SimpleRouter

from . import urls_briefing, urls_intelligence, urls_places, views

app_name = "api"

router = SimpleRouter()
router.register("children", views.ChildViewSet, basename="child")
router.register("episodes", views.EpisodeViewSet, basename="episode")

urlpatterns = [
    *router.urls,
    path("notifications/", views.NotificationCreateView.as_view(), name="notification-create"),
    path("me/", views.MeView.as_view(), name="me"),
    *urls_places.urlpatterns,
    *urls_intelligence.urlpatterns,
    *urls_briefing.urlpatterns,
    # The schema holds no personal data: public, so tools can fetch it without a token.
    path(
        "openapi.json",
        SpectacularJSONAPIView.as_view(authentication_classes=[], permission_classes=[AllowAny]),
        name="openapi",
    ),
    re_path(r"^(?P<rest>.*)$", views.not_found, name="not-found"),
]
