from django.conf import settings


def service(request):
    user = getattr(request, "user", None)
    membership = user.membership if user is not None and user.is_authenticated else None
    return {"service_name": settings.SERVICE_NAME, "membership": membership}
