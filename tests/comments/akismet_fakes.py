"""Akismet without the internet: its HTTP API behind an httpx.MockTransport (fixtures in conftest.py)."""

from urllib.parse import parse_qsl

import httpx

THANKS = "Thanks for making the web a better place."


class FakeAkismet:
    """Answers like rest.akismet.com and records every request as (endpoint, form data).

    `failure` makes every call fail: "timeout", "refused", "500", "invalid" (key revoked: every call but
    verify-key answers "invalid") or "garbage" (an unexpected body). `verdict` is "ham", "spam", "discard" or
    a function of the form data returning one of those.
    """

    def __init__(self):
        self.requests: list[tuple[str, dict]] = []
        self.timeouts: list[dict] = []
        self.verdict = "ham"
        self.failure: str | None = None
        self.key_valid = True

    def handler(self, request: httpx.Request) -> httpx.Response:
        endpoint = request.url.path.rsplit("/", 1)[-1]
        data = dict(parse_qsl(request.content.decode(), keep_blank_values=True))
        self.requests.append((endpoint, data))
        self.timeouts.append(request.extensions.get("timeout", {}))
        if self.failure == "timeout":
            raise httpx.ReadTimeout("The read operation timed out", request=request)
        if self.failure == "refused":
            raise httpx.ConnectError("[Errno 111] Connection refused", request=request)
        if self.failure == "500":
            return httpx.Response(500, text="Internal Server Error")
        if endpoint == "verify-key":
            return httpx.Response(200, text="valid" if self.key_valid else "invalid")
        if self.failure == "invalid":
            return httpx.Response(200, text="invalid")
        if self.failure == "garbage":
            return httpx.Response(200, text="<html><body>Down for maintenance</body></html>")
        if endpoint == "comment-check":
            verdict = self.verdict(data) if callable(self.verdict) else self.verdict
            if verdict == "ham":
                return httpx.Response(200, text="false")
            headers = {"X-akismet-pro-tip": "discard"} if verdict == "discard" else {}
            return httpx.Response(200, text="true", headers=headers)
        if endpoint in ("submit-spam", "submit-ham"):
            return httpx.Response(200, text=THANKS)
        return httpx.Response(404, text="unknown endpoint")

    def calls(self, endpoint: str) -> list[dict]:
        return [data for name, data in self.requests if name == endpoint]


def sent_form(payload: dict) -> dict:
    """A stored payload as it goes over the wire (form-encoded: True becomes "true")."""
    return {key: str(value).lower() if isinstance(value, bool) else str(value) for key, value in payload.items()}
