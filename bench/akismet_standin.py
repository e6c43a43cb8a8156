"""A local stand-in for Akismet's REST API that answers at once: the comment-posting benchmark's spam check.

    python bench/akismet_standin.py --port 8169

verify-key says "valid", comment-check says "false" (not spam), submit-spam/submit-ham thank you; it counts
the calls so the benchmark can show every comment really went through the check. Loopback only.
"""

import argparse
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

ANSWERS = {
    "/1.1/verify-key": "valid",
    "/1.1/comment-check": "false",
    "/1.1/submit-spam": "Thanks for making the web a better place.",
    "/1.1/submit-ham": "Thanks for making the web a better place.",
}
calls: dict[str, int] = {}
lock = threading.Lock()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as with the real service
    # Headers and body go out in two writes: without TCP_NODELAY, Nagle's algorithm and the client's delayed
    # ACK hold the body back ~40 ms, which is not the "instant" answer this stands in for.
    disable_nagle_algorithm = True

    def do_POST(self):  # noqa: N802 - the name http.server dispatches to
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        answer = ANSWERS.get(self.path)
        with lock:
            calls[self.path] = calls.get(self.path, 0) + 1
        body = (answer if answer is not None else "unknown endpoint").encode()
        self.send_response(200 if answer is not None else 404)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):  # noqa: N802
        # GET /calls: what the benchmark reads back at the end.
        with lock:
            body = json.dumps(calls).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format, *args):
        pass


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=8169)
    args = parser.parse_args()
    server = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    server.daemon_threads = True
    server.serve_forever()


if __name__ == "__main__":
    main()
