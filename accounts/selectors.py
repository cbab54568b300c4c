from django.db.models import Q, QuerySet

from accounts.models import Employer


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
