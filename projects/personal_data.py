"""A person's part of the autonomy projects, for their data export (nanxi.personal_data).

Their needs and the needs they support, proposals, comments, votes,
crowdfunding pledges, evaluations, progress notes and photos. Confirmed contributions (自治众筹金) are recorded under a contributor's
name as typed by staff, not linked to an account: they are not listed.
Deleting an account needs nothing here: the rows stay and show a deleted
resident (nanxi.models.Profile.public_name).
"""

from django.db.models import F
from django.utils.translation import gettext as _

from nanxi.personal_data import Section
from projects.models import (
    Comment,
    Evaluation,
    Need,
    NeedSupport,
    Pledge,
    ProgressUpdate,
    Project,
    ProjectPhoto,
    Vote,
)


def export(user) -> list[Section]:
    """One query a section, whatever the number of rows."""
    return [
        Section(
            "needs",
            _("Needs you posted"),
            {"title": _("Title"), "body": _("Description"), "created_at": _("Created")},
            list(
                Need.objects.filter(author=user)
                .order_by("pk")
                .values("title", "body", "created_at")
            ),
        ),
        Section(
            "need_supports",
            _("Needs you supported"),
            {"need_title": _("Need"), "created_at": _("Supported")},
            list(
                NeedSupport.objects.filter(user=user)
                .order_by("pk")
                .values("created_at", need_title=F("need__title"))
            ),
        ),
        Section(
            "evaluations",
            _("Your evaluations"),
            {
                "project_title": _("Project"),
                "stars": _("Stars"),
                "comment": _("Comment"),
                "created_at": _("Written"),
            },
            list(
                Evaluation.objects.filter(resident=user)
                .order_by("pk")
                .values(
                    "stars", "comment", "created_at", project_title=F("project__title")
                )
            ),
        ),
        Section(
            "projects",
            _("Projects you proposed"),
            {
                "id": _("Number"),
                "title": _("Title"),
                "summary": _("Summary"),
                "description": _("Description"),
                "created_at": _("Created"),
            },
            list(
                Project.objects.filter(proposer=user)
                .order_by("pk")
                .values("id", "title", "summary", "description", "created_at")
            ),
        ),
        Section(
            "comments",
            _("Your comments"),
            {
                "project_title": _("Project"),
                "body": _("Comment"),
                "created_at": _("Written"),
                "hidden_reason": _("Hidden by staff because"),
            },
            list(
                Comment.objects.filter(author=user)
                .order_by("pk")
                .values(
                    "body",
                    "created_at",
                    "hidden_reason",
                    project_title=F("project__title"),
                )
            ),
        ),
        Section(
            "votes",
            _("Your votes"),
            {
                "project_title": _("Project"),
                "choice": _("Choice"),
                "updated_at": _("Cast"),
            },
            list(
                Vote.objects.filter(voter=user)
                .order_by("pk")
                .values("choice", "updated_at", project_title=F("project__title"))
            ),
        ),
        Section(
            "pledges",
            _("Your crowdfunding pledges"),
            {
                "project_title": _("Project"),
                "amount": _("Amount (yuan)"),
                "status": _("Status"),
                "anonymous": _("Anonymous in public"),
                "created_at": _("Pledged"),
            },
            list(
                Pledge.objects.filter(pledger=user)
                .order_by("pk")
                .values(
                    "amount",
                    "status",
                    "anonymous",
                    "created_at",
                    project_title=F("project__title"),
                )
            ),
        ),
        Section(
            "progress_updates",
            _("Your progress notes"),
            {
                "project_title": _("Project"),
                "body": _("Progress"),
                "created_at": _("Written"),
            },
            list(
                ProgressUpdate.objects.filter(author=user)
                .order_by("pk")
                .values("body", "created_at", project_title=F("project__title"))
            ),
        ),
        Section(
            "photos",
            _("Photos you uploaded"),
            {
                "project_title": _("Project"),
                "image": _("File"),
                "created_at": _("Uploaded"),
            },
            list(
                ProjectPhoto.objects.filter(uploaded_by=user)
                .order_by("pk")
                .values("image", "created_at", project_title=F("project__title"))
            ),
        ),
    ]
