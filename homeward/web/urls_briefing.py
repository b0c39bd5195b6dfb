"""URLs of the briefing pages, included in homeward/web/urls.py (namespace `web`).

The Philomena Protocol profile of a child, its photo and versions; the
missing details of an episode; the police briefing of an episode as a page
and as a PDF.
"""

from django.urls import path

from . import views_briefing as views

urlpatterns = [
    path("children/<int:pk>/profile/", views.profile, name="briefing_profile"),
    path("children/<int:pk>/profile/change/", views.profile_change, name="briefing_profile_change"),
    path("children/<int:pk>/profile/photo/", views.photo_upload, name="briefing_photo_upload"),
    path("children/<int:pk>/profile/photo/remove/", views.photo_remove, name="briefing_photo_remove"),
    path("children/<int:pk>/profile/photos/<int:photo_pk>/", views.photo, name="briefing_photo"),
    path("children/<int:pk>/profile/versions/<int:version>/", views.profile_version, name="briefing_profile_version"),
    path("episodes/<int:pk>/missing-details/", views.missing_details, name="briefing_missing_details"),
    path("episodes/<int:pk>/briefing/", views.briefing_page, name="briefing_page"),
    path("episodes/<int:pk>/briefing.pdf", views.briefing_pdf, name="briefing_pdf"),
]
