"""URLs of the briefing pages, included in homeward/web/urls.py (namespace `web`)."""

urlpatterns: list = []
