from django.urls import path

from projects import need_views as views

app_name = "needs"

urlpatterns = [
    path("", views.need_list, name="list"),
    path("new/", views.need_create, name="create"),
    path("<int:pk>/", views.need_detail, name="detail"),
    path("<int:pk>/support/", views.need_support, name="support"),
    path("<int:pk>/reply/", views.need_reply, name="reply"),
    path("<int:pk>/close/", views.need_close, name="close"),
    path("<int:pk>/merge/", views.need_merge, name="merge"),
    path("<int:pk>/propose/", views.need_propose, name="propose"),
]
