"""URLs of the periodic pages, included in homeward/web/urls.py (namespace `web`)."""

from django.urls import path

from . import views_periodic as views

urlpatterns: list = [
    path("reports/partnership/", views.partnership, name="periodic_partnership"),
    path("reports/partnership/pdf/", views.partnership_pdf, name="periodic_partnership_pdf"),
]
