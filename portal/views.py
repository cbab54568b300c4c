"""The 门户: home after login, the 添加应用 catalogue, content pages, health."""

from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render

from portal import services
from portal.models import ContentPage, Subsystem
from portal.selectors import subsystems_for_user


@login_required
def home(request):
    return render(request, "portal/home.html", {"subsystems": subsystems_for_user(user=request.user)})


@login_required
def catalogue(request):
    return render(request, "portal/catalogue.html", {"subsystems": subsystems_for_user(user=request.user)})


@login_required
def subsystem_add(request, slug):
    from django.shortcuts import get_object_or_404, redirect
    from django.views.decorators.http import require_POST  # noqa: F401

    if request.method != "POST":
        return redirect("portal:catalogue")
    subsystem = get_object_or_404(Subsystem, slug=slug)
    services.subsystem_add(user=request.user, subsystem=subsystem)
    return redirect("portal:catalogue")


def content_page(request, slug):
    from django.shortcuts import get_object_or_404

    page = get_object_or_404(ContentPage, slug=slug)
    return render(request, "portal/content_page.html", {"page": page})


def help_page(request):
    return render(request, "portal/help.html")


def gov_service(request):
    return render(request, "portal/gov_service.html")


@login_required
def keepalive(request):
    # Any authenticated request renews the session (SESSION_SAVE_EVERY_REQUEST).
    return JsonResponse({"ok": True})


def healthz(request):
    """Liveness for the load balancer and docker-compose: database and broker reachable."""
    checks = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        checks["database"] = "ok"
    except Exception as exc:  # noqa: BLE001 - a health check reports, it does not raise
        checks["database"] = f"error: {exc.__class__.__name__}"
    checks["broker"] = services.broker_status()
    healthy = all(value in ("ok", "eager") for value in checks.values())
    return JsonResponse({"status": "ok" if healthy else "error", **checks}, status=200 if healthy else 503)


def csrf_failure(request, reason=""):
    return render(request, "portal/csrf_failure.html", status=403)
