"""Who may do what with owners' committees. Services, views, the admin and templates ask.

Staff scope is nanxi's (`can_act_in_area`): residents' committee staff act on the
committees of the areas granted to them, street staff on all.
"""

from committees import workflow
from committees.models import Election, OwnersCommittee
from nanxi import permissions as street


def can_manage(user, committee: OwnersCommittee) -> bool:
    """Staff of the committee's residential area, or street staff."""
    return street.can_act_in_area(user, committee.estate.area_id)


def can_create_committee(user, estate) -> bool:
    return street.can_act_in_area(user, estate.area_id)


def can_see_phones(user, committee: OwnersCommittee) -> bool:
    """Members' phone numbers are for the staff who work with them, never public."""
    return can_manage(user, committee)


def can_start_election(user, committee: OwnersCommittee) -> bool:
    return can_manage(user, committee) and committee.dissolved_on is None


def can_edit_candidates(user, election: Election) -> bool:
    return can_manage(user, election.committee) and workflow.is_open_for(
        election, workflow.Activity.CANDIDATES
    )


def can_record_vote(user, election: Election) -> bool:
    return can_manage(user, election.committee) and workflow.is_open_for(
        election, workflow.Activity.VOTE
    )


def can_record_first_meeting(user, election: Election) -> bool:
    return can_manage(user, election.committee) and workflow.is_open_for(
        election, workflow.Activity.FIRST_MEETING
    )


def can_edit_rules(user, rules) -> bool:
    """The district's default is the street office's; an estate's rules are also
    its area's staff's."""
    if rules.estate_id is None:
        return street.is_street_staff(user)
    return street.can_act_in_area(user, rules.estate.area_id)


def can_move(user, election: Election) -> bool:
    return (
        can_manage(user, election.committee)
        and election.is_open
        and workflow.next_move(election.step) is not None
    )


def can_end_without_result(user, election: Election) -> bool:
    """选举未成功: the area's staff close an election whose vote failed."""
    return can_manage(user, election.committee) and workflow.can_end_without_result(
        election
    )


def can_assess(user, committee: OwnersCommittee) -> bool:
    return can_manage(user, committee)


def can_manage_standards(user) -> bool:
    """The assessment standard is the street office's."""
    return user.is_active and street.is_street_staff(user)


def can_dissolve(user, committee: OwnersCommittee) -> bool:
    return street.is_street_staff(user) and committee.dissolved_on is None
