"""A URL configuration for these tests until homeward/web/urls.py includes the
interview pages: Homeward's own, with the interview pages in the `web`
namespace, as they will be."""

from django.urls import include, path

from homeward.web import urls as web_urls
from homeward.web import urls_interviews

urlpatterns = [
    path("api/", include("homeward.api.urls")),
    path("", include((web_urls.urlpatterns + urls_interviews.urlpatterns, "web"))),
]
