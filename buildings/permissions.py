"""Who may rate building groups and see ratings."""

from nanxi import permissions as street


def can_rate(user) -> bool:
    """Ratings are the street office's: street staff and operators only."""
    return user.is_authenticated and user.is_active and street.is_street_staff(user)


def can_view_ratings(user) -> bool:
    return can_rate(user) or street.staff_area_id(user) is not None


def visible_area_id(user) -> int | None:
    """The one area whose groups this person sees in the admin; None means all."""
    return None if street.is_street_staff(user) else street.staff_area_id(user)
