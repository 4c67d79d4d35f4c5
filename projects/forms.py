import unicodedata

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from buildings.models import BuildingGroup
from nanxi import permissions as street
from nanxi.forms import IdMultipleChoiceField, phone_validator
from nanxi.models import ResidentialArea
from projects import permissions, services
from projects.models import (
    AreaMember,
    Contribution,
    Disposition,
    Project,
    StepCode,
    Topic,
    Vote,
)


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

    def __init__(self, *args, area_id: int | None = None, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        if user is not None:
            # Only where this person may propose (the service refuses the others);
            # a draft keeps offering the area it is in.
            areas = permissions.proposal_areas(user, ResidentialArea.objects.all())
            if self.instance.area_id:
                areas = areas | ResidentialArea.objects.filter(pk=self.instance.area_id)
            self.fields["area"].queryset = areas
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
                queryset=self.instance.photos.filter(progress_update=None),
                required=False,
                widget=forms.CheckboxSelectMultiple,
            )

    def _amount_as_typed(self, name: str):
        """Django's decimal box takes "1e3" for 1,000 yuan: an amount is digits
        with at most two decimals (`services.AMOUNT`, as every amount of money)."""
        value = self.cleaned_data[name]
        typed = unicodedata.normalize("NFKC", str(self.data.get(self.add_prefix(name))))
        if (
            value is not None
            and value > 0
            and not services.AMOUNT.fullmatch(typed.strip())
        ):
            raise forms.ValidationError(
                _("Enter the amount in yuan as a number, e.g. 200 or 35.50."),
                code="invalid",
            )
        return value

    def clean_budget_requested(self):
        return self._amount_as_typed("budget_requested")

    def clean_crowdfunding_goal(self):
        return self._amount_as_typed("crowdfunding_goal")

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


class MoveForm(NoteForm):
    """A staff move; opening the vote (5 → 6) also takes the day it closes."""

    vote_closes_on = forms.DateField(
        label=_("Voting closes at the end of"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Residents can vote until the end of this day."),
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=200)


class ContributionForm(forms.Form):
    contributor = forms.CharField(label=_("Contributor"), max_length=60)
    kind = forms.ChoiceField(
        label=_("Contributor is"),
        choices=Contribution.Kind.choices,
        initial=Contribution.Kind.RESIDENT,
        widget=forms.RadioSelect,
    )
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


class StopForm(forms.Form):
    """终止: why the project stops; what happened to each contribution's money is
    one `DispositionForm` each, all sent with it (the service takes them at once)."""

    # Not required here: an empty reason is refused by the service, in its words,
    # together with every contribution's refusal (one round, not two).
    reason = forms.CharField(
        label=_("Reason for stopping"),
        max_length=200,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The proposer, the contributors and every visitor will read it."),
    )


class DispositionForm(forms.Form):
    """What happened to one contribution's money: refunded on a day, or moved with
    the contributor's consent to another project of the area. Which fields must be
    filled is the service's rule (services.project_stop), said with its words."""

    kind = forms.ChoiceField(
        label=_("What happened to the money"),
        choices=Disposition.Kind.choices,
        widget=forms.RadioSelect,
        required=False,
    )
    refunded_on = forms.DateField(
        label=_("Refunded on"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    target = forms.TypedChoiceField(
        label=_("Moved to the project"),
        coerce=int,
        required=False,
        error_messages={
            "invalid_choice": _(
                "Choose one of the projects in the list: open projects of the same "
                "residential area that take contributions now."
            )
        },
    )
    consent = forms.CharField(
        label=_("The contributor's consent"),
        max_length=200,
        required=False,
        help_text=_("How the contributor agreed, e.g. 本人到居委会签字同意."),
    )
    consent_on = forms.DateField(
        label=_("Consent given on"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def __init__(self, *args, contribution, targets, **kwargs):
        """`targets`: the projects money may move to (one query for all the forms)."""
        kwargs.setdefault("prefix", f"c{contribution.pk}")
        super().__init__(*args, **kwargs)
        self.contribution = contribution
        self.targets = {target.pk: target for target in targets}
        self.fields["target"].choices = [("", "—")] + [
            (target.pk, target.title) for target in targets
        ]
        if not self.targets:
            # Nowhere to move it: the money can only be refunded (the page says so).
            self.fields["kind"].choices = [
                (Disposition.Kind.REFUNDED, Disposition.Kind.REFUNDED.label)
            ]
            for name in ("target", "consent", "consent_on"):
                del self.fields[name]

    def disposition(self) -> "services.Refund | services.MoveTo | None":
        data = self.cleaned_data
        if data["kind"] == Disposition.Kind.REFUNDED:
            return services.Refund(on=data["refunded_on"])
        if data["kind"] == Disposition.Kind.MOVED and self.targets:
            return services.MoveTo(
                project=self.targets.get(data["target"]),
                consent=data["consent"],
                consent_on=data["consent_on"],
            )
        return None


class ProgressForm(forms.Form):
    body = forms.CharField(
        label=_("Progress"), max_length=2000, widget=forms.Textarea(attrs={"rows": 4})
    )
    photos = MultiplePhotoField(
        label=_("Photos (optional)"),
        required=False,
        help_text=_("Up to 6 photos, JPEG, PNG or WebP, each at most 5 MB."),
    )


class SummaryForm(forms.Form):
    text = forms.CharField(
        label=_("Case summary"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_(
            "What was done, how residents took part, and what other areas can "
            "learn from it. Completed projects with a summary are shared in the "
            "project showcase."
        ),
    )


class EvaluationForm(forms.Form):
    beneficiaries = forms.IntegerField(
        label=_("Beneficiaries (person-times)"), min_value=0, max_value=1_000_000
    )


STARS = [(n, f"{'★' * n} {n}/5") for n in range(5, 0, -1)]


class RatingForm(forms.Form):
    stars = forms.TypedChoiceField(
        label=_("Your rating"), choices=STARS, coerce=int, widget=forms.RadioSelect
    )
    comment = forms.CharField(
        label=_("A few words (optional)"), max_length=200, required=False
    )


class MemberChoiceField(forms.ModelChoiceField):
    """A member of the area (线下) named on a paper entry: optional, by its number."""

    def __init__(self, **kwargs):
        super().__init__(
            label=_("Member of the area without an account (optional)"),
            queryset=AreaMember.objects.filter(erased_at=None),
            required=False,
            empty_label=_("— not named —"),
            error_messages={
                "invalid_choice": _("Choose one of the members in the list.")
            },
            **kwargs,
        )

    def label_from_instance(self, member) -> str:
        group = member.building_group.name if member.building_group else ""
        return f"{member.name} · {group}" if group else member.name


def _members_of(field, area_id: int | None) -> None:
    # The page lists the project's area only; a posted id of another area is
    # refused by the service with a message that says why.
    if area_id is not None:
        field.queryset = (
            AreaMember.objects.filter(erased_at=None, area_id=area_id)
            .select_related("building_group")
            .order_by("name", "pk")
        )


class PaperEvaluationForm(RatingForm):
    form_number = forms.CharField(label=_("Paper form number"), max_length=20)
    member = MemberChoiceField()

    field_order = ["form_number", "member", "stars", "comment"]

    def __init__(self, *args, area_id: int | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["stars"].label = _("Rating on the form")
        self.fields["comment"].label = _("Words on the form (optional)")
        _members_of(self.fields["member"], area_id)


class PledgeForm(forms.Form):
    amount = forms.CharField(
        label=_("Amount (yuan)"),
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )
    anonymous = forms.BooleanField(
        label=_("Show me as an anonymous resident in public"), required=False
    )

    def clean_amount(self):
        return services.parse_amount(self.cleaned_data["amount"])


class PledgeConfirmForm(forms.Form):
    received_on = forms.DateField(
        label=_("Money received on"), widget=forms.DateInput(attrs={"type": "date"})
    )

    def clean_received_on(self):
        day = self.cleaned_data["received_on"]
        if day > timezone.localdate():
            raise forms.ValidationError(_("The date cannot be in the future."))
        return day


class CancelForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason (optional)"), max_length=200, required=False
    )


class PaymentForm(forms.Form):
    transfer_reference = forms.CharField(
        label=_("How to pay by transfer"),
        max_length=200,
        required=False,
        help_text=_(
            "The account and the reference to write. Leave empty if only cash is taken."
        ),
    )


class NeedForm(forms.Form):
    title = forms.CharField(label=_("What is needed, in a few words"), max_length=60)
    body = forms.CharField(
        label=_("Tell us more"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("Where, for whom, and why it matters."),
    )
    building_group = forms.ModelChoiceField(
        label=_("Building group (optional)"),
        queryset=BuildingGroup.objects.none(),
        required=False,
        error_messages={
            "invalid_choice": _("Choose one of the building groups in the list.")
        },
    )
    photo = forms.FileField(
        label=_("Photo (optional)"),
        required=False,
        widget=forms.ClearableFileInput(
            attrs={"accept": "image/jpeg,image/png,image/webp"}
        ),
        help_text=_("JPEG, PNG or WebP, at most 5 MB."),
    )

    def __init__(self, *args, area_id: int | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["building_group"].queryset = BuildingGroup.objects.filter(
            area_id=area_id
        )


class NeedReplyForm(forms.Form):
    reply = forms.CharField(
        label=_("Reply"), max_length=500, widget=forms.Textarea(attrs={"rows": 3})
    )


class NeedMergeForm(forms.Form):
    into = forms.IntegerField(
        label=_("Number of the need it repeats"), min_value=1, max_value=2**31 - 1
    )


class NeedProposalForm(forms.Form):
    category = forms.ChoiceField(
        label=_("Category"), choices=Project.Category.choices, widget=forms.RadioSelect
    )


class PaperBallotForm(forms.Form):
    ballot_number = forms.CharField(label=_("Ballot number"), max_length=20)
    choice = forms.ChoiceField(
        label=_("Marked on the ballot"),
        choices=Vote.Choice.choices,
        widget=forms.RadioSelect,
    )
    member = MemberChoiceField()

    def __init__(self, *args, area_id: int | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        _members_of(self.fields["member"], area_id)


class AreaMemberForm(forms.Form):
    """A member of the area without an account: staff record and correct it."""

    name = forms.CharField(label=_("Name"), max_length=40)
    area = forms.ModelChoiceField(
        label=_("Residential area"),
        queryset=ResidentialArea.objects.none(),
        empty_label=None,
        error_messages={
            "invalid_choice": _("Choose one of the residential areas in the list.")
        },
    )
    building_group = forms.ModelChoiceField(
        label=_("Building group"),
        queryset=BuildingGroup.objects.none(),
        error_messages={
            "invalid_choice": _("Choose one of the building groups in the list.")
        },
    )
    phone = forms.CharField(
        label=_("Phone (optional)"),
        max_length=20,
        required=False,
        validators=[phone_validator],
        help_text=_("Shown to the residents' committee only, to call the member."),
    )

    def __init__(self, *args, user, member: AreaMember | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        areas = street.in_scope(ResidentialArea.objects.all(), user, "pk")
        self.fields["area"].queryset = areas
        groups = BuildingGroup.objects.select_related("area").order_by(
            "area__name", "name"
        )
        if member is not None:
            # A member stays in their area; only the group and words change.
            del self.fields["area"]
            groups = groups.filter(area_id=member.area_id)
        else:
            groups = street.in_scope(groups, user)
        self.fields["building_group"].queryset = groups
        self.fields["building_group"].label_from_instance = lambda group: (
            f"{group.area.name} · {group.name}"
        )


class PaperProposalForm(ProjectForm):
    """A proposal handed in on paper, entered by staff for a member or a resident."""

    member = MemberChoiceField()
    resident = forms.CharField(
        label=_("Or: e-mail address or phone of a resident with an account"),
        max_length=254,
        required=False,
    )

    field_order = ["area", "member", "resident"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"].queryset = street.in_scope(
            ResidentialArea.objects.all(), user, "pk"
        )
        self.fields["member"].label = _("Proposed by a member of the area")
        self.fields["member"].help_text = _(
            "A resident without an account, recorded under “Members of the area”."
        )
        self.fields["member"].queryset = (
            street.in_scope(AreaMember.objects.filter(erased_at=None), user)
            .select_related("building_group")
            .order_by("name", "pk")
        )

    def clean(self):
        data = super().clean()
        if bool(data.get("member")) == bool((data.get("resident") or "").strip()):
            raise forms.ValidationError(
                _(
                    "Say whose proposal it is: choose a member of the area, or give "
                    "the e-mail address or phone of a resident's account (not both)."
                )
            )
        return data


class WorkListFilter(forms.Form):
    step = forms.TypedChoiceField(
        label=_("Step"),
        choices=[("", _("All steps"))]
        + [(c, f"{c} {label}") for c, label in StepCode.choices if c >= 3],
        coerce=int,
        empty_value=None,
        required=False,
    )
    waiting = forms.ChoiceField(
        label=_("Waiting"),
        choices=[
            ("", _("Any time")),
            ("7", _("More than a week")),
            ("30", _("More than a month")),
        ],
        required=False,
    )
