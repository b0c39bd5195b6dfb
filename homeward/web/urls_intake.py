from django.urls import path

from . import views_intake

urlpatterns = [
    path("imports/", views_intake.import_upload, name="import_upload"),
    path("reviews/", views_intake.review_queue, name="review_queue"),
    path("reviews/<int:pk>/decide/", views_intake.review_decide, name="review_decide"),
    path("merges/<int:pk>/undo/", views_intake.merge_undo, name="merge_undo"),
]
