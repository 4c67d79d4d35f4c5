import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from nanxi.fragments import RememberedSelect, RememberedTextInput
from projects.models import STAGES, Project


class ProjectFilter(django_filters.FilterSet):
    """The project list's filters.

    Topics, areas and years are data: their options come in `choices`
    (`projects.selectors.filter_choices`, cached by the list's version), so a page
    does not query them; the year is a choice of the years that have projects.
    The widgets remember their HTML (`nanxi.fragments.RememberedWidget`).
    """

    q = django_filters.CharFilter(
        label=_("Search"),
        method="search",
        max_length=50,
        widget=RememberedTextInput,
    )
    category = django_filters.ChoiceFilter(
        label=_("Category"),
        choices=Project.Category.choices,
        empty_label=_("All categories"),
        widget=RememberedSelect,
    )
    topic = django_filters.ChoiceFilter(
        label=_("Topic"),
        field_name="topics",
        empty_label=_("All topics"),
        widget=RememberedSelect,
    )
    area = django_filters.ChoiceFilter(
        label=_("Residential area"),
        empty_label=_("All areas"),
        widget=RememberedSelect,
    )
    stage = django_filters.ChoiceFilter(
        label=_("Stage"),
        choices=list(STAGES.items()),
        method="in_stage",
        empty_label=_("All stages"),
        widget=RememberedSelect,
    )
    year = django_filters.ChoiceFilter(
        label=_("Year"), empty_label=_("All years"), widget=RememberedSelect
    )

    class Meta:
        model = Project
        fields = ["q", "category", "topic", "area", "stage", "year"]

    def __init__(self, data=None, queryset=None, *, choices=None, **kwargs):
        super().__init__(data, queryset, **kwargs)
        if choices is None:
            from projects.selectors import filter_choices

            choices = filter_choices()
        for name in ("topic", "area", "year"):
            self.filters[name].extra["choices"] = choices[name]

    def search(self, queryset, name, value):
        return queryset.filter(
            Q(title__icontains=value)
            | Q(summary__icontains=value)
            | Q(description__icontains=value)
        )

    def in_stage(self, queryset, name, value):
        first = (int(value) - 1) * 3 + 1
        return queryset.filter(step__gte=first, step__lte=first + 2)

    def applied(self) -> dict[str, str] | None:
        """The filters in use, as plain strings (the list's cache key), or None
        for a search (rendered fresh: its words would make endless keys)."""
        data = {
            name: str(value)
            for name, value in self.form.cleaned_data.items()
            if value not in (None, "")
        }
        return None if "q" in data else data
