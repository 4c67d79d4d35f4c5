"""/needs/: residents post what they need; neighbours say "I need it too"."""

import django_filters
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from nanxi.models import ResidentialArea
from projects import forms, permissions, services
from projects.models import Need

PAGE_SIZE = 20


class NeedFilter(django_filters.FilterSet):
    area = django_filters.ModelChoiceFilter(
        label=gettext_lazy("Residential area"),
        queryset=ResidentialArea.objects.all(),
        empty_label=gettext_lazy("All areas"),
    )
    status = django_filters.ChoiceFilter(
        label=gettext_lazy("Status"),
        choices=Need.Status.choices,
        empty_label=gettext_lazy("All"),
    )
    order = django_filters.ChoiceFilter(
        label=gettext_lazy("Order"),
        choices=[("-supporters", gettext_lazy("Most supported"))],
        empty_label=gettext_lazy("Newest"),
        method="ordered",
    )

    class Meta:
        model = Need
        fields = ["area", "status"]

    def ordered(self, queryset, name, value):
        return queryset.order_by("-supporters", "-created_at", "-pk")


def need_list(request):
    queryset = (
        Need.objects.with_support()
        .select_related("area", "author__profile")  # "not yet verified", joined
        .order_by("-created_at", "-pk")
    )
    filterset = NeedFilter(request.GET, queryset=queryset)
    page = Paginator(filterset.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "projects/need_list.html",
        {"filter": filterset, "page": page, "query": query.urlencode()},
    )


@login_required
def need_create(request):
    refusal = permissions.need_post_refusal(request.user)
    if refusal:
        messages.error(request, refusal)
        return redirect("profile")
    area_id = request.user.profile.area_id
    form = forms.NeedForm(request.POST or None, request.FILES or None, area_id=area_id)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            need = services.need_post(
                by=request.user,
                title=data["title"],
                body=data["body"],
                area=request.user.profile.area,
                building_group=data["building_group"],
                photo=data["photo"],
            )
        except ValidationError as exc:
            form.add_error("photo" if data["photo"] else None, exc)
        else:
            messages.success(
                request,
                _("Your need is posted. Neighbours can say they need it too."),
            )
            if not need.by_verified_resident:
                messages.info(
                    request,
                    _(
                        "It is shown as “not yet verified” until your residents' "
                        "committee verifies that you live in the area (see “How "
                        "verification works” on your profile)."
                    ),
                )
            return redirect(need)
    return render(request, "projects/need_form.html", {"form": form})


def need_detail(request, pk: int):
    need = get_object_or_404(
        Need.objects.with_support().select_related(
            "area", "building_group", "author__profile__area", "merged_into"
        ),
        pk=pk,
    )
    user = request.user
    supported = user.is_authenticated and need.supports.filter(user=user).exists()
    proposal = need.proposals.visible_to(user).first()
    return render(
        request,
        "projects/need_detail.html",
        {
            "need": need,
            "supported": supported,
            "support_refusal": permissions.need_support_refusal(user, need),
            # An unverified neighbour's "I need it too" counts once verified.
            "support_counts": user.is_authenticated
            and permissions.standing(user, need.area_id) == "resident",
            "can_act": permissions.can_act_on_need(user, need),
            "proposal": proposal,
            "reply_form": forms.NeedReplyForm(initial={"reply": need.reply}),
            "reason_form": forms.ReasonForm(),
            "merge_form": forms.NeedMergeForm(),
            "proposal_form": forms.NeedProposalForm(),
        },
    )


def _need_act(request, pk, form_class, action, success):
    need = get_object_or_404(Need, pk=pk)
    form = form_class(request.POST) if form_class else None
    if form is not None and not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect(need)
    try:
        result = action(need, form.cleaned_data if form else {})
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return redirect(need)
    messages.success(request, success)
    return redirect(result if hasattr(result, "get_absolute_url") else need)


@require_POST
@login_required
def need_support(request, pk):
    return _need_act(
        request,
        pk,
        None,
        lambda n, d: services.need_support(need=n, by=request.user) and n,
        _("Noted: you need this too."),
    )


@require_POST
@login_required
def need_reply(request, pk):
    return _need_act(
        request,
        pk,
        forms.NeedReplyForm,
        lambda n, d: services.need_reply(need=n, by=request.user, reply=d["reply"]),
        _("Your reply is posted."),
    )


@require_POST
@login_required
def need_close(request, pk):
    return _need_act(
        request,
        pk,
        forms.ReasonForm,
        lambda n, d: services.need_close(need=n, by=request.user, reason=d["reason"]),
        _("The need is closed; the resident can read the reason."),
    )


@require_POST
@login_required
def need_merge(request, pk):
    def merge(need, data):
        into = Need.objects.filter(pk=data["into"]).first()
        if into is None:
            raise ValidationError(_("There is no need with that number."))
        return services.need_merge(need=need, into=into, by=request.user)

    return _need_act(
        request, pk, forms.NeedMergeForm, merge, _("The needs are merged.")
    )


@require_POST
@login_required
def need_propose(request, pk):
    return _need_act(
        request,
        pk,
        forms.NeedProposalForm,
        lambda n, d: services.need_to_proposal(
            need=n, by=request.user, category=d["category"]
        ),
        _("A draft proposal is made; its author can finish and submit it."),
    )
