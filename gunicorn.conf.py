"""gunicorn settings for production: `gunicorn -c gunicorn.conf.py newsroom.wsgi`.

Every value can be overridden from the environment (see docs/production.md), so one file serves a laptop, a
benchmark and a production host.
"""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
# Sync workers: one request at a time each, as many as the CPUs can keep busy while others wait on the database.
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
worker_class = os.environ.get("GUNICORN_WORKER_CLASS", "sync")
threads = int(os.environ.get("GUNICORN_THREADS", 1))
# Behind a proxy that keeps connections open to us, a short keep-alive saves a TCP handshake per request.
keepalive = int(os.environ.get("GUNICORN_KEEPALIVE", 5))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", 30))
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", 30))
# The app is loaded once in the master and workers are forked from it: they start in milliseconds (a recycled
# worker does not stall the requests queued on it) and share the code's memory. Nothing opens a database or
# cache connection at import time; those are made in each worker on first use.
preload_app = os.environ.get("GUNICORN_PRELOAD", "1").lower() not in {"0", "false", "no", "off"}
# Recycle workers now and then so a slow leak can never grow without bound; the jitter keeps them from all
# restarting at once. Counted in requests, so it is set for a busy hour, not a quiet one: a worker serving a
# viral article from the page cache answers 1,500 requests a second, and at 20,000 it restarted every 13 s,
# each restart a cold worker (its own copies of cached pages, templates and database connections to fill again)
# that showed in the readers' slowest responses (bench/bench_storm.py: p99 45-290 ms against 22-28 ms).
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", 200_000))
max_requests_jitter = int(os.environ.get("GUNICORN_MAX_REQUESTS_JITTER", 20_000))
# The reverse proxy that terminates TLS; only it may set X-Forwarded-* headers.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
accesslog = os.environ.get("GUNICORN_ACCESS_LOG") or None
errorlog = os.environ.get("GUNICORN_ERROR_LOG", "-")
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
proc_name = "newsroom"
# gunicorn's control socket (gunicornc) is off unless asked for: its default path is shared by every gunicorn
# on the host, so two sites (or a site and a benchmark) would take it from each other.
control_socket = os.environ.get("GUNICORN_CONTROL_SOCKET", "")
control_socket_disable = not control_socket
