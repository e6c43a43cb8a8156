from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import override_settings
from django.utils import timezone
from django_tasks import task_backends

from comments import spam, tasks
from comments.models import AkismetFeedback, Comment, CommentEvent
from tests.comments.akismet_fakes import sent_form

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_akismet_network")]


def screened(akismet_api, make_pending, verdict, **extra):
    akismet_api.verdict = verdict
    comment = make_pending(**extra)
    spam.screen_comment(comment)
    comment.refresh_from_db()
    return comment


def without_credentials(data):
    return {key: value for key, value in data.items() if key not in ("api_key", "blog")}


def test_spam_akismet_passed_is_reported_with_the_original_submission(
    akismet_api, make_pending, moderator, django_capture_on_commit_callbacks
):
    comment = screened(akismet_api, make_pending, "ham")
    [check] = akismet_api.calls("comment-check")
    with django_capture_on_commit_callbacks(execute=True):
        queued = spam.queue_feedback(comments=Comment.objects.filter(pk=comment.pk), kind="spam", actor=moderator)
    assert queued == 1
    [submitted] = akismet_api.calls("submit-spam")
    assert without_credentials(submitted) == without_credentials(check)
    assert akismet_api.calls("submit-ham") == []
    feedback = AkismetFeedback.objects.get()
    assert feedback.sent_at is not None and feedback.attempts == 1
    history = comment.events.filter(kind=CommentEvent.Kind.FEEDBACK)
    assert list(history.values_list("action", "actor")) == [
        ("submit-spam queued", moderator.pk),
        ("submit-spam sent", None),
    ]


@pytest.mark.parametrize("verdict", ["spam", "discard"])
def test_approving_what_akismet_called_spam_sends_submit_ham(
    akismet_api, make_pending, moderator, verdict, django_capture_on_commit_callbacks
):
    comment = screened(akismet_api, make_pending, verdict)
    with django_capture_on_commit_callbacks(execute=True):
        assert spam.queue_feedback(comments=[comment], kind="ham", actor=moderator) == 1
    [submitted] = akismet_api.calls("submit-ham")
    assert without_credentials(submitted) == sent_form(comment.akismet_payload)


def test_feedback_only_where_akismet_judged_the_other_way(akismet_api, make_pending, make_comment, article, settings):
    ham = screened(akismet_api, make_pending, "ham")
    caught = screened(akismet_api, make_pending, "spam")
    never_checked = make_comment(article)  # no payload: Akismet never saw it
    akismet_api.failure = "500"
    failed = make_pending()
    spam.screen_comment(failed)
    everything = Comment.objects.all()
    assert spam.queue_feedback(comments=everything.filter(pk=ham.pk), kind="ham", actor=None) == 0
    assert spam.queue_feedback(comments=everything.filter(pk=caught.pk), kind="spam", actor=None) == 0
    assert spam.queue_feedback(comments=everything.filter(pk=never_checked.pk), kind="spam", actor=None) == 0
    assert spam.queue_feedback(comments=everything.filter(pk=failed.pk), kind="spam", actor=None) == 0
    assert not AkismetFeedback.objects.exists()
    assert spam.queue_feedback(comments=everything, kind="spam", actor=None) == 1
    assert AkismetFeedback.objects.get().comment == ham


def test_an_unsent_correction_is_withdrawn_not_contradicted(akismet_api, make_pending, moderator):
    comment = screened(akismet_api, make_pending, "ham")
    assert spam.queue_feedback(comments=[comment], kind="spam", actor=moderator) == 1
    # The moderator changes their mind before the feedback went out.
    assert spam.queue_feedback(comments=[comment], kind="ham", actor=moderator) == 0
    assert not AkismetFeedback.objects.exists()
    actions = list(comment.events.filter(kind=CommentEvent.Kind.FEEDBACK).values_list("action", flat=True))
    assert actions == ["submit-spam queued", "submit-spam withdrawn"]


def test_a_sent_correction_can_be_reversed(akismet_api, make_pending, django_capture_on_commit_callbacks):
    comment = screened(akismet_api, make_pending, "ham")
    with django_capture_on_commit_callbacks(execute=True):
        spam.queue_feedback(comments=[comment], kind="spam", actor=None)
    assert spam.queue_feedback(comments=[comment], kind="spam", actor=None) == 0  # said already
    with django_capture_on_commit_callbacks(execute=True):
        assert spam.queue_feedback(comments=[comment], kind="ham", actor=None) == 1
    assert len(akismet_api.calls("submit-spam")) == 1
    assert len(akismet_api.calls("submit-ham")) == 1


def test_feedback_failure_is_retried_and_never_blocks_the_moderator(
    akismet_api, make_pending, django_capture_on_commit_callbacks
):
    comment = screened(akismet_api, make_pending, "ham")
    akismet_api.failure = "500"
    with django_capture_on_commit_callbacks(execute=True):
        assert spam.queue_feedback(comments=[comment], kind="spam", actor=None) == 1
    feedback = AkismetFeedback.objects.get()
    assert feedback.sent_at is None
    assert feedback.attempts == 1
    assert feedback.last_error == "Akismet answered HTTP 500"
    assert feedback.next_attempt_at > timezone.now()

    akismet_api.failure = None
    AkismetFeedback.objects.update(next_attempt_at=timezone.now())
    out = StringIO()
    call_command("recheck_comments", stdout=out)
    assert "Feedback: 1 sent, 0 failed, 0 still owed." in out.getvalue()
    feedback.refresh_from_db()
    assert feedback.sent_at is not None and feedback.attempts == 2


def test_feedback_is_still_sent_after_the_comment_is_deleted(akismet_api, make_pending):
    comment = screened(akismet_api, make_pending, "ham")
    spam.queue_feedback(comments=[comment], kind="spam", actor=None)
    payload = comment.akismet_payload
    comment.delete()
    assert spam.send_due_feedback()["sent"] == 1
    [submitted] = akismet_api.calls("submit-spam")
    assert without_credentials(submitted) == sent_form(payload)


def test_feedback_gives_up_after_fifteen_days(akismet_api, make_pending):
    comment = screened(akismet_api, make_pending, "ham")
    spam.queue_feedback(comments=[comment], kind="spam", actor=None)
    AkismetFeedback.objects.update(created_at=timezone.now() - timedelta(days=15, minutes=1))
    assert spam.send_due_feedback() == {"sent": 0, "failed": 0, "remaining": 0}
    assert akismet_api.calls("submit-spam") == []


def test_queueing_never_raises_into_the_moderators_action(akismet_api, make_pending, monkeypatch, caplog):
    comment = screened(akismet_api, make_pending, "ham")

    def broken(*args, **kwargs):
        raise RuntimeError("database hiccup")

    monkeypatch.setattr(AkismetFeedback.objects, "bulk_create", broken)
    assert spam.queue_feedback(comments=[comment], kind="spam", actor=None) == 0
    assert "Could not queue Akismet" in caplog.text
    # The moderator's own transaction is intact and carries on.
    Comment.objects.filter(pk=comment.pk).update(status=Comment.Status.SPAM)
    assert Comment.objects.spam().count() == 1


def test_without_a_key_nothing_is_owed(settings, make_comment, article):
    settings.AKISMET_API_KEY = ""
    comment = make_comment(article, akismet_verdict=Comment.Verdict.HAM, akismet_payload={"user_ip": "203.0.113.9"})
    assert spam.queue_feedback(comments=[comment], kind="spam", actor=None) == 0
    assert not AkismetFeedback.objects.exists()


def test_queueing_walks_a_large_selection_in_batches(akismet_api, article, django_assert_max_num_queries):
    payload = {"user_ip": "203.0.113.9", "comment_content": "Buy now"}
    Comment.objects.bulk_create(
        Comment(
            article=article,
            author_name="x",
            author_email=f"x{n}@example.com",
            body=f"Buy now {n}",
            akismet_verdict=Comment.Verdict.HAM,
            akismet_payload=payload,
        )
        for n in range(2500)
    )
    # A few queries per batch of 1,000 (SQLite splits each insert further at its parameter limit): never
    # one per comment, never the whole selection in memory.
    with django_assert_max_num_queries(60):
        queued = spam.queue_feedback(comments=Comment.objects.all(), kind="spam", actor=None)
    assert queued == 2500
    assert AkismetFeedback.objects.filter(kind="spam", payload=payload).count() == 2500
    assert CommentEvent.objects.filter(action="submit-spam queued").count() == 2500


def test_in_request_sending_is_bounded_and_cron_sends_the_rest(
    akismet_api, make_pending, django_capture_on_commit_callbacks
):
    comments = [screened(akismet_api, make_pending, "ham") for _ in range(tasks.IN_REQUEST_FEEDBACK + 5)]
    with django_capture_on_commit_callbacks(execute=True):
        spam.queue_feedback(comments=Comment.objects.filter(pk__in=[c.pk for c in comments]), kind="spam", actor=None)
    assert len(akismet_api.calls("submit-spam")) <= tasks.IN_REQUEST_FEEDBACK
    call_command("recheck_comments", stdout=StringIO())
    assert len(akismet_api.calls("submit-spam")) == len(comments)
    assert not AkismetFeedback.objects.filter(sent_at__isnull=True).exists()


@override_settings(TASKS={"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}})
def test_with_a_worker_the_moderator_only_enqueues(akismet_api, make_pending, django_capture_on_commit_callbacks):
    backend = task_backends["default"]
    backend.clear()
    comment = screened(akismet_api, make_pending, "ham")
    with django_capture_on_commit_callbacks(execute=True):
        spam.queue_feedback(comments=[comment], kind="spam", actor=None)
    assert akismet_api.calls("submit-spam") == []
    [enqueued] = backend.results
    assert enqueued.task.func is tasks.send_feedback.func
    enqueued.task.call(*enqueued.args, **enqueued.kwargs)
    assert len(akismet_api.calls("submit-spam")) == 1


def test_nothing_is_sent_before_the_moderators_transaction_commits(akismet_api, make_pending):
    comment = screened(akismet_api, make_pending, "ham")
    spam.queue_feedback(comments=[comment], kind="spam", actor=None)
    assert connection.run_on_commit  # sending waits for the commit
    assert akismet_api.calls("submit-spam") == []


@override_settings(TASKS={"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}})
def test_failed_feedback_waits_for_its_back_off_on_a_worker(akismet_api, make_pending):
    backend = task_backends["default"]
    comment = screened(akismet_api, make_pending, "ham")
    spam.queue_feedback(comments=[comment], kind="spam", actor=None)
    # Feedback given up on long ago must not keep the worker spinning.
    long_ago = timezone.now() - timedelta(days=16)
    AkismetFeedback.objects.create(kind="ham", payload={"user_ip": "203.0.113.9"}, created_at=long_ago)
    backend.clear()
    akismet_api.failure = "500"
    tasks.send_feedback.call()
    owed = AkismetFeedback.objects.get(comment=comment)
    [scheduled] = backend.results
    assert scheduled.task.run_after == owed.next_attempt_at > timezone.now()


def test_feedback_for_a_purged_comment_leaves_no_stray_history(akismet_api, make_pending):
    comment = screened(akismet_api, make_pending, "ham")
    spam.queue_feedback(comments=[comment], kind="spam", actor=None)
    # A set-based purge removes the comment and its history but leaves the owed feedback pointing at it.
    CommentEvent.objects.filter(comment=comment)._raw_delete(CommentEvent.objects.db)
    Comment.objects.filter(pk=comment.pk)._raw_delete(Comment.objects.db)
    assert spam.send_due_feedback()["sent"] == 1
    assert len(akismet_api.calls("submit-spam")) == 1
    assert not CommentEvent.objects.exists()
