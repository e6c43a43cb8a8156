"""Django's Redis cache backend, made to survive a Redis outage.

When Redis cannot be reached the site keeps serving from the database: every cache call answers as an empty
cache would (a read misses, a write is dropped), the outage is logged once rather than on every call, and for
a few seconds after a failure Redis is not tried at all, so a Redis that hangs instead of refusing costs one
timeout per few seconds and not one per cache call.

What an outage costs: pages are rendered afresh, rate-limit counters start from zero (they fail open rather
than turning every reader away), and an invalidation made while Redis was unreachable is lost, so a page
cached before the outage may be served until its entry expires (PAGE_CACHE_SECONDS).
"""

import logging
import time

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import ReadOnlyError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger("newsroom.cache")

OUTAGE_ERRORS = (RedisConnectionError, RedisTimeoutError, ReadOnlyError)


class ReusingRedisCacheClient(RedisCacheClient):
    """Django's client, keeping one redis-py client per connection pool instead of building one per call.

    Building a redis-py client fills its table of ~170 response callbacks each time: about a third of a
    millisecond of CPU per cache call, which was most of a page-cache hit's own work. A redis-py client is safe
    to share between threads (each command borrows a connection from the pool), and the pool itself notices a
    fork, so gunicorn's preloaded workers share nothing.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        index = self._get_connection_pool_index(write)
        client = self._clients.get(index)
        if client is None:
            client = self._clients[index] = self._client(connection_pool=self._get_connection_pool(write))
        return client


class ResilientRedisCache(RedisCache):
    """RedisCache whose calls fall back to "empty cache" answers while Redis is unreachable.

    OPTIONS may set `retry_after` (seconds Redis is left alone after a failure, default 5); the rest go to
    redis-py's connection pool as usual (settings.py sets short socket timeouts).
    """

    def __init__(self, server, params):
        options = dict(params.get("OPTIONS") or {})
        self.retry_after = float(options.pop("retry_after", 5))
        super().__init__(server, {**params, "OPTIONS": options})
        self._class = ReusingRedisCacheClient
        self._down_until = 0.0

    def validate_key(self, key):
        # Redis takes any key. Django's check warns about keys memcached could not store, with a Python loop over
        # every character of every key: 2-4 µs a key, on every cache call (three on a page-cache hit).
        pass

    @property
    def available(self) -> bool:
        """False while a recent failure keeps Redis out of use."""
        return time.monotonic() >= self._down_until

    def ping(self) -> bool:
        """Ask Redis itself (ignoring the back-off), for health checks."""
        try:
            ok = bool(self._cache.get_client(write=True).ping())
        except OUTAGE_ERRORS as exc:
            self._failed("ping", exc)
            return False
        self._down_until = 0.0
        return ok

    def _failed(self, operation: str, exc: Exception) -> None:
        if self.available:
            logger.error(
                "Redis cache unavailable (%s failed: %s); serving without it for %.0f s",
                operation,
                exc,
                self.retry_after,
            )
        self._down_until = time.monotonic() + self.retry_after

    def _call(self, operation: str, fallback, method, *args, **kwargs):
        if not self.available:
            return fallback
        try:
            return method(*args, **kwargs)
        except OUTAGE_ERRORS as exc:
            self._failed(operation, exc)
            return fallback

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        # True, as if the key had been free: a limit kept with add() lets readers through during an outage.
        return self._call("add", True, super().add, key, value, timeout, version)

    def get(self, key, default=None, version=None):
        return self._call("get", default, super().get, key, default, version)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("set", None, super().set, key, value, timeout, version)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("touch", False, super().touch, key, timeout, version)

    def delete(self, key, version=None):
        return self._call("delete", False, super().delete, key, version)

    def get_many(self, keys, version=None):
        return self._call("get_many", {}, super().get_many, keys, version)

    def has_key(self, key, version=None):
        return self._call("has_key", False, super().has_key, key, version)

    def incr(self, key, delta=1, version=None):
        # A counter that cannot be read counts from zero: the caller sees the first increment.
        return self._call("incr", delta, super().incr, key, delta, version)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("set_many", [], super().set_many, data, timeout, version)

    def delete_many(self, keys, version=None):
        return self._call("delete_many", None, super().delete_many, keys, version)

    def clear(self):
        return self._call("clear", False, super().clear)
