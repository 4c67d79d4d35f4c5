from django import template

from nanxi import notifications

register = template.Library()


@register.simple_tag(takes_context=True)
def unread_notifications(context) -> int:
    """The header's unread count: loaded with the user, so no query of its own."""
    request = context.get("request")
    if request is None:
        return 0
    if not hasattr(request, "_unread_notifications"):
        request._unread_notifications = notifications.unread_count(request.user)
    return request._unread_notifications
