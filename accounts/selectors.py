"""Reads of the accounts app that views (and other apps) share."""

from django.db.models import Q, QuerySet

from accounts.access import employers_administered
from accounts.models import CertificateBinding, Employer, EmployerAdmin, User
from core.client_certificate import ClientCertificate


def employer_search(*, query: str, district_id: int | None = None, limit: int = 20) -> QuerySet[Employer]:
    """Employers whose name contains `query`, or whose credit code starts with it (迁入单位 search)."""
    query = (query or "").strip()
    if not query:
        return Employer.objects.none()
    found = Employer.objects.select_related("district").filter(
        Q(name__icontains=query) | Q(credit_code__istartswith=query)
    )
    if district_id:
        found = found.filter(district_id=district_id)
    return found.order_by("name")[:limit]


def employer_admin_requests_for_user(*, user: User) -> QuerySet[EmployerAdmin]:
    """The user's 单位系统管理员权限 requests, newest first, with what the list page shows."""
    return (
        EmployerAdmin.objects.filter(user=user)
        .select_related("employer__district", "decided_by", "cancelled_by")
        .order_by("-created_at")
    )


def user_has_employer_right(*, user: User) -> bool:
    return employers_administered(user=user).exists()


# load_demo's accounts have addresses under this reserved domain (RFC 6761: it never resolves, so
# they never get mail), and that is how a running portal recognises them.
DEMO_EMAIL_DOMAIN = "demo.invalid"


def demo_accounts_exist() -> bool:
    """Whether any account load_demo made (one published password for all) is still active."""
    return User.objects.filter(email__endswith=f"@{DEMO_EMAIL_DOMAIN}", is_active=True).exists()


def certificate_binding_for(*, certificate: ClientCertificate) -> CertificateBinding | None:
    """The binding of this certificate (issuer and serial), with its account, if it is bound."""
    return (
        CertificateBinding.objects.select_related("user")
        .filter(issuer_dn=certificate.issuer, serial=certificate.serial)
        .first()
    )


def certificate_binding_of(*, user: User) -> CertificateBinding | None:
    return CertificateBinding.objects.filter(user=user).first()
