from django.urls import path

from buildings import views

app_name = "buildings"

urlpatterns = [
    path("", views.group_list, name="list"),
    path("showcase/", views.showcase, name="showcase"),
    path("<int:pk>/", views.group_detail, name="detail"),
    path("<int:pk>/poster.pdf", views.poster, name="poster"),
]
