import logging
from datetime import UTC, timedelta

import akismet
import pytest
from django.core import checks
from django.test import override_settings
from django.utils import timezone

from articles.models import Article
from comments import checks as comment_checks
from comments import spam
from comments.models import BlocklistEntry, Comment, CommentEvent
from tests.comments.akismet_fakes import sent_form

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_akismet_network")]


def akismet_events(comment):
    return list(comment.events.filter(kind=CommentEvent.Kind.AKISMET).values_list("action", flat=True))


# --- Verdicts ---------------------------------------------------------------------------------------------


def test_ham_is_published_on_a_post_moderated_article(akismet_api, make_pending, article):
    comment = make_pending()
    spam.screen_comment(comment)
    comment.refresh_from_db()
    article.refresh_from_db()
    assert comment.status == Comment.Status.PUBLISHED
    assert comment.akismet_verdict == Comment.Verdict.HAM
    assert comment.pending_reason == ""
    assert akismet_events(comment) == ["Ham"]
    assert article.comment_count == 1


def test_ham_waits_for_a_moderator_on_a_premoderated_article(use_test_client, make_pending, make_article):
    use_test_client(akismet.CheckResponse.HAM)
    article = make_article(comment_moderation=Article.Moderation.PRE)
    comment = make_pending(article)
    spam.screen_comment(comment)
    comment.refresh_from_db()
    article.refresh_from_db()
    assert comment.status == Comment.Status.PENDING
    assert comment.akismet_verdict == Comment.Verdict.HAM
    assert comment.pending_reason == "Held for moderation"
    assert comment.next_recheck_at is None
    assert article.comment_count == 0


def test_spam_is_stored_invisible_in_the_spam_queue(use_test_client, make_pending, article):
    use_test_client(akismet.CheckResponse.SPAM)
    comment = make_pending()
    spam.screen_comment(comment)
    comment.refresh_from_db()
    assert comment.status == Comment.Status.SPAM
    assert comment.akismet_verdict == Comment.Verdict.SPAM
    assert comment.is_blatant is False
    assert list(Comment.objects.spam()) == [comment]
    assert not Comment.objects.visible().exists()
    assert akismet_events(comment) == ["Spam"]


def test_discard_is_kept_as_blatant_spam_for_the_purge(use_test_client, make_pending):
    use_test_client(akismet.CheckResponse.DISCARD)
    comment = make_pending()
    spam.screen_comment(comment)
    comment.refresh_from_db()
    assert comment.status == Comment.Status.SPAM
    assert comment.akismet_verdict == Comment.Verdict.DISCARD
    assert comment.is_blatant is True
    assert akismet_events(comment) == ["Blatant spam (discard)"]


def test_discard_header_over_http_is_recognised(akismet_api, make_pending):
    akismet_api.verdict = "discard"
    comment = make_pending()
    spam.screen_comment(comment)
    comment.refresh_from_db()
    assert (comment.status, comment.akismet_verdict, comment.is_blatant) == ("spam", "discard", True)


# --- What is sent -----------------------------------------------------------------------------------------


def test_comment_check_sends_every_field_akismet_asks_for_and_stores_it(akismet_api, make_pending, article):
    comment = make_pending(
        author_name="Ada Reader",
        author_email="ada@example.org",
        author_url="https://ada.example.org",
        body="A thoughtful comment.\nWith two lines.",
    )
    spam.screen_comment(comment)
    [sent] = akismet_api.calls("comment-check")
    comment.refresh_from_db()
    assert sent["api_key"] == "test-key-123"
    assert sent["blog"] == "https://news.example.com/"
    expected = {
        "user_ip": "203.0.113.9",
        "user_agent": "Mozilla/5.0 (X11; Linux x86_64) Firefox/140.0",
        "referrer": "https://news.example.com/2026/01/02/story/",
        "permalink": "https://news.example.com" + article.get_absolute_url(),
        "comment_type": "comment",
        "comment_author": "Ada Reader",
        "comment_author_email": "ada@example.org",
        "comment_author_url": "https://ada.example.org",
        "comment_content": "A thoughtful comment.\nWith two lines.",
        "comment_date_gmt": comment.submitted_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "comment_post_modified_gmt": article.published_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "blog_lang": "en",
        "blog_charset": "UTF-8",
        "honeypot_field_name": "homepage",
        "is_test": "true",
    }
    assert {key: value for key, value in sent.items() if key not in ("api_key", "blog")} == expected
    # Exactly what went over the wire is kept for feedback (credentials aside).
    assert sent_form(comment.akismet_payload) == expected


def test_reply_is_sent_as_reply_and_staff_as_administrator(akismet_api, make_pending, make_comment, article, editor):
    parent = make_comment(article)
    reply = make_pending(parent=parent, user=editor)
    spam.screen_comment(reply)
    [sent] = akismet_api.calls("comment-check")
    assert sent["comment_type"] == "reply"
    assert sent["user_role"] == "administrator"


def test_readers_with_accounts_get_no_role(akismet_api, make_pending, make_user):
    spam.screen_comment(make_pending(user=make_user()))
    [sent] = akismet_api.calls("comment-check")
    assert "user_role" not in sent


def test_is_test_is_only_sent_outside_production(akismet_api, make_pending, settings):
    settings.AKISMET_IS_TEST = False
    spam.screen_comment(make_pending())
    [sent] = akismet_api.calls("comment-check")
    assert "is_test" not in sent


def test_key_is_verified_once_per_process_with_the_short_timeout(akismet_api, make_pending, settings):
    settings.AKISMET_TIMEOUT = 1.5
    for _ in range(3):
        spam.screen_comment(make_pending())
    endpoints = [name for name, _ in akismet_api.requests]
    assert endpoints == ["verify-key", "comment-check", "comment-check", "comment-check"]
    assert all(timeout == {"connect": 1.5, "read": 1.5, "write": 1.5, "pool": 1.5} for timeout in akismet_api.timeouts)


# --- Failures ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("failure", "reason"),
    [
        ("timeout", "Akismet timed out"),
        ("refused", "Akismet could not be reached"),
        ("500", "Akismet answered HTTP 500"),
        ("garbage", "Akismet gave an unexpected answer"),
    ],
)
def test_failed_check_holds_the_comment_for_a_recheck(akismet_api, make_pending, article, failure, reason):
    spam.screen_comment(make_pending())  # verifies the key while Akismet is up
    akismet_api.failure = failure
    before = timezone.now()
    comment = make_pending()
    spam.screen_comment(comment)
    comment.refresh_from_db()
    assert comment.status == Comment.Status.PENDING
    assert comment.akismet_verdict == Comment.Verdict.ERROR
    assert reason in comment.pending_reason
    assert comment.recheck_attempts == 1
    assert before + timedelta(seconds=59) < comment.next_recheck_at < timezone.now() + timedelta(seconds=61)
    # What was sent is kept, so the re-check repeats it.
    assert comment.akismet_payload["comment_content"] == comment.body
    assert akismet_events(comment) == ["Check failed"]
    assert not Comment.objects.visible().filter(pk=comment.pk).exists()


def test_akismet_down_at_key_verification_holds_the_comment(akismet_api, make_pending):
    akismet_api.failure = "refused"
    comment = make_pending()
    spam.screen_comment(comment)
    comment.refresh_from_db()
    assert comment.status == Comment.Status.PENDING
    assert "Akismet could not be reached" in comment.pending_reason
    assert [name for name, _ in akismet_api.requests] == ["verify-key"]


def test_after_an_outage_new_comments_do_not_wait_for_akismet(akismet_api, make_pending):
    akismet_api.failure = "timeout"
    spam.screen_comment(make_pending())
    calls = len(akismet_api.requests)
    later = make_pending()
    spam.screen_comment(later)
    later.refresh_from_db()
    assert len(akismet_api.requests) == calls
    assert later.status == Comment.Status.PENDING
    assert "Akismet timed out" in later.pending_reason
    assert "not answering" in spam.spam_checking_status()


def test_invalid_key_is_loud_and_not_retried_on_every_comment(akismet_api, make_pending, caplog):
    akismet_api.key_valid = False
    first = make_pending()
    with caplog.at_level(logging.ERROR, logger="comments.spam"):
        spam.screen_comment(first)
    first.refresh_from_db()
    assert first.status == Comment.Status.PENDING
    assert "Akismet rejected the API key" in first.pending_reason
    assert any("rejected the API key" in record.getMessage() for record in caplog.records)
    spam.screen_comment(make_pending())
    spam.screen_comment(make_pending())
    assert akismet_api.calls("verify-key") and len(akismet_api.requests) == 1
    assert "rejected the API key" in spam.spam_checking_status()
    assert [message.id for message in comment_checks.akismet_configuration()] == ["comments.W003"]


def test_key_revoked_after_verification_is_caught(akismet_api, make_pending):
    spam.screen_comment(make_pending())
    akismet_api.failure = "invalid"
    comment = make_pending()
    spam.screen_comment(comment)
    comment.refresh_from_db()
    assert comment.status == Comment.Status.PENDING
    assert "rejected the API key" in comment.pending_reason
    assert spam.key_is_known_invalid()


def test_unexpected_client_error_never_loses_the_comment(settings, monkeypatch, make_pending):
    settings.AKISMET_API_KEY = "test-key-123"

    class BrokenClient(akismet.TestSyncClient):
        def comment_check(self, user_ip, **kwargs):
            raise RuntimeError("bug")

    monkeypatch.setattr(spam, "client_class", BrokenClient)
    comment = make_pending()
    spam.screen_comment(comment)
    comment.refresh_from_db()
    assert comment.status == Comment.Status.PENDING
    assert comment.akismet_verdict == Comment.Verdict.ERROR


# --- Off, and the blocklist -------------------------------------------------------------------------------


def test_without_a_key_comments_follow_the_moderation_setting(settings, make_pending, make_article):
    settings.AKISMET_API_KEY = ""
    open_comment = make_pending()
    spam.screen_comment(open_comment)
    held = make_pending(make_article(comment_moderation=Article.Moderation.PRE))
    spam.screen_comment(held)
    open_comment.refresh_from_db()
    held.refresh_from_db()
    assert (open_comment.status, open_comment.akismet_verdict) == ("published", "skipped")
    assert (held.status, held.akismet_verdict) == ("pending", "skipped")
    assert open_comment.akismet_payload == {}
    assert "Spam checking is off" in spam.spam_checking_status()
    assert [message.id for message in comment_checks.akismet_configuration()] == ["comments.W001"]


@pytest.mark.parametrize(
    ("action", "status"), [(BlocklistEntry.Action.SPAM, "spam"), (BlocklistEntry.Action.HOLD, "pending")]
)
def test_blocklisted_sender_is_never_sent_to_akismet(akismet_api, make_pending, action, status):
    BlocklistEntry.objects.create(kind=BlocklistEntry.Kind.EMAIL, value="spam.example", action=action)
    comment = make_pending(author_email="bot@spam.example")
    spam.screen_comment(comment)
    comment.refresh_from_db()
    assert comment.status == status
    assert comment.akismet_verdict == Comment.Verdict.SKIPPED
    assert akismet_api.requests == []
    assert comment.events.filter(kind=CommentEvent.Kind.BLOCKLIST).count() == 1


# --- Staff are told -----------------------------------------------------------------------------------------


def test_all_is_well_says_nothing(akismet_api, make_pending):
    spam.screen_comment(make_pending())
    assert spam.spam_checking_status() is None
    assert comment_checks.akismet_configuration() == []
    assert comment_checks.akismet_key() == []


def test_deploy_check_verifies_the_key(akismet_api):
    akismet_api.key_valid = False
    assert [message.id for message in comment_checks.akismet_key()] == ["comments.W003"]


def test_deploy_check_warns_when_akismet_cannot_be_reached(akismet_api):
    akismet_api.failure = "refused"
    [message] = comment_checks.akismet_key()
    assert message.id == "comments.W004"
    assert message.level == checks.WARNING


def test_site_url_must_be_a_full_url(akismet_api, settings):
    settings.SITE_URL = "news.example.com"
    assert [message.id for message in comment_checks.akismet_configuration()] == ["comments.E002"]


def test_deploy_check_warns_about_the_immediate_backend():
    assert [message.id for message in comment_checks.task_backend()] == ["comments.W005"]
    with override_settings(TASKS={"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}):
        assert comment_checks.task_backend() == []


def test_checks_are_registered():
    registered = checks.registry.registry.get_checks(include_deployment_checks=True)
    assert {comment_checks.akismet_configuration, comment_checks.akismet_key} <= set(registered)
