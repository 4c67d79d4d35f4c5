import django_filters
from django.utils.translation import gettext_lazy as _

from buildings.models import BuildingGroup
from nanxi.fragments import RememberedSelect
from nanxi.models import ResidentialArea


class BuildingGroupFilter(django_filters.FilterSet):
    area = django_filters.ModelChoiceFilter(
        label=_("Residential area"),
        queryset=ResidentialArea.objects.all(),
        empty_label=_("All areas"),
        widget=RememberedSelect,
    )
    stars = django_filters.ChoiceFilter(
        label=_("Stars"),
        choices=[(n, "★" * n) for n in range(1, 6)],
        empty_label=_("All stars"),
        widget=RememberedSelect,
    )

    class Meta:
        model = BuildingGroup
        fields = ["area", "stars"]
