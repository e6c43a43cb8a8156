from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from django_tasks import task_backends

from comments import spam, tasks
from comments.models import Comment, CommentEvent
from tests.comments.akismet_fakes import sent_form

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_akismet_network")]

DUMMY_TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}


def time_passes(**delta):
    """Move every scheduled re-check back, as if that much time had gone by."""
    for comment in Comment.objects.filter(next_recheck_at__isnull=False):
        Comment.objects.filter(pk=comment.pk).update(next_recheck_at=comment.next_recheck_at - timedelta(**delta))


def held_during_outage(akismet_api, make_pending, failure="500", **extra):
    akismet_api.failure = failure
    comment = make_pending(**extra)
    spam.screen_comment(comment)
    akismet_api.failure = None
    comment.refresh_from_db()
    assert comment.status == Comment.Status.PENDING
    return comment


def test_recheck_after_an_outage_publishes_with_recheck_reason(akismet_api, make_pending, article):
    comment = held_during_outage(akismet_api, make_pending)
    original = sent_form(comment.akismet_payload)
    time_passes(minutes=2)
    result = tasks.recheck_comments.enqueue()
    assert result.return_value["ham"] == 1
    comment.refresh_from_db()
    article.refresh_from_db()
    assert comment.status == Comment.Status.PUBLISHED
    assert comment.akismet_verdict == Comment.Verdict.HAM
    assert comment.next_recheck_at is None
    assert comment.pending_reason == ""
    assert article.comment_count == 1
    [recheck] = akismet_api.calls("comment-check")
    assert recheck.pop("recheck_reason") == "retry"
    assert {key: value for key, value in recheck.items() if key not in ("api_key", "blog")} == original
    assert list(comment.events.values_list("action", flat=True)) == ["Check failed", "Re-check: Ham"]


def test_recheck_can_find_spam(akismet_api, make_pending):
    comment = held_during_outage(akismet_api, make_pending, failure="timeout")
    akismet_api.verdict = "discard"
    time_passes(minutes=2)
    spam.recheck_due_comments()
    comment.refresh_from_db()
    assert (comment.status, comment.akismet_verdict, comment.is_blatant) == ("spam", "discard", True)


def test_recheck_waits_until_it_is_due(akismet_api, make_pending):
    comment = held_during_outage(akismet_api, make_pending)
    summary = spam.recheck_due_comments()
    comment.refresh_from_db()
    assert summary["checked"] == 0
    assert comment.status == Comment.Status.PENDING
    assert akismet_api.calls("comment-check") == []


def test_a_failed_run_makes_one_call_and_postpones_everything_due(akismet_api, make_pending):
    comments = [held_during_outage(akismet_api, make_pending) for _ in range(5)]
    akismet_api.failure = "refused"
    time_passes(minutes=2)
    calls = len(akismet_api.requests)
    summary = spam.recheck_due_comments()
    assert summary["failed"] == 1 and summary["remaining"] == 0
    assert len(akismet_api.requests) == calls + 1
    rows = Comment.objects.filter(pk__in=[comment.pk for comment in comments])
    assert {row.recheck_attempts for row in rows} == {2}
    assert len({row.next_recheck_at for row in rows}) == 1
    assert all("Akismet could not be reached" in row.pending_reason for row in rows)
    # Straight away again: nothing is due, nothing is sent.
    spam.recheck_due_comments()
    assert len(akismet_api.requests) == calls + 1


def test_back_off_grows_and_levels_off():
    delays = [spam.retry_delay(attempt) for attempt in range(1, 15)]
    assert delays[:4] == [timedelta(minutes=1), timedelta(minutes=2), timedelta(minutes=4), timedelta(minutes=8)]
    assert delays == sorted(delays)
    assert delays[-1] == timedelta(hours=12)


def test_gives_up_after_fifteen_days_and_leaves_it_to_a_moderator(akismet_api, make_pending):
    comment = held_during_outage(akismet_api, make_pending)
    Comment.objects.filter(pk=comment.pk).update(submitted_at=timezone.now() - timedelta(days=15, minutes=1))
    time_passes(minutes=2)
    summary = spam.recheck_due_comments()
    comment.refresh_from_db()
    assert summary["given_up"] == 1
    assert comment.status == Comment.Status.PENDING
    assert comment.next_recheck_at is None
    assert "a moderator must decide" in comment.pending_reason
    assert akismet_api.calls("comment-check") == []
    assert comment.events.filter(kind=CommentEvent.Kind.AKISMET, action="Gave up").count() == 1
    # Given up is final: later runs leave it alone.
    assert spam.recheck_due_comments()["given_up"] == 0


def test_a_moderator_decision_is_never_overwritten(akismet_api, make_pending):
    comment = held_during_outage(akismet_api, make_pending)
    Comment.objects.filter(pk=comment.pk).update(status=Comment.Status.SPAM)
    time_passes(minutes=2)
    spam.recheck_due_comments()
    comment.refresh_from_db()
    assert comment.status == Comment.Status.SPAM
    assert akismet_api.calls("comment-check") == []


def test_invalid_key_is_not_retried_on_every_run(akismet_api, make_pending):
    akismet_api.key_valid = False
    comment = make_pending()
    spam.screen_comment(comment)
    for _ in range(4):
        time_passes(hours=13)
        spam.recheck_due_comments()
    comment.refresh_from_db()
    assert comment.status == Comment.Status.PENDING
    assert comment.recheck_attempts == 5
    # One verification, remembered; the runs themselves send nothing.
    assert [name for name, _ in akismet_api.requests] == ["verify-key"]


def test_a_comment_that_was_never_screened_is_checked(akismet_api, make_pending):
    comment = make_pending(submitted_at=timezone.now() - timedelta(minutes=11))
    fresh = make_pending()
    spam.recheck_due_comments()
    comment.refresh_from_db()
    fresh.refresh_from_db()
    assert comment.status == Comment.Status.PUBLISHED
    assert fresh.status == Comment.Status.PENDING  # the posting request may still be screening it
    [check] = akismet_api.calls("comment-check")
    assert "recheck_reason" not in check
    assert check["comment_content"] == comment.body


def test_command_rechecks_and_reports(akismet_api, make_pending):
    held_during_outage(akismet_api, make_pending)
    held_during_outage(akismet_api, make_pending, body="Cheap pills at casino.example")
    akismet_api.verdict = lambda data: "spam" if "casino" in data["comment_content"] else "ham"
    time_passes(minutes=2)
    out = StringIO()
    call_command("recheck_comments", stdout=out)
    assert "Re-checked 2: 1 ham, 1 spam, 0 blatant spam; 0 failed, 0 still waiting" in out.getvalue()
    assert sorted(Comment.objects.values_list("status", flat=True)) == ["published", "spam"]


def test_command_without_a_key_says_checking_is_off(settings):
    settings.AKISMET_API_KEY = ""
    err = StringIO()
    call_command("recheck_comments", stdout=StringIO(), stderr=err)
    assert "Spam checking is off" in err.getvalue()


@override_settings(TASKS=DUMMY_TASKS)
def test_a_worker_backend_gets_the_recheck_scheduled_once(
    akismet_api, make_pending, django_capture_on_commit_callbacks
):
    backend = task_backends["default"]
    backend.clear()
    with django_capture_on_commit_callbacks(execute=True):
        first = held_during_outage(akismet_api, make_pending)
        held_during_outage(akismet_api, make_pending)
    [scheduled] = backend.results
    assert scheduled.task.func is tasks.recheck_comments.func
    assert scheduled.task.run_after == first.next_recheck_at
    # The worker runs it: everything is checked, nothing is left to schedule.
    time_passes(minutes=2)
    summary = scheduled.task.call()
    assert summary["ham"] == 2
    assert len(backend.results) == 1


@override_settings(TASKS=DUMMY_TASKS)
def test_a_failed_worker_run_schedules_the_next_one_at_the_back_off(akismet_api, make_pending):
    backend = task_backends["default"]
    held_during_outage(akismet_api, make_pending)
    backend.clear()
    akismet_api.failure = "500"
    time_passes(minutes=2)
    tasks.recheck_comments.call()
    comment = Comment.objects.get()
    [scheduled] = backend.results
    assert scheduled.task.run_after == comment.next_recheck_at > timezone.now()


def test_burst_of_200_comments_while_akismet_is_down_is_kept_and_resolved(
    akismet_api, client, article, settings, monkeypatch
):
    settings.COMMENTS_RATE_LIMIT_SECONDS = 0
    # The burst must fall inside one pause however slow a loaded machine posts 200 comments.
    monkeypatch.setattr(spam, "OUTAGE_PAUSE", timedelta(minutes=30))
    akismet_api.failure = "refused"
    url = reverse("comments:post", kwargs={"article_id": article.pk})
    for n in range(200):
        body = f"Comment {n} from the crowd." + (" Visit casino.example now!" if n % 10 == 0 else "")
        response = client.post(
            url,
            {"name": f"Reader {n}", "email": f"reader{n}@example.com", "comment": body},
            REMOTE_ADDR=f"198.51.100.{n % 250 + 1}",
            HTTP_USER_AGENT="Mozilla/5.0",
            HTTP_REFERER="https://news.example.com/",
        )
        assert response.status_code == 302
    # Every comment is stored, none is shown unchecked, and the reader heard why.
    assert Comment.objects.count() == 200
    assert set(Comment.objects.values_list("status", "akismet_verdict")) == {("pending", "error")}
    article.refresh_from_db()
    assert article.comment_count == 0
    response = client.get(response["Location"])
    assert "awaiting moderation" in response.content.decode()
    # The first reader waited for the failure; the rest did not wait for Akismet at all.
    assert len(akismet_api.requests) == 1

    akismet_api.failure = None
    akismet_api.verdict = lambda data: "spam" if "casino" in data["comment_content"] else "ham"
    time_passes(minutes=2)
    out = StringIO()
    call_command("recheck_comments", stdout=out)
    assert "Re-checked 200: 180 ham, 20 spam" in out.getvalue()
    assert Comment.objects.published().count() == 180
    assert Comment.objects.spam().count() == 20
    assert not Comment.objects.pending().exists()
    checks = akismet_api.calls("comment-check")
    assert len(checks) == 200 and all(check["recheck_reason"] == "retry" for check in checks)
    assert {check["comment_author"] for check in checks} == {f"Reader {n}" for n in range(200)}
    article.refresh_from_db()
    assert article.comment_count == 180


@pytest.mark.django_db(transaction=True, serialized_rollback=True)  # the worker runs its own transactions
@override_settings(TASKS={"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}})
def test_production_worker_rechecks_and_sends_feedback(akismet_api, make_pending):
    from django_tasks_db.models import DBTaskResult

    def run_worker():
        call_command("db_worker", batch=True, startup_delay=False, interval=0, reload=False, stdout=StringIO())

    comment = held_during_outage(akismet_api, make_pending)
    [queued] = DBTaskResult.objects.all()
    assert queued.task_path == "comments.tasks.recheck_comments"
    assert queued.run_after == comment.next_recheck_at
    run_worker()  # not due yet: the worker leaves it
    assert Comment.objects.get().status == Comment.Status.PENDING

    time_passes(minutes=2)
    DBTaskResult.objects.update(run_after=timezone.now())
    run_worker()
    comment.refresh_from_db()
    assert comment.status == Comment.Status.PUBLISHED

    assert spam.queue_feedback(comments=[comment], kind="spam", actor=None) == 1
    assert akismet_api.calls("submit-spam") == []  # the moderator's request only enqueued it
    run_worker()
    assert len(akismet_api.calls("submit-spam")) == 1
