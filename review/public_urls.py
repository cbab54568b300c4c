from django.urls import path

from review import public_views

app_name = "notices"

urlpatterns = [
    path("", public_views.notice_list, name="list"),
    path("objection/<uuid:public_id>/", public_views.objection_raise, name="objection"),
    path("objection/received/<uuid:public_id>/", public_views.objection_done, name="objection_done"),
]
