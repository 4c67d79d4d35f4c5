"""Who may rate building groups and see ratings. Area scope is nanxi's."""

from nanxi import permissions as street


def can_rate(user) -> bool:
    """Ratings, standards and the showcase are the street office's: street staff only."""
    return user.is_active and street.is_street_staff(user)


def can_view_ratings(user) -> bool:
    """Street staff see all; residents' committee staff see their own areas' groups."""
    return street.is_staff_member(user)
