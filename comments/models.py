from django.conf import settings
from django.core.cache import cache
from django.db import models, transaction
from django.db.models import Sum
from django.db.models.functions import Upper
from django.urls import reverse
from django.utils import timezone

from articles.cache import invalidate_all_articles
from articles.models import Article
from comments.text import LINK_DOMAINS_MAX, comment_markers

# Each level of a comment's materialized path is its own id, zero-padded to this width, so sorting a
# thread's paths as strings gives parents before children and siblings in the order they came.
PATH_STEP = 10


class CommentQuerySet(models.QuerySet):
    def visible(self):
        """What readers see: published comments, and removed ones as tombstones that keep their replies."""
        return self.filter(status__in=[Comment.Status.PUBLISHED, Comment.Status.REMOVED])

    def published(self):
        return self.filter(status=Comment.Status.PUBLISHED)

    def pending(self):
        return self.filter(status=Comment.Status.PENDING)

    def flagged(self):
        return self.filter(status=Comment.Status.FLAGGED)

    def spam(self):
        return self.filter(status=Comment.Status.SPAM)

    def removed(self):
        return self.filter(status=Comment.Status.REMOVED)

    def top_level(self):
        return self.filter(parent__isnull=True)

    def in_display_order(self, *, newest_first: bool | None = None):
        if newest_first is None:
            newest_first = settings.COMMENTS_NEWEST_FIRST
        return self.order_by("-thread_id" if newest_first else "thread_id", "path")


class Comment(models.Model):
    """A reader's comment, stored as a materialized path.

    `thread_id` is the id of the top-level comment a comment belongs to, and `path` is the chain of ids from
    that root down to the comment itself (PATH_STEP digits each). One indexed query then fetches a page of
    whole threads in display order (`thread_id` in the page's roots, ordered by thread then path), and a new
    reply is one insert plus one update of its own row: nothing else in the thread is rewritten.
    """

    class Status(models.TextChoices):
        PUBLISHED = "published", "Published"
        PENDING = "pending", "Pending"
        FLAGGED = "flagged", "Flagged"
        SPAM = "spam", "Spam"
        REMOVED = "removed", "Removed"

    class Verdict(models.TextChoices):
        UNCHECKED = "", "Not checked"
        HAM = "ham", "Ham"
        SPAM = "spam", "Spam"
        DISCARD = "discard", "Blatant spam"
        ERROR = "error", "Check failed"
        SKIPPED = "skipped", "Not sent (blocklist or checking off)"

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="comments")
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="replies")
    thread_id = models.BigIntegerField(null=True, blank=True, editable=False)
    path = models.CharField(max_length=255, blank=True, editable=False)
    depth = models.PositiveSmallIntegerField(default=0, editable=False)

    author_name = models.CharField(max_length=100)
    author_email = models.EmailField(max_length=254)
    author_url = models.URLField(max_length=300, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="comments"
    )
    body = models.TextField(max_length=5000)
    status = models.CharField(max_length=10, choices=Status, default=Status.PUBLISHED)
    submitted_at = models.DateTimeField(default=timezone.now)

    # What the spam check needs, kept as the poster sent it.
    ip_address = models.GenericIPAddressField(null=True, blank=True, unpack_ipv4=True)
    user_agent = models.CharField(max_length=500, blank=True)
    referrer = models.CharField(max_length=500, blank=True)

    # Akismet: its verdict, exactly what was sent (feedback must repeat it), and the re-check schedule.
    akismet_verdict = models.CharField(max_length=8, choices=Verdict, default=Verdict.UNCHECKED, blank=True)
    akismet_payload = models.JSONField(default=dict, blank=True, editable=False)
    pending_reason = models.CharField(max_length=300, blank=True)
    recheck_attempts = models.PositiveSmallIntegerField(default=0)
    next_recheck_at = models.DateTimeField(null=True, blank=True)
    is_blatant = models.BooleanField(default=False, help_text="Akismet's discard verdict: purged first.")

    # Moderation helpers: reports from readers, and what "find more like these" matches on.
    report_count = models.PositiveIntegerField(default=0)
    fingerprint = models.CharField(max_length=64, blank=True, db_index=True)
    link_domains = models.CharField(max_length=LINK_DOMAINS_MAX, blank=True)
    # Made by `manage.py seed_demo_comments`, which finds its own comments by this mark only.
    is_demo = models.BooleanField(default=False, db_default=False, editable=False)

    objects = CommentQuerySet.as_manager()

    class Meta:
        ordering = ["thread_id", "path"]
        permissions = [("moderate_comment", "Can moderate comments")]
        indexes = [
            models.Index(fields=["article", "status", "thread_id", "path"], name="comment_page_idx"),
            models.Index(fields=["article", "parent", "status"], name="comment_roots_idx"),
            # The comment page: its roots in thread order (newest first reads it backwards, stopping after a
            # page), then every comment of those threads in display order, so neither grows with the thread.
            models.Index(fields=["article", "parent", "thread_id", "status"], name="comment_root_order_idx"),
            models.Index(fields=["article", "thread_id", "path"], name="comment_thread_idx"),
            # The moderation queues newest first, page after page, read straight off an index: one status
            # (the review queue's pending-then-flagged order is status descending), and all statuses.
            models.Index(fields=["status", "submitted_at", "id"], name="comment_queue_order_idx"),
            models.Index(fields=["submitted_at", "id"], name="comment_submitted_idx"),
            models.Index(fields=["author_email"], name="comment_email_idx"),
            # "Everything from this sender" matches the address ignoring case.
            models.Index(Upper("author_email"), name="comment_email_upper_idx"),
            models.Index(fields=["ip_address"], name="comment_ip_idx"),
            models.Index(fields=["next_recheck_at"], name="comment_recheck_idx"),
        ]

    def __str__(self):
        return f"{self.author_name}: {self.body[:50]}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            super().save(*args, **kwargs)
            return
        if self.parent_id is not None:
            parent = self.parent
            if not parent.takes_replies_itself:
                # Bulk loads and scripts: beside the parent if no published ancestor is left (posting refuses).
                self.parent = parent = parent.reply_target() or parent.parent
            self.depth = parent.depth + 1
        else:
            self.depth = 0
        if not (self.fingerprint or self.link_domains):
            # What "find more like these" matches on; pure text work, no query.
            self.fingerprint, self.link_domains = comment_markers(body=self.body, author_url=self.author_url)
        # No savepoint of its own inside a caller's transaction (the posting service's): a failure here fails
        # that whole transaction anyway, and a savepoint costs two more round trips on every new comment.
        with transaction.atomic(savepoint=False):
            super().save(*args, **kwargs)
            own = str(self.pk).zfill(PATH_STEP)
            if self.parent_id is None:
                self.thread_id, self.path = self.pk, own
            else:
                self.thread_id, self.path = self.parent.thread_id, self.parent.path + own
            type(self).objects.filter(pk=self.pk).update(thread_id=self.thread_id, path=self.path)

    def get_absolute_url(self):
        return reverse("comments:permalink", kwargs={"pk": self.pk})

    @property
    def is_visible(self) -> bool:
        return self.status in (self.Status.PUBLISHED, self.Status.REMOVED)

    @property
    def takes_replies_itself(self) -> bool:
        """False at the deepest level: a reply to this comment goes beside it, under an ancestor."""
        return self.depth < settings.COMMENTS_MAX_DEPTH - 1 or self.parent_id is None

    def reply_target(self) -> "Comment | None":
        """Where a reply to this comment goes: itself, or at the deepest level its nearest *published* ancestor
        (a reply must not hang under a removed, spam or held comment); None when no ancestor is published."""
        if self.takes_replies_itself:
            return self
        ancestors = [int(self.path[i : i + PATH_STEP]) for i in range(0, len(self.path) - PATH_STEP, PATH_STEP)]
        if not ancestors and self.parent_id is not None:
            ancestors = [self.parent_id]  # a row without its path yet (written without save())
        return type(self).objects.published().filter(pk__in=ancestors).order_by("-depth").first()


class CommentEvent(models.Model):
    """One line of a comment's history: Akismet's verdicts, moderators' decisions, readers' reports."""

    class Kind(models.TextChoices):
        AKISMET = "akismet", "Akismet verdict"
        MODERATION = "moderation", "Moderator decision"
        FEEDBACK = "feedback", "Feedback to Akismet"
        REPORT = "report", "Reader report"
        BLOCKLIST = "blocklist", "Blocklist match"
        SYSTEM = "system", "System"

    # No database-level constraint on the three side tables of Comment (events, feedback, reports): PostgreSQL
    # checks each one with a trigger per deleted comment, which tripled the cost of purging a million spam
    # comments. Django still cascades on delete, and comments.moderation clears these rows set-based first.
    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="events", db_constraint=False)
    kind = models.CharField(max_length=10, choices=Kind)
    action = models.CharField(max_length=40)
    detail = models.CharField(max_length=500, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.action}"


class AkismetFeedback(models.Model):
    """A submit-spam or submit-ham call owed to Akismet, retried until it goes through."""

    class Kind(models.TextChoices):
        SPAM = "spam", "submit-spam"
        HAM = "ham", "submit-ham"

    comment = models.ForeignKey(
        Comment, null=True, on_delete=models.SET_NULL, related_name="feedback", db_constraint=False
    )
    kind = models.CharField(max_length=4, choices=Kind)
    payload = models.JSONField(default=dict)
    attempts = models.PositiveSmallIntegerField(default=0)
    sent_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["sent_at", "next_attempt_at"], name="feedback_due_idx")]

    def __str__(self):
        return f"{self.get_kind_display()} for comment {self.comment_id}"


class CommentReport(models.Model):
    """A reader's "Report abuse"; one per reader (account, else IP) per comment."""

    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="reports", db_constraint=False)
    reporter_key = models.CharField(max_length=100)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    reason = models.CharField(max_length=500)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["comment", "reporter_key"], name="one_report_per_reader")]

    def __str__(self):
        return f"Report on comment {self.comment_id}"


class QueueCountQuerySet(models.QuerySet):
    def by_status(self) -> dict[str, int]:
        return dict(self.order_by().values_list("status").annotate(n=Sum("count")))


class QueueCount(models.Model):
    """How many comments have each status, kept exact by database triggers on the comment table.

    The moderation screens read these few rows instead of counting a table of millions on every request. The
    triggers (migration 0006) fire on every insert, status change and delete, from any code path, bulk
    statements and cascades included. On PostgreSQL each connection adds to its own `slot` row of a status, so
    concurrent posters do not queue on one hot row; a status's count is the sum of its slots.
    `manage.py recount_comment_queues` rebuilds this table and QuarterHourCount from the comments themselves.
    """

    status = models.CharField(max_length=10)
    slot = models.PositiveSmallIntegerField(default=0)
    count = models.BigIntegerField(default=0)

    objects = QueueCountQuerySet.as_manager()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["status", "slot"], name="one_queue_count_per_slot")]

    def __str__(self):
        return f"{self.status} (slot {self.slot}): {self.count}"


class QuarterHourCount(models.Model):
    """Comments submitted in each quarter of an hour (UTC, as Unix seconds), by their status now.

    Kept by the same triggers as QueueCount; the dashboard's daily chart sums a month of these in any time zone
    (every zone's offset is a whole number of quarter hours) instead of grouping a million comments by day.
    """

    status = models.CharField(max_length=10)
    quarter = models.BigIntegerField(help_text="Start of the quarter hour, in seconds since 1970 (UTC).")
    slot = models.PositiveSmallIntegerField(default=0)
    count = models.BigIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["quarter", "status", "slot"], name="one_quarter_count_per_slot")]

    def __str__(self):
        return f"{self.status} at {self.quarter}: {self.count}"


class BlocklistEntry(models.Model):
    class Kind(models.TextChoices):
        IP = "ip", "IP address or network (CIDR)"
        EMAIL = "email", "Email address or domain"
        WORD = "word", "Word or phrase"

    class Action(models.TextChoices):
        HOLD = "hold", "Hold for moderation"
        SPAM = "spam", "Mark spam"

    kind = models.CharField(max_length=5, choices=Kind)
    value = models.CharField(max_length=200)
    action = models.CharField(max_length=4, choices=Action, default=Action.HOLD)
    note = models.CharField(max_length=200, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name_plural = "blocklist entries"
        constraints = [models.UniqueConstraint(fields=["kind", "value"], name="unique_blocklist_entry")]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.value}"


class ModerationRecord(models.Model):
    """Every bulk moderation action: who, when, what, how many, and on which filter."""

    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    action = models.CharField(max_length=60)
    count = models.PositiveIntegerField()
    filter_description = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.action} ({self.count})"


RULES_CACHE_KEY = "comments:conduct-rules"
# A backstop only: saving through the model clears the key at once; a bulk delete in the admin does not.
RULES_CACHE_SECONDS = 300
DEFAULT_RULES = """\
Be civil. Criticise ideas, not people: personal attacks, threats, harassment and hate speech are removed.
Stay on topic, and do not post advertising, spam or the same comment over and over.
Do not post anything that is unlawful, that invades someone's privacy, or that you have no right to share.
Comments that break these rules are removed, and repeat offenders are blocked. Report a comment that breaks \
them with its "Report abuse" link."""


class ConductRules(models.Model):
    """The rules of conduct shown with the comment form, edited by editors and moderators in the admin.

    The most recently saved row is the text in force; adding a row rather than editing the old one keeps a
    history of what readers were told and when. With no row at all, DEFAULT_RULES applies.
    """

    text = models.TextField(help_text="Plain text; blank lines separate paragraphs, links are made clickable.")
    updated_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["-updated_at", "-id"]
        get_latest_by = ["updated_at", "id"]
        verbose_name = verbose_name_plural = "rules of conduct"

    def __str__(self):
        return f"Rules of conduct of {self.updated_at:%Y-%m-%d %H:%M}"

    def save(self, *args, **kwargs):
        self.updated_at = timezone.now()
        super().save(*args, **kwargs)
        cache.delete(RULES_CACHE_KEY)
        invalidate_all_articles()  # every open article page shows the rules

    def delete(self, *args, **kwargs):
        result = super().delete(*args, **kwargs)
        cache.delete(RULES_CACHE_KEY)
        invalidate_all_articles()  # every open article page shows the rules
        return result

    @classmethod
    def current_text(cls) -> str:
        """The text in force; cached, because every article page shows it and it rarely changes."""
        text = cache.get(RULES_CACHE_KEY)
        if text is None:
            latest = cls.objects.values_list("text", flat=True).first()
            text = latest if latest and latest.strip() else DEFAULT_RULES
            cache.set(RULES_CACHE_KEY, text, RULES_CACHE_SECONDS)
        return text
