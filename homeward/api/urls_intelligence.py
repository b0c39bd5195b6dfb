"""API routes of the intelligence part, included in homeward/api/urls.py (namespace `api`).

The same permissions as the pages: the roles that work on exploitation only
(403 for any other), a person or child outside the caller's scope 404.
"""

from django.urls import path

from . import views_intelligence as views

urlpatterns = [
    path("people-of-concern/", views.PeopleOfConcernView.as_view(), name="people-of-concern"),
    path("people-of-concern/<int:pk>/", views.PersonOfConcernDetailView.as_view(), name="person-of-concern-detail"),
    path("children/<int:pk>/links/", views.ChildLinksView.as_view(), name="child-links"),
    path("children/<int:pk>/network/", views.ChildNetworkView.as_view(), name="child-network"),
]
