"""Names that staff keep in the database, shown in the visitor's language.

Topics, step labels, criteria, standard versions and assessment items are named in
Chinese by staff. Each may have an English twin, the same field with `_en`; pages
under /en/ show the twin when it is filled and the Chinese otherwise. This is the one
place that decides: models call `localized` from `__str__` or a property.
"""

from django.utils.translation import get_language


def wants_english() -> bool:
    return (get_language() or "").split("-")[0] == "en"


def localized(obj, field: str) -> str:
    """`obj.<field>_en` on English pages when it is filled, else `obj.<field>`."""
    chinese = getattr(obj, field)
    if wants_english():
        return getattr(obj, f"{field}_en", "") or chinese
    return chinese
