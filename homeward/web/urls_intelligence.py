"""URLs of the intelligence pages, included in homeward/web/urls.py (namespace `web`).

Every name starts with `intel_`. Only the roles that work on exploitation
reach them (homeward/intelligence/access.py); anyone else gets 403.
"""

from django.urls import path

from . import views_intelligence as views

urlpatterns = [
    path("intelligence/people/", views.people, name="intel_people"),
    path("intelligence/people/new/", views.person_new, name="intel_person_new"),
    path("intelligence/people/<int:pk>/", views.person, name="intel_person"),
    path("intelligence/people/<int:pk>/edit/", views.person_edit, name="intel_person_edit"),
    path("intelligence/people/<int:pk>/link-child/", views.person_link_child_view, name="intel_person_link_child"),
    path("intelligence/people/<int:pk>/link-place/", views.person_link_place_view, name="intel_person_link_place"),
    path("intelligence/people/<int:pk>/network/", views.person_network, name="intel_person_network"),
    path("intelligence/links/<str:kind>/<int:pk>/remove/", views.link_remove, name="intel_link_remove"),
    path("intelligence/named-people/<int:pk>/", views.named_take_up, name="intel_named_take_up"),
    path("intelligence/shortlist/", views.shortlist_view, name="intel_shortlist"),
    path("children/<int:pk>/links/", views.child_links, name="intel_child_links"),
    path("children/<int:pk>/links/person/", views.child_link_person, name="intel_child_link_person"),
    path("children/<int:pk>/network/", views.child_network, name="intel_child_network"),
]
