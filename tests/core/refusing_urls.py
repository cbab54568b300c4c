"""A URLconf for tests/core/test_refused.py: the real one plus a view whose service says no."""

from django.urls import path

from config.urls import urlpatterns as portal_urlpatterns
from core.errors import Refused


def refusing_view(request):
    raise Refused(["该申报已提交，不能再修改。", "请在申报进度中查看。"], code="not_editable")


urlpatterns = [path("refuses/", refusing_view), *portal_urlpatterns]
