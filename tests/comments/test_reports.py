"""Readers' "Report abuse": a reason, one report per reader per comment, a threshold that hides the comment."""

import pytest
from django.test import Client
from django.urls import reverse

from comments import moderation
from comments.models import Comment, CommentEvent, CommentReport

pytestmark = pytest.mark.django_db

Status = Comment.Status


def report_url(comment) -> str:
    return reverse("comments:report", args=[comment.pk])


def reader(ip: str) -> Client:
    return Client(REMOTE_ADDR=ip)


def test_report_page_shows_the_comment_escaped_and_a_form(client, article, make_comment):
    comment = make_comment(article, body="<script>alert(1)</script> rude words")
    response = client.get(report_url(comment))
    html = response.content.decode()
    assert response.status_code == 200
    assert "&lt;script&gt;" in html and "<script>alert(1)" not in html
    assert 'name="reason"' in html and "Report this comment" in html


def test_a_report_is_recorded_once_per_reader(article, make_comment):
    comment = make_comment(article)
    ann = reader("203.0.113.1")
    response = ann.post(report_url(comment), {"reason": "abuse", "details": "  name   calling "})
    assert response.status_code == 302 and response["Location"] == report_url(comment)
    report = CommentReport.objects.get()
    assert (report.reporter_key, report.reason) == ("ip:203.0.113.1", "Abuse, harassment or hate: name calling")
    assert "Thank you" in ann.get(report_url(comment)).content.decode()
    again = ann.post(report_url(comment), {"reason": "spam"})
    assert again.status_code == 409
    assert CommentReport.objects.count() == 1
    comment.refresh_from_db()
    assert comment.report_count == 1 and comment.status == Status.PUBLISHED
    assert CommentEvent.objects.get(comment=comment, kind=CommentEvent.Kind.REPORT).detail.startswith("Abuse")


def test_threshold_flags_and_hides_the_comment(article, make_comment, django_capture_on_commit_callbacks):
    from comments.services import sync_article_counts

    comment = make_comment(article)
    sync_article_counts([article.pk])
    article.refresh_from_db()
    assert article.comment_count == 1
    for n in range(1, 4):
        with django_capture_on_commit_callbacks(execute=True):
            reader(f"203.0.113.{n}").post(report_url(comment), {"reason": "spam"})
    comment.refresh_from_db()
    assert comment.status == Status.FLAGGED and comment.report_count == 3
    assert not Comment.objects.visible().filter(pk=comment.pk).exists()
    article.refresh_from_db()
    assert article.comment_count == 0
    assert CommentEvent.objects.filter(comment=comment, action="Flagged and hidden").count() == 1
    # A fourth report is still recorded for the moderator, and the page says the comment is under review.
    fourth = reader("203.0.113.4")
    assert "hidden while a moderator reviews it" in fourth.get(report_url(comment)).content.decode()
    fourth.post(report_url(comment), {"reason": "abuse"})
    assert CommentReport.objects.filter(comment=comment).count() == 4


def test_signed_in_readers_count_by_account_not_ip(article, make_comment, make_user, settings):
    settings.COMMENTS_REPORT_THRESHOLD = 2
    comment = make_comment(article)
    for user in (make_user(), make_user()):
        client = Client(REMOTE_ADDR="198.51.100.50")
        client.force_login(user)
        client.post(report_url(comment), {"reason": "off-topic"})
    comment.refresh_from_db()
    assert comment.status == Status.FLAGGED
    assert CommentReport.objects.filter(user__isnull=False).count() == 2


def test_approving_resets_the_count(article, make_comment, moderator, settings):
    settings.COMMENTS_REPORT_THRESHOLD = 2
    comment = make_comment(article)
    for n in (1, 2):
        reader(f"203.0.113.{n}").post(report_url(comment), {"reason": "spam"})
    moderation.approve_comments(comments=Comment.objects.filter(pk=comment.pk), moderator=moderator)
    reader("203.0.113.3").post(report_url(comment), {"reason": "spam"})
    comment.refresh_from_db()
    assert comment.status == Status.PUBLISHED and comment.report_count == 1
    reader("203.0.113.4").post(report_url(comment), {"reason": "spam"})
    assert Comment.objects.get(pk=comment.pk).status == Status.FLAGGED


@pytest.mark.parametrize("data", [{}, {"reason": "nonsense"}, {"reason": "other", "details": "x" * 401}])
def test_bad_report_is_refused_with_a_message(client, article, make_comment, data):
    comment = make_comment(article)
    response = client.post(report_url(comment), data)
    assert response.status_code == 400
    assert "invalid-feedback" in response.content.decode() or "is required" in response.content.decode()
    assert not CommentReport.objects.exists()


@pytest.mark.parametrize("status", [Status.SPAM, Status.PENDING, Status.REMOVED])
def test_comments_readers_cannot_see_cannot_be_reported(client, article, make_comment, status):
    comment = make_comment(article, status=status)
    assert client.get(report_url(comment)).status_code == 404
    assert client.post(report_url(comment), {"reason": "spam"}).status_code == 404


def test_missing_comment_and_missing_csrf_token(article, make_comment):
    assert Client().get("/comments/999999/report/").status_code == 404
    comment = make_comment(article)
    strict = Client(enforce_csrf_checks=True)
    assert strict.post(report_url(comment), {"reason": "spam"}).status_code == 403
    assert not CommentReport.objects.exists()


def test_report_on_an_unpublished_article_is_not_found(client, make_article, make_comment):
    from articles.models import Article

    draft = make_article(status=Article.Status.DRAFT)
    comment = make_comment(draft)
    assert client.get(report_url(comment)).status_code == 404


def test_readers_behind_the_proxy_report_one_by_one(client, article, make_comment, settings):
    settings.TRUSTED_PROXIES = ["127.0.0.1"]
    comment = make_comment(article)
    for ip in ("198.51.100.1", "198.51.100.2"):
        client.post(report_url(comment), {"reason": "spam"}, HTTP_X_FORWARDED_FOR=ip)
    assert sorted(CommentReport.objects.values_list("reporter_key", flat=True)) == [
        "ip:198.51.100.1",
        "ip:198.51.100.2",
    ]
