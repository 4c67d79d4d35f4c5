from django import template

from nanxi import caching

register = template.Library()


@register.simple_tag(takes_context=True)
def unread_badge(context) -> str:
    """The header's unread count as a badge (nothing when all are read): loaded with
    the user, so no query of its own; a hole on a page that may be shared."""
    request = context.get("request")
    if request is None:
        return ""
    return caching.hole(request, "unread")
