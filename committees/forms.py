from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from committees.models import Election, Status
from nanxi import permissions as street
from nanxi.forms import phone_validator
from nanxi.models import ResidentialArea


class CommitteeFilterForm(forms.Form):
    """The staff list's filters; anything that does not parse is simply not applied."""

    area = forms.ModelChoiceField(
        label=_("Residential area"),
        queryset=ResidentialArea.objects.none(),
        required=False,
        empty_label=_("All areas"),
    )
    status = forms.ChoiceField(
        label=_("Status"),
        choices=[("", _("All statuses")), *Status.choices],
        required=False,
    )
    passed = forms.ChoiceField(
        label=_("Last assessment"),
        choices=[
            ("", _("Any")),
            ("yes", _("Passed")),
            ("no", _("Not passed")),
            ("none", _("Not assessed")),
        ],
        required=False,
    )
    ending = forms.IntegerField(
        label=_("Term ends within (days)"),
        required=False,
        min_value=1,
        max_value=3650,
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"].queryset = street.in_scope(
            ResidentialArea.objects.all(), user, "pk"
        )

    def apply(self, queryset):
        if not self.is_valid():
            return queryset
        data = self.cleaned_data
        if data["area"]:
            queryset = queryset.filter(estate__area=data["area"])
        if data["status"]:
            queryset = queryset.filter(status=data["status"])
        if data["passed"] == "yes":
            queryset = queryset.filter(assessment_passed=True)
        elif data["passed"] == "no":
            queryset = queryset.filter(assessment_passed=False)
        elif data["passed"] == "none":
            queryset = queryset.filter(assessment_year__isnull=True)
        if data["ending"]:
            queryset = queryset.ending_within(data["ending"])
        return queryset


class ElectionStartForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Kind of election"),
        choices=Election.Kind.choices,
        widget=forms.RadioSelect,
    )
    note = forms.CharField(label=_("Note (optional)"), max_length=500, required=False)


class CandidateForm(forms.Form):
    """A candidate for membership: the first meeting chooses the roles."""

    name = forms.CharField(label=_("Name"), max_length=40)
    phone = forms.CharField(
        label=_("Phone (staff only)"),
        max_length=20,
        required=False,
        validators=[phone_validator],
    )


class NoteForm(forms.Form):
    note = forms.CharField(label=_("Note (optional)"), max_length=500, required=False)


class DateInput(forms.DateInput):
    """The browser's date box reads only ISO days (2020-06-01), in every language."""

    input_type = "date"

    def __init__(self, attrs=None, format=None):
        super().__init__(attrs, format=format or "%Y-%m-%d")


class AnnounceForm(NoteForm):
    """1→2: how many members are elected and when the owners' assembly is held.
    The service checks both against the estate's rules."""

    seats = forms.IntegerField(
        label=_("Seats (members to elect)"),
        min_value=1,
        max_value=99,
        help_text=_("An odd number, e.g. 5, 7 or 9."),
    )
    assembly_on = forms.DateField(
        label=_("Day of the owners' assembly"),
        widget=DateInput,
        help_text=_("At least the notice period after today."),
    )
    field_order = ["seats", "assembly_on", "note"]


class FirstMeetingForm(forms.Form):
    """首次会议: the day, the chair and the vice-chairs among the elected."""

    held_on = forms.DateField(label=_("Day of the first meeting"), widget=DateInput)
    chair = forms.TypedChoiceField(
        label=_("Chair"), coerce=int, widget=forms.RadioSelect
    )
    vice_chairs = forms.TypedMultipleChoiceField(
        label=_("Vice-chairs"), coerce=int, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, elected=(), **kwargs):
        super().__init__(*args, **kwargs)
        choices = [(c.pk, c.name) for c in elected]
        self.fields["chair"].choices = choices
        self.fields["vice_chairs"].choices = choices


REASON_REQUIRED = _("Say why the election ended without a result, e.g. the turnout.")


class EndWithoutResultForm(forms.Form):
    reason = forms.CharField(
        label=_("Why the election failed"),
        help_text=_("E.g. fewer than two thirds of the owners took part."),
        max_length=500,
        error_messages={"required": REASON_REQUIRED},
    )


class VoteForm(forms.Form):
    """The vote's day, turnout and approvals as typed; the service parses and checks
    every number and the day."""

    voted_on = forms.DateField(
        label=_("Day of the vote"),
        widget=DateInput,
        help_text=_(
            "The day the owners' assembly counted the vote: the first meeting and "
            "the filing are due counting from it."
        ),
    )
    participating_owners = forms.CharField(
        label=_("Owners who took part"), max_length=12
    )
    participating_area = forms.CharField(
        label=_("Exclusive area that took part (m²)"), max_length=16
    )

    def __init__(self, *args, candidates=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["voted_on"].initial = timezone.localdate
        self.candidates = list(candidates)
        for c in self.candidates:
            self.fields[f"owners_{c.pk}"] = forms.CharField(
                label=_("%(name)s: owners approving") % {"name": c.name},
                max_length=12,
                initial=c.approving_owners,
            )
            self.fields[f"area_{c.pk}"] = forms.CharField(
                label=_("%(name)s: area approving (m²)") % {"name": c.name},
                max_length=16,
                initial=c.approving_area,
            )

    def approvals(self) -> dict:
        data = self.cleaned_data
        return {
            c.pk: (data[f"owners_{c.pk}"], data[f"area_{c.pk}"])
            for c in self.candidates
        }
