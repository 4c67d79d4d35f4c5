from django import template
from django.urls import translate_url

from nanxi import caching, formatting, models

register = template.Library()


@register.simple_tag(takes_context=True)
def in_language(context, code: str) -> str:
    """The address of this same page in another language (query string kept)."""
    return translate_url(context["request"].get_full_path(), code)


@register.filter
def public_name(user) -> str:
    """How a person is shown to others (nanxi.models.public_name): never their
    e-mail, phone or username. Load ``…__profile__area`` with the rows."""
    return models.public_name(user)


@register.simple_tag(takes_context=True)
def hole(context, name: str, arg="") -> str:
    """A person's own part of a page (``nanxi.caching.hole``): ``{% hole "my-vote"
    card.pk %}``. Filled for each request where the page may be shared."""
    return caching.hole(context.get("request"), name, arg)


@register.filter
def percent(ratio) -> str:
    """A ratio shown as "66.67%" (nanxi.formatting.percent: half up, two decimals)."""
    return formatting.percent(ratio)
