from django.urls import path

from applications import views

app_name = "applications"

urlpatterns = [
    path("", views.home, name="home"),
    # 人才引进申办个人登记: begin or resume the wizard.
    path("apply/", views.start, name="start"),
    path("apply/<uuid:public_id>/", views.resume, name="resume"),
    path("apply/<uuid:public_id>/submit/", views.submit, name="submit"),
    path("apply/<uuid:public_id>/withdraw/", views.withdraw, name="withdraw"),
    path("apply/<uuid:public_id>/upload/", views.attachment_upload, name="attachment_upload"),
    path("apply/<uuid:public_id>/library/<slug:kind>/", views.attachment_library, name="attachment_library"),
    path(
        "apply/<uuid:public_id>/persons/<uuid:person_id>/remove/",
        views.person_remove,
        name="person_remove",
    ),
    path("apply/<uuid:public_id>/<slug:step>/", views.step, name="step"),
    path("attachments/<uuid:public_id>/preview/", views.attachment_preview, name="attachment_preview"),
    path("attachments/<uuid:public_id>/delete/", views.attachment_delete, name="attachment_delete"),
    # 人才引进入户手续办理情况.
    path("status/", views.status, name="status"),
    path("status/<uuid:public_id>/", views.status_detail, name="status_detail"),
    path("status/<uuid:public_id>/form.pdf", views.form_pdf_download, name="form_pdf"),
    # 证件库.
    path("library/", views.library, name="library"),
    path("library/<uuid:public_id>/preview/", views.library_preview, name="library_preview"),
    path("library/<uuid:public_id>/delete/", views.library_delete, name="library_delete"),
]
