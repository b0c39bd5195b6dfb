from django.urls import include, path

urlpatterns = [
    path("api/", include("homeward.api.urls")),
    path("", include("homeward.web.urls")),
    path("", include("homeward.web.urls_protocol")),
]
