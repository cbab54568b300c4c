from django.urls import path

from hukou_card import views

app_name = "hukou_card"

urlpatterns = [
    # The applicant (owner only; another user's card is 404).
    path("<uuid:public_id>/pdf/", views.download, name="download"),
    path("<uuid:public_id>/cancel/", views.cancel, name="cancel"),
    # Everyone: by number + code (form), or by the QR link printed on the card (public_id + code).
    path("verify/", views.verify, name="verify"),
    path("verify/<uuid:public_id>/<str:code>/", views.verify, name="verify"),
    # The police desk.
    path("police/", views.police_lookup, name="police_lookup"),
    path("police/<uuid:public_id>/", views.police_detail, name="police_detail"),
    path("police/<uuid:public_id>/used/", views.police_record_used, name="police_record_used"),
    path("police/<uuid:public_id>/pdf/", views.police_pdf, name="police_pdf"),
]
