import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from nanxi.models import ResidentialArea
from projects.models import STAGES, Project, Topic


class ProjectFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="search", max_length=50)
    category = django_filters.ChoiceFilter(
        label=_("Category"),
        choices=Project.Category.choices,
        empty_label=_("All categories"),
    )
    topic = django_filters.ModelChoiceFilter(
        label=_("Topic"),
        field_name="topics",
        queryset=Topic.objects.all(),
        empty_label=_("All topics"),
    )
    area = django_filters.ModelChoiceFilter(
        label=_("Residential area"),
        queryset=ResidentialArea.objects.all(),
        empty_label=_("All areas"),
    )
    stage = django_filters.ChoiceFilter(
        label=_("Stage"),
        choices=list(STAGES.items()),
        method="in_stage",
        empty_label=_("All stages"),
    )
    year = django_filters.NumberFilter(
        label=_("Year"), widget=forms.NumberInput(attrs={"min": 2000, "max": 2100})
    )

    class Meta:
        model = Project
        fields = ["q", "category", "topic", "area", "stage", "year"]

    def search(self, queryset, name, value):
        return queryset.filter(
            Q(title__icontains=value)
            | Q(summary__icontains=value)
            | Q(description__icontains=value)
        )

    def in_stage(self, queryset, name, value):
        first = (int(value) - 1) * 3 + 1
        return queryset.filter(step__gte=first, step__lte=first + 2)
