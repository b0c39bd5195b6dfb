"""API routes of the briefing part, included in homeward/api/urls.py (namespace `api`)."""

urlpatterns: list = []
