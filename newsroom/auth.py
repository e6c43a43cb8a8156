"""Admin sign-in throttling with django-axes: an account and address pair is locked out after a few failures.

Failures are counted in the database (axes' database handler), so every app server behind the load balancer
enforces the same limits, and a sign-in that succeeds clears the count (AXES_RESET_ON_SUCCESS).
"""

from axes.backends import AxesStandaloneBackend
from django.conf import settings
from django.contrib import admin
from django.shortcuts import render


class ThrottledSignInBackend(AxesStandaloneBackend):
    """axes' lockout check, for sign-ins that come with a request (the admin's login page always does).

    Without a request there is no address to count against: Django's test client's `login()` and scripts that
    call `authenticate()` directly pass through to the model backend, as they did before axes.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username, password, **kwargs)


def locked_out(request, original_response=None, credentials=None):
    """The page a locked-out sign-in gets: the admin's look, what happened, and when to try again."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    context = {
        **admin.site.each_context(request),
        "title": "Too many failed sign-ins",
        "failure_limit": settings.AXES_FAILURE_LIMIT,
        "cooloff_minutes": minutes,
    }
    return render(request, "admin/locked_out.html", context, status=settings.AXES_HTTP_RESPONSE_CODE)
