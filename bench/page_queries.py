"""SQL queries per anonymous page view and in-process service time, for the URLs given.

Run by run_all.py with the benchmark's environment (DATABASE_URL, DEBUG=False, PAGE_CACHE_SECONDS=0 ...).
Queries are counted with an execute wrapper around one page view by a new visitor; the service time is the
median of 15 calls of the project's WSGI handler itself (no test-client instrumentation), in wall-clock and
in CPU time. Prints JSON.
"""

import json
import statistics
import sys
import time

from django.db import connection
from wsgi_get import get

results = {}
for path in sys.argv[1:]:
    status, body = get(path)
    assert status.startswith("200"), (path, status)
    statements = []

    def count(execute, sql, params, many, context, statements=statements):
        statements.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        get(path)
    times, cpu = [], []
    for _ in range(15):
        start, start_cpu = time.perf_counter(), time.process_time()
        get(path)
        times.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    results[path] = {
        "queries": len(statements),
        "html_bytes": len(body),
        "comment_articles": body.count(b'id="comment-'),
        "service_ms": round(statistics.median(times) * 1000, 1),
        # CPU time of this process alone: steadier than wall time on a machine others are using.
        "cpu_ms": round(statistics.median(cpu) * 1000, 1),
    }
print(json.dumps(results))
