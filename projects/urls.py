from django.urls import path

from projects import views

app_name = "projects"

urlpatterns = [
    path("", views.project_list, name="list"),
    path("new/", views.project_create, name="create"),
    path("mine/", views.my_projects, name="mine"),
    path("manage/", views.manage, name="manage"),
    path("showcase/", views.showcase, name="showcase"),
    path("paper/new/", views.paper_proposal, name="paper_proposal"),
    path("members/", views.member_list, name="members"),
    path("members/<int:pk>/", views.member_detail, name="member"),
    path("members/<int:pk>/erase/", views.member_erase, name="member_erase"),
    path("comments/<int:pk>/hide/", views.comment_hide, name="comment_hide"),
    path("<int:pk>/", views.project_detail, name="detail"),
    path("<int:pk>/edit/", views.project_edit, name="edit"),
    path("<int:pk>/submit/", views.project_submit, name="submit"),
    path("<int:pk>/move/", views.project_move, name="move"),
    path("<int:pk>/reject/", views.project_reject, name="reject"),
    path("<int:pk>/withdraw/", views.project_withdraw, name="withdraw"),
    path("<int:pk>/finish/", views.project_finish, name="finish"),
    path("<int:pk>/stop/", views.project_stop, name="stop"),
    path("<int:pk>/summary/", views.project_summary, name="summary"),
    path("<int:pk>/vote/", views.project_vote, name="vote"),
    path("<int:pk>/paper_vote/", views.project_paper_vote, name="paper_vote"),
    path("<int:pk>/comment/", views.project_comment, name="comment"),
    path("<int:pk>/contribution/", views.project_contribution, name="contribution"),
    path("<int:pk>/pledge/", views.project_pledge, name="pledge"),
    path("<int:pk>/pledges/", views.project_pledges, name="pledges"),
    path("<int:pk>/payment/", views.project_payment, name="payment"),
    path("pledges/<int:pk>/confirm/", views.pledge_confirm, name="pledge_confirm"),
    path("pledges/<int:pk>/cancel/", views.pledge_cancel, name="pledge_cancel"),
    path("<int:pk>/progress/", views.project_progress, name="progress"),
    path("<int:pk>/evaluation/", views.project_evaluation, name="evaluation"),
    path("<int:pk>/rate/", views.project_rate, name="rate"),
    path(
        "<int:pk>/paper_evaluation/",
        views.project_paper_evaluation,
        name="paper_evaluation",
    ),
    path("<int:pk>/evaluations/", views.project_evaluations, name="evaluations"),
]
