from django.conf import settings

from citygrid.core.navigation import menu_for


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"demo_mode": settings.DEMO_MODE}
    return {"menu": menu_for(user), "demo_mode": settings.DEMO_MODE}
