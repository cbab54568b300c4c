from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("", include("portal.portal_urls")),
    path("accounts/", include("accounts.urls")),
    path("talent/", include("applications.urls")),
    path("console/", include("review.urls")),
    path("notice/", include("review.public_urls")),
    path("cards/", include("hukou_card.urls")),
    path("captcha/", include("captcha.urls")),
    path("admin/", admin.site.urls),
]

admin.site.site_header = "广州市人事电子政务系统 · 管理后台"
admin.site.site_title = "管理后台"
admin.site.index_title = "市人社局管理员"
