"""Project-wide request guards, shared by every app (the admin of articles and of comments alike)."""

import logging

from csp.constants import HEADER, HEADER_REPORT_ONLY, SELF, UNSAFE_INLINE
from csp.middleware import CSPMiddleware
from django.conf import settings
from django.db import DataError
from django.http import HttpRequest, HttpResponse
from django.middleware.clickjacking import XFrameOptionsMiddleware
from django.middleware.csrf import CsrfViewMiddleware
from django.middleware.security import SecurityMiddleware
from django.shortcuts import render
from django.urls import reverse

from articles import cache as page_cache

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


class PageCacheMiddleware:
    """Anonymous readers' cached article pages, served first in the stack (`articles.cache.serve_from_cache`).

    A cache hit needs none of the sessions, authentication, messages, legacy redirects or sign-in throttling
    below it, only the headers that security, the Content-Security-Policy, CSRF and clickjacking middlewares
    add, so it runs those middlewares' own hooks itself and returns. Everything else goes down the stack as
    before. Placed first in MIDDLEWARE.
    """

    # Stands for the nonce in a policy built once and reused.
    NONCE_MARK = "page-cache-nonce-mark"

    def __init__(self, get_response):
        self.get_response = get_response
        self.security = SecurityMiddleware(get_response)
        self.policy = ContentSecurityPolicyMiddleware(get_response)
        self.csrf = CsrfViewMiddleware(get_response)
        self.frame = XFrameOptionsMiddleware(get_response)
        self._policy_headers = {}

    def __call__(self, request):
        response = self._from_cache(request) if request.method == "GET" else None
        return response if response is not None else self.get_response(request)

    def _from_cache(self, request):
        if self.security.redirect and not request.is_secure():
            return None  # SecurityMiddleware's redirect to https
        if settings.CSRF_USE_SESSIONS or settings.PREPEND_WWW or settings.DISALLOWED_USER_AGENTS:
            return None  # CommonMiddleware or CSRF would need more than a cache hit does
        key = page_cache.known_page_key(request)
        if key is None:
            return None
        request.get_host()  # as CommonMiddleware would: an address not in ALLOWED_HOSTS is refused
        self.policy.process_request(request)
        self.csrf.process_request(request)
        response = page_cache.serve_from_cache(request, key)
        if response is None:
            return None
        response.headers["Content-Length"] = str(len(response.content))
        response = self.csrf.process_response(request, response)
        response = self.frame.process_response(request, response)
        response = self.security.process_response(request, response)
        self._add_policy(request, response)
        return response

    def _add_policy(self, request, response):
        """The policy headers ContentSecurityPolicyMiddleware gives a public page, built once per process.

        Its policy depends only on whether the page used its nonce (and is the same for every article page: only
        the admin's differs), so it is built once each way with a mark for the nonce; building it is a large
        share of a cache hit's CPU otherwise.
        """
        nonce = getattr(request, "_csp_nonce", None)
        nonce = nonce if isinstance(nonce, str) else None
        headers = self._policy_headers.get(nonce is not None)
        if headers is None:
            probe = HttpRequest()
            probe.path = probe.path_info = request.path_info
            probe._csp_nonce = self.NONCE_MARK if nonce else None
            built = self.policy.process_response(probe, HttpResponse())
            headers = self._policy_headers[nonce is not None] = {
                name: built[name] for name in (HEADER, HEADER_REPORT_ONLY) if name in built
            }
        for name, value in headers.items():
            if name not in response:
                response.headers[name] = value.replace(self.NONCE_MARK, nonce) if nonce else value
