"""Who may see and do what, decided once for every package.

The console's users, the reviewer's district, the role gate of the views and the employer
administrator's right are defined here only; the packages' own access modules (applications.access,
hukou_card.access, review.access) fetch through them, and answer 404 for what the user may not see.
"""

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404, render
from django.urls import reverse

from accounts.models import CONSOLE_ROLES, Employer, EmployerAdmin, Role, User


def has_role(user, *roles: str) -> bool:
    """The role test services use before they act (anonymous or None: no role)."""
    return user is not None and getattr(user, "is_authenticated", False) and user.role in roles


def is_console_user(user) -> bool:
    """District reviewers and city administrators: the users of the review console."""
    return has_role(user, *CONSOLE_ROLES)


def is_city_admin(user) -> bool:
    """A city administrator, or the superuser who stands in for one in the Django admin."""
    return getattr(user, "is_superuser", False) or has_role(user, Role.CITY_ADMIN)


def console_scope(user: User) -> tuple[bool, int | None] | None:
    """What a console user may see, as (every district, the one district): a city administrator
    every district, a reviewer their own, anybody else nothing (None)."""
    if has_role(user, Role.CITY_ADMIN):
        return True, None
    if has_role(user, Role.REVIEWER) and user.district_id:
        return False, user.district_id
    return None


def district_condition(*, user: User, path: str = "district") -> Q:
    """console_scope as a filter of district-bound rows; `path` leads from the row to its district."""
    scope = console_scope(user)
    if scope is None:
        return Q(pk__in=[])
    whole_city, district_id = scope
    return Q() if whole_city else Q(**{f"{path}_id": district_id})


def scope_to_district(queryset: QuerySet, *, user: User, path: str = "district") -> QuerySet:
    return queryset.filter(district_condition(user=user, path=path))


def may_act_in_district(user: User, *, district_id: int | None) -> bool:
    """The same rule as district_condition, for one decision on one row."""
    return has_role(user, Role.CITY_ADMIN) or (
        has_role(user, Role.REVIEWER) and user.district_id == district_id
    )


def role_required(
    *roles: str,
    login_url_name: str | None = None,
    forbidden_template: str | None = None,
    forbidden_message: str = "",
) -> Callable[[Callable], Callable]:
    """The one role gate of the views. Not signed in: the login page (`login_url_name`, else
    settings.LOGIN_URL). Signed in with another role: 403, as `forbidden_template` or Django's page."""

    def decorate(view: Callable) -> Callable:
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not request.user.is_authenticated:
                login_url = reverse(login_url_name) if login_url_name else None
                return redirect_to_login(request.get_full_path(), login_url)
            if not has_role(request.user, *roles):
                if forbidden_template:
                    return render(request, forbidden_template, status=403)
                raise PermissionDenied(forbidden_message)
            return view(request, *args, **kwargs)

        return wrapper

    return decorate


# --- employer administrators -----------------------------------------------------------------------


def employers_administered(*, user: User) -> QuerySet[Employer]:
    """Employers the user holds an APPROVED 单位系统管理员权限 for."""
    if not getattr(user, "is_authenticated", False):
        return Employer.objects.none()
    return (
        Employer.objects.filter(admins__user=user, admins__status=EmployerAdmin.Status.APPROVED)
        .select_related("district")
        .distinct()
        .order_by("name")
    )


def employer_admin_holds(*, user: User, employer_id: int | None) -> bool:
    return employer_id is not None and employers_administered(user=user).filter(pk=employer_id).exists()


def access_employer(*, user: User, public_id) -> Employer:
    """An employer the user administers, or 404."""
    return get_object_or_404(employers_administered(user=user), public_id=public_id)


def access_employer_admin(*, user: User, public_id) -> EmployerAdmin | None:
    """A 单位系统管理员权限 request the user may see: their own, or any one for city administrators."""
    found = EmployerAdmin.objects.select_related("employer", "user").filter(public_id=public_id)
    if not is_city_admin(user):
        found = found.filter(user=user)
    return found.first()
