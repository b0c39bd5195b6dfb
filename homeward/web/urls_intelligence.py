"""URLs of the intelligence pages, included in homeward/web/urls.py (namespace `web`)."""

urlpatterns: list = []
