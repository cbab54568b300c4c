from django.shortcuts import render


def bench_ceiling(request):
    """The benchmark's bare page: the base layout and a table, no database (docs/performance.md)."""
    return render(request, "demo/bench_ceiling.html")
