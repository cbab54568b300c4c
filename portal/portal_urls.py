from django.urls import path

from portal import views

app_name = "portal"

urlpatterns = [
    path("", views.home, name="home"),
    path("apps/", views.catalogue, name="catalogue"),
    path("apps/<slug:slug>/add/", views.subsystem_add, name="subsystem_add"),
    path("pages/<slug:slug>/", views.content_page, name="content_page"),
    path("help/", views.help_page, name="help"),
    path("gov-service/", views.gov_service, name="gov_service"),
    path("session/keepalive/", views.keepalive, name="keepalive"),
    path("privacy/access-log/", views.access_log, name="access_log"),
    path("privacy/", views.privacy, name="privacy"),
    path("privacy/export/", views.privacy_export, name="privacy_export"),
    path("privacy/export/<uuid:public_id>/", views.privacy_export_download, name="privacy_export_download"),
    path("privacy/close/", views.account_close, name="account_close"),
    path("language/<str:code>/", views.switch_language, name="language"),
    path("healthz", views.healthz, name="healthz"),
]
