from django.urls import path

from review import views

app_name = "review"

urlpatterns = [
    path("login/", views.ConsoleLoginView.as_view(), name="login"),
    path("logout/", views.console_logout, name="logout"),
    path("forbidden/", views.forbidden, name="forbidden"),
    path("", views.queue, name="queue"),
    path("applications/<uuid:public_id>/", views.detail, name="detail"),
    path("applications/<uuid:public_id>/form.pdf", views.application_form_pdf, name="form_pdf"),
    path(
        "applications/<uuid:public_id>/decide/<slug:decision>/",
        views.decide,
        name="decide",
    ),
    path(
        "applications/<uuid:public_id>/attachments/<uuid:attachment_id>/",
        views.attachment,
        name="attachment",
    ),
    path("objections/", views.objections, name="objections"),
    path("objections/<uuid:public_id>/", views.objection_detail, name="objection_detail"),
    path(
        "objections/<uuid:public_id>/decide/<slug:decision>/",
        views.objection_decide,
        name="objection_decide",
    ),
    path("notices/", views.notices, name="notices"),
    path("notices/<uuid:public_id>/", views.notice_detail, name="notice_detail"),
    path("notices/<uuid:public_id>/close/", views.notice_close, name="notice_close"),
    path("quota/", views.quota, name="quota"),
    path("statistics/", views.statistics, name="statistics"),
    path("ratings/", views.ratings, name="ratings"),
    path("access-log/", views.access_log_page, name="access_log"),
]
