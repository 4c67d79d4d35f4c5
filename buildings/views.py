from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from buildings import selectors
from buildings.filters import BuildingGroupFilter
from buildings.models import BuildingGroup
from buildings.poster import PosterData, render_poster
from nanxi.caching import cache_for_visitors

PAGE_SIZE = 24


@cache_for_visitors(params=("area", "stars", "page"))
def group_list(request):
    filterset = BuildingGroupFilter(request.GET, queryset=selectors.public_groups())
    page = Paginator(filterset.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "buildings/buildinggroup_list.html",
        {"filter": filterset, "page": page, "query": query.urlencode()},
    )


def _group(pk: int) -> BuildingGroup:
    try:
        return selectors.group_detail(pk)
    except BuildingGroup.DoesNotExist as exc:
        raise Http404(_("No such building group.")) from exc


@cache_for_visitors
def group_detail(request, pk: int):
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


@cache_for_visitors
def showcase(request):
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
