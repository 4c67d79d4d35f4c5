from django import template
from django.urls import translate_url

register = template.Library()


@register.simple_tag(takes_context=True)
def in_language(context, code: str) -> str:
    """The address of this same page in another language (query string kept)."""
    return translate_url(context["request"].get_full_path(), code)
