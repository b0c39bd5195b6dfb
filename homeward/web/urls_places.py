"""URLs of the places pages, included in homeward/web/urls.py (namespace `web`)."""

urlpatterns: list = []
