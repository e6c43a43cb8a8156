"""Fixtures for the spam-checking tests: Akismet is never reached for real."""

import akismet
import httpx
import pytest

from comments import spam
from comments.models import Comment
from tests.comments.akismet_fakes import FakeAkismet


@pytest.fixture
def no_akismet_network(monkeypatch):
    """Whatever a test forgets to configure, Akismet is never reached for real, and the test says so."""
    unexpected = []

    def refuse(request):
        unexpected.append(str(request.url))
        raise httpx.ConnectError("no internet in tests", request=request)

    monkeypatch.setattr(spam, "http_transport", httpx.MockTransport(refuse))
    spam.reset_client()
    yield
    spam.reset_client()
    assert not unexpected, f"a test tried to reach Akismet: {unexpected}"


@pytest.fixture
def akismet_api(settings, monkeypatch, no_akismet_network):
    """Turn spam checking on with a real akismet.SyncClient talking to a FakeAkismet."""
    settings.AKISMET_API_KEY = "test-key-123"
    settings.SITE_URL = "https://news.example.com"
    settings.AKISMET_IS_TEST = True
    fake = FakeAkismet()
    monkeypatch.setattr(spam, "client_class", akismet.SyncClient)
    monkeypatch.setattr(spam, "http_transport", httpx.MockTransport(fake.handler))
    spam.reset_client()
    return fake


@pytest.fixture
def use_test_client(settings, monkeypatch, no_akismet_network):
    """Turn spam checking on with an akismet.TestSyncClient subclass answering `verdict`."""
    settings.AKISMET_API_KEY = "test-key-123"
    settings.SITE_URL = "https://news.example.com"

    def use(verdict=akismet.CheckResponse.HAM, *, key_valid: bool = True) -> type[akismet.TestSyncClient]:
        client_class = type(
            "NewsroomTestClient",
            (akismet.TestSyncClient,),
            {"comment_check_response": verdict, "verify_key_response": key_valid},
        )
        monkeypatch.setattr(spam, "client_class", client_class)
        spam.reset_client()
        return client_class

    return use


@pytest.fixture
def make_pending(make_comment, article):
    """A comment as the posting service leaves it just before screening: saved, pending, with request data."""

    def make(on_article=None, **extra) -> Comment:
        defaults = {
            "status": Comment.Status.PENDING,
            "ip_address": "203.0.113.9",
            "user_agent": "Mozilla/5.0 (X11; Linux x86_64) Firefox/140.0",
            "referrer": "https://news.example.com/2026/01/02/story/",
        }
        defaults.update(extra)
        return make_comment(on_article or article, **defaults)

    return make
