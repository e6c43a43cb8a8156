"""A database that restarts under a request: nothing a reader posted is lost, and they are told the truth.

The PostgreSQL tests drop the request's own connection for real (pg_terminate_backend from a second
connection); the others make a query fail through Django's execute_wrapper and run on any database.
"""

from datetime import timedelta

import psycopg
import pytest
from django.db import OperationalError, connection
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from django_tasks import task_backends

from comments import services, spam, tasks
from comments.models import Comment

DUMMY_TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
needs_postgres = pytest.mark.skipif(connection.vendor != "postgresql", reason="drops a real PostgreSQL connection")


def post(client, article, **extra):
    data = {"name": "Ada", "email": "ada@example.com", "comment": "Words worth keeping.", "homepage": "", **extra}
    return client.post(reverse("comments:post", kwargs={"article_id": article.pk}), data)


def failing(sql_start: str):
    """An execute_wrapper that fails the first statement starting with `sql_start`, as a dropped connection would."""
    failed = []

    def wrapper(execute, sql, params, many, context):
        if sql.startswith(sql_start) and not failed:
            failed.append(sql)
            raise OperationalError("server closed the connection unexpectedly")
        return execute(sql, params, many, context)

    return wrapper


def drop_the_connection() -> None:
    """Have PostgreSQL end this process's connection, as a restart does; the next query on it fails."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    settings = connection.settings_dict
    conninfo = {
        "dbname": settings["NAME"],
        "user": settings["USER"],
        "host": settings["HOST"],
        "port": settings["PORT"],
    }
    with psycopg.connect(**{k: v for k, v in conninfo.items() if v}, autocommit=True) as other:
        other.execute("SELECT pg_terminate_backend(%s)", [pid])
        for _ in range(50):
            if not other.execute("SELECT 1 FROM pg_stat_activity WHERE pid = %s", [pid]).fetchone():
                break
            other.execute("SELECT pg_sleep(0.02)")


# --- On any database --------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_failed_insert_says_not_saved_and_keeps_the_words(client, article):
    with connection.execute_wrapper(failing('INSERT INTO "comments_comment"')):
        response = post(client, article)
    assert response.status_code == 503
    page = response.content.decode()
    assert "We could not save your comment, please try again." in page
    assert "Words worth keeping." in page  # still in the form, to post again
    assert not Comment.objects.exists()


@pytest.mark.django_db(transaction=True)
@override_settings(TASKS=DUMMY_TASKS, COMMENTS_RATE_LIMIT_SECONDS=0)
def test_screening_cut_short_after_the_insert_says_saved_and_the_worker_screens_it(client, article):
    backend = task_backends["default"]
    backend.clear()
    with connection.execute_wrapper(failing('UPDATE "comments_comment" SET "status"')):
        response = post(client, article)
    assert response.status_code == 302  # to the article: the comment is there, not "please try again"
    comment = Comment.objects.get()
    assert (comment.status, comment.akismet_verdict) == (Comment.Status.PENDING, Comment.Verdict.UNCHECKED)
    assert "awaiting moderation" in client.get(response["Location"]).content.decode()
    # Posting again is refused as a duplicate, which is the truth.
    assert post(client, article).status_code == 400

    [booked] = backend.results
    assert booked.task.func is tasks.recheck_comments.func
    assert booked.task.run_after == comment.submitted_at + spam.UNCHECKED_GRACE
    Comment.objects.update(submitted_at=timezone.now() - spam.UNCHECKED_GRACE - timedelta(seconds=1))
    booked.task.call()
    comment.refresh_from_db()
    assert comment.status == Comment.Status.PUBLISHED  # no Akismet key: the moderation setting decides
    assert comment.akismet_verdict == Comment.Verdict.SKIPPED


@pytest.mark.django_db
@override_settings(TASKS=DUMMY_TASKS)
def test_worker_books_its_next_run_for_a_comment_never_screened(article, make_comment):
    backend = task_backends["default"]
    comment = make_comment(article, status=Comment.Status.PENDING)
    backend.clear()
    tasks.recheck_comments.call()
    [booked] = backend.results
    assert booked.task.run_after == comment.submitted_at + spam.UNCHECKED_GRACE


@pytest.mark.django_db
def test_failed_page_after_saving_still_tells_the_reader_it_was_saved(client, article, monkeypatch):
    def broken_url(comment, **kwargs):
        with connection.execute_wrapper(failing("SELECT")):
            return Comment.objects.filter(pk=comment.pk).count()

    monkeypatch.setattr("comments.views.comment_url", broken_url)
    response = post(client, article)
    assert response.status_code == 202
    assert "Your comment was saved" in response.content.decode()
    assert Comment.objects.count() == 1


# --- On PostgreSQL, with the connection really dropped --------------------------------------------------------


@needs_postgres
@pytest.mark.django_db(transaction=True)
def test_reader_page_retries_once_on_a_dropped_connection(client, article, make_comment):
    comment = make_comment(article)
    drop_the_connection()
    response = client.get(reverse("comments:permalink", args=[comment.pk]))
    assert response.status_code == 302


@needs_postgres
@pytest.mark.django_db(transaction=True)
@override_settings(COMMENTS_RATE_LIMIT_SECONDS=0)
def test_post_on_a_dropped_connection_is_saved_once(client, article):
    drop_the_connection()
    response = post(client, article)
    assert response.status_code == 302
    assert Comment.objects.published().count() == 1


@needs_postgres
@pytest.mark.django_db(transaction=True)
@override_settings(TASKS=DB_TASKS, COMMENTS_RATE_LIMIT_SECONDS=0)
def test_restart_during_screening_leaves_a_stored_comment_with_its_recheck_booked(client, article, monkeypatch):
    from django_tasks_db.models import DBTaskResult

    screen = services.screen_comment

    def restart_then_screen(comment):
        drop_the_connection()
        screen(comment)

    monkeypatch.setattr(services, "screen_comment", restart_then_screen)
    response = post(client, article)
    assert response.status_code == 302
    comment = Comment.objects.get()
    assert (comment.status, comment.akismet_verdict) == (Comment.Status.PENDING, Comment.Verdict.UNCHECKED)
    [booked] = DBTaskResult.objects.all()
    assert booked.task_path == "comments.tasks.recheck_comments"
    assert booked.run_after == comment.submitted_at + spam.UNCHECKED_GRACE
