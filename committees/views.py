"""Owners' committees: one address for everyone, the staff's view within their scope.

Visitors and residents see the public part (no phone number ever); staff of the
committee's area and street staff see the staff part and act through services.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from committees import forms, permissions, selectors, services, workflow
from committees.models import Candidate, Election, OwnersCommittee, Step
from nanxi import fragments
from nanxi import permissions as street
from nanxi.caching import cache_page

PAGE_SIZE = 25


def _list_audience(request, *args, **kwargs) -> str | None:
    """Staff get their own list (a filter form, their areas): rendered for them."""
    return None if street.is_staff_member(request.user) else ""


def _detail_audience(request, *args, **kwargs) -> str | None:
    """Who manages the committee gets its staff page (phones, buttons): rendered."""
    return None if street.is_staff_member(request.user) else ""


# Visitors and residents get no filter form (staff do).
@cache_page(params=("page",), audience=_list_audience)
def committee_list(request):
    # Before the data is read: the committees, and the names of estates and areas.
    fragments.depend(request, services.COMMITTEES, fragments.NAMES)
    user = request.user
    queryset = selectors.committee_list(user)
    staff = street.is_staff_member(user)
    form = forms.CommitteeFilterForm(request.GET or None, user=user)
    if staff:
        queryset = form.apply(queryset)
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    template = "committees/committee_staff_list.html" if staff else None
    return render(
        request,
        template or "committees/committee_list.html",
        {"page": page, "form": form, "query": query.urlencode()},
    )


def _committee(pk: int) -> OwnersCommittee:
    try:
        return selectors.committee_detail(pk)
    except OwnersCommittee.DoesNotExist as exc:
        raise Http404(_("No such owners' committee.")) from exc


@cache_page(audience=_detail_audience)
def committee_detail(request, pk: int):
    fragments.depend(request, services.COMMITTEES, fragments.NAMES)  # before the data
    committee = _committee(pk)
    manage = permissions.can_manage(request.user, committee)
    if not manage:
        selectors.hide_phones(committee)
    latest, weak = selectors.weak_items(committee)
    context = {
        "committee": committee,
        "terms": committee.terms.all(),
        "current_term": next(iter(committee.terms.all()), None),
        "elections": [selectors.election_summary(e) for e in committee.elections.all()],
        "assessments": committee.assessments.all(),
        "latest_assessment": latest,
        "weak_items": weak,
    }
    if not manage:
        return render(request, "committees/committee_detail.html", context)
    open_election = next((e for e in committee.elections.all() if e.is_open), None)
    context.update(
        {
            "open_election": open_election,
            "can_start": permissions.can_start_election(request.user, committee)
            and open_election is None,
            "start_form": forms.ElectionStartForm(
                initial={
                    "kind": Election.Kind.RE_ELECTION
                    if committee.term_number
                    else Election.Kind.FORMATION
                }
            ),
        }
    )
    return render(request, "committees/committee_staff_detail.html", context)


@login_required
def coaching_sheet(request, pk: int):
    """点对点辅导: the weak items of the newest assessment, to print and take along."""
    committee = _committee(pk)
    if not permissions.can_manage(request.user, committee):
        raise PermissionDenied(
            _("Only staff of this committee's residential area can see this page.")
        )
    latest, weak = selectors.weak_items(committee)
    return render(
        request,
        "committees/coaching_sheet.html",
        {
            "committee": committee,
            "assessment": latest,
            "weak_items": weak,
            "current_term": next(iter(committee.terms.all()), None),
        },
    )


# --- elections (staff) -------------------------------------------------------------------


def _election(pk: int, user) -> Election:
    election = get_object_or_404(
        Election.objects.select_related(
            "committee__estate__area", "term"
        ).prefetch_related("candidates"),
        pk=pk,
    )
    if not permissions.can_manage(user, election.committee):
        raise PermissionDenied(
            _("Only staff of this committee's residential area can see this page.")
        )
    return election


@login_required
def election_detail(request, pk: int):
    election = _election(pk, request.user)
    candidates = list(election.candidates.all())
    move = workflow.next_move(election.step)
    summary = selectors.election_summary(election)
    context = {
        "election": election,
        "committee": election.committee,
        "summary": summary,
        "changes": election.changes.select_related("actor__profile__area"),
        "steps": Step.choices,
        "move": move,
        "can_move": permissions.can_move(request.user, election),
        "can_end": permissions.can_end_without_result(request.user, election),
        "end_form": forms.EndWithoutResultForm(),
        "can_edit_candidates": permissions.can_edit_candidates(request.user, election),
        "can_record_vote": permissions.can_record_vote(request.user, election),
        "can_record_first_meeting": permissions.can_record_first_meeting(
            request.user, election
        ),
        "candidate_form": forms.CandidateForm(),
        "vote_form": forms.VoteForm(
            candidates=candidates,
            initial={
                "participating_owners": election.participating_owners,
                "participating_area": election.participating_area,
                **({"voted_on": election.voted_on} if election.voted_on else {}),
            },
        ),
        "note_form": forms.AnnounceForm()
        if election.step == Step.PREPARATION
        else forms.NoteForm(),
        "first_meeting_form": forms.FirstMeetingForm(
            elected=[c for c in candidates if c.pk in _elected_pks(summary)]
        ),
        "void_reasons": services.turnout_refusals(election) if summary["void"] else [],
        "refusals": []
        if summary["void"]
        else services.election_refusals(election, candidates),
        "today": timezone.localdate(),
    }
    return render(request, "committees/election_detail.html", context)


def _elected_pks(summary: dict) -> set[int]:
    return {row["candidate"].pk for row in summary["candidates"] if row["elected"]}


def _messages(request, exc: ValidationError) -> None:
    for message in exc.messages:
        messages.error(request, message)


@require_POST
@login_required
def election_start(request, pk: int):
    committee = get_object_or_404(
        OwnersCommittee.objects.select_related("estate"), pk=pk
    )
    form = forms.ElectionStartForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose formation or re-election."))
        return redirect(committee)
    try:
        election = services.election_start(
            committee=committee,
            kind=form.cleaned_data["kind"],
            note=form.cleaned_data["note"],
            by=request.user,
        )
    except ValidationError as exc:
        _messages(request, exc)
        return redirect(committee)
    messages.success(request, _("The preparatory group has been formed."))
    return redirect(election)


@require_POST
@login_required
def candidate_add(request, pk: int):
    election = _election(pk, request.user)
    form = forms.CandidateForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect(election)
    try:
        services.candidate_add(election=election, by=request.user, **form.cleaned_data)
    except ValidationError as exc:
        _messages(request, exc)
    else:
        messages.success(request, _("The candidate has been added."))
    return redirect(election)


@require_POST
@login_required
def candidate_remove(request, pk: int, candidate_pk: int):
    election = _election(pk, request.user)
    candidate = get_object_or_404(Candidate, pk=candidate_pk, election=election)
    try:
        services.candidate_remove(candidate=candidate, by=request.user)
    except ValidationError as exc:
        _messages(request, exc)
    else:
        messages.success(request, _("The candidate has been removed."))
    return redirect(election)


@require_POST
@login_required
def election_vote(request, pk: int):
    election = _election(pk, request.user)
    form = forms.VoteForm(request.POST, candidates=election.candidates.all())
    if not form.is_valid():
        for error in form.errors.get("voted_on", ()):
            messages.error(request, error)
        if form.errors.keys() - {"voted_on"}:
            messages.error(request, _("Fill in every number of the vote."))
        return redirect(election)
    try:
        services.election_record_vote(
            election=election,
            by=request.user,
            participating_owners=form.cleaned_data["participating_owners"],
            participating_area=form.cleaned_data["participating_area"],
            approvals=form.approvals(),
            voted_on=form.cleaned_data["voted_on"],
        )
    except ValidationError as exc:
        _messages(request, exc)
    else:
        if election.void:
            # Recorded, but nobody is elected: say so first, not "recorded".
            messages.error(
                request,
                _(
                    "The vote has been recorded: the election failed (void under "
                    "the Civil Code art. 278)."
                ),
            )
            for reason in services.turnout_refusals(election):
                messages.error(request, reason)
        else:
            messages.success(request, _("The vote has been recorded."))
    return redirect(election)


@require_POST
@login_required
def election_move(request, pk: int):
    election = _election(pk, request.user)
    announcing = election.step == Step.PREPARATION
    form = (forms.AnnounceForm if announcing else forms.NoteForm)(request.POST)
    if announcing and not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect(election)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    try:
        to_step = int(request.POST.get("to_step", ""))
    except ValueError:
        to_step = 0
    extra = (
        {
            "seats": form.cleaned_data["seats"],
            "assembly_on": form.cleaned_data["assembly_on"],
        }
        if announcing
        else {}
    )
    try:
        services.election_move(
            election=election, to_step=to_step, by=request.user, note=note, **extra
        )
    except ValidationError as exc:
        _messages(request, exc)
    else:
        if election.step == Step.FILED:
            messages.success(
                request,
                _("The election is filed: term %(n)d has begun.")
                % {"n": election.term.number},
            )
        else:
            messages.success(request, _("The election has moved to the next step."))
    return redirect(election)


@require_POST
@login_required
def election_end_without_result(request, pk: int):
    election = _election(pk, request.user)
    form = forms.EndWithoutResultForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect(election)
    try:
        services.election_end_without_result(
            election=election, by=request.user, reason=form.cleaned_data["reason"]
        )
    except ValidationError as exc:
        _messages(request, exc)
    else:
        messages.success(
            request,
            _(
                "The election has ended without a result. A new election can be "
                "started on the committee's page."
            ),
        )
    return redirect(election)


@require_POST
@login_required
def election_first_meeting(request, pk: int):
    election = _election(pk, request.user)
    elected = election.elected_candidates()
    form = forms.FirstMeetingForm(request.POST, elected=elected)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect(election)
    try:
        services.election_first_meeting(
            election=election,
            by=request.user,
            held_on=form.cleaned_data["held_on"],
            chair=form.cleaned_data["chair"],
            vice_chairs=form.cleaned_data["vice_chairs"],
        )
    except ValidationError as exc:
        _messages(request, exc)
    else:
        messages.success(request, _("The first meeting has been recorded."))
    return redirect(election)
