"""The "skip Akismet for a while" pause survives a Redis outage: it is kept in the process as well."""

import time

import pytest
from django.core.cache import cache
from django.urls import reverse

from comments import spam
from comments.models import Comment

pytestmark = pytest.mark.django_db

# Nothing listens on port 1: every Redis call is refused, as when Redis is down.
REDIS_DOWN = {
    "default": {
        "BACKEND": "newsroom.cache.ResilientRedisCache",
        "LOCATION": "redis://127.0.0.1:1/2",
        "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2, "retry_after": 5},
    }
}


def post(client, article, n):
    return client.post(
        reverse("comments:post", kwargs={"article_id": article.pk}),
        {"name": f"Reader {n}", "email": f"reader{n}@example.com", "comment": f"Comment {n}", "homepage": ""},
        REMOTE_ADDR=f"198.51.100.{n + 1}",
    )


@pytest.fixture
def redis_down(settings):
    settings.CACHES = REDIS_DOWN
    settings.COMMENTS_RATE_LIMIT_SECONDS = 0
    cache.set("probe", 1)
    assert cache.get("probe") is None  # really down


def test_with_redis_down_only_the_first_post_waits_for_a_slow_akismet(akismet_api, redis_down, client, article):
    akismet_api.failure = "timeout"
    for n in range(5):
        assert post(client, article, n).status_code == 302
    assert len(akismet_api.requests) == 1  # the first post met the timeout; the others skipped Akismet
    assert Comment.objects.pending().count() == 5
    assert set(Comment.objects.values_list("akismet_verdict", flat=True)) == {Comment.Verdict.ERROR}
    assert "Akismet is not answering" in spam.spam_checking_status()


def test_the_process_pause_ends_after_its_time(akismet_api, redis_down, client, article, monkeypatch):
    akismet_api.failure = "timeout"
    post(client, article, 0)
    akismet_api.failure = None
    later = time.monotonic() + spam.OUTAGE_PAUSE.total_seconds() + 1
    monkeypatch.setattr(time, "monotonic", lambda: later)
    post(client, article, 1)
    assert Comment.objects.get(author_name="Reader 1").status == Comment.Status.PUBLISHED
    assert spam.current_pause() is None


def test_the_pause_is_still_shared_through_the_cache_when_redis_is_up(akismet_api, client, article, settings):
    settings.COMMENTS_RATE_LIMIT_SECONDS = 0
    akismet_api.failure = "refused"
    post(client, article, 0)
    assert cache.get("akismet:paused") == "Akismet could not be reached"
    spam._local_pause.clear()  # another app server: it never saw the failure itself
    post(client, article, 1)
    assert len(akismet_api.requests) == 1
