"""Writes with a rule on building groups: ratings, standards, photos."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
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
from nanxi import images


def rating_check_scores(
    *, standard: RatingStandard, scores: dict
) -> dict[Criterion, int]:
    """Check one score for every criterion of `standard`, each within 0…max.

    `scores` maps criterion (or its id) to points. Every problem is reported at
    once, each naming its criterion, so the staff member can fix them in one go.
    """
    criteria = {c.pk: c for c in standard.criteria.all()}
    given = {getattr(key, "pk", key): value for key, value in scores.items()}
    errors = []
    for criterion_id in given.keys() - criteria.keys():
        errors.append(
            _("Criterion %(id)s does not belong to the standard %(version)s.")
            % {"id": criterion_id, "version": standard.version}
        )
    checked = {}
    for criterion_id, criterion in criteria.items():
        value = given.get(criterion_id)
        if value is None or value == "":
            errors.append(_("「%(title)s」 has no score.") % {"title": criterion.title})
            continue
        try:
            points = int(value)
        except (TypeError, ValueError):
            errors.append(
                _("「%(title)s」: the score must be a whole number.")
                % {"title": criterion.title}
            )
            continue
        if not 0 <= points <= criterion.max_points:
            errors.append(
                _(
                    "「%(title)s」: the score must be between 0 and %(max)d, not %(points)d."
                )
                % {
                    "title": criterion.title,
                    "max": criterion.max_points,
                    "points": points,
                }
            )
            continue
        checked[criterion] = points
    if errors:
        raise ValidationError(errors)
    return checked


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
    else:
        rating = Rating.objects.select_for_update().get(pk=rating.pk)
        before = (rating.stars, rating.total, _score_map(rating))
    rating.group, rating.standard, rating.year = group, standard, year
    rating.total, rating.stars, rating.rated_by = total, standard.stars_for(total), by
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
    return rating


def _score_map(rating: Rating) -> dict[str, int]:
    return {
        str(cid): score
        for cid, score in rating.scores.values_list("criterion_id", "score")
    }


def standard_is_used(standard: RatingStandard) -> bool:
    return standard.pk is not None and standard.ratings.exists()


@transaction.atomic
def standard_new_version(
    *, standard: RatingStandard, version: str, by
) -> RatingStandard:
    """A copy of a standard to edit: ratings made under the old one keep their result."""
    if not permissions.can_rate(by):
        raise PermissionDenied(
            _("Only street-office staff can change the rating standard.")
        )
    copy = RatingStandard(
        version=version,
        active=False,
        **{
            f: getattr(standard, f)
            for f in (
                "one_star",
                "two_stars",
                "three_stars",
                "four_stars",
                "five_stars",
            )
        },
    )
    copy.full_clean()
    copy.save()
    Criterion.objects.bulk_create(
        Criterion(
            standard=copy,
            dimension=c.dimension,
            title=c.title,
            max_points=c.max_points,
            position=c.position,
        )
        for c in standard.criteria.all()
    )
    return copy


@transaction.atomic
def group_add_photo(
    *, group: BuildingGroup, upload, caption: str = ""
) -> BuildingPhoto:
    processed = images.process_upload(upload)
    photo = BuildingPhoto(group=group, caption=caption)
    photo.image.save(processed.image.name, processed.image, save=False)
    photo.thumbnail.save(processed.thumbnail.name, processed.thumbnail, save=False)
    photo.full_clean()
    photo.save()
    return photo
