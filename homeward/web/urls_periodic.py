"""URLs of the periodic pages, included in homeward/web/urls.py (namespace `web`)."""

urlpatterns: list = []
