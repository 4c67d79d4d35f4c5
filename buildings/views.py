from django.core.paginator import Page
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _

from buildings import selectors, services
from buildings.filters import BuildingGroupFilter
from buildings.models import BuildingGroup
from buildings.poster import PosterData, render_poster
from nanxi import fragments
from nanxi.caching import cache_page, everyone

PAGE_SIZE = 24


@cache_page(params=("area", "stars", "page"), audience=everyone)
def group_list(request):
    """Count, page and cards all come from the cache while the groups' version
    (bumped by every service that changes a group) stays the same."""
    filterset = BuildingGroupFilter(request.GET, queryset=selectors.public_groups())
    groups = filterset.qs
    applied = sorted(
        (name, str(getattr(value, "pk", value)))
        for name, value in filterset.form.cleaned_data.items()
        if value not in (None, "")
    )
    number = request.GET.get("page")

    def listing():
        count = groups.count()
        page = fragments.page_of_ids(groups, number, PAGE_SIZE, count=count)
        return count, page.number, page.object_list

    count, number, ids = fragments.by_version(
        "groups:list:" + fragments.digest(applied, number),
        services.GROUPS,
        listing,
        request=request,
    )
    page = Page(ids, number, fragments.CountedPaginator((), PAGE_SIZE, count=count))
    # The names on the cards (areas): part of each card's key.
    names = fragments.tokens(request, fragments.NAMES)[fragments.NAMES]
    html = fragments.fragments(
        "group", ids, _group_cards, variant=names, request=request
    )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "buildings/buildinggroup_list.html",
        {
            "filter": filterset,
            "page": page,
            "cards": [html[pk] for pk in ids if pk in html],
            "query": query.urlencode(),
        },
    )


def _group_cards(ids) -> dict[int, str]:
    prefix = reverse("buildings:list")  # a card links to prefix + id: no reverse a row
    return {
        group.pk: render_to_string(
            "includes/buildinggroup_card.html", {"group": group, "prefix": prefix}
        )
        for group in selectors.group_cards(ids)
    }


def _group(pk: int) -> BuildingGroup:
    try:
        return selectors.group_detail(pk)
    except BuildingGroup.DoesNotExist as exc:
        raise Http404(_("No such building group.")) from exc


@cache_page(audience=everyone)
def group_detail(request, pk: int):
    # Before the data is read: the group, and the names it shows (its area).
    fragments.depend(request, services.group_version(pk), fragments.NAMES)
    group = _group(pk)
    history = list(selectors.star_history(group))
    latest = history[-1] if history else None
    return render(
        request,
        "buildings/buildinggroup_detail.html",
        {
            "group": group,
            "history": history,
            "dimensions": selectors.dimension_scores(latest),
            "applications": group.applications.all(),
        },
    )


@cache_page(audience=everyone)
def showcase(request):
    fragments.depend(request, services.GROUPS, fragments.NAMES)  # before the data
    groups = selectors.public_groups().filter(featured=True)
    return render(request, "buildings/showcase.html", {"groups": groups})


def poster(request, pk: int):
    group = _group(pk)
    url = group.video_url or request.build_absolute_uri(group.get_absolute_url())
    data = PosterData(
        name=group.name,
        area=_("%(area)s residential area") % {"area": group.area.name},
        feature=group.feature,
        stars=group.stars or 0,
        url=url,
        # An ideographic space: the poster's font has no middle dot.
        heading="\u3000".join(
            [_("Nanjing West Road Street"), _("Star-rated beautiful building groups")]
        ),
        caption=_("Scan to watch our video")
        if group.video_url
        else _("Scan to see our building group"),
        footer=_("Nanjing West Road Street Office, Jing'an District, Shanghai"),
    )
    response = HttpResponse(render_poster(data), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="poster-{group.pk}.pdf"'
    return response
