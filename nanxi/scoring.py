"""Scoring against a standard's items, each worth 0…its maximum points.

One checker for every standard of the street: the star rating of building groups
and the owners' committees' assessment. An item is anything with `pk`, `title`
and `max_points`.
"""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


def check_scores(*, items, scores: dict, standard_name: str) -> dict:
    """One whole-number score for every item, each within 0…max.

    `scores` maps item (or its id) to points. Every problem is reported at once,
    each naming its item, so staff can fix them in one go. Returns item → points.
    """
    by_id = {item.pk: item for item in items}
    given = {getattr(key, "pk", key): value for key, value in scores.items()}
    errors = [
        _("Item %(id)s does not belong to the standard %(version)s.")
        % {"id": item_id, "version": standard_name}
        for item_id in given.keys() - by_id.keys()
    ]
    checked = {}
    for item_id, item in by_id.items():
        value = given.get(item_id)
        if value is None or value == "":
            errors.append(_("“%(title)s” has no score.") % {"title": item.label})
            continue
        try:
            if isinstance(value, bool) or (
                isinstance(value, float) and not value.is_integer()
            ):
                raise ValueError(value)
            points = int(value)
        except (TypeError, ValueError):
            errors.append(
                _("“%(title)s”: the score must be a whole number.")
                % {"title": item.label}
            )
            continue
        if not 0 <= points <= item.max_points:
            errors.append(
                _(
                    "“%(title)s”: the score must be between 0 and %(max)d, not %(points)d."
                )
                % {"title": item.label, "max": item.max_points, "points": points}
            )
            continue
        checked[item] = points
    if errors:
        raise ValidationError(errors)
    return checked
