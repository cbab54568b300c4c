from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from .models import Item


@login_required
def rows(request):
    """One ORM query with a join for 20 rows, a base layout and a table: nothing tuned."""
    items = Item.objects.select_related("category").order_by("-created")[:20]
    return render(request, "ceiling/rows.html", {"items": items})
