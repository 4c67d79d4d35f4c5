import re

from django import forms
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

from nanxi.models import DECLINE_REASON_MAX_LENGTH, Profile, ResidentialArea

# The largest id any of our databases stores (a signed 64-bit integer).
MAX_ID = 2**63 - 1


def parse_id(value) -> int | None:
    """An id from a form or an address, or None for anything that is not one.

    SQLite raises OverflowError for integers past 64 bits in some lookups
    (``pk__in``), which Django's form fields do not catch: check before asking.
    """
    text = str(value).strip()
    if not text.isascii() or not text.isdigit():
        return None
    number = int(text)
    return number if 0 < number <= MAX_ID else None


class IdMultipleChoiceField(forms.ModelMultipleChoiceField):
    """Checkboxes of rows by id; a value that is no id is an invalid choice, not a 500."""

    def _check_values(self, value):
        if self.to_field_name in (None, "pk", "id"):
            for item in value:
                if parse_id(item) is None:
                    raise forms.ValidationError(
                        self.error_messages["invalid_pk_value"],
                        code="invalid_pk_value",
                        params={"pk": item},
                    )
        return super()._check_values(value)


phone_validator = RegexValidator(
    r"^\+?[0-9][0-9 -]{5,18}$",
    _(
        "Enter a phone number with digits only, for example 021-62171234 or 13812345678."
    ),
)


def natural_key(text: str) -> list:
    """Sort key reading runs of digits as numbers: 30弄 before 149弄."""
    return [
        int(part) if part.isdecimal() else part for part in re.split(r"(\d+)", text)
    ]


class ProfileForm(forms.ModelForm):
    area = forms.ModelChoiceField(
        label=_("Residential area"),
        queryset=ResidentialArea.objects.all(),
        required=True,
        empty_label=_("— choose your residential area —"),
        error_messages={
            "invalid_choice": _("Choose one of the residential areas in the list."),
            "required": _("Choose the residential area you live in."),
        },
    )
    phone = forms.CharField(
        label=_("Phone (optional)"),
        required=False,
        max_length=20,
        validators=[phone_validator],
    )

    class Meta:
        model = Profile
        fields = ["display_name", "area", "building_group", "room", "phone"]
        labels = {
            "display_name": _("Name shown to neighbours (optional)"),
            "building_group": _("Building group (optional)"),
            "room": _("Room (optional)"),
        }
        help_texts = {
            "room": _(
                "For example 302室. Only your residents' committee sees it, to "
                "confirm that you live there."
            ),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The groups of the area chosen (posted, or stored): a short list on a phone.
        area_id = self.data.get("area") if self.is_bound else self.instance.area_id
        # The model is reached through the field: the ground floor imports no app.
        groups = Profile._meta.get_field("building_group").related_model.objects
        groups = groups.select_related("area")
        if parse_id(area_id):
            groups = groups.filter(area_id=parse_id(area_id))
        field = self.fields["building_group"]
        field.queryset = groups
        field.empty_label = _("— not chosen —")
        # Sorted as people read addresses (陕西北路30弄 before 陕西北路149弄) and,
        # before an area is chosen, under each area's name.
        rows = sorted(
            groups, key=lambda g: (natural_key(g.area.name), natural_key(g.name))
        )
        options = [(g.pk, g.name) for g in rows]
        if not parse_id(area_id):
            by_area: dict[str, list] = {}
            for g in rows:
                by_area.setdefault(g.area.name, []).append((g.pk, g.name))
            options = list(by_area.items())
        field.choices = [("", field.empty_label), *options]


class VerifyForm(forms.Form):
    """The confirmation of a verification: the button on the page of the details.

    `details` is the resident's `Profile.details_key()` when the page was made.
    """

    confirm = forms.BooleanField(
        required=True,
        error_messages={
            "required": _(
                "Confirm on this page, after checking the details, that the resident "
                "lives there."
            )
        },
    )
    details = forms.CharField(widget=forms.HiddenInput, required=False, max_length=300)


class DeclineForm(forms.Form):
    reason = forms.CharField(
        label=_("Why you cannot verify this resident"),
        help_text=_(
            "The resident reads this, on their profile and in a notice: say what "
            "to correct (for example the room or the building group)."
        ),
        max_length=DECLINE_REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={
            "required": _("Say why, so that the resident knows what to correct.")
        },
    )
