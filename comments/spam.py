"""Spam screening of new comments: blocklists first, then Akismet.

Akismet is asked once when a comment is posted, asked again by the re-check task while it could not answer,
and told about moderators' corrections (submit-spam / submit-ham) through the feedback queue. Whatever goes
wrong on the way, a comment is never lost and never published unchecked: it waits as pending, with the
reason, until Akismet answers or a moderator decides. docs/akismet.md has the whole story.
"""

import hashlib
import logging
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import akismet
import httpx
from django.conf import settings
from django.core.cache import cache
from django.db import models, transaction
from django.db.models.functions import Coalesce
from django.utils import timezone

from comments import blocklist
from comments.counters import sync_article_counts
from comments.forms import HONEYPOT_FIELD
from comments.models import AkismetFeedback, BlocklistEntry, Comment, CommentEvent

logger = logging.getLogger(__name__)

# Tests swap these to put Akismet behind an httpx.MockTransport or an akismet.TestSyncClient subclass, so the
# real code path (client construction, key verification, timeout) runs without the internet.
client_class: type[akismet.SyncClient] = akismet.SyncClient
http_transport: httpx.BaseTransport | None = None

# Akismet's recheck_reason for a comment sent again because the first check failed.
RECHECK_REASON = "retry"
# After this long without an answer a comment is left to a moderator, and owed feedback is dropped.
GIVE_UP_AFTER = timedelta(days=15)
# After a timeout or connection error new comments skip Akismet for this long instead of each making its
# reader wait for another timeout; the re-check task picks them up.
OUTAGE_PAUSE = timedelta(seconds=30)
# An invalid key is not a blip: verify it again only this often, not on every comment or re-check run.
INVALID_KEY_REVERIFY = timedelta(hours=6)
# A comment that is pending but was never checked (the process died in between) is picked up after this.
UNCHECKED_GRACE = timedelta(minutes=10)
# A row claimed by a re-check or feedback run is left alone by other runs for this long.
CLAIM_LEASE = timedelta(minutes=5)
FEEDBACK_BATCH = 1000

_PAUSE_KEY = "akismet:paused"
_client_cache: dict = {}
_local_pause: dict = {}


def _not_connected(*args) -> None:
    logger.warning("Akismet background tasks are not connected; cron's recheck_comments does the work")


# The background tasks (comments.tasks) run this module's re-checks and feedback, so this module cannot import
# them without a circle; instead comments.tasks hands its two enqueue functions over when it loads
# (CommentsConfig.ready calls comments.tasks.connect), and this module calls them after a transaction commits.
_background: dict[str, Callable] = dict.fromkeys(["schedule_recheck", "enqueue_feedback_send"], _not_connected)


def connect_background(*, schedule_recheck: Callable[[datetime], None], enqueue_feedback_send: Callable[[], None]):
    """Called once by comments.tasks: how a held comment gets its re-check, and owed feedback its sending."""
    _background.update(schedule_recheck=schedule_recheck, enqueue_feedback_send=enqueue_feedback_send)


class SpamCheckUnavailable(Exception):
    """Akismet gave no usable answer. `reason` is shown to moderators; `invalid_key` is the loud case."""

    def __init__(self, reason: str, *, invalid_key: bool = False):
        super().__init__(reason)
        self.reason = reason
        self.invalid_key = invalid_key


# --- The client ----------------------------------------------------------------------------------------


def site_url() -> str:
    return f"{settings.SITE_URL.rstrip('/')}/"


def _key_fingerprint() -> str:
    raw = f"{settings.AKISMET_API_KEY}|{site_url()}".encode()
    return hashlib.sha256(raw).hexdigest()[:16]


def _invalid_key_cache_key() -> str:
    return f"akismet:key-invalid:{_key_fingerprint()}"


def key_is_known_invalid() -> bool:
    """Whether Akismet rejected the configured key recently (shared through the cache; no network)."""
    return bool(settings.AKISMET_API_KEY) and cache.get(_invalid_key_cache_key()) is not None


def _mark_key_invalid() -> None:
    _client_cache.clear()
    cache.set(_invalid_key_cache_key(), timezone.now().isoformat(), timeout=INVALID_KEY_REVERIFY.total_seconds())
    logger.error(
        "Akismet rejected the API key for %s: comments are held as pending and not spam-checked until "
        "AKISMET_API_KEY (or SITE_URL) is fixed.",
        site_url(),
    )


def _pause(reason: str) -> None:
    """Skip Akismet for OUTAGE_PAUSE. The pause is kept in the shared cache, so every app server skips it at
    once, and in this process too: with the cache (Redis) down as well, a process that forgot would make every
    reader wait the full AKISMET_TIMEOUT again."""
    _local_pause.update(until=time.monotonic() + OUTAGE_PAUSE.total_seconds(), reason=reason)
    try:
        cache.set(_PAUSE_KEY, reason, timeout=OUTAGE_PAUSE.total_seconds())
    except Exception:
        logger.warning("Could not share the Akismet pause through the cache", exc_info=True)


def current_pause() -> str | None:
    """Why Akismet is being skipped right now (this process's pause first, then the shared one), or None."""
    if _local_pause and time.monotonic() < _local_pause["until"]:
        return _local_pause["reason"]
    try:
        return cache.get(_PAUSE_KEY)
    except Exception:
        return None


def _resume() -> None:
    _local_pause.clear()
    try:
        cache.delete(_PAUSE_KEY)
    except Exception:
        logger.warning("Could not clear the shared Akismet pause", exc_info=True)


def reset_client() -> None:
    """Forget the verified client and any pause (tests, or after changing the key at runtime)."""
    _client_cache.clear()
    _local_pause.clear()


def get_client() -> akismet.SyncClient | None:
    """The Akismet client, its key verified once per process; None when spam checking is off.

    Raises SpamCheckUnavailable when the key cannot be verified (Akismet down) or is invalid.
    """
    if not settings.AKISMET_API_KEY:
        return None
    signature = (settings.AKISMET_API_KEY, site_url(), settings.AKISMET_TIMEOUT, client_class, http_transport)
    if _client_cache.get("signature") == signature:
        return _client_cache["client"]
    if key_is_known_invalid():
        raise SpamCheckUnavailable("Akismet rejected the API key", invalid_key=True)
    http_client = httpx.Client(
        headers={"User-Agent": akismet.USER_AGENT}, timeout=settings.AKISMET_TIMEOUT, transport=http_transport
    )
    client = client_class(config=akismet.Config(key=settings.AKISMET_API_KEY, url=site_url()), http_client=http_client)
    try:
        valid = client.verify_key()
    except akismet.AkismetError as exc:
        http_client.close()
        raise _unavailable(exc) from exc
    if not valid:
        http_client.close()
        _mark_key_invalid()
        raise SpamCheckUnavailable("Akismet rejected the API key", invalid_key=True)
    _client_cache.clear()
    _client_cache.update(signature=signature, client=client)
    return client


def _unavailable(exc: Exception) -> SpamCheckUnavailable:
    """Turn what the client raised into a reason a moderator can read, and pause after an outage."""
    if isinstance(exc, akismet.APIKeyError):
        _mark_key_invalid()
        return SpamCheckUnavailable("Akismet rejected the API key", invalid_key=True)
    cause = exc.__cause__
    if isinstance(cause, httpx.TimeoutException):
        reason = "Akismet timed out"
    elif isinstance(cause, httpx.HTTPStatusError):
        reason = f"Akismet answered HTTP {cause.response.status_code}"
    elif isinstance(cause, httpx.TransportError):
        reason = "Akismet could not be reached"
    elif isinstance(exc, akismet.ProtocolError):
        reason = "Akismet gave an unexpected answer"
    else:
        reason = f"Spam check failed ({type(exc).__name__})"
    logger.warning("%s; comments wait as pending and are re-checked later.", reason)
    _pause(reason)
    return SpamCheckUnavailable(reason)


def spam_checking_status() -> str | None:
    """A note for the admin comment screens when spam checking is off or broken; None when all is well."""
    if not settings.AKISMET_API_KEY:
        return (
            "Spam checking is off: AKISMET_API_KEY is not set, so new comments are not checked by Akismet and "
            "simply follow the moderation setting."
        )
    if key_is_known_invalid():
        return (
            f"Akismet rejected the API key for {site_url()}. New comments are held as pending without a spam "
            "check until AKISMET_API_KEY (or SITE_URL) is fixed."
        )
    if reason := current_pause():
        return f"Akismet is not answering ({reason}). New comments are held as pending and re-checked later."
    return None


# --- What is sent -----------------------------------------------------------------------------------------


def _gmt(value) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ") if value else ""


def build_payload(comment: Comment) -> dict:
    """Everything Akismet's comment-check asks for, as it will be sent (and later repeated for feedback)."""
    article = comment.article
    payload = {
        "user_ip": comment.ip_address or "",
        "user_agent": comment.user_agent,
        "referrer": comment.referrer,
        "permalink": f"{settings.SITE_URL.rstrip('/')}{article.get_absolute_url()}",
        "comment_type": "reply" if comment.parent_id else "comment",
        "comment_author": comment.author_name,
        "comment_author_email": comment.author_email,
        "comment_author_url": comment.author_url,
        "comment_content": comment.body,
        "comment_date_gmt": _gmt(comment.submitted_at),
        "comment_post_modified_gmt": _gmt(article.published_at or article.created_at),
        "blog_lang": settings.SITE_LANGUAGE,
        "blog_charset": "UTF-8",
        "honeypot_field_name": HONEYPOT_FIELD,
    }
    if comment.user_id and comment.user.is_staff:
        # Akismet never calls an administrator's comment spam: staff are the newsroom itself.
        payload["user_role"] = "administrator"
    if settings.AKISMET_IS_TEST:
        payload["is_test"] = True
    return payload


def check_payload(payload: dict, *, recheck_reason: str = "") -> akismet.CheckResponse | None:
    """Akismet's verdict on a payload; None when checking is off. Raises SpamCheckUnavailable."""
    client = get_client()
    if client is None:
        return None
    extra = {"recheck_reason": recheck_reason} if recheck_reason else {}
    try:
        verdict = client.comment_check(**payload, **extra)
    except akismet.AkismetError as exc:
        raise _unavailable(exc) from exc
    _resume()
    return verdict


# --- New comments ---------------------------------------------------------------------------------------


def screen_comment(comment: Comment) -> None:
    """Give a just-saved (pending) comment its final status, save it and record why.

    Called by the posting service outside any transaction: the Akismet call takes up to AKISMET_TIMEOUT,
    and a database transaction must not be held open that long.
    """
    try:
        entry = blocklist.match_comment(comment)
    except Exception:
        # A broken blocklist must not lose the comment; Akismet still screens it.
        logger.exception("Blocklist check failed for comment %s", comment.pk)
        entry = None
    if entry is not None:
        _apply_blocklist(comment, entry)
        return
    if not settings.AKISMET_API_KEY:
        _follow_moderation(comment, Comment.Verdict.SKIPPED)
        comment.save(update_fields=_SCREEN_FIELDS)
        _record(comment, CommentEvent.Kind.AKISMET, "Not checked", "Spam checking is off (no AKISMET_API_KEY).")
        _sync_if_visible(comment)
        return

    comment.akismet_payload = build_payload(comment)
    try:
        if paused := current_pause():
            raise SpamCheckUnavailable(paused)
        verdict = check_payload(comment.akismet_payload)
    except SpamCheckUnavailable as exc:
        _hold_for_recheck(comment, exc.reason, invalid_key=exc.invalid_key)
        return
    except Exception:
        logger.exception("Spam check failed for comment %s", comment.pk)
        _hold_for_recheck(comment, "Spam check failed (internal error)")
        return
    _apply_verdict(comment, verdict)
    comment.save(update_fields=_SCREEN_FIELDS)
    _record(comment, CommentEvent.Kind.AKISMET, VERDICT_ACTIONS[verdict], _outcome(comment))
    _sync_if_visible(comment)


_SCREEN_FIELDS = [
    "status",
    "akismet_verdict",
    "akismet_payload",
    "pending_reason",
    "recheck_attempts",
    "next_recheck_at",
    "is_blatant",
]

VERDICT_ACTIONS = {
    akismet.CheckResponse.HAM: "Ham",
    akismet.CheckResponse.SPAM: "Spam",
    akismet.CheckResponse.DISCARD: "Blatant spam (discard)",
}


def _follow_moderation(comment: Comment, verdict: str) -> None:
    premoderated = comment.article.comments_premoderated
    comment.status = Comment.Status.PENDING if premoderated else Comment.Status.PUBLISHED
    comment.pending_reason = "Held for moderation" if premoderated else ""
    comment.akismet_verdict = verdict
    comment.next_recheck_at = None


def _apply_verdict(comment: Comment, verdict: akismet.CheckResponse) -> None:
    if verdict == akismet.CheckResponse.HAM:
        _follow_moderation(comment, Comment.Verdict.HAM)
        return
    comment.status = Comment.Status.SPAM
    comment.pending_reason = ""
    comment.next_recheck_at = None
    comment.akismet_verdict = Comment.Verdict.SPAM
    if verdict == akismet.CheckResponse.DISCARD:
        comment.akismet_verdict = Comment.Verdict.DISCARD
        comment.is_blatant = True


def _hold_for_recheck(comment: Comment, reason: str, *, invalid_key: bool = False) -> None:
    comment.status = Comment.Status.PENDING
    comment.akismet_verdict = Comment.Verdict.ERROR
    comment.recheck_attempts = 1
    comment.next_recheck_at = timezone.now() + retry_delay(1)
    comment.pending_reason = _pending_reason(reason, invalid_key=invalid_key)
    comment.save(update_fields=_SCREEN_FIELDS)
    _record(comment, CommentEvent.Kind.AKISMET, "Check failed", comment.pending_reason)
    transaction.on_commit(lambda: _schedule_recheck(comment.next_recheck_at), robust=True)


def _pending_reason(reason: str, *, invalid_key: bool) -> str:
    if invalid_key:
        return f"Not spam-checked: {reason}; checked again once the key is fixed"
    return f"Not spam-checked yet: {reason}; re-check scheduled"


def _apply_blocklist(comment: Comment, entry: BlocklistEntry) -> None:
    comment.akismet_verdict = Comment.Verdict.SKIPPED
    comment.next_recheck_at = None
    if entry.action == BlocklistEntry.Action.SPAM:
        comment.status = Comment.Status.SPAM
        comment.pending_reason = ""
    else:
        comment.status = Comment.Status.PENDING
        comment.pending_reason = f"Blocklist: {entry}"[:300]
    comment.save(update_fields=_SCREEN_FIELDS)
    _record(comment, CommentEvent.Kind.BLOCKLIST, entry.get_action_display(), str(entry))


def _outcome(comment: Comment) -> str:
    if comment.status == Comment.Status.PENDING:
        return comment.pending_reason
    return f"Status: {comment.get_status_display()}"


def _record(comment: Comment, kind: str, action: str, detail: str = "") -> None:
    CommentEvent.objects.create(comment=comment, kind=kind, action=action, detail=detail[:500])


def _sync_if_visible(comment: Comment) -> None:
    if comment.status == Comment.Status.PUBLISHED:
        sync_article_counts([comment.article_id])


def retry_delay(attempts: int) -> timedelta:
    """1, 2, 4 ... minutes, then twice a day: quick recovery from a blip, little noise during a long outage."""
    return min(timedelta(minutes=2 ** max(attempts - 1, 0)), timedelta(hours=12))


def _schedule_recheck(when) -> None:
    _background["schedule_recheck"](when)


# --- Re-checks ------------------------------------------------------------------------------------------


def due_rechecks() -> models.QuerySet:
    now = timezone.now()
    failed = models.Q(akismet_verdict=Comment.Verdict.ERROR, next_recheck_at__lte=now)
    # Saved as pending but never screened: the process died between saving and checking.
    never_checked = models.Q(akismet_verdict=Comment.Verdict.UNCHECKED, submitted_at__lte=now - UNCHECKED_GRACE)
    return Comment.objects.pending().filter(failed | never_checked)


def give_up_stale_rechecks() -> int:
    """Leave comments Akismet could not check for GIVE_UP_AFTER to a moderator, with a note in their history."""
    now = timezone.now()
    stale = Comment.objects.pending().filter(
        akismet_verdict=Comment.Verdict.ERROR,
        next_recheck_at__isnull=False,
        submitted_at__lt=now - GIVE_UP_AFTER,
    )
    days = GIVE_UP_AFTER.days
    reason = f"Akismet could not check it in {days} days; a moderator must decide"
    given_up = 0
    while pks := list(stale.order_by("pk").values_list("pk", flat=True)[:FEEDBACK_BATCH]):
        with transaction.atomic():
            given_up += Comment.objects.filter(pk__in=pks).update(next_recheck_at=None, pending_reason=reason)
            CommentEvent.objects.bulk_create(
                CommentEvent(comment_id=pk, kind=CommentEvent.Kind.AKISMET, action="Gave up", detail=reason)
                for pk in pks
            )
    return given_up


def recheck_due_comments(*, limit: int = 500, time_budget: float = 60.0) -> dict:
    """Ask Akismet again about comments it could not check, oldest due first.

    Stops at the first failure, after `limit` comments, or once `time_budget` seconds are spent. A failure
    means Akismet is still down, so every comment still due waits for the same next attempt: an outage costs
    one call per run, and runs thin out as the back-off grows. Returns counts for the log and the command.
    """
    summary = {"checked": 0, "ham": 0, "spam": 0, "discard": 0, "failed": 0, "given_up": 0, "remaining": 0}
    summary["given_up"] = give_up_stale_rechecks()
    if not settings.AKISMET_API_KEY:
        summary["checked"] = _screen_never_checked(limit=limit)
        return summary
    started = time.monotonic()
    due = due_rechecks().select_related("article", "user").order_by("next_recheck_at", "pk")
    for comment in due[:limit]:
        if time.monotonic() - started > time_budget:
            break
        if not _claim_comment(comment):
            continue
        outcome = recheck_comment(comment)
        if outcome is None:
            summary["failed"] += 1
            _postpone_due_rechecks(comment)
            break
        summary["checked"] += 1
        summary[outcome] += 1
    summary["remaining"] = due_rechecks().count()
    return summary


def _screen_never_checked(*, limit: int) -> int:
    """Without Akismet: give comments whose screening was cut short (the database went away after the insert)
    the status the blocklist and the moderation setting say."""
    screened = 0
    never_checked = due_rechecks().filter(akismet_verdict=Comment.Verdict.UNCHECKED).select_related("article")
    for comment in never_checked.order_by("pk")[:limit]:
        if _claim_comment(comment):
            screen_comment(comment)
            screened += 1
    return screened


def next_recheck_due():
    """When the re-check task should next run: the earliest failed check's retry, or the moment a comment whose
    screening never happened becomes due (its UNCHECKED_GRACE is over); None when nothing waits."""
    pending = Comment.objects.pending().order_by()
    retry = (
        pending.filter(akismet_verdict=Comment.Verdict.ERROR, next_recheck_at__isnull=False)
        .order_by("next_recheck_at")
        .values_list("next_recheck_at", flat=True)
        .first()
    )
    unchecked = (
        pending.filter(akismet_verdict=Comment.Verdict.UNCHECKED)
        .order_by("submitted_at")
        .values_list("submitted_at", flat=True)
        .first()
    )
    times = [when for when in (retry, unchecked and unchecked + UNCHECKED_GRACE) if when is not None]
    return min(times, default=None)


def _claim_comment(comment: Comment) -> bool:
    """Take the comment for this run; another worker that got there first wins."""
    claimed = Comment.objects.filter(
        pk=comment.pk,
        status=Comment.Status.PENDING,
        akismet_verdict=comment.akismet_verdict,
        next_recheck_at=comment.next_recheck_at,
    ).update(next_recheck_at=timezone.now() + CLAIM_LEASE)
    return claimed == 1


def _postpone_due_rechecks(failed: Comment) -> None:
    failed.refresh_from_db(fields=["next_recheck_at", "pending_reason"])
    if failed.next_recheck_at is None:
        return
    due_rechecks().filter(akismet_verdict=Comment.Verdict.ERROR).update(
        recheck_attempts=models.F("recheck_attempts") + 1,
        next_recheck_at=failed.next_recheck_at,
        pending_reason=failed.pending_reason,
    )


def recheck_comment(comment: Comment) -> str | None:
    """Check one held comment again; its verdict if Akismet answered ("ham", "spam", "discard"), else None."""
    first_check = comment.akismet_verdict == Comment.Verdict.UNCHECKED or not comment.akismet_payload
    if not comment.akismet_payload:
        comment.akismet_payload = build_payload(comment)
        Comment.objects.filter(pk=comment.pk).update(akismet_payload=comment.akismet_payload)
    try:
        verdict = check_payload(comment.akismet_payload, recheck_reason="" if first_check else RECHECK_REASON)
    except Exception as exc:
        if not isinstance(exc, SpamCheckUnavailable):
            logger.exception("Re-check failed for comment %s", comment.pk)
            exc = SpamCheckUnavailable("Spam check failed (internal error)")
        attempts = comment.recheck_attempts + 1
        Comment.objects.filter(pk=comment.pk, status=Comment.Status.PENDING).update(
            akismet_verdict=Comment.Verdict.ERROR,
            recheck_attempts=attempts,
            next_recheck_at=timezone.now() + retry_delay(attempts),
            pending_reason=_pending_reason(exc.reason, invalid_key=exc.invalid_key),
        )
        if first_check:
            _record(comment, CommentEvent.Kind.AKISMET, "Check failed", exc.reason)
        return None
    if verdict is None:  # the key was removed meanwhile: nothing to check with
        return None
    _apply_verdict(comment, verdict)
    # Conditional: a moderator who decided meanwhile has the last word.
    updated = Comment.objects.filter(pk=comment.pk, status=Comment.Status.PENDING).update(
        status=comment.status,
        akismet_verdict=comment.akismet_verdict,
        pending_reason=comment.pending_reason,
        next_recheck_at=None,
        is_blatant=comment.is_blatant,
        recheck_attempts=comment.recheck_attempts + 1,
    )
    if updated:
        action = VERDICT_ACTIONS[verdict] if first_check else f"Re-check: {VERDICT_ACTIONS[verdict]}"
        _record(comment, CommentEvent.Kind.AKISMET, action, _outcome(comment))
        _sync_if_visible(comment)
    return comment.akismet_verdict


# --- Feedback from moderators ------------------------------------------------------------------------------


def _akismet_belief() -> models.Expression:
    """What Akismet was last told about a comment: the latest feedback, else its own verdict."""
    latest_feedback = (
        AkismetFeedback.objects.filter(comment=models.OuterRef("pk")).order_by("-created_at", "-id").values("kind")
    )
    verdict = models.Case(
        models.When(akismet_verdict=Comment.Verdict.HAM, then=models.Value(AkismetFeedback.Kind.HAM)),
        models.When(
            akismet_verdict__in=[Comment.Verdict.SPAM, Comment.Verdict.DISCARD],
            then=models.Value(AkismetFeedback.Kind.SPAM),
        ),
        default=models.Value(""),
        output_field=models.CharField(),
    )
    return Coalesce(models.Subquery(latest_feedback[:1]), verdict, output_field=models.CharField())


def feedback_due(comments, kind: str) -> models.QuerySet:
    """The comments Akismet should be told `kind` about: those it last judged the other way."""
    opposite = AkismetFeedback.Kind.HAM if kind == AkismetFeedback.Kind.SPAM else AkismetFeedback.Kind.SPAM
    return (
        Comment.objects.filter(pk__in=_pks(comments))
        .exclude(akismet_payload={})
        .annotate(akismet_belief=_akismet_belief())
        .filter(akismet_belief=opposite)
    )


def _pks(comments) -> models.QuerySet:
    if isinstance(comments, models.QuerySet):
        return comments.order_by().values("pk")
    return Comment.objects.filter(pk__in=[comment.pk for comment in comments]).values("pk")


def queue_feedback(*, comments, kind: str, actor=None) -> int:
    """Owe Akismet a submit-spam or submit-ham for each comment it judged the other way; returns how many.

    `comments` is a queryset (any size: it is walked in batches, never loaded whole) or a list of comments;
    `kind` is AkismetFeedback.Kind.SPAM ("spam") or .HAM ("ham"). Feedback repeats each comment's stored
    original submission. An unsent correction the other way is withdrawn instead, since Akismet never heard
    it. Sending happens after the moderator's transaction commits, in a background task; nothing here waits
    for Akismet, and a failure here is logged, never raised into the moderator's action.
    """
    kind = AkismetFeedback.Kind(kind)
    if not settings.AKISMET_API_KEY:
        return 0
    try:
        with transaction.atomic():
            queued = _queue_feedback(comments, kind, actor)
    except Exception:
        logger.exception("Could not queue Akismet %s feedback", kind.label)
        return 0
    if queued:
        transaction.on_commit(_enqueue_feedback_send, robust=True)
    return queued


def _queue_feedback(comments, kind: AkismetFeedback.Kind, actor) -> int:
    opposite = AkismetFeedback.Kind.HAM if kind == AkismetFeedback.Kind.SPAM else AkismetFeedback.Kind.SPAM
    withdrawn = AkismetFeedback.objects.filter(comment_id__in=_pks(comments), kind=opposite, sent_at__isnull=True)
    withdrawn_ids = list(withdrawn.values_list("comment_id", flat=True).distinct())
    if withdrawn_ids:
        withdrawn.delete()
        for start in range(0, len(withdrawn_ids), FEEDBACK_BATCH):
            CommentEvent.objects.bulk_create(
                CommentEvent(
                    comment_id=pk, kind=CommentEvent.Kind.FEEDBACK, action=f"{opposite.label} withdrawn", actor=actor
                )
                for pk in withdrawn_ids[start : start + FEEDBACK_BATCH]
            )
    due = feedback_due(comments, kind).order_by("pk")
    queued, last_pk = 0, 0
    while batch := list(due.filter(pk__gt=last_pk).values_list("pk", "akismet_payload")[:FEEDBACK_BATCH]):
        now = timezone.now()
        AkismetFeedback.objects.bulk_create(
            AkismetFeedback(comment_id=pk, kind=kind, payload=payload, created_at=now, next_attempt_at=now)
            for pk, payload in batch
        )
        CommentEvent.objects.bulk_create(
            CommentEvent(comment_id=pk, kind=CommentEvent.Kind.FEEDBACK, action=f"{kind.label} queued", actor=actor)
            for pk, _ in batch
        )
        queued += len(batch)
        last_pk = batch[-1][0]
    return queued


def _enqueue_feedback_send() -> None:
    _background["enqueue_feedback_send"]()


def owed_feedback() -> models.QuerySet:
    """Feedback not sent yet and not given up on."""
    return AkismetFeedback.objects.filter(sent_at__isnull=True, created_at__gte=timezone.now() - GIVE_UP_AFTER)


def due_feedback() -> models.QuerySet:
    return owed_feedback().filter(next_attempt_at__lte=timezone.now())


def send_due_feedback(*, limit: int = 500, time_budget: float = 60.0) -> dict:
    """Send owed submit-spam / submit-ham calls, oldest first; a failure postpones them all, as for re-checks."""
    summary = {"sent": 0, "failed": 0, "remaining": 0}
    if not settings.AKISMET_API_KEY:
        return summary
    started = time.monotonic()
    for feedback in due_feedback().order_by("created_at", "pk")[:limit]:
        if time.monotonic() - started > time_budget:
            break
        claimed = AkismetFeedback.objects.filter(
            pk=feedback.pk, sent_at__isnull=True, next_attempt_at=feedback.next_attempt_at
        ).update(next_attempt_at=timezone.now() + CLAIM_LEASE)
        if not claimed:
            continue
        if not send_feedback(feedback):
            summary["failed"] += 1
            due_feedback().update(next_attempt_at=feedback.next_attempt_at, last_error=feedback.last_error)
            break
        summary["sent"] += 1
    summary["remaining"] = due_feedback().count()
    return summary


def send_feedback(feedback: AkismetFeedback) -> bool:
    """One submit call from the stored original submission; records the outcome, True when it went through."""
    now = timezone.now()
    feedback.attempts += 1
    try:
        client = get_client()
        submit = client.submit_spam if feedback.kind == AkismetFeedback.Kind.SPAM else client.submit_ham
        submit(**feedback.payload)
    except SpamCheckUnavailable as exc:
        reason = exc.reason
    except akismet.AkismetError as exc:
        reason = _unavailable(exc).reason
    except Exception as exc:
        logger.exception("Akismet feedback %s failed", feedback.pk)
        reason = f"Sending failed ({type(exc).__name__})"
    else:
        feedback.sent_at = now
        feedback.last_error = ""
        feedback.save(update_fields=["attempts", "last_error", "sent_at"])
        _record_feedback(feedback, "sent")
        return True
    feedback.last_error = reason[:300]
    feedback.next_attempt_at = now + retry_delay(feedback.attempts)
    feedback.save(update_fields=["attempts", "last_error", "next_attempt_at"])
    if feedback.next_attempt_at > feedback.created_at + GIVE_UP_AFTER:
        _record_feedback(feedback, "not sent: gave up", reason)
    return False


def _record_feedback(feedback: AkismetFeedback, outcome: str, detail: str = "") -> None:
    # The link has no database constraint (purges delete set-based): the comment may be gone.
    if feedback.comment_id is None or not Comment.objects.filter(pk=feedback.comment_id).exists():
        return
    CommentEvent.objects.create(
        comment_id=feedback.comment_id,
        kind=CommentEvent.Kind.FEEDBACK,
        action=f"{feedback.get_kind_display()} {outcome}",
        detail=detail[:500],
    )
