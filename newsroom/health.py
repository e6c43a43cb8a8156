"""`/healthz` for load balancers and orchestrators.

The database decides: without it no page can be served, so it answers 503. A cache outage is reported but
answers 200, because the site keeps serving without the cache (pulling every app server out of the pool
because Redis is down would turn a slowdown into an outage).
"""

import logging
import secrets

from django.core.cache import cache
from django.db import DatabaseError, connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

logger = logging.getLogger("newsroom.health")


def _database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except DatabaseError:
        logger.exception("Health check: database unavailable")
        return False


def _cache_ok() -> bool:
    ping = getattr(cache, "ping", None)
    if ping is not None:
        return ping()
    key, value = "healthz", secrets.token_hex(8)
    try:
        cache.set(key, value, 10)
        return cache.get(key) == value
    except Exception:  # a cache backend may raise anything when its server is gone
        logger.exception("Health check: cache unavailable")
        return False


@never_cache
@require_GET
def healthz(request):
    database = _database_ok()
    cache_state = _cache_ok()
    status = "ok" if database and cache_state else ("degraded" if database else "down")
    return JsonResponse(
        {
            "status": status,
            "database": "ok" if database else "unavailable",
            "cache": "ok" if cache_state else "unavailable",
        },
        status=200 if database else 503,
    )
