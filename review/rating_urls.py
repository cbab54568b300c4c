"""The applicant's 好差评 page, under the 人才引进申办系统's address (/talent/rating/…)."""

from django.urls import path

from review import views

app_name = "rating"

urlpatterns = [
    path("<uuid:public_id>/", views.rate, name="rate"),
]
