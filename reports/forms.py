from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from nanxi.validators import PROGRAMME_FIRST_YEAR


def year_choices() -> list[tuple[int, int]]:
    this_year = timezone.localdate().year
    return [(y, y) for y in range(this_year, PROGRAMME_FIRST_YEAR - 1, -1)]


class ReportRequestForm(forms.Form):
    year = forms.TypedChoiceField(label=_("Year"), coerce=int, choices=year_choices)
