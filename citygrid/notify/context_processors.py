from django.utils.functional import SimpleLazyObject

from citygrid.notify.services import unread_count


def notifications(request):
    """`unread_notifications` for the header bell.

    Lazy: one COUNT query on pages that render the bell, none on partials that do not, and
    none for anonymous visitors.
    """
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"unread_notifications": SimpleLazyObject(lambda: unread_count(user))}
