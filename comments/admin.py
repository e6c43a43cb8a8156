"""The moderators' screens: queues, bulk actions that scale, blocklists, reports and the dashboard.

Every bulk action goes through comments.moderation, so a select-all over a hundred thousand comments never
loads them: the confirmation page shows counts worked out in SQL, not a list of objects, and the action walks
the set in batches. The stock "delete selected" is gone for that reason (it collects every object first).
"""

import ipaddress
from datetime import datetime, time, timedelta
from urllib.parse import urlencode

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.options import IncorrectLookupParameters
from django.core.exceptions import PermissionDenied
from django.db.models import Case, Count, Exists, IntegerField, OuterRef, Value, When
from django.db.models.functions import TruncDate
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.text import Truncator

from articles.models import Article
from comments import moderation, spam
from comments.blocklist import clean_value
from comments.models import (
    AkismetFeedback,
    BlocklistEntry,
    Comment,
    CommentEvent,
    CommentReport,
    ConductRules,
    ModerationRecord,
)

MODERATE = "comments.moderate_comment"
Status = Comment.Status

# (key, label, statuses); the list opens on the first, what needs a human.
QUEUES = [
    ("review", "Needs a human", [Status.PENDING, Status.FLAGGED]),
    ("pending", "Pending", [Status.PENDING]),
    ("flagged", "Flagged by readers", [Status.FLAGGED]),
    ("published", "Published", [Status.PUBLISHED]),
    ("spam", "Spam", [Status.SPAM]),
    ("removed", "Removed", [Status.REMOVED]),
    ("all", "All", None),
]
DEFAULT_QUEUE = "review"
QUEUE_KEYS = {key for key, _, _ in QUEUES}


def status_counts() -> dict[str, int]:
    """Live counts of comments per status: one GROUP BY."""
    return dict(Comment.objects.order_by().values_list("status").annotate(n=Count("pk")))


def queue_counts(counts: dict[str, int] | None = None) -> list[tuple[str, str, int]]:
    counts = status_counts() if counts is None else counts
    return [
        (key, label, sum(counts.values()) if statuses is None else sum(counts.get(s, 0) for s in statuses))
        for key, label, statuses in QUEUES
    ]


def current_queue(request) -> str:
    queue = request.GET.get(QueueFilter.parameter_name, DEFAULT_QUEUE)
    return queue if queue in QUEUE_KEYS else DEFAULT_QUEUE


def can_moderate(request) -> bool:
    return request.user.has_perm(MODERATE)


def can_purge(request) -> bool:
    return can_moderate(request) and request.user.has_perm("comments.delete_comment")


def changelist_url(**params) -> str:
    url = reverse("admin:comments_comment_changelist")
    return f"{url}?{urlencode(params)}" if params else url


# --- Filters -----------------------------------------------------------------------------------------------


class QueueFilter(admin.SimpleListFilter):
    title = "queue"
    parameter_name = "queue"

    def lookups(self, request, model_admin):
        return [(key, f"{label} ({count:,})") for key, label, count in queue_counts()]

    def value(self):
        return self.used_parameters.get(self.parameter_name) or DEFAULT_QUEUE

    def choices(self, changelist):
        # No "All" entry of Django's own: "All" is a queue like the others, and the default is "Needs a human".
        for lookup, title in self.lookup_choices:
            yield {
                "selected": self.value() == lookup,
                "query_string": changelist.get_query_string({self.parameter_name: lookup}),
                "display": title,
            }

    def queryset(self, request, queryset):
        statuses = {key: statuses for key, _, statuses in QUEUES}
        if self.value() not in statuses:
            raise IncorrectLookupParameters(f"Unknown queue {self.value()!r}")
        chosen = statuses[self.value()]
        return queryset if chosen is None else queryset.filter(status__in=chosen)


def _int_param(value) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise IncorrectLookupParameters(f"Not an id: {value!r}") from None
    if number <= 0:
        raise IncorrectLookupParameters(f"Not an id: {value!r}")
    return number


class ArticleFilter(admin.SimpleListFilter):
    """The articles with most comments waiting for a human, plus the one being looked at."""

    title = "article"
    parameter_name = "article"

    def lookups(self, request, model_admin):
        busiest = list(
            Comment.objects.filter(status__in=[Status.PENDING, Status.FLAGGED])
            .values_list("article_id", "article__headline")
            .annotate(waiting=Count("pk"))
            .order_by("-waiting")[:10]
        )
        choices = [(str(pk), f"{Truncator(headline).chars(60)} ({n:,} waiting)") for pk, headline, n in busiest]
        chosen = self.value()
        if chosen and chosen not in {key for key, _ in choices}:
            headline = Article.objects.filter(pk=_int_param(chosen)).values_list("headline", flat=True).first()
            choices.insert(0, (chosen, Truncator(headline or f"Article {chosen}").chars(60)))
        return choices

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(article_id=_int_param(self.value()))
        return queryset


class SenderFilter(admin.SimpleListFilter):
    """Everything from one email address or IP address (the links on a comment's "author's record")."""

    title = "sender"
    parameter_name = "sender"

    def lookups(self, request, model_admin):
        return [(self.value(), self.value())] if self.value() else []

    def queryset(self, request, queryset):
        if not self.value():
            return queryset
        kind, _, value = self.value().partition(":")
        if kind == "email" and value:
            return queryset.filter(author_email__iexact=value)
        if kind == "ip":
            try:
                return queryset.filter(ip_address=str(ipaddress.ip_address(value)))
            except ValueError:
                pass
        raise IncorrectLookupParameters(f"Not a sender: {self.value()!r}")


class SimilarFilter(admin.SimpleListFilter):
    """ "Find more like these": comments sharing a link domain or near-duplicate text with the chosen ones."""

    title = "like these"
    parameter_name = "like"

    def source_ids(self) -> list[int]:
        return [_int_param(part) for part in (self.value() or "").split(",") if part.strip()]

    def lookups(self, request, model_admin):
        if not self.value():
            return []
        return [(self.value(), f"Like the {len(self.source_ids()):,} chosen")]

    def queryset(self, request, queryset):
        if not self.value():
            return queryset
        ids = self.source_ids()
        if not ids or len(ids) > moderation.SIMILAR_SOURCES_MAX:
            raise IncorrectLookupParameters("Choose between 1 and 100 comments to compare with.")
        return queryset.filter(pk__in=moderation.similar_comments(ids).values("pk"))


# --- The comment list and page -----------------------------------------------------------------------------


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class CommentEventInline(ReadOnlyInline):
    model = CommentEvent
    verbose_name = "history entry"
    verbose_name_plural = "history: Akismet's verdicts, moderators' decisions, readers' reports"
    fields = readonly_fields = ["created_at", "kind", "action", "detail", "actor"]
    ordering = ["created_at", "id"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("actor")


class CommentReportInline(ReadOnlyInline):
    model = CommentReport
    verbose_name_plural = "reports from readers"
    fields = readonly_fields = ["created_at", "reason", "reporter_key", "user"]
    ordering = ["created_at", "id"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("user")


class CommentStatusForm(forms.ModelForm):
    class Meta:
        model = Comment
        fields = ["status"]


@admin.register(Comment)
class CommentAdmin(admin.ModelAdmin):
    form = CommentStatusForm
    list_display = [
        "excerpt",
        "author",
        "article_links",
        "submitted_at",
        "status",
        "akismet_verdict",
        "report_count",
    ]
    list_display_links = ["excerpt"]
    list_filter = [
        QueueFilter,
        "akismet_verdict",
        ("submitted_at", admin.DateFieldListFilter),
        ArticleFilter,
        SenderFilter,
        SimilarFilter,
    ]
    list_select_related = ["article"]
    search_fields = ["body", "author_name", "author_email", "^ip_address"]
    search_help_text = "Search the text, the author's name and email, or the start of an IP address."
    date_hierarchy = "submitted_at"
    raw_id_fields = ["article", "parent", "user"]
    list_per_page = 100
    list_max_show_all = 200
    # The unfiltered total is a second COUNT over the whole table on every page view, and Django's facets one
    # COUNT per filter choice; the queue filter shows the counts that matter in a single GROUP BY.
    show_full_result_count = False
    show_facets = admin.ShowFacets.NEVER
    inlines = [CommentEventInline, CommentReportInline]
    fieldsets = [
        (None, {"fields": ["status", "text", "article_links", "parent_link"]}),
        (
            "Author",
            {
                "fields": [
                    "author_name",
                    "author_email",
                    "author_url",
                    "ip_address",
                    "user",
                    "submitted_at",
                    "user_agent",
                    "referrer",
                    "author_record",
                ]
            },
        ),
        (
            "Spam check",
            {"fields": ["akismet_verdict", "is_blatant", "pending_reason", "report_count", "link_domains"]},
        ),
        ("Thread", {"fields": ["thread"]}),
    ]
    actions = [
        "approve",
        "mark_spam",
        "mark_not_spam",
        "remove",
        "restore",
        "delete_permanently",
        "delete_senders",
        "find_similar",
        "close_article_comments",
        "reopen_article_comments",
    ]

    # Permissions ------------------------------------------------------------------------------------------

    def has_moderate_permission(self, request):
        return can_moderate(request)

    def has_purge_permission(self, request):
        return can_purge(request)

    def has_add_permission(self, request):
        return False  # comments come from readers

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and can_moderate(request)

    def get_actions(self, request):
        actions = super().get_actions(request)
        # Django's own collects every object before deleting; delete_permanently does it in SQL.
        actions.pop("delete_selected", None)
        return actions

    def get_readonly_fields(self, request, obj=None):
        fields = [name for _, options in self.fieldsets for name in options["fields"] if name != "status"]
        return fields if can_moderate(request) else ["status", *fields]

    # The list -----------------------------------------------------------------------------------------------

    def get_queryset(self, request):
        # The rank must exist before the ordering that uses it, so this does not start from super().
        queryset = Comment.objects.defer("akismet_payload").annotate(
            queue_rank=Case(
                When(status=Status.PENDING, then=Value(0)),
                When(status=Status.FLAGGED, then=Value(1)),
                default=Value(2),
                output_field=IntegerField(),
            )
        )
        return queryset.order_by(*self.get_ordering(request))

    def get_ordering(self, request):
        if current_queue(request) == "review":
            return ["queue_rank", "-submitted_at", "-pk"]  # pending first, then flagged
        return ["-submitted_at", "-pk"]

    def changelist_view(self, request, extra_context=None):
        context = {
            "spam_checking_note": spam.spam_checking_status(),
            "can_purge": can_purge(request),
            "can_moderate": can_moderate(request),
            **(extra_context or {}),
        }
        return super().changelist_view(request, extra_context=context)

    @admin.display(description="comment")
    def excerpt(self, obj):
        return Truncator(" ".join(obj.body.split())).chars(90)

    @admin.display(description="author (email, IP)", ordering="author_name")
    def author(self, obj):
        return format_html(
            '{}<br><span class="quiet">{}</span><br><span class="quiet">{}</span>',
            obj.author_name,
            obj.author_email,
            obj.ip_address or "—",
        )

    @admin.display(description="article", ordering="article__headline")
    def article_links(self, obj):
        article_url = obj.article.get_absolute_url()
        anchor = reverse("comments:permalink", args=[obj.pk]) if obj.is_visible else article_url
        return format_html(
            '<a href="{}">{}</a> <a href="{}" title="This comment on the site">#{}</a>',
            article_url,
            Truncator(obj.article.headline).chars(40),
            anchor,
            obj.pk,
        )

    # The change page ----------------------------------------------------------------------------------------

    @admin.display(description="comment")
    def text(self, obj):
        return format_html('<div style="white-space: pre-wrap; max-width: 60em">{}</div>', obj.body)

    @admin.display(description="in reply to")
    def parent_link(self, obj):
        if obj.parent_id is None:
            return "—"
        return format_html(
            '<a href="{}">#{}</a>', reverse("admin:comments_comment_change", args=[obj.parent_id]), obj.parent_id
        )

    @admin.display(description="author's record")
    def author_record(self, obj):
        rows = []
        for kind, field, value in (("email", "author_email", obj.author_email), ("ip", "ip_address", obj.ip_address)):
            if not value:
                continue
            counts = dict(
                Comment.objects.filter(**{field: value}).order_by().values_list("status").annotate(n=Count("pk"))
            )
            rows.append(
                (
                    changelist_url(queue="all", sender=f"{kind}:{value}"),
                    value,
                    sum(counts.values()),
                    counts.get(Status.PUBLISHED, 0),
                    counts.get(Status.PENDING, 0) + counts.get(Status.FLAGGED, 0),
                    counts.get(Status.SPAM, 0),
                    counts.get(Status.REMOVED, 0),
                )
            )
        if not rows:
            return "—"
        body = format_html_join(
            "",
            '<tr><td><a href="{}">{}</a></td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>',
            rows,
        )
        return format_html(
            "<table><thead><tr><th>From</th><th>All</th><th>Approved</th><th>Held</th><th>Spam</th>"
            "<th>Removed</th></tr></thead><tbody>{}</tbody></table>",
            body,
        )

    @admin.display(description="thread")
    def thread(self, obj):
        limit = 200
        rows = list(
            Comment.objects.filter(thread_id=obj.thread_id)
            .order_by("path")
            .values_list("pk", "depth", "author_name", "status", "body")[: limit + 1]
        )
        items = format_html_join(
            "",
            '<li style="margin-left: {}em; font-weight: {}"><a href="{}">#{}</a> {} · <em>{}</em> · {}</li>',
            (
                (
                    depth * 2,
                    "bold" if pk == obj.pk else "normal",
                    reverse("admin:comments_comment_change", args=[pk]),
                    pk,
                    name,
                    Status(status).label,
                    Truncator(" ".join(body.split())).chars(120),
                )
                for pk, depth, name, status, body in rows[:limit]
            ),
        )
        more = f"… and more (the first {limit} are shown)" if len(rows) > limit else ""
        return format_html('<ul style="list-style: none; padding: 0">{}</ul><p>{}</p>', items, more)

    def save_model(self, request, obj, form, change):
        # Only the status can be edited, and a status change goes through the same services as the actions.
        if change and "status" in form.changed_data:
            moderation.set_status(
                comments=Comment.objects.filter(pk=obj.pk),
                status=obj.status,
                moderator=request.user,
                description=f"comment {obj.pk}, change page",
            )

    def delete_model(self, request, obj):
        result = moderation.delete_comments(
            comments=Comment.objects.filter(pk=obj.pk), moderator=request.user, description=f"comment {obj.pk}"
        )
        if result.tombstoned:
            self.message_user(
                request, "The comment has replies, so it stays as “This comment was removed.”", messages.WARNING
            )

    def delete_queryset(self, request, queryset):
        moderation.delete_comments(comments=queryset, moderator=request.user, description="delete selected")

    # Bulk actions -------------------------------------------------------------------------------------------

    @staticmethod
    def _select_across(request) -> bool:
        return request.POST.get("select_across", "0") not in ("", "0", "False", "false")

    def _scope(self, request) -> str:
        """Which filter a bulk action ran on, for the moderation record."""
        parts = [f"queue: {dict((k, label) for k, label, _ in QUEUES)[current_queue(request)]}"]
        for key, value in sorted(request.GET.items()):
            if key in ("queue", "p", "o", "e"):
                continue
            parts.append(f'search: "{value}"' if key == "q" else f"{key}={value}")
        selected = request.POST.getlist(helpers.ACTION_CHECKBOX_NAME)
        parts.append("all matching (select across)" if self._select_across(request) else f"{len(selected)} selected")
        return "; ".join(parts)

    def _confirm(self, request, queryset, *, action, title, question, counted=None, notes=(), danger=False):
        """The confirmation page: counts from SQL and the same selection posted back, never a list of rows."""
        counted = queryset if counted is None else counted
        breakdown = dict(counted.order_by().values_list("status").annotate(n=Count("pk")))
        total = sum(breakdown.values())
        context = {
            **self.admin_site.each_context(request),
            "title": title,
            "opts": self.model._meta,
            "action": action,
            "question": question.format(count=f"{total:,}", s="" if total == 1 else "s"),
            "total": total,
            "breakdown": [(Status(s).label, breakdown[s]) for s in Status.values if breakdown.get(s)],
            "notes": [note for note in notes if note],
            "danger": danger,
            "scope": self._scope(request),
            "select_across": "1" if self._select_across(request) else "0",
            "selected": request.POST.getlist(helpers.ACTION_CHECKBOX_NAME),
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            "back_url": request.get_full_path(),
        }
        return TemplateResponse(request, "admin/comments/comment/confirm_action.html", context)

    def _status_action(self, request, queryset, *, service, action, title, done):
        if self._select_across(request) and request.POST.get("post") != "yes":
            return self._confirm(
                request, queryset, action=action, title=title, question=title + " all {count} matching comment{s}?"
            )
        changed = service(comments=queryset, moderator=request.user, description=self._scope(request))
        self.message_user(request, f"{changed:,} comment{'s' if changed != 1 else ''} {done}.", messages.SUCCESS)
        return None

    @admin.action(description="Approve (publish)", permissions=["moderate"])
    def approve(self, request, queryset):
        return self._status_action(
            request, queryset, service=moderation.approve_comments, action="approve", title="Approve", done="approved"
        )

    @admin.action(description="Mark as spam", permissions=["moderate"])
    def mark_spam(self, request, queryset):
        return self._status_action(
            request,
            queryset,
            service=moderation.mark_spam,
            action="mark_spam",
            title="Mark as spam",
            done="marked spam",
        )

    @admin.action(description="Not spam (publish)", permissions=["moderate"])
    def mark_not_spam(self, request, queryset):
        return self._status_action(
            request,
            queryset,
            service=moderation.mark_not_spam,
            action="mark_not_spam",
            title="Mark as not spam",
            done="published as not spam",
        )

    @admin.action(description="Remove (keep replies)", permissions=["moderate"])
    def remove(self, request, queryset):
        return self._status_action(
            request, queryset, service=moderation.remove_comments, action="remove", title="Remove", done="removed"
        )

    @admin.action(description="Restore removed", permissions=["moderate"])
    def restore(self, request, queryset):
        return self._status_action(
            request,
            queryset,
            service=moderation.restore_comments,
            action="restore",
            title="Restore",
            done="restored",
        )

    @admin.action(description="Delete permanently", permissions=["purge"])
    def delete_permanently(self, request, queryset):
        if request.POST.get("post") != "yes":
            with_replies = queryset.filter(
                Exists(Comment.objects.filter(parent_id=OuterRef("pk")).exclude(status=Status.SPAM))
            ).count()
            return self._confirm(
                request,
                queryset,
                action="delete_permanently",
                title="Delete permanently",
                question="Delete {count} comment{s} permanently? This cannot be undone.",
                notes=[
                    with_replies
                    and f"{with_replies:,} of them have replies; where a reply stays, the comment stays too, "
                    "as “This comment was removed.”"
                ],
                danger=True,
            )
        result = moderation.delete_comments(comments=queryset, moderator=request.user, description=self._scope(request))
        self.message_user(request, f"Comments deleted: {result}.", messages.SUCCESS)
        return None

    @admin.action(description="Delete everything from these senders (email or IP, site-wide)", permissions=["purge"])
    def delete_senders(self, request, queryset):
        if request.POST.get("post") != "yes":
            emails, ips = moderation.senders_of(queryset)
            senders = f"{emails.count():,} email address(es) and {ips.count():,} IP address(es)"
            return self._confirm(
                request,
                queryset,
                action="delete_senders",
                title="Delete everything from these senders",
                question="Delete all {count} comment{s} from " + senders + ", on every article?",
                counted=moderation.sender_comments(queryset),
                notes=["Check the published count: an IP address can be shared by many readers."],
                danger=True,
            )
        result = moderation.delete_from_senders(
            comments=queryset, moderator=request.user, description=self._scope(request)
        )
        self.message_user(request, f"Comments from these senders: {result}.", messages.SUCCESS)
        return None

    @admin.action(description="Find more like these (same links or near-identical text)", permissions=["moderate"])
    def find_similar(self, request, queryset):
        limit = moderation.SIMILAR_SOURCES_MAX
        ids = list(queryset.order_by("pk").values_list("pk", flat=True)[: limit + 1])
        if len(ids) > limit:
            self.message_user(request, f"Compared with the first {limit} of the selection.", messages.WARNING)
        return HttpResponseRedirect(changelist_url(queue="all", like=",".join(map(str, ids[:limit]))))

    def _article_action(self, request, queryset, *, reopen: bool):
        articles = Article.objects.filter(pk__in=queryset.order_by().values("article_id"))
        changed = moderation.close_comments(
            articles=articles, moderator=request.user, description=self._scope(request), reopen=reopen
        )
        verb = "reopened" if reopen else "closed"
        self.message_user(request, f"Comments {verb} on {changed:,} article(s).", messages.SUCCESS)

    @admin.action(description="Close comments on their articles", permissions=["moderate"])
    def close_article_comments(self, request, queryset):
        self._article_action(request, queryset, reopen=False)

    @admin.action(description="Reopen comments on their articles", permissions=["moderate"])
    def reopen_article_comments(self, request, queryset):
        self._article_action(request, queryset, reopen=True)

    # Extra pages: the dashboard and "Empty spam" ------------------------------------------------------------

    def get_urls(self):
        extra = [
            path("dashboard/", self.admin_site.admin_view(self.dashboard_view), name="comments_comment_dashboard"),
            path("empty-spam/", self.admin_site.admin_view(self.empty_spam_view), name="comments_comment_empty_spam"),
        ]
        return extra + super().get_urls()

    def dashboard_view(self, request):
        if not can_moderate(request):
            raise PermissionDenied
        context = {
            **self.admin_site.each_context(request),
            "title": "Moderation dashboard",
            "opts": self.model._meta,
            "queues": [
                (label, count, changelist_url(queue=key)) for key, label, count in queue_counts() if key != "all"
            ],
            "chart": daily_chart(days=30),
            "spam_checking_note": spam.spam_checking_status(),
            "records": ModerationRecord.objects.select_related("actor")[:10],
            "can_purge": can_purge(request),
        }
        return TemplateResponse(request, "admin/comments/dashboard.html", context)

    def empty_spam_view(self, request):
        if not can_purge(request):
            raise PermissionDenied
        form = EmptySpamForm(request.POST if request.method == "POST" else None)
        context = {
            **self.admin_site.each_context(request),
            "title": "Empty spam",
            "opts": self.model._meta,
            "form": form,
            "spam_total": Comment.objects.spam().count(),
            "retention_days": settings.SPAM_RETENTION_DAYS,
            "older_than_retention": moderation.spam_to_purge(older_than_days=settings.SPAM_RETENTION_DAYS).count(),
        }
        if request.method == "POST" and form.is_valid():
            days = form.older_than_days()
            if request.POST.get("confirm") == "yes":
                result = moderation.empty_spam(moderator=request.user, older_than_days=days)
                self.message_user(request, f"Spam emptied: {result}.", messages.SUCCESS)
                return HttpResponseRedirect(changelist_url(queue="spam"))
            context["confirm_count"] = moderation.spam_to_purge(older_than_days=days).count()
            context["confirm_days"] = days
        return TemplateResponse(request, "admin/comments/empty_spam.html", context)


class EmptySpamForm(forms.Form):
    scope = forms.ChoiceField(
        choices=[("all", "All spam"), ("older", "Spam older than a number of days")],
        widget=forms.RadioSelect,
        initial="older",
    )
    days = forms.IntegerField(
        min_value=0, max_value=36500, required=False, initial=settings.SPAM_RETENTION_DAYS, label="Days"
    )

    def clean(self):
        data = super().clean()
        if data.get("scope") == "older" and data.get("days") is None:
            self.add_error("days", "Enter a whole number of days (0 or more).")
        return data

    def older_than_days(self) -> int:
        return 0 if self.cleaned_data["scope"] == "all" else self.cleaned_data["days"]


def daily_chart(*, days: int = 30, width: int = 720, height: int = 220) -> dict:
    """Comments a day over the last `days` days, published / held / spam, laid out as SVG rectangles.

    All the drawing is numbers worked out here; the template only writes them into <rect> elements.
    """
    zone = timezone.get_current_timezone()
    first = timezone.localdate() - timedelta(days=days - 1)
    start = datetime.combine(first, time.min, tzinfo=zone)
    series = {"published": [Status.PUBLISHED], "held": [Status.PENDING, Status.FLAGGED], "spam": [Status.SPAM]}
    group = {status: name for name, statuses in series.items() for status in statuses}
    per_day = {first + timedelta(days=i): dict.fromkeys(series, 0) for i in range(days)}
    rows = (
        Comment.objects.filter(submitted_at__gte=start, status__in=list(group))
        .annotate(day=TruncDate("submitted_at", tzinfo=zone))
        .order_by()
        .values_list("day", "status")
        .annotate(n=Count("pk"))
    )
    for day, status, n in rows:
        if day in per_day:
            per_day[day][group[status]] += n
    peak = max((sum(counts.values()) for counts in per_day.values()), default=0)
    scale_top = _nice_ceiling(peak)
    left, bottom, top = 44, 24, 8
    plot_w, plot_h = width - left - 8, height - bottom - top
    slot = plot_w / days
    bars = []
    for index, (day, counts) in enumerate(per_day.items()):
        x = left + index * slot + 1
        y = top + plot_h
        segments = []
        for name in series:
            h = plot_h * counts[name] / scale_top if scale_top else 0
            y -= h
            segments.append({"name": name, "y": round(y, 1), "height": round(h, 1)})
        bars.append(
            {
                "day": day,
                "x": round(x, 1),
                "width": round(slot - 2, 1),
                "segments": segments,
                "counts": counts,
                "label": f"{day:%b} {day.day}" if index % 5 == 0 or index == days - 1 else "",
                "label_x": round(x + (slot - 2) / 2, 1),
            }
        )
    ticks = (
        [{"value": scale_top * i // 4, "y": round(top + plot_h - plot_h * i / 4, 1)} for i in range(5)]
        if scale_top
        else [{"value": 0, "y": top + plot_h}]
    )
    return {
        "width": width,
        "height": height,
        "left": left,
        "right": width - 8,
        "baseline": top + plot_h,
        "label_y": height - 6,
        "bars": bars,
        "ticks": ticks,
        "totals": {name: sum(counts[name] for counts in per_day.values()) for name in series},
    }


def _nice_ceiling(value: int) -> int:
    """The top of the axis: four ticks of a round step (1, 2 or 5 times a power of ten) that reach value."""
    if value <= 0:
        return 0
    step = 1
    while True:
        for factor in (1, 2, 5):
            if 4 * step * factor >= value:
                return 4 * step * factor
        step *= 10


# --- Blocklists, reports, records, feedback ----------------------------------------------------------------


class BlocklistEntryForm(forms.ModelForm):
    class Meta:
        model = BlocklistEntry
        fields = ["kind", "value", "action", "note"]
        help_texts = {
            "value": "203.0.113.9 or 203.0.113.0/24 · name@example.com or example.com (with its subdomains) · "
            "a word or phrase (matched whole, ignoring case and look-alike characters)",
        }

    def clean(self):
        data = super().clean()
        if data.get("kind") and data.get("value"):
            try:
                data["value"] = clean_value(data["kind"], data["value"])
            except forms.ValidationError as error:
                self.add_error("value", error)
        return data


@admin.register(BlocklistEntry)
class BlocklistEntryAdmin(admin.ModelAdmin):
    form = BlocklistEntryForm
    list_display = ["value", "kind", "action", "note", "created_by", "created_at"]
    list_filter = ["kind", "action"]
    list_select_related = ["created_by"]
    search_fields = ["value", "note"]
    date_hierarchy = "created_at"

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(CommentReport)
class CommentReportAdmin(admin.ModelAdmin):
    list_display = ["created_at", "comment_link", "reason", "reporter_key", "user"]
    list_select_related = ["comment", "user"]
    list_filter = [("created_at", admin.DateFieldListFilter)]
    search_fields = ["reason", "reporter_key", "comment__author_email"]
    raw_id_fields = ["comment", "user"]
    date_hierarchy = "created_at"
    readonly_fields = ["comment", "reporter_key", "user", "reason", "created_at"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description="comment", ordering="comment")
    def comment_link(self, obj):
        return format_html(
            '<a href="{}">#{}</a> {}',
            reverse("admin:comments_comment_change", args=[obj.comment_id]),
            obj.comment_id,
            Truncator(obj.comment.body).chars(60),
        )


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ModerationRecord)
class ModerationRecordAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "actor", "action", "count", "filter_description"]
    list_filter = ["action"]
    list_select_related = ["actor"]
    search_fields = ["action", "filter_description", "actor__username"]
    date_hierarchy = "created_at"


@admin.register(AkismetFeedback)
class AkismetFeedbackAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "kind", "comment_link", "attempts", "sent_at", "last_error"]
    list_filter = ["kind", ("sent_at", admin.EmptyFieldListFilter)]
    search_fields = ["last_error"]
    raw_id_fields = ["comment"]
    date_hierarchy = "created_at"
    exclude = ["payload"]

    @admin.display(description="comment")
    def comment_link(self, obj):
        if obj.comment_id is None:
            return "(deleted)"
        return format_html(
            '<a href="{}">#{}</a>', reverse("admin:comments_comment_change", args=[obj.comment_id]), obj.comment_id
        )


@admin.register(ConductRules)
class ConductRulesAdmin(admin.ModelAdmin):
    """The rules of conduct shown with the comment form: the most recently saved version is the one in force."""

    list_display = ["__str__", "updated_at"]
    search_fields = ["text"]
    date_hierarchy = "updated_at"
