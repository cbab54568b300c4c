from django.urls import path

from applications import public_views

app_name = "public_services"

urlpatterns = [
    # 一键测试: the eligibility self-test, by the rules that decide at submission.
    path("selftest/", public_views.selftest, name="selftest"),
    # 申报进度查询: the state and its date, by 申报年度, 单位名称, 姓名 and 证件号码.
    path("progress/", public_views.progress, name="progress"),
]
