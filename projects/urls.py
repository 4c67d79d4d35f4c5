from django.urls import path

from projects import views

app_name = "projects"

urlpatterns = [
    path("", views.project_list, name="list"),
    path("new/", views.project_create, name="create"),
    path("mine/", views.my_projects, name="mine"),
    path("manage/", views.manage, name="manage"),
    path("comments/<int:pk>/hide/", views.comment_hide, name="comment_hide"),
    path("<int:pk>/", views.project_detail, name="detail"),
    path("<int:pk>/edit/", views.project_edit, name="edit"),
    path("<int:pk>/submit/", views.project_submit, name="submit"),
    path("<int:pk>/move/", views.project_move, name="move"),
    path("<int:pk>/reject/", views.project_reject, name="reject"),
    path("<int:pk>/withdraw/", views.project_withdraw, name="withdraw"),
    path("<int:pk>/finish/", views.project_finish, name="finish"),
    path("<int:pk>/vote/", views.project_vote, name="vote"),
    path("<int:pk>/comment/", views.project_comment, name="comment"),
    path("<int:pk>/contribution/", views.project_contribution, name="contribution"),
    path("<int:pk>/progress/", views.project_progress, name="progress"),
    path("<int:pk>/evaluation/", views.project_evaluation, name="evaluation"),
]
