from django.urls import path

from demo import views

app_name = "demo"

# Mounted only with BENCH_CEILING=1 (config/urls.py): the benchmark's server, never production.
urlpatterns = [
    path("bench/ceiling/", views.bench_ceiling, name="bench_ceiling"),
]
