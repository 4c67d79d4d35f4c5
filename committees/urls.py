from django.urls import path

from committees import views

app_name = "committees"

urlpatterns = [
    path("", views.committee_list, name="list"),
    path("<int:pk>/", views.committee_detail, name="detail"),
    path("<int:pk>/coaching/", views.coaching_sheet, name="coaching"),
    path("<int:pk>/elections/new/", views.election_start, name="election_start"),
    path("elections/<int:pk>/", views.election_detail, name="election"),
    path("elections/<int:pk>/candidates/", views.candidate_add, name="candidate_add"),
    path(
        "elections/<int:pk>/candidates/<int:candidate_pk>/remove/",
        views.candidate_remove,
        name="candidate_remove",
    ),
    path("elections/<int:pk>/vote/", views.election_vote, name="election_vote"),
    path("elections/<int:pk>/move/", views.election_move, name="election_move"),
    path(
        "elections/<int:pk>/first-meeting/",
        views.election_first_meeting,
        name="election_first_meeting",
    ),
    path(
        "elections/<int:pk>/end/",
        views.election_end_without_result,
        name="election_end",
    ),
]
