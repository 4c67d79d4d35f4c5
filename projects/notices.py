"""What residents are told about projects: the texts and who gets them.

Called from `projects.services` inside their transactions; nanxi's notification
service stores the notices and e-mails those who chose e-mail, after commit.
"""

from hashlib import sha256

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from nanxi import notifications
from nanxi.models import Profile
from projects.models import Pledge
from projects.selectors import step_labels

MY_PROPOSAL = "projects.my_proposal"
VOTE_OPENED = "projects.vote_opened"
MY_PLEDGE = "projects.my_pledge"
MY_NEED = "projects.my_need"


def register() -> None:
    notifications.register_kind(
        MY_PROPOSAL,
        gettext_lazy("My proposals: accepted, moved on, rejected, completed"),
        email_by_default=True,
    )
    notifications.register_kind(
        VOTE_OPENED, gettext_lazy("A vote opens in my residential area")
    )
    notifications.register_kind(
        MY_PLEDGE,
        gettext_lazy(
            "My crowdfunding pledges: confirmed, expired, or the project stopped"
        ),
        email_by_default=True,
    )
    notifications.register_kind(
        MY_NEED,
        gettext_lazy("Needs I posted or supported: a reply, or a proposal made"),
    )


def moved(project, *, by) -> None:
    if by.pk == project.proposer_id:
        return  # the proposer submitted it themselves

    def text():
        if project.step == 4:
            return _(
                "Your proposal “%(title)s” has been accepted by the residents' "
                "committee."
            ) % {"title": project.title}
        return _(
            "Your proposal “%(title)s” has moved on to step %(step)d: %(label)s."
        ) % {
            "title": project.title,
            "step": project.step,
            "label": step_labels()[project.step],
        }

    notifications.notify(
        recipients=[project.proposer],
        kind=MY_PROPOSAL,
        text=text,
        link=project.get_absolute_url(),
        key=f"project:{project.pk}:step:{project.step}",
    )


def vote_opened(project) -> None:
    voters = (
        Profile.objects.filter(area_id=project.area_id, verified_at__isnull=False)
        .select_related("user")
        .only("user")
    )
    notifications.notify(
        recipients=[p.user for p in voters],
        kind=VOTE_OPENED,
        text=lambda: (
            _(
                "A vote has opened in your residential area on “%(title)s”. "
                "You can vote until the end of %(day)s."
            )
            % {"title": project.title, "day": project.vote_closes_on.isoformat()}
        ),
        link=project.get_absolute_url(),
        key=f"project:{project.pk}:vote-opened",
    )


def closed(project, *, reason: str = "") -> None:
    if project.outcome not in (
        project.Outcome.REJECTED,
        project.Outcome.DONE,
        project.Outcome.STOPPED,
    ):
        return  # withdrawn: the proposer did it themselves

    def text():
        if project.outcome == project.Outcome.REJECTED:
            return _(
                "Your proposal “%(title)s” was not accepted. The reason: %(reason)s"
            ) % {"title": project.title, "reason": reason}
        if project.outcome == project.Outcome.STOPPED:
            return _(
                "Your project “%(title)s” has been stopped by the residents' "
                "committee. The reason: %(reason)s"
            ) % {"title": project.title, "reason": reason}
        return _(
            "Your project “%(title)s” is completed. Thank you for starting it!"
        ) % {"title": project.title}

    notifications.notify(
        recipients=[project.proposer],
        kind=MY_PROPOSAL,
        text=text,
        link=project.get_absolute_url(),
        key=f"project:{project.pk}:outcome:{project.outcome}",
    )


def pledge_decided(pledge, *, days: int = 0) -> None:
    if pledge.status not in (pledge.Status.CONFIRMED, pledge.Status.EXPIRED):
        return
    params = {"amount": pledge.amount, "title": pledge.project.title, "days": days}

    def text():
        if pledge.status == pledge.Status.CONFIRMED:
            return (
                _(
                    "The residents' committee received your pledge of ¥%(amount)s to "
                    "“%(title)s”. Thank you!"
                )
                % params
            )
        return (
            _(
                "Your pledge of ¥%(amount)s to “%(title)s” has expired: the residents' "
                "committee did not confirm the money within %(days)d days."
            )
            % params
        )

    notifications.notify(
        recipients=[pledge.pledger],
        kind=MY_PLEDGE,
        text=text,
        link=pledge.project.get_absolute_url(),
        key=f"pledge:{pledge.pk}:{pledge.status}",
    )


def stopped(project, *, reason: str, contributions, pledges) -> None:
    """A project was stopped: each contributor with an account (a confirmed pledge)
    is told what happened to their money, each pledger that there is nothing to pay.
    Money given in cash without an account: the residents' committee tells them."""
    link = project.get_absolute_url()
    confirmed = Pledge.objects.filter(
        contribution__in=[c.pk for c in contributions]
    ).select_related("pledger", "contribution__disposition__moved_to__project")
    for pledge in confirmed:
        money = pledge.contribution.disposition
        params = {
            "title": project.title,
            "reason": reason,
            "amount": pledge.contribution.amount,
            "day": money.refunded_on.isoformat() if money.refunded_on else "",
            "target": money.moved_to.project.title if money.moved_to else "",
        }

        def text(money=money, params=params):
            if money.kind == money.Kind.REFUNDED:
                return (
                    _(
                        "“%(title)s” has been stopped (the reason: %(reason)s). "
                        "Your ¥%(amount)s was refunded to you on %(day)s."
                    )
                    % params
                )
            return (
                _(
                    "“%(title)s” has been stopped (the reason: %(reason)s). As you "
                    "agreed, your ¥%(amount)s now goes to “%(target)s”."
                )
                % params
            )

        notifications.notify(
            recipients=[pledge.pledger],
            kind=MY_PLEDGE,
            text=text,
            link=link,
            key=f"contribution:{pledge.contribution_id}:{money.kind}",
        )
    for pledge in pledges:
        params = {"title": project.title, "reason": reason, "amount": pledge.amount}
        notifications.notify(
            recipients=[pledge.pledger],
            kind=MY_PLEDGE,
            text=lambda params=params: (
                _(
                    "“%(title)s” has been stopped (the reason: %(reason)s). Your "
                    "pledge of ¥%(amount)s is cancelled: there is nothing to pay."
                )
                % params
            ),
            link=link,
            key=f"pledge:{pledge.pk}:stopped",
        )


def need_replied(need) -> None:
    notifications.notify(
        recipients=[need.author],
        kind=MY_NEED,
        text=lambda: (
            _("The residents' committee replied to your need “%(title)s”.")
            % {"title": need.title}
        ),
        link=need.get_absolute_url(),
        key=f"need:{need.pk}:reply:{sha256(need.reply.encode()).hexdigest()[:16]}",
    )


def need_proposed(need, project) -> None:
    notifications.notify(
        recipients=[need.author],
        kind=MY_NEED,
        text=lambda: (
            _(
                "The residents' committee drafted a proposal from your need “%(title)s”. "
                "Finish it and submit it when it is ready."
            )
            % {"title": need.title}
        ),
        link=project.get_absolute_url(),
        key=f"need:{need.pk}:proposed",
    )
    # A draft is the author's until submitted: supporters follow it from the need.
    notifications.notify(
        recipients=[s.user for s in need.supports.select_related("user")],
        kind=MY_NEED,
        text=lambda: (
            _("A need you supported, “%(title)s”, is becoming a proposal.")
            % {"title": need.title}
        ),
        link=need.get_absolute_url(),
        key=f"need:{need.pk}:proposed",
    )
