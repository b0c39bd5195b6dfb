"""API routes of the places part, included in homeward/api/urls.py (namespace `api`)."""

urlpatterns: list = []
