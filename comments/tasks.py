"""Background work for spam checking, run through django-tasks.

With the immediate backend (the laptop default) a task runs inside the request that enqueues it and nothing
can be deferred, so re-checks happen when `manage.py recheck_comments` runs (cron). With a worker backend
(`TASK_BACKEND=database` and `manage.py db_worker`) a failed check schedules its own re-check at the time
its back-off says, and feedback is sent by the worker.
"""

import logging
from datetime import datetime, timedelta

from django.core.cache import cache
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
    next_at = (
        Comment.objects.pending()
        .filter(akismet_verdict=Comment.Verdict.ERROR, next_recheck_at__isnull=False)
        .order_by("next_recheck_at")
        .values_list("next_recheck_at", flat=True)
        .first()
    )
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


def _schedule(task_, key: str, when: datetime) -> None:
    """Enqueue `task_` to run at `when` unless a run at or before then is already waiting."""
    if not task_backends[task_.backend].supports_defer:
        return
    scheduled = cache.get(key)
    if scheduled is not None and datetime.fromisoformat(scheduled) <= when:
        return
    when = max(when, timezone.now())
    # The marker expires on its own in case the worker loses the task.
    cache.set(key, when.isoformat(), timeout=(when - timezone.now() + timedelta(hours=1)).total_seconds())
    task_.using(run_after=when).enqueue()


def schedule_recheck(when: datetime) -> None:
    """Have the worker re-check held comments at `when` (nothing with the immediate backend: cron does it)."""
    try:
        _schedule(recheck_comments, _RECHECK_SCHEDULED, when)
    except Exception:
        logger.exception("Could not schedule the Akismet re-check; cron's recheck_comments will pick it up")


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
