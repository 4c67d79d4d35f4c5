from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from committees import selectors as committee_selectors
from committees import services as committee_services
from nanxi import fragments, people
from nanxi import permissions as street
from nanxi import selectors as street_selectors
from nanxi import services as street_services
from nanxi.caching import cache_page, everyone, filler
from nanxi.forms import parse_id
from nanxi.models import ResidentialArea
from projects import forms, permissions, selectors, services, workflow
from projects.filters import ProjectFilter
from projects.models import AreaMember, Comment, Pledge, Project, StepCode, Vote
from projects.personal_data import export_member

PAGE_SIZE = 20


def _own(request) -> selectors.OwnProjects | None:
    """The person's drafts and votes, read once a request (None: a visitor)."""
    if not request.user.is_authenticated:
        return None
    if not hasattr(request, "_nanxi_own_projects"):
        request._nanxi_own_projects = selectors.own_projects(request.user, request)
    return request._nanxi_own_projects


def _list_audience(request) -> str:
    """Who sees the same project list: everyone with the same scope (visitors and
    residents without drafts of their own alike); their votes are holes."""
    return selectors.list_scope(request.user, _own(request))


@filler("my-vote")
def _my_votes(request, ids) -> dict[str, str]:
    """ "You voted: …" on the cards of a list, for the person reading it."""
    votes = selectors.my_votes(
        request.user, [int(pk) for pk in ids if pk.isdigit()], _own(request)
    )
    labels = dict(Vote.Choice.choices)
    return {
        str(pk): format_html(
            '<p class="my-vote">{}</p>',
            _("You voted: %(choice)s") % {"choice": labels[choice]},
        )
        for pk, choice in votes.items()
    }


# The search text (q) is not among them: searches are rendered fresh.
@cache_page(
    params=("category", "topic", "area", "stage", "year", "page"),
    audience=_list_audience,
)
def project_list(request):
    """The cards come from the cache (nanxi.fragments), each as current as its
    project's version; what is the person's own (their vote) is a hole filled
    around them. The count and the filter's options are cached by the list's
    version."""
    user = request.user
    # The names on the cards and in the filter (areas, topics, steps): part of
    # each card's key.
    names = fragments.tokens(request, fragments.NAMES)[fragments.NAMES]
    choices = fragments.by_version(
        f"projects:filter-choices:{get_language()}",
        (selectors.PROJECTS, fragments.NAMES),
        selectors.filter_choices,
        request=request,
    )
    scope = selectors.list_scope(user, _own(request))
    filterset = ProjectFilter(
        request.GET, queryset=selectors.list_queryset(user, scope), choices=choices
    )
    projects = filterset.qs
    applied = filterset.applied()
    if applied is None:
        count = projects.count()
    else:
        count = fragments.by_version(
            "projects:count:" + fragments.digest(scope, sorted(applied.items())),
            selectors.PROJECTS,
            projects.count,
            request=request,
        )
    page = fragments.page_of_ids(
        projects, request.GET.get("page"), PAGE_SIZE, count=count
    )
    labels = selectors.step_labels()
    texts = selectors.step_texts(labels)
    html = fragments.fragments(
        "project",
        page.object_list,
        lambda ids: _project_cards(ids, labels, texts),
        variant=fragments.digest(sorted(labels.items()), names),
        request=request,
    )
    cards = [{"pk": pk, "html": html[pk]} for pk in page.object_list if pk in html]
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "projects/project_list.html",
        {
            "filter": filterset,
            "page": page,
            "cards": cards,
            "query": query.urlencode(),
            "labels": labels,
            "texts": texts,
        },
    )


def _project_cards(ids, labels, texts) -> dict[int, str]:
    """The cards of these projects, rendered (the part that is the same for all)."""
    prefix = reverse("projects:list")  # a card links to prefix + id: no reverse a row
    return {
        project.pk: render_to_string(
            "includes/project_card_body.html",
            {"project": project, "labels": labels, "texts": texts, "prefix": prefix},
        )
        for project in selectors.project_cards(ids)
    }


@login_required
def my_projects(request):
    projects = selectors.project_list(request.user).filter(proposer=request.user)
    labels = selectors.step_labels()
    return render(
        request,
        "projects/project_mine.html",
        {"projects": projects, "labels": labels, "texts": selectors.step_texts(labels)},
    )


def _detail_audience(request, pk: int) -> str | None:
    """Who sees the same project page: everyone who may do the same things on it
    (``permissions.allowed``) and has voted, rated and pledged alike — most
    residents of the area, all visitors. Staff who manage it get theirs rendered.

    Worked out from the page's own data once per project version, person and day
    (whether voting is still open changes at midnight), then from the cache.
    """
    user = request.user
    if not user.is_authenticated:
        return ""  # every visitor may do the same (nothing) and has no part in it

    def audience():
        try:
            project = selectors.project_for_audience(user, pk)
        except Project.DoesNotExist:
            return None  # not visible to this person: the view answers 404
        can = permissions.allowed(user, project)
        if can.manage:
            return None
        own = [getattr(project, name) for name in selectors.OWN_FIELDS]
        return fragments.digest(repr(can), repr(own))

    return fragments.by_version(
        f"projects:audience:{pk}:{user.pk}:{get_language()}:"
        f"{timezone.localdate().isoformat()}",
        (selectors.project_version(pk), people.version(user.pk)),
        audience,
        request=request,  # the page records the versions its audience came from
    )


def _detail_of(request, pk: int) -> Project:
    """The project with everything its page shows (read after its version was)."""
    try:
        return selectors.project_detail(request.user, pk)
    except Project.DoesNotExist as exc:
        raise Http404(_("No such project.")) from exc


@cache_page(audience=_detail_audience)
def project_detail(request, pk: int):
    # Before the data is read: the project, and the steps' names and vote rules.
    fragments.depend(request, selectors.project_version(pk), fragments.NAMES)
    project = _detail_of(request, pk)
    user = request.user
    can = permissions.allowed(user, project)
    context = {
        "project": project,
        "labels": selectors.step_labels(),
        "can": can,
        "next_move": workflow.next_move(project.step),
        "vote_form": forms.VoteForm(
            initial={"choice": getattr(project, "my_vote", None)}
        ),
        "comment_form": forms.CommentForm(),
        "note_form": forms.NoteForm(),
        "move_form": forms.MoveForm(auto_id="move-%s"),
        "vote_result": selectors.vote_result_of(project),
        # Staff see why the vote cannot be announced before they try (not asked
        # for a reason to close it early, then told to reject it instead).
        "announce_refusal": _announce_refusal(project, can),
        "closes_early": can.voting_open and project.vote_closes_on is not None,
        # A link to "How verification works" beside what they may not do yet (the
        # refusals in `can`, which the shared page's audience includes, say so).
        "needs_verifying": user.is_authenticated
        and permissions.standing(user, project.area_id) == "unverified",
        "reason_form": forms.ReasonForm(),
        "contribution_form": forms.ContributionForm(),
        "pledge_form": forms.PledgeForm(),
        "pledge_days": services.PLEDGE_EXPIRES_AFTER.days,
        "payment_form": forms.PaymentForm(
            initial={"transfer_reference": project.transfer_reference}
        ),
        "evaluation_form": forms.EvaluationForm(
            initial={"beneficiaries": project.beneficiaries}
        ),
        "rating_form": forms.RatingForm(),
        "ballot_form": forms.PaperBallotForm(
            auto_id="ballot-%s", area_id=project.area_id
        ),
        "paper_form": forms.PaperEvaluationForm(
            auto_id="paper-%s", area_id=project.area_id
        ),
        "paper_entry": _paper_entry(project) if can.manage else None,
        "progress_form": forms.ProgressForm(),
        "summary_form": forms.SummaryForm(initial={"text": project.case_summary}),
        "finish_refusal": permissions.finish_refusal(project)
        if can.summarise
        else None,
        **_money_fates(project),
    }
    return render(request, "projects/project_detail.html", context)


def _money_fates(project: Project) -> dict:
    """A stopped project's reason, and whether its page says where money went
    (stopped: each contribution; or money moved here from a stopped project).
    From what `selectors.project_detail` fetched: no query of its own."""
    stopped = project.outcome == Project.Outcome.STOPPED
    reason = ""
    if stopped:
        changes = [
            c
            for c in project.step_changes.all()
            if c.outcome == Project.Outcome.STOPPED
        ]
        reason = changes[-1].note if changes else ""
    moved_in = any(hasattr(c, "moved_from") for c in project.contributions.all())
    return {"stop_reason": reason, "money_fates": stopped or moved_in}


def _announce_refusal(project: Project, can) -> str | None:
    if not (can.manage and project.step == StepCode.VOTE):
        return None
    # The same rule as the move's: early only when decided, and only if it passed.
    refusal = services.close_refusal(project, selectors.vote_result_of(project))
    return None if refusal is None else refusal.messages[0]


def _paper_entry(project: Project) -> Project | None:
    """Who entered a paper proposal and for whom: for staff only (one query)."""
    if not project.on_paper:
        return None
    return Project.objects.select_related(
        "entered_by__profile__area",
        "proposer__profile__area",
        "proposer_member__building_group",
    ).get(pk=project.pk)


@login_required
def project_create(request):
    profile = street_services.profile_for(request.user)
    refusal = permissions.proposal_refusal(request.user, profile.area_id)
    if refusal and not street.is_staff_member(request.user):
        messages.error(request, refusal)  # how to get verified
        return redirect("profile")
    area_id = request.POST.get("area") if request.method == "POST" else profile.area_id
    form = forms.ProjectForm(
        request.POST or None,
        request.FILES or None,
        initial={"area": profile.area_id},
        area_id=parse_id(area_id),
        user=request.user,
    )
    if request.method == "POST" and form.is_valid():
        try:
            project = services.project_create(
                by=request.user,
                photos=form.cleaned_data["photos"],
                submit="submit" in request.POST,
                **form.service_kwargs(),
            )
        except ValidationError as exc:
            _form_errors(form, exc, "photos")
        else:
            if project.step == StepCode.SUBMIT:
                messages.success(
                    request,
                    _("Your proposal has been submitted to the residents' committee."),
                )
            else:
                messages.success(
                    request, _("Your draft has been saved. Submit it when it is ready.")
                )
            return redirect(project)
    return render(request, "projects/project_form.html", {"form": form})


@login_required
def project_edit(request, pk: int):
    project = get_object_or_404(Project, pk=pk)
    if not permissions.can_edit(request.user, project):
        raise PermissionDenied(
            _("Only the proposer can change a proposal, and only until it is accepted.")
        )
    form = forms.ProjectForm(
        request.POST or None, request.FILES or None, instance=project, user=request.user
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.project_update(
                project=project,
                by=request.user,
                new_photos=form.cleaned_data["photos"],
                remove_photo_ids=[
                    p.pk for p in form.cleaned_data.get("remove_photos", [])
                ],
                **form.service_kwargs(),
            )
            submit = permissions.allowed(request.user, project).submit
            if "submit" in request.POST and submit:
                services.project_move(
                    project=project, to_step=submit.to_step, by=request.user
                )
        except ValidationError as exc:
            _form_errors(form, exc, "photos")
        else:
            messages.success(request, _("Your proposal has been saved."))
            return redirect(project)
    return render(
        request,
        "projects/project_form.html",
        {
            "form": form,
            "project": project,
            "submit": permissions.allowed(request.user, project).submit,
        },
    )


def _form_errors(form, exc: ValidationError, field: str) -> None:
    if hasattr(exc, "error_dict"):
        for name, errors in exc.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(field, exc)


# --- actions on one project (POST only; each calls one service) -----------------------------


def _act(request, pk: int, action, form_class=None, success=""):
    """Run one service for a POSTed form; say what happened; go back to the project."""
    project = get_object_or_404(Project, pk=pk)
    form = form_class(request.POST, request.FILES) if form_class else None
    if form is not None and not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect(project)
    try:
        action(project, form.cleaned_data if form else {})
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, success)
    return redirect(project)


@require_POST
@login_required
def project_submit(request, pk):
    return _act(
        request,
        pk,
        lambda p, d: services.project_move(
            project=p, to_step=StepCode.SUBMIT, by=request.user
        ),
        success=_("Your proposal has been submitted to the residents' committee."),
    )


@require_POST
@login_required
def project_move(request, pk):
    try:
        to_step = int(request.POST.get("to_step", ""))
    except ValueError:
        to_step = 0
    return _act(
        request,
        pk,
        lambda p, d: services.project_move(
            project=p,
            to_step=to_step,
            by=request.user,
            note=d["note"],
            vote_closes_on=d["vote_closes_on"],
        ),
        forms.MoveForm,
        success=_("The project has moved on."),
    )


@require_POST
@login_required
def project_reject(request, pk):
    return _act(
        request,
        pk,
        lambda p, d: services.project_reject(
            project=p, by=request.user, reason=d["reason"]
        ),
        forms.ReasonForm,
        success=_("The project has been rejected; the proposer can read the reason."),
    )


@login_required
def project_withdraw(request, pk):
    """A page that says what withdrawing means; withdrawing is its form's POST."""
    project = get_object_or_404(Project.objects.select_related("area"), pk=pk)
    if not permissions.can_withdraw(request.user, project):
        raise PermissionDenied(
            _(
                "Only the proposer can withdraw a project, and only before residents "
                "vote on it."
            )
        )
    if request.method == "POST":
        return _act(
            request,
            pk,
            lambda p, d: services.project_withdraw(
                project=p, by=request.user, note=d["note"]
            ),
            forms.NoteForm,
            success=_("You have withdrawn the project."),
        )
    return render(
        request,
        "projects/project_withdraw.html",
        {"project": project, "form": forms.NoteForm()},
    )


@require_POST
@login_required
def project_finish(request, pk):
    return _act(
        request,
        pk,
        lambda p, d: services.project_finish(
            project=p, by=request.user, note=d["note"]
        ),
        forms.NoteForm,
        success=_("The project is completed. Thank you to everyone who took part."),
    )


@login_required
def project_stop(request, pk):
    """终止: a page that lists every contribution the project keeps, to say what
    happened to each one's money; stopping is its form's POST, all at once."""
    project = get_object_or_404(Project.objects.select_related("area"), pk=pk)
    if not permissions.can_stop(request.user, project):
        raise PermissionDenied(
            _(
                "Only staff of this project's residential area can stop it, from "
                "step 8 (crowdfunding) on, while it is open."
            )
        )
    data = request.POST if request.method == "POST" else None
    form = forms.StopForm(data)
    targets = selectors.money_targets(project)
    money = [
        forms.DispositionForm(data, contribution=c, targets=targets)
        for c in project.contributions.kept().order_by("contributed_on", "pk")
    ]
    valid = [m.is_valid() for m in money]  # every form checked: all errors shown
    if data is not None and form.is_valid() and all(valid):
        # The service checks the reason and every contribution's fate together.
        try:
            services.project_stop(
                project=project,
                by=request.user,
                reason=form.cleaned_data["reason"],
                dispositions={
                    m.contribution.pk: m.disposition()
                    for m in money
                    if m.disposition() is not None
                },
            )
        except ValidationError as exc:
            _stop_errors(form, money, exc)
        else:
            messages.success(
                request,
                _(
                    "The project is stopped. What happened to each contribution is "
                    "shown on its page; the people concerned have been told."
                ),
            )
            return redirect(project)
    return render(
        request,
        "projects/project_stop.html",
        {
            "project": project,
            "form": form,
            "money": money,
            "targets": targets,
            "pledges_pending": project.pledges.filter(
                status=Pledge.Status.PENDING
            ).count(),
        },
    )


def _stop_errors(form, money, exc: ValidationError) -> None:
    """The service's refusals by contribution (keyed by its id) go to its form."""
    by_id = {str(m.contribution.pk): m for m in money}
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc)
        return
    for key, errors in exc.error_dict.items():
        target = by_id.get(key)
        if key == "reason":
            form.add_error("reason", errors)
        elif target is not None:
            target.add_error(None, errors)
        else:
            form.add_error(None, errors)


@require_POST
@login_required
def project_summary(request, pk):
    return _act(
        request,
        pk,
        lambda p, d: services.project_write_summary(
            project=p, by=request.user, text=d["text"]
        ),
        forms.SummaryForm,
        success=_("The case summary has been saved."),
    )


SHOWCASE_PAGE_SIZE = 10


@cache_page(params=("page",), audience=everyone)
def showcase(request):
    """项目集锦: completed projects and their case summaries, to share (总结推广)."""
    page = Paginator(selectors.project_showcase(), SHOWCASE_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(request, "projects/project_showcase.html", {"page": page})


@require_POST
@login_required
def project_vote(request, pk):
    return _act(
        request,
        pk,
        lambda p, d: services.vote_cast(
            project=p, voter=request.user, choice=d["choice"]
        ),
        forms.VoteForm,
        success=_(
            "Your vote has been counted. You can change it while voting is open."
        ),
    )


@require_POST
@login_required
def project_paper_vote(request, pk):
    return _act(
        request,
        pk,
        lambda p, d: services.vote_enter_paper(project=p, by=request.user, **d),
        forms.PaperBallotForm,
        success=_("The paper ballot has been counted."),
    )


@require_POST
@login_required
def project_comment(request, pk):
    return _act(
        request,
        pk,
        lambda p, d: services.comment_add(
            project=p, author=request.user, body=d["body"]
        ),
        forms.CommentForm,
        success=_("Your comment has been posted."),
    )


@require_POST
@login_required
def project_contribution(request, pk):
    return _act(
        request,
        pk,
        lambda p, d: services.contribution_record(project=p, by=request.user, **d),
        forms.ContributionForm,
        success=_("The contribution has been recorded."),
    )


@require_POST
@login_required
def project_pledge(request, pk):
    return _act(
        request,
        pk,
        lambda p, d: services.pledge_make(project=p, by=request.user, **d),
        forms.PledgeForm,
        success=_(
            "Thank you. Your pledge is recorded: bring the money to the residents' "
            "committee or transfer it; it counts once they confirm it arrived."
        ),
    )


@require_POST
@login_required
def project_payment(request, pk):
    return _act(
        request,
        pk,
        lambda p, d: services.project_set_payment(
            project=p, by=request.user, transfer_reference=d["transfer_reference"]
        ),
        forms.PaymentForm,
        success=_("The payment instructions have been saved."),
    )


@login_required
def project_pledges(request, pk):
    """Staff: the pledges of one project, to confirm when the money came, or cancel."""
    project = get_object_or_404(Project.objects.select_related("area"), pk=pk)
    if not permissions.can_manage(request.user, project):
        raise PermissionDenied(
            _("Only staff of this project's residential area can confirm pledges.")
        )
    return render(
        request,
        "projects/pledge_list.html",
        {
            "project": project,
            "pledges": selectors.pledges_to_confirm(project),
            "can_confirm": permissions.can_contribute(request.user, project),
            "confirm_form": forms.PledgeConfirmForm(
                initial={"received_on": timezone.localdate()}
            ),
            "cancel_form": forms.CancelForm(),
        },
    )


@require_POST
@login_required
def pledge_confirm(request, pk):
    pledge = get_object_or_404(Pledge.objects.select_related("project"), pk=pk)
    form = forms.PledgeConfirmForm(request.POST)
    back = redirect("projects:pledges", pledge.project_id)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return back
    try:
        services.pledge_confirm(
            pledge=pledge, by=request.user, received_on=form.cleaned_data["received_on"]
        )
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("The pledge is confirmed and counts as recorded."))
    return back


@require_POST
@login_required
def pledge_cancel(request, pk):
    pledge = get_object_or_404(Pledge.objects.select_related("project"), pk=pk)
    form = forms.CancelForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        services.pledge_cancel(pledge=pledge, by=request.user, reason=reason)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("The pledge is cancelled."))
    if permissions.can_manage(request.user, pledge.project):
        return redirect("projects:pledges", pledge.project_id)
    return redirect(pledge.project)


@require_POST
@login_required
def project_progress(request, pk):
    return _act(
        request,
        pk,
        lambda p, d: services.progress_post(
            project=p, by=request.user, body=d["body"], photos=d["photos"]
        ),
        forms.ProgressForm,
        success=_("The progress update has been posted."),
    )


@require_POST
@login_required
def project_evaluation(request, pk):
    return _act(
        request,
        pk,
        lambda p, d: services.evaluation_record(project=p, by=request.user, **d),
        forms.EvaluationForm,
        success=_("The evaluation has been recorded."),
    )


@require_POST
@login_required
def project_rate(request, pk):
    return _act(
        request,
        pk,
        lambda p, d: services.evaluation_add(project=p, by=request.user, **d),
        forms.RatingForm,
        success=_("Thank you for rating the project."),
    )


@require_POST
@login_required
def project_paper_evaluation(request, pk):
    return _act(
        request,
        pk,
        lambda p, d: services.evaluation_enter_paper(project=p, by=request.user, **d),
        forms.PaperEvaluationForm,
        success=_("The paper form has been entered."),
    )


def project_evaluations(request, pk: int):
    """Every rating of one project with its words (online and on paper)."""
    project = get_object_or_404(
        Project.objects.visible_to(request.user).with_satisfaction(), pk=pk
    )
    return render(
        request,
        "projects/evaluation_list.html",
        {
            "project": project,
            "evaluations": selectors.evaluations_of(project),
            "can": {"manage": permissions.can_manage(request.user, project)},
        },
    )


@require_POST
@login_required
def comment_hide(request, pk):
    comment = get_object_or_404(Comment.objects.select_related("project"), pk=pk)
    form = forms.ReasonForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the reason for hiding the comment."))
    else:
        services.comment_hide(
            comment=comment, by=request.user, reason=form.cleaned_data["reason"]
        )
        messages.success(
            request, _("The comment is hidden; it is kept with your reason.")
        )
    return redirect(comment.project)


# --- residents' committee work list ------------------------------------------------------------


def _work_scope(user) -> str:
    """Whose projects the work list holds (`selectors.work_list`: submitted and
    open, in the staff member's scope; no drafts): the street's, or these areas'."""
    if street.is_street_staff(user):
        return "street"
    return fragments.digest(sorted(street.staff_area_ids(user)))


def _work_audience(request) -> str | None:
    """Staff with the same areas share the work list (how long each project has
    waited is counted in days: the day is part of it). Others get the 403."""
    if not street.is_staff_member(request.user):
        return None
    return f"{_work_scope(request.user)}:{timezone.localdate().isoformat()}"


@login_required
@cache_page(params=("step", "waiting", "page"), audience=_work_audience)
def manage(request):
    user = request.user
    if not street.is_staff_member(user):
        raise PermissionDenied(
            _("This page is for residents' committee and street staff.")
        )
    # Which projects wait, and what their rows show (before the data is read).
    fragments.depend(request, selectors.PROJECTS, "project:*", fragments.NAMES)
    projects = selectors.work_list(user)
    filters = forms.WorkListFilter(request.GET or None)
    applied: dict = {}
    if filters.is_valid():
        if filters.cleaned_data["step"]:
            applied["step"] = filters.cleaned_data["step"]
            projects = projects.filter(step=applied["step"])
        if filters.cleaned_data["waiting"]:
            days = int(filters.cleaned_data["waiting"])
            projects = projects.filter(
                moved_at__lte=timezone.now() - timedelta(days=days)
            )
    scope = _work_scope(user)
    if filters.is_valid() and filters.cleaned_data["waiting"]:
        count = projects.count()  # "waiting longer than" moves with the clock
    else:
        count = fragments.by_version(
            "projects:work-count:" + fragments.digest(scope, sorted(applied.items())),
            selectors.PROJECTS,
            projects.count,
            request=request,
        )
    # Longest waiting first: what has been left alone the longest needs a look.
    page = fragments.CountedPaginator(
        projects.order_by("moved_at", "pk"), PAGE_SIZE, count=count
    ).get_page(request.GET.get("page"))
    unverified = fragments.by_version(
        "projects:work-unverified:" + scope,
        people.EVERYONE,  # a resident registered, moved or was verified
        lambda: street_selectors.unverified_residents(user).count(),
        request=request,
    )
    needs_waiting = fragments.by_version(
        "projects:work-needs:" + scope,
        selectors.NEEDS,
        lambda: selectors.needs_waiting(user).count(),
        request=request,
    )
    # Owners' committee elections past their first meeting or filing (by the day).
    overdue_elections = fragments.by_version(
        f"projects:work-elections:{scope}:{timezone.localdate().isoformat()}",
        committee_services.COMMITTEES,
        lambda: committee_selectors.overdue_elections(user),
        request=request,
    )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "projects/project_manage.html",
        {
            "projects": page,
            "page": page,
            "query": query.urlencode(),
            "filters": filters if filters.is_bound else forms.WorkListFilter(),
            "labels": selectors.step_labels(),
            "unverified": unverified,
            "needs_waiting": needs_waiting,
            "overdue_elections": overdue_elections,
        },
    )


# --- offline residents (线下): members of the area and paper proposals --------------------


def _require_staff(user) -> None:
    if not street.is_staff_member(user):
        raise PermissionDenied(
            _("This page is for residents' committee and street staff.")
        )


@login_required
def member_list(request):
    """Staff: the members of their areas without an account, and a form to add one."""
    user = request.user
    _require_staff(user)
    form = forms.AreaMemberForm(request.POST or None, user=user)
    if request.method == "POST" and form.is_valid():
        try:
            member = services.member_record(by=user, **form.cleaned_data)
        except ValidationError as exc:
            _form_errors(form, exc, "name")
        else:
            messages.success(
                request,
                _("%(name)s is recorded as a member of %(area)s.")
                % {"name": member.name, "area": member.area.name},
            )
            return redirect("projects:members")
    members = street.in_scope(
        AreaMember.objects.filter(erased_at=None).select_related(
            "area", "building_group"
        ),
        user,
    ).order_by("area__name", "name", "pk")
    page = Paginator(members, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "projects/member_list.html",
        {"page": page, "members": page, "form": form},
    )


def _member_in_scope(request, pk: int) -> AreaMember:
    member = get_object_or_404(
        AreaMember.objects.select_related("area", "building_group"), pk=pk
    )
    # Outside one's areas a member does not exist, as in the admin.
    if not permissions.can_manage_members(request.user, member.area_id):
        raise Http404(_("No such member."))
    return member


@login_required
def member_detail(request, pk: int):
    """Staff: correct a member's record; see everything held about them; erase it."""
    member = _member_in_scope(request, pk)
    form = None
    if not member.is_erased:
        initial = {
            "name": member.name,
            "building_group": member.building_group_id,
            "phone": member.phone,
        }
        form = forms.AreaMemberForm(
            request.POST or None, user=request.user, member=member, initial=initial
        )
        if request.method == "POST" and form.is_valid():
            try:
                services.member_update(
                    member=member, by=request.user, **form.cleaned_data
                )
            except ValidationError as exc:
                _form_errors(form, exc, "name")
            else:
                messages.success(request, _("The member's record has been saved."))
                return redirect(member)
    elif request.method == "POST":
        messages.error(
            request, _("This member's record has been erased; it cannot be used again.")
        )
        return redirect(member)
    return render(
        request,
        "projects/member_detail.html",
        {"member": member, "form": form, "sections": export_member(member)},
    )


@require_POST
@login_required
def member_erase(request, pk: int):
    member = _member_in_scope(request, pk)
    try:
        services.member_erase(member=member, by=request.user)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return redirect(member)
    messages.success(
        request,
        _(
            "The member's personal data is erased. What they proposed, voted and "
            "rated still counts, shown as a deleted resident."
        ),
    )
    return redirect("projects:members")


@login_required
def paper_proposal(request):
    """Staff enter a proposal handed in on paper, for a member or a resident."""
    user = request.user
    _require_staff(user)
    areas = street.in_scope(ResidentialArea.objects.all(), user, "pk")
    if request.method == "POST":
        area_id = parse_id(request.POST.get("area"))
    else:
        area_id = areas.values_list("pk", flat=True).first()
    form = forms.PaperProposalForm(
        request.POST or None, request.FILES or None, user=user, area_id=area_id
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            resident = None
            if data["resident"].strip():
                resident = services.resident_by_contact(
                    by=user, area=data["area"], contact=data["resident"]
                )
            project = services.project_enter_paper(
                by=user,
                member=data["member"],
                resident=resident,
                photos=data["photos"],
                **form.service_kwargs(),
            )
        except ValidationError as exc:
            _form_errors(form, exc, "resident")
        else:
            messages.success(
                request,
                _(
                    "The paper proposal has been entered and submitted. You are "
                    "recorded as the one who entered it."
                ),
            )
            return redirect(project)
    return render(request, "projects/paper_proposal_form.html", {"form": form})
