"""A person's part of the autonomy projects, for their data export (nanxi.personal_data).

Their needs and the needs they support, proposals, comments, votes,
crowdfunding pledges, evaluations, progress notes and photos. Contributions
(自治众筹金) are recorded under a contributor's name as typed by staff: only those
from a confirmed pledge are linked to an account, and are listed with the pledge,
with what happened to the money if its project was stopped. Money moved to another
project is a confirmed pledge there too (projects.services.project_stop).
Deleting an account needs nothing here: the rows stay and show a deleted
resident (nanxi.models.Profile.public_name).

Members of the area (`AreaMember`, 线下) have no account, so the registry, keyed
by account, cannot reach them: `export_member` gives the same sections for one
member (shown to their area's staff, who print it when the member asks), and
`projects.services.member_erase` erases them.
"""

from django.db.models import BooleanField, ExpressionWrapper, F, Q
from django.utils.translation import gettext as _

from nanxi.personal_data import Section
from projects.models import (
    AreaMember,
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
                "on_paper": _("Entered from paper by the residents' committee"),
            },
            list(
                Project.objects.filter(proposer=user)
                .order_by("pk")
                .values(
                    "id",
                    "title",
                    "summary",
                    "description",
                    "created_at",
                    on_paper=ExpressionWrapper(
                        Q(entered_by__isnull=False), output_field=BooleanField()
                    ),
                )
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
            choices={"choice": dict(Vote.Choice.choices)},
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
                "moved_from": _("Moved here from"),
                "refunded_on": _("Refunded on"),
                "moved_to": _("Moved to the project"),
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
                    moved_from=F(
                        "contribution__moved_from__contribution__project__title"
                    ),
                    refunded_on=F("contribution__disposition__refunded_on"),
                    moved_to=F("contribution__disposition__moved_to__project__title"),
                )
            ),
            choices={"status": dict(Pledge.Status.choices)},
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


def export_member(member: AreaMember) -> list[Section]:
    """What the portal holds about one member of the area: four queries at most."""
    record = {
        "name": member.name,
        "area": member.area.name,
        "building_group": member.building_group.name if member.building_group else "",
        "phone": member.phone,
        "created_at": member.created_at,
        "erased_at": member.erased_at,
    }
    return [
        Section(
            "member",
            _("Record"),
            {
                "name": _("Name"),
                "area": _("Residential area"),
                "building_group": _("Building group"),
                "phone": _("Phone"),
                "created_at": _("Recorded"),
                "erased_at": _("Erased"),
            },
            [record],
        ),
        Section(
            "paper_proposals",
            _("Proposals entered on paper"),
            {
                "id": _("Number"),
                "title": _("Title"),
                "summary": _("Summary"),
                "created_at": _("Created"),
            },
            list(
                Project.objects.filter(proposer_member=member)
                .order_by("pk")
                .values("id", "title", "summary", "created_at")
            ),
        ),
        Section(
            "paper_votes",
            _("Paper ballots"),
            {
                "project_title": _("Project"),
                "ballot_number": _("Ballot number"),
                "choice": _("Choice"),
                "created_at": _("Entered"),
            },
            list(
                Vote.objects.filter(member=member)
                .order_by("pk")
                .values(
                    "ballot_number",
                    "choice",
                    "created_at",
                    project_title=F("project__title"),
                )
            ),
            choices={"choice": dict(Vote.Choice.choices)},
        ),
        Section(
            "paper_evaluations",
            _("Paper evaluation forms"),
            {
                "project_title": _("Project"),
                "form_number": _("Paper form number"),
                "stars": _("Stars"),
                "comment": _("Comment"),
                "created_at": _("Entered"),
            },
            list(
                Evaluation.objects.filter(member=member)
                .order_by("pk")
                .values(
                    "form_number",
                    "stars",
                    "comment",
                    "created_at",
                    project_title=F("project__title"),
                )
            ),
        ),
    ]
