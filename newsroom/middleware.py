"""Project-wide request guards, shared by every app (the admin of articles and of comments alike)."""

import logging

from csp.constants import SELF, UNSAFE_INLINE
from csp.middleware import CSPMiddleware
from django.conf import settings
from django.db import DataError
from django.shortcuts import render
from django.urls import reverse

logger = logging.getLogger(__name__)

# SQLSTATE 22003, numeric_value_out_of_range: PostgreSQL's answer to a number no column type can hold.
NUMERIC_OUT_OF_RANGE = "22003"
# The largest id a BigAutoField holds, on every database.
MAX_ID = 2**63 - 1
BAD_NUMBER_MESSAGE = "A number in this address or form is too large. Check it and try again."


def is_number_overflow(exc: BaseException) -> bool:
    """A number from the request was too large for the database (SQLite's driver or PostgreSQL)."""
    if isinstance(exc, OverflowError):
        return True
    if isinstance(exc, DataError):
        cause = exc.__cause__
        return getattr(cause, "sqlstate", None) == NUMERIC_OUT_OF_RANGE or "out of range" in str(exc).lower()
    return False


class BadNumberMiddleware:
    """A number too large for the database, typed into an address or a form (`?published_at__year=10**30`,
    `_selected_action=<96 nines>`, `/admin/.../<huge>/change/`), is the reader's mistake: 400 with a page saying
    so, not a 500. It sits under every view, so no admin screen, filter or action needs a check of its own (the
    statement that failed wrote nothing)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        # The rows ticked for an admin action are ids. PostgreSQL would quietly match nothing for an impossible
        # one and act on the rest, SQLite would fail: refuse the whole action on both, before anything runs.
        if request.method == "POST" and "_selected_action" in request.POST:
            for value in request.POST.getlist("_selected_action"):
                if value.isdigit() and int(value) > MAX_ID:
                    return self._bad_number(request)
        return None

    def process_exception(self, request, exception):
        if not is_number_overflow(exception):
            return None
        logger.info("Number too large in %s %s: %s", request.method, request.path, exception)
        return self._bad_number(request)

    def _bad_number(self, request):
        return render(request, "400.html", {"message": BAD_NUMBER_MESSAGE}, status=400)


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """django-csp's policy everywhere; on admin pages inline styles as well, while CSP_ADMIN_INLINE_STYLES is on.

    Never inline scripts: the admin's own JavaScript is all in static files.
    """

    def get_policy_parts(self, request, response, report_only=False):
        parts = super().get_policy_parts(request, response, report_only=report_only)
        if settings.CSP_ADMIN_INLINE_STYLES and not report_only and request.path.startswith(reverse("admin:index")):
            # Replaced, not added to: a browser ignores 'unsafe-inline' next to any hash (the public pages' ones).
            parts.replace = {**(parts.replace or {}), "style-src": [SELF, UNSAFE_INLINE]}
        return parts
