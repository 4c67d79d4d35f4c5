"""The admin's rating form says one thing per item: a score above a criterion's
maximum gets the "at most N points" message only, not also "has no score"."""

import pytest

from buildings import services
from buildings.models import Rating
from tests.buildings.conftest import full_marks
from tests.buildings.test_admin import ADD, rating_post


def _form(response):
    return response.context["adminform"].form


def _typed(standard, first_over_by: int = 0) -> dict[int, int]:
    """Scores a person typed: each one below its maximum (so none is a default),
    the first criterion `first_over_by` points above its maximum."""
    scores = {c.pk: c.max_points - 1 for c in standard.criteria.all()}
    first = standard.criteria.first()
    if first_over_by:
        scores[first.pk] = first.max_points + first_over_by
    return scores


def test_a_score_above_the_maximum_gets_one_message_with_the_maximum(
    client, street_staff, group, standard
):
    client.force_login(street_staff)
    criterion = standard.criteria.first()
    response = client.post(ADD, rating_post(group, standard, _typed(standard, 5)))
    assert response.status_code == 200
    form = _form(response)
    errors = form.errors[f"score_{criterion.pk}"]
    assert len(errors) == 1
    assert errors[0] == f"「{criterion.title}」最多 {criterion.max_points} 分。"
    # Nothing else says anything about that item, or any item.
    assert form.non_field_errors() == []
    assert set(form.errors) == {f"score_{criterion.pk}"}
    body = response.content.decode()
    assert "还没有打分" not in body
    assert not Rating.objects.exists()


def test_the_message_in_english_too(client, street_staff, group, standard):
    client.force_login(street_staff)
    criterion = standard.criteria.first()
    response = client.post(
        "/en" + ADD, rating_post(group, standard, _typed(standard, 5))
    )
    form = _form(response)
    assert form.errors[f"score_{criterion.pk}"] == [
        f"“{criterion.label}”: at most {criterion.max_points} points."
    ]
    assert "has no score" not in response.content.decode()


def test_the_other_items_keep_what_was_typed(client, street_staff, group, standard):
    client.force_login(street_staff)
    typed = _typed(standard, 5)
    response = client.post(ADD, rating_post(group, standard, typed))
    form = _form(response)
    body = response.content.decode()
    for pk, value in typed.items():
        assert str(form[f"score_{pk}"].value()) == str(value)
        assert f'name="score_{pk}" value="{value}"' in body


def test_each_wrong_item_gets_its_own_single_message(
    client, street_staff, group, standard
):
    client.force_login(street_staff)
    first, second, third = list(standard.criteria.all())[:3]
    typed = _typed(standard, 5)
    typed[second.pk] = ""
    typed[third.pk] = "七"
    response = client.post(ADD, rating_post(group, standard, typed))
    form = _form(response)
    assert set(form.errors) == {f"score_{c.pk}" for c in (first, second, third)}
    assert all(len(messages) == 1 for messages in form.errors.values())
    assert form.non_field_errors() == []
    assert not Rating.objects.exists()


def test_correcting_a_rating_above_the_maximum_says_it_once_and_keeps_the_rating(
    client, street_staff, group, standard
):
    rating = services.rating_save(
        group=group,
        standard=standard,
        year=2020,
        scores=full_marks(standard),
        by=street_staff,
    )
    client.force_login(street_staff)
    criterion = standard.criteria.first()
    response = client.post(
        f"/admin/buildings/rating/{rating.pk}/change/",
        rating_post(group, standard, _typed(standard, 1)),
    )
    assert response.status_code == 200
    assert len(_form(response).errors[f"score_{criterion.pk}"]) == 1
    rating.refresh_from_db()
    assert rating.total == 100 and rating.changes.count() == 1


@pytest.mark.parametrize("minus", [0, 30])
def test_scores_within_the_maxima_are_saved(
    client, street_staff, group, standard, minus
):
    client.force_login(street_staff)
    response = client.post(
        ADD, rating_post(group, standard, full_marks(standard, minus))
    )
    assert response.status_code == 302
    assert Rating.objects.get().total == 100 - minus
