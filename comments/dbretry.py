"""Riding out a database restart: a connection the server dropped is replaced, and a read is tried once more.

Django checks a persistent connection at the start of each request (CONN_HEALTH_CHECKS), but a restart while a
request runs still breaks its next query. Where repeating is safe (a read, before anything was written, outside
a transaction) the query is run once more on a fresh connection instead of answering 500.
"""

import functools
import logging

from django.db import DEFAULT_DB_ALIAS, InterfaceError, OperationalError, connections

logger = logging.getLogger(__name__)

DISCONNECT_ERRORS = (OperationalError, InterfaceError)


def reconnect_if_dropped(using: str = DEFAULT_DB_ALIAS) -> bool:
    """After a database error: close a connection the server dropped, so the next query opens a new one.

    True when it did. Inside a transaction nothing is done (the transaction is lost either way and its owner
    must see the error).
    """
    connection = connections[using]
    if connection.in_atomic_block:
        return False
    if connection.connection is not None and connection.is_usable():
        return False
    connection.close()
    return True


def retry_once_on_disconnect(func, *args, **kwargs):
    """Call func; if the database connection was dropped under it, reconnect and call it once more.

    Only for work that is safe to repeat: reads, or writes that had not started.
    """
    try:
        return func(*args, **kwargs)
    except DISCONNECT_ERRORS:
        if not reconnect_if_dropped():
            raise
        logger.warning("Database connection dropped; trying %s again on a new connection", func.__qualname__)
        return func(*args, **kwargs)


def retry_safe_requests(view):
    """A view decorator: GET and HEAD requests (which change nothing) are retried once on a dropped connection."""

    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        if request.method not in ("GET", "HEAD"):
            return view(request, *args, **kwargs)
        return retry_once_on_disconnect(view, request, *args, **kwargs)

    return wrapped
