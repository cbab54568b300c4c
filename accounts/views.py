"""Login, logout and lockout. The registration wizard and the rest are built on these."""

from django.contrib.auth import views as auth_views
from django.shortcuts import render


def lockout_response(request, credentials=None, *args, **kwargs):
    """django-axes calls this when a username or address is locked: say so, and for how long."""
    from django.conf import settings

    minutes = int(round(settings.AXES_COOLOFF_TIME * 60))
    return render(request, "accounts/locked_out.html", {"cooloff_minutes": minutes}, status=429)


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"


class LogoutView(auth_views.LogoutView):
    pass
