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
    path("healthz", views.healthz, name="healthz"),
]
