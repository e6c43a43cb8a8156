"""Background work for spam checking, run through django-tasks.

With the immediate backend (the laptop default) a task runs inside the request that enqueues it and nothing
can be deferred, so re-checks happen when `manage.py recheck_comments` runs (cron). With a worker backend
(`TASK_BACKEND=database` and `manage.py db_worker`) a failed check schedules its own re-check at the time
its back-off says, and feedback is sent by the worker.
"""

import logging
from datetime import datetime, timedelta

from django.core.cache import cache
from django.db import transaction
from django.utils import timezone
from django_tasks import task, task_backends
from django_tasks.backends.immediate import ImmediateBackend

from comments import spam
from comments.models import Comment

logger = logging.getLogger(__name__)

# Inside a moderator's request (immediate backend) only this much feedback is sent; the rest waits for cron.
IN_REQUEST_FEEDBACK = 10

_RECHECK_SCHEDULED = "akismet:recheck-scheduled"
_FEEDBACK_SCHEDULED = "akismet:feedback-scheduled"


@task()
def recheck_comments(limit: int = 500) -> dict:
    """Re-check comments Akismet could not check, then schedule the next run if some are still waiting."""
    cache.delete(_RECHECK_SCHEDULED)
    summary = spam.recheck_due_comments(limit=limit)
    # Failed checks and comments whose screening never happened (the database went away after the insert) alike.
    next_at = spam.next_recheck_due()
    if next_at is not None:
        schedule_recheck(next_at)
    return summary


@task()
def send_feedback(limit: int = 500, time_budget: float = 60.0) -> dict:
    """Send owed submit-spam / submit-ham calls; a worker keeps going until the queue is drained."""
    cache.delete(_FEEDBACK_SCHEDULED)
    summary = spam.send_due_feedback(limit=limit, time_budget=time_budget)
    if not _runs_in_request(send_feedback):
        if summary["remaining"] and not summary["failed"]:
            _schedule(send_feedback, _FEEDBACK_SCHEDULED, timezone.now())
        elif summary["failed"]:
            next_at = spam.owed_feedback().order_by("next_attempt_at").values_list("next_attempt_at", flat=True).first()
            if next_at is not None:
                _schedule(send_feedback, _FEEDBACK_SCHEDULED, next_at)
    return summary


def _runs_in_request(task_) -> bool:
    return isinstance(task_backends[task_.backend], ImmediateBackend)


def _schedule(task_, key: str, when: datetime, *, in_transaction: bool = False) -> None:
    """Enqueue `task_` to run at `when` unless a run at or before then is already waiting.

    `in_transaction`: the enqueue belongs to the caller's transaction, so the "already waiting" marker is only
    set once that commits (a rolled-back booking must not make later ones skip).
    """
    if not task_backends[task_.backend].supports_defer:
        return
    scheduled = cache.get(key)
    if scheduled is not None and datetime.fromisoformat(scheduled) <= when:
        return
    when = max(when, timezone.now())

    def mark():
        # The marker expires on its own in case the worker loses the task.
        cache.set(key, when.isoformat(), timeout=(when - timezone.now() + timedelta(hours=1)).total_seconds())

    if in_transaction:
        task_.using(run_after=when).enqueue()
        transaction.on_commit(mark, robust=True)
    else:
        mark()
        task_.using(run_after=when).enqueue()


def schedule_recheck(when: datetime) -> None:
    """Have the worker re-check held comments at `when` (nothing with the immediate backend: cron does it)."""
    try:
        _schedule(recheck_comments, _RECHECK_SCHEDULED, when)
    except Exception:
        logger.exception("Could not schedule the Akismet re-check; cron's recheck_comments will pick it up")


def book_first_check(comment: Comment) -> None:
    """Book a re-check for when a new comment's screening should long be over (UNCHECKED_GRACE).

    Called inside the transaction that inserts the comment: with the database task backend both rows commit
    together, so a comment whose screening is cut short (the database restarting under the request) is still
    screened by the worker. Errors are not swallowed here: the insert must fail with them. Runs already booked
    for earlier cover it (each run books the next for what is still waiting).
    """
    _schedule(recheck_comments, _RECHECK_SCHEDULED, comment.submitted_at + spam.UNCHECKED_GRACE, in_transaction=True)


def enqueue_feedback_send() -> None:
    """Start sending queued feedback; never raises into the moderator's action that queued it."""
    try:
        if _runs_in_request(send_feedback):
            send_feedback.enqueue(limit=IN_REQUEST_FEEDBACK, time_budget=1.0)
        else:
            send_feedback.enqueue()
    except Exception:
        logger.exception("Could not enqueue Akismet feedback; cron's recheck_comments will send it")


def connect() -> None:
    """Let comments.spam hand held comments and owed feedback to these tasks (CommentsConfig.ready calls it)."""
    spam.connect_background(schedule_recheck=schedule_recheck, enqueue_feedback_send=enqueue_feedback_send)
