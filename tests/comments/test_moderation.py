"""Moderation services: status changes, permanent deletes with tombstones, senders, look-alikes, records."""

from datetime import timedelta

import pytest
from django.utils import timezone

from articles.models import Article
from comments import moderation
from comments.models import (
    AkismetFeedback,
    Comment,
    CommentEvent,
    CommentReport,
    ModerationRecord,
)

pytestmark = pytest.mark.django_db

Status = Comment.Status


@pytest.fixture
def bulk_comments(article):
    """Insert many comments in one statement (as a spam wave lands), each with its markers."""

    def make(n: int, *, on=None, status=Status.SPAM, body="Buy cheap pills now at our online shop", **extra):
        fingerprint, domains = moderation.comment_markers(body=body)
        rows = [
            Comment(
                article=on or article,
                author_name=f"spammer{i}",
                author_email=f"spammer{i}@example.net",
                body=body,
                status=status,
                ip_address=f"192.0.2.{i % 250 + 1}",
                fingerprint=fingerprint,
                link_domains=domains,
                **extra,
            )
            for i in range(n)
        ]
        Comment.objects.bulk_create(rows, batch_size=500)
        return Comment.objects.filter(author_name__startswith="spammer")

    return make


def test_markers_ignore_case_spacing_numbers_links_and_order():
    a, domains_a = moderation.comment_markers(
        body="Buy CHEAP pills today at https://www.pills.example/a?id=1  — only 9 dollars!",
        author_url="http://spam.example",
    )
    b, domains_b = moderation.comment_markers(body="only dollars. buy cheap PILLS at http://pills.example/zz today 12")
    assert a == b and a
    assert domains_a == "pills.example spam.example"
    assert domains_b == "pills.example"
    assert moderation.text_fingerprint("Great article!") == ""
    assert moderation.text_fingerprint("Buy cheap pills now at our shop") != a


def test_new_comments_get_their_markers_on_save(article, make_comment):
    comment = make_comment(article, body="Visit https://deals.example.org/x for the best prices on earth today")
    comment.refresh_from_db()
    assert comment.link_domains == "deals.example.org"
    assert len(comment.fingerprint) == 32


def test_mark_spam_changes_status_records_events_and_the_bulk_record(article, make_comment, moderator):
    published = make_comment(article)
    pending = make_comment(article, status=Status.PENDING)
    already = make_comment(article, status=Status.SPAM)
    changed = moderation.mark_spam(
        comments=Comment.objects.filter(pk__in=[published.pk, pending.pk, already.pk]),
        moderator=moderator,
        description="queue: All; 3 selected",
    )
    assert changed == 2
    assert set(Comment.objects.values_list("status", flat=True)) == {Status.SPAM}
    events = CommentEvent.objects.filter(kind=CommentEvent.Kind.MODERATION)
    assert sorted(events.values_list("comment_id", flat=True)) == sorted([published.pk, pending.pk])
    assert {e.actor for e in events} == {moderator}
    record = ModerationRecord.objects.get()
    assert (record.actor, record.action, record.count) == (moderator, "Marked spam", 2)
    assert record.filter_description == "queue: All; 3 selected"


def test_status_changes_keep_article_count_right(article, make_comment, moderator, django_capture_on_commit_callbacks):
    comments = [make_comment(article) for _ in range(3)]
    with django_capture_on_commit_callbacks(execute=True):
        moderation.remove_comments(comments=Comment.objects.filter(pk=comments[0].pk), moderator=moderator)
    article.refresh_from_db()
    assert article.comment_count == 2
    with django_capture_on_commit_callbacks(execute=True):
        moderation.restore_comments(comments=Comment.objects.all(), moderator=moderator)
    article.refresh_from_db()
    assert article.comment_count == 3
    assert ModerationRecord.objects.get(action="Restored").count == 1


def test_approve_resets_reports_and_not_spam_only_touches_spam(article, make_comment, moderator):
    flagged = make_comment(article, status=Status.FLAGGED, report_count=3)
    pending = make_comment(article, status=Status.PENDING)
    spam = make_comment(article, status=Status.SPAM)
    assert moderation.mark_not_spam(comments=Comment.objects.all(), moderator=moderator) == 1
    assert Comment.objects.get(pk=pending.pk).status == Status.PENDING
    assert Comment.objects.get(pk=spam.pk).status == Status.PUBLISHED
    assert moderation.approve_comments(comments=Comment.objects.filter(pk=flagged.pk), moderator=moderator) == 1
    flagged.refresh_from_db()
    assert (flagged.status, flagged.report_count) == (Status.PUBLISHED, 0)


def test_spam_and_ham_feedback_is_queued_from_the_stored_submission(
    settings, article, make_comment, moderator, no_akismet_network
):
    settings.AKISMET_API_KEY = "test-key-123"
    payload = {"comment_content": "hello", "user_ip": "203.0.113.9"}
    passed = make_comment(article, akismet_verdict=Comment.Verdict.HAM, akismet_payload=payload)
    caught = make_comment(article, status=Status.SPAM, akismet_verdict=Comment.Verdict.SPAM, akismet_payload=payload)
    moderation.mark_spam(comments=Comment.objects.filter(pk=passed.pk), moderator=moderator)
    moderation.mark_not_spam(comments=Comment.objects.filter(pk=caught.pk), moderator=moderator)
    kinds = dict(AkismetFeedback.objects.values_list("comment_id", "kind"))
    assert kinds == {passed.pk: AkismetFeedback.Kind.SPAM, caught.pk: AkismetFeedback.Kind.HAM}
    assert AkismetFeedback.objects.get(comment=passed).payload == payload
    assert AkismetFeedback.objects.filter(sent_at__isnull=False).count() == 0  # queued, not sent in the action


def test_select_across_thousands_changes_all_in_batches(bulk_comments, moderator, monkeypatch, article):
    monkeypatch.setattr(moderation, "BATCH_SIZE", 700)
    target = bulk_comments(3000, status=Status.PENDING)
    other = Comment.objects.create(article=article, author_name="x", author_email="x@example.com", body="keep me")
    changed = moderation.approve_comments(comments=Comment.objects.pending(), moderator=moderator)
    assert changed == 3000
    assert target.filter(status=Status.PUBLISHED).count() == 3000
    assert CommentEvent.objects.filter(action="Approved").count() == 3000
    assert Comment.objects.get(pk=other.pk).status == Status.PUBLISHED
    assert ModerationRecord.objects.get().count == 3000


def test_delete_thousands_with_dependents_in_batches(bulk_comments, moderator, monkeypatch, article, make_comment):
    monkeypatch.setattr(moderation, "BATCH_SIZE", 900)
    bulk_comments(4000)
    keep = make_comment(article, body="A real comment stays.")
    some = list(Comment.objects.spam().values_list("pk", flat=True)[:50])
    CommentEvent.objects.bulk_create(CommentEvent(comment_id=pk, kind="akismet", action="Spam") for pk in some)
    CommentReport.objects.bulk_create(CommentReport(comment_id=pk, reporter_key=f"ip:{pk}", reason="x") for pk in some)
    sent = AkismetFeedback.objects.create(comment_id=some[0], kind="spam", sent_at=timezone.now())
    owed = AkismetFeedback.objects.create(comment_id=some[1], kind="spam", payload={"comment_content": "x"})

    result = moderation.delete_comments(comments=Comment.objects.spam(), moderator=moderator, description="spam")

    assert (result.deleted, result.tombstoned) == (4000, 0)
    assert list(Comment.objects.values_list("pk", flat=True)) == [keep.pk]
    assert not CommentEvent.objects.filter(comment_id__in=some).exists()
    assert not CommentReport.objects.exists()
    assert not AkismetFeedback.objects.filter(pk=sent.pk).exists()
    owed.refresh_from_db()
    # Feedback still owed to Akismet goes out without the comment; it carries its own copy of the submission.
    assert owed.comment_id is None and owed.payload == {"comment_content": "x"}
    record = ModerationRecord.objects.get()
    assert (record.action, record.count, record.filter_description) == ("Deleted permanently", 4000, "spam")


def test_deleting_a_comment_with_real_replies_leaves_a_tombstone(
    article, make_comment, moderator, django_capture_on_commit_callbacks
):
    parent = make_comment(article, body="Offensive parent")
    reply = make_comment(article, parent=parent, body="A reader's reply")
    nested = make_comment(article, parent=reply, body="And a reply to it")
    with django_capture_on_commit_callbacks(execute=True):
        result = moderation.delete_comments(comments=Comment.objects.filter(pk=parent.pk), moderator=moderator)
    assert (result.deleted, result.tombstoned) == (0, 1)
    parent.refresh_from_db()
    assert parent.status == Status.REMOVED
    assert parent.body == "Offensive parent"  # kept for moderators; readers see the tombstone
    assert Comment.objects.filter(pk__in=[reply.pk, nested.pk], status=Status.PUBLISHED).count() == 2
    assert Comment.objects.get(pk=reply.pk).parent_id == parent.pk
    article.refresh_from_db()
    assert article.comment_count == 2


def test_deleting_a_whole_thread_leaves_nothing_and_spam_replies_move_up(article, make_comment, moderator):
    parent = make_comment(article)
    reply = make_comment(article, parent=parent)
    spam_reply = make_comment(article, parent=reply, status=Status.SPAM)
    result = moderation.delete_comments(
        comments=Comment.objects.filter(pk__in=[parent.pk, reply.pk]), moderator=moderator
    )
    assert (result.deleted, result.tombstoned) == (2, 0)
    spam_reply.refresh_from_db()
    # A spam reply is no reason to keep a tombstone; it stays in the spam queue, attached to what is left.
    assert spam_reply.parent_id is None and spam_reply.status == Status.SPAM


def test_tombstone_when_the_surviving_reply_is_two_levels_down(article, make_comment, moderator, monkeypatch):
    monkeypatch.setattr(moderation, "BATCH_SIZE", 1)  # parent and child in different batches
    parent = make_comment(article)
    child = make_comment(article, parent=parent)
    grandchild = make_comment(article, parent=child)
    result = moderation.delete_comments(
        comments=Comment.objects.filter(pk__in=[parent.pk, child.pk]), moderator=moderator
    )
    assert (result.deleted, result.tombstoned) == (0, 2)
    assert set(Comment.objects.values_list("pk", "status")) == {
        (parent.pk, Status.REMOVED),
        (child.pk, Status.REMOVED),
        (grandchild.pk, Status.PUBLISHED),
    }


def test_remove_keeps_replies(article, make_comment, moderator):
    parent = make_comment(article)
    reply = make_comment(article, parent=parent)
    moderation.remove_comments(comments=Comment.objects.filter(pk=parent.pk), moderator=moderator)
    assert Comment.objects.get(pk=parent.pk).status == Status.REMOVED
    assert Comment.objects.get(pk=reply.pk).status == Status.PUBLISHED


def test_delete_from_senders_reaches_every_article_by_email_or_ip(make_article, make_comment, moderator, monkeypatch):
    monkeypatch.setattr(moderation, "BATCH_SIZE", 2)
    first, second = make_article(), make_article()
    chosen = make_comment(first, author_email="wave@spam.example", ip_address="203.0.113.50", status=Status.SPAM)
    same_email = make_comment(second, author_email="wave@spam.example", ip_address="198.51.100.1")
    same_ip = [make_comment(second, author_email=f"x{i}@else.example", ip_address="203.0.113.50") for i in range(5)]
    bystander = make_comment(second, author_email="reader@example.com", ip_address="198.51.100.2")

    assert moderation.sender_comments(Comment.objects.filter(pk=chosen.pk), match="both").count() == 7
    result = moderation.delete_from_senders(
        comments=Comment.objects.filter(pk=chosen.pk), moderator=moderator, match="both"
    )

    assert result.deleted == 7
    assert list(Comment.objects.values_list("pk", flat=True)) == [bystander.pk]
    assert not Comment.objects.filter(pk__in=[same_email.pk, *(c.pk for c in same_ip)]).exists()
    record = ModerationRecord.objects.get()
    assert record.action == "Deleted everything from senders" and record.count == 7
    assert "1 email addresses and 1 IP addresses" in record.filter_description


def test_find_more_like_these_by_fingerprint_and_link_domain(article, make_comment):
    wave = [
        make_comment(article, author_name=name, body=body)
        for name, body in [
            ("reextHtf", "Cheap watches replica for sale, best quality replica watches here"),
            ("fipleVed", "cheap WATCHES replica for sale — best quality replica watches here!!"),
            ("fipleloh", "Nice post. See https://watches.example/buy for more"),
        ]
    ]
    linked = make_comment(article, body="Different words entirely, http://www.watches.example/other")
    innocent = make_comment(article, body="I disagree with the council's decision on the harbour bridge.")
    short = make_comment(article, body="Great article!")
    make_comment(article, body="Great article!")
    found = set(moderation.similar_comments([wave[0].pk, wave[2].pk]).values_list("pk", flat=True))
    assert found == {wave[0].pk, wave[1].pk, wave[2].pk, linked.pk}
    assert innocent.pk not in found
    # Short, common comments have no fingerprint: they never pull each other in.
    assert set(moderation.similar_comments([short.pk]).values_list("pk", flat=True)) == {short.pk}


def test_find_more_like_these_works_for_rows_without_markers(article, bulk_comments, make_comment):
    Comment.objects.bulk_create(
        [Comment(article=article, author_name="a", author_email="a@x.example", body="visit http://spam.example now")]
    )
    legacy = Comment.objects.get(author_name="a")
    marked = make_comment(article, body="see http://spam.example")
    assert set(moderation.similar_comments([legacy.pk]).values_list("pk", flat=True)) == {legacy.pk, marked.pk}


def test_close_and_reopen_comments_on_articles(make_article, make_comment, moderator):
    article = make_article()
    make_comment(article)
    changed = moderation.close_comments(articles=Article.objects.filter(pk=article.pk), moderator=moderator)
    article.refresh_from_db()
    assert changed == 1 and article.comments_mode == Article.Comments.CLOSED and not article.comments_open
    moderation.close_comments(articles=Article.objects.filter(pk=article.pk), moderator=moderator, reopen=True)
    article.refresh_from_db()
    assert article.comments_open
    assert list(ModerationRecord.objects.values_list("action", flat=True)) == ["Reopened comments", "Closed comments"]


def test_empty_spam_all_or_older_than(article, make_comment, moderator):
    now = timezone.now()
    old = make_comment(article, status=Status.SPAM, submitted_at=now - timedelta(days=20))
    recent = make_comment(article, status=Status.SPAM, submitted_at=now - timedelta(days=2))
    ham = make_comment(article, submitted_at=now - timedelta(days=30))
    assert moderation.empty_spam(moderator=moderator, older_than_days=15).deleted == 1
    assert not Comment.objects.filter(pk=old.pk).exists()
    assert moderation.empty_spam(moderator=moderator, older_than_days=0).deleted == 1
    assert not Comment.objects.filter(pk=recent.pk).exists()
    assert Comment.objects.filter(pk=ham.pk).exists()
    assert list(ModerationRecord.objects.values_list("filter_description", flat=True)) == [
        "all spam",
        "spam older than 15 days",
    ]
    with pytest.raises(ValueError):
        moderation.empty_spam(moderator=moderator, older_than_days=-1)


def test_find_more_like_these_uses_trigram_similarity_on_postgresql(article, make_comment):
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("trigram similarity needs PostgreSQL (SQLite uses the fingerprint and link domains only)")
    with connection.cursor() as cursor:
        cursor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    source = make_comment(article, body="Wonderful article, I bookmarked your blog and will come back for more")
    # One word changed: the fingerprint differs, the trigrams hardly do.
    variant = make_comment(article, body="Wonderful article, I bookmarked your site and will come back for more")
    other = make_comment(article, body="The council votes on the harbour bridge budget next Tuesday evening")
    assert source.fingerprint != variant.fingerprint
    found = set(moderation.similar_comments([source.pk]).values_list("pk", flat=True))
    assert variant.pk in found and other.pk not in found
