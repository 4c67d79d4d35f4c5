from django import forms
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

from nanxi.models import Profile, ResidentialArea

phone_validator = RegexValidator(
    r"^\+?[0-9][0-9 -]{5,18}$",
    _(
        "Enter a phone number with digits only, for example 021-62171234 or 13812345678."
    ),
)


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
        fields = ["display_name", "area", "building_group", "phone"]
        labels = {
            "display_name": _("Name shown to neighbours (optional)"),
            "building_group": _("Building group (optional)"),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from buildings.models import BuildingGroup

        # The groups of the area chosen (posted, or stored): a short list on a phone.
        area_id = self.data.get("area") if self.is_bound else self.instance.area_id
        groups = BuildingGroup.objects.select_related("area")
        if str(area_id or "").isdigit():
            groups = groups.filter(area_id=int(area_id))
        self.fields["building_group"].queryset = groups
        self.fields["building_group"].empty_label = _("— not chosen —")
