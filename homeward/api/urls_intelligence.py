"""API routes of the intelligence part, included in homeward/api/urls.py (namespace `api`)."""

urlpatterns: list = []
