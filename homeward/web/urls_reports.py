"""URLs of the reports pages, included in homeward/web/urls.py (namespace `web`)."""

urlpatterns: list = []
