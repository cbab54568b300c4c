"""The employer administrator's pages under /console/employer/ (the paths users know)."""

from django.urls import path

from applications import views

app_name = "employer"

urlpatterns = [
    path("<uuid:public_id>/", views.employer_applications, name="applications"),
    path("applications/<uuid:public_id>/confirm/", views.employer_confirmation, name="confirmation"),
]
