"""One anonymous GET through the project's own WSGI handler, with no test-client instrumentation.

Importing this module sets Django up with the benchmark's environment (DATABASE_URL, DEBUG=False, ...).
"""

import io
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")

import django  # noqa: E402

django.setup()

from django.core.handlers.wsgi import WSGIHandler  # noqa: E402

handler = WSGIHandler()


last_headers: dict[str, str] = {}


def get(path: str) -> tuple[str, bytes]:
    """GET `path` (it may carry a query string); its response headers are left in `last_headers`."""
    path, _, query = path.partition("?")
    environ = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": path,
        "SCRIPT_NAME": "",
        "QUERY_STRING": query,
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8160",
        "HTTP_HOST": "127.0.0.1",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(b""),
        "wsgi.errors": sys.stderr,
    }
    status = []

    def start_response(line, headers, *args):
        status.append(line)
        last_headers.clear()
        last_headers.update(headers)

    body = b"".join(handler(environ, start_response))
    return status[0], body
