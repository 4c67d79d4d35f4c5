from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from nanxi import permissions as street
from nanxi import selectors as street_selectors
from nanxi import services as street_services
from nanxi.caching import cache_for_visitors
from nanxi.forms import parse_id
from projects import forms, permissions, selectors, services, workflow
from projects.filters import ProjectFilter
from projects.models import Comment, Project, StepCode

PAGE_SIZE = 20


@cache_for_visitors
def project_list(request):
    queryset = selectors.project_list(request.user)
    filterset = ProjectFilter(request.GET, queryset=queryset)
    page = Paginator(filterset.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    labels = selectors.step_labels()
    return render(
        request,
        "projects/project_list.html",
        {
            "filter": filterset,
            "page": page,
            "query": query.urlencode(),
            "labels": labels,
            "texts": selectors.step_texts(labels),
        },
    )


@login_required
def my_projects(request):
    projects = selectors.project_list(request.user).filter(proposer=request.user)
    labels = selectors.step_labels()
    return render(
        request,
        "projects/project_mine.html",
        {"projects": projects, "labels": labels, "texts": selectors.step_texts(labels)},
    )


def project_detail(request, pk: int):
    try:
        project = selectors.project_detail(request.user, pk)
    except Project.DoesNotExist as exc:
        raise Http404(_("No such project.")) from exc
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
        "reason_form": forms.ReasonForm(),
        "contribution_form": forms.ContributionForm(),
        "evaluation_form": forms.EvaluationForm(),
        "progress_form": forms.ProgressForm(),
    }
    return render(request, "projects/project_detail.html", context)


@login_required
def project_create(request):
    profile = street_services.profile_for(request.user)
    area_id = request.POST.get("area") if request.method == "POST" else profile.area_id
    form = forms.ProjectForm(
        request.POST or None,
        request.FILES or None,
        initial={"area": profile.area_id},
        area_id=parse_id(area_id),
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
        request.POST or None, request.FILES or None, instance=project
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
    form = form_class(request.POST) if form_class else None
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
            project=p, to_step=to_step, by=request.user, note=d["note"]
        ),
        forms.NoteForm,
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


@require_POST
@login_required
def project_withdraw(request, pk):
    return _act(
        request,
        pk,
        lambda p, d: services.project_withdraw(
            project=p, by=request.user, note=d["note"]
        ),
        forms.NoteForm,
        success=_("You have withdrawn the project."),
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
def project_progress(request, pk):
    return _act(
        request,
        pk,
        lambda p, d: services.progress_post(project=p, by=request.user, body=d["body"]),
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


@login_required
def manage(request):
    user = request.user
    if not street.is_staff_member(user):
        raise PermissionDenied(
            _("This page is for residents' committee and street staff.")
        )
    projects = street.in_scope(
        selectors.project_list(user).filter(
            outcome=Project.Outcome.OPEN, step__gte=StepCode.SUBMIT
        ),
        user,
    ).order_by("step", "updated_at")
    return render(
        request,
        "projects/project_manage.html",
        {
            "projects": projects,
            "labels": selectors.step_labels(),
            "unverified": street_selectors.unverified_residents(user).count(),
        },
    )
