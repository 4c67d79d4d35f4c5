from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext


class MinimumLengthValidator(password_validation.MinimumLengthValidator):
    """Django's validator with a message our catalogue translates.

    Django 5.2's message changed its msgid to "%d" while its zh_Hans catalogue
    still has "%(min_length)d", so the error showed in English on a Chinese page.
    """

    def get_error_message(self):
        return ngettext(
            "This password is too short. It must contain at least %(min_length)d character.",
            "This password is too short. It must contain at least %(min_length)d characters.",
            self.min_length,
        ) % {"min_length": self.min_length}


# The street's self-governance programme ("社区自治+") keeps records from this year on.
PROGRAMME_FIRST_YEAR = 2015


def validate_programme_year(year: int) -> None:
    """A year of the programme: from its first year up to this year, never the future."""
    this_year = timezone.localdate().year
    if year is not None and not PROGRAMME_FIRST_YEAR <= year <= this_year:
        raise ValidationError(
            _("Enter a year from %(first)d to %(last)d."),
            params={"first": PROGRAMME_FIRST_YEAR, "last": this_year},
            code="year_out_of_range",
        )
