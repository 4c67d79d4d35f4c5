from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from buildings.models import BuildingGroup
from nanxi.forms import IdMultipleChoiceField
from nanxi.models import ResidentialArea
from projects import services
from projects.models import Project, Topic, Vote


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultiplePhotoField(forms.FileField):
    widget = MultipleFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"})

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else ([data] if data else [])
        return [super(MultiplePhotoField, self).clean(item, initial) for item in files]


class ProjectForm(forms.ModelForm):
    topics = IdMultipleChoiceField(
        label=_("Topics"),
        queryset=Topic.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    area = forms.ModelChoiceField(
        label=_("Residential area"),
        queryset=ResidentialArea.objects.all(),
        empty_label=None,
        error_messages={
            "invalid_choice": _("Choose one of the residential areas in the list.")
        },
    )
    building_groups = IdMultipleChoiceField(
        label=_("Building groups (optional)"),
        queryset=BuildingGroup.objects.select_related("area"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Only groups in the project's residential area."),
    )
    photos = MultiplePhotoField(
        label=_("Photos (optional)"),
        required=False,
        help_text=_("Up to 6 photos, JPEG, PNG or WebP, each at most 5 MB."),
    )

    class Meta:
        model = Project
        fields = [
            "title",
            "summary",
            "description",
            "category",
            "topics",
            "area",
            "building_groups",
            "budget_requested",
            "crowdfunding_goal",
        ]
        widgets = {
            "summary": forms.TextInput(),
            "description": forms.Textarea(attrs={"rows": 8}),
            "category": forms.RadioSelect,
        }
        help_texts = {
            "summary": _("One sentence: what should change, for whom."),
            "budget_requested": _("In yuan. Leave 0 if the project needs no money."),
        }

    def __init__(self, *args, area_id: int | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        area_id = area_id or self.instance.area_id
        if area_id:
            # A short list a resident can scroll on a phone: their own area's groups.
            self.fields["building_groups"].queryset = BuildingGroup.objects.filter(
                area_id=area_id
            )
        self.fields["category"].choices = Project.Category.choices
        if self.instance.pk:
            self.fields["remove_photos"] = IdMultipleChoiceField(
                label=_("Remove photos"),
                queryset=self.instance.photos.all(),
                required=False,
                widget=forms.CheckboxSelectMultiple,
            )

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        return {
            "title": data["title"],
            "summary": data["summary"],
            "description": data["description"],
            "category": data["category"],
            "area": data["area"],
            "topics": data["topics"],
            "building_groups": data["building_groups"],
            "budget_requested": data["budget_requested"],
            "crowdfunding_goal": data["crowdfunding_goal"],
        }


class VoteForm(forms.Form):
    choice = forms.ChoiceField(
        label=_("Your vote"), choices=Vote.Choice.choices, widget=forms.RadioSelect
    )


class CommentForm(forms.Form):
    body = forms.CharField(
        label=_("Your comment"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class NoteForm(forms.Form):
    note = forms.CharField(label=_("Note (optional)"), max_length=500, required=False)


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=200)


class ContributionForm(forms.Form):
    contributor = forms.CharField(label=_("Contributor"), max_length=60)
    amount = forms.CharField(label=_("Amount (yuan)"), max_length=20)
    contributed_on = forms.DateField(
        label=_("Date"), widget=forms.DateInput(attrs={"type": "date"})
    )

    def clean_amount(self):
        return services.parse_amount(self.cleaned_data["amount"])

    def clean_contributed_on(self):
        day = self.cleaned_data["contributed_on"]
        if day > timezone.localdate():
            raise forms.ValidationError(_("The date cannot be in the future."))
        return day


class ProgressForm(forms.Form):
    body = forms.CharField(
        label=_("Progress"), max_length=2000, widget=forms.Textarea(attrs={"rows": 4})
    )


class EvaluationForm(forms.Form):
    beneficiaries = forms.IntegerField(
        label=_("Beneficiaries (person-times)"), min_value=0, max_value=1_000_000
    )
    satisfaction = forms.IntegerField(
        label=_("Satisfaction (%)"), min_value=0, max_value=100
    )
