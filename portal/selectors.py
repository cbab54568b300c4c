from django.db.models import Exists, OuterRef, QuerySet

from accounts.models import UserSubsystem
from reference.models import ContentPage, Subsystem


def subsystems_for_user(*, user) -> QuerySet[Subsystem]:
    """The catalogue with an `is_added` flag per entry, in one query."""
    added = UserSubsystem.objects.filter(user=user, subsystem=OuterRef("pk"))
    return Subsystem.objects.annotate(is_added=Exists(added)).order_by("sort_order", "id")


def added_subsystems(*, user) -> QuerySet[Subsystem]:
    """我的应用 on the 门户 home: what the user added, in catalogue order."""
    return Subsystem.objects.filter(user_links__user=user).order_by("sort_order", "id")


def content_pages_in(*, section: str) -> QuerySet[ContentPage]:
    return ContentPage.objects.filter(section=section).only("slug", "title", "document_number", "is_new")
