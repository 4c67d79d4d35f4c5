from django.urls import path

from reports import views

app_name = "reports"

urlpatterns = [
    path("", views.home, name="home"),
    path("reports/", views.report_list, name="list"),
    path("reports/request/", views.report_request, name="request"),
    path("reports/<int:year>.pdf", views.report_pdf, name="pdf"),
]
