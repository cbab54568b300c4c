from captcha import urls as captcha_urls
from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from accounts import views as accounts_views
from accounts.forms import AdminLoginForm

# simple-captcha's URLs, with 点击获取 (refresh) throttled per address: each call stores a row.
CAPTCHA_URLS = [
    *(pattern for pattern in captcha_urls.urlpatterns if pattern.name != "captcha-refresh"),
    path("refresh/", accounts_views.captcha_refresh, name="captcha-refresh"),
]

urlpatterns = [
    path("", include("portal.portal_urls")),
    path("accounts/", include("accounts.urls")),
    path("talent/", include("applications.urls")),
    path("talent/rating/", include("review.rating_urls")),
    path("console/employer/", include("applications.employer_urls")),
    path("console/", include("review.urls")),
    path("notice/", include("review.public_urls")),
    path("services/", include("applications.public_urls")),
    path("cards/", include("hukou_card.urls")),
    path("captcha/", include(CAPTCHA_URLS)),
    path(settings.ADMIN_URL, admin.site.urls),
]

if settings.BENCH_CEILING:
    # The benchmark's ceiling: the same base template, no database, nothing else (docs/performance.md).
    urlpatterns.append(path("", include("demo.urls")))

admin.site.site_header = "广州市人事电子政务系统 · 管理后台"
admin.site.site_title = "管理后台"
admin.site.index_title = "市人社局管理员"
# Staff passwords are guessed at the admin's login as anywhere else: the same captcha and lockout.
admin.site.login_form = AdminLoginForm
admin.site.login_template = "admin/portal_login.html"
