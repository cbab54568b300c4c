from django.urls import path

from accounts import views

app_name = "accounts"

urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
    path("login/face/", views.face_login, name="face_login"),
    # CA登录: the account page on the main site; login and binding on nginx's certificate server,
    # whose location /accounts/ca/ passes the verified certificate (deploy/nginx/portal.conf).
    path("certificate/", views.certificate, name="certificate"),
    path("certificate/unbind/", views.certificate_unbind, name="certificate_unbind"),
    path("ca/login/", views.certificate_login, name="certificate_login"),
    path("ca/bind/", views.certificate_bind, name="certificate_bind"),
    path("password/reset/", views.PasswordResetView.as_view(), name="password_reset"),
    path("password/reset/sent/", views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path(
        "password/reset/<uidb64>/<token>/",
        views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "password/reset/complete/", views.PasswordResetCompleteView.as_view(), name="password_reset_complete"
    ),
    path("password/change/", views.PasswordChangeView.as_view(), name="password_change"),
    # 统一身份认证平台 registration wizard: 1 确认服务协议 → 2 填写帐号信息 → 3 申请应用系统 → 4 注册成功
    path("register/", views.register, name="register"),
    path("register/account/", views.register_account, name="register_account"),
    path("register/systems/", views.register_systems, name="register_systems"),
    path("register/done/", views.register_done, name="register_done"),
    # Employers and 单位系统管理员权限
    path("employers/search/", views.employer_search, name="employer_search"),
    path("employer-admin/", views.employer_admin_requests, name="employer_admin_requests"),
    path("employer-admin/apply/", views.employer_admin_request, name="employer_admin_request"),
    path(
        "employer-admin/<uuid:public_id>/cancel/", views.employer_admin_cancel, name="employer_admin_cancel"
    ),
    path(
        "employer-admin/<uuid:public_id>/licence/",
        views.employer_admin_licence,
        name="employer_admin_licence",
    ),
    path("employer/", views.employer_home, name="employer_home"),
]
