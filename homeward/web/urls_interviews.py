"""The return interview pages' URL patterns.

To be included in the `web` namespace, like the other pages:
``urlpatterns += urls_interviews.urlpatterns`` in homeward/web/urls.py
(links are made with homeward.interviews.links.iurl, which also works if
they are included without a namespace).
"""

from django.urls import path

from . import views_interviews as views

urlpatterns = [
    path("interviews/", views.worklist, name="interview_worklist"),
    path("interviews/figures/", views.figures, name="interview_figures"),
    path("interviews/figures/children/", views.figures_children, name="interview_figures_children"),
    path("interviews/quality/", views.quality, name="interview_quality"),
    path("interviews/<int:pk>/", views.detail, name="interview_detail"),
    path("interviews/<int:pk>/offer/", views.offer, name="interview_offer"),
    path("interviews/<int:pk>/record/", views.record, name="interview_record"),
    path("interviews/<int:pk>/findings/", views.findings, name="interview_findings"),
    path("interviews/<int:pk>/places/", views.place_add, name="interview_place_add"),
    path("interviews/<int:pk>/people/", views.person_add, name="interview_person_add"),
    path("interviews/<int:pk>/named/remove/", views.named_remove, name="interview_named_remove"),
    path("interviews/<int:pk>/flags/", views.raise_flag, name="interview_raise_flag"),
    path("interviews/<int:pk>/allocate/", views.allocate, name="interview_allocate"),
    path("interviews/<int:pk>/quality/", views.quality_audit, name="interview_quality_audit"),
    path("episodes/<int:pk>/interview/", views.for_episode, name="interview_for_episode"),
    path("children/<int:pk>/interviews/", views.child_interviews, name="interview_child"),
]
