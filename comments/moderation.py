"""Moderation services: what a moderator does to one comment or to a hundred thousand.

Every function here takes a queryset of any size and works through it in batches of ids, in set-based SQL: no
action loads the comments themselves, so memory stays flat whether a moderator selected ten comments or every
spam comment on the site. The admin's actions, the change page, `manage.py purge_spam` and the scheduled
purge all call these same functions, and each call writes one ModerationRecord (who, what, how many, on which
filter) besides a CommentEvent on every comment that survives the action.

Deleting keeps what a moderator did not choose: a comment with replies that stay becomes a "This comment was
removed." tombstone (its text kept for moderators only) instead of disappearing with them.
"""

import json
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.contrib.postgres.search import TrigramSimilarity
from django.core.cache import cache
from django.db import connection, models, transaction
from django.db.models import Exists, OuterRef, Q, Subquery
from django.db.models.expressions import RawSQL
from django.utils import timezone
from django_tasks import task, task_backends

from articles.cache import invalidate_article
from articles.models import Article
from comments import spam
from comments.counters import sync_article_counts
from comments.models import AkismetFeedback, Comment, CommentEvent, CommentQuerySet, CommentReport, ModerationRecord
from comments.text import (
    comment_markers,
    host,
    text_fingerprint,  # noqa: F401  (what similar comments share, by this name too)
)

logger = logging.getLogger(__name__)

# Rows one statement touches. Big enough that 100,000 comments are twenty round trips, small enough that a
# batch's ids fit in one statement's parameters on every database.
BATCH_SIZE = 5000
SIMILAR_SOURCES_MAX = 100

Status = Comment.Status
VISIBLE = (Status.PUBLISHED, Status.REMOVED)


# --- What "find more like these" matches on ----------------------------------------------------------------


def _domain_q(domain: str) -> Q:
    return (
        Q(link_domains=domain)
        | Q(link_domains__startswith=domain + " ")
        | Q(link_domains__endswith=" " + domain)
        | Q(link_domains__contains=f" {domain} ")
    )


def trigram_available() -> bool:
    """PostgreSQL with the pg_trgm extension installed (`CREATE EXTENSION pg_trgm;`)."""
    if connection.vendor != "postgresql":
        return False
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'")
        return cursor.fetchone() is not None


def similar_comments(source_ids: Iterable[int], *, trigram_threshold: float = 0.6) -> CommentQuerySet:
    """Comments site-wide that look like the sources: the same text fingerprint, a shared link domain, or
    (PostgreSQL with pg_trgm) a body at least `trigram_threshold` similar. The sources themselves included."""
    ids = sorted({int(pk) for pk in source_ids})[:SIMILAR_SOURCES_MAX]
    sources = list(Comment.objects.filter(pk__in=ids).values_list("fingerprint", "link_domains", "body", "author_url"))
    own_host = host(settings.SITE_URL)
    fingerprints, domains, bodies = set(), set(), []
    for fingerprint, domains_text, body, author_url in sources:
        if not fingerprint and not domains_text:
            # Rows written without Comment.save() (imports, bulk loads): work the markers out now.
            fingerprint, domains_text = comment_markers(body=body, author_url=author_url)
        if fingerprint:
            # Only text long enough to have a fingerprint is compared by similarity too: short, common
            # comments ("Great article!") must not pull each other in.
            fingerprints.add(fingerprint)
            bodies.append(body)
        domains.update(domains_text.split())
    domains.discard(own_host)
    condition = Q(pk__in=ids)
    if fingerprints:
        condition |= Q(fingerprint__in=sorted(fingerprints))
    for domain in sorted(domains):
        condition |= _domain_q(domain)
    if bodies and trigram_available():
        for body in bodies[:5]:
            similar = (
                Comment.objects.annotate(similarity=TrigramSimilarity("body", body))
                .filter(similarity__gte=trigram_threshold)
                .values("pk")
            )
            condition |= Q(pk__in=similar)
    return Comment.objects.filter(condition)


# --- Walking a big set in batches --------------------------------------------------------------------------


def _batches(comments: models.QuerySet, *fields: str, size: int = BATCH_SIZE):
    """Yield lists of (pk, *fields) rows in id order, each at most `size` long, never the whole set.

    Keyset pagination: every batch asks again for "the next ids after the last one seen", so an action that
    changes rows out of the filter (a status change, a delete) moves on correctly.
    """
    ordered = comments.order_by("pk")
    last = 0
    while True:
        rows = list(ordered.filter(pk__gt=last).values_list("pk", *fields)[:size])
        if not rows:
            return
        yield rows
        last = rows[-1][0]


def _ids(ids: list[int]) -> RawSQL | list[int]:
    """A batch of ids as one bound parameter, for `pk__in=` and friends.

    Django prepares every value of a plain `__in` list one by one, which costs more than the SQL itself for
    5,000 ids; an array (PostgreSQL) or a JSON list (SQLite) is a single value, unpacked by the database.
    """
    if connection.vendor == "postgresql":
        # An array literal: psycopg quotes a string in C, a list of 5,000 ints element by element in Python.
        return RawSQL("SELECT unnest(%s::bigint[])", ["{" + ",".join(str(int(pk)) for pk in ids) + "}"])
    if connection.vendor == "sqlite":
        return RawSQL("SELECT value FROM json_each(%s)", [json.dumps(ids)])
    return ids


def _add_events(ids: list[int], *, kind: str, action: str, detail: str, actor) -> None:
    """One CommentEvent per comment, in a single INSERT ... SELECT."""
    if not ids:
        return
    qn = connection.ops.quote_name
    events, comments = CommentEvent._meta.db_table, Comment._meta.db_table
    id_query, id_params = Comment.objects.filter(pk__in=_ids(ids)).values("pk").query.sql_with_params()
    sql = (
        f"INSERT INTO {qn(events)} (comment_id, kind, action, detail, actor_id, created_at) "  # noqa: S608
        f"SELECT id, %s, %s, %s, %s, %s FROM {qn(comments)} WHERE id IN ({id_query})"
    )
    params = [kind, action[:40], detail[:500], actor.pk if actor else None, timezone.now(), *id_params]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def _record(*, action: str, count: int, moderator, description: str) -> ModerationRecord:
    return ModerationRecord.objects.create(
        actor=moderator if moderator is not None and moderator.is_authenticated else None,
        action=action,
        count=count,
        filter_description=description,
    )


def _sync(article_ids: set[int]) -> None:
    if article_ids:
        transaction.on_commit(lambda: sync_article_counts(article_ids))


# --- Status changes ----------------------------------------------------------------------------------------


def _change_status(
    comments: models.QuerySet,
    *,
    to: str,
    eligible: Iterable[str],
    action: str,
    moderator,
    description: str,
    feedback: str | None = None,
    extra: dict | None = None,
) -> int:
    target = comments.filter(status__in=list(eligible))
    changed, articles = 0, set()
    with transaction.atomic():
        if feedback:
            # Before the update, while `target` still matches; it walks the set in batches itself.
            spam.queue_feedback(comments=target, kind=feedback, actor=moderator)
        for rows in _batches(target, "article_id", "status"):
            ids = [pk for pk, _, _ in rows]
            _add_events(ids, kind=CommentEvent.Kind.MODERATION, action=action, detail=description, actor=moderator)
            changed += Comment.objects.filter(pk__in=_ids(ids)).update(status=to, **(extra or {}))
            # A change to or from a status readers see changes the article's count and page.
            articles.update(article for _, article, status in rows if status in VISIBLE or to in VISIBLE)
        _record(action=action, count=changed, moderator=moderator, description=description)
        _sync(articles)
    return changed


def approve_comments(*, comments: models.QuerySet, moderator: AbstractBaseUser, description: str = "") -> int:
    """Publish held, flagged, spam or removed comments; Akismet hears "ham" where it thought otherwise."""
    return _change_status(
        comments,
        to=Status.PUBLISHED,
        eligible=[Status.PENDING, Status.FLAGGED, Status.SPAM, Status.REMOVED],
        action="Approved",
        moderator=moderator,
        description=description,
        feedback=AkismetFeedback.Kind.HAM,
        # Reports count since the last decision: an approved comment needs a fresh set to be hidden again.
        extra={"report_count": 0, "pending_reason": ""},
    )


def mark_spam(*, comments: models.QuerySet, moderator: AbstractBaseUser, description: str = "") -> int:
    """Hide the comments as spam and tell Akismet about the ones it missed."""
    return _change_status(
        comments,
        to=Status.SPAM,
        eligible=[Status.PUBLISHED, Status.PENDING, Status.FLAGGED, Status.REMOVED],
        action="Marked spam",
        moderator=moderator,
        description=description,
        feedback=AkismetFeedback.Kind.SPAM,
    )


def mark_not_spam(*, comments: models.QuerySet, moderator: AbstractBaseUser, description: str = "") -> int:
    """Publish comments from the spam queue (others in the selection are left alone) and tell Akismet."""
    return _change_status(
        comments,
        to=Status.PUBLISHED,
        eligible=[Status.SPAM],
        action="Marked not spam",
        moderator=moderator,
        description=description,
        feedback=AkismetFeedback.Kind.HAM,
        extra={"report_count": 0, "pending_reason": ""},
    )


def remove_comments(*, comments: models.QuerySet, moderator: AbstractBaseUser, description: str = "") -> int:
    """Take comments down; readers see "This comment was removed." where it had replies, which stay."""
    return _change_status(
        comments,
        to=Status.REMOVED,
        eligible=[Status.PUBLISHED, Status.PENDING, Status.FLAGGED, Status.SPAM],
        action="Removed",
        moderator=moderator,
        description=description,
    )


def restore_comments(*, comments: models.QuerySet, moderator: AbstractBaseUser, description: str = "") -> int:
    """Put removed comments back as they were posted."""
    return _change_status(
        comments,
        to=Status.PUBLISHED,
        eligible=[Status.REMOVED],
        action="Restored",
        moderator=moderator,
        description=description,
        extra={"report_count": 0},
    )


def hold_comments(*, comments: models.QuerySet, moderator: AbstractBaseUser, description: str = "") -> int:
    """Send comments back to the pending queue."""
    return _change_status(
        comments,
        to=Status.PENDING,
        eligible=[Status.PUBLISHED, Status.FLAGGED, Status.SPAM, Status.REMOVED],
        action="Held for moderation",
        moderator=moderator,
        description=description,
        extra={"pending_reason": "Held by a moderator"},
    )


def flag_comments(*, comments: models.QuerySet, moderator: AbstractBaseUser, description: str = "") -> int:
    return _change_status(
        comments,
        to=Status.FLAGGED,
        eligible=[Status.PUBLISHED, Status.PENDING, Status.SPAM, Status.REMOVED],
        action="Flagged",
        moderator=moderator,
        description=description,
    )


STATUS_SERVICES: dict[str, Callable[..., int]] = {
    Status.PUBLISHED: approve_comments,
    Status.PENDING: hold_comments,
    Status.FLAGGED: flag_comments,
    Status.SPAM: mark_spam,
    Status.REMOVED: remove_comments,
}


def set_status(*, comments: models.QuerySet, status: str, moderator: AbstractBaseUser, description: str = "") -> int:
    """Whichever service moves comments to `status` (the admin's change page uses it)."""
    return STATUS_SERVICES[status](comments=comments, moderator=moderator, description=description)


# --- Deleting ----------------------------------------------------------------------------------------------


@dataclass
class DeleteResult:
    deleted: int = 0
    tombstoned: int = 0

    def __str__(self):
        text = f"{self.deleted:,} deleted"
        if self.tombstoned:
            text += f", {self.tombstoned:,} kept as “removed” because replies to them stay"
        return text


def _kept_as_tombstones(candidates: list[int], target: models.QuerySet) -> set[int]:
    """Which of these comments (all with replies) have a descendant that stays: one outside the delete set
    and not spam. Those become tombstones instead of disappearing."""
    if not candidates:
        return set()
    staying = (
        Comment.objects.filter(
            thread_id=OuterRef("thread_id"), path__startswith=OuterRef("path"), depth__gt=OuterRef("depth")
        )
        .exclude(status=Status.SPAM)
        .exclude(pk__in=target.order_by().values("pk"))
    )
    return set(Comment.objects.filter(pk__in=_ids(candidates)).filter(Exists(staying)).values_list("pk", flat=True))


def _detach_dependents(ids: list[int], *, parents: list[int]) -> None:
    """Clear every row pointing at these comments, in a few set-based statements.

    Events and reports go with their comment. Feedback Akismet already received goes; feedback still owed
    keeps its stored submission and is sent without the comment. Replies that stay (spam ones: a reply
    anyone sees keeps its parent as a tombstone) move up to the nearest surviving ancestor; `parents` are the
    ids among `ids` that have replies at all.
    """
    for relation in Comment._meta.related_objects:
        model, field = relation.related_model, relation.field
        if model is Comment:
            continue
        rows = model._base_manager.filter(**{f"{field.name}__in": _ids(ids)})
        if model is AkismetFeedback:
            rows.filter(sent_at__isnull=False)._raw_delete(rows.db)
            rows.update(**{field.name: None})
        elif relation.on_delete is models.CASCADE:
            rows._raw_delete(rows.db)
        elif relation.on_delete is models.SET_NULL:
            rows.update(**{field.name: None})
        else:
            raise RuntimeError(f"{model.__name__}.{field.name} would block deleting comments; handle it here.")
    if not parents:
        return
    grandparent = Subquery(Comment.objects.filter(pk=OuterRef("parent_id")).values("parent_id")[:1])
    for _ in range(settings.COMMENTS_MAX_DEPTH + 1):
        moved = Comment.objects.filter(parent_id__in=_ids(parents)).exclude(pk__in=_ids(ids))
        if not moved.update(parent_id=grandparent):
            break


def _delete_batches(
    target: models.QuerySet,
    *,
    moderator,
    description: str,
    progress: Callable[[int], None] | None = None,
    batch_size: int = BATCH_SIZE,
) -> tuple[DeleteResult, set[int]]:
    result, articles = DeleteResult(), set()
    for rows in _batches(target, "article_id", "status", size=batch_size):
        ids = [pk for pk, _, _ in rows]
        with transaction.atomic():
            parents = set(
                Comment.objects.filter(parent_id__in=_ids(ids))
                .order_by()
                .values_list("parent_id", flat=True)
                .distinct()
            )
            keep = _kept_as_tombstones(sorted(parents), target)
            doomed = [pk for pk in ids if pk not in keep]
            if keep:
                kept = sorted(keep)
                _add_events(
                    kept,
                    kind=CommentEvent.Kind.MODERATION,
                    action="Kept as removed (has replies)",
                    detail=description,
                    actor=moderator,
                )
                result.tombstoned += Comment.objects.filter(pk__in=_ids(kept)).update(status=Status.REMOVED)
            if doomed:
                _detach_dependents(doomed, parents=sorted(parents - keep))
                result.deleted += Comment.objects.filter(pk__in=_ids(doomed))._raw_delete(connection.alias)
            articles.update(article for pk, article, status in rows if status in VISIBLE or pk in keep)
        if progress:
            progress(len(rows))
    return result, articles


def delete_comments(
    *,
    comments: models.QuerySet,
    moderator: AbstractBaseUser | None,
    description: str = "",
    action: str = "Deleted permanently",
    progress: Callable[[int], None] | None = None,
    batch_size: int = BATCH_SIZE,
) -> DeleteResult:
    """Delete comments for good, in batches; those with replies that stay become tombstones instead."""
    result, articles = _delete_batches(
        comments, moderator=moderator, description=description, progress=progress, batch_size=batch_size
    )
    with transaction.atomic():
        _record(action=action, count=result.deleted, moderator=moderator, description=_describe(description, result))
        _sync(articles)
    return result


def _describe(description: str, result: DeleteResult) -> str:
    if not result.tombstoned:
        return description
    note = f"{result.tombstoned:,} kept as removed because replies to them stay"
    return f"{description}; {note}" if description else note


class SenderMatch:
    """How "everything from these senders" finds a sender's other comments; always the moderator's choice."""

    EMAIL = "email"
    IP = "ip"
    BOTH = "both"
    CHOICES = [
        (EMAIL, "Same email address"),
        (IP, "Same IP address"),
        (BOTH, "Same email address or same IP address"),
    ]
    FIELDS = {EMAIL: ("author_email",), IP: ("ip_address",), BOTH: ("author_email", "ip_address")}


def senders_of(comments: models.QuerySet) -> tuple[models.QuerySet, models.QuerySet]:
    """The distinct emails and IP addresses behind these comments, as subqueries."""
    emails = comments.exclude(author_email="").order_by().values("author_email").distinct()
    ips = comments.exclude(ip_address=None).order_by().values("ip_address").distinct()
    return emails, ips


def _sender_fields(match: str) -> tuple[str, ...]:
    if match not in SenderMatch.FIELDS:
        raise ValueError(f"match must be one of {', '.join(SenderMatch.FIELDS)}, not {match!r}")
    return SenderMatch.FIELDS[match]


def sender_comments(comments: models.QuerySet, *, match: str) -> CommentQuerySet:
    """Every comment, site-wide, that shares an email address (match="email"), an IP address ("ip") or either
    ("both") with one of these."""
    emails, ips = senders_of(comments)
    condition = Q()
    for field in _sender_fields(match):
        condition |= Q(author_email__in=emails) if field == "author_email" else Q(ip_address__in=ips)
    return Comment.objects.filter(condition)


def sender_bystanders(comments: models.QuerySet, *, match: str) -> CommentQuerySet:
    """The published comments a sender delete would take from *other* email addresses: readers who share an IP
    address (an office, a school, a mobile carrier) with a spammer. A moderator must see these before deciding."""
    emails, _ = senders_of(comments)
    return sender_comments(comments, match=match).published().exclude(author_email__in=emails)


def delete_from_senders(
    *, comments: models.QuerySet, moderator: AbstractBaseUser, match: str, description: str = ""
) -> DeleteResult:
    """Delete everything from the people behind these comments: every comment with their email address, their
    IP address, or either, as `match` says ("email", "ip", "both")."""
    fields = _sender_fields(match)
    # The senders are read first: deleting walks the comments that define them, and must not lose them midway.
    emails, ips = senders_of(comments)
    emails = list(emails.values_list("author_email", flat=True)) if "author_email" in fields else []
    ips = list(ips.values_list("ip_address", flat=True)) if "ip_address" in fields else []
    total, articles = DeleteResult(), set()
    chunk = 500
    for field, values in (("author_email", emails), ("ip_address", ips)):
        for start in range(0, len(values), chunk):
            target = Comment.objects.filter(**{f"{field}__in": values[start : start + chunk]})
            result, touched = _delete_batches(target, moderator=moderator, description=description)
            total.deleted += result.deleted
            total.tombstoned += result.tombstoned
            articles |= touched
    senders = " and ".join(
        part
        for part in (
            "author_email" in fields and f"{len(emails):,} email addresses",
            "ip_address" in fields and f"{len(ips):,} IP addresses",
        )
        if part
    )
    with transaction.atomic():
        _record(
            action="Deleted everything from senders",
            count=total.deleted,
            moderator=moderator,
            description=_describe(f"{description}; {senders}" if description else senders, total),
        )
        _sync(articles)
    return total


def spam_to_purge(*, older_than_days: int, blatant_older_than_days: int | None = None) -> CommentQuerySet:
    """Spam older than `older_than_days` (0: all of it), and blatant spam older than its own, shorter limit."""
    now = timezone.now()
    condition = Q(submitted_at__lt=now - timedelta(days=older_than_days)) if older_than_days > 0 else Q()
    if older_than_days > 0 and blatant_older_than_days is not None and blatant_older_than_days < older_than_days:
        condition |= Q(is_blatant=True, submitted_at__lt=now - timedelta(days=blatant_older_than_days))
    return Comment.objects.spam().filter(condition)


def describe_purge(*, older_than_days: int, blatant_older_than_days: int | None = None) -> str:
    if older_than_days == 0:
        return "all spam"
    description = f"spam older than {older_than_days} days"
    if blatant_older_than_days is not None and blatant_older_than_days < older_than_days:
        description += f", blatant spam older than {blatant_older_than_days} days"
    return description


def empty_spam(
    *,
    moderator: AbstractBaseUser | None,
    older_than_days: int = 0,
    blatant_older_than_days: int | None = None,
    action: str = "Emptied spam",
    progress: Callable[[int], None] | None = None,
    batch_size: int = BATCH_SIZE,
) -> DeleteResult:
    """Delete all spam (older_than_days=0) or the spam older than so many days."""
    if older_than_days < 0:
        raise ValueError("older_than_days must be 0 or more")
    return delete_comments(
        comments=spam_to_purge(older_than_days=older_than_days, blatant_older_than_days=blatant_older_than_days),
        moderator=moderator,
        description=describe_purge(older_than_days=older_than_days, blatant_older_than_days=blatant_older_than_days),
        action=action,
        progress=progress,
        batch_size=batch_size,
    )


@task()
def purge_spam_task(
    older_than_days: int | None = None, blatant_older_than_days: int | None = None, booked: bool = False
) -> dict:
    """The retention schedule: spam older than SPAM_RETENTION_DAYS, blatant spam older than
    BLATANT_SPAM_RETENTION_DAYS. On a worker backend each run books the next one, PURGE_EVERY later."""
    if booked:
        cache.delete(PURGE_SCHEDULED_KEY)
    result = empty_spam(
        moderator=None,
        older_than_days=settings.SPAM_RETENTION_DAYS if older_than_days is None else older_than_days,
        blatant_older_than_days=(
            settings.BLATANT_SPAM_RETENTION_DAYS if blatant_older_than_days is None else blatant_older_than_days
        ),
        action="Purged spam (schedule)",
    )
    logger.info("Scheduled spam purge: %s", result)
    schedule_purge(timezone.now() + PURGE_EVERY)
    return {"deleted": result.deleted, "tombstoned": result.tombstoned}


PURGE_EVERY = timedelta(days=1)
PURGE_SCHEDULED_KEY = "comments:purge-scheduled"


def schedule_purge(when) -> bool:
    """Book the next scheduled purge on the task worker, unless one is already waiting; False when the task
    backend cannot run things later (the immediate backend: then cron runs `manage.py purge_spam`)."""
    if not task_backends[purge_spam_task.backend].supports_defer:
        return False
    timeout = (when - timezone.now() + timedelta(hours=1)).total_seconds()
    if not cache.add(PURGE_SCHEDULED_KEY, when.isoformat(), timeout=max(timeout, 60)):
        return False
    purge_spam_task.using(run_after=when).enqueue(booked=True)
    return True


# --- Articles ----------------------------------------------------------------------------------------------


def close_comments(
    *, articles: models.QuerySet, moderator: AbstractBaseUser, description: str = "", reopen: bool = False
) -> int:
    """Close (or reopen) comments on these articles; their pages change at once."""
    mode = Article.Comments.OPEN if reopen else Article.Comments.CLOSED
    with transaction.atomic():
        ids = list(articles.exclude(comments_mode=mode).values_list("pk", flat=True))
        # update(), not save(): closing comments is not an edit to the story, so updated_at stays.
        changed = Article.objects.filter(pk__in=ids).update(comments_mode=mode)
        _record(
            action="Reopened comments" if reopen else "Closed comments",
            count=changed,
            moderator=moderator,
            description=description or ", ".join(f"article {pk}" for pk in ids[:20]),
        )
        for pk in ids:
            transaction.on_commit(lambda pk=pk: invalidate_article(pk))
    return changed


# --- Readers' reports --------------------------------------------------------------------------------------


class ReportOutcome:
    RECORDED = "recorded"
    FLAGGED = "flagged"
    DUPLICATE = "duplicate"


def report_comment(*, comment: Comment, reporter_key: str, reason: str, user: AbstractBaseUser | None = None) -> str:
    """Record a reader's report; at COMMENTS_REPORT_THRESHOLD reports a published comment is flagged and
    hidden until a moderator decides. One report per reader (account, else IP) per comment."""
    threshold = max(1, settings.COMMENTS_REPORT_THRESHOLD)
    with transaction.atomic():
        created = CommentReport.objects.get_or_create(
            comment=comment,
            reporter_key=reporter_key[:100],
            defaults={"reason": reason[:500], "user": user if user is not None and user.is_authenticated else None},
        )[1]
        if not created:
            return ReportOutcome.DUPLICATE
        Comment.objects.filter(pk=comment.pk).update(report_count=models.F("report_count") + 1)
        CommentEvent.objects.create(
            comment=comment,
            kind=CommentEvent.Kind.REPORT,
            action="Reported by a reader",
            detail=reason[:500],
            actor=user if user is not None and user.is_authenticated else None,
        )
        flagged = Comment.objects.filter(pk=comment.pk, status=Status.PUBLISHED, report_count__gte=threshold).update(
            status=Status.FLAGGED
        )
        if not flagged:
            return ReportOutcome.RECORDED
        CommentEvent.objects.create(
            comment=comment,
            kind=CommentEvent.Kind.SYSTEM,
            action="Flagged and hidden",
            detail=f"{threshold} reader reports",
        )
        _sync({comment.article_id})
    return ReportOutcome.FLAGGED
