"""The production gunicorn.conf.py, plus one benchmark-only hook: Akismet answered by a local stand-in.

With AKISMET_STANDIN_URL set, each worker points comments.spam's HTTP transport at the stand-in, so the real
Akismet code (client, key verification, comment-check over HTTP) runs against loopback.
"""

import os
import runpy
from pathlib import Path

_production = runpy.run_path(str(Path(__file__).resolve().parent.parent / "gunicorn.conf.py"))
globals().update({name: value for name, value in _production.items() if not name.startswith("_")})


def post_worker_init(worker):
    standin = os.environ.get("AKISMET_STANDIN_URL")
    if not standin:
        return
    import httpx

    from comments import spam

    target = httpx.URL(standin)

    class StandInTransport(httpx.HTTPTransport):
        def handle_request(self, request):
            request.url = request.url.copy_with(scheme=target.scheme, host=target.host, port=target.port)
            return super().handle_request(request)

    spam.http_transport = StandInTransport()
