"""System checks for spam checking: loud when Akismet is off or its key is wrong."""

from django.conf import settings
from django.core import checks
from django_tasks import task_backends
from django_tasks.backends.immediate import ImmediateBackend

from comments import spam


def akismet_configuration(app_configs=None, **kwargs):
    messages = []
    if not settings.AKISMET_API_KEY:
        messages.append(
            checks.Warning(
                "Spam checking is off: AKISMET_API_KEY is not set.",
                hint="Set AKISMET_API_KEY (and SITE_URL) in the environment; until then comments are not "
                "screened by Akismet and simply follow the moderation setting.",
                id="comments.W001",
            )
        )
        return messages
    if not settings.SITE_URL.startswith(("http://", "https://")):
        messages.append(
            checks.Error(
                f"SITE_URL {settings.SITE_URL!r} is not a full http(s) URL, which Akismet requires.",
                id="comments.E002",
            )
        )
    elif spam.key_is_known_invalid():
        messages.append(_invalid_key())
    return messages


def akismet_key(app_configs=None, **kwargs):
    """With --deploy: verify the key with Akismet now (one request), so a bad key shows before go-live."""
    if not settings.AKISMET_API_KEY or not settings.SITE_URL.startswith(("http://", "https://")):
        return []
    try:
        spam.get_client()
    except spam.SpamCheckUnavailable as exc:
        if exc.invalid_key:
            return [_invalid_key()]
        return [
            checks.Warning(
                f"The Akismet key could not be verified: {exc.reason}.",
                hint="Comments are held as pending while Akismet cannot be reached.",
                id="comments.W004",
            )
        ]
    return []


def task_backend(app_configs=None, **kwargs):
    """With --deploy: re-checks and feedback need a worker or cron in production."""
    if isinstance(task_backends["default"], ImmediateBackend):
        return [
            checks.Warning(
                "Tasks run with the immediate backend: Akismet re-checks only run when cron calls "
                "`manage.py recheck_comments`, and feedback is sent inside moderators' requests.",
                hint="Set TASK_BACKEND=database and run `manage.py db_worker`, or schedule recheck_comments.",
                id="comments.W005",
            )
        ]
    return []


def _invalid_key():
    return checks.Warning(
        f"Akismet rejected AKISMET_API_KEY for {spam.site_url()}.",
        hint="New comments are held as pending without a spam check until the key (or SITE_URL) is fixed.",
        id="comments.W003",
    )


def register() -> None:
    checks.register(akismet_configuration, "comments")
    checks.register(akismet_key, "comments", deploy=True)
    checks.register(task_backend, "comments", deploy=True)
