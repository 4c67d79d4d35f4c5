"""Writes with a rule on building groups: ratings, standards, photos."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import OuterRef, Subquery
from django.utils.translation import gettext as _

from buildings import permissions
from buildings.models import (
    BuildingGroup,
    BuildingPhoto,
    Criterion,
    CriterionScore,
    Rating,
    RatingChange,
    RatingStandard,
)
from nanxi import fragments, images, standards
from nanxi.scoring import check_scores
from nanxi.validators import validate_programme_year

# The versions (nanxi.fragments) of what the building pages show: the list (which
# groups, in which order, their count) and each group's card and page.
GROUPS = "groups"


def group_version(pk: int) -> str:
    return f"group:{pk}"


def groups_changed(*pks: int) -> None:
    """These groups' cards and pages, and the lists, show something new."""
    fragments.bump(GROUPS, *(group_version(pk) for pk in pks))


def groups_refresh_rating(*, group_ids=None) -> int:
    """Copy each group's newest rating (stars, total, year) onto the group.

    In one UPDATE; `group_ids=None`: every group (after a bulk load of ratings).
    """
    newest = Rating.objects.filter(group=OuterRef("pk")).order_by("-year")
    groups = BuildingGroup.objects.all()
    if group_ids is None:
        group_ids = list(groups.values_list("pk", flat=True))
    else:
        groups = groups.filter(pk__in=list(group_ids))
    count = groups.update(
        stars=Subquery(newest.values("stars")[:1]),
        rating_total=Subquery(newest.values("total")[:1]),
        rating_year=Subquery(newest.values("year")[:1]),
    )
    groups_changed(*group_ids)
    return count


def rating_check_scores(
    *, standard: RatingStandard, scores: dict
) -> dict[Criterion, int]:
    """One score for every criterion of `standard`, each within 0…max (nanxi.scoring)."""
    return check_scores(
        items=standard.criteria.all(), scores=scores, standard_name=standard.version
    )


@transaction.atomic
def rating_save(
    *,
    group: BuildingGroup,
    standard: RatingStandard,
    year: int,
    scores: dict,
    by,
    rating: Rating | None = None,
) -> Rating:
    """Create or change one group's rating for one year; keep the change in the history."""
    if not permissions.can_rate(by):
        raise PermissionDenied(_("Only street-office staff can rate building groups."))
    checked = rating_check_scores(standard=standard, scores=scores)
    total = sum(checked.values())
    if rating is None:
        rating = Rating(group=group, year=year)
        before = None
        touched = {group.pk}
    else:
        rating = Rating.objects.select_for_update().get(pk=rating.pk)
        before = (rating.stars, rating.total, _score_map(rating))
        touched = {group.pk, rating.group_id}  # a correction may move it
    # Ratings of one group are saved one after the other: each sees the last one's
    # rating when it copies the newest onto the group.
    list(
        BuildingGroup.objects.select_for_update()
        .filter(pk__in=sorted(touched))
        .values_list("pk", flat=True)
    )
    rating.group, rating.standard, rating.year = group, standard, year
    rating.total, rating.stars, rating.rated_by = total, standard.stars_for(total), by
    validate_programme_year(year)
    try:
        rating.validate_constraints()
        with transaction.atomic():
            rating.save()
    except (ValidationError, IntegrityError) as exc:
        raise ValidationError(
            _("%(group)s already has a rating for %(year)d: change that one instead.")
            % {"group": group, "year": year}
        ) from exc
    rating.scores.all().delete()
    CriterionScore.objects.bulk_create(
        CriterionScore(rating=rating, criterion=criterion, score=points)
        for criterion, points in checked.items()
    )
    RatingChange.objects.create(
        rating=rating,
        changed_by=by,
        stars_before=before[0] if before else None,
        total_before=before[1] if before else None,
        scores_before=before[2] if before else {},
        stars_after=rating.stars,
        total_after=rating.total,
        scores_after={str(c.pk): points for c, points in checked.items()},
    )
    groups_refresh_rating(group_ids=touched)
    return rating


def _score_map(rating: Rating) -> dict[str, int]:
    return {
        str(cid): score
        for cid, score in rating.scores.values_list("criterion_id", "score")
    }


THRESHOLDS = ("one_star", "two_stars", "three_stars", "four_stars", "five_stars")
FROZEN_FIELDS = ("version", *THRESHOLDS)


def standard_is_used(standard: RatingStandard | None) -> bool:
    """Ratings were computed with it: its version, thresholds and criteria are frozen."""
    return standards.is_used(standard, used_by="ratings")


def _refuse_unless_street_staff(by) -> None:
    if not permissions.can_rate(by):
        raise PermissionDenied(
            _("Only street-office staff can change the rating standard.")
        )


def _refuse_if_used(standard: RatingStandard) -> None:
    if standard_is_used(standard):
        raise ValidationError(
            _(
                "Ratings were made with %(version)s, so it cannot change any more. "
                "Make a new version to edit."
            )
            % {"version": standard.version}
        )


@transaction.atomic
def standard_save(*, standard: RatingStandard, by) -> RatingStandard:
    """Create or change a standard; one that ratings used may only be put in or out of use."""
    _refuse_unless_street_staff(by)
    standards.save(
        standard=standard, frozen=FROZEN_FIELDS, refuse_if_used=_refuse_if_used
    )
    return standard


@transaction.atomic
def criterion_save(*, criterion: Criterion, by) -> Criterion:
    _refuse_unless_street_staff(by)
    _refuse_if_used(criterion.standard)
    criterion.full_clean()
    criterion.save()
    return criterion


@transaction.atomic
def criterion_delete(*, criterion: Criterion, by) -> None:
    _refuse_unless_street_staff(by)
    _refuse_if_used(criterion.standard)
    criterion.delete()


@transaction.atomic
def standard_new_version(
    *, standard: RatingStandard, by, version: str = ""
) -> RatingStandard:
    """A copy of a standard to edit: ratings made under the old one keep their result."""
    _refuse_unless_street_staff(by)
    return standards.copy(
        standard=standard,
        version=version,
        fields=THRESHOLDS,
        items="criteria",
        item_fields=("dimension", "title", "title_en", "max_points", "position"),
    )


# --- building groups -----------------------------------------------------------------


@transaction.atomic
def group_set_featured(*, groups, featured: bool, by) -> int:
    """Put groups in (or take them out of) the showcase; the street office decides."""
    if not permissions.can_rate(by):
        raise PermissionDenied(_("Only street-office staff can change the showcase."))
    pks = [g.pk for g in groups]
    count = BuildingGroup.objects.filter(pk__in=pks).update(featured=featured)
    groups_changed(*pks)
    return count


@transaction.atomic
def group_add_photo(
    *, group: BuildingGroup, upload, by, caption: str = ""
) -> BuildingPhoto:
    if not permissions.can_rate(by):
        raise PermissionDenied(
            _("Only street-office staff can add photos of building groups.")
        )
    photo = BuildingPhoto(group=group, caption=caption)
    images.attach(photo, images.process_upload(upload))
    photo.full_clean()
    photo.save()
    groups_changed(group.pk)
    return photo


@transaction.atomic
def group_save(*, group: BuildingGroup, by) -> BuildingGroup:
    """Create or change a building group's own details (name, address, feature, …)."""
    if not permissions.can_rate(by):
        raise PermissionDenied(
            _("Only street-office staff can change building groups.")
        )
    group.full_clean()
    group.save()
    groups_changed(group.pk)
    return group
