"""Benchmark-only URLconf: the site's own URLs plus a hello-world view, the yardstick for the cached page.

The view goes through the same middleware as every page (sessions, CSRF, auth, messages, security headers) and
does nothing else, so "cached article page / hello world" says how close a cache hit is to Django's floor.
Used through bench/hello_settings.py only; the product's URLs never include it.
"""

from django.http import HttpResponse
from django.urls import path

from newsroom.urls import urlpatterns as site_urlpatterns


def hello(request):
    return HttpResponse("Hello, world!", content_type="text/plain")


urlpatterns = [path("bench/hello/", hello), *site_urlpatterns]
