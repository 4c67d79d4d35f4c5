"""Versioned standards: the rules the star standard and the committees' assessment share.

A standard (star rating 2020版, assessment 2020版（示例）…) has a `version`, an
`active` flag and items worth points. Once anything was scored with it, its
frozen fields and its items never change again: the street makes a new version
to edit. One standard is in use at a time. Each app's service checks who may act
and says, in its own words, what the standard was used for; the rules are here.
"""

from collections.abc import Callable, Iterable

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


def is_used(standard, *, used_by: str) -> bool:
    """Whether anything was scored with `standard` (`used_by`: the reverse relation)."""
    return (
        standard is not None
        and standard.pk is not None
        and getattr(standard, used_by).exists()
    )


def save(*, standard, frozen: Iterable[str], refuse_if_used: Callable) -> None:
    """Create or change a standard; a used one may only be put in or out of use.

    Putting one standard in use retires the one in use before. The caller runs
    this in its transaction.
    """
    model = type(standard)
    if standard.pk is not None:
        stored = model.objects.select_for_update().get(pk=standard.pk)
        if any(getattr(stored, f) != getattr(standard, f) for f in frozen):
            refuse_if_used(stored)
    if standard.active:
        model.objects.filter(active=True).exclude(pk=standard.pk).update(active=False)
    standard.full_clean()
    standard.save()


def copy(*, standard, version: str, fields: Iterable[str], items: str, item_fields):
    """A new version to edit: the same values and items, not in use.

    Without a `version`, the copy is named after the original with the first free
    number ("2020版 修订2"), so asking twice makes two copies, never an error.
    """
    model = type(standard)
    version = version.strip() or free_version_name(model, standard.version)
    if model.objects.filter(version=version).exists():
        raise ValidationError(
            _("A standard called %(version)s exists already.") % {"version": version}
        )
    new = model(
        version=version, active=False, **{f: getattr(standard, f) for f in fields}
    )
    new.full_clean()
    new.save()
    related = getattr(standard, items)
    item_model = related.model
    item_model.objects.bulk_create(
        item_model(
            **{related.field.name: new},
            **{f: getattr(item, f) for f in item_fields},
        )
        for item in related.all()
    )
    return new


def free_version_name(model, original: str) -> str:
    max_length = model._meta.get_field("version").max_length
    taken = set(model.objects.values_list("version", flat=True))
    for n in range(1, 1000):
        suffix = _(" revision %(n)d") % {"n": n}
        name = original[: max_length - len(suffix)] + suffix
        if name not in taken:
            return name
    raise ValidationError(_("Too many copies of this standard; rename some first."))
